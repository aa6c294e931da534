"""The YouTube emulator: contracts (discovery schemas), quota, resumable upload, OAuth,
analytics."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from jsonschema import ValidationError
from tests.support.discovery import validate_discovery
from tests.support.youtube_world import (
    BRAND_CHANNEL,
    FAN_CHANNEL,
    NOW,
    RIVAL_CHANNEL,
    build_youtube_world,
    video_id,
)

from socialops.sandbox import Request, Response, Sandbox
from socialops.sandbox.youtube_api import INSERT_COST, SANDBOX_CLIENT, YouTubeEmulator

YOUTUBE = "youtube.v3"
ANALYTICS = "youtubeAnalytics.v2"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(build_youtube_world, [YouTubeEmulator])


@pytest.fixture
def emulator(sandbox: Sandbox) -> YouTubeEmulator:
    return sandbox.emulators["youtube"]


def call(
    sandbox: Sandbox,
    method: str,
    path: str,
    query: dict | None = None,
    *,
    body: bytes = b"",
    headers: dict | None = None,
    token: str | None = None,
) -> Response:
    all_headers = {"host": "127.0.0.1:8800", **(headers or {})}
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    request = Request(
        "youtube", method, path, {k: [str(v)] for k, v in (query or {}).items()}, all_headers, body
    )
    response, _ = sandbox.handle(request)
    return response


def refresh(sandbox: Sandbox, **overrides) -> Response:
    form = {"grant_type": "refresh_token", **SANDBOX_CLIENT, **overrides}
    body = "&".join(f"{k}={v}" for k, v in form.items()).encode()
    return call(sandbox, "POST", "/oauth2/token", body=body)


@pytest.fixture
def token(sandbox: Sandbox) -> str:
    return refresh(sandbox).body["access_token"]


def start_upload(sandbox: Sandbox, token: str, size: int, title: str = "Teaser") -> Response:
    metadata = (
        b'{"snippet": {"title": "%s", "description": "Hello"}, '
        b'"status": {"privacyStatus": "public"}}' % title.encode()
    )
    return call(
        sandbox,
        "POST",
        "/upload/youtube/v3/videos",
        {"uploadType": "resumable", "part": "snippet,status"},
        body=metadata,
        headers={"x-upload-content-length": str(size), "x-upload-content-type": "video/mp4"},
        token=token,
    )


def upload_id(response: Response) -> str:
    return parse_qs(urlsplit(response.headers["Location"]).query)["upload_id"][0]


def put_bytes(sandbox: Sandbox, session: str, content_range: str, data: bytes) -> Response:
    return call(
        sandbox,
        "PUT",
        "/upload/youtube/v3/videos",
        {"uploadType": "resumable", "upload_id": session},
        body=data,
        headers={"content-range": content_range},
    )


# -- contracts -----------------------------------------------------------------------------
def test_channels_list_matches_the_discovery_schema(sandbox, token):
    parts = "snippet,statistics,contentDetails"
    for query in (
        {"mine": "true"},
        {"id": f"{RIVAL_CHANNEL},{FAN_CHANNEL}"},
        {"forHandle": "@brand"},
    ):
        response = call(
            sandbox, "GET", "/youtube/v3/channels", {"part": parts, **query}, token=token
        )
        assert response.status == 200 and response.body["items"]
        validate_discovery(YOUTUBE, "ChannelListResponse", response.body)
    mine = call(
        sandbox, "GET", "/youtube/v3/channels", {"part": parts, "mine": "true"}, token=token
    ).body["items"][0]
    assert mine["id"] == BRAND_CHANNEL
    assert mine["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + BRAND_CHANNEL[2:]
    assert mine["statistics"]["videoCount"] == "120" and mine["snippet"]["customUrl"] == "@brand"


def test_videos_playlist_items_and_comment_threads_match_the_discovery_schemas(sandbox, token):
    videos = call(
        sandbox,
        "GET",
        "/youtube/v3/videos",
        {"part": "snippet,statistics,status", "id": f"{video_id(0)},{video_id(1)}"},
        token=token,
    )
    validate_discovery(YOUTUBE, "VideoListResponse", videos.body)
    assert [v["id"] for v in videos.body["items"]] == [video_id(0), video_id(1)]

    items = call(
        sandbox,
        "GET",
        "/youtube/v3/playlistItems",
        {
            "part": "snippet,contentDetails",
            "playlistId": "UU" + BRAND_CHANNEL[2:],
            "maxResults": 50,
        },
        token=token,
    )
    validate_discovery(YOUTUBE, "PlaylistItemListResponse", items.body)

    threads = call(
        sandbox,
        "GET",
        "/youtube/v3/commentThreads",
        {"part": "snippet", "videoId": video_id(0), "maxResults": 100},
        token=token,
    )
    validate_discovery(YOUTUBE, "CommentThreadListResponse", threads.body)


def test_an_uploaded_video_matches_the_video_schema(sandbox, token):
    session = upload_id(start_upload(sandbox, token, 4))
    response = put_bytes(sandbox, session, "bytes 0-3/4", b"abcd")
    assert response.status == 200
    validate_discovery(YOUTUBE, "Video", response.body)


@pytest.mark.parametrize("dimensions", [None, "day"])
def test_analytics_reports_match_the_query_response_schema(sandbox, token, dimensions):
    query = {
        "ids": "channel==MINE",
        "startDate": "2026-11-17",
        "endDate": "2026-11-19",
        "metrics": "views,subscribersGained,subscribersLost",
    }
    if dimensions:
        query["dimensions"] = dimensions
    response = call(sandbox, "GET", "/v2/reports", query, token=token)
    assert response.status == 200
    validate_discovery(ANALYTICS, "QueryResponse", response.body)
    names = [h["name"] for h in response.body["columnHeaders"]]
    rows = response.body["rows"]
    if dimensions:
        assert names[0] == "day" and [row[0] for row in rows] == [
            "2026-11-17",
            "2026-11-18",
            "2026-11-19",
        ]
        assert all(row[2] == 24 and row[3] == 0 for row in rows)  # +24 subscribers a day, none lost
    else:
        assert names == ["views", "subscribersGained", "subscribersLost"] and rows[0][1:] == [72, 0]


def test_the_contract_check_rejects_an_invented_field():
    body = {
        "kind": "youtube#videoListResponse",
        "items": [{"id": "abc", "statistics": {"viewCount": "1", "shareCount": "2"}}],
    }
    with pytest.raises(ValidationError, match="shareCount"):
        validate_discovery(YOUTUBE, "VideoListResponse", body)
    with pytest.raises(ValidationError):
        validate_discovery(
            YOUTUBE, "VideoListResponse", {"items": [{"status": {"privacyStatus": "friends"}}]}
        )


# -- pagination and parameters --------------------------------------------------------------
def test_pagination_with_page_tokens(sandbox, token):
    query = {"part": "snippet", "playlistId": "UU" + BRAND_CHANNEL[2:], "maxResults": 50}
    first = call(sandbox, "GET", "/youtube/v3/playlistItems", query, token=token).body
    second = call(
        sandbox,
        "GET",
        "/youtube/v3/playlistItems",
        {**query, "pageToken": first["nextPageToken"]},
        token=token,
    ).body
    third = call(
        sandbox,
        "GET",
        "/youtube/v3/playlistItems",
        {**query, "pageToken": second["nextPageToken"]},
        token=token,
    ).body
    assert [len(page["items"]) for page in (first, second, third)] == [50, 50, 20]
    assert "nextPageToken" not in third and first["pageInfo"] == {
        "totalResults": 120,
        "resultsPerPage": 50,
    }
    positions = [
        item["snippet"]["position"] for page in (first, second, third) for item in page["items"]
    ]
    assert positions == list(range(120))


def test_parameter_errors_look_like_google_errors(sandbox, token):
    too_many = ",".join(video_id(n) for n in range(51))
    response = call(
        sandbox, "GET", "/youtube/v3/videos", {"part": "statistics", "id": too_many}, token=token
    )
    assert (
        response.status == 400 and response.body["error"]["errors"][0]["reason"] == "invalidFilters"
    )
    response = call(
        sandbox,
        "GET",
        "/youtube/v3/videos",
        {"part": "statistics", "id": video_id(0), "maxResults": 51},
        token=token,
    )
    assert response.status == 400
    response = call(
        sandbox,
        "GET",
        "/youtube/v3/playlistItems",
        {"part": "snippet", "playlistId": "UUnope"},
        token=token,
    )
    assert (
        response.status == 404
        and response.body["error"]["errors"][0]["reason"] == "playlistNotFound"
    )
    response = call(
        sandbox,
        "GET",
        "/youtube/v3/videos",
        {"part": "fileDetails", "id": video_id(0)},
        token=token,
    )
    assert response.body["error"]["errors"][0]["reason"] == "unknownPart"


# -- quota -----------------------------------------------------------------------------------
def test_quota_counts_google_units_and_resets_at_pacific_midnight(sandbox, emulator, token):
    emulator.daily_quota = INSERT_COST + 2
    assert (
        call(
            sandbox, "GET", "/youtube/v3/videos", {"part": "id", "id": video_id(0)}, token=token
        ).status
        == 200
    )
    assert start_upload(sandbox, token, 4).status == 200
    assert (
        call(
            sandbox, "GET", "/youtube/v3/videos", {"part": "id", "id": video_id(0)}, token=token
        ).status
        == 200
    )
    exceeded = call(
        sandbox, "GET", "/youtube/v3/videos", {"part": "id", "id": video_id(0)}, token=token
    )
    assert exceeded.status == 403
    assert exceeded.body["error"]["code"] == 403
    assert exceeded.body["error"]["errors"][0] == {
        "message": exceeded.body["error"]["message"],
        "domain": "youtube.quota",
        "reason": "quotaExceeded",
    }
    # NOW is 00:00 Pacific on Nov 20 (08:00 UTC); a day later the quota is fresh again.
    sandbox.world.freeze(NOW + timedelta(days=1))
    assert (
        call(
            sandbox, "GET", "/youtube/v3/videos", {"part": "id", "id": video_id(0), "key": "k"}
        ).status
        == 200
    )


# -- resumable upload --------------------------------------------------------------------------
def test_resumable_upload_protocol(sandbox, token):
    started = start_upload(sandbox, token, 10)
    assert started.status == 200 and started.headers["Location"].startswith(
        "http://127.0.0.1:8800/youtube/upload/youtube/v3/videos?uploadType=resumable&upload_id="
    )
    session = upload_id(started)
    assert (
        put_bytes(sandbox, session, "bytes */10", b"").headers.get("Range") is None
    )  # nothing yet
    partial = put_bytes(sandbox, session, "bytes 0-3/10", b"0123")
    assert (partial.status, partial.headers["Range"]) == (308, "bytes=0-3")
    assert put_bytes(sandbox, session, "bytes */10", b"").headers["Range"] == "bytes=0-3"
    done = put_bytes(sandbox, session, "bytes 4-9/10", b"456789")
    assert done.status == 200 and done.body["snippet"]["title"] == "Teaser"
    video = sandbox.world.post("youtube", done.body["id"])
    assert (video.kind, video.account_id, video.extra["bytes"], video.created_at) == (
        "video",
        BRAND_CHANNEL,
        10,
        NOW,
    )
    # Sending the last chunk again (a client that never heard back) does not create a second video.
    again = put_bytes(sandbox, session, "bytes 4-9/10", b"456789")
    assert again.body["id"] == done.body["id"]
    assert len(sandbox.world.account_posts("youtube", BRAND_CHANNEL)) == 121


def test_upload_refusals(sandbox, token):
    assert (
        start_upload(sandbox, token, 4, title="").body["error"]["errors"][0]["reason"]
        == "invalidTitle"
    )
    assert start_upload(sandbox, None, 4).status == 401
    multipart = call(
        sandbox,
        "POST",
        "/upload/youtube/v3/videos",
        {"uploadType": "multipart", "part": "snippet"},
        token=token,
    )
    assert multipart.status == 400
    assert put_bytes(sandbox, "nope", "bytes 0-3/4", b"abcd").status == 404


# -- OAuth -------------------------------------------------------------------------------------
def test_token_endpoint_issues_tokens_and_refuses_revoked_grants(sandbox):
    granted = refresh(sandbox)
    assert (
        granted.status == 200
        and granted.body["token_type"] == "Bearer"
        and granted.body["expires_in"] > 3000
    )
    assert refresh(sandbox, client_secret="wrong").body["error"] == "invalid_client"
    sandbox.world.revoked_tokens.add(SANDBOX_CLIENT["refresh_token"])
    refused = refresh(sandbox)
    assert (refused.status, refused.body["error"]) == (400, "invalid_grant")


def test_access_tokens_expire_and_oauth_only_calls_refuse_api_keys(sandbox, token):
    mine = {"part": "id", "mine": "true"}
    assert call(sandbox, "GET", "/youtube/v3/channels", mine, token=token).status == 200
    assert call(sandbox, "GET", "/youtube/v3/channels", {**mine, "key": "k"}).status == 401
    assert (
        call(sandbox, "GET", "/youtube/v3/channels", {"part": "id", "id": RIVAL_CHANNEL}).status
        == 401
    )
    sandbox.world.freeze(NOW + timedelta(hours=2))
    expired = call(sandbox, "GET", "/youtube/v3/channels", mine, token=token)
    assert expired.status == 401 and expired.body["error"]["errors"][0]["reason"] == "authError"


def test_faults_answer_in_googles_shapes(sandbox, token):
    for kind, status, reason in (
        ("rate_limit", 429, "rateLimitExceeded"),
        ("server_error", 500, "backendError"),
        ("expired_token", 401, "authError"),
    ):
        sandbox.add_fault({"network": "youtube", "kind": kind, "path": "/youtube/v3/videos"})
        response = call(
            sandbox, "GET", "/youtube/v3/videos", {"part": "id", "id": video_id(0)}, token=token
        )
        assert (response.status, response.body["error"]["errors"][0]["reason"]) == (status, reason)
    sandbox.add_fault({"network": "youtube", "kind": "expired_token", "path": "/oauth2/token"})
    assert refresh(sandbox).body["error"] == "invalid_grant"


def test_analytics_only_for_the_authorized_channel(sandbox, token):
    query = {
        "ids": f"channel=={RIVAL_CHANNEL}",
        "startDate": "2026-11-19",
        "endDate": "2026-11-19",
        "metrics": "views",
    }
    assert call(sandbox, "GET", "/v2/reports", query, token=token).status == 403
    unknown = call(
        sandbox,
        "GET",
        "/v2/reports",
        {**query, "ids": "channel==MINE", "metrics": "karma"},
        token=token,
    )
    assert unknown.status == 400 and "karma" in unknown.body["error"]["message"]


def test_connection_points_the_adapter_at_the_emulator():
    connection = YouTubeEmulator.connection("http://127.0.0.1:8800")
    assert connection["host"] == "http://127.0.0.1:8800/youtube"
    assert connection["extra"]["token_uri"] == "http://127.0.0.1:8800/youtube/oauth2/token"
    assert {"client_id", "client_secret", "refresh_token"} <= set(connection["extra"])
