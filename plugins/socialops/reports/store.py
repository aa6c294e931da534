"""What the digest and the weekly report read from the warehouse (they write nothing but
the outbox). Frames have the columns of their tables, as the KPI functions expect them.

Owned accounts are the ``accounts`` rows of role ``owned`` (written by the nightly load);
their metrics, posts and post snapshots are read by (network, external id).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, select

from socialops.analytics.kpis import POST_COUNTERS
from socialops.warehouse.models import (
    Account,
    AccountMetricsDaily,
    Alert,
    CalendarEntry,
    Campaign,
    CampaignSpendDaily,
    Mention,
    Post,
    PostMetricsDaily,
    Publication,
)


def _frame(engine: Engine | Connection, query, columns: list[str]) -> pd.DataFrame:
    """``engine`` may be a connection, to read inside a caller's transaction."""
    if isinstance(engine, Connection):
        rows = engine.execute(query).all()
    else:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


def owned_accounts(engine: Engine | Connection) -> pd.DataFrame:
    """network, account_id (the network's id), handle of every owned account loaded."""
    query = select(Account.network, Account.external_id, Account.handle).where(
        Account.role == "owned", Account.external_id.is_not(None)
    )
    return _frame(engine, query, ["network", "account_id", "handle"])


def _owned(column_network, column_account):
    return (
        select(Account.id)
        .where(
            Account.role == "owned",
            Account.network == column_network,
            Account.external_id == column_account,
        )
        .exists()
    )


def account_metrics(engine: Engine, since: date, until: date) -> pd.DataFrame:
    """``account_metrics_daily`` of the owned accounts, days ``since``..``until``."""
    table = AccountMetricsDaily
    columns = ["network", "account_id", "day", "followers", "impressions", "reach"]
    query = select(*(getattr(table, c) for c in columns)).where(
        table.day.between(since, until), _owned(table.network, table.account_id)
    )
    return _frame(engine, query, columns)


def posts(engine: Engine | Connection, since: datetime, until: datetime) -> pd.DataFrame:
    """The owned accounts' posts created in [``since``, ``until``)."""
    columns = [
        "network",
        "external_id",
        "account_id",
        "account_handle",
        "created_at",
        "text",
        "url",
        "kind",
        "campaign_id",
    ]
    query = select(*(getattr(Post, c) for c in columns)).where(
        Post.created_at >= since,
        Post.created_at < until,
        _owned(Post.network, Post.account_id),
    )
    frame = _frame(engine, query, columns)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def post_metrics(
    engine: Engine | Connection, since: date, until: date, created_since: datetime
) -> pd.DataFrame:
    """Snapshots (days ``since``..``until``) of the owned posts created from ``created_since``."""
    table = PostMetricsDaily
    columns = ["network", "post_id", "day", *POST_COUNTERS]
    query = (
        select(*(getattr(table, c) for c in columns))
        .join(Post, and_(Post.network == table.network, Post.external_id == table.post_id))
        .where(
            table.day.between(since, until),
            Post.created_at >= created_since,
            _owned(Post.network, Post.account_id),
        )
    )
    return _frame(engine, query, columns)


def scheduled(engine: Engine, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Approved calendar entries planned in [``since``, ``until``), per network with their
    publication's state (``pending`` when none was made yet), in time order."""
    query = (
        select(
            CalendarEntry.entry_id,
            CalendarEntry.scheduled_at,
            CalendarEntry.networks,
            CalendarEntry.text,
            CalendarEntry.title,
            CalendarEntry.campaign,
        )
        .where(
            CalendarEntry.status == "approved",
            CalendarEntry.scheduled_at >= since,
            CalendarEntry.scheduled_at < until,
        )
        .order_by(CalendarEntry.scheduled_at, CalendarEntry.entry_id)
    )
    with engine.connect() as connection:
        entries = connection.execute(query).mappings().all()
        states = {
            (row.entry_id, row.network): (row.state, row.url)
            for row in connection.execute(
                select(
                    Publication.entry_id, Publication.network, Publication.state, Publication.url
                )
            )
        }
    found = []
    for entry in entries:
        for network in entry["networks"] or []:
            state, url = states.get((entry["entry_id"], network), ("pending", None))
            if state == "cancelled":
                continue
            found.append({**entry, "network": network, "state": state, "url": url})
    return found


def waiting_comments(engine: Engine, since: datetime, until: datetime) -> pd.DataFrame:
    """Comments on own posts in [``since``, ``until``) that no owned account answered on the
    same post afterwards, oldest first."""
    columns = [
        "network",
        "mention_id",
        "author_id",
        "author_handle",
        "text",
        "created_at",
        "in_reply_to",
        "url",
    ]
    query = select(*(getattr(Mention, c) for c in columns)).where(
        Mention.kind == "comment", Mention.created_at < until
    )
    comments = _frame(engine, query, columns)
    if comments.empty:
        return comments
    comments["created_at"] = pd.to_datetime(comments["created_at"], utc=True)
    owned = owned_accounts(engine)
    own_ids = set(zip(owned["network"], owned["account_id"], strict=True))
    is_own = [
        (n, a) in own_ids for n, a in zip(comments["network"], comments["author_id"], strict=True)
    ]
    ours = comments[is_own]
    theirs = comments[[not own for own in is_own]]
    last_answer = ours.groupby(["network", "in_reply_to"])["created_at"].max()
    answered = [
        (network, post) in last_answer.index and last_answer[(network, post)] > created
        for network, post, created in zip(
            theirs["network"], theirs["in_reply_to"], theirs["created_at"], strict=True
        )
    ]
    waiting = theirs[[not a for a in answered]]
    waiting = waiting[waiting["created_at"] >= pd.Timestamp(since)]
    return waiting.sort_values(["created_at", "mention_id"], ignore_index=True)


def listening_has_data(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.scalar(select(Mention.mention_id).limit(1)) is not None


def mentions(engine: Engine, since: datetime, until: datetime) -> pd.DataFrame:
    """Mentions and comments created in [``since``, ``until``) with their sentiment."""
    columns = ["network", "mention_id", "kind", "sentiment", "sentiment_label", "created_at"]
    query = select(*(getattr(Mention, c) for c in columns)).where(
        Mention.created_at >= since, Mention.created_at < until
    )
    return _frame(engine, query, columns)


def open_alerts(engine: Engine) -> list[dict[str, Any]]:
    """Open warnings and critical alerts, most severe then oldest first."""
    query = (
        select(
            Alert.id, Alert.kind, Alert.severity, Alert.title, Alert.first_seen_at, Alert.details
        )
        .where(Alert.state == "open", Alert.severity.in_(("warning", "critical")))
        .order_by(Alert.severity, Alert.first_seen_at, Alert.id)
    )
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def alerts_opened(engine: Engine, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Alerts (any state) first seen in [``since``, ``until``): the week's incidents."""
    query = (
        select(Alert.id, Alert.kind, Alert.severity, Alert.state, Alert.title, Alert.first_seen_at)
        .where(Alert.first_seen_at >= since, Alert.first_seen_at < until)
        .order_by(Alert.first_seen_at, Alert.id)
    )
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def campaigns(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(``campaigns``, ``campaign_spend_daily``) as the KPI functions read them."""
    declared = _frame(
        engine,
        select(
            Campaign.id,
            Campaign.name,
            Campaign.network,
            Campaign.budget,
            Campaign.currency,
            Campaign.start_date,
            Campaign.end_date,
        ),
        ["id", "name", "network", "budget", "currency", "start_date", "end_date"],
    )
    measures = ["spend", "impressions", "clicks", "conversions", "revenue"]
    spend = _frame(
        engine,
        select(
            CampaignSpendDaily.campaign_id,
            CampaignSpendDaily.day,
            *(getattr(CampaignSpendDaily, m) for m in measures),
        ),
        ["campaign_id", "day", *measures],
    )
    return declared, spend
