"""Small warehouse-shaped frames with hand-computable KPIs (docs/kpis.md's examples).

Shared by the pandas KPI tests and the SQL view tests, which must agree on them.
"""

from __future__ import annotations

import pandas as pd

ENGAGEMENT_PARTS = ["likes", "comments", "shares", "saves"]


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


# -- the day-increment cases (docs/kpis.md, "A day's activity") ----------------------------

POST_COLUMNS = ["network", "external_id", "account_id", "account_handle", "created_at"]
METRIC_COLUMNS = ["network", "post_id", "day", "impressions", "reach", *ENGAGEMENT_PARTS]
ACCOUNT_COLUMNS = ["network", "account_id", "day", "account_handle", "followers", "reach"]

#: The first night after install: the demo's 245 % Instagram day.
FIRST_NIGHT = "2026-11-20"
SECOND_NIGHT = "2026-11-21"


def first_night() -> dict[str, pd.DataFrame]:
    """An Instagram account installed on the 20th with a post a day for 28 days (ig0 on the
    20th ... ig27 on 24 October), then a second night.

    Lifetime engagements read on the 20th: ig0 80 + 12 + 5 + 10 = 107, ig1..ig26 400 + 30 +
    16 + 20 = 466 each, ig27 415 + 32 + 17 + 20 = 484: 107 + 26 × 466 + 484 = 12,707, over
    the account's reach of 5,179 that day. On the 21st ig27 has left the 28-day window,
    ig1..ig26 gained 5 likes and 1 comment each, ig0 30 + 5 + 2 + 3 and the new ig28 was
    published (45 + 5 + 2 + 3 = 55): 26 × 6 + 40 + 55 = 251 engagements over a reach of 5,020.
    """
    first = pd.Timestamp(FIRST_NIGHT)
    posts, metrics = [], []
    for k in range(28):
        created = first - pd.Timedelta(days=k) + pd.Timedelta(hours=10)
        posts.append(("instagram", f"ig{k}", "200", "brand", created.strftime("%Y-%m-%dT%H:%MZ")))
        if k == 0:
            metrics.append(("instagram", "ig0", FIRST_NIGHT, 1200, 900, 80, 12, 5, 10))
            metrics.append(("instagram", "ig0", SECOND_NIGHT, 1700, 1300, 110, 17, 7, 13))
        elif k < 27:
            metrics.append(("instagram", f"ig{k}", FIRST_NIGHT, 2100, 1500, 400, 30, 16, 20))
            metrics.append(("instagram", f"ig{k}", SECOND_NIGHT, 2110, 1506, 405, 31, 16, 20))
        else:
            metrics.append(("instagram", "ig27", FIRST_NIGHT, 2200, 1600, 415, 32, 17, 20))
    posts.append(("instagram", "ig28", "200", "brand", "2026-11-21T09:00Z"))
    metrics.append(("instagram", "ig28", SECOND_NIGHT, 700, 600, 45, 5, 2, 3))
    accounts = [
        ("instagram", "200", FIRST_NIGHT, "brand", 5100, 5179),
        ("instagram", "200", SECOND_NIGHT, "brand", 5110, 5020),
    ]
    return {
        "posts": pd.DataFrame(posts, columns=POST_COLUMNS),
        "post_metrics": pd.DataFrame(metrics, columns=METRIC_COLUMNS),
        "account_metrics": pd.DataFrame(accounts, columns=ACCOUNT_COLUMNS),
    }


def unknown_days() -> dict[str, pd.DataFrame]:
    """Three LinkedIn accounts whose nights leave increments unknown (no account reach or
    impressions: the account-day's are its posts' sums).

    ``A`` has every night from the 17th to the 20th. Its post ``a1`` was not read on the
    18th (say a quarantined row): the 18th misses it, and on the 19th it has no day before
    to difference with. ``a2`` reports reach on the 17th and 18th, not on the 19th and 20th.

    ``B`` missed the night of the 18th: on the 19th ``b1``'s counters hold two days.

    ``C``'s post ``c1`` was created at 23:30 UTC on the 18th, 00:30 on the 19th in Paris,
    and first read on the 19th: whole in Europe/Paris, unknown in UTC (its UTC day is the
    18th, which the night of the 18th could have read). ``C`` had no post on the 18th.
    """
    posts = [
        ("linkedin", "a1", "A", "brand", "2026-11-17T08:00Z"),
        ("linkedin", "a2", "A", "brand", "2026-11-17T12:00Z"),
        ("linkedin", "b1", "B", "other", "2026-11-17T08:00Z"),
        ("linkedin", "c1", "C", "third", "2026-11-18T23:30Z"),
    ]
    metrics = [
        # network, post, day, impressions, reach, likes, comments, shares, saves
        ("linkedin", "a1", "2026-11-17", 100, 80, 10, 1, 0, None),
        ("linkedin", "a1", "2026-11-19", 300, 200, 30, 3, 1, None),
        ("linkedin", "a1", "2026-11-20", 350, 230, 34, 3, 1, None),
        ("linkedin", "a2", "2026-11-17", 50, 40, 5, 0, 0, None),
        ("linkedin", "a2", "2026-11-18", 90, 70, 9, 1, 0, None),
        ("linkedin", "a2", "2026-11-19", 120, None, 12, 1, 0, None),
        ("linkedin", "a2", "2026-11-20", 130, None, 13, 1, 0, None),
        ("linkedin", "b1", "2026-11-17", 200, 150, 20, 2, 2, None),
        ("linkedin", "b1", "2026-11-19", 260, 190, 26, 2, 2, None),
        ("linkedin", "c1", "2026-11-19", 400, 300, 40, 4, 1, None),
    ]
    accounts = [
        ("linkedin", "A", "2026-11-17", "brand", 900, None),
        ("linkedin", "A", "2026-11-18", "brand", 905, None),
        ("linkedin", "A", "2026-11-19", "brand", 910, None),
        ("linkedin", "A", "2026-11-20", "brand", 915, None),
        ("linkedin", "B", "2026-11-17", "other", 400, None),
        ("linkedin", "B", "2026-11-19", "other", 410, None),
        ("linkedin", "C", "2026-11-18", "third", 300, None),
        ("linkedin", "C", "2026-11-19", "third", 305, None),
    ]
    return {
        "posts": pd.DataFrame(posts, columns=POST_COLUMNS),
        "post_metrics": pd.DataFrame(metrics, columns=METRIC_COLUMNS),
        "account_metrics": pd.DataFrame(accounts, columns=ACCOUNT_COLUMNS),
    }
