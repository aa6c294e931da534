"""``python -m socialops.sandbox`` is ``python -m socialops sandbox`` (see :mod:`.cli`)."""

from socialops.sandbox.cli import main

raise SystemExit(main())
