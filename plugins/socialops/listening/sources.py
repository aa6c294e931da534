"""What ``listen_mentions`` reads, one source at a time, each from where it stopped.

A :class:`Source` is one mapped task: X recent search, the comments on an owned account's
recent posts (every network), the posts and media that tag the brand (Facebook, Instagram),
Instagram hashtag search (30 hashtags a week: :func:`hashtag_plan`), YouTube keyword search
(a daily budget), or one RSS/Atom feed. :func:`plan` lists them from the brand
configuration; :func:`read` reads one from its :class:`Position` and returns the new
mentions with the position to store *in the same transaction* as them (``store.save``), so
that a rerun reads nothing twice and a crash before the commit loses nothing.

The position of a source is the time of the newest mention it read and the ids read at that
time (the networks' ``since`` is inclusive), plus what the source keeps for itself: a feed's
``ETag`` / ``Last-Modified``, the YouTube searches spent today. See docs/listening.md.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from socialops.networks import records

if TYPE_CHECKING:
    from socialops.config.schema import BrandConfig, Listening
    from socialops.networks.base import NetworkAdapter

log = logging.getLogger(__name__)

#: The pseudo-network of the mentions read from the web's feeds.
WEB = "web"
SEARCH, COMMENTS, TAGGED, HASHTAGS = "search", "comments", "tagged", "hashtags"
VIDEO_SEARCH, FEED = "video_search", "feed"
#: Instagram: 30 unique hashtags per account within a rolling 7 days.
INSTAGRAM_HASHTAG_LIMIT, INSTAGRAM_HASHTAG_WINDOW = 30, timedelta(days=7)
#: Networks that list the posts tagging the brand's account.
TAGGING_NETWORKS = ("facebook", "instagram")
#: How many feed entry ids a feed's position keeps (feeds may repeat undated entries).
FEED_IDS_KEPT = 500
FEED_TIMEOUT = 20.0  # seconds per feed request


@dataclass(frozen=True)
class Source:
    """One listening source: the key names its cursor (``x:search``, ``instagram:comments``,
    ``feed:https://...``)."""

    key: str
    network: str
    kind: str
    account: str | None = None  # the owned account (comments, tagged)
    conn_id: str | None = None
    url: str | None = None  # a feed's URL

    def as_kwargs(self) -> dict[str, Any]:
        """The mapped task's arguments (XCom-sized)."""
        return {
            "key": self.key,
            "network": self.network,
            "kind": self.kind,
            "account": self.account,
            "conn_id": self.conn_id,
            "url": self.url,
        }


@dataclass(frozen=True)
class Position:
    """Where a source stopped: the newest mention's time, the ids read at that time, and
    the source's own bookkeeping (``extra``)."""

    since: datetime | None = None
    seen: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "seen": list(self.seen),
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Position:
        if not data:
            return cls()
        since = data.get("since")
        return cls(
            since=datetime.fromisoformat(since) if since else None,
            seen=tuple(data.get("seen") or ()),
            extra=dict(data.get("extra") or {}),
        )


@dataclass(frozen=True)
class Reading:
    """What one read of a source found: its new mentions (each once), the query that
    matched each, and the position to store with them."""

    source: Source
    mentions: list[records.Mention]
    matched: dict[str, str | None]  # mention id → the keyword or hashtag it names
    position: Position
    notes: list[str] = field(default_factory=list)  # what was skipped and why (task log)
    #: own post commented on → the time of the brand's latest reply read in its thread
    answered: dict[str, datetime] = field(default_factory=dict)

    def answered_after(self, comment: records.Mention) -> bool:
        """Whether the brand replied in the comment's thread after it was written."""
        reply = self.answered.get(comment.in_reply_to or "")
        return reply is not None and reply >= comment.created_at


# -- the plan ---------------------------------------------------------------------------------


def plan(config: BrandConfig) -> list[Source]:
    """Every source of the brand: X search (when there is an X account and terms), the
    comments of each owned account, the tagging posts of Facebook and Instagram, YouTube
    search (within ``listening.youtube_search_per_day``) and each feed."""
    listening = config.listening
    terms = search_terms(listening)
    sources: list[Source] = []
    for account in config.accounts:
        network, handle, conn = account.network, account.handle, account.conn_id
        if network == "x" and terms:
            sources.append(Source("x:search", "x", SEARCH, handle, conn))
        sources.append(Source(f"{network}:comments:{handle}", network, COMMENTS, handle, conn))
        if network in TAGGING_NETWORKS:
            sources.append(Source(f"{network}:tagged:{handle}", network, TAGGED, handle, conn))
        if network == "instagram" and listening.hashtags:
            key = f"instagram:hashtags:{handle}"
            sources.append(Source(key, network, HASHTAGS, handle, conn))
        if network == "youtube" and terms and listening.youtube_search_per_day:
            sources.append(Source("youtube:search", "youtube", VIDEO_SEARCH, handle, conn))
    sources += [Source(f"feed:{url}", WEB, FEED, url=url) for url in listening.feeds]
    unique: dict[str, Source] = {}
    for source in sources:
        unique.setdefault(source.key, source)
    return list(unique.values())


def search_terms(listening: Listening) -> list[str]:
    """The keywords and hashtags, in configuration order, each once (hashtags with ``#``)."""
    terms = [*listening.keywords, *("#" + tag.lstrip("#") for tag in listening.hashtags)]
    return list(dict.fromkeys(term.strip() for term in terms if term.strip()))


def x_query(listening: Listening, own_handles: Sequence[str]) -> str:
    """X recent search: any term, in the configured languages, neither a retweet nor a post
    of the brand's own accounts."""
    terms = " OR ".join(f'"{t}"' if " " in t else t for t in search_terms(listening))
    parts = [f"({terms})"]
    if listening.languages:
        parts.append("(" + " OR ".join(f"lang:{lang}" for lang in listening.languages) + ")")
    parts.append("-is:retweet")
    parts += [f"-from:{handle.lstrip('@')}" for handle in own_handles]
    return " ".join(parts)


def matched_term(text: str, terms: Sequence[str]) -> str | None:
    """The first term ``text`` names (words whole, case and accents as written), or None."""
    folded = text.casefold()
    for term in terms:
        if re.search(r"(?<![\w#@])" + re.escape(term.casefold()) + r"(?!\w)", folded):
            return term
    return None


# -- reading ----------------------------------------------------------------------------------


@dataclass
class Context:
    """What a read needs besides the source: the configuration, the time, the adapter of the
    source's network (built on demand) and a fetcher of feeds."""

    config: BrandConfig
    now: datetime
    adapter: Callable[[], NetworkAdapter] | None = None
    fetch: Callable[..., Any] | None = None  # (url, headers, timeout) → requests.Response


def read(source: Source, position: Position, context: Context) -> Reading:
    """The new mentions of ``source`` since ``position``; network errors propagate (the
    position stays where it was, so nothing is lost)."""
    listening = context.config.listening
    since = position.since or context.now - listening.first_lookback
    if source.kind == FEED:
        found, extra, notes = _read_feed(source, position, context)
    else:
        if context.adapter is None:
            raise ValueError(f"source {source.key} needs its network's adapter")
        adapter = context.adapter()
        try:
            found, extra, notes = _READERS[source.kind](source, adapter, since, position, context)
        finally:
            adapter.close()
    handles = {a.handle.lstrip("@").casefold() for a in context.config.accounts}

    def by_the_brand(m: records.Mention) -> bool:
        # The network's word (the author's id is the account's), else a configured handle.
        return m.by_account or (m.author_handle or "").lstrip("@").casefold() in handles

    answered: dict[str, datetime] = {}
    for reply in (m for m in found if by_the_brand(m) and m.in_reply_to and m.created_at >= since):
        answered[reply.in_reply_to] = max(reply.created_at, answered.get(reply.in_reply_to, since))
    new, moved = advance([m for m in found if not by_the_brand(m)], position, since)
    terms = search_terms(listening)
    matched = {m.mention_id: matched_term(m.text, terms) for m in new}
    if source.kind == FEED:
        new = [m for m in new if matched[m.mention_id]]  # a feed is about anything
    return Reading(source, new, matched, replace(moved, extra=extra), notes, answered)


def advance(
    found: Iterable[records.Mention], position: Position, since: datetime
) -> tuple[list[records.Mention], Position]:
    """The mentions not read before (newer than the position, or at its time and not among
    its ids; each id once) and the position after them."""
    seen = set(position.seen) if position.since == since else set()
    new: dict[str, records.Mention] = {}
    for mention in found:
        at = mention.created_at
        if at < since or (at == since and mention.mention_id in seen):
            continue
        new.setdefault(mention.mention_id, mention)
    ordered = sorted(new.values(), key=lambda m: (m.created_at, m.mention_id))
    if not ordered:
        return [], Position(since, tuple(sorted(seen)), position.extra)
    newest = ordered[-1].created_at
    at_newest = {m.mention_id for m in ordered if m.created_at == newest}
    if newest == since:
        at_newest |= seen
    return ordered, Position(newest, tuple(sorted(at_newest)), position.extra)


def _read_search(source, adapter, since, position, context):
    query = x_query(context.config.listening, [a.handle for a in context.config.owned("x")])
    return adapter.mentions(query, since), position.extra, []


def _read_comments(source, adapter, since, position, context):
    posts_since = context.now - context.config.listening.comments_on_posts_of_last
    posts = adapter.recent_posts(source.account, posts_since)
    if not posts:
        return [], position.extra, [f"no post of {source.account} since {posts_since}"]
    return adapter.comments([p.post_id for p in posts], since), position.extra, []


def _read_tagged(source, adapter, since, position, context):
    return adapter.mentions("", since), position.extra, []


def _read_video_search(source, adapter, since, position, context):
    """One search per term and run, within the day's budget (the day of YouTube's quota,
    which resets at midnight Pacific time)."""
    from zoneinfo import ZoneInfo

    budget = context.config.listening.youtube_search_per_day
    today = context.now.astimezone(ZoneInfo("America/Los_Angeles")).date().isoformat()
    spent = position.extra.get("searches", 0) if position.extra.get("day") == today else 0
    found: list[records.Mention] = []
    notes = []
    for term in search_terms(context.config.listening):
        if spent >= budget:
            notes.append(f"YouTube search budget of {budget} a day spent: {term!r} waits")
            break
        spent += 1
        found += adapter.search(term, since)
    return found, {**position.extra, "day": today, "searches": spent}, notes


def hashtag_plan(
    hashtags: Sequence[str],
    searched: dict[str, str],
    now: datetime,
    *,
    limit: int = INSTAGRAM_HASHTAG_LIMIT,
    window: timedelta = INSTAGRAM_HASHTAG_WINDOW,
) -> tuple[list[str], list[str], dict[str, str]]:
    """Which configured hashtags Instagram lets us search now: (searched this run, waiting,
    the first-search times to keep). ``searched`` maps a hashtag to when it was first
    searched in the current window; a hashtag searched within the last 7 days is free
    again, a new one takes one of the 30 places, in configuration order; the rest waits
    for a place to free up (7 days after its first search)."""
    kept = {tag: at for tag, at in searched.items() if now - datetime.fromisoformat(at) < window}
    planned, waiting = [], []
    for tag in dict.fromkeys(t.lstrip("#").casefold() for t in hashtags):
        if tag in kept:
            planned.append(tag)
        elif len(kept) < limit:
            kept[tag] = now.isoformat()
            planned.append(tag)
        else:
            waiting.append(tag)
    return planned, waiting, kept


def _read_hashtags(source, adapter, since, position, context):
    """Instagram hashtag search within its 30-hashtags-per-7-days limit (the plan is logged)."""
    planned, waiting, kept = hashtag_plan(
        context.config.listening.hashtags, position.extra.get("searched", {}), context.now
    )
    notes = [f"Instagram hashtags searched: {', '.join(planned) or 'none'}"]
    if waiting:
        notes.append(
            f"Instagram allows 30 hashtags a week: {', '.join(waiting)} wait for a free place"
        )
    found = [m for tag in planned for m in adapter.hashtag_media(tag, since)]
    return found, {**position.extra, "searched": kept}, notes


_READERS = {
    HASHTAGS: _read_hashtags,
    SEARCH: _read_search,
    COMMENTS: _read_comments,
    TAGGED: _read_tagged,
    VIDEO_SEARCH: _read_video_search,
}


# -- feeds --------------------------------------------------------------------------------


class FeedError(Exception):
    """A feed could not be read (unreachable, timed out, not a feed)."""


def _read_feed(source: Source, position: Position, context: Context):
    """A conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the last answer);
    304 means nothing new. The entries are parsed with feedparser."""
    import feedparser
    import requests

    fetch = context.fetch or _http_get
    extra = dict(position.extra)
    headers = {"User-Agent": "socialops-listening"}
    if extra.get("etag"):
        headers["If-None-Match"] = extra["etag"]
    if extra.get("modified"):
        headers["If-Modified-Since"] = extra["modified"]
    try:
        response = fetch(source.url, headers=headers, timeout=FEED_TIMEOUT)
    except requests.Timeout as exc:
        raise FeedError(f"feed {source.url} did not answer within {FEED_TIMEOUT:.0f} s") from exc
    except requests.RequestException as exc:
        raise FeedError(f"feed {source.url} unreachable: {exc}") from exc
    if response.status_code == 304:
        return [], extra, [f"feed {source.url} unchanged (304)"]
    if response.status_code >= 400:
        raise FeedError(f"feed {source.url} answered HTTP {response.status_code}")
    parsed = feedparser.parse(response.content)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"feed {source.url} is not a valid RSS/Atom feed: {parsed.bozo_exception}")
    known = list(extra.get("ids") or [])
    mentions = [
        m for m in (_entry(source.url, entry, context.now) for entry in parsed.entries) if m
    ]
    fresh = [m for m in mentions if m.mention_id not in set(known)]
    extra["ids"] = (known + [m.mention_id for m in fresh])[-FEED_IDS_KEPT:]
    for header, name in (("ETag", "etag"), ("Last-Modified", "modified")):
        if response.headers.get(header):
            extra[name] = response.headers[header]
    return fresh, extra, []


def _entry(url: str, entry: Any, now: datetime) -> records.Mention | None:
    entry_id = entry.get("id") or entry.get("link")
    if not entry_id:
        return None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    created = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else now
    title, summary = entry.get("title", ""), _plain(entry.get("summary", ""))
    return records.Mention(
        network=WEB,
        mention_id=str(entry_id)[:500],
        author_id=url,
        author_handle=entry.get("author"),
        text=f"{title}\n{summary}".strip(),
        created_at=min(created, now),
        url=entry.get("link"),
    )


def _plain(html_text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_text)).strip()


def _http_get(url: str, *, headers: dict[str, str], timeout: float):
    import requests

    return requests.get(url, headers=headers, timeout=timeout)


__all__ = [
    "FEED",
    "WEB",
    "Context",
    "FeedError",
    "Position",
    "Reading",
    "Source",
    "advance",
    "matched_term",
    "plan",
    "read",
    "search_terms",
    "x_query",
]
