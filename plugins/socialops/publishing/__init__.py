"""Exactly-once publication of the editorial calendar (see ``docs/exactly-once.md``).

>>> ledger = PublicationLedger(get_engine())
>>> for publication_id in ledger.due(now):
...     publish_one(ledger, publication_id, lambda: connect("x"), owner=run_id, now=now,
...                 grace=timedelta(hours=2), notices=notices, media_root=media_root)
"""

from socialops.publishing.ledger import (
    CLAIMABLE,
    UNCERTAIN,
    Claim,
    LeaseLost,
    Notice,
    PublicationLedger,
    add_notices,
)
from socialops.publishing.notices import PublicationNotices
from socialops.publishing.service import Outcome, publish_one

__all__ = [
    "CLAIMABLE",
    "UNCERTAIN",
    "Claim",
    "LeaseLost",
    "Notice",
    "Outcome",
    "PublicationLedger",
    "PublicationNotices",
    "add_notices",
    "publish_one",
]
