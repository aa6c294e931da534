"""The world's post index: per-account timelines kept true through every change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from socialops.sandbox.scenario import load_scenario
from socialops.sandbox.world import SandboxPost, World

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def _scan(world: World, network: str, account_id: str) -> list[SandboxPost]:
    """What account_posts answered before the index: a scan of the world, stable-sorted."""
    posts = [p for p in world.posts.values() if p.network == network and p.account_id == account_id]
    return sorted(posts, key=lambda p: p.created_at, reverse=True)


def _post(post_id: str, account_id: str = "1", minutes: int = 0, network: str = "x") -> SandboxPost:
    return SandboxPost(
        network, post_id, account_id, f"post {post_id}", NOW - timedelta(minutes=minutes)
    )


def test_newest_first_and_same_instant_in_the_order_added():
    world = World(epoch=NOW)
    for post_id, minutes in [("a", 5), ("b", 1), ("c", 5), ("d", 9), ("e", 1)]:
        world.add_post(_post(post_id, minutes=minutes))
    world.add_post(_post("other", account_id="2", minutes=3))
    world.add_post(_post("a", network="youtube", minutes=2))  # same id, other network
    assert [p.id for p in world.account_posts("x", "1")] == ["b", "e", "a", "c", "d"]
    assert [p.id for p in world.account_posts("x", "2")] == ["other"]
    assert [p.id for p in world.account_posts("youtube", "1")] == ["a"]
    assert world.account_posts("x", "unknown") == []


def test_since_and_until_are_both_included():
    world = World(epoch=NOW)
    for minutes in range(10):
        world.add_post(_post(str(minutes), minutes=minutes))
    window = world.account_posts(
        "x", "1", since=NOW - timedelta(minutes=7), until=NOW - timedelta(minutes=2)
    )
    assert [p.id for p in window] == ["2", "3", "4", "5", "6", "7"]
    assert [p.id for p in world.account_posts("x", "1", until=NOW - timedelta(minutes=8))] == [
        "8",
        "9",
    ]
    assert [p.id for p in world.account_posts("x", "1", since=NOW - timedelta(minutes=1))] == [
        "0",
        "1",
    ]
    assert world.account_posts("x", "1", since=NOW + timedelta(seconds=1)) == []


def test_adding_a_post_again_moves_it_and_keeps_its_rank_among_equals():
    world = World(epoch=NOW)
    for post_id in "abc":
        world.add_post(_post(post_id, minutes=1))
    world.add_post(_post("a", minutes=1))  # replaced in place: still first of its instant
    assert [p.id for p in world.account_posts("x", "1")] == ["a", "b", "c"]
    moved = world.add_post(_post("b", account_id="2", minutes=30))
    assert [p.id for p in world.account_posts("x", "1")] == ["a", "c"]
    assert world.account_posts("x", "2") == [moved]
    assert world.post("x", "b") is moved and len(world.posts) == 3


def test_a_post_changed_in_place_is_still_found_and_removed_by_its_indexed_place():
    world = World(epoch=NOW)
    post = world.add_post(_post("a", minutes=1))
    world.add_post(_post("b", minutes=2))
    post.created_at = NOW - timedelta(days=3)  # not re-added: the index keeps its old place
    assert world.remove_post("x", "a") is post
    assert [p.id for p in world.account_posts("x", "1")] == ["b"]


def test_remove_post_deletes_from_every_view():
    world = World(epoch=NOW)
    world.add_post(_post("a"))
    world.add_post(_post("b", minutes=1))
    removed = world.remove_post("x", "a")
    assert removed is not None and removed.id == "a"
    assert world.post("x", "a") is None and ("x", "a") not in world.posts
    assert [p.id for p in world.account_posts("x", "1")] == ["b"]
    assert world.remove_post("x", "a") is None
    world.remove_post("x", "b")
    assert world.account_posts("x", "1") == [] and world.summary()["posts"] == {}


def test_posts_cannot_be_changed_behind_the_index():
    world = World(epoch=NOW)
    with pytest.raises(TypeError):
        world.posts[("x", "a")] = _post("a")  # type: ignore[index]


def test_random_changes_agree_with_a_scan_of_the_world():
    rng = random.Random(16)
    world = World(epoch=NOW)
    for _ in range(3_000):
        action = rng.random()
        post_id = str(rng.randrange(400))
        network = rng.choice(["x", "facebook"])
        if action < 0.7:
            world.add_post(_post(post_id, str(rng.randrange(4)), rng.randrange(50), network))
        else:
            world.remove_post(network, post_id)
    since, until = NOW - timedelta(minutes=30), NOW - timedelta(minutes=10)
    for network in ("x", "facebook"):
        for account_id in "0123":
            expected = _scan(world, network, account_id)
            assert world.account_posts(network, account_id) == expected
            assert world.account_posts(network, account_id, since=since, until=until) == [
                p for p in expected if since <= p.created_at <= until
            ]


def test_a_scenario_world_is_indexed_like_a_scan():
    world = load_scenario().build_world(seed=3, now=NOW)
    owners = {(p.network, p.account_id) for p in world.posts.values()}
    assert len(owners) >= 5
    for network, account_id in owners:
        assert world.account_posts(network, account_id) == _scan(world, network, account_id)
