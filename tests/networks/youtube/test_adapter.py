"""The YouTube adapter against the sandbox's YouTube emulator, over real HTTP."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tests.support.adapters import Sleeps, sandbox_settings
from tests.support.youtube_world import (
    BRAND_CHANNEL,
    FAN_CHANNEL,
    NOW,
    RIVAL_CHANNEL,
    build_youtube_world,
    video_id,
)

from socialops.hooks import connect
from socialops.networks import (
    AuthError,
    ConnectionSettings,
    Draft,
    InvalidRequest,
    NotSupported,
    OutcomeUnknown,
    QuotaExceeded,
    TransientError,
    idempotency_key,
)
from socialops.networks.youtube.adapter import YouTubeAdapter, _subscribers
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.world import World
from socialops.sandbox.youtube_api import YouTubeEmulator


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(Sandbox(build_youtube_world, [YouTubeEmulator])) as running:
        yield running


@pytest.fixture
def world(server: SandboxServer) -> World:
    return server.sandbox.world


@pytest.fixture
def emulator(server: SandboxServer) -> YouTubeEmulator:
    return server.sandbox.emulators["youtube"]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def settings_for(server: SandboxServer, **extras) -> ConnectionSettings:
    return sandbox_settings(YouTubeEmulator, server.url, **{"timeout": 5, **extras})


@pytest.fixture
def youtube(server: SandboxServer, sleeps: Sleeps) -> Iterator[YouTubeAdapter]:
    adapter = YouTubeAdapter(settings_for(server), sleep=sleeps)
    yield adapter
    adapter.close()


def requests_to(server: SandboxServer, path: str, method: str = "GET") -> list[dict]:
    return [r for r in server.sandbox.requests if r["path"] == path and r["method"] == method]


def add_fault(server: SandboxServer, **spec) -> None:
    server.sandbox.add_fault({"network": "youtube", **spec})


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    path = tmp_path / "teaser.mp4"
    path.write_bytes(bytes(range(256)) * 2_400)  # 600 KiB: three 256 KiB chunks
    return path


def draft(video_file: Path, **overrides) -> Draft:
    fields = {
        "account": "brand",
        "text": "Our autumn collection is here",
        "link": "https://brand.example/autumn",
        "media": (str(video_file),),
        "title": "Autumn collection",
    }
    return Draft(**{**fields, **overrides})


# -- reads ---------------------------------------------------------------------------------
def test_check_returns_the_authorized_channel(youtube):
    profile = youtube.check()
    assert (profile.account_id, profile.handle, profile.name) == (
        BRAND_CHANNEL,
        "brand",
        "The Brand",
    )
    assert profile.posts_count == 120
    assert youtube.api_calls == {"oauth2.token": 1, "channels.list": 1}


def test_post_metrics_batches_fifty_ids_per_call(youtube, server, world):
    ids = [video_id(n) for n in range(120)]
    metrics = youtube.post_metrics(ids)

    calls = requests_to(server, "/youtube/v3/videos")
    assert [len(call["query"]["id"].split(",")) for call in calls] == [50, 50, 20]
    assert youtube.api_calls["videos.list"] == 3
    by_id = {m.post_id: m for m in metrics}
    assert list(by_id) == ids
    expected = world.post("youtube", video_id(7)).metrics_at(NOW)
    seven = by_id[video_id(7)]
    assert (seven.video_views, seven.likes, seven.comments) == (
        expected["video_views"],
        expected["likes"],
        expected["comments"],
    )
    assert seven.impressions is None and seven.reach is None  # YouTube does not report them


def test_recent_posts_follows_pages_and_stops_at_since(youtube, server):
    posts = youtube.recent_posts("brand", NOW - timedelta(hours=60, minutes=30))
    assert [p.post_id for p in posts] == [video_id(n) for n in range(60)]
    assert posts[0].kind == "video" and posts[0].text.startswith("Video 0\n\nVideo 0 description")
    assert posts[0].url == f"https://www.youtube.com/watch?v={video_id(0)}"
    # 50 per page: the second page reaches `since`, so no third page is asked for.
    assert len(requests_to(server, "/youtube/v3/playlistItems")) == 2

    everything = youtube.recent_posts("@brand", NOW - timedelta(days=30))
    assert len(everything) == 120
    assert len(requests_to(server, "/youtube/v3/playlistItems")) == 2 + 3
    assert youtube.api_calls["channels.list"] == 1  # the uploads playlist id is remembered


def test_comments_paginate_and_respect_since(youtube, server):
    comments = youtube.comments([video_id(0)], NOW - timedelta(hours=3))
    assert len(comments) == 130
    assert len(requests_to(server, "/youtube/v3/commentThreads")) == 2
    first = comments[0]
    assert (first.kind, first.in_reply_to, first.author_id, first.text) == (
        "comment",
        video_id(0),
        FAN_CHANNEL,
        "Nice video 0",
    )
    assert (
        youtube.comments([video_id(0)], NOW - timedelta(minutes=10, seconds=30))[-1].text
        == "Nice video 9"
    )
    assert youtube.comments([video_id(5)], NOW - timedelta(days=1)) == []


def test_profiles_by_channel_id_and_by_handle(youtube, server):
    profiles = youtube.profiles([RIVAL_CHANNEL, "@fan", "nobody-here"])
    assert [(p.account_id, p.handle, p.followers) for p in profiles] == [
        (RIVAL_CHANNEL, "rival", 50_000),
        (FAN_CHANNEL, "fan", 80),
    ]
    queries = [r["query"] for r in requests_to(server, "/youtube/v3/channels")]
    assert [q.get("id") or q.get("forHandle") for q in queries] == [
        RIVAL_CHANNEL,
        "@fan",
        "@nobody-here",
    ]


def test_account_metrics_reconstructs_followers_at_the_end_of_a_past_day(youtube, world, server):
    day = date(2026, 11, 17)
    metrics = youtube.account_metrics("brand", day)
    account = world.account("youtube", "brand")
    end_of_day = datetime(2026, 11, 18, tzinfo=UTC).astimezone(UTC) + timedelta(
        hours=8
    )  # Pacific midnight
    assert metrics.followers == account.followers_at(end_of_day, world.epoch)
    assert metrics.posts_count == 120
    assert (metrics.impressions, metrics.reach) == (None, None)
    report = requests_to(server, "/v2/reports")[0]["query"]
    assert (report["ids"], report["startDate"]) == (f"channel=={BRAND_CHANNEL}", "2026-11-18")


def test_a_night_reads_the_channel_once_for_its_subscribers_and_uploads(youtube, server):
    youtube.account_metrics("brand", date(2026, 11, 19))
    youtube.recent_posts("@Brand", NOW - timedelta(hours=3))
    youtube.recent_posts(BRAND_CHANNEL, NOW - timedelta(hours=3))

    [channel] = requests_to(server, "/youtube/v3/channels")
    assert set(channel["query"]["part"].split(",")) == {"statistics", "contentDetails"}
    assert youtube.api_calls == {
        "oauth2.token": 1,
        "channels.list": 1,
        "reports.query": 1,
        "playlistItems.list": 2,
    }


def test_subscriber_counts_are_never_served_from_a_cache(server, sleeps):
    first = YouTubeAdapter(settings_for(server), sleep=sleeps)
    first.account_metrics("brand", date(2026, 11, 19))
    first.account_metrics("brand", date(2026, 11, 18))  # same task: statistics asked again
    first.close()
    second = YouTubeAdapter(settings_for(server), sleep=sleeps)  # the next task starts afresh
    second.recent_posts("brand", NOW - timedelta(hours=3))
    second.close()
    assert [r["query"]["part"] for r in requests_to(server, "/youtube/v3/channels")] == [
        "statistics,contentDetails",
        "statistics,contentDetails",
        "contentDetails",
    ]


def test_an_unknown_channel_is_an_invalid_request_naming_it(youtube):
    with pytest.raises(InvalidRequest, match="no YouTube channel '@ghost'"):
        youtube.account_metrics("@ghost", date(2026, 11, 19))


def test_a_hidden_subscriber_count_is_unknown_not_zero():
    assert _subscribers({"subscriberCount": "0", "hiddenSubscriberCount": True}) is None
    assert _subscribers({"subscriberCount": "12", "hiddenSubscriberCount": False}) == 12
    assert _subscribers({}) is None


def test_mentions_search_is_not_offered(youtube):
    with pytest.raises(NotSupported, match="youtube"):
        youtube.mentions("brand", NOW - timedelta(days=1))


def test_an_api_key_is_enough_for_public_reads(server):
    connection = YouTubeEmulator.connection(server.url)
    adapter = YouTubeAdapter(
        ConnectionSettings("youtube_public", connection["host"], password="sandbox-key")
    )
    assert len(adapter.post_metrics([video_id(1)])) == 1
    # The key travels in the x-goog-api-key header: never in a URL, which errors quote.
    assert "key" not in requests_to(server, "/youtube/v3/videos")[0]["query"]
    with pytest.raises(AuthError, match="youtube_public"):
        adapter.check()  # mine=true needs OAuth


# -- publishing ------------------------------------------------------------------------------
def test_publish_uploads_the_video_in_resumable_chunks(server, world, video_file, sleeps):
    adapter = YouTubeAdapter(settings_for(server, upload_chunksize=256 * 1024), sleep=sleeps)
    the_draft = draft(video_file, options={"privacy_status": "unlisted", "tags": ["autumn"]})
    key = idempotency_key("2026-11-20-autumn", "youtube", the_draft)

    receipt = adapter.publish(the_draft, key)

    assert receipt.url == f"https://www.youtube.com/watch?v={receipt.external_id}"
    assert receipt.published_at == NOW
    video = world.post("youtube", receipt.external_id)
    assert (video.kind, video.title, video.account_id) == (
        "video",
        "Autumn collection",
        BRAND_CHANNEL,
    )
    assert video.text == "Our autumn collection is here\n\nhttps://brand.example/autumn"
    assert (
        video.extra["privacyStatus"] == "unlisted"
        and video.extra["bytes"] == video_file.stat().st_size
    )
    assert [r["status"] for r in requests_to(server, "/upload/youtube/v3/videos", "PUT")] == [
        308,
        308,
        200,
    ]
    assert adapter.api_calls["videos.insert"] == 4  # the session, then three chunks
    assert adapter.find_published(key, "brand", NOW - timedelta(minutes=1)) == receipt


def test_publish_refuses_a_draft_without_title_or_video_before_any_call(
    youtube, server, video_file
):
    with pytest.raises(InvalidRequest, match="no title"):
        youtube.publish(draft(video_file, title=None), "youtube:e:0")
    with pytest.raises(InvalidRequest, match="no video file"):
        youtube.publish(draft(video_file, media=()), "youtube:e:0")
    with pytest.raises(InvalidRequest, match="privacy_status"):
        youtube.publish(draft(video_file, options={"privacy_status": "secret"}), "youtube:e:0")
    assert server.sandbox.requests == []


def test_a_refused_upload_is_an_invalid_request_with_the_api_message(youtube, video_file):
    with pytest.raises(InvalidRequest, match="invalidTitle.*invalid or empty video title"):
        youtube.publish(draft(video_file, title="<b>bold</b>"), "youtube:e:0")


def test_a_failed_chunk_is_resumed(server, world, video_file, sleeps):
    adapter = YouTubeAdapter(settings_for(server, upload_chunksize=256 * 1024), sleep=sleeps)
    add_fault(server, kind="server_error", method="PUT", path="/upload/youtube/v3/videos", count=1)
    receipt = adapter.publish(draft(video_file), "youtube:e:0")
    assert world.post("youtube", receipt.external_id).extra["bytes"] == video_file.stat().st_size
    # After the 500 googleapiclient asks how many bytes arrived ("bytes */N" → 308), then resumes.
    assert [r["status"] for r in requests_to(server, "/upload/youtube/v3/videos", "PUT")] == [
        500,
        308,
        308,
        308,
        200,
    ]
    assert len(sleeps) == 1


@pytest.mark.parametrize("hold_seconds", [0.2, 2.0], ids=["connection-closed", "read-timeout"])
def test_a_lost_answer_to_the_final_chunk_is_outcome_unknown_then_reconciled(
    server, world, video_file, hold_seconds
):
    adapter = YouTubeAdapter(settings_for(server, timeout=1), sleep=Sleeps())
    add_fault(
        server,
        kind="timeout_after_apply",
        method="PUT",
        path="/upload/youtube/v3/videos",
        hold_seconds=hold_seconds,
    )
    the_draft = draft(video_file)
    key = idempotency_key("2026-11-20-autumn", "youtube", the_draft)

    with pytest.raises(OutcomeUnknown, match="may have been applied"):
        adapter.publish(the_draft, key)

    assert len(requests_to(server, "/upload/youtube/v3/videos", "PUT")) == 1  # never resent
    found = adapter.find_published(key, "brand", NOW - timedelta(minutes=5))
    uploaded = [p for p in world.account_posts("youtube", BRAND_CHANNEL) if p.created_at == NOW]
    assert len(uploaded) == 1 and found.external_id == uploaded[0].id
    assert (
        adapter.find_published(
            idempotency_key("other", "youtube", "Other text"), "brand", NOW - timedelta(minutes=5)
        )
        is None
    )


# -- errors and limits ---------------------------------------------------------------------
def test_rate_limit_then_success(youtube, server, sleeps):
    add_fault(server, kind="rate_limit", path="/youtube/v3/videos", count=1)
    assert len(youtube.post_metrics([video_id(1)])) == 1
    assert [r["status"] for r in requests_to(server, "/youtube/v3/videos")] == [429, 200]
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 31  # no reset header from Google: a bounded guess


def test_quota_exceeded_is_not_retried_and_says_when_to_come_back(
    youtube, server, emulator, sleeps
):
    emulator.daily_quota = 0
    with pytest.raises(QuotaExceeded, match="quotaExceeded") as raised:
        youtube.post_metrics([video_id(1)])
    assert len(requests_to(server, "/youtube/v3/videos")) == 1 and sleeps == []
    retry_at = raised.value.retry_at
    assert retry_at > datetime.now(UTC) and retry_at - datetime.now(UTC) <= timedelta(hours=25)
    assert (
        retry_at.astimezone(UTC).hour in (7, 8) and retry_at.minute == 0
    )  # midnight in Los Angeles


def test_server_errors_are_retried_within_bounds(youtube, server, sleeps):
    add_fault(server, kind="server_error", path="/youtube/v3/videos", count=2)
    assert len(youtube.post_metrics([video_id(1)])) == 1
    add_fault(server, kind="server_error", path="/youtube/v3/videos", count=10)
    with pytest.raises(TransientError, match="HTTP 500 backendError"):
        youtube.post_metrics([video_id(1)])
    statuses = [r["status"] for r in requests_to(server, "/youtube/v3/videos")]
    assert statuses == [500, 500, 200, 500, 500, 500, 500]  # max_attempts=4 by default


def test_an_expired_access_token_is_refreshed_once(youtube, server):
    youtube.check()
    add_fault(server, kind="expired_token", path="/youtube/v3/videos", count=1)
    assert len(youtube.post_metrics([video_id(1)])) == 1
    assert youtube.api_calls["oauth2.token"] == 2
    assert youtube.api_calls["videos.list"] == 2  # the 401, then the same call with the new token


def test_a_revoked_refresh_token_names_the_connection_and_what_to_renew(youtube, world, sleeps):
    world.revoked_tokens.add("sandbox-refresh-token")
    with pytest.raises(AuthError) as raised:
        youtube.post_metrics([video_id(1)])
    message = str(raised.value)
    assert "invalid_grant" in message
    assert (
        "renew the YouTube OAuth refresh token in Airflow connection 'youtube_default'" in message
    )
    assert not raised.value.retryable and sleeps == []


def test_a_token_refused_even_after_refresh_is_an_auth_error(youtube, server):
    add_fault(server, kind="expired_token", path="/youtube/v3/channels", count=5)
    with pytest.raises(AuthError, match="HTTP 401 authError"):
        youtube.check()


def test_an_unreachable_api_is_transient_even_for_an_upload(video_file, sleeps):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ConnectionSettings(
        "youtube_default",
        f"http://127.0.0.1:{port}/youtube",
        extras={"token": "ya29.x", "max_attempts": 2},
    )
    with pytest.raises(TransientError) as raised:
        YouTubeAdapter(settings, sleep=sleeps).publish(draft(video_file), "youtube:e:0")
    assert not isinstance(raised.value, OutcomeUnknown)  # nothing reached a server


def test_connect_builds_the_adapter_from_the_airflow_connection(server, monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_YOUTUBE_DEFAULT", json.dumps(YouTubeEmulator.connection(server.url))
    )
    adapter = connect("youtube")
    assert isinstance(adapter, YouTubeAdapter)
    assert adapter.check().account_id == BRAND_CHANNEL

    from socialops.hooks import NetworkHook

    assert NetworkHook("youtube").test_connection() == (True, "connected to YouTube as brand")


def test_a_playlist_whose_page_token_repeats_raises_instead_of_looping(youtube, monkeypatch):
    channel = {"id": BRAND_CHANNEL, "contentDetails": {"relatedPlaylists": {"uploads": "UUb"}}}
    item = {
        "snippet": {"publishedAt": "2026-11-20T07:00:00Z", "title": "t"},
        "contentDetails": {"videoId": "vid00000001"},
    }
    pages = iter([{"items": [item], "nextPageToken": "CAEQAA"}] * 5)

    def answer(request, endpoint):
        return {"items": [channel]} if endpoint == "channels.list" else next(pages)

    monkeypatch.setattr(youtube, "_execute", answer)
    with pytest.raises(TransientError) as caught:
        youtube.recent_posts("brand", NOW - timedelta(days=1))
    assert str(caught.value).startswith(
        "[youtube] playlistItems.list returned a page already received "
        "(YouTube pageToken cursor 'CAEQAA')"
    )
    assert len(list(pages)) == 3


def test_search_finds_videos_since_and_costs_100_units(youtube, server, emulator):
    found = youtube.search("video 3", NOW - timedelta(hours=10))
    assert [m.mention_id for m in found] == [video_id(3)]
    (mention,) = found
    assert mention.text.startswith("Video 3\n") and mention.url.endswith(video_id(3))
    assert mention.author_id == BRAND_CHANNEL and mention.kind == "mention"
    recent = youtube.search("video", NOW - timedelta(minutes=90))
    assert [m.mention_id for m in recent] == [video_id(0)]  # published after since only
    assert sum(emulator.units_used.values()) == 200
    assert len(requests_to(server, "/youtube/v3/search")) == 2


def test_search_with_the_quota_spent_is_quota_exceeded(youtube, emulator):
    emulator.daily_quota = 99
    with pytest.raises(QuotaExceeded):
        youtube.search("video", NOW - timedelta(hours=1))
