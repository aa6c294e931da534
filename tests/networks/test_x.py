"""XAdapter against the X emulator over real HTTP: happy paths, pagination, batching, failures."""

from __future__ import annotations

import dataclasses
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.support.adapters import Sleeps, logged, sandbox_settings, serving_files
from tests.support.x_world import BRAND_ID, JPEG, MP4, NOW, PNG, RIVAL_ID, build_x_world

from socialops.hooks import connect
from socialops.networks import (
    AuthError,
    Draft,
    DuplicateContent,
    InvalidRequest,
    OutcomeUnknown,
    RateLimited,
    TransientError,
    idempotency_key,
)
from socialops.networks.x.adapter import XAdapter, conversation_queries
from socialops.networks.x.client import endpoint_name
from socialops.sandbox import Sandbox, SandboxServer, airflow_connections
from socialops.sandbox.pytest_plugin import FROZEN_NOW
from socialops.sandbox.world import SandboxMention, SandboxPost
from socialops.sandbox.x_api import XEmulator

SINCE = NOW - timedelta(days=1)
NEWEST_POST = "1800000000000000000"


@pytest.fixture
def server():
    with SandboxServer(Sandbox(build_x_world, [XEmulator])) as running:
        yield running


@pytest.fixture
def sandbox(server):
    return server.sandbox


def make_adapter(server, *, sleep=None, bearer_only=False, **extras) -> XAdapter:
    settings = sandbox_settings(XEmulator, server.url, **extras)
    if bearer_only:
        oauth1 = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
        extras = {k: v for k, v in settings.extras.items() if k not in oauth1}
        settings = dataclasses.replace(settings, extras=extras)
    return XAdapter(settings, sleep=Sleeps() if sleep is None else sleep, now=lambda: NOW)


@pytest.fixture
def adapter(server):
    adapter = make_adapter(server)
    yield adapter
    adapter.close()


# -- happy paths --------------------------------------------------------------------------------
def test_check_returns_the_authenticated_account(adapter):
    profile = adapter.check()
    assert (profile.account_id, profile.handle, profile.followers, profile.verified) == (
        BRAND_ID,
        "brand",
        12000,
        True,
    )
    assert adapter.api_calls == {"GET /2/users/me": 1}


def test_publish_appends_the_link_and_the_post_enters_the_world(adapter, sandbox):
    key = idempotency_key("entry-1", "x", "Spring sale & more")
    receipt = adapter.publish(
        Draft("brand", "Spring sale & more", link="https://shop.example/spring"), key
    )

    assert receipt.url == f"https://x.com/brand/status/{receipt.external_id}"
    post = sandbox.world.post("x", receipt.external_id)
    assert post.account_id == BRAND_ID
    assert post.text.startswith("Spring sale & more https://t.co/")  # X shortens every link
    assert post.link == "https://shop.example/spring"
    assert adapter.api_calls["POST /2/tweets"] == 1


def test_find_published_recognises_the_post_despite_tco_and_html_escaping(adapter):
    text = "Fish & chips <today> https://example.com/menu"
    key = idempotency_key("entry-2", "x", text)
    receipt = adapter.publish(Draft("brand", text), key)

    assert adapter.find_published(key, "brand", NOW - timedelta(minutes=5)) == receipt
    assert (
        adapter.find_published(idempotency_key("other", "x", "something else"), "brand", SINCE)
        is None
    )


def test_handle_is_resolved_once_and_cached(adapter):
    adapter.recent_posts("brand", SINCE)
    adapter.recent_posts("@Brand", SINCE)
    assert adapter.api_calls["GET /2/users/by/username/:username"] == 1


def test_recent_posts_follow_pagination(server, sandbox):
    world = sandbox.world
    for n in range(230):
        world.add_post(
            SandboxPost(
                "x",
                str(1_810_000_000_000_000_000 + n),
                RIVAL_ID,
                f"rival {n}",
                NOW - timedelta(minutes=n + 1),
            )
        )
    adapter = make_adapter(server)

    posts = adapter.recent_posts("rival", SINCE)

    assert len(posts) == 230  # the rival's post of two days ago is before `since`
    timeline = logged(sandbox, "x", "GET", f"/2/users/{RIVAL_ID}/tweets")
    assert [r["query"].get("pagination_token") is not None for r in timeline] == [False, True, True]
    assert all(r["query"]["max_results"] == "100" for r in timeline)
    assert posts[0].created_at > posts[-1].created_at
    assert posts[0].url == f"https://x.com/rival/status/{posts[0].post_id}"


def test_account_metrics_reports_what_x_gives_and_none_for_the_rest(adapter):
    metrics = adapter.account_metrics("brand", NOW.date())
    assert (metrics.followers, metrics.following, metrics.posts_count) == (12000, 300, 12)
    assert metrics.impressions is None and metrics.reach is None and metrics.profile_views is None


def test_post_metrics_maps_public_and_private_counters(adapter, sandbox):
    own, rival = adapter.post_metrics([NEWEST_POST, "1700000000000000000"])

    expected = sandbox.world.post("x", NEWEST_POST).metrics_at(NOW)
    assert own.impressions == expected["impressions"]
    assert own.likes == expected["likes"] and own.comments == expected["comments"]
    assert own.shares == expected["shares"] and own.saves == expected["saves"]
    assert own.link_clicks == expected["link_clicks"]  # non_public_metrics: own post, user context
    assert rival.post_id == "1700000000000000000"
    assert rival.link_clicks is None  # X refuses private metrics of someone else's post
    assert (
        rival.impressions == sandbox.world.post("x", rival.post_id).metrics_at(NOW)["impressions"]
    )


def test_post_metrics_skips_missing_ids_without_failing_the_batch(adapter, caplog):
    result = adapter.post_metrics([NEWEST_POST, "123456789"])
    assert [m.post_id for m in result] == [NEWEST_POST]
    assert "123456789" in caplog.text


def test_post_metrics_batches_at_100_ids(server, sandbox):
    world = sandbox.world
    ids = [str(1_820_000_000_000_000_000 + n) for n in range(250)]
    for n, post_id in enumerate(ids):
        world.add_post(
            SandboxPost(
                "x", post_id, RIVAL_ID, f"old {n}", NOW - timedelta(days=3), final={"likes": n}
            )
        )
    adapter = make_adapter(server, bearer_only=True)

    metrics = adapter.post_metrics(ids)

    assert [m.post_id for m in metrics] == ids
    lookups = logged(sandbox, "x", "GET", "/2/tweets")
    assert [len(r["query"]["ids"].split(",")) for r in lookups] == [100, 100, 50]
    assert adapter.api_calls == {"GET /2/tweets": 3}
    assert metrics[249].likes == world.post("x", ids[249]).metrics_at(NOW)["likes"]


def test_mentions_paginate_with_next_token_and_carry_authors(adapter, sandbox):
    for n in range(150):
        sandbox.world.mentions.append(
            SandboxMention(
                "x",
                str(1_870_000_000_000_000_000 + n),
                "1000000003",
                "fan",
                f"more brand talk {n}",
                "en",
                "neutral",
                NOW - timedelta(hours=2, minutes=n),
            )
        )
    mentions = adapter.mentions("brand -from:brand", SINCE)

    assert len(mentions) == 30 + 150
    searches = logged(sandbox, "x", "GET", "/2/tweets/search/recent")
    assert len(searches) == 2 and "next_token" in searches[1]["query"]
    first = mentions[0]
    assert (first.author_id, first.author_handle, first.kind) == ("1000000003", "fan", "mention")
    assert {m.lang for m in mentions} == {"en", "fr"}
    assert first.url == f"https://x.com/fan/status/{first.mention_id}"


def test_mentions_never_ask_for_more_than_the_seven_days_of_recent_search(adapter, sandbox):
    adapter.mentions("@brand", NOW - timedelta(days=30))
    start = datetime.fromisoformat(
        logged(sandbox, "x", "GET", "/2/tweets/search/recent")[0]["query"]["start_time"]
    )
    assert start >= NOW - timedelta(days=7)


def test_comments_search_the_conversations_of_own_posts(adapter, sandbox):
    comments = adapter.comments([NEWEST_POST, "1800000000000000001"], SINCE)

    assert {c.mention_id for c in comments} == {"1860000000000000000", "1860000000000000001"}
    assert all(c.kind == "comment" and c.in_reply_to == NEWEST_POST for c in comments)
    query = logged(sandbox, "x", "GET", "/2/tweets/search/recent")[0]["query"]["query"]
    assert query == f"conversation_id:{NEWEST_POST} OR conversation_id:1800000000000000001"


def test_conversation_queries_stay_within_the_query_length():
    ids = [str(1_800_000_000_000_000_000 + n) for n in range(40)]
    queries = conversation_queries(ids)
    assert len(queries) > 1 and all(len(q) <= 512 for q in queries)
    assert sum(q.count("conversation_id:") for q in queries) == 40


def test_profiles_by_ids_and_handles(adapter):
    profiles = {p.handle: p for p in adapter.profiles(["rival", "@fan", BRAND_ID, "ghost_account"])}
    assert set(profiles) == {"rival", "fan", "brand"}
    assert (profiles["rival"].followers, profiles["rival"].posts_count) == (50000, 1)
    assert profiles["brand"].bio == "Official account"
    assert adapter.api_calls == {"GET /2/users": 1, "GET /2/users/by": 1}


def test_endpoint_names_group_ids():
    assert endpoint_name("get", "/2/users/42/tweets") == "GET /2/users/:id/tweets"
    assert (
        endpoint_name("GET", "/2/users/by/username/brand") == "GET /2/users/by/username/:username"
    )


# -- limits and failures ---------------------------------------------------------------------
def test_short_rate_limit_is_waited_out_inside_the_call(server, sandbox):
    sandbox.add_fault({"network": "x", "kind": "rate_limit", "path": "/2/tweets", "reset_after": 5})
    sleeps = Sleeps()
    adapter = make_adapter(server, sleep=sleeps, max_sleep=60)

    assert [m.post_id for m in adapter.post_metrics([NEWEST_POST])] == [NEWEST_POST]
    assert len(sleeps) == 1 and 5 <= sleeps[0] <= 6  # until x-rate-limit-reset, plus jitter


def test_long_rate_limit_raises_with_the_reset_time(server, sandbox):
    sandbox.add_fault(
        {"network": "x", "kind": "rate_limit", "path": "/2/tweets", "reset_after": 900}
    )
    sleeps = Sleeps()
    adapter = make_adapter(server, sleep=sleeps, max_sleep=60)

    with pytest.raises(RateLimited) as caught:
        adapter.post_metrics([NEWEST_POST])
    assert caught.value.retry_at == NOW + timedelta(seconds=900)
    assert sleeps == [] and caught.value.retryable


def test_server_error_is_retried_then_succeeds(server, sandbox):
    sandbox.add_fault(
        {"network": "x", "kind": "server_error", "path": "/2/users/by/username/.*", "count": 2}
    )
    adapter = make_adapter(server)
    assert adapter.account_metrics("brand", NOW.date()).followers == 12000
    assert adapter.api_calls["GET /2/users/by/username/:username"] == 3


def test_server_errors_beyond_the_attempts_raise_transient(server, sandbox):
    sandbox.add_fault({"network": "x", "kind": "server_error", "path": "/2/users/me", "count": 10})
    adapter = make_adapter(server, max_attempts=2)
    with pytest.raises(TransientError, match="500"):
        adapter.check()
    assert adapter.api_calls["GET /2/users/me"] == 2


def test_publish_is_retried_after_a_rate_limit_answer(server, sandbox):
    sandbox.add_fault(
        {
            "network": "x",
            "kind": "rate_limit",
            "path": "/2/tweets",
            "method": "POST",
            "reset_after": 1,
        }
    )
    adapter = make_adapter(server)
    receipt = adapter.publish(Draft("brand", "retry me"), idempotency_key("e", "x", "retry me"))
    assert sandbox.world.post("x", receipt.external_id)
    assert adapter.api_calls["POST /2/tweets"] == 2


def lose_the_answers_to_posts(sandbox) -> None:
    """The next POST /2/tweets is applied, then the client hears nothing for 1.5 s."""
    sandbox.add_fault(
        {
            "network": "x",
            "kind": "timeout_after_apply",
            "path": "/2/tweets",
            "method": "POST",
            "hold_seconds": 1.5,
        }
    )


def test_timeout_after_apply_is_outcome_unknown_then_reconciled(server, sandbox):
    lose_the_answers_to_posts(sandbox)
    adapter = make_adapter(server, timeout=0.5)
    text = "Launch day! https://example.com/launch"
    key = idempotency_key("entry-9", "x", text)

    with pytest.raises(OutcomeUnknown):
        adapter.publish(Draft("brand", text), key)
    assert adapter.api_calls["POST /2/tweets"] == 1  # never blindly re-sent

    receipt = adapter.find_published(key, "brand", NOW - timedelta(minutes=5))
    created = [
        p for p in sandbox.world.account_posts("x", BRAND_ID) if p.extra.get("source_text") == text
    ]
    assert len(created) == 1 and receipt.external_id == created[0].id


def test_dropped_connection_on_a_read_is_transient(server, sandbox):
    sandbox.add_fault(
        {
            "network": "x",
            "kind": "timeout_after_apply",
            "path": "/2/users/me",
            "count": 5,
            "hold_seconds": 0.3,
        }
    )
    adapter = make_adapter(server, timeout=0.1, max_attempts=2)
    with pytest.raises(TransientError) as caught:
        adapter.check()
    assert not isinstance(caught.value, OutcomeUnknown)


def test_a_post_to_a_host_refusing_connections_is_transient_not_unknown():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens once closed
    adapter = XAdapter(sandbox_settings(XEmulator, closed, max_attempts=2), sleep=Sleeps())
    with pytest.raises(TransientError, match="could not connect to X") as caught:
        adapter.publish(Draft("brand", "Never sent"), idempotency_key("e", "x", "Never sent"))
    assert not isinstance(caught.value, OutcomeUnknown)
    assert adapter.api_calls["POST /2/tweets"] == 2  # a post that never left may be sent again


def test_expired_token_names_the_connection(server, sandbox):
    sandbox.add_fault({"network": "x", "kind": "expired_token", "count": 5})
    adapter = make_adapter(server)
    with pytest.raises(AuthError) as caught:
        adapter.check()
    assert caught.value.conn_id == "x_default" and not caught.value.retryable
    assert "x_default" in str(caught.value) and "bearer token" in str(caught.value)
    assert adapter.api_calls["GET /2/users/me"] == 1  # not retried


def test_revoked_bearer_token_is_an_auth_error(server, sandbox):
    sandbox.world.revoked_tokens.add(XEmulator.connection(server.url)["password"])
    with pytest.raises(AuthError, match="x_default"):
        make_adapter(server).profiles(["rival"])


def test_duplicate_post_is_refused(adapter):
    key = idempotency_key("entry-3", "x", "Same words twice")
    adapter.publish(Draft("brand", "Same words twice"), key)
    with pytest.raises(DuplicateContent) as caught:
        adapter.publish(Draft("brand", "Same words twice"), key)
    assert not caught.value.retryable and caught.value.status == 403


def test_publish_needs_user_context(server):
    with pytest.raises(AuthError, match="access_token"):
        make_adapter(server, bearer_only=True).publish(
            Draft("brand", "hi"), idempotency_key("e", "x", "hi")
        )


def test_unknown_account_is_an_invalid_request(adapter):
    with pytest.raises(InvalidRequest, match="nobody_here"):
        adapter.recent_posts("nobody_here", SINCE)


def test_other_client_errors_carry_x_detail(adapter):
    with pytest.raises(InvalidRequest, match="400: .*missing"):
        adapter.mentions("(unbalanced", SINCE)


def test_duplicate_after_a_server_error_returns_the_post_the_first_attempt_made(server, sandbox):
    # X may create the post and still answer 5xx: the retry then meets our own post.
    text = "Only once, please"
    sandbox.world.add_post(
        SandboxPost(
            "x",
            "1890000000000000000",
            BRAND_ID,
            text,
            NOW - timedelta(seconds=30),
            extra={"source_text": text},
        )
    )
    sandbox.add_fault(
        {"network": "x", "kind": "server_error", "path": "/2/tweets", "method": "POST"}
    )
    adapter = make_adapter(server)

    receipt = adapter.publish(Draft("brand", text), idempotency_key("entry-5", "x", text))

    assert receipt.external_id == "1890000000000000000"
    assert adapter.api_calls["POST /2/tweets"] == 2


def test_connect_builds_the_adapter_from_the_airflow_connection(server, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_X_DEFAULT", json.dumps(XEmulator.connection(server.url)))
    adapter = connect("x")
    assert isinstance(adapter, XAdapter) and adapter.has_user_context
    assert adapter.check().handle == "brand"


# -- media -------------------------------------------------------------------------------------
def publish_media(adapter, *media, text="Notre atelier"):
    key = idempotency_key(f"entry-{len(media)}", "x", text)
    return adapter.publish(Draft("brand", text, media=tuple(str(m) for m in media)), key)


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


def test_a_video_is_uploaded_in_segments_and_waited_for(server, sandbox, monkeypatch):
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
    server, sandbox
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


def test_a_short_rate_limit_during_upload_is_waited_out(server, sandbox):
    sandbox.add_fault(
        {"network": "x", "kind": "rate_limit", "path": "/2/media/upload", "reset_after": 5}
    )
    sleeps = Sleeps()
    adapter = make_adapter(server, sleep=sleeps)

    receipt = publish_media(adapter, JPEG)

    assert sandbox.world.post("x", receipt.external_id).media
    assert adapter.api_calls["POST /2/media/upload"] == 2 and 5 <= sleeps[0] <= 6


def test_a_long_rate_limit_during_upload_posts_nothing(server, sandbox):
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


def test_server_errors_during_upload_are_retried(server, sandbox):
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


def test_an_expired_token_during_upload_is_an_auth_error(server, sandbox):
    sandbox.add_fault({"network": "x", "kind": "expired_token", "path": "/2/media/upload"})
    adapter = make_adapter(server)
    with pytest.raises(AuthError, match="x_default"):
        publish_media(adapter, PNG)
    assert adapter.api_calls == {"POST /2/media/upload": 1}


def test_a_lost_answer_to_the_post_is_reconciled_without_uploading_again(server, sandbox):
    lose_the_answers_to_posts(sandbox)
    adapter = make_adapter(server, timeout=0.5)
    text = "Ambre arrive"
    key = idempotency_key("entry-m", "x", text)

    with pytest.raises(OutcomeUnknown):
        adapter.publish(Draft("brand", text, media=(str(JPEG),)), key)
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
    from socialops.publishing.run import media_root, sync
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
