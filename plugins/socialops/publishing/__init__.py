"""Exactly-once publication of the editorial calendar (see ``docs/exactly-once.md``).

>>> ledger = PublicationLedger(get_engine())
>>> publish_chunk(ledger, ledger.due(now), lambda: connect("x"), owner=run_id,
...               clock=lambda: now, grace=timedelta(hours=2), notices=notices,
...               media_root=media_root)
"""

from socialops.publishing.messages import PublicationNotices
from socialops.publishing.pause import PAUSE_VARIABLE, Pause, pause, pause_reason, pause_state
from socialops.publishing.service import Outcome, publish_chunk, publish_one
from socialops.publishing.store import (
    CLAIMABLE,
    UNCERTAIN,
    Claim,
    LeaseLost,
    PublicationLedger,
)

__all__ = [
    "CLAIMABLE",
    "PAUSE_VARIABLE",
    "UNCERTAIN",
    "Claim",
    "LeaseLost",
    "Outcome",
    "Pause",
    "PublicationLedger",
    "PublicationNotices",
    "pause",
    "pause_reason",
    "pause_state",
    "publish_chunk",
    "publish_one",
]
