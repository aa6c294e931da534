"""The weekly report's competitor benchmark and share of voice: the figures of
``analytics.competitors`` over the week's snapshots, posts and mentions, as they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from tests.reports.conftest import brand_config
from tests.support.reports_world import TIMEZONE, seed_history

from socialops.analytics import competitors as analytics
from socialops.competitors import store as competitor_store
from socialops.reports import weekly
from socialops.reports.render import HtmlReader, render_html
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
