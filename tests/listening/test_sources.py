"""Listening sources: the plan, the queries, the cursor rule, the YouTube budget, feeds."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from tests.listening.conftest import NOW, ScriptedNetwork, mention

from socialops.listening import sources
from socialops.listening.sources import Context, FeedError, Position, Source


def test_plan_lists_every_source_of_the_brand(config):
    keys = [s.key for s in sources.plan(config)]
    assert keys[:2] == ["x:search", "x:comments:maisonlumiere"]
    for network in ("x", "youtube", "facebook", "instagram"):
        assert f"{network}:comments:maisonlumiere" in keys
    assert "linkedin:comments:maison-lumiere" in keys  # organisation posts' comments
    assert {"facebook:tagged:maisonlumiere", "instagram:tagged:maisonlumiere"} <= set(keys)
    assert "youtube:search" in keys and "instagram:hashtags:maisonlumiere" in keys
    assert len(keys) == len(set(keys))


def test_plan_has_a_source_per_feed_and_no_search_without_terms(config):
    listening = config.listening.model_copy(
        update={"keywords": [], "hashtags": [], "feeds": ["https://a.example/rss"]}
    )
    keys = [s.key for s in sources.plan(config.model_copy(update={"listening": listening}))]
    assert "x:search" not in keys and "youtube:search" not in keys
    assert "feed:https://a.example/rss" in keys


def test_x_query_excludes_retweets_and_own_posts(config):
    query = sources.x_query(config.listening, ["maisonlumiere"])
    assert query == (
        '("maison lumière" OR maisonlumiere OR "bougie lumière" OR #maisonlumiere OR '
        "#bougieparfumee) (lang:fr OR lang:en) -is:retweet -from:maisonlumiere"
    )


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Ma commande MAISON LUMIÈRE est arrivée", "maison lumière"),
        ("vu sur #maisonlumiere aujourd'hui", "#maisonlumiere"),
        ("maisonlumieres n'est pas le nom", None),
        ("rien à voir", None),
    ],
)
def test_matched_term(config, text, term):
    assert sources.matched_term(text, sources.search_terms(config.listening)) == term


def test_advance_reads_nothing_twice_even_at_the_same_second():
    first = [mention("1", 30), mention("2", 10), mention("3", 10)]
    new, position = sources.advance(first, Position(), NOW - timedelta(hours=1))
    assert [m.mention_id for m in new] == ["1", "2", "3"]
    assert position.since == NOW - timedelta(minutes=10)
    assert position.seen == ("2", "3")
    # The API's since is inclusive: "2" and "3" come back, with a new "4" at the same time.
    again = [mention("2", 10), mention("3", 10), mention("4", 10)]
    new, position = sources.advance(again, position, position.since)
    assert [m.mention_id for m in new] == ["4"]
    assert position.seen == ("2", "3", "4")
    new, after = sources.advance(again, position, position.since)
    assert new == [] and after == position


def test_advance_deduplicates_one_read():
    new, _ = sources.advance([mention("1", 5), mention("1", 5)], Position(), NOW - timedelta(1))
    assert len(new) == 1


def test_the_brand_own_posts_are_dropped(config):
    network = ScriptedNetwork(
        found=[mention("1", 5, author_handle="MaisonLumiere"), mention("2", 5)]
    )
    reading = sources.read(
        Source("x:search", "x", "search", "maisonlumiere"),
        Position(),
        Context(config, NOW, adapter=lambda: network),
    )
    assert [m.mention_id for m in reading.mentions] == ["2"]
    assert reading.matched["2"] == "maison lumière"


def test_youtube_search_stays_within_its_daily_budget(config):
    listening = config.listening.model_copy(update={"youtube_search_per_day": 7})
    brand = config.model_copy(update={"listening": listening})
    network = ScriptedNetwork(network="youtube")
    source = Source("youtube:search", "youtube", "video_search", "maisonlumiere")
    context = Context(brand, NOW, adapter=lambda: network)
    first = sources.read(source, Position(), context)
    assert len(network.calls) == 5  # five terms
    second = sources.read(source, first.position, context)
    assert len(network.calls) == 7  # the budget: 2 more today
    assert second.position.extra == {"day": "2026-11-21", "searches": 7}  # Pacific day
    assert any("budget" in note for note in second.notes)
    tomorrow = Context(brand, NOW + timedelta(days=1), adapter=lambda: network)
    sources.read(source, second.position, tomorrow)
    assert len(network.calls) == 12  # a new day, a new budget


def test_comments_are_read_on_the_recent_own_posts(config):
    from socialops.networks import records

    post = records.Post("instagram", "1", "p1", NOW - timedelta(days=1), "Nouveau")
    network = ScriptedNetwork(network="instagram", posts=[post], found=[mention("c1", 3)])
    reading = sources.read(
        Source("instagram:comments:maisonlumiere", "instagram", "comments", "maisonlumiere"),
        Position(),
        Context(config, NOW, adapter=lambda: network),
    )
    assert network.calls[0] == ("recent_posts", "maisonlumiere", NOW - timedelta(days=7))
    assert network.calls[1][:2] == ("comments", ("p1",))
    assert [m.mention_id for m in reading.mentions] == ["c1"]


# -- feeds against the sandbox --------------------------------------------------------------


@pytest.fixture
def feed_context(config, sandbox):
    return lambda url_path: (
        Source(
            f"feed:{sandbox.url}/feeds/{url_path}",
            "web",
            "feed",
            url=f"{sandbox.url}/feeds/{url_path}",
        ),
        Context(config, sandbox.world.now()),
    )


@pytest.mark.parametrize("path", ["news.xml", "blog.atom"])
def test_a_feed_gives_the_entries_naming_the_brand_then_304(feed_context, sandbox, path):
    source, context = feed_context(path)
    context.config = context.config.model_copy()
    reading = sources.read(source, Position(), context)
    assert reading.mentions, "the sandbox's feed has articles naming the brand in the last day"
    assert all("maison lumière" in m.text.casefold() for m in reading.mentions)
    assert {m.network for m in reading.mentions} == {"web"}
    assert reading.position.extra["etag"]
    again = sources.read(source, reading.position, context)
    assert again.mentions == [] and any("304" in note for note in again.notes)
    statuses = [r["status"] for r in sandbox.requests("feeds")]
    assert statuses == [200, 304]


def test_a_feed_with_only_last_modified_is_also_conditional(feed_context, sandbox):
    source, context = feed_context("news.xml")
    reading = sources.read(source, Position(), context)
    extra = {k: v for k, v in reading.position.extra.items() if k != "etag"}
    again = sources.read(
        source, Position(reading.position.since, reading.position.seen, extra), context
    )
    assert again.mentions == []
    assert sandbox.requests("feeds")[-1]["status"] == 304


def test_a_malformed_feed_is_an_error_that_names_it(feed_context):
    source, context = feed_context("broken.xml")
    with pytest.raises(FeedError, match="broken.xml is not a valid RSS/Atom feed"):
        sources.read(source, Position(), context)


def test_a_feed_that_times_out_is_an_error(feed_context, sandbox, monkeypatch):
    monkeypatch.setattr(sources, "FEED_TIMEOUT", 0.3)
    sandbox.add_fault(network="feeds", kind="hold", path="/slow.xml", hold_seconds=2)
    source, context = feed_context("slow.xml")
    with pytest.raises(FeedError, match="did not answer within"):
        sources.read(source, Position(), context)


def test_an_unreachable_feed_is_an_error(config):
    def refuse(url, **_):
        raise requests.ConnectionError("refused")

    source = Source("feed:http://127.0.0.1:9/x", "web", "feed", url="http://127.0.0.1:9/x")
    with pytest.raises(FeedError, match="unreachable"):
        sources.read(source, Position(), Context(config, NOW, fetch=refuse))


# -- Instagram hashtags: 30 a week ------------------------------------------------------------


def test_the_hashtag_plan_says_which_hashtags_are_searched_within_30_a_week():
    tags = [f"#tag{n}" for n in range(35)]
    planned, waiting, kept = sources.hashtag_plan(tags, {}, NOW)
    assert planned == [f"tag{n}" for n in range(30)]
    assert waiting == ["tag30", "tag31", "tag32", "tag33", "tag34"]
    # Searched again within the week, the same 30 cost nothing more; the rest still waits.
    later = NOW + timedelta(days=6)
    assert sources.hashtag_plan(tags, kept, later)[:2] == (planned, waiting)
    # A week after a first search its place is free again, taken in configuration order.
    kept["tag1"] = (NOW - timedelta(days=7)).isoformat()
    planned, waiting, kept = sources.hashtag_plan(tags[2:], kept, NOW)
    assert planned == [f"tag{n}" for n in range(2, 31)]  # tag30 took tag1's place
    assert waiting == ["tag31", "tag32", "tag33", "tag34"]
    assert kept["tag30"] == NOW.isoformat() and "tag1" not in kept


def test_instagram_hashtag_media_against_the_sandbox(config, sandbox_connections):
    from socialops.hooks import connect

    world = sandbox_connections.world
    hashtagged = [
        m
        for m in world.network_mentions("instagram")
        if not m.in_reply_to
        and "#maisonlumiere" in m.text
        and world.now() - m.created_at <= timedelta(hours=24)
    ]
    assert hashtagged, "the default scenario has hashtagged Instagram media in the last day"
    adapter = connect("instagram")
    try:
        found = adapter.hashtag_media("#maisonlumiere", world.now() - timedelta(days=2))
    finally:
        adapter.close()
    assert sorted(m.mention_id for m in found) == sorted(m.id for m in hashtagged)
    paths = [r["path"] for r in sandbox_connections.requests("instagram")]
    assert any(p.endswith("/ig_hashtag_search") for p in paths)


def test_the_sandbox_refuses_a_31st_hashtag_in_a_week(sandbox_connections):
    from socialops.hooks import connect
    from socialops.networks.errors import NetworkError

    adapter = connect("instagram")
    try:
        for n in range(30):
            adapter.hashtag_media(f"tag{n}", NOW)
        adapter.hashtag_media("tag0", NOW)  # the same hashtag again: no new place
        with pytest.raises(NetworkError, match="30 unique hashtags"):
            adapter.hashtag_media("tag30", NOW)
    finally:
        adapter.close()


def test_the_hashtag_source_searches_the_planned_hashtags_and_says_which_wait(config):
    tags = [f"#t{n}" for n in range(32)]
    brand = config.model_copy(
        update={"listening": config.listening.model_copy(update={"hashtags": tags})}
    )
    network = ScriptedNetwork(network="instagram", found=[mention("m1", 5, "#t3 jolie")])
    source = Source("instagram:hashtags:maisonlumiere", "instagram", "hashtags", "maisonlumiere")
    reading = sources.read(source, Position(), Context(brand, NOW, adapter=lambda: network))
    assert [c[1] for c in network.calls] == [f"t{n}" for n in range(30)]
    assert [m.mention_id for m in reading.mentions] == ["m1"]  # found under 30 tags: once
    assert any("t30, t31 wait" in note for note in reading.notes)
    assert len(reading.position.extra["searched"]) == 30


def test_x_search_against_the_sandbox_gives_each_author_reach(config, sandbox_connections):
    import json as json_module

    from socialops.networks.base import ConnectionSettings
    from socialops.networks.x.adapter import XAdapter

    world = sandbox_connections.world
    settings = ConnectionSettings.from_json(
        json_module.loads(sandbox_connections.connections()["AIRFLOW_CONN_X_DEFAULT"]), "x_default"
    )
    source = Source("x:search", "x", "search", "maisonlumiere")
    context = Context(config, world.now(), adapter=lambda: XAdapter(settings, now=world.now))
    reading = sources.read(source, Position(), context)
    assert reading.mentions
    followers = {(a.network, a.id): a.followers for a in world.accounts.values()}
    for found in reading.mentions:
        assert found.author_reach == followers[("x", found.author_id)]
        assert found.author_handle != "maisonlumiere"
    again = sources.read(source, reading.position, context)
    assert again.mentions == []
