"""XAdapter.recent_posts(..., metrics=True) against the X emulator: the timeline carries the
metrics of post_metrics (public, and private for own recent posts), so the nightly extraction
needs no lookup by id; only posts the timeline refused are read again."""

from __future__ import annotations

from datetime import timedelta

from tests.support.adapters import logged
from tests.support.x_world import BRAND_ID, NOW, RIVAL_ID

from socialops.sandbox.world import SandboxPost

SINCE = NOW - timedelta(days=7)


def _add_posts(world, account_id, count, *, first, start, step=timedelta(minutes=30)):
    ids = [str(first + n) for n in range(count)]
    for n, post_id in enumerate(ids):
        world.add_post(
            SandboxPost(
                "x",
                post_id,
                account_id,
                f"post {post_id}",
                start - step * n,
                final={"impressions": 1000 + n, "likes": n, "shares": n % 7, "link_clicks": n % 5},
            )
        )
    return ids


def test_own_timeline_carries_the_metrics_the_lookup_returns(server, sandbox, make_adapter):
    listing = make_adapter(server)
    posts = listing.recent_posts("brand", SINCE, metrics=True)
    lookup = make_adapter(server)

    expected = lookup.post_metrics([p.post_id for p in posts])

    assert len(posts) == 12 and all(p.metrics is not None for p in posts)
    assert [p.metrics for p in posts] == expected
    assert all(m.link_clicks is not None for m in expected)  # the private fields, own posts
    timeline = logged(sandbox, "x", "GET", f"/2/users/{BRAND_ID}/tweets")
    assert "non_public_metrics" in timeline[0]["query"]["tweet.fields"]
    assert listing.api_calls == {
        "GET /2/users/by/username/:username": 1,
        "GET /2/users/:id/tweets": 1,
    }


def test_a_window_of_250_posts_costs_three_pages_and_no_lookup(server, sandbox, make_adapter):
    _add_posts(
        sandbox.world,
        BRAND_ID,
        238,
        first=1_830_000_000_000_000_000,
        start=NOW - timedelta(hours=13),
    )
    adapter = make_adapter(server)

    posts = adapter.recent_posts("brand", SINCE, metrics=True)

    assert len(posts) == 250
    assert adapter.api_calls == {
        "GET /2/users/by/username/:username": 1,
        "GET /2/users/:id/tweets": 3,
    }


def test_older_posts_are_cut_by_start_time_without_an_extra_page(server, sandbox, make_adapter):
    world = sandbox.world
    _add_posts(
        world, BRAND_ID, 88, first=1_830_000_000_000_000_000, start=NOW - timedelta(hours=13)
    )
    # 150 posts before the window: X's start_time leaves them out, the 100 in it fill one page.
    _add_posts(
        world, BRAND_ID, 150, first=1_840_000_000_000_000_000, start=SINCE - timedelta(minutes=1)
    )
    adapter = make_adapter(server)

    posts = adapter.recent_posts("brand", SINCE, metrics=True)

    assert len(posts) == 100 and min(p.created_at for p in posts) >= SINCE
    assert adapter.api_calls["GET /2/users/:id/tweets"] == 1


def test_posts_refused_their_private_fields_are_read_again_by_id(server, sandbox, make_adapter):
    # A 40-day window: the posts past 30 days get no private metrics, so X leaves them out of
    # the page; they are read again with public fields, and the older pages ask only those.
    world = sandbox.world
    old = _add_posts(
        world,
        BRAND_ID,
        150,
        first=1_840_000_000_000_000_000,
        start=NOW - timedelta(days=31),
        step=timedelta(hours=1),
    )
    adapter = make_adapter(server)

    posts = adapter.recent_posts("brand", NOW - timedelta(days=40), metrics=True)

    assert len(posts) == 12 + 150
    assert [p.created_at for p in posts] == sorted((p.created_at for p in posts), reverse=True)
    listed = {p.post_id: p.metrics for p in posts}
    assert [listed[i] for i in old] == make_adapter(server).post_metrics(old)
    assert listed[old[0]].link_clicks is None and posts[0].metrics.link_clicks is not None
    timeline = logged(sandbox, "x", "GET", f"/2/users/{BRAND_ID}/tweets")
    asked_private = ["non_public_metrics" in r["query"]["tweet.fields"] for r in timeline]
    assert asked_private == [True, True]  # the second page was refused entirely: none later
    assert adapter.api_calls["GET /2/tweets"] == 2  # once per page with refused posts


def test_another_accounts_timeline_costs_one_lookup_then_public_fields(
    server, sandbox, make_adapter
):
    rival = _add_posts(
        sandbox.world,
        RIVAL_ID,
        230,
        first=1_810_000_000_000_000_000,
        start=NOW - timedelta(minutes=1),
        step=timedelta(minutes=1),
    )
    adapter = make_adapter(server)

    posts = adapter.recent_posts("rival", NOW - timedelta(days=1), metrics=True)

    assert [p.post_id for p in posts] == rival  # the rival's post of two days ago is older
    assert [p.metrics for p in posts] == make_adapter(server).post_metrics(rival)
    timeline = logged(sandbox, "x", "GET", f"/2/users/{RIVAL_ID}/tweets")
    assert ["non_public_metrics" in r["query"]["tweet.fields"] for r in timeline] == [
        True,
        False,
        False,
    ]
    assert adapter.api_calls["GET /2/tweets"] == 1


def test_bearer_only_reads_public_metrics_in_the_timeline(server, sandbox, make_adapter):
    adapter = make_adapter(server, bearer_only=True)

    posts = adapter.recent_posts("brand", SINCE, metrics=True)

    expected = make_adapter(server, bearer_only=True).post_metrics([p.post_id for p in posts])
    assert [p.metrics for p in posts] == expected
    assert all(p.metrics.link_clicks is None and p.metrics.likes is not None for p in posts)
    assert "GET /2/tweets" not in adapter.api_calls


def test_without_metrics_the_listing_is_unchanged(adapter, sandbox):
    posts = adapter.recent_posts("brand", SINCE)

    assert all(p.metrics is None for p in posts)
    timeline = logged(sandbox, "x", "GET", f"/2/users/{BRAND_ID}/tweets")
    assert "non_public_metrics" not in timeline[0]["query"]["tweet.fields"]
