"""A brand's history in the warehouse, for the digest, the weekly report and their benchmark.

:func:`seed_history` writes what the nightly load would have written over ``days`` days:
owned ``accounts``, daily ``account_metrics_daily``, posts at brand-local times (evenings do
better, so the best-time advice has something to find) and their lifetime snapshots in
``post_metrics_daily`` every night while they are in a 7-day window. Deterministic (seeded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine

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
)
from socialops.warehouse.upsert import upsert

TIMEZONE = "Europe/Paris"
#: Networks whose API gives a post's reach (YouTube does not: its rate is by engagements).
WITHOUT_REACH = ("youtube",)
WINDOW_DAYS = 7
#: Brand-local posting hours and how well each does (a multiplier of engagements).
HOURS = {9: 0.8, 12: 1.0, 18: 1.5}


@dataclass(frozen=True)
class History:
    accounts: list[tuple[str, str, str]]  # network, account_id, handle
    first: date
    last: date
    posts: int


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(TIMEZONE)).astimezone(UTC)


def seed_history(
    engine: Engine,
    *,
    last: date,
    days: int = 84,
    networks: tuple[str, ...] = ("x", "instagram", "youtube"),
    accounts_per_network: int = 1,
    handle: str = "maisonlumiere",
    seed: int = 7,
) -> History:
    rng = np.random.default_rng(seed)
    first = last - timedelta(days=days - 1)
    accounts, account_rows, post_rows, metric_rows = [], [], [], []
    for network in networks:
        for index in range(accounts_per_network):
            account_id = f"{network}-{index + 1}"
            name = handle if index == 0 else f"{handle}{index + 1}"
            accounts.append((network, account_id, name))
            account_rows.append(
                {"network": network, "handle": name, "external_id": account_id, "role": "owned"}
            )
            followers = 5000.0 + 1000 * index
            for offset in range(days):
                day = first + timedelta(days=offset)
                followers += rng.integers(0, 25)
                metric_rows.append(
                    {
                        "network": network,
                        "account_id": account_id,
                        "day": day,
                        "account_handle": name,
                        "followers": int(followers),
                    }
                )
    snapshot_rows, post_count = [], 0
    for network, account_id, name in accounts:
        for offset in range(days):
            day = first + timedelta(days=offset)
            if rng.random() < 0.35:
                continue  # not every day has a post
            hour = list(HOURS)[int(rng.integers(0, len(HOURS)))]
            created = _local(day, hour, int(rng.integers(0, 50)))
            post_id = f"{account_id}-p{offset}"
            post_count += 1
            post_rows.append(
                {
                    "network": network,
                    "external_id": post_id,
                    "account_id": account_id,
                    "account_handle": name,
                    "created_at": created,
                    "text": f"Post {offset} de {name}",
                    "url": f"https://{network}.example/{name}/{post_id}",
                    "kind": "post",
                }
            )
            reach_total = float(rng.integers(800, 1500))
            rate = 0.03 * HOURS[hour] * float(rng.uniform(0.8, 1.2))
            for age in range(WINDOW_DAYS):
                seen = day + timedelta(days=age)
                if seen > last:
                    break
                share = 1 - 0.5 ** (age + 1)  # counters grow and level off
                reach = int(reach_total * share)
                likes = int(reach * rate * 0.8)
                snapshot_rows.append(
                    {
                        "network": network,
                        "post_id": post_id,
                        "day": seen,
                        "impressions": int(reach * 1.3),
                        "reach": None if network in WITHOUT_REACH else reach,
                        "likes": likes,
                        "comments": int(reach * rate * 0.1),
                        "shares": int(reach * rate * 0.1),
                        "saves": 0,
                    }
                )
    with engine.begin() as connection:
        upsert(connection, Account, account_rows, key=["network", "handle"])
        upsert(connection, AccountMetricsDaily, metric_rows)
        upsert(connection, Post, post_rows)
        upsert(connection, PostMetricsDaily, snapshot_rows)
    return History(accounts, first, last, post_count)


def seed_today(engine: Engine, today: date, *, text: str = "Nouvelle bougie") -> None:
    """What the digest's other parts read: today's calendar, an open alert, a comment
    waiting for a reply, a live campaign with spend."""
    now = _local(today, 7)
    with engine.begin() as connection:
        upsert(
            connection,
            CalendarEntry,
            [
                {
                    "entry_id": "today-1",
                    "scheduled_at": _local(today, 18, 30),
                    "networks": ["x", "instagram"],
                    "text": text,
                    "status": "approved",
                    "content_hash": "h1",
                }
            ],
        )
        upsert(
            connection,
            Alert,
            [
                {
                    "fingerprint": "crisis:1",
                    "kind": "crisis",
                    "severity": "critical",
                    "state": "open",
                    "title": f"Négatif en hausse: {text}",
                    "first_seen_at": now - timedelta(hours=3),
                    "last_seen_at": now,
                }
            ],
            key=["fingerprint"],
        )
        upsert(
            connection,
            Mention,
            [
                {
                    "network": "x",
                    "mention_id": "c1",
                    "kind": "comment",
                    "author_id": "fan-1",
                    "author_handle": "fan_1",
                    "text": text,
                    "created_at": now - timedelta(hours=10),
                    "in_reply_to": "x-1-p1",
                    "url": "https://x.example/fan_1/c1",
                }
            ],
        )
        upsert(
            connection,
            Campaign,
            [
                {
                    "id": "noel",
                    "name": "Noël",
                    "network": "instagram",
                    "budget": 1000,
                    "currency": "EUR",
                    "start_date": today - timedelta(days=9),
                    "end_date": today + timedelta(days=10),
                }
            ],
        )
        upsert(
            connection,
            CampaignSpendDaily,
            [
                {
                    "campaign_id": "noel",
                    "day": today - timedelta(days=d),
                    "spend": 60,
                    "impressions": 10000,
                    "clicks": 200,
                    "conversions": 10,
                    "revenue": 240,
                    "source": "csv",
                }
                for d in range(1, 10)
            ],
        )
