"""``python -m socialops``: see :mod:`socialops.cli`."""

from socialops.cli import main

raise SystemExit(main())
