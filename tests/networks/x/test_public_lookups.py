"""XAdapter's public lookups (competitor watch, influencer scoring) against the X emulator:
100 users per call, the privacy fields, the reason an account cannot be read, and another
account's posts with their public counters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.support.adapters import logged
from tests.support.x_world import NOW, RIVAL_ID

from socialops.networks import NotSupported
from socialops.sandbox.world import SandboxAccount, SandboxPost

SINCE = NOW - timedelta(days=2)


def add_users(world, count: int) -> list[str]:
    handles = []
    for n in range(count):
        handle = f"user{n:04d}"
        world.add_account(
            SandboxAccount("x", str(3_000_000_000 + n), handle, handle, "public", 100 + n)
        )
        handles.append(handle)
    return handles


def test_250_handles_are_looked_up_in_three_calls(adapter, sandbox):
    handles = add_users(sandbox.world, 250)

    lookup = adapter.lookup_profiles(handles)

    assert sorted(p.handle for p in lookup.found) == handles
    assert lookup.unreadable == {}
    calls = logged(sandbox, "x", path="/2/users/by")
    assert [len(c["query"]["usernames"].split(",")) for c in calls] == [100, 100, 50]
    assert adapter.api_calls == {"GET /2/users/by": 3}


def test_ids_and_handles_go_to_their_own_endpoint(adapter, sandbox):
    lookup = adapter.lookup_profiles([RIVAL_ID, "@fan", "fan"])
    assert sorted(p.handle for p in lookup.found) == ["fan", "rival"]
    assert adapter.api_calls == {"GET /2/users": 1, "GET /2/users/by": 1}


def test_a_missing_account_is_unreadable_with_the_reason(adapter):
    lookup = adapter.lookup_profiles(["rival", "ghost_account"])
    assert [p.handle for p in lookup.found] == ["rival"]
    assert lookup.unreadable == {"ghost_account": "no such account (renamed or deleted)"}


def test_profile_says_protected_and_default_picture(adapter, sandbox):
    sandbox.world.add_account(
        SandboxAccount(
            "x", "4000000001", "eggy", "Eggy", "public", 10, has_picture=False, protected=True
        )
    )
    found = {p.handle: p for p in adapter.lookup_profiles(["eggy", "rival"]).found}
    assert (found["eggy"].has_picture, found["eggy"].protected) == (False, True)
    assert (found["rival"].has_picture, found["rival"].protected) == (True, False)


def test_public_posts_carry_the_public_counters(adapter, sandbox):
    sandbox.world.add_post(
        SandboxPost(
            "x",
            "1810000000000000001",
            RIVAL_ID,
            "Rival launch &amp; more",
            NOW - timedelta(hours=5),
            final={"impressions": 9000, "likes": 300, "comments": 12, "shares": 30},
            half_life_hours=0.01,  # settled: the counters are the final ones
        )
    )
    adapter.lookup_profiles(["rival"])

    posts = adapter.public_posts("rival", SINCE)

    launch = next(p for p in posts if p.post_id == "1810000000000000001")
    assert (launch.likes, launch.comments, launch.views) == (300, 12, 9000)
    assert launch.url == "https://x.com/rival/status/1810000000000000001"
    assert all(p.created_at >= SINCE for p in posts)
    # The lookup before it resolved the account: only the timeline is read.
    assert adapter.api_calls["GET /2/users/:id/tweets"] == 1
    assert "GET /2/users/by/username/:username" not in adapter.api_calls


def test_a_protected_account_has_no_public_posts(adapter, sandbox):
    sandbox.world.add_account(
        SandboxAccount("x", "4000000002", "locked", "Locked", "public", 10, protected=True)
    )
    with pytest.raises(NotSupported, match="protected"):
        adapter.public_posts("locked", SINCE)
    assert "GET /2/users/:id/tweets" not in adapter.api_calls
