"""The competitor watch: one network's public figures of the day, then the moves worth knowing.

:class:`NetworkWatch` reads a network's competitor accounts for one day:

1. the accounts recorded as unreadable until after the day are skipped (their reason was
   told once, :mod:`socialops.warehouse.unreadable`);
2. one batched lookup (:meth:`NetworkAdapter.lookup_profiles`) by the ids already known,
   else by handle; an account not returned is recorded unreadable with the reason and
   announced; an account found under a new handle is announced as renamed (its history is
   keyed by its id, so it is kept);
3. the posts of the window with their public engagement (:meth:`public_posts`); posts that
   the network does not show are recorded and announced the same way, the profile figures
   are still kept;
4. one transaction: accounts, snapshots, posts (upserts: a rerun writes nothing), the
   unreadable rows and their notices.

A network that fails (down, rate limited, token refused) raises: the task fails and Airflow
retries it; the other networks' tasks go on.

:func:`announce_moves` computes the moves of the day over the warehouse (pure analytics of
:mod:`socialops.analytics.competitors`) and writes the new ones in one grouped notice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from socialops.competitors import messages, store
from socialops.competitors.messages import UnreadableAccount
from socialops.networks import records
from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import InvalidRequest, NotSupported
from socialops.notifications.catalogue import Reader
from socialops.notifications.outbox import Notice, add_notice
from socialops.visibility import reason_code
from socialops.warehouse.engine import session_scope
from socialops.warehouse.unreadable import clear_unreadable, mark_unreadable, unreadable

log = logging.getLogger(__name__)

PURPOSE = "competitor"
POSTS_PURPOSE = "competitor_posts"


@dataclass(frozen=True)
class WatchTarget:
    """A competitor account of the configuration."""

    owner: str
    network: str
    handle: str

    @property
    def key(self) -> str:
        return self.handle.lstrip("@").casefold()


def targets_from_config(config: Any, network: str) -> list[WatchTarget]:
    return [
        WatchTarget(competitor.name, account.network, account.handle)
        for competitor in config.competitors
        for account in competitor.accounts
        if account.network == network
    ]


def window_start(day: date, window_days: int, timezone: str) -> datetime:
    """The first instant of the window of ``window_days`` brand-local days ending ``day``."""
    first = day - timedelta(days=window_days - 1)
    return datetime.combine(first, time(), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


@dataclass
class WatchResult:
    network: str
    day: date
    watched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unreadable, not tried today
    unreadable: list[UnreadableAccount] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    loaded: dict[str, dict[str, int]] = field(default_factory=dict)
    notices: int = 0
    api_calls: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "day": self.day.isoformat(),
            "watched": self.watched,
            "skipped": self.skipped,
            "unreadable": [f"{u.handle}: {u.detail}" for u in self.unreadable],
            "renamed": [f"{old} -> {new}" for old, new in self.renamed],
            "loaded": self.loaded,
            "slack_messages": self.notices,
            "api_calls": self.api_calls,
            "api_calls_total": sum(self.api_calls.values()),
        }


class NetworkWatch:
    """One network's competitor accounts on one day (see the module docstring)."""

    def __init__(
        self,
        adapter: NetworkAdapter,
        engine: Engine,
        *,
        reader: Reader,
        channel: str,
        window_days: int,
        retry_days: int,
    ):
        self.adapter, self.engine = adapter, engine
        self.reader, self.channel = reader, channel
        self.window_days, self.retry_days = window_days, retry_days

    def run(self, targets: Sequence[WatchTarget], day: date) -> WatchResult:
        network = self.adapter.network
        result = WatchResult(network, day)
        skipped = unreadable(self.engine, PURPOSE, network, day)
        skipped_posts = unreadable(self.engine, POSTS_PURPOSE, network, day)
        wanted = [t for t in targets if t.key not in skipped]
        result.skipped = [t.handle for t in targets if t.key in skipped]
        retry_on = day + timedelta(days=self.retry_days)
        if not wanted:
            return result
        ids = store.known_ids(self.engine, network)
        try:
            lookup = self.adapter.lookup_profiles([ids.get(t.key, t.handle) for t in wanted])
        except NotSupported as exc:
            lookup = records.ProfileLookup(unreadable={t.handle: str(exc) for t in wanted})
            ids = {}
        found = {p.account_id: p for p in lookup.found}
        by_handle = {p.handle.casefold(): p for p in lookup.found}
        since = window_start(day, self.window_days, self.reader.timezone)
        accounts, snapshots, posts = [], [], []
        recorded: list[UnreadableAccount] = []
        readable: list[WatchTarget] = []
        posts_read: list[WatchTarget] = []  # their posts listed: not (or no longer) hidden
        renamed: list[tuple[WatchTarget, records.Profile]] = []
        for target in wanted:
            profile = found.get(ids.get(target.key, "")) or by_handle.get(target.key)
            if profile is None:
                detail = _reason_for(lookup, target, ids) or "not returned by the network"
                recorded.append(self._unreadable(target, detail, retry_on))
                continue
            readable.append(target)
            if profile.handle.casefold() != target.key:
                renamed.append((target, profile))
            window: list[records.PublicPost] | None = None
            if target.key not in skipped_posts:
                try:
                    window = self.adapter.public_posts(profile.account_id, since)
                    posts_read.append(target)
                except (NotSupported, InvalidRequest) as exc:
                    recorded.append(self._unreadable(target, str(exc), retry_on, posts_only=True))
            accounts.append(_account_row(target, profile))
            snapshots.append(_snapshot_row(target, profile, day, window))
            posts += [_post_row(target, profile, post, day) for post in window or ()]
            result.watched.append(target.handle)
        with session_scope(self.engine) as session:
            connection = session.connection()
            loaded = store.save_watch(connection, accounts, snapshots, posts)
            for target in readable:
                clear_unreadable(connection, PURPOSE, network, target.handle)
            for target in posts_read:
                clear_unreadable(connection, POSTS_PURPOSE, network, target.handle)
            for item in recorded:
                purpose = POSTS_PURPOSE if item.posts else PURPOSE
                is_new = mark_unreadable(
                    connection, purpose, network, item.handle, item.detail, day, retry_on
                )
                if is_new:
                    key = f"competitor_watch:unreadable:{purpose}:{network}:{item.handle}:{day}"
                    message = messages.unreadable(self.reader, item)
                    result.notices += add_notice(session, Notice.of(key, self.channel, message))
            for target, profile in renamed:
                key = f"competitor_watch:renamed:{network}:{profile.account_id}:{profile.handle}"
                message = messages.renamed(
                    self.reader, network, target.owner, target.handle, profile.handle
                )
                result.notices += add_notice(session, Notice.of(key, self.channel, message))
        for item in recorded:
            log.warning("%s %s cannot be read: %s", network, item.handle, item.detail)
        result.unreadable = recorded
        result.renamed = [(t.handle, p.handle) for t, p in renamed]
        result.loaded = {
            name: {"inserted": r.inserted, "updated": r.updated, "unchanged": r.unchanged}
            for name, r in loaded.items()
        }
        result.api_calls = dict(self.adapter.api_calls)
        return result

    def _unreadable(
        self, target: WatchTarget, detail: str, retry_on: date, *, posts_only: bool = False
    ) -> UnreadableAccount:
        return UnreadableAccount(
            network=target.network,
            handle=target.handle,
            owner=target.owner,
            code=reason_code(detail),
            detail=detail,
            retry_on=retry_on,
            posts=posts_only,
        )


def _reason_for(
    lookup: records.ProfileLookup, target: WatchTarget, ids: dict[str, str]
) -> str | None:
    asked = {target.key, ids.get(target.key, "").casefold()}
    for ref, reason in lookup.unreadable.items():
        if ref.lstrip("@").casefold() in asked:
            return reason
    return None


def _account_row(target: WatchTarget, profile: records.Profile) -> dict[str, Any]:
    return {
        "network": target.network,
        "handle": target.handle,
        "external_id": profile.account_id,
        "role": store.COMPETITOR,
        "owner_name": target.owner,
        "display_name": profile.name,
    }


def _snapshot_row(
    target: WatchTarget,
    profile: records.Profile,
    day: date,
    window: list[records.PublicPost] | None,
) -> dict[str, Any]:
    engagements = [
        sum(v for v in (p.likes, p.comments, p.shares) if v is not None)
        for p in window or ()
        if any(v is not None for v in (p.likes, p.comments, p.shares))
    ]
    return {
        "network": target.network,
        "account_id": profile.account_id,
        "day": day,
        "handle": profile.handle,
        "owner_name": target.owner,
        "followers": profile.followers,
        "posts_count": profile.posts_count,
        "posts_in_window": None if window is None else len(window),
        "avg_engagement": sum(engagements) / len(engagements) if engagements else None,
    }


def _post_row(
    target: WatchTarget, profile: records.Profile, post: records.PublicPost, day: date
) -> dict[str, Any]:
    return {
        "network": post.network,
        "post_id": post.post_id,
        "account_id": profile.account_id,
        "handle": profile.handle,
        "owner_name": target.owner,
        "created_at": post.created_at,
        "kind": post.kind,
        "text": post.text,
        "url": post.url,
        "likes": post.likes,
        "comments": post.comments,
        "shares": post.shares,
        "views": post.views,
        "read_on": day,
    }


# -- moves worth knowing --------------------------------------------------------------------


def find_moves(config: Any, engine: Engine, day: date) -> dict[str, dict[str, Any]]:
    """The competitors' moves visible on ``day``, by fingerprint (see docs/competitors.md)."""
    from socialops.analytics import competitors as analytics

    watch = config.competitor_watch
    rules = watch.moves
    timezone = config.brand.timezone
    since = day - timedelta(days=watch.window_days - 1)
    brand = config.brand.name
    audience = store.audience(engine, since - timedelta(days=7), day, brand)
    posts = store.posts(engine, since - timedelta(days=1), day, brand)
    rivals = posts[posts["owner"] != brand] if not posts.empty else posts
    rival_audience = audience[audience["owner"] != brand] if not audience.empty else audience
    found: dict[str, dict[str, Any]] = {}
    viral = analytics.viral_posts(
        rivals,
        factor=rules.viral_factor,
        min_engagements=rules.viral_min_engagements,
        min_history=rules.min_history_posts,
    )
    for row in viral.to_dict("records"):
        key = f"competitor:viral_post:{row['network']}:{row['post_id']}"
        found[key] = _move("viral_post", row, ["url", "engagements", "usual", "multiple"])
    jumps = analytics.follower_jumps(
        rival_audience, day, pct=rules.follower_jump_pct, minimum=rules.follower_jump_min
    )
    for row in jumps.to_dict("records"):
        key = f"competitor:follower_jump:{row['network']}:{row['account_id']}:{day}"
        row["before_day"] = row["before_day"].isoformat()
        found[key] = _move(
            "follower_jump", row, ["before", "before_day", "after", "gain", "gain_pct"]
        )
    bursts = analytics.posting_bursts(
        rivals, day, timezone, factor=rules.burst_factor, min_posts=rules.burst_min_posts
    )
    week = day - timedelta(days=day.weekday())
    for row in bursts.to_dict("records"):
        key = f"competitor:posting_burst:{row['network']}:{row['account_id']}:{week}"
        found[key] = _move("posting_burst", row, ["recent", "usual"])
    return found


def _move(kind: str, row: dict[str, Any], values: Sequence[str]) -> dict[str, Any]:
    details = {
        "kind": kind,
        "owner": row["owner"],
        "network": row["network"],
        "account_id": str(row["account_id"]),
        "handle": row.get("handle"),
        **{name: _plain(row.get(name)) for name in values},
    }
    details["title"] = f"{kind} {row['network']} {row.get('handle')}"
    return details


def _plain(value: Any) -> Any:
    """A JSON-able value (numpy scalars to Python numbers)."""
    return value.item() if hasattr(value, "item") else value


def announce_moves(
    config: Any, engine: Engine, day: date, *, now: datetime, reader: Reader, channel: str
) -> dict[str, Any]:
    """The day's new moves in one notice, recorded as announced in the same transaction."""
    found = find_moves(config, engine, day)
    with session_scope(engine) as session:
        connection = session.connection()
        new = store.new_moves(connection, found)
        fresh = {key: found[key] for key in sorted(new)}
        queued = 0
        if fresh:
            order = {"viral_post": 0, "follower_jump": 1, "posting_burst": 2}
            listed = sorted(fresh.values(), key=lambda m: (order[m["kind"]], m["owner"]))
            message = messages.moves(reader, day, listed)
            digest = hashlib.sha256(",".join(sorted(fresh)).encode()).hexdigest()[:16]
            key = f"competitor_watch:moves:{day}:{digest}"
            queued = add_notice(session, Notice.of(key, channel, message))
            store.record_moves(connection, fresh, now)
    return {"day": day.isoformat(), "moves": sorted(fresh), "slack_messages": int(queued)}


# -- the benchmark of the weekly report -----------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    """The brand beside its competitors over a period (docs/kpis.md, "Competitors")."""

    weekly: Any  # analytics.competitors.weekly_benchmark
    formats: Any
    top_posts: Any
    share_of_voice: Any


def benchmark(config: Any, engine: Engine, since: date, until: date) -> Benchmark:
    """The tables a weekly report shows, from ``since`` to ``until`` (brand-local days
    included): what the reporting feature calls."""
    from socialops.analytics import competitors as analytics

    brand = config.brand.name
    audience = store.audience(engine, since - timedelta(days=7), until, brand)
    posts = store.posts(engine, since - timedelta(days=1), until + timedelta(days=1), brand)
    if not posts.empty:
        days = analytics.local_days(posts["created_at"], config.brand.timezone)
        posts = posts[(days >= since) & (days <= until)]
    weekly = analytics.weekly_benchmark(audience, posts, config.brand.timezone)
    if not weekly.empty:
        weekly = weekly[weekly["week"] >= since - timedelta(days=since.weekday())]
    mentions = store.mentions(engine, since - timedelta(days=1), until + timedelta(days=1))
    if not mentions.empty:  # brand-local days, as the posts
        days = analytics.local_days(mentions["created_at"], config.brand.timezone)
        mentions = mentions[(days >= since) & (days <= until)]
    voices = {brand: [*config.listening.keywords, brand]}
    voices |= {c.name: c.voice_keywords for c in config.competitors}
    return Benchmark(
        weekly=weekly.reset_index(drop=True),
        formats=analytics.formats(posts),
        top_posts=analytics.top_posts(posts),
        share_of_voice=analytics.share_of_voice(mentions, voices),
    )
