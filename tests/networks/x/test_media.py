"""Media uploads (x/media.py) against the X emulator: images, chunked videos, processing
waits, refusals before any call, media URLs."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select
from tests.support.adapters import Sleeps, logged, serving_files
from tests.support.x_world import (
    JPEG,
    MP4,
    NOW,
    PNG,
    lose_the_answers_to_posts,
)

from socialops.hooks import connect
from socialops.networks import (
    AuthError,
    Draft,
    InvalidRequest,
    OutcomeUnknown,
    RateLimited,
    TransientError,
    idempotency_key,
)
from socialops.sandbox import airflow_connections
from socialops.sandbox.pytest_plugin import FROZEN_NOW


def publish_media(adapter, *media, text="Notre atelier"):
    draft = Draft("brand", text, media=tuple(str(m) for m in media))
    return adapter.publish(draft, idempotency_key(f"entry-{len(media)}", "x", draft))


def media_calls(adapter):
    return {name: n for name, n in adapter.api_calls.items() if "/2/media/" in name}


def test_an_image_is_uploaded_in_one_shot_then_attached(adapter, sandbox):
    receipt = publish_media(adapter, JPEG)

    post = sandbox.world.post("x", receipt.external_id)
    (media,) = post.extra["media"]
    assert (media["type"], media["width"], media["height"]) == ("photo", 320, 320)
    assert post.media == [media["media_key"]] and media["media_key"].startswith("3_")
    assert adapter.api_calls == {"POST /2/media/upload": 1, "POST /2/tweets": 1}


def test_four_images_are_attached_in_order(adapter, sandbox):
    receipt = publish_media(adapter, JPEG, PNG, PNG, JPEG)

    post = sandbox.world.post("x", receipt.external_id)
    uploads = logged(sandbox, "x", "POST", "/2/media/upload")
    assert len(uploads) == 4 and len(post.media) == 4
    assert [m["url"].rsplit(".", 1)[1] for m in post.extra["media"]] == [
        "jpeg",
        "png",
        "png",
        "jpeg",
    ]


def test_a_video_is_uploaded_in_segments_and_waited_for(server, sandbox, monkeypatch, make_adapter):
    monkeypatch.setattr(
        "socialops.networks.x.media.SEGMENT_BYTES", 64
    )  # the example video: 152 bytes
    sandbox.emulators["x"].processing_polls = 3
    sleeps = Sleeps()
    adapter = make_adapter(server, sleep=sleeps)

    receipt = publish_media(adapter, MP4)

    (media,) = sandbox.world.post("x", receipt.external_id).extra["media"]
    assert media["type"] == "video" and media["media_key"].startswith("7_")
    assert media_calls(adapter) == {
        "POST /2/media/upload/initialize": 1,
        "POST /2/media/upload/:id/append": 3,
        "POST /2/media/upload/:id/finalize": 1,
        "GET /2/media/upload": 3,
    }
    assert sleeps == [1, 1, 1]  # check_after_secs before each status poll


def test_a_video_still_processing_after_media_wait_is_transient_and_nothing_is_posted(
    server, sandbox, make_adapter
):
    sandbox.emulators["x"].processing_polls = 100
    adapter = make_adapter(server, media_wait=3)

    with pytest.raises(TransientError, match="still in_progress after 3s") as caught:
        publish_media(adapter, MP4)
    assert "media_wait" in str(caught.value) and caught.value.retryable
    assert adapter.api_calls["GET /2/media/upload"] == 3
    assert "POST /2/tweets" not in adapter.api_calls


def test_a_video_x_cannot_process_is_an_invalid_request(adapter, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"this is not an mp4 file at all")

    with pytest.raises(InvalidRequest, match="could not process video .*broken.mp4") as caught:
        publish_media(adapter, broken)
    assert not caught.value.retryable
    assert "POST /2/tweets" not in adapter.api_calls


@pytest.mark.parametrize(
    "media",
    [(JPEG,) * 5, (JPEG, MP4), (MP4, MP4)],
    ids=["five images", "image and video", "two videos"],
)
def test_too_many_media_are_refused_before_any_call(adapter, media):
    with pytest.raises(InvalidRequest, match="at most 4 images or 1 video"):
        publish_media(adapter, *media)
    assert adapter.api_calls == {}


def test_a_missing_file_names_the_file_and_the_post(adapter, tmp_path):
    missing = tmp_path / "gone.jpg"
    with pytest.raises(InvalidRequest) as caught:
        publish_media(adapter, JPEG, missing)
    assert str(missing) in str(caught.value) and "entry-2" in str(caught.value)
    assert adapter.api_calls == {}  # the first image is not uploaded for nothing


def test_unsupported_and_oversized_files_are_refused_before_any_call(adapter, tmp_path):
    with pytest.raises(InvalidRequest, match="mp4 videos"):
        publish_media(adapter, tmp_path / "clip.mov")
    big = tmp_path / "big.png"
    big.write_bytes(PNG.read_bytes() + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(InvalidRequest, match="5.0 MB"):
        publish_media(adapter, big)
    assert adapter.api_calls == {}


def test_a_short_rate_limit_during_upload_is_waited_out(server, sandbox, make_adapter):
    sandbox.add_fault(
        {"network": "x", "kind": "rate_limit", "path": "/2/media/upload", "reset_after": 5}
    )
    sleeps = Sleeps()
    adapter = make_adapter(server, sleep=sleeps)

    receipt = publish_media(adapter, JPEG)

    assert sandbox.world.post("x", receipt.external_id).media
    assert adapter.api_calls["POST /2/media/upload"] == 2 and 5 <= sleeps[0] <= 6


def test_a_long_rate_limit_during_upload_posts_nothing(server, sandbox, make_adapter):
    sandbox.add_fault(
        {
            "network": "x",
            "kind": "rate_limit",
            "path": "/2/media/upload/initialize",
            "reset_after": 900,
        }
    )
    adapter = make_adapter(server)

    with pytest.raises(RateLimited) as caught:
        publish_media(adapter, MP4)
    assert caught.value.retry_at == NOW + timedelta(seconds=900)
    assert "POST /2/tweets" not in adapter.api_calls


def test_server_errors_during_upload_are_retried(server, sandbox, make_adapter):
    sandbox.add_fault(
        {"network": "x", "kind": "server_error", "path": r"/2/media/upload/\d+/append", "count": 2}
    )
    sandbox.add_fault(
        {"network": "x", "kind": "server_error", "path": r"/2/media/upload/\d+/finalize"}
    )
    adapter = make_adapter(server)

    receipt = publish_media(adapter, MP4)

    assert sandbox.world.post("x", receipt.external_id).media
    assert adapter.api_calls["POST /2/media/upload/:id/append"] == 3
    assert adapter.api_calls["POST /2/media/upload/:id/finalize"] == 2


def test_an_expired_token_during_upload_is_an_auth_error(server, sandbox, make_adapter):
    sandbox.add_fault({"network": "x", "kind": "expired_token", "path": "/2/media/upload"})
    adapter = make_adapter(server)
    with pytest.raises(AuthError, match="x_default"):
        publish_media(adapter, PNG)
    assert adapter.api_calls == {"POST /2/media/upload": 1}


def test_a_lost_answer_to_the_post_is_reconciled_without_uploading_again(
    server, sandbox, make_adapter
):
    lose_the_answers_to_posts(sandbox)
    adapter = make_adapter(server, timeout=0.5)
    draft = Draft("brand", "Ambre arrive", media=(str(JPEG),))
    key = idempotency_key("entry-m", "x", draft)

    with pytest.raises(OutcomeUnknown):
        adapter.publish(draft, key)
    receipt = adapter.find_published(key, "brand", NOW - timedelta(minutes=5))
    assert sandbox.world.post("x", receipt.external_id).media
    assert adapter.api_calls["POST /2/tweets"] == 1
    assert adapter.api_calls["POST /2/media/upload"] == 1


@pytest.fixture
def media_host(tmp_path):
    """A plain web server serving ``tmp_path``: the media URLs of a calendar."""
    with serving_files(tmp_path) as base:
        yield tmp_path, base


def test_a_media_url_is_downloaded_then_uploaded(adapter, sandbox, media_host):
    folder, base = media_host
    (folder / "teaser.png").write_bytes(PNG.read_bytes())

    receipt = publish_media(adapter, f"{base}/teaser.png?v=2")

    assert sandbox.world.post("x", receipt.external_id).extra["media"][0]["width"] == 320
    assert adapter.api_calls["GET media source"] == 1


def test_a_media_url_that_fails_or_is_too_large_is_refused(adapter, media_host):
    folder, base = media_host
    (folder / "huge.jpg").write_bytes(JPEG.read_bytes() + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(InvalidRequest, match="answered 404"):
        publish_media(adapter, f"{base}/nothing-here.jpg")
    with pytest.raises(InvalidRequest, match="X takes images up to 5.0 MB"):
        publish_media(adapter, f"{base}/huge.jpg")
    assert "POST /2/media/upload" not in adapter.api_calls


@pytest.mark.integration
def test_the_example_calendar_x_entries_with_media_publish_on_the_sandbox(
    sqlite_engine, sandbox_server, monkeypatch
):
    """The example calendar, through socialops.publishing, against the default sandbox world
    (the plugin's ``sandbox_connections``, which this module's ``sandbox`` fixture hides)."""
    sandbox_server.sandbox.reset()
    for name, value in airflow_connections(sandbox_server.url).items():
        monkeypatch.setenv(name, value)
    from socialops.config import load_config
    from socialops.publishing import PublicationLedger, PublicationNotices, publish_one
    from socialops.publishing.service import media_root, sync
    from socialops.warehouse.engine import session_scope
    from socialops.warehouse.models import CalendarEntry, Publication

    config = load_config()
    sync(config, sqlite_engine, now=FROZEN_NOW)
    with session_scope(sqlite_engine) as session:
        planned = session.execute(
            select(Publication.id, CalendarEntry.entry_id, CalendarEntry.scheduled_at)
            .join(CalendarEntry, CalendarEntry.entry_id == Publication.entry_id)
            .where(
                Publication.network == "x",
                CalendarEntry.status == "approved",
                CalendarEntry.media.is_not(None),
            )
        ).all()
    assert {entry for _, entry, _ in planned} == {
        "2026-11-20-atelier",
        "2026-11-21-ambre-launch",
        "2026-12-01-noel-launch",
    }
    ledger = PublicationLedger(sqlite_engine)
    for publication_id, entry_id, scheduled_at in planned:
        when = scheduled_at if scheduled_at.tzinfo else scheduled_at.replace(tzinfo=UTC)
        outcome = publish_one(
            ledger,
            publication_id,
            lambda: connect("x"),
            owner="media-test",
            now=when + timedelta(minutes=1),
            grace=timedelta(hours=2),
            notices=PublicationNotices.for_brand(config),
            media_root=media_root(config),
        )
        assert outcome.state == "published", (entry_id, outcome.detail)
        post = sandbox_server.sandbox.world.post("x", outcome.external_id)
        assert [m["type"] for m in post.extra["media"]] == ["photo"]
