"""Shared Google API plumbing: endpoints, credentials, error translation. No network needed."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest
import requests
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload
from httplib2 import Response as HttplibResponse
from urllib3.exceptions import NewConnectionError, ProtocolError

from socialops.networks import (
    AuthError,
    ConnectionSettings,
    InvalidRequest,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from socialops.networks.transport.google import (
    GOOGLE_TOKEN_URI,
    GoogleApi,
    GoogleTransport,
    _AnswerLost,
    _applies_a_write,
    _CountedHttp,
    build_service,
    error_reason,
    error_status,
    google_credentials,
    next_quota_reset,
    translate_error,
)

API = GoogleApi("youtube", "youtube_default", "the YouTube OAuth refresh token")
OAUTH = {"client_id": "id", "client_secret": "secret", "refresh_token": "refresh"}


def http_error(
    status: int, reason: str | None = None, message: str = "boom", headers: dict | None = None
) -> HttpError:
    error: dict = {"code": status, "message": message}
    if reason:
        error["errors"] = [{"reason": reason, "domain": "global", "message": message}]
    response = HttplibResponse({"status": str(status), **(headers or {})})
    return HttpError(response, json.dumps({"error": error}).encode(), uri="https://example/x")


# -- service construction ------------------------------------------------------------------
def test_without_host_the_service_calls_the_real_google_endpoints():
    service = build_service(ConnectionSettings("yt", extras=OAUTH), "youtube", "v3")
    assert (
        service.videos()
        .list(part="id", id="a")
        .uri.startswith("https://youtube.googleapis.com/youtube/v3/videos?")
    )


def test_host_overrides_the_api_and_the_upload_endpoint(tmp_path):

    settings = ConnectionSettings("yt", host="http://127.0.0.1:8800/youtube", password="key")
    service = build_service(settings, "youtube", "v3")
    assert (
        service.videos()
        .list(part="id", id="a")
        .uri.startswith("http://127.0.0.1:8800/youtube/youtube/v3/videos?")
    )
    # The API key (there is no OAuth) goes in a header, never in the URL errors quote.
    assert "key=" not in service.videos().list(part="id", id="a").uri
    assert service._http.session.headers["x-goog-api-key"] == "key"

    video = tmp_path / "v.mp4"
    video.write_bytes(b"0123")
    insert = service.videos().insert(
        part="snippet", body={}, media_body=MediaFileUpload(str(video), resumable=True)
    )
    # googleapiclient alone would say https://127.0.0.1:8800/upload/... (real scheme, prefix lost).
    assert insert.uri.startswith("http://127.0.0.1:8800/youtube/upload/youtube/v3/videos?")
    assert "uploadType=resumable" in insert.uri

    analytics = build_service(settings, "youtubeAnalytics", "v2")
    query = analytics.reports().query(
        ids="channel==MINE", startDate="2026-11-01", endDate="2026-11-02", metrics="views"
    )
    assert query.uri.startswith("http://127.0.0.1:8800/youtube/v2/reports?")


def test_credentials_come_from_the_connection_extras():
    creds = google_credentials(ConnectionSettings("yt", extras=OAUTH), ["scope-a"])
    assert (creds.client_id, creds.refresh_token, creds.token_uri, creds.scopes) == (
        "id",
        "refresh",
        GOOGLE_TOKEN_URI,
        ["scope-a"],
    )
    sandbox = google_credentials(
        ConnectionSettings("yt", extras={**OAUTH, "token_uri": "http://h/token"}), []
    )
    assert sandbox.token_uri == "http://h/token"
    assert google_credentials(ConnectionSettings("yt", password="api-key"), []) is None


class Calls(Counter):
    def count_call(self, endpoint: str) -> None:
        self[endpoint] += 1


def test_a_foreign_transport_is_counted_once_per_request():
    class Canned:
        def request(self, uri, method="GET", body=None, headers=None, **kwargs):
            return HttplibResponse({"status": "200"}), b"{}"

    calls = Calls()
    http = _CountedHttp(Canned(), calls, "videos.list")
    http.request("http://x/youtube/v3/videos")
    http.request("http://x/youtube/v3/videos")
    assert calls == {"videos.list": 2}


# -- writes whose answer is lost ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "uri", "headers", "applies"),
    [
        ("GET", "http://h/youtube/v3/videos", {}, False),
        (
            "POST",
            "http://h/upload/youtube/v3/videos?uploadType=resumable",
            {},
            False,
        ),  # opens a session
        ("PUT", "http://h/upload?upload_id=1", {"Content-Range": "bytes 0-262143/600000"}, False),
        (
            "PUT",
            "http://h/upload?upload_id=1",
            {"Content-Range": "bytes 524288-599999/600000"},
            True,
        ),
        ("POST", "http://h/v4/spreadsheets/1/values/A1:append", {}, True),
    ],
)
def test_which_lost_answers_leave_the_outcome_unknown(method, uri, headers, applies):
    assert _applies_a_write(method, uri, headers) is applies


def test_a_connection_that_closed_after_the_final_chunk_is_reported_as_outcome_unknown():
    transport = GoogleTransport(timeout=1)

    def send(*args, **kwargs):
        raise requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))

    transport.session.request = send
    http = _CountedHttp(transport, Calls(), "videos.insert")
    with pytest.raises(_AnswerLost):
        http.request("http://h/upload?upload_id=1", "PUT", b"x", {"Content-Range": "bytes 0-0/1"})

    def refused(*args, **kwargs):
        reason = NewConnectionError(None, "Connection refused")
        raise requests.ConnectionError(type("MaxRetry", (), {"reason": reason})())

    transport.session.request = refused
    with pytest.raises(requests.ConnectionError):  # never reached a server: a plain transient error
        http.request("http://h/upload?upload_id=1", "PUT", b"x", {"Content-Range": "bytes 0-0/1"})


# -- error translation ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "expected", "text"),
    [
        (http_error(403, "quotaExceeded"), QuotaExceeded, "HTTP 403 quotaExceeded"),
        (http_error(403, "dailyLimitExceeded"), QuotaExceeded, "dailyLimitExceeded"),
        (http_error(429, "rateLimitExceeded"), RateLimited, "come back after"),
        (http_error(403, "userRateLimitExceeded"), RateLimited, "userRateLimitExceeded"),
        (
            http_error(401, "authError"),
            AuthError,
            "renew the YouTube OAuth refresh token in Airflow connection 'youtube_default'",
        ),
        (http_error(400, "keyInvalid"), AuthError, "renew the API key"),
        (http_error(403, "insufficientPermissions"), AuthError, "with the scopes this call needs"),
        (http_error(500, "backendError"), TransientError, "HTTP 500"),
        (http_error(503), TransientError, "HTTP 503"),
        (
            http_error(400, "invalidTitle", "The title is empty"),
            InvalidRequest,
            "invalidTitle: The title is empty",
        ),
        (http_error(404, "videoNotFound"), InvalidRequest, "videoNotFound"),
        (
            RefreshError("invalid_grant: Token has been expired or revoked."),
            AuthError,
            "invalid_grant",
        ),
        (
            RefreshError("server_error", retryable=True),
            TransientError,
            "token endpoint is unavailable",
        ),
        (requests.ReadTimeout("read timed out"), TransientError, "ReadTimeout"),
        (_AnswerLost("PUT", "http://h/upload"), OutcomeUnknown, "may have been applied"),
    ],
)
def test_google_failures_become_network_errors(error, expected, text):
    translated = translate_error(error, API, "videos.list")
    assert type(translated) is expected
    assert text in str(translated) and str(translated).startswith("[youtube] ")


def test_quota_errors_say_when_the_quota_resets():
    translated = translate_error(http_error(403, "quotaExceeded"), API, "videos.list")
    assert translated.retry_at > datetime.now(UTC) and not translated.retryable


def test_rate_limit_honours_retry_after_when_google_sends_it():
    translated = translate_error(http_error(429, headers={"retry-after": "5"}), API, "values.get")
    assert 0 < (translated.retry_at - datetime.now(UTC)).total_seconds() <= 5


@pytest.mark.parametrize(
    ("now", "reset"),
    [
        (
            datetime(2026, 11, 20, 7, 59, tzinfo=UTC),
            datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        ),  # PST
        (datetime(2026, 11, 20, 8, 0, tzinfo=UTC), datetime(2026, 11, 21, 8, 0, tzinfo=UTC)),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), datetime(2026, 7, 2, 7, 0, tzinfo=UTC)),  # PDT
    ],
)
def test_quota_resets_at_midnight_in_los_angeles(now, reset):
    assert next_quota_reset(now) == reset


def test_error_reason_reads_errors_or_details_or_status():
    assert error_reason(http_error(403, "quotaExceeded")) == "quotaExceeded"
    details = HttpError(
        HttplibResponse({"status": "429"}),
        b'{"error": {"code": 429, "message": "m", "status": "RESOURCE_EXHAUSTED"}}',
    )
    assert error_reason(details) == "RESOURCE_EXHAUSTED"
    assert (
        error_reason(HttpError(HttplibResponse({"status": "502"}), b"<html>Bad gateway</html>"))
        is None
    )


def test_a_permission_denied_403_is_a_permission_error_whatever_its_reason():
    # As YouTube answered a project without access (recorded shape): the reason alone reads
    # like an outage, the status says the caller may not.
    body = {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SERVICE_UNAVAILABLE",
                    "domain": "googleapis.com",
                    "metadata": {"service": "youtube.googleapis.com"},
                }
            ],
        }
    }
    error = HttpError(HttplibResponse({"status": "403"}), json.dumps(body).encode())
    translated = translate_error(error, API, "channels.list")
    assert type(translated) is AuthError and not translated.retryable
    text = str(translated)
    assert "permission denied (HTTP 403 PERMISSION_DENIED, reason SERVICE_UNAVAILABLE)" in text
    assert "enable the API for the OAuth client's project" in text
    assert "Airflow connection 'youtube_default'" in text
    assert error_status(error) == "PERMISSION_DENIED"
