"""The benchmark harness without running the benchmarks: minima, the reference world, the report."""

from __future__ import annotations

from bench.__main__ import render
from bench.nightly import MINIMUM_CALLS, _endpoint, pages
from bench.world import DAY, NETWORK_LOOKBACK, POSTS_PER_ACCOUNT, SHARDS, build_shard

from bench import read_results
from socialops.metrics import LookbackWindow


def test_minimum_calls_of_a_full_account():
    assert pages(0, 100) == 1 and pages(100, 100) == 1 and pages(101, 100) == 2
    assert MINIMUM_CALLS["x"][0](700) == 1 + 7 + 7
    assert MINIMUM_CALLS["youtube"][0](200) == 3 + 4 + 4
    # The Instagram account id comes with its profile (field expansion on the Page): one call.
    assert MINIMUM_CALLS["instagram"][0](700) == 2 + 7 + 14
    assert MINIMUM_CALLS["linkedin"][0](200) == 3 + 2 + 4


def test_the_reference_brand_has_10000_posts_in_its_windows():
    assert SHARDS * sum(POSTS_PER_ACCOUNT.values()) == 10_000
    world = build_shard(0)
    owned = [a for a in world.accounts.values() if a.role == "owned"]
    assert sorted(a.network for a in owned) == sorted(NETWORK_LOOKBACK)
    for account in owned:
        window = LookbackWindow.ending_on(DAY, NETWORK_LOOKBACK[account.network], "UTC")
        posts = world.account_posts(account.network, account.id)
        assert len(posts) == POSTS_PER_ACCOUNT[account.network]
        assert all(p.created_at in window for p in posts)


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
    assert "## API calls against the minimum" in text
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
        assert len(posts) == 3 * POSTS_PER_ACCOUNT[account.network]
        assert len({p.id for p in posts}) == len(posts)
        assert all(p.created_at in window for p in posts)
