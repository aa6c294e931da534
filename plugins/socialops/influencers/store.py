"""What the influencer scoring reads from and writes to the warehouse.

Reads: the authors of the brand's recent mentions (candidates, with how often and how
negatively they named the brand) and the previous scores (follower jumps, new entrants).
Writes: ``influencer_scores``, one row per candidate and day (an upsert: a rerun of the day
rewrites nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select

from socialops.warehouse.engine import transaction
from socialops.warehouse.models import InfluencerScore, Mention
from socialops.warehouse.upsert import UpsertResult, upsert


def mention_authors(
    connection: Engine | Connection, network: str, since: date
) -> dict[str, dict[str, Any]]:
    """Casefolded handle → ``{handle, brand_mentions, negative_brand_mentions}`` of the
    authors of the network's mentions since ``since``."""
    negative = func.sum(case((Mention.sentiment_label == "negative", 1), else_=0))
    query = (
        select(Mention.author_handle, func.count(), negative)
        .where(
            Mention.network == network,
            Mention.kind == "mention",
            Mention.author_handle.is_not(None),
            Mention.created_at >= datetime.combine(since, time(), tzinfo=UTC),
        )
        .group_by(Mention.author_handle)
    )
    with transaction(connection) as conn:
        rows = conn.execute(query).all()
    found: dict[str, dict[str, Any]] = {}
    for handle, count, negatives in rows:
        entry = found.setdefault(
            handle.lstrip("@").casefold(),
            {"handle": handle.lstrip("@"), "brand_mentions": 0, "negative_brand_mentions": 0},
        )
        entry["brand_mentions"] += int(count)
        entry["negative_brand_mentions"] += int(negatives or 0)
    return found


def previous_scores(
    connection: Engine | Connection, network: str | None, before: date
) -> dict[tuple[str, str], dict[str, Any]]:
    """(network, account_id) → the latest score row before ``before``."""
    latest = (
        select(
            InfluencerScore.network,
            InfluencerScore.account_id,
            func.max(InfluencerScore.day).label("day"),
        )
        .where(InfluencerScore.day < before)
        .group_by(InfluencerScore.network, InfluencerScore.account_id)
    )
    if network:
        latest = latest.where(InfluencerScore.network == network)
    latest = latest.subquery()
    query = select(InfluencerScore.__table__).join(
        latest,
        (latest.c.network == InfluencerScore.network)
        & (latest.c.account_id == InfluencerScore.account_id)
        & (latest.c.day == InfluencerScore.day),
    )
    with transaction(connection) as conn:
        rows = conn.execute(query).mappings().all()
    return {(r["network"], r["account_id"]): dict(r) for r in rows}


def scores_of(connection: Engine | Connection, day: date) -> list[dict[str, Any]]:
    """The day's scores, best first."""
    query = (
        select(InfluencerScore.__table__)
        .where(InfluencerScore.day == day)
        .order_by(InfluencerScore.score.desc(), InfluencerScore.handle)
    )
    with transaction(connection) as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def save_scores(connection: Connection, rows: Sequence[dict[str, Any]]) -> UpsertResult:
    return upsert(connection, InfluencerScore, list(rows))
