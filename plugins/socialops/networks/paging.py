"""The loops of every listing: pages by a cursor rule, ids de-duplicated and batched, and the
"newest first, stop at ``since``" rule.

Each network hands out its pages its own way; a :class:`CursorRule` says how (where a page
keeps its items, and the cursor of the next page), and :func:`follow` is the one loop that
walks them. The loop refuses to go round in circles: a next cursor it already followed, or a
page it already received (an API that ignores the cursor), raises :class:`TransientError`
naming the network, the endpoint and the cursor, instead of growing the listing forever.

The rules of the networks socialops speaks:

* :data:`X_NEXT_TOKEN`: ``meta.next_token`` (X API v2 timelines and search);
* :data:`GRAPH_CURSORS`: ``paging.next`` with ``paging.cursors.after`` (Meta Graph API); a
  page without ``after`` is followed through its ``next`` URL;
* :data:`LINKEDIN_START_COUNT`: ``start``/``count`` offsets, ``paging.total`` or a
  ``rel=next`` link (LinkedIn REST collections);
* :data:`YOUTUBE_PAGE_TOKEN`: ``nextPageToken`` (YouTube Data API).

Nothing here talks to a network: the adapter gives ``fetch(cursor) -> page``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from socialops.networks.errors import TransientError

T = TypeVar("T")
Page = Any  # a decoded JSON answer
Cursor = Hashable  # what the next request needs to get the next page


@dataclass(frozen=True)
class CursorRule:
    """How one API pages a listing."""

    name: str
    #: The items of a page.
    items: Callable[[Page], list[Any]]
    #: The cursor of the page after ``page`` (fetched with ``cursor``); None: it was the last.
    next_cursor: Callable[[Page, Cursor | None], Cursor | None]


def _x_next(page: Page, cursor: Cursor | None) -> Cursor | None:
    return page.get("meta", {}).get("next_token") or None


def _graph_next(page: Page, cursor: Cursor | None) -> Cursor | None:
    paging = page.get("paging", {})
    if not page.get("data") or not paging.get("next"):
        return None
    after = paging.get("cursors", {}).get("after")
    return ("after", after) if after else ("next", paging["next"])


def _linkedin_next(page: Page, cursor: Cursor | None) -> Cursor | None:
    elements = page.get("elements", [])
    paging = page.get("paging", {})
    start = int(cursor or 0) + len(elements)
    total = paging.get("total")
    has_next = any(link.get("rel") == "next" for link in paging.get("links", []))
    if not elements or (total is not None and start >= total) or (total is None and not has_next):
        return None
    return start


def _youtube_next(page: Page, cursor: Cursor | None) -> Cursor | None:
    return page.get("nextPageToken") or None


X_NEXT_TOKEN = CursorRule("X next_token", lambda page: page.get("data", []), _x_next)
#: Cursors are ``("after", cursor)`` (sent as the ``after`` parameter) or ``("next", url)``.
GRAPH_CURSORS = CursorRule("Graph paging", lambda page: page.get("data", []), _graph_next)
#: The cursor is the ``start`` offset of the next page (None for the first: 0).
LINKEDIN_START_COUNT = CursorRule(
    "LinkedIn start/count", lambda page: page.get("elements", []), _linkedin_next
)
YOUTUBE_PAGE_TOKEN = CursorRule(
    "YouTube pageToken", lambda page: page.get("items", []), _youtube_next
)


def follow(
    fetch: Callable[[Cursor | None], Page],
    rule: CursorRule,
    *,
    network: str,
    endpoint: str,
    start: Cursor | None = None,
) -> Iterator[Page]:
    """Every page of a listing, lazily (a caller may stop early): ``fetch(start)`` first,
    then ``fetch(cursor)`` with each next cursor of ``rule``."""
    followed: set[Cursor] = set()
    received: set[bytes] = set()
    cursor = start
    while True:
        page = fetch(cursor)
        items = rule.items(page)
        if items:
            text = json.dumps(items, sort_keys=True, default=str)
            fingerprint = hashlib.blake2b(text.encode(), digest_size=16).digest()
            if fingerprint in received:
                raise _looping(network, endpoint, rule, cursor, "returned a page already received")
            received.add(fingerprint)
        yield page
        cursor = rule.next_cursor(page, cursor)
        if cursor is None:
            return
        if cursor in followed:
            raise _looping(network, endpoint, rule, cursor, "gave a next cursor already followed")
        followed.add(cursor)


def _looping(
    network: str, endpoint: str, rule: CursorRule, cursor: Cursor | None, what: str
) -> TransientError:
    return TransientError(
        network,
        f"{endpoint} {what} ({rule.name} cursor {cursor!r}); the listing stops here "
        "instead of reading the same pages forever",
        hint="the API repeated itself: retry later, and report it if it persists",
    )


def newest_first(
    listing: Iterable[T],
    since: datetime,
    created_at: Callable[[T], datetime | None],
    *,
    older_run: int = 1,
) -> Iterator[tuple[T, datetime]]:
    """The items of a newest-first listing created at or after ``since``, with their time.

    The listing is read until ``older_run`` consecutive items are older than ``since`` (an
    item without a time counts as older): 1 where the order is strict, a page where a pinned
    old post may come first and must not hide the newer ones below it.
    """
    older = 0
    for item in listing:
        created = created_at(item)
        if created is not None and created >= since:
            older = 0
            yield item, created
        else:
            older += 1
            if older >= older_run:
                return


def unique(values: Iterable[T]) -> list[T]:
    """``values`` without repeats, in their first order (one request per id, not two)."""
    return list(dict.fromkeys(values))


def batched(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive chunks of at most ``size`` items (``itertools.batched`` is 3.12+)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


__all__ = [
    "GRAPH_CURSORS",
    "LINKEDIN_START_COUNT",
    "X_NEXT_TOKEN",
    "YOUTUBE_PAGE_TOKEN",
    "CursorRule",
    "batched",
    "follow",
    "newest_first",
    "unique",
]
