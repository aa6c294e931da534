from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from tests.reports.conftest import TODAY
from tests.support.reports_world import TIMEZONE

from socialops.analytics import kpis
from socialops.reports import service, store


def test_yesterday_per_network_is_the_kpi_rollup_of_that_day(sqlite_engine, config, history):
    digest = service.build_digest(sqlite_engine, config, TODAY)
    assert digest.day == TODAY - timedelta(days=1)
    assert [n.network for n in digest.networks] == ["x", "youtube", "instagram"]
    assert digest.missing_networks == []
    # the same figures, computed directly from the tables with the KPI functions
    day = digest.day
    accounts = store.account_metrics(sqlite_engine, day - timedelta(days=1), day)
    posts = store.posts(
        sqlite_engine, pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp.now("UTC")
    )
    snapshots = store.post_metrics(
        sqlite_engine, day - timedelta(days=8), day, pd.Timestamp("2026-01-01", tz="UTC")
    )
    daily = kpis.account_daily(accounts, snapshots, posts, timezone=TIMEZONE)
    rolled = kpis.rollup(daily[daily["day"] == pd.Timestamp(day)], ["network"])
    x = rolled.set_index("network").loc["x"]
    shown = digest.networks[0].day
    assert shown.followers == x["followers"]
    assert shown.engagement_rate_pct == pytest.approx(x["engagement_rate_reach_pct"])
    assert shown.reach == pytest.approx(x["reach"])
    # youtube gives no reach: its rate is unknown, never 0
    assert digest.networks[1].day.engagement_rate_pct is None


def test_a_network_without_figures_yesterday_is_named(sqlite_engine, history):
    from tests.reports.conftest import brand_config

    config = brand_config()
    config = config.model_copy(
        update={
            "accounts": [
                *config.accounts,
                config.accounts[0].model_copy(update={"network": "linkedin"}),
            ]
        }
    )
    digest = service.build_digest(sqlite_engine, config, TODAY)
    assert digest.missing_networks == ["linkedin"]


def test_the_week_before_compares_the_same_weekday(sqlite_engine, config, history):
    digest = service.build_digest(sqlite_engine, config, TODAY)
    line = digest.networks[0]
    assert line.day_before is not None and line.week_before is not None
    assert line.week_before.followers < line.day_before.followers <= line.day.followers


def test_best_post_is_the_one_that_gained_most_that_day(sqlite_engine, config, history):
    digest = service.build_digest(sqlite_engine, config, TODAY)
    best = digest.best_post
    assert best is not None and best["url"].startswith("https://")
    assert best["engagements"] > 0


def test_parts_of_a_busy_day(sqlite_engine, config, busy_day):
    digest = service.build_digest(sqlite_engine, config, TODAY)
    assert [e["network"] for e in digest.scheduled] == ["x", "instagram"]
    assert [c["mention_id"] for c in digest.comments] == ["c1"]
    assert [a["kind"] for a in digest.alerts] == ["crisis"]
    (burn,) = digest.campaigns
    assert burn.spent == pytest.approx(9 * 60)  # spend through yesterday
    assert burn.planned == pytest.approx(1000 * 9 / 20)
    assert burn.roas == pytest.approx(4.0)


def test_a_comment_answered_by_the_brand_is_not_waiting(sqlite_engine, config, busy_day):
    from tests.support.reports_world import _local

    from socialops.warehouse.models import Mention
    from socialops.warehouse.upsert import upsert

    upsert(
        sqlite_engine,
        Mention,
        [
            {
                "network": "x",
                "mention_id": "answer",
                "kind": "comment",
                "author_id": "x-1",
                "text": "Merci !",
                "created_at": _local(TODAY, 6),
                "in_reply_to": "x-1-p1",
            }
        ],
    )
    assert service.build_digest(sqlite_engine, config, TODAY).comments == []


def test_without_listening_data_comments_are_not_configured(sqlite_engine, config, history):
    assert service.build_digest(sqlite_engine, config, TODAY).comments is None


def test_best_slots_find_the_evening(sqlite_engine, config, history):
    digest = service.build_digest(sqlite_engine, config, TODAY)
    assert digest.slots
    assert all(slot.hour == 18 for slot in digest.slots[:1])
    assert {s.network for s in digest.slots} == {"x", "instagram", "youtube"}


def test_an_empty_warehouse_gives_an_empty_digest(sqlite_engine, config):
    digest = service.build_digest(sqlite_engine, config, TODAY)
    assert digest.networks == [] and digest.missing_networks == ["x", "youtube", "instagram"]
    assert digest.best_post is None and digest.slots == [] and digest.campaigns == []


@pytest.mark.postgres
def test_the_same_digest_on_postgresql(pg_engine, sqlite_engine, config):
    from tests.support.reports_world import seed_history, seed_today

    for engine in (pg_engine, sqlite_engine):
        seed_history(engine, last=TODAY - timedelta(days=1), days=30)
        seed_today(engine, TODAY)
    on_pg = service.build_digest(pg_engine, config, TODAY)
    on_sqlite = service.build_digest(sqlite_engine, config, TODAY)
    assert on_pg.networks == on_sqlite.networks
    assert on_pg.best_post == on_sqlite.best_post
    assert [c["mention_id"] for c in on_pg.comments] == ["c1"]
    assert on_pg.campaigns == on_sqlite.campaigns and on_pg.slots == on_sqlite.slots
