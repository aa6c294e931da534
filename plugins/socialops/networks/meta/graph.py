"""What the Facebook and Instagram adapters share: the Graph adapter base and its helpers.

:class:`GraphAdapter` holds the Graph API's paging (:data:`~socialops.networks.paging.
GRAPH_CURSORS`), its multi-id lookups, comments and tagged posts as mentions, and the
newest-first listings; :mod:`.facebook` and :mod:`.instagram` only know their own edges and
fields. Connection fields: :class:`~socialops.networks.meta.client.MetaExtras`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

from socialops.networks import records
from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import InvalidRequest
from socialops.networks.meta.client import META_TOKEN, GraphClient, MetaExtras, missing_aliases
from socialops.networks.paging import GRAPH_CURSORS, Cursor, batched, newest_first, unique

log = logging.getLogger(__name__)

#: The Graph API's multi-id lookup (``?ids=a,b,c``) takes at most 50 ids.
MAX_IDS_PER_CALL = 50
#: Items per page of a listing; also how many older items in a row end a newest-first one.
PAGE_SIZE = 100


def graph_time(value: str | None) -> datetime | None:
    """Graph timestamps look like ``2026-11-20T08:00:00+0000``."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def unix(when: datetime) -> int:
    return int(when.timestamp())


def day_bounds(day: date) -> tuple[int, int]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return unix(start), unix(start + timedelta(days=1))


def metric_value(item: dict[str, Any]) -> int | None:
    """The value of one insights metric, in either shape Graph uses.

    ``total_value`` (``metric_type=total_value``) or a ``values`` series whose last point
    is the most recent period.
    """
    if "total_value" in item:
        return item["total_value"].get("value")
    values = item.get("values") or []
    if not values:
        return None
    value = values[-1].get("value")
    return value if isinstance(value, int) else None


def insights_by_name(container: dict[str, Any] | None) -> dict[str, int | None]:
    data = (container or {}).get("data", []) if isinstance(container, dict) else container or []
    return {item["name"]: metric_value(item) for item in data}


class GraphAdapter(NetworkAdapter):
    """What Facebook and Instagram share: paging, multi-id lookups, comments, reconciliation."""

    extras_type = MetaExtras
    renew = META_TOKEN
    extras: MetaExtras
    post_fields: str
    comment_fields: str
    time_field: str  # the creation time of a post or comment on this network
    text_fields: tuple[str, ...]  # where a comment or tagging post keeps its text, first found
    link_field: str  # its permalink

    def setup(self) -> None:
        self.http = GraphClient(self)

    def close(self) -> None:
        self.http.close()

    # -- shared plumbing -----------------------------------------------------------------
    def _pages(
        self, path: str, params: dict[str, Any], endpoint: str, *, start: Cursor | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paged edge, following the ``after`` cursor (or ``next`` URL)."""

        def fetch(cursor: Cursor | None) -> Any:
            if cursor is None:
                return self.http.get(path, params=params, endpoint=endpoint)
            kind, value = cursor
            if kind == "next":  # time-based paging only gives the next URL
                return self.http.get(value, endpoint=endpoint)
            return self.http.get(path, params={**params, "after": value}, endpoint=endpoint)

        return self.listing(fetch, GRAPH_CURSORS, endpoint=endpoint, start=start)

    def _since(
        self, path: str, fields: str, since: datetime, endpoint: str
    ) -> Iterator[tuple[dict[str, Any], datetime]]:
        """(item, creation time) of a newest-first edge (posts, media, tags) since ``since``."""
        params = {"fields": fields, "since": unix(since), "limit": PAGE_SIZE}
        return self._newer_than(self._pages(path, params, endpoint), since)

    def _newer_than(
        self, listing: Iterable[dict[str, Any]], since: datetime
    ) -> Iterator[tuple[dict[str, Any], datetime]]:
        """The items of a newest-first listing created since ``since``, with their time.

        Not every edge honours ``since``, so the listing stops after a full page of older
        items, rather than at the first one: a pinned old post at the top must not hide
        the newer ones below it.
        """
        return newest_first(
            listing, since, lambda raw: graph_time(raw.get(self.time_field)), older_run=PAGE_SIZE
        )

    def _lookup(self, ids: Sequence[str], fields: str, endpoint: str) -> dict[str, dict[str, Any]]:
        """Graph's multi-id lookup, ``GET /?ids=a,b,c&fields=...``, 50 ids per call.

        One unknown id fails the whole call (error 803 lists them): those ids are dropped,
        logged, and the rest asked again, so one deleted post does not lose a night's metrics.
        """
        found: dict[str, dict[str, Any]] = {}
        for chunk in batched(unique(ids), MAX_IDS_PER_CALL):
            while chunk:
                params = {"ids": ",".join(chunk), "fields": fields}
                try:
                    found.update(self.http.get("/", params=params, endpoint=endpoint))
                    break
                except InvalidRequest as exc:
                    missing = missing_aliases(exc)
                    if not missing & set(chunk):
                        raise
                    log.warning(
                        "%s: skipping ids unknown to %s: %s",
                        endpoint,
                        self.network,
                        sorted(missing),
                    )
                    chunk = [i for i in chunk if i not in missing]
        return found

    # -- comments and mentions -----------------------------------------------------------
    #: Query parameters of the comments edge (Facebook: ``filter=stream``, the replies too).
    comment_filter: ClassVar[dict[str, str]] = {}

    def comments(self, post_ids: Sequence[str], since: datetime) -> list[records.Mention]:
        """The comments on ``post_ids`` since ``since``, oldest first, with the replies in
        their threads (Facebook's ``filter(stream)``, Instagram's ``replies`` edge): the
        brand's own answers among them are marked ``by_account`` (the author's id is the
        account's), so that a reader sees which comments were answered."""
        found: list[records.Mention] = []
        expansion = "".join(f".{name}({value})" for name, value in self.comment_filter.items())
        edge = f"comments{expansion}.limit({PAGE_SIZE}){{{self.comment_fields}}}"
        own_id: str | None = None  # read when a comment is found (no call without one)
        for post_id, body in self._lookup(
            post_ids, edge, "GET /?ids={post-ids}&fields=comments"
        ).items():
            comments = body.get("comments") or {}
            items = list(comments.get("data", []))
            more = GRAPH_CURSORS.next_cursor(comments, None)  # the lookup held the first page
            if more is not None:
                items += self._pages(
                    f"/{post_id}/comments",
                    {"fields": self.comment_fields, "limit": PAGE_SIZE, **self.comment_filter},
                    "GET /{post-id}/comments",
                    start=more,
                )
            for raw in (entry for item in items for entry in self._thread(item)):
                comment = self._mention(raw, post_id)
                if comment.created_at >= since:
                    own_id = own_id if own_id is not None else self._own_id()
                    found.append(replace(comment, by_account=comment.author_id == own_id))
        return sorted(found, key=lambda m: m.created_at)

    def _thread(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        """A listed comment and the replies the listing nests in it (none by default)."""
        return [raw]

    def _own_id(self) -> str:
        """The id the account writes its own comments under (its Page, its Instagram user)."""
        raise NotImplementedError

    def _mention(self, raw: dict[str, Any], in_reply_to: str | None = None) -> records.Mention:
        """A comment (``in_reply_to`` = the own post) or a post that tags the account."""
        author_id, handle = self._author(raw)
        return records.Mention(
            network=self.network,
            mention_id=raw["id"],
            author_id=author_id,
            author_handle=handle,
            text=next((raw[name] for name in self.text_fields if name in raw), ""),
            created_at=graph_time(raw[self.time_field]),
            url=raw.get(self.link_field),
            in_reply_to=in_reply_to,
            kind="comment" if in_reply_to else "mention",
            likes=raw.get("like_count"),
        )

    def _author(self, raw: dict[str, Any]) -> tuple[str, str | None]:
        """(id, handle) of who wrote a comment or a tagging post."""
        raise NotImplementedError

    def _tagged(
        self, path: str, fields: str, since: datetime, endpoint: str
    ) -> list[records.Mention]:
        return [self._mention(raw) for raw, _ in self._since(path, fields, since, endpoint)]


__all__ = [
    "MAX_IDS_PER_CALL",
    "PAGE_SIZE",
    "GraphAdapter",
    "day_bounds",
    "graph_time",
    "insights_by_name",
    "unix",
]
