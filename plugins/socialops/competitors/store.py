"""What the competitor watch reads from and writes to the warehouse.

Writes are upserts (a rerun of a day rewrites nothing): ``accounts`` (role competitor),
``competitor_snapshots`` (one row per account and day), ``competitor_posts`` (one row per
post, rewritten when a counter changed) and ``alerts`` (the moves already announced); the
accounts a network does not show are kept by :mod:`socialops.warehouse.unreadable`.
Reads are the frames of :mod:`socialops.analytics.competitors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, select

from socialops.warehouse.engine import transaction
from socialops.warehouse.models import (
    Account,
    AccountMetricsDaily,
    Alert,
    CompetitorPost,
    CompetitorSnapshot,
    Mention,
    Post,
    PostMetricsDaily,
)
from socialops.warehouse.upsert import UpsertResult, upsert

COMPETITOR = "competitor"
MOVE = "competitor_move"
#: The columns whose change rewrites a competitor post (``read_on`` follows them).
POST_COMPARE = ["handle", "owner_name", "text", "url", "likes", "comments", "shares", "views"]


def known_ids(connection: Engine | Connection, network: str) -> dict[str, str]:
    """Casefolded handle → the network's id of the competitor accounts already resolved."""
    query = select(Account.handle, Account.external_id).where(
        Account.network == network, Account.role == COMPETITOR, Account.external_id.is_not(None)
    )
    with transaction(connection) as conn:
        return {handle.casefold(): external_id for handle, external_id in conn.execute(query)}


def save_watch(
    connection: Connection,
    accounts: list[dict[str, Any]],
    snapshots: list[dict[str, Any]],
    posts: list[dict[str, Any]],
) -> dict[str, UpsertResult]:
    """One network's day of watch, in the caller's transaction."""
    return {
        "accounts": upsert(connection, Account, accounts, key=["network", "handle"]),
        "competitor_snapshots": upsert(connection, CompetitorSnapshot, snapshots),
        "competitor_posts": upsert(connection, CompetitorPost, posts, compare=POST_COMPARE),
    }


# -- moves already announced ----------------------------------------------------------------


def new_moves(connection: Connection, keys: Iterable[str]) -> set[str]:
    """Which of the moves' fingerprints were never recorded."""
    wanted = set(keys)
    if not wanted:
        return set()
    known = connection.execute(select(Alert.fingerprint).where(Alert.fingerprint.in_(wanted)))
    return wanted - set(known.scalars())


def record_moves(
    connection: Connection, moves: Mapping[str, dict[str, Any]], when: datetime
) -> None:
    """Remember announced moves (``alerts`` of kind ``competitor_move``, resolved at once:
    a move is news, not a condition that lasts)."""
    rows = [
        {
            "fingerprint": key,
            "kind": MOVE,
            "severity": "info",
            "state": "resolved",
            "title": details.get("title", key),
            "details": details,
            "first_seen_at": when,
            "last_seen_at": when,
            "last_sent_at": when,
            "resolved_at": when,
            "occurrences": 1,
        }
        for key, details in moves.items()
    ]
    if rows:
        upsert(connection, Alert, rows, key=["fingerprint"], update=["last_seen_at"])


# -- the frames of the analytics -----------------------------------------------------------


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def audience(connection: Engine | Connection, since: date, until: date, brand: str) -> pd.DataFrame:
    """Followers per account and day, competitors (snapshots) and the brand (its nightly
    account metrics), from ``since`` to ``until`` included."""
    competitors = select(
        CompetitorSnapshot.owner_name.label("owner"),
        CompetitorSnapshot.network,
        CompetitorSnapshot.account_id,
        CompetitorSnapshot.handle,
        CompetitorSnapshot.day,
        CompetitorSnapshot.followers,
    ).where(CompetitorSnapshot.day.between(since, until))
    owned = (
        select(
            AccountMetricsDaily.network,
            AccountMetricsDaily.account_id,
            Account.handle,
            AccountMetricsDaily.day,
            AccountMetricsDaily.followers,
        )
        .join(
            Account,
            and_(
                Account.network == AccountMetricsDaily.network,
                Account.external_id == AccountMetricsDaily.account_id,
                Account.role == "owned",
            ),
        )
        .where(AccountMetricsDaily.day.between(since, until))
    )
    with transaction(connection) as conn:
        rivals = pd.DataFrame(conn.execute(competitors).mappings().all())
        own = pd.DataFrame(conn.execute(owned).mappings().all())
    if not own.empty:
        own.insert(0, "owner", brand)
    frames = [f for f in (own, rivals) if not f.empty]
    columns = ["owner", "network", "account_id", "handle", "day", "followers"]
    return (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )


def posts(connection: Engine | Connection, since: date, until: date, brand: str) -> pd.DataFrame:
    """Posts created from ``since`` to ``until`` (UTC days, inclusive) with their latest
    public counters: the competitors' and the brand's (its latest nightly snapshot)."""
    start, end = _start_of(since), _start_of(until + timedelta(days=1))
    competitors = select(
        CompetitorPost.owner_name.label("owner"),
        CompetitorPost.network,
        CompetitorPost.account_id,
        CompetitorPost.handle,
        CompetitorPost.post_id,
        CompetitorPost.created_at,
        CompetitorPost.kind,
        CompetitorPost.likes,
        CompetitorPost.comments,
        CompetitorPost.shares,
        CompetitorPost.views,
        CompetitorPost.url,
        CompetitorPost.text,
    ).where(CompetitorPost.created_at >= start, CompetitorPost.created_at < end)
    latest = (
        select(
            PostMetricsDaily.network,
            PostMetricsDaily.post_id,
            func.max(PostMetricsDaily.day).label("day"),
        )
        .group_by(PostMetricsDaily.network, PostMetricsDaily.post_id)
        .subquery()
    )
    owned = (
        select(
            Post.network,
            Post.account_id,
            Post.account_handle.label("handle"),
            Post.external_id.label("post_id"),
            Post.created_at,
            Post.kind,
            PostMetricsDaily.likes,
            PostMetricsDaily.comments,
            PostMetricsDaily.shares,
            PostMetricsDaily.video_views.label("views"),
            Post.url,
            Post.text,
        )
        .outerjoin(
            latest, and_(latest.c.network == Post.network, latest.c.post_id == Post.external_id)
        )
        .outerjoin(
            PostMetricsDaily,
            and_(
                PostMetricsDaily.network == latest.c.network,
                PostMetricsDaily.post_id == latest.c.post_id,
                PostMetricsDaily.day == latest.c.day,
            ),
        )
        .where(Post.created_at >= start, Post.created_at < end)
    )
    with transaction(connection) as conn:
        rivals = pd.DataFrame(conn.execute(competitors).mappings().all())
        own = pd.DataFrame(conn.execute(owned).mappings().all())
    if not own.empty:
        own.insert(0, "owner", brand)
    frames = [f for f in (own, rivals) if not f.empty]
    if not frames:
        return pd.DataFrame(
            columns=["owner", "network", "account_id", "handle", "post_id", "created_at",
                     "kind", "likes", "comments", "shares", "views", "url", "text"]
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def mentions(connection: Engine | Connection, since: date, until: date) -> pd.DataFrame:
    """Mentions (not comments) of the period, for the share of voice."""
    query = select(
        Mention.network, Mention.text, Mention.created_at, Mention.sentiment_label
    ).where(
        Mention.kind == "mention",
        Mention.created_at >= _start_of(since),
        Mention.created_at < _start_of(until + timedelta(days=1)),
    )
    with transaction(connection) as conn:
        rows = conn.execute(query).mappings().all()
    return pd.DataFrame(rows, columns=["network", "text", "created_at", "sentiment_label"])
