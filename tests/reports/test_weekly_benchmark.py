"""The weekly report's competitor benchmark and share of voice: the figures of
``analytics.competitors`` over the week's snapshots, posts and mentions, as they are."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from tests.reports.conftest import brand_config
from tests.support.competitor_week import CIRE, SOLEIL, WEEK, seed_competitors
from tests.support.reports_world import TIMEZONE, seed_history

from socialops.analytics import competitors as analytics
from socialops.competitors import store as competitor_store
from socialops.reports import weekly
from socialops.reports.render import HtmlReader, render_html


@pytest.fixture
def demo(sqlite_engine):
    return seed_history(sqlite_engine, last=WEEK.sunday + timedelta(days=1))


def expected_tables(engine, config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analytics functions applied directly to the week's rows of the tables."""
    brand = config.brand.name
    audience = competitor_store.audience(
        engine, WEEK.monday - timedelta(days=7), WEEK.sunday, brand
    )
    posts = competitor_store.posts(
        engine, WEEK.monday - timedelta(days=1), WEEK.sunday + timedelta(days=1), brand
    )
    days = analytics.local_days(posts["created_at"], TIMEZONE)
    posts = posts[(days >= WEEK.monday) & (days <= WEEK.sunday)]
    bench = analytics.weekly_benchmark(audience, posts, TIMEZONE)
    bench = bench[bench["week"] == WEEK.monday]
    mentions = competitor_store.mentions(
        engine, WEEK.monday - timedelta(days=1), WEEK.sunday + timedelta(days=1)
    )
    days = analytics.local_days(mentions["created_at"], TIMEZONE)
    mentions = mentions[(days >= WEEK.monday) & (days <= WEEK.sunday)]
    voices = {brand: [*config.listening.keywords, brand]}
    voices |= {c.name: c.voice_keywords for c in config.competitors}
    return bench, analytics.share_of_voice(mentions, voices)


def test_the_benchmark_is_the_analytics_functions_over_the_week(sqlite_engine, demo):
    seed_competitors(sqlite_engine)
    config = brand_config()
    report = weekly.build_weekly(sqlite_engine, config, WEEK)
    shown = report.competitors
    assert shown.has_benchmark and shown.has_voice
    bench, voice = expected_tables(sqlite_engine, config)
    key = ["owner", "network", "account_id"]
    pd.testing.assert_frame_equal(
        shown.benchmark.sort_values(key).reset_index(drop=True),
        bench.sort_values(key).reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(
        shown.share_of_voice.sort_values("owner").reset_index(drop=True),
        voice.sort_values("owner").reset_index(drop=True),
    )
    # and those are the week's figures, by hand: Bougies Soleil on X
    row = shown.benchmark.set_index(["owner", "network"]).loc[(SOLEIL, "x")]
    assert row["followers"] == 8000 + 100 * 7  # Sunday's snapshot, not Monday's after
    assert row["follower_growth"] == 700 and row["follower_growth_pct"] == pytest.approx(8.75)
    assert row["posts"] == 3  # s1, s2, s4 (s3 is next Monday in Paris)
    assert row["engagements_per_post"] == pytest.approx((135 + 42 + 8) / 3)
    assert row["engagement_rate_followers_pct"] == pytest.approx(100 * (185 / 3) / 8700)
    cire = shown.benchmark.set_index(["owner", "network"]).loc[(CIRE, "x")]
    assert cire["posts"] == 1 and pd.isna(cire["engagements_per_post"])
    counts = shown.share_of_voice.set_index("owner")
    assert counts["mentions"].to_dict() == {config.brand.name: 2, SOLEIL: 2, CIRE: 1}
    assert counts.loc[SOLEIL, ["positive", "neutral", "negative"]].tolist() == [0, 1, 1]
    assert counts.loc[config.brand.name, "neutral"] == 1  # no label counts as neutral
    # each network's brand rows first, then its competitors; the brand first in the voice
    x_rows = [r["owner"] for r in dict(shown.networks())["x"]]
    assert x_rows == [config.brand.name, CIRE, SOLEIL]
    assert shown.share_of_voice["owner"].iloc[0] == config.brand.name
    assert [n for n, _ in shown.networks()] == ["x", "instagram"]  # YouTube: no competitor


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en", ("Share of voice", "Engagement rate (by followers)")),
        ("fr", ("Part de voix", "Taux d’engagement (sur les abonnés)")),
    ],
)
def test_the_page_shows_those_figures(sqlite_engine, demo, locale, words):
    seed_competitors(sqlite_engine)
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    page = render_html(report, locale, TIMEZONE)
    html = HtmlReader(locale, TIMEZONE)
    assert all(w in page for w in words)
    for anchor in ('id="benchmark-x"', 'id="benchmark-instagram"', 'id="share-of-voice"',
                   'id="benchmark-chart"', 'id="voice-chart"'):  # fmt: skip
        assert anchor in page
    assert 'id="benchmark-youtube"' not in page
    row = report.competitors.benchmark.set_index(["owner", "network"]).loc[(SOLEIL, "x")]
    for shown in (
        html.value(float(row["followers"])),
        html.percent_kpi(float(row["follower_growth_pct"])),
        html.value(float(row["engagements_per_post"])),
        html.percent_kpi(float(row["engagement_rate_followers_pct"])),
    ):
        assert f">{shown}</td>" in page


def test_no_competitor_data_this_week(sqlite_engine, demo):
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    # the brand's own rows are there, but no competitor's: nothing to compare
    assert not report.competitors.benchmark.empty
    assert not report.competitors.has_benchmark and not report.competitors.has_voice
    for locale, words in (
        ("en", "No competitor data this week."),
        ("fr", "Aucune donnée sur les concurrents cette semaine."),
    ):
        page = render_html(report, locale, TIMEZONE)
        assert 'id="no-competitor-data"' in page and 'id="no-voice-data"' in page
        assert words in page and 'id="benchmark-chart"' not in page


def test_competitors_not_configured_yet(sqlite_engine, demo):
    seed_competitors(sqlite_engine)  # stored earlier, since removed from the configuration
    config = brand_config().model_copy(update={"competitors": []})
    report = weekly.build_weekly(sqlite_engine, config, WEEK)
    assert report.competitors is None
    for locale, words in (("en", "Not configured yet."), ("fr", "Pas encore configuré.")):
        page = render_html(report, locale, TIMEZONE)
        assert 'id="competitors-not-configured"' in page and words in page
        assert 'id="share-of-voice"' not in page


def test_an_empty_week_has_no_competitor_figures(sqlite_engine):
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    assert report.competitors.benchmark.empty and not report.competitors.has_voice
    assert 'id="no-competitor-data"' in render_html(report, "en", TIMEZONE)
