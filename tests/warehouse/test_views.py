"""The KPI views compute the same numbers as socialops.analytics.kpis, on both databases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from tests.support import kpi_frames as frames

from socialops.analytics import kpis
from socialops.warehouse.upsert import upsert
from socialops.warehouse.views import create_kpi_views, drop_kpi_views, view_definitions

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


def test_account_daily_matches_account_daily(loaded):
    expected = kpis.account_daily(ACCOUNT_METRICS, POST_METRICS, POSTS, timezone="UTC")
    columns = [
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
    assert_same(
        query(loaded, "SELECT * FROM kpi_account_daily"),
        expected,
        ["network", "account_id", "day"],
        columns,
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
