"""Exactly-once publication of the editorial calendar (see ``docs/exactly-once.md``).

>>> ledger = PublicationLedger(get_engine())
>>> for publication_id in ledger.due(now):
...     publish_one(ledger, publication_id, lambda: connect("x"), owner=run_id, now=now,
...                 grace=timedelta(hours=2), notices=notices, media_root=media_root)
"""

from socialops.publishing.messages import PublicationNotices
from socialops.publishing.pause import PAUSE_VARIABLE, Pause, pause, pause_reason, pause_state
from socialops.publishing.service import Outcome, publish_one
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
    "publish_one",
]
