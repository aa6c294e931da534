"""The work behind the digest and the weekly report: read the warehouse, compute with the KPI
functions (:mod:`socialops.analytics.kpis`, the same formulas as the SQL views), and hand
plain values to :mod:`.messages` and :mod:`.weekly`.

Every figure comes from :func:`~socialops.analytics.kpis.account_daily` and
:func:`~socialops.analytics.kpis.rollup` (followers, growth, reach, engagement rate),
:func:`~socialops.analytics.kpis.daily_increments` (a post's day),
:func:`~socialops.analytics.kpis.campaign_summary` (budgets): no second computation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from socialops.analytics import kpis
from socialops.metrics.window import local_midnight
from socialops.reports import best_time, store

#: How far back the digest reads posts whose snapshots make a day's engagements (the
#: longest lookback window of the registry is 28 days).
POST_HISTORY_DAYS = 40
#: Weeks of the brand's posts behind the best slots.
BEST_TIME_WEEKS = 12
#: At most this many lines per list in the digest (the rest is counted).
LIST_LIMIT = 10


@dataclass(frozen=True)
class Figures:
    """A network's (or a brand's) audience and activity over a day or a week."""

    followers: float | None
    net_new_followers: float | None
    follower_growth_pct: float | None
    reach: float | None
    engagements: float | None
    engagement_rate_pct: float | None
    posts: int = 0

    @classmethod
    def of(cls, row: pd.Series | dict | None) -> Figures | None:
        if row is None:
            return None
        get = row.get

        def known(name: str) -> float | None:
            value = get(name)
            return None if value is None or pd.isna(value) else float(value)

        return cls(
            followers=known("followers"),
            net_new_followers=known("net_new_followers"),
            follower_growth_pct=known("follower_growth_pct"),
            reach=known("reach"),
            engagements=known("engagements"),
            engagement_rate_pct=known("engagement_rate_reach_pct"),
            posts=int(get("posts_published") or 0),
        )


@dataclass(frozen=True)
class NetworkDay:
    network: str
    day: Figures
    day_before: Figures | None
    week_before: Figures | None


@dataclass(frozen=True)
class CampaignBurn:
    campaign_id: str
    name: str
    currency: str
    budget: float | None
    spent: float
    planned: float | None  # what an even spend over the campaign's days would be by now
    roas: float | None


@dataclass
class Digest:
    """Everything the morning digest of ``today`` says (about the brand-local ``day``)."""

    today: date
    day: date
    networks: list[NetworkDay] = field(default_factory=list)
    missing_networks: list[str] = field(default_factory=list)
    best_post: dict[str, Any] | None = None
    scheduled: list[dict[str, Any]] = field(default_factory=list)
    #: None: listening stores nothing yet (not configured).
    comments: list[dict[str, Any]] | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[CampaignBurn] = field(default_factory=list)
    slots: list[best_time.Slot] = field(default_factory=list)
    handles: dict[tuple[str, str], str] = field(default_factory=dict)


def local_range(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """[midnight of ``first``, midnight after ``last``) in ``timezone``, as UTC instants."""
    return local_midnight(first, timezone), local_midnight(last + timedelta(days=1), timezone)


def daily_figures(
    engine: Engine, first: date, last: date, timezone: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(:func:`kpis.account_daily` of the owned accounts for ``first``..``last``, the posts
    and the post snapshots it was computed from)."""
    since, until = local_range(first, last, timezone)
    history = since - timedelta(days=POST_HISTORY_DAYS)
    accounts = store.account_metrics(engine, first - timedelta(days=1), last)
    posts = store.posts(engine, history, until)
    snapshots = store.post_metrics(engine, first - timedelta(days=1), last, history)
    daily = kpis.account_daily(accounts, snapshots, posts, timezone=timezone)
    daily = daily[daily["day"] >= pd.Timestamp(first)]
    return daily, posts, snapshots


def _by_network_day(daily: pd.DataFrame) -> dict[tuple[str, date], pd.Series]:
    if daily.empty:
        return {}
    rolled = kpis.rollup(daily, ["network", "day"])
    return {(row["network"], row["day"].date()): row for _, row in rolled.iterrows()}


def best_post_of(
    snapshots: pd.DataFrame, posts: pd.DataFrame, day: date, timezone: str
) -> dict[str, Any] | None:
    """The owned post that gained the most engagements on ``day`` (its increment)."""
    if snapshots.empty:
        return None
    increments = kpis.daily_increments(snapshots, posts, timezone=timezone)
    of_day = increments[(increments["day"] == pd.Timestamp(day)) & increments["engagements"].gt(0)]
    if of_day.empty:
        return None
    best = of_day.sort_values(["engagements", "post_id"], ascending=[False, True]).iloc[0]
    info = posts[
        (posts["network"] == best["network"]) & (posts["external_id"] == best["post_id"])
    ].iloc[0]
    reach = best.get("reach")
    return {
        "network": best["network"],
        "post_id": best["post_id"],
        "engagements": float(best["engagements"]),
        "reach": None if reach is None or pd.isna(reach) else float(reach),
        "url": info["url"],
        "text": info["text"] or "",
        "handle": info["account_handle"],
    }


def campaign_burn(engine: Engine, day: date) -> list[CampaignBurn]:
    """Campaigns live on ``day``: spent so far against an even spend of the budget."""
    declared, spend = store.campaigns(engine)
    if declared.empty:
        return []
    live = declared[
        (pd.to_datetime(declared["start_date"]) <= pd.Timestamp(day))
        & (pd.to_datetime(declared["end_date"]) >= pd.Timestamp(day))
    ]
    if live.empty:
        return []
    summary = kpis.campaign_summary(spend, live, through=day).set_index("campaign_id")
    burns = []
    for campaign in live.itertuples(index=False):
        row = summary.loc[campaign.id]
        budget = None if pd.isna(row["budget"]) else float(row["budget"])
        days = (campaign.end_date - campaign.start_date).days + 1
        elapsed = (day - campaign.start_date).days + 1
        burns.append(
            CampaignBurn(
                campaign_id=campaign.id,
                name=campaign.name,
                currency=campaign.currency or "EUR",
                budget=budget,
                spent=float(row["budget_consumed"]),
                planned=None if budget is None else budget * elapsed / days,
                roas=None if pd.isna(row["roas"]) else float(row["roas"]),
            )
        )
    return sorted(burns, key=lambda burn: burn.campaign_id)


def slots_for_week(
    engine: Engine | Connection, monday: date, timezone: str
) -> tuple[list[best_time.Slot], pd.DataFrame]:
    """The best slots of the week starting ``monday``, from the :data:`BEST_TIME_WEEKS`
    weeks before it (so the digest's advice is the same every day of the week), and the
    slot scores (for a heatmap)."""
    first = monday - timedelta(weeks=BEST_TIME_WEEKS)
    last = monday - timedelta(days=1)
    since, until = local_range(first, last, timezone)
    posts = store.posts(engine, since, until)
    snapshots = store.post_metrics(engine, first, last, since)
    lifts = best_time.post_lifts(snapshots, posts, timezone=timezone)
    scores = best_time.slot_scores(lifts)
    return best_time.best_slots(scores, lifts), scores


def build_digest(engine: Engine, config: Any, today: date) -> Digest:
    """The digest of ``today`` (brand-local): yesterday's figures and what is ahead."""
    timezone = config.brand.timezone
    day = today - timedelta(days=1)
    digest = Digest(today=today, day=day)
    daily, posts, snapshots = daily_figures(engine, day - timedelta(days=7), day, timezone)
    rows = _by_network_day(daily)
    for network in config.networks:
        current = Figures.of(rows.get((network, day)))
        if current is None:
            digest.missing_networks.append(network)
            continue
        digest.networks.append(
            NetworkDay(
                network,
                current,
                Figures.of(rows.get((network, day - timedelta(days=1)))),
                Figures.of(rows.get((network, day - timedelta(days=7)))),
            )
        )
    digest.best_post = best_post_of(snapshots, posts, day, timezone)
    since, until = local_range(today, today, timezone)
    digest.scheduled = store.scheduled(engine, since, until)
    if store.listening_has_data(engine):
        waiting = store.waiting_comments(engine, since - timedelta(days=7), until)
        digest.comments = waiting.to_dict("records")
    digest.alerts = store.open_alerts(engine)
    digest.campaigns = campaign_burn(engine, day)
    monday = today - timedelta(days=today.weekday())
    digest.slots, _ = slots_for_week(engine, monday, timezone)
    owned = store.owned_accounts(engine)
    digest.handles = {
        (n, a): h
        for n, a, h in zip(owned["network"], owned["account_id"], owned["handle"], strict=True)
    }
    return digest


def change(current: float | None, previous: float | None) -> float | None:
    """The relative change from ``previous`` to ``current`` (0.12 = +12 %); None when either
    is unknown or ``previous`` is 0."""
    if current is None or previous is None or previous == 0 or math.isnan(previous):
        return None
    return (current - previous) / previous
