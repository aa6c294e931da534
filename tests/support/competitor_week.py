"""A week of competitor figures in the warehouse, for the weekly report's benchmark and
share of voice: two competitors of the sample configuration on X and Instagram (snapshots
from the Sunday before the week to the Monday after), their posts (one with hidden counters,
one on each side of Sunday midnight in Paris) and mentions (a comment and next Monday's
mention, which do not count)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socialops.reports import weekly
from socialops.warehouse.models import CompetitorPost, CompetitorSnapshot, Mention
from socialops.warehouse.upsert import upsert

WEEK = weekly.parse_week("2026-W47")  # Monday 16 to Sunday 22 November 2026
SOLEIL, CIRE = "Bougies Soleil", "Atelier Cire"  # the sample configuration's competitors


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A UTC instant, ``day_offset`` days after the week's Monday."""
    day = WEEK.monday + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def seed_competitors(engine) -> None:
    snapshots = []
    accounts = [(SOLEIL, "x", "bs-x", "bougiessoleil", 8000, 100),
                (SOLEIL, "instagram", "bs-ig", "bougiessoleil", 12000, -20),
                (CIRE, "x", "ac-x", "ateliercire", 3000, 10)]  # fmt: skip
    for owner, network, account_id, handle, start, daily in accounts:
        # the Sunday before the week (growth's base) to the Monday after (not this week)
        for offset in range(-1, 8):
            snapshots.append(
                {
                    "network": network,
                    "account_id": account_id,
                    "handle": handle,
                    "owner_name": owner,
                    "day": WEEK.monday + timedelta(days=offset),
                    "followers": start + daily * (offset + 1),
                }
            )
    upsert(engine, CompetitorSnapshot, snapshots)
    post = {"network": "x", "account_id": "bs-x", "handle": "bougiessoleil", "owner_name": SOLEIL,
            "kind": "post", "read_on": WEEK.sunday + timedelta(days=1)}  # fmt: skip
    upsert(
        engine,
        CompetitorPost,
        [
            {**post, "post_id": "s1", "created_at": at(0, 9), "likes": 120, "comments": 10,
             "shares": 5},
            {**post, "post_id": "s2", "created_at": at(3, 17), "likes": 40, "comments": 2,
             "shares": None, "kind": "video"},
            # 23:30 UTC on Sunday is Monday 00:30 in Paris: next week's post
            {**post, "post_id": "s3", "created_at": at(6, 23, 30), "likes": 999, "comments": 0,
             "shares": 0},
            # 22:30 UTC on Sunday is 23:30 in Paris: this week's
            {**post, "post_id": "s4", "created_at": at(6, 22, 30), "likes": 7, "comments": 1,
             "shares": 0},
            {**post, "network": "instagram", "account_id": "bs-ig", "post_id": "i1",
             "created_at": at(2, 11), "likes": 300, "comments": 25, "shares": None},
            # counters hidden: a post, engagement unknown
            {**post, "account_id": "ac-x", "handle": "ateliercire", "owner_name": CIRE,
             "post_id": "c1", "created_at": at(4, 8), "likes": None, "comments": None,
             "shares": None},
        ],
    )  # fmt: skip
    mention = {"network": "x", "kind": "mention", "author_id": "1", "created_at": at(2, 10)}
    upsert(
        engine,
        Mention,
        [
            {**mention, "mention_id": "m1", "text": "J'adore Maison Lumière",
             "sentiment_label": "positive"},
            {**mention, "mention_id": "m2", "text": "Bougies Soleil ou #ateliercire ?",
             "sentiment_label": "neutral"},
            {**mention, "mention_id": "m3", "text": "bougies soleil déçoit",
             "sentiment_label": "negative"},
            {**mention, "mention_id": "m4", "text": "maisonlumiere, sans score",
             "sentiment_label": None},
            # a comment, not a mention; a mention of next Monday (00:30 in Paris)
            {**mention, "mention_id": "m5", "text": "Maison Lumière", "kind": "comment",
             "sentiment_label": "positive"},
            {**mention, "mention_id": "m6", "text": "Maison Lumière", "created_at": at(6, 23, 30),
             "sentiment_label": "positive"},
        ],
    )  # fmt: skip
