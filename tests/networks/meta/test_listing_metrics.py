"""recent_posts(..., metrics=True) of both Meta adapters (meta/facebook.py, meta/instagram.py)
against the Graph emulators: the feed and media edges expand the fields of the id lookup, so a
night needs no ``?ids=`` lookup, and ``since`` cuts the older posts without an extra page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.support.adapters import logged
from tests.support.meta_world import IG_ID, NOW, PAGE_ID, build_meta_world

EDGES = {"facebook": f"/v21.0/{PAGE_ID}/posts", "instagram": f"/v21.0/{IG_ID}/media"}
LISTING = {"facebook": "GET /{page-id}/posts", "instagram": "GET /{ig-user-id}/media"}
ACCOUNT = {
    "facebook": {"GET /{page-id}": 1, "GET /{page-id}/insights": 1},
    "instagram": {
        "GET /{page-id}?fields=instagram_business_account": 1,
        "GET /{ig-user-id}/insights": 1,
    },
}
NETWORKS = pytest.mark.parametrize("network", ["facebook", "instagram"])


@pytest.fixture
def world_of(server):
    """``world_of(posts)``: the Meta world again with ``posts`` own posts an hour apart."""

    def rebuild(posts: int) -> None:
        server.sandbox._world_factory = lambda: build_meta_world(posts=posts)
        server.sandbox.reset()

    yield rebuild
    server.sandbox._world_factory = build_meta_world
    server.sandbox.reset()


@NETWORKS
def test_the_listing_carries_the_metrics_the_lookup_returns(network, server, make_adapter):
    listing = make_adapter(server, network)
    posts = listing.recent_posts("brand", NOW - timedelta(days=1), metrics=True)
    lookup = make_adapter(server, network)

    expected = lookup.post_metrics([p.post_id for p in posts])

    assert len(posts) == 12 and all(p.metrics is not None for p in posts)
    assert [p.metrics for p in posts] == expected
    assert all(m.reach is not None and m.likes is not None for m in expected)
    query = logged(server.sandbox, network, "GET", EDGES[network])[0]["query"]
    assert "insights.metric(" in query["fields"]
    assert LISTING[network] in listing.api_calls and len(listing.api_calls) <= 2


def test_an_instagram_reel_keeps_its_views_in_the_listing(server, make_adapter):
    posts = make_adapter(server, "instagram").recent_posts(
        "brand", NOW - timedelta(days=1), metrics=True
    )

    reel = next(p for p in posts if p.kind == "reel")
    assert reel.metrics.video_views == 7000
    assert all(p.metrics.video_views is None for p in posts if p.kind != "reel")


@NETWORKS
def test_a_night_of_250_posts_costs_three_pages_and_no_lookup(
    network, server, world_of, make_adapter
):
    world_of(250)
    adapter = make_adapter(server, network)

    adapter.account_metrics("brand", date(2026, 11, 19))
    posts = adapter.recent_posts("brand", NOW - timedelta(days=28), metrics=True)

    assert len(posts) == 250
    assert dict(adapter.api_calls) == {**ACCOUNT[network], LISTING[network]: 3}


@NETWORKS
def test_older_posts_are_cut_by_since_without_an_extra_page(
    network, server, world_of, make_adapter
):
    world_of(250)  # one an hour: 100 inside the window, 150 older
    adapter = make_adapter(server, network)

    posts = adapter.recent_posts("brand", NOW - timedelta(hours=100, minutes=30), metrics=True)

    assert len(posts) == 100
    assert adapter.api_calls[LISTING[network]] == 1


def test_another_pages_posts_carry_no_metrics_and_ask_no_insights(server, make_adapter):
    adapter = make_adapter(server, "facebook")

    posts = adapter.recent_posts("rival", NOW - timedelta(days=3), metrics=True)

    assert all(p.metrics is None for p in posts)
    assert all(
        "insights" not in r["query"].get("fields", "")
        for r in logged(server.sandbox, "facebook", "GET")
    )


def test_a_discovered_instagram_account_carries_no_metrics(server, make_adapter):
    posts = make_adapter(server, "instagram").recent_posts(
        "rival", NOW - timedelta(days=3), metrics=True
    )

    assert posts and all(p.metrics is None for p in posts)
