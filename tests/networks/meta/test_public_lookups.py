"""The Graph adapters' public lookups: Instagram business discovery with field expansion
(profile and media in one call), personal accounts unreadable with the reason; Facebook
Pages 50 per call, and another Page's posts only with Page Public Content Access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.support.adapters import logged
from tests.support.meta_world import IG_RIVAL_ID, NOW, RIVAL_PAGE_ID

from socialops.networks import NotSupported
from socialops.sandbox.world import SandboxAccount, SandboxPost

SINCE = NOW - timedelta(days=3)


def add_rival_posts(world, network: str, owner: str, make_id) -> list[str]:
    ids = []
    for n in range(3):
        post_id = make_id(n)
        world.add_post(
            SandboxPost(
                network,
                post_id,
                owner,
                f"Rival post {n}",
                NOW - timedelta(days=n, hours=1),
                final={"likes": 100 * (n + 1), "comments": 10 + n, "shares": n},
                half_life_hours=0.001,
            )
        )
        ids.append(post_id)
    return ids


def test_instagram_profile_and_posts_come_from_one_discovery_call(instagram, sandbox):
    ids = add_rival_posts(
        sandbox.world, "instagram", IG_RIVAL_ID, lambda n: str(17_950_000_000_000_000 + n)
    )

    lookup = instagram.lookup_profiles(["@rival"])
    posts = instagram.public_posts("rival", SINCE)

    assert [(p.handle, p.followers, p.following, p.has_picture) for p in lookup.found] == [
        ("rival", 88000, 40, True)
    ]
    assert [(p.post_id, p.likes, p.comments) for p in posts if p.post_id in ids] == [
        (ids[0], 100, 10),
        (ids[1], 200, 11),
        (ids[2], 300, 12),
    ]
    assert all(p.created_at >= SINCE for p in posts)
    discovery = [c for c in logged(sandbox, "instagram") if "business_discovery" in str(c["query"])]
    assert len(discovery) == 1  # the own account's id resolved, then one call for both


def test_instagram_personal_account_is_unreadable_with_the_reason(instagram, sandbox):
    sandbox.world.add_account(
        SandboxAccount(
            "instagram", "17841400000000077", "personal", "P", "competitor", 900, business=False
        )
    )
    lookup = instagram.lookup_profiles(["personal", "rival"])
    assert [p.handle for p in lookup.found] == ["rival"]
    assert "not a business or creator account" in lookup.unreadable["personal"]
    with pytest.raises(NotSupported, match="business or creator"):
        instagram.public_posts("personal", SINCE)


def test_instagram_default_picture(instagram, sandbox):
    sandbox.world.add_account(
        SandboxAccount(
            "instagram", "17841400000000078", "nopic", "N", "influencer", 90, has_picture=False
        )
    )
    (profile,) = instagram.lookup_profiles(["nopic"]).found
    assert profile.has_picture is False


def test_facebook_pages_in_one_call_and_a_missing_page_named(facebook, sandbox):
    lookup = facebook.lookup_profiles(["@rival", "nobody-here", RIVAL_PAGE_ID])
    assert [(p.account_id, p.followers) for p in lookup.found] == [(RIVAL_PAGE_ID, 54000)]
    assert lookup.unreadable == {"nobody-here": "no such Page (renamed, deleted or unpublished)"}


def test_facebook_posts_of_another_page_need_public_content_access(facebook, sandbox):
    sandbox.world.page_public_content_access = False
    with pytest.raises(NotSupported, match="Page Public Content Access"):
        facebook.public_posts("rival", SINCE)


def test_facebook_posts_of_another_page_with_public_content_access(facebook, sandbox):
    sandbox.world.page_public_content_access = True
    ids = add_rival_posts(
        sandbox.world, "facebook", RIVAL_PAGE_ID, lambda n: f"{RIVAL_PAGE_ID}_7{n}"
    )

    posts = facebook.public_posts("rival", SINCE)

    assert [(p.post_id, p.likes, p.comments, p.shares) for p in posts if p.post_id in ids] == [
        (ids[0], 100, 10, 0),
        (ids[1], 200, 11, 1),
        (ids[2], 300, 12, 2),
    ]
    assert facebook.api_calls["GET /{page-id}/posts"] == 1  # counters by field expansion
