"""InstagramAdapter (meta/instagram.py) against the Instagram emulator over real HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.support.adapters import logged
from tests.support.meta_world import (
    IG_ID,
    IG_RIVAL_ID,
    NOW,
)

from socialops.networks import (
    Draft,
    InvalidRequest,
    QuotaExceeded,
    TransientError,
    idempotency_key,
)
from socialops.networks.meta.instagram import InstagramAdapter
from socialops.sandbox.meta_api import InstagramEmulator

SINCE = NOW - timedelta(days=1)


def test_instagram_resolves_its_account_through_the_page(instagram, sandbox):
    assert instagram.ig_user_id == IG_ID
    assert instagram.check().followers == 31000
    # One call: the Page's linked account with its profile fields expanded in place.
    [page] = logged(sandbox, "instagram")
    assert page["path"] == "/v21.0/me"
    assert page["query"]["fields"] == (
        f"instagram_business_account{{{InstagramAdapter.PROFILE_FIELDS}}}"
    )


def test_instagram_without_a_linked_account_says_what_to_configure(server, sandbox, make_adapter):
    sandbox.world.accounts.pop(("instagram", IG_ID))
    adapter = make_adapter(server, "instagram")
    with pytest.raises(InvalidRequest, match="set extra 'ig_user_id' in connection"):
        adapter.account_metrics("brand", date(2026, 11, 19))


def test_instagram_night_reads_the_profile_with_the_account_id_once(instagram):
    day = instagram.account_metrics("brand", date(2026, 11, 19))
    posts = instagram.recent_posts("@Brand", SINCE)
    instagram.post_metrics([p.post_id for p in posts])

    assert (day.followers, day.following, day.posts_count) == (31000, 120, 12)
    assert instagram.api_calls == {
        "GET /{page-id}?fields=instagram_business_account": 1,
        "GET /{ig-user-id}/insights": 1,
        "GET /{ig-user-id}/media": 1,
        "GET /?ids={media-ids}&fields=insights": 1,
    }


def test_instagram_profile_is_read_again_by_the_next_task(server, sandbox, make_adapter):
    for _ in range(2):
        adapter = make_adapter(server, "instagram", ig_user_id=IG_ID)
        assert adapter.account_metrics(IG_ID, date(2026, 11, 19)).followers == 31000
        adapter.close()
    assert len(logged(sandbox, "instagram", "GET", f"/v21.0/{IG_ID}")) == 2


def test_instagram_publishes_an_image_after_checking_the_quota(instagram, sandbox):
    text = "Fresh from the atelier"
    receipt = instagram.publish(
        Draft("brand", text, link="https://brand.example", media=("https://cdn.example/a.jpg",)),
        idempotency_key("e1", "instagram", text),
    )
    post = sandbox.world.post("instagram", receipt.external_id)
    assert (post.kind, post.text) == ("post", "Fresh from the atelier\nhttps://brand.example")
    assert receipt.url.startswith("https://www.instagram.com/p/")
    paths = [r["path"].replace(f"/v21.0/{IG_ID}", "") for r in logged(sandbox, "instagram")]
    assert paths[1:4] == ["/content_publishing_limit", "/media", paths[3]]
    assert "/media_publish" in paths


def test_instagram_publishes_a_carousel_of_child_containers(instagram, sandbox):
    media = ("https://cdn.example/1.jpg", "https://cdn.example/2.jpg", "https://cdn.example/3.jpg")
    receipt = instagram.publish(Draft("brand", "Three looks", media=media), "instagram:e:1")
    post = sandbox.world.post("instagram", receipt.external_id)
    assert (post.kind, post.media) == ("carousel", list(media))
    assert len(logged(sandbox, "instagram", "POST", f"/v21.0/{IG_ID}/media")) == 4


def test_instagram_waits_for_a_video_container(instagram, sandbox):
    receipt = instagram.publish(
        Draft("brand", "Behind the scenes", media=("https://cdn.example/r.mp4",)), "ig:e:1"
    )
    assert sandbox.world.post("instagram", receipt.external_id).kind == "reel"
    assert instagram.http.sleep == [1.0, 1.0]  # two IN_PROGRESS polls, then FINISHED


def test_instagram_container_error_publishes_nothing(instagram, sandbox):
    with pytest.raises(InvalidRequest, match="is ERROR"):
        instagram.publish(
            Draft("brand", "Oops", media=("https://cdn.example/broken.jpg",)), "ig:e:1"
        )
    assert not logged(sandbox, "instagram", "POST", f"/v21.0/{IG_ID}/media_publish")


def test_instagram_container_still_in_progress_after_the_bound_is_transient(server, make_adapter):
    server.sandbox.emulators["instagram"].video_processing_polls = 100
    adapter = make_adapter(server, "instagram", container_wait=3)
    with pytest.raises(TransientError, match="still IN_PROGRESS after 3s; nothing was published"):
        adapter.publish(
            Draft("brand", "Long video", media=("https://cdn.example/long.mp4",)), "ig:e:1"
        )
    assert adapter.http.sleep == [1.0, 1.0, 1.0]


def test_instagram_refuses_to_publish_when_the_quota_is_used_up(instagram, sandbox):
    sandbox.emulators["instagram"].quota_total = 1
    instagram.publish(Draft("brand", "First", media=("https://cdn.example/1.jpg",)), "ig:e:1")
    with pytest.raises(QuotaExceeded, match="1 of its 1 posts allowed in 24 hours"):
        instagram.publish(Draft("brand", "Second", media=("https://cdn.example/2.jpg",)), "ig:e:2")
    assert len(logged(sandbox, "instagram", "POST", f"/v21.0/{IG_ID}/media")) == 1


def test_instagram_limit_reached_between_check_and_publish_is_quota_exceeded(
    instagram, sandbox, monkeypatch
):
    sandbox.emulators["instagram"].quota_total = 0
    monkeypatch.setattr(
        instagram, "publishing_quota", lambda: (0, 100)
    )  # another tool published meanwhile
    with pytest.raises(QuotaExceeded, match="2207042"):
        instagram.publish(Draft("brand", "Late", media=("https://cdn.example/1.jpg",)), "ig:e:1")


def test_instagram_needs_public_media_urls(server, instagram, sandbox, tmp_path, make_adapter):
    with pytest.raises(InvalidRequest, match="at least one image"):
        instagram.publish(Draft("brand", "No media"), "ig:e:1")
    without_base = make_adapter(server, "instagram", media_base_url=None)
    with pytest.raises(
        InvalidRequest, match="set extra 'media_base_url' in Airflow connection 'instagram_default'"
    ):
        without_base.publish(Draft("brand", "Local", media=("/tmp/a.jpg",)), "ig:e:2")
    local = tmp_path / "ambre collection.png"
    receipt = instagram.publish(Draft("brand", "Local file", media=(str(local),)), "ig:e:3")
    base = InstagramEmulator.connection(server.url)["extra"]["media_base_url"]
    assert sandbox.world.post("instagram", receipt.external_id).media == [
        f"{base}/ambre%20collection.png"
    ]


def test_instagram_reads_media_insights_account_comments_tags_and_discovery(instagram):
    posts = instagram.recent_posts("brand", NOW - timedelta(hours=2, minutes=30))
    assert [(p.post_id, p.kind) for p in posts] == [
        ("17900000000000100", "post"),
        ("17900000000000101", "reel"),
    ]

    metrics = {
        m.post_id: m for m in instagram.post_metrics(["17900000000000100", "17900000000000101"])
    }
    assert (metrics["17900000000000100"].reach, metrics["17900000000000100"].saves) == (4000, 8)
    assert metrics["17900000000000100"].video_views is None
    assert metrics["17900000000000101"].video_views == 7000
    assert metrics["17900000000000101"].likes == 200

    day = instagram.account_metrics("brand", date(2026, 11, 19))
    assert (day.followers, day.following, day.posts_count) == (31000, 120, 12)
    assert day.reach > 0 and day.impressions > 0 and day.profile_views == 186

    assert [c.text for c in instagram.comments(["17900000000000100"], SINCE)] == [
        f"Nice post {n}!" for n in range(3)
    ]
    assert [m.author_handle for m in instagram.mentions("brand", NOW - timedelta(hours=6))] == [
        "fan",
        "fan",
    ]

    rival = instagram.profiles(["@rival", "fan", "ghost"])
    assert [(p.account_id, p.followers, p.posts_count) for p in rival] == [(IG_RIVAL_ID, 88000, 1)]
    assert [p.post_id for p in instagram.recent_posts("rival", NOW - timedelta(days=3))] == [
        "17900000000000999"
    ]
