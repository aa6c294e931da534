"""The KPI views compute the same numbers as socialops.analytics.kpis, on both databases."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from tests.support import kpi_frames as frames

from socialops.analytics import kpis
from socialops.warehouse.upsert import upsert
from socialops.warehouse.views import (
    create_kpi_views,
    drop_kpi_views,
    utc_offsets,
    view_definitions,
)

POSTS = frames.posts()
POST_METRICS = frames.post_metrics()
ACCOUNT_METRICS = frames.account_metrics()
CAMPAIGNS = frames.campaigns()
SPEND = frames.spend()


@pytest.fixture
def loaded(warehouse_engine):
    with warehouse_engine.begin() as connection:
        upsert(connection, "posts", POSTS.assign(created_at=pd.to_datetime(POSTS.created_at)))
        upsert(connection, "post_metrics_daily", POST_METRICS)
        upsert(connection, "account_metrics_daily", ACCOUNT_METRICS)
        upsert(connection, "campaigns", CAMPAIGNS)
        upsert(connection, "campaign_spend_daily", SPEND)
    assert create_kpi_views(warehouse_engine)[0] == "kpi_post_daily"
    return warehouse_engine


def query(engine, sql) -> pd.DataFrame:
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(text(sql)).mappings().all())
    if "day" in frame:
        frame["day"] = pd.to_datetime(frame["day"])
    return frame


def assert_same(view: pd.DataFrame, expected: pd.DataFrame, key: list[str], columns: list[str]):
    view = view.set_index(key).sort_index()
    expected = expected.set_index(key).sort_index()
    assert list(view.index) == list(expected.index)
    for column in columns:
        got = pd.to_numeric(view[column], errors="coerce").astype(float).to_numpy()
        want = pd.to_numeric(expected[column], errors="coerce").astype(float).to_numpy()
        np.testing.assert_allclose(got, want, rtol=1e-9, equal_nan=True, err_msg=column)


def test_post_daily_matches_post_performance(loaded):
    expected = kpis.post_performance(POST_METRICS, POSTS, ACCOUNT_METRICS)
    rates = [
        "engagements",
        "engagement_rate_reach_pct",
        "engagement_rate_impressions_pct",
        "engagement_rate_followers_pct",
    ]
    assert_same(
        query(loaded, "SELECT * FROM kpi_post_daily"),
        expected,
        ["network", "post_id", "day"],
        rates,
    )
    latest = query(loaded, "SELECT * FROM kpi_post_latest ORDER BY engagements DESC")
    assert latest.post_id.tolist() == kpis.top_posts(expected, n=3).post_id.tolist()
    assert_same(
        query(loaded, "SELECT * FROM kpi_campaign_organic"),
        kpis.campaign_organic(expected),
        ["campaign_id"],
        ["posts", "impressions", "reach", "engagements", "engagement_rate_reach_pct"],
    )


ACCOUNT_DAILY = [
    "followers",
    "followers_previous",
    "net_new_followers",
    "follower_growth_pct",
    "impressions",
    "reach",
    "engagements",
    "posts_published",
    "engagement_rate_reach_pct",
    "engagement_rate_followers_pct",
]
ACCOUNT_DAY = ["network", "account_id", "day"]


def test_account_daily_matches_account_daily(loaded):
    expected = kpis.account_daily(ACCOUNT_METRICS, POST_METRICS, POSTS, timezone="UTC")
    view = query(loaded, "SELECT * FROM kpi_account_daily")
    assert_same(view, expected, ACCOUNT_DAY, ACCOUNT_DAILY)


def load_case(engine, case: dict[str, pd.DataFrame], timezone: str) -> pd.DataFrame:
    """Load a kpi_frames case, create the views in ``timezone``; kpi_account_daily's rows."""
    posts = case["posts"]
    with engine.begin() as connection:
        upsert(connection, "posts", posts.assign(created_at=pd.to_datetime(posts.created_at)))
        upsert(connection, "post_metrics_daily", case["post_metrics"])
        upsert(connection, "account_metrics_daily", case["account_metrics"])
    create_kpi_views(engine, timezone=timezone)
    return query(engine, "SELECT * FROM kpi_account_daily")


@pytest.mark.parametrize("timezone", ["Europe/Paris", "UTC", "America/New_York"])
@pytest.mark.parametrize("case", ["first_night", "unknown_days"])
def test_day_increments_agree_with_pandas(warehouse_engine, case, timezone):
    frames_of_case = getattr(frames, case)()
    view = load_case(warehouse_engine, frames_of_case, timezone)
    expected = kpis.account_daily(
        frames_of_case["account_metrics"],
        frames_of_case["post_metrics"],
        frames_of_case["posts"],
        timezone=timezone,
    )
    assert_same(view, expected, ACCOUNT_DAY, ACCOUNT_DAILY)


def test_the_245_pct_first_night_is_unknown_in_sql(warehouse_engine):
    view = load_case(warehouse_engine, frames.first_night(), "Europe/Paris").set_index("day")
    first = view.loc[pd.Timestamp(frames.FIRST_NIGHT)]
    assert first.reach == 5179  # the old view divided 12,707 by it: 245 %
    assert pd.isna(first.engagements) and pd.isna(first.engagement_rate_reach_pct)
    second = view.loc[pd.Timestamp(frames.SECOND_NIGHT)]
    assert second.engagements == 251
    assert second.engagement_rate_reach_pct == pytest.approx(5.0)


def test_unknown_days_in_sql(warehouse_engine):
    view = load_case(warehouse_engine, frames.unknown_days(), "Europe/Paris")
    view = view.set_index(["account_id", "day"])
    assert pd.isna(view.loc[("A", pd.Timestamp("2026-11-18")), "engagements"])  # a1 missing
    assert pd.isna(view.loc[("A", pd.Timestamp("2026-11-18")), "impressions"])
    assert pd.isna(view.loc[("B", pd.Timestamp("2026-11-19")), "engagements"])  # missed night
    assert view.loc[("A", pd.Timestamp("2026-11-20")), "engagements"] == 5
    assert view.loc[("C", pd.Timestamp("2026-11-18")), "engagements"] == 0  # no post yet
    assert view.loc[("C", pd.Timestamp("2026-11-19")), "engagements"] == 45  # Paris day


def test_sqlite_local_day_follows_daylight_saving_time():
    paris = dict(utc_offsets("Europe/Paris"))
    assert paris[datetime(2026, 3, 29, 1, 0)] == 7200  # 02:00 CET becomes 03:00 CEST
    assert paris[datetime(2026, 10, 25, 1, 0)] == 3600
    assert utc_offsets("UTC") == ((None, 0),)
    assert utc_offsets("Asia/Kolkata") == ((None, 19800),)


@pytest.mark.parametrize(
    ("created_at", "paris_day"),
    [
        ("2026-11-18 22:59:59.000000", "2026-11-18"),
        ("2026-11-18 23:00:00.000000", "2026-11-19"),  # midnight in Paris (UTC+1)
        ("2026-07-01 21:59:59.999000", "2026-07-01"),
        ("2026-07-01 22:00:00.000000", "2026-07-02"),  # midnight in Paris (UTC+2)
        ("2026-03-28 23:00:00.000000", "2026-03-29"),  # the night DST starts
        ("2026-10-24 22:00:00.000000", "2026-10-25"),  # the night DST ends
        # before FIRST_YEAR the offset of 1 January 2000 (UTC+1) applies, not summer time
        ("1990-06-01 22:30:00.000000", "1990-06-01"),
    ],
)
def test_sqlite_local_day_of_stored_utc_text(sqlite_engine, created_at, paris_day):
    view = view_definitions("sqlite", timezone="Europe/Paris")["kpi_account_daily"]
    assert "LOCAL_DAY" not in view
    start = view.index("date(created_at, CASE")
    local_day = view[start : view.index("END)", start) + len("END)")]
    with sqlite_engine.connect() as connection:
        day = connection.execute(
            text(f"SELECT {local_day} FROM (SELECT :ts AS created_at)"), {"ts": created_at}
        ).scalar_one()
    assert day == paris_day


def test_an_unknown_time_zone_is_refused_before_any_sql():
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Pariss'.*IANA name"):
        view_definitions("postgresql", timezone="Europe/Pariss")
    with pytest.raises(ValueError, match="unknown time zone"):
        view_definitions("sqlite", timezone="'; DROP TABLE posts; --")
    assert (
        "AT TIME ZONE 'Europe/Paris'"
        in view_definitions("postgresql", timezone="Europe/Paris")["kpi_account_daily"]
    )


def test_campaign_views_match_the_paid_kpis(loaded):
    ratios = [
        "spend",
        "ctr_pct",
        "cpc",
        "cpm",
        "cpa",
        "roas",
        "roi_pct",
        "budget",
        "budget_consumed",
        "budget_consumed_pct",
        "budget_remaining",
    ]
    assert_same(
        query(loaded, "SELECT * FROM kpi_campaign_daily"),
        kpis.campaign_daily(SPEND, CAMPAIGNS),
        ["campaign_id", "day"],
        ratios,
    )
    assert_same(
        query(loaded, "SELECT * FROM kpi_campaign_summary"),
        kpis.campaign_summary(SPEND, CAMPAIGNS),
        ["campaign_id"],
        [*ratios, "days"],
    )


def test_views_are_recreated_and_dropped(loaded):
    create_kpi_views(loaded)  # again: replaces, does not fail
    drop_kpi_views(loaded)
    with pytest.raises(Exception, match="kpi_post_daily"):
        query(loaded, "SELECT * FROM kpi_post_daily")


def test_only_the_two_warehouse_dialects():
    assert "julianday" in view_definitions("sqlite")["kpi_account_daily"]
    assert "julianday" not in view_definitions("postgresql")["kpi_account_daily"]
    with pytest.raises(ValueError, match="not 'mysql'"):
        view_definitions("mysql")
