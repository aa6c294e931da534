from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import delete, select
from tests.reports.conftest import brand_config
from tests.support.reports_world import TIMEZONE, seed_history

from socialops.analytics import kpis
from socialops.reports import store, weekly
from socialops.reports.render import render_html
from socialops.warehouse.models import (
    AccountMetricsDaily,
    NotificationOutbox,
    Post,
    PostMetricsDaily,
)
from socialops.warehouse.upsert import upsert

WEEK = weekly.parse_week("2026-W47")  # Monday 16 to Sunday 22 November 2026


@pytest.fixture
def demo(sqlite_engine):
    return seed_history(sqlite_engine, last=WEEK.sunday + timedelta(days=1))


def html_config(tmp_path, **reports):
    return brand_config(reports={"formats": ["html"], "directory": str(tmp_path), **reports})


def test_iso_weeks():
    assert (WEEK.monday.isoformat(), WEEK.sunday.isoformat()) == ("2026-11-16", "2026-11-22")
    assert weekly.parse_week("2020-W53").label == "2020-W53"
    for bad in ("2026-47", "2026-W54", "W47", "2021-W53"):
        with pytest.raises(ValueError, match="ISO week"):
            weekly.parse_week(bad)


def test_every_number_is_the_kpi_functions_over_the_week(sqlite_engine, demo):
    config = brand_config()
    report = weekly.build_weekly(sqlite_engine, config, WEEK)
    # the KPI functions, applied directly to the week's rows of the tables
    accounts = store.account_metrics(sqlite_engine, WEEK.monday - timedelta(days=1), WEEK.sunday)
    start = pd.Timestamp("2026-01-01", tz="UTC")
    posts = store.posts(sqlite_engine, start, pd.Timestamp("2027-01-01", tz="UTC"))
    snapshots = store.post_metrics(
        sqlite_engine, WEEK.monday - timedelta(days=1), WEEK.sunday, start
    )
    daily = kpis.account_daily(accounts, snapshots, posts, timezone=TIMEZONE)
    week_rows = daily[daily["day"] >= pd.Timestamp(WEEK.monday)]
    expected = kpis.rollup(week_rows, ["network"]).set_index("network")
    shown = report.per_network.set_index("network")
    for column in ("engagement_rate_reach_pct", "reach", "engagements", "posts_published"):
        pd.testing.assert_series_equal(
            shown[column].sort_index(), expected[column].sort_index(), check_names=False
        )
    created = kpis.local_days(posts["created_at"], TIMEZONE)
    in_week = (
        (created >= pd.Timestamp(WEEK.monday)) & (created <= pd.Timestamp(WEEK.sunday))
    ).sum()
    kpi = {k.name: k for k in report.kpis}
    assert kpi["posts_per_week"].value == in_week
    assert kpi["posts_per_week"].target == config.objectives.posts_per_week
    assert kpi["posts_per_week"].on_target is bool(in_week >= config.objectives.posts_per_week)
    brand = kpis.rollup(week_rows.assign(b=1), ["b"]).iloc[0]
    assert kpi["engagement_rate_pct"].value == pytest.approx(brand["engagement_rate_reach_pct"])
    # twelve weeks of trends per network, and this week's top posts, best first
    assert report.trends.groupby("network")["week"].nunique().max() == 12
    rates = [p["engagements"] for p in report.top_posts]
    assert rates == sorted(rates, reverse=True) and len(rates) == weekly.TOP_POSTS


def test_suggestions_carry_their_numbers(sqlite_engine, demo):
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    assert 1 <= len(report.suggestions) <= 3
    assert any("18:00" in s for s in report.suggestions)  # the evening slot does best
    assert all(any(ch.isdigit() for ch in s) for s in report.suggestions)


def test_an_empty_week_says_so(sqlite_engine, tmp_path):
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    assert report.empty and report.missing_networks == ["x", "youtube", "instagram"]
    for locale, words in (("en", "No data this week"), ("fr", "Aucune donnée cette semaine")):
        page = render_html(report, locale, TIMEZONE)
        assert 'id="empty-week"' in page and words in page
        assert "<svg" in page  # the best-time heatmaps, empty, still drawn


def test_a_network_down_is_named(sqlite_engine, demo):
    with sqlite_engine.begin() as connection:
        connection.execute(
            delete(AccountMetricsDaily).where(
                AccountMetricsDaily.network == "youtube",
                AccountMetricsDaily.day.between(WEEK.monday, WEEK.sunday),
            )
        )
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    assert report.missing_networks == ["youtube"]
    page = render_html(report, "en", TIMEZONE)
    assert 'id="missing-networks"' in page and "YouTube" in page


def test_user_text_is_escaped_in_the_page(sqlite_engine, demo):
    with sqlite_engine.begin() as connection:
        connection.execute(Post.__table__.update().values(text="<script>alert(1)</script> & co"))
    page = render_html(weekly.build_weekly(sqlite_engine, brand_config(), WEEK), "fr", TIMEZONE)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_campaigns_of_the_week(sqlite_engine, demo):
    from tests.support.reports_world import seed_today

    seed_today(sqlite_engine, WEEK.sunday)
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    (campaign,) = report.campaigns
    assert campaign["spend"] == pytest.approx(9 * 60)
    assert campaign["roas"] == pytest.approx(4.0) and campaign["cpa"] == pytest.approx(6.0)
    assert {k.name: k.value for k in report.kpis}["roas"] == pytest.approx(4.0)
    # competitors configured, the watch has stored nothing: no benchmark, no share of voice
    assert not report.competitors.has_benchmark and not report.competitors.has_voice
    # one comment in the week, without a sentiment score: shares unknown, not 0
    assert report.sentiment["mentions"] == 1
    assert pd.isna(report.sentiment["negative_share"])


def test_stored_once_announced_once_and_a_changed_rerun_edits_the_summary(
    sqlite_engine, demo, tmp_path
):
    config = html_config(tmp_path)
    first = weekly.publish(sqlite_engine, config, WEEK.label)
    assert not first.replaced and (tmp_path / "weekly-2026-W47.html").is_file()
    assert weekly.announce(sqlite_engine, config, first) == 1
    again = weekly.publish(sqlite_engine, config, WEEK.label)
    assert again.replaced and weekly.announce(sqlite_engine, config, again) == 0
    # the night of the 22nd is reloaded with other figures: the report changes
    with sqlite_engine.begin() as connection:
        connection.execute(
            PostMetricsDaily.__table__.update()
            .where(PostMetricsDaily.day == WEEK.sunday)
            .values(likes=PostMetricsDaily.likes + 100)
        )
    changed = weekly.publish(sqlite_engine, config, WEEK.label)
    assert changed.content != first.content
    assert weekly.announce(sqlite_engine, config, changed) == 1
    with sqlite_engine.connect() as connection:
        rows = connection.execute(
            select(
                NotificationOutbox.channel, NotificationOutbox.updates_key, NotificationOutbox.text
            )
        ).all()
    assert [(c, k) for c, k, _ in rows] == [("#marketing-reports", "reports:weekly:2026-W47")] * 2


def test_kpi_objectives_missing_are_not_marked(sqlite_engine, demo):
    config = brand_config(objectives={"follower_growth_pct": None, "roas": None})
    report = weekly.build_weekly(sqlite_engine, config, WEEK)
    kpi = {k.name: k for k in report.kpis}
    assert kpi["follower_growth_pct"].on_target is None and kpi["roas"].value is None
    page = render_html(report, "en", TIMEZONE)
    assert "no objective set" in page


def test_a_week_with_a_post_but_no_metrics(sqlite_engine):
    upsert(
        sqlite_engine,
        Post,
        [
            {
                "network": "x",
                "external_id": "p",
                "account_id": "a",
                "created_at": pd.Timestamp("2026-11-17T10:00:00Z").to_pydatetime(),
            }
        ],
    )
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    assert report.top_posts == [] and report.empty
