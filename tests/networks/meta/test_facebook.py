"""FacebookAdapter (meta/facebook.py) against the Facebook emulator over real HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.support.adapters import logged
from tests.support.meta_world import (
    NOW,
    PAGE_ID,
    RIVAL_PAGE_ID,
)

from socialops.networks import (
    Draft,
    DuplicateContent,
    InvalidRequest,
    idempotency_key,
)

SINCE = NOW - timedelta(days=1)


def test_facebook_check_resolves_the_page_from_the_token(facebook):
    profile = facebook.check()
    assert (profile.account_id, profile.handle, profile.followers, profile.verified) == (
        PAGE_ID,
        "brand",
        20000,
        True,
    )
    assert facebook.page_id == PAGE_ID


def test_facebook_publishes_a_feed_post_with_a_link(facebook, sandbox):
    draft = Draft("brand", "Our new collection", link="https://brand.example/new")
    receipt = facebook.publish(draft, idempotency_key("e1", "facebook", draft))
    post = sandbox.world.post("facebook", receipt.external_id)
    assert (post.text, post.link, post.account_id) == (
        "Our new collection",
        "https://brand.example/new",
        PAGE_ID,
    )
    assert receipt.url == f"https://www.facebook.com/{receipt.external_id}"
    assert receipt.published_at == NOW
    assert logged(sandbox, "facebook", "POST")[0]["path"] == f"/v21.0/{PAGE_ID}/feed"


def test_facebook_publishes_a_photo_from_a_url_or_a_local_file(facebook, sandbox, tmp_path):
    by_url = facebook.publish(
        Draft("brand", "A photo", media=("https://cdn.example/p.jpg",)),
        idempotency_key("e2", "facebook", "A photo"),
    )
    image = tmp_path / "local.jpg"
    image.write_bytes(b"\xff\xd8fake-jpeg")
    uploaded = facebook.publish(
        Draft("brand", "An upload", media=(str(image),)),
        idempotency_key("e3", "facebook", "An upload"),
    )
    assert sandbox.world.post("facebook", by_url.external_id).media == ["https://cdn.example/p.jpg"]
    assert sandbox.world.post("facebook", uploaded.external_id).media == ["upload:local.jpg"]
    assert sandbox.world.post("facebook", uploaded.external_id).text == "An upload"


def test_facebook_refuses_a_missing_photo_and_a_duplicate_status(facebook):
    with pytest.raises(InvalidRequest, match="neither a URL nor an existing file"):
        facebook.publish(Draft("brand", "x", media=("/nope.jpg",)), "facebook:e:1")
    facebook.publish(Draft("brand", "Same words"), "facebook:e:2")
    with pytest.raises(DuplicateContent, match="506"):
        facebook.publish(Draft("brand", "Same words"), "facebook:e:3")


def test_facebook_reads_posts_insights_comments_mentions_and_profiles(facebook):
    posts = facebook.recent_posts("brand", NOW - timedelta(hours=3, minutes=30))
    assert [p.post_id for p in posts] == [f"{PAGE_ID}_900", f"{PAGE_ID}_901", f"{PAGE_ID}_902"]
    assert posts[0].text.startswith("Brand facebook post number 0")

    day = facebook.account_metrics("brand", date(2026, 11, 19))
    assert (
        day.followers == 20000 and day.impressions > 0 and day.reach > 0 and day.profile_views == 80
    )

    metrics = {m.post_id: m for m in facebook.post_metrics([f"{PAGE_ID}_900", f"{PAGE_ID}_901"])}
    assert metrics[f"{PAGE_ID}_901"].impressions == 5001
    assert metrics[f"{PAGE_ID}_901"].reach == 4001
    assert metrics[f"{PAGE_ID}_901"].likes == 200
    assert metrics[f"{PAGE_ID}_901"].shares == 40
    assert metrics[f"{PAGE_ID}_900"].shares == 0  # Graph leaves out 'shares' nobody made
    assert metrics[f"{PAGE_ID}_900"].saves is None  # Facebook reports no saves

    comments = facebook.comments([f"{PAGE_ID}_900", f"{PAGE_ID}_901"], SINCE)
    assert [c.mention_id for c in comments] == ["facebook-c0", "facebook-c1", "facebook-c2"]
    assert comments[0].in_reply_to == f"{PAGE_ID}_900" and comments[0].kind == "comment"

    mentions = facebook.mentions("brand", NOW - timedelta(hours=6))
    assert [m.mention_id for m in mentions] == ["facebook-m0", "facebook-m1"]

    profiles = facebook.profiles(["@rival", "nobody-here", RIVAL_PAGE_ID])
    assert [(p.account_id, p.handle, p.followers) for p in profiles] == [
        (RIVAL_PAGE_ID, "rival", 54000)
    ]
