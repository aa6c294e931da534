"""The benchmark harness without running the benchmarks: minima, the reference world, the report."""

from __future__ import annotations

from bench.__main__ import render
from bench.nightly import MINIMUM_CALLS, _endpoint, call_ratio, listing_pages, pages
from bench.world import (
    DAY,
    NETWORK_LOOKBACK,
    OLDER_POSTS_PER_ACCOUNT,
    POSTS_PER_ACCOUNT,
    SHARDS,
    build_shard,
)

from bench import read_results
from socialops.metrics import LookbackWindow


def test_minimum_calls_of_a_full_account():
    assert pages(0, 100) == 1 and pages(100, 100) == 1 and pages(101, 100) == 2
    # Listings carrying metrics need no lookup; X and Graph cut the window themselves.
    assert MINIMUM_CALLS["x"][0](700, 150) == 1 + 7
    assert MINIMUM_CALLS["facebook"][0](700, 150) == 2 + 7
    # The Instagram account id comes with its profile (field expansion on the Page): one call.
    assert MINIMUM_CALLS["instagram"][0](700, 150) == 2 + 7
    # Without a date filter a listing reads the first older post: 201 items, 5 pages of 50.
    assert MINIMUM_CALLS["youtube"][0](200, 150) == 3 + 5 + 4
    assert MINIMUM_CALLS["youtube"][0](200, 0) == 3 + 4 + 4
    assert MINIMUM_CALLS["linkedin"][0](200, 150) == 3 + 3 + 4
    assert MINIMUM_CALLS["linkedin"][0](199, 150) == 3 + 2 + 4


def test_listing_pages_count_the_first_older_post_only_without_a_date_filter():
    assert listing_pages(100, 0, 100, filtered=False) == 1
    assert listing_pages(100, 5, 100, filtered=False) == 2
    assert listing_pages(100, 5, 100, filtered=True) == 1


def test_the_reference_minimum_is_the_sum_over_networks():
    ratios = {network: call_ratio(network, 40) for network in MINIMUM_CALLS}
    assert {n: r["minimum"] for n, r in ratios.items()} == {
        "x": 32,
        "youtube": 48,
        "facebook": 36,
        "instagram": 36,
        "linkedin": 40,
    }
    assert ratios["x"]["ratio"] == 1.25 and ratios["linkedin"]["ratio"] == 1.0
    assert all(r["older_posts"] == SHARDS * OLDER_POSTS_PER_ACCOUNT for r in ratios.values())


def test_the_reference_brand_has_10000_posts_in_its_windows():
    assert SHARDS * sum(POSTS_PER_ACCOUNT.values()) == 10_000
    world = build_shard(0)
    owned = [a for a in world.accounts.values() if a.role == "owned"]
    assert sorted(a.network for a in owned) == sorted(NETWORK_LOOKBACK)
    for account in owned:
        window = LookbackWindow.ending_on(DAY, NETWORK_LOOKBACK[account.network], "UTC")
        posts = world.account_posts(account.network, account.id)
        inside = [p for p in posts if p.created_at in window]
        assert len(inside) == POSTS_PER_ACCOUNT[account.network]
        older = [p for p in posts if p.created_at < window.since]
        assert len(older) == OLDER_POSTS_PER_ACCOUNT == len(posts) - len(inside)


def test_endpoints_mask_ids_only():
    request = {"method": "GET", "path": "/v21.0/17841000000000001/media", "query": {}}
    assert _endpoint(request) == "GET /v21.0/:id/media"
    token = {"method": "POST", "path": "/oauth2/token", "query": {}}
    assert _endpoint(token) == "POST /oauth2/token"
    parts = {"method": "GET", "path": "/youtube/v3/channels", "query": {"part": "statistics"}}
    assert _endpoint(parts) == "GET /youtube/v3/channels (part=statistics)"


def test_the_committed_results_render():
    text = render(read_results())
    assert "## Nightly run of the reference brand" in text
    assert "## API calls against the true minimum" in text
    assert "## Bulk load: upsert against a raw COPY" in text
    assert "## Celery deployment: 1 vs 2 workers, beside one process" in text


def test_results_md_is_generated_from_the_committed_results():
    from bench import BENCH_DIR

    assert (BENCH_DIR / "RESULTS.md").read_text(encoding="utf-8") == render(read_results()), (
        "bench/RESULTS.md is stale: rerun `python -m bench`"
    )


def test_a_scaled_shard_holds_that_many_times_the_posts_in_the_same_windows():
    world = build_shard(1, scale=3)
    for account in (a for a in world.accounts.values() if a.role == "owned"):
        window = LookbackWindow.ending_on(DAY, NETWORK_LOOKBACK[account.network], "UTC")
        posts = world.account_posts(account.network, account.id)
        inside = [p for p in posts if p.created_at in window]
        assert len(inside) == 3 * POSTS_PER_ACCOUNT[account.network]
        assert len(posts) - len(inside) == OLDER_POSTS_PER_ACCOUNT  # older ones do not scale
        assert all(p.created_at < window.since for p in posts if p not in inside)
        assert len({p.id for p in posts}) == len(posts)
