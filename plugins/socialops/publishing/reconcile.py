"""Which post found on the network is ours: the ledger's side of reconciliation.

How a network recognises a post as made from a draft is the adapter's business
(``find_published``, see docs/exactly-once.md). What the ledger adds here holds whatever
the adapter matches on:

* a post already recorded for another publication is never taken (the warehouse enforces
  it too: ``publications`` is unique on ``network, external_id``);
* publications in doubt whose content is identical on the same account ("twins") share
  the posts found in order: the older attempt takes the older post. When fewer posts are
  found than twins wait for one, nobody can tell which attempt made which post: a person
  decides, and no twin is marked published from it.

The ledger needs every matching post, not only the first: every adapter offers
``find_published_candidates(key, account, since) -> list[Receipt]`` (:data:`FIND_ALL`;
the strict match of ``networks/base.py``, per network in docs/exactly-once.md). An adapter
without it (a third-party one) is asked ``find_published`` instead, whose single answer is
known to be incomplete: a match recorded for another publication may hide ours, so it is a
person's decision instead of "not found".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from socialops.networks.base import NetworkAdapter
from socialops.networks.records import Receipt

#: The adapter method listing every post ``find_published`` would accept, in any order.
FIND_ALL = "find_published_candidates"


@dataclass(frozen=True)
class Candidates:
    """Posts matching a publication's key, oldest first."""

    receipts: tuple[Receipt, ...]
    #: True when every matching post is listed; False when only the adapter's first match is.
    complete: bool


@dataclass(frozen=True)
class Choice:
    """What reconciliation concluded: our post, none, or ambiguous (a person decides)."""

    receipt: Receipt | None = None
    ambiguous: bool = False
    #: The posts found, for the notice of an ambiguous choice.
    seen: tuple[Receipt, ...] = ()
    #: Ambiguous because the adapter showed only posts recorded for other publications.
    hidden: bool = False


def published_candidates(
    client: NetworkAdapter, key: str, account: str, since: datetime
) -> Candidates:
    """The posts of ``account`` since ``since`` that the adapter takes for ``key``'s content."""
    find_all = getattr(client, FIND_ALL, None)
    if callable(find_all):
        receipts = sorted(find_all(key, account, since), key=lambda r: r.published_at)
        return Candidates(tuple(receipts), complete=True)
    found = client.find_published(key, account, since)
    return Candidates((found,) if found else (), complete=False)


def choose(found: Candidates, *, taken: Collection[str], rank: int, twins: int) -> Choice:
    """Our post among ``found``.

    ``taken``: external ids recorded for other publications. ``twins``: how many attempts
    in doubt share this content on this account, ours included; ``rank``: how many of them
    are older than ours (0 for the oldest).
    """
    free = tuple(r for r in found.receipts if r.external_id not in taken)
    if not found.complete and len(free) < len(found.receipts):
        # The adapter showed only someone else's post: ours may be behind it.
        return Choice(ambiguous=True, seen=found.receipts, hidden=True)
    if not free:
        return Choice()
    if twins <= 1:
        return Choice(free[0])
    if len(free) >= twins:
        return Choice(free[rank])
    return Choice(ambiguous=True, seen=free)
