"""Small warehouse-shaped frames with hand-computable KPIs (docs/kpis.md's examples).

Shared by the pandas KPI tests and the SQL view tests, which must agree on them.
"""

from __future__ import annotations

import pandas as pd


def post_metrics() -> pd.DataFrame:
    return pd.DataFrame(
        [
            # network, post, day, impressions, reach, likes, comments, shares, saves
            ("x", "p1", "2026-11-18", 1000, 800, 40, 5, 5, 0),
            ("x", "p1", "2026-11-19", 1500, 1000, 60, 10, 8, 2),
            ("x", "p2", "2026-11-19", 400, 0, 4, 0, 0, 0),
            ("instagram", "i1", "2026-11-19", 2000, 1600, 100, 12, None, 8),
        ],
        columns=[
            "network",
            "post_id",
            "day",
            "impressions",
            "reach",
            "likes",
            "comments",
            "shares",
            "saves",
        ],
    )


def posts() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("x", "p1", "100", "brand", "2026-11-18T09:00:00Z", "noel-2026"),
            (
                "x",
                "p2",
                "100",
                "brand",
                "2026-11-19T22:30:00Z",
                None,
            ),  # 23:30 in Paris, still the 19th
            ("instagram", "i1", "200", "brand", "2026-11-19T10:00:00Z", "noel-2026"),
        ],
        columns=[
            "network",
            "external_id",
            "account_id",
            "account_handle",
            "created_at",
            "campaign_id",
        ],
    )


def account_metrics() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("x", "100", "2026-11-17", "brand", 1000, None, None),
            ("x", "100", "2026-11-18", "brand", 1010, None, None),
            ("x", "100", "2026-11-19", "brand", 1030, None, None),
            ("instagram", "200", "2026-11-17", "brand", 5000, 9000, 4000),
            # 18th missing: the 19th's growth is unknown, not a two-day jump
            ("instagram", "200", "2026-11-19", "brand", 5100, 9500, 4200),
        ],
        columns=[
            "network",
            "account_id",
            "day",
            "account_handle",
            "followers",
            "impressions",
            "reach",
        ],
    )


def spend() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("noel-2026", "2026-11-15", 100.0, 20000, 200, 10, 450.0, "csv"),
            ("noel-2026", "2026-11-16", 50.0, 10000, 0, 0, 0.0, "csv"),
            ("launch-ambre", "2026-11-16", 0.0, 0, 0, 0, 0.0, "csv"),
        ],
        columns=[
            "campaign_id",
            "day",
            "spend",
            "impressions",
            "clicks",
            "conversions",
            "revenue",
            "source",
        ],
    )


def campaigns() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("noel-2026", "Noël", "instagram", 1000.0, "EUR"),
            ("launch-ambre", "Ambre", "facebook", 500.0, "EUR"),
            ("spring", "Printemps", "x", 300.0, "EUR"),  # declared, never spent
        ],
        columns=["id", "name", "network", "budget", "currency"],
    )
