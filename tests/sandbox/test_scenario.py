"""The scenario generator: determinism, the default world's content, validation errors."""

from __future__ import annotations

import re
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from socialops.config import load_config
from socialops.sandbox.scenario import (
    CALENDAR_HEADER,
    ScenarioError,
    ScenarioSpec,
    load_scenario,
    parse_scenario,
)

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

ID_SHAPES = {
    "x": r"\d{6,19}",
    "youtube": r"UC[A-Za-z0-9_-]{22}",
    "facebook": r"\d{15}",
    "instagram": r"\d{17}",
    "linkedin": r"urn:li:(organization:\d+|person:[A-Za-z0-9]{10})",
}


@pytest.fixture(scope="module")
def spec() -> ScenarioSpec:
    return load_scenario(None)


@pytest.fixture(scope="module")
def world(spec):
    return spec.build_world(7, now=NOW)


def _fingerprint(world):
    return (
        sorted((a.network, a.id, a.handle, a.followers) for a in world.accounts.values()),
        sorted(
            (p.network, p.id, p.text, p.created_at, tuple(sorted(p.final.items())))
            for p in world.posts.values()
        ),
        [(m.id, m.text, m.created_at, m.tone, m.in_reply_to) for m in world.mentions],
        world.campaigns,
    )


def test_same_seed_gives_the_same_world(spec, world):
    assert _fingerprint(spec.build_world(7, now=NOW)) == _fingerprint(world)


def test_another_seed_gives_another_world(spec, world):
    assert _fingerprint(spec.build_world(8, now=NOW)) != _fingerprint(world)


def test_seed_defaults_to_the_scenarios(spec):
    assert _fingerprint(spec.build_world(now=NOW)) == _fingerprint(
        spec.build_world(spec.seed, now=NOW)
    )


def test_frozen_now_stops_the_clock(spec, world):
    assert world.now() == NOW
    frozen = parse_scenario(
        {**spec.model_dump(mode="json"), "now": "2026-11-20T08:00:00Z"}
    ).build_world(1)
    assert frozen.now() == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_naive_now_is_refused(spec):
    with pytest.raises(ScenarioError, match="now: now needs a time zone"):
        parse_scenario({**spec.model_dump(mode="json"), "now": "2026-11-20T08:00:00"})


def test_default_world_has_every_account_of_the_example_config(world):
    config = load_config()
    expected = {(a.network, a.handle) for a in config.accounts}
    expected |= {(a.network, a.handle) for c in config.competitors for a in c.accounts}
    expected |= {(a.network, a.handle) for a in config.influencer_candidates}
    for network, handle in expected:
        assert world.account(network, handle) is not None, (
            f"{network}:{handle} missing from the default world"
        )
    owned = {(a.network, a.handle) for a in world.accounts.values() if a.role == "owned"}
    assert owned == {(a.network, a.handle) for a in config.accounts}


def test_account_ids_look_like_each_networks(world):
    for account in world.accounts.values():
        assert re.fullmatch(ID_SHAPES[account.network], account.id), (account.network, account.id)
    owned_linkedin = world.account("linkedin", "maison-lumiere")
    assert owned_linkedin.id.startswith("urn:li:organization:")


def test_posts_cover_the_history_with_network_metrics(world):
    posts = list(world.posts.values())
    assert min(p.created_at for p in posts) >= NOW - timedelta(days=35)
    assert max(p.created_at for p in posts) < NOW
    owned_x = world.account_posts("x", world.account("x", "maisonlumiere").id)
    assert len(owned_x) >= 20
    assert {"impressions", "likes", "comments", "shares", "saves"} <= set(owned_x[0].final)
    video = world.account_posts("youtube", world.account("youtube", "maisonlumiere").id)[0]
    assert video.kind == "video" and video.title and video.final["video_views"] > 0
    assert "impressions" not in video.final
    assert all(
        p.final["likes"] <= p.final.get("impressions", p.final.get("video_views", 1e9))
        for p in posts
    )


def test_metrics_grow_towards_final(world):
    post = next(iter(world.posts.values()))
    early = post.metrics_at(post.created_at + timedelta(hours=1))
    late = post.metrics_at(post.created_at + timedelta(days=30))
    assert all(early[k] <= late[k] <= post.final[k] for k in post.final)


def test_mentions_mix_languages_tones_and_comments(world, spec):
    mentions = world.mentions
    assert {m.lang for m in mentions} == {"fr", "en"}
    assert {m.tone for m in mentions} == {"positive", "neutral", "negative"}
    comments = [m for m in mentions if m.in_reply_to]
    assert comments
    for comment in comments:
        parent = world.post(comment.network, comment.in_reply_to)
        assert parent is not None and parent.created_at < comment.created_at
        assert world.accounts[(parent.network, parent.account_id)].role == "owned"
    keywords = [k.casefold() for k in spec.brand.keywords]
    assert all(any(k in m.text.casefold() for k in keywords) for m in mentions)
    assert {m.network for m in mentions} == {"x", "instagram", "facebook", "youtube", "linkedin"}


def test_crisis_is_a_burst_of_negative_mentions(world, spec):
    crisis = spec.crisis
    start = NOW - timedelta(hours=crisis.starts_hours_ago)
    window = [
        m
        for m in world.mentions
        if m.network == crisis.network
        and start <= m.created_at <= start + timedelta(hours=crisis.duration_hours)
    ]
    negative = [m for m in window if m.tone == "negative"]
    assert len(negative) >= crisis.count
    assert len(negative) / len(window) > 0.8
    per_hour_before = sum(
        1 for m in world.mentions if m.tone == "negative" and m.created_at < start
    ) / (35 * 24)
    assert len(negative) / crisis.duration_hours > 20 * per_hour_before


def test_bought_follower_influencers_have_low_uniform_engagement(world):
    def engagement(account):
        posts = world.account_posts(account.network, account.id)
        rates = [
            (p.final["likes"] + p.final["comments"] + p.final["shares"]) / account.followers
            for p in posts
        ]
        return statistics.mean(rates), statistics.pstdev(rates) / statistics.mean(rates)

    bought = world.account("x", "followers4ever")
    genuine = world.account("x", "deco_claire")
    assert bought.bought_followers and bought.followers > 10 * genuine.followers
    bought_rate, bought_spread = engagement(bought)
    genuine_rate, genuine_spread = engagement(genuine)
    assert bought_rate < genuine_rate / 20
    assert bought_spread < genuine_spread / 3


def test_campaign_rows_per_day(world):
    rows = [r for r in world.campaigns if r["campaign_id"] == "noel-2026"]
    assert [r["day"] for r in rows] == [f"2026-11-{d}" for d in range(15, 22)]
    for row in rows:
        assert row["spend"] > 0 and row["impressions"] > row["clicks"] >= row["conversions"] >= 0
        assert set(row) == {
            "campaign_id",
            "network",
            "day",
            "spend",
            "impressions",
            "clicks",
            "conversions",
            "revenue",
        }


def test_calendar_sheet_reads_the_csv_lazily(tmp_path, spec):
    missing = parse_scenario(
        {
            **spec.model_dump(mode="json"),
            "sheets": {"cal": {"Calendar": str(tmp_path / "nope.csv")}},
        }
    )
    assert missing.build_world(1, now=NOW).sheets == {"cal": {"Calendar": [CALENDAR_HEADER]}}
    csv_file = tmp_path / "calendar.csv"
    csv_file.write_text('entry_id,text\ne1,"Bonjour, monde"\n', encoding="utf-8")
    # The file appears after the scenario was loaded: it is read when the world is built.
    assert missing.model_copy(update={"sheets": {"cal": {"Calendar": str(csv_file)}}}).build_world(
        1, now=NOW
    ).sheets["cal"]["Calendar"] == [["entry_id", "text"], ["e1", "Bonjour, monde"]]
    inline = parse_scenario(
        {
            **spec.model_dump(mode="json"),
            "sheets": {"s": {"Tab": [["a", 1]], "Other": {"csv": "x.csv", "header": ["h"]}}},
        }
    )
    assert inline.build_world(1, now=NOW).sheets["s"] == {"Tab": [["a", "1"]], "Other": [["h"]]}


def test_default_scenario_serves_the_demo_calendar(world):
    import csv

    from socialops.paths import INCLUDE_DIR

    with (INCLUDE_DIR / "calendar" / "calendar.csv").open(newline="", encoding="utf-8") as handle:
        expected = [row for row in csv.reader(handle) if row]
    assert world.sheets["calendar-demo"]["Calendar"] == expected


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"accounts": [{"network": "myspace", "handle": "a", "role": "owned", "followers": 1}]},
            "accounts[0].network",
        ),
        (
            {"accounts": [{"network": "x", "handle": "a", "role": "owned"}]},
            "accounts[0].followers: missing; add it",
        ),
        ({"mentions": {"per_day": -1}}, "mentions.per_day"),
        ({"crisis": {"count": 0}}, "crisis.count"),
        ({"colour": "blue"}, "colour: unknown field (check the spelling; see docs/sandbox.md)"),
        (
            {"brand": {"name": "B", "keywords": ["b"], "products": ["p"], "hashtags": ["nohash"]}},
            "brand.hashtags",
        ),
        (
            {
                "campaigns": [
                    {
                        "id": "c",
                        "network": "x",
                        "start": "2026-02-01",
                        "end": "2026-01-01",
                        "daily_spend": 1,
                    }
                ]
            },
            "end 2026-01-01 is before start",
        ),
        ({"mentions": {"tones": {"positive": 0}}}, "mentions.tones: needs at least one entry"),
    ],
)
def test_validation_errors_name_the_field(spec, change, message):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario({**spec.model_dump(mode="json"), **change}, source="my.yaml")
    assert "my.yaml is invalid" in str(caught.value)
    assert message in str(caught.value)


def test_duplicate_accounts_are_refused(spec):
    raw = spec.model_dump(mode="json")
    raw["accounts"].append(dict(raw["accounts"][0], handle=raw["accounts"][0]["handle"].upper()))
    with pytest.raises(ScenarioError, match="account x:MAISONLUMIERE is listed twice"):
        parse_scenario(raw)


def test_missing_or_broken_files(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("accounts: [", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(broken)
    broken.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="expected a mapping"):
        load_scenario(str(broken))


def test_fallback_calendar_header_matches_the_calendar_columns():
    from socialops.calendar.entries import COLUMNS

    assert CALENDAR_HEADER == list(COLUMNS)


def test_more_accounts_change_nothing_else_in_the_world(spec):
    without = spec.model_copy(update={"more_accounts": []}).build_world(7, now=NOW)
    full = spec.build_world(7, now=NOW)
    extra = {(a.network, a.id) for a in spec.more_accounts}
    base_posts = {k: v for k, v in full.posts.items() if (v.network, v.account_id) not in extra}
    assert sorted(base_posts) == sorted(without.posts)
    assert [m.id for m in full.mentions] == [m.id for m in without.mentions]
    assert all(full.account_posts(n, i) for n, i in extra if n != "linkedin")


def test_scripted_viral_post_and_follower_jump(spec):
    world = spec.build_world(7, now=NOW)
    rival = world.account("x", "bougiessoleil")
    posts = world.account_posts("x", rival.id)
    interactions = sorted(sum(p.final.get(k, 0) for k in ("likes", "comments", "shares"))
                          for p in posts)  # fmt: skip
    viral = next(p for p in posts if p.text.startswith("Notre nouvelle collection"))
    assert sum(viral.final.get(k, 0) for k in ("likes", "comments", "shares")) == interactions[-1]
    assert interactions[-1] > 5 * statistics.median(interactions)
    jumper = world.account("x", "ateliercire")
    when, gained = jumper.follower_jump
    assert gained == 900 and when == NOW + timedelta(hours=6)
    assert (
        jumper.followers_at(when, world.epoch)
        - jumper.followers_at(when - timedelta(seconds=1), world.epoch)
        == 900
    )
    assert world.account("instagram", "ateliercire.perso").business is False
