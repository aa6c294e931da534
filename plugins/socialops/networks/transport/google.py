"""Plumbing shared by the adapters of Google APIs (YouTube Data and Analytics, Google Sheets).

googleapiclient builds a typed client from a discovery document; this module gives it:

* the discovery documents shipped with the library (``static_discovery=True``: no network
  call to build a client, and the documents are the response contracts of our sandbox);
* the connection's host as the API endpoint, for the API *and* its media upload paths, which
  googleapiclient leaves on the real host (it only swaps the netloc, keeping ``https`` and
  dropping any path prefix);
* a transport over ``requests`` that counts every HTTP request (token refreshes and upload
  chunks included) and never resends anything by itself. httplib2, googleapiclient's default,
  silently resends a request whose connection closed before the answer: for a final upload
  chunk that is exactly the "applied but unanswered" case we must reconcile, not repeat;
* translation of ``HttpError``, ``RefreshError`` and transport failures into
  :mod:`socialops.networks.errors`, with bounded retries through :func:`call_with_retries`
  (per chunk for a resumable upload).

>>> service = build_service(settings, "youtube", "v3", scopes=[...])
>>> api = GoogleApi("youtube", settings.conn_id, "the OAuth refresh token")
>>> request = service.channels().list(part="id", mine=True)
>>> execute(adapter, request, "channels.list", settings.retry_policy, api=api)
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import requests
from google.auth.exceptions import RefreshError
from google.auth.exceptions import TransportError as AuthTransportError
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import Resource, build
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest
from httplib2 import Response as HttplibResponse

from socialops.networks.base import ConnectionExtras, ConnectionSettings, utcnow
from socialops.networks.errors import (
    AuthError,
    InvalidRequest,
    NetworkError,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    TransientError,
    failure,
)
from socialops.networks.retry import RetryPolicy, call_with_retries, retry_after
from socialops.networks.transport.http import never_sent

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
#: Google's daily quotas (YouTube's 10,000 units) reset at midnight Pacific time.
QUOTA_TIMEZONE = ZoneInfo("America/Los_Angeles")
#: Google rarely sends Retry-After on 429; this is how long we then assume the window lasts.
DEFAULT_RATE_LIMIT_WAIT = timedelta(seconds=30)

_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"}
_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
_AUTH_REASONS = {"authError", "invalidCredentials", "unauthorized", "keyInvalid", "keyExpired"}
_SCOPE_REASONS = {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "forbidden"}
#: What a person does about a 403 PERMISSION_DENIED: renewing the same grant cannot help.
PERMISSION_HINT = (
    "the authorized Google account or its Cloud project may not use this API: enable the API "
    "for the OAuth client's project, authorize an account that manages the channel with the "
    "scopes socialops asks for, then renew the token in {where}"
)
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class CallCounter(Protocol):
    """Anything that counts API calls by endpoint; :class:`NetworkAdapter` is one."""

    def count_call(self, endpoint: str) -> None: ...


@dataclass(frozen=True)
class GoogleApi:
    """Who is calling, for error messages: the network name, the connection and what to renew."""

    network: str
    conn_id: str | None
    renew: str  # e.g. "the YouTube OAuth refresh token"


# -- credentials and service ------------------------------------------------------------
@dataclass(frozen=True)
class GoogleExtras(ConnectionExtras):
    """The extras of a Google API connection (YouTube, Google Sheets), besides ``timeout``
    and the retry policy: OAuth user credentials. Without them the connection password is
    an API key (public reads only)."""

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    #: A current access token (refreshed with ``refresh_token`` when it expires).
    token: str | None = field(default=None, repr=False)
    #: Google's by default; the sandbox serves its own.
    token_uri: str = GOOGLE_TOKEN_URI


def google_credentials(
    settings: ConnectionSettings, scopes: Sequence[str], *, extras: GoogleExtras | None = None
) -> Credentials | None:
    """OAuth user credentials from the connection's :class:`GoogleExtras` (read from
    ``settings`` unless given), or None when it holds neither a refresh nor an access token."""
    extras = extras or GoogleExtras.read(settings, "google")
    if not extras.refresh_token and not extras.token:
        return None
    return Credentials(
        token=extras.token,
        refresh_token=extras.refresh_token,
        client_id=extras.client_id,
        client_secret=extras.client_secret,
        token_uri=extras.token_uri,
        scopes=list(scopes),
    )


def build_service(
    settings: ConnectionSettings,
    api: str,
    version: str,
    *,
    scopes: Sequence[str] = (),
    credentials: Credentials | None = None,
    extras: GoogleExtras | None = None,
) -> Resource:
    """A googleapiclient service for ``api``/``version`` from the bundled discovery document.

    Authentication: OAuth credentials (given, or read from the connection by
    :func:`google_credentials`), else the connection password as an API key (public reads only).
    An adapter passes the ``extras`` it read; other callers let them be read from ``settings``.
    """
    extras = extras or GoogleExtras.read(settings, api)
    credentials = credentials or google_credentials(settings, scopes, extras=extras)
    # The key goes in the x-goog-api-key header, not in ``?key=`` (googleapiclient's
    # developerKey): a URL ends up in error texts and logs, a header does not.
    api_key = None if credentials else settings.password
    transport = GoogleTransport(timeout=extras.timeout, credentials=credentials, api_key=api_key)
    options: dict[str, Any] = {}
    request_builder: Callable[..., HttpRequest] = HttpRequest
    if settings.host:
        endpoint = settings.host.rstrip("/") + "/"
        options["api_endpoint"] = endpoint
        request_builder = _rebasing_request_builder(endpoint)
    return build(
        api,
        version,
        http=transport,
        static_discovery=True,
        cache_discovery=False,
        client_options=options or None,
        requestBuilder=request_builder,
    )


def _rebasing_request_builder(endpoint: str) -> Callable[..., HttpRequest]:
    """Requests whose URL escaped the overridden endpoint (media uploads) are moved under it.

    googleapiclient resolves a media path such as ``/upload/youtube/v3/videos`` against the
    real root URL, so with the endpoint ``http://127.0.0.1:8800/youtube/`` it would call
    ``https://127.0.0.1:8800/upload/...``; we want ``http://127.0.0.1:8800/youtube/upload/...``.
    """
    base = urlsplit(endpoint)

    def build_request(http: Any, postproc: Any, uri: str, **kwargs: Any) -> HttpRequest:
        if not uri.startswith(endpoint):
            parts = urlsplit(uri)
            path = base.path.rstrip("/") + parts.path
            uri = urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))
        return HttpRequest(http, postproc, uri, **kwargs)

    return build_request


# -- transport ---------------------------------------------------------------------------
class GoogleTransport:
    """The httplib2-shaped ``http`` object googleapiclient calls, implemented with requests.

    It authorizes requests itself so that a token refresh is a counted request, refreshes at
    most once when the API answers 401 to a token it believed valid, and retries nothing else.
    """

    def __init__(
        self,
        *,
        timeout: float,
        credentials: Credentials | None = None,
        api_key: str | None = None,
    ):
        self.timeout = timeout
        self.credentials = credentials
        self.session = requests.Session()
        if api_key:
            self.session.headers["x-goog-api-key"] = api_key

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        redirections: int = 5,
        connection_type: Any = None,
        *,
        count: Callable[[str], None] | None = None,
    ) -> tuple[HttplibResponse, bytes]:
        count = count or (lambda endpoint: None)
        if hasattr(body, "read"):  # googleapiclient hands upload chunks over as stream slices
            body = body.read()
        headers = dict(headers or {})
        if self.credentials is not None and not self.credentials.valid:
            self._refresh(count)
        response = self._send(uri, method, body, headers, count)
        if (
            response.status_code == 401
            and self.credentials is not None
            and self.credentials.refresh_token
        ):
            self._refresh(count)
            response = self._send(uri, method, body, headers, count)
        info = {"status": str(response.status_code), "reason": response.reason}
        info.update({name.lower(): value for name, value in response.headers.items()})
        return HttplibResponse(info), response.content

    def _send(
        self,
        uri: str,
        method: str,
        body: Any,
        headers: dict[str, str],
        count: Callable[[str], None],
    ):
        if self.credentials is not None:
            self.credentials.apply(headers)
        count("")
        return self.session.request(
            method, uri, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
        )

    def _refresh(self, count: Callable[[str], None]) -> None:
        session = self.session
        timeout = self.timeout

        def token_request(url, method="GET", body=None, headers=None, timeout=timeout, **kwargs):
            count("oauth2.token")
            return AuthRequest(session)(
                url, method=method, body=body, headers=headers, timeout=timeout, **kwargs
            )

        self.credentials.refresh(token_request)

    def close(self) -> None:
        self.session.close()


class _CountedHttp:
    """A view of the transport that counts each request under the caller's endpoint name."""

    def __init__(self, transport: Any, counter: CallCounter, endpoint: str):
        self.transport = transport
        self.counter = counter
        self.endpoint = endpoint

    def _count(self, endpoint: str) -> None:
        self.counter.count_call(endpoint or self.endpoint)

    def request(
        self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kwargs: Any
    ):
        if isinstance(self.transport, GoogleTransport):
            try:
                return self.transport.request(
                    uri, method, body, headers, count=self._count, **kwargs
                )
            except requests.RequestException as exc:
                if _applies_a_write(method, uri, headers or {}) and not never_sent(exc):
                    raise _AnswerLost(method, uri) from None
                raise
        self._count("")  # a foreign transport (tests' HttpMock): one call, no refresh visible
        return self.transport.request(uri, method, body, headers, **kwargs)


class _AnswerLost(Exception):
    """A request that changes something was sent and its answer never came back."""

    def __init__(self, method: str, uri: str):
        super().__init__(f"{method} {urlsplit(uri).path}")


def _applies_a_write(method: str, uri: str, headers: Mapping[str, str]) -> bool:
    """Whether a lost answer leaves the outcome unknown.

    Opening a resumable upload session and sending a non-final chunk create nothing visible;
    the final chunk creates the resource, like any other POST/PUT/PATCH/DELETE.
    """
    method = method.upper()
    if method in ("GET", "HEAD"):
        return False
    if method == "POST" and "uploadType=resumable" in uri:
        return False
    content_range = {k.lower(): v for k, v in headers.items()}.get("content-range", "")
    match = _CONTENT_RANGE.fullmatch(content_range)
    if match:
        return int(match.group(2)) + 1 == int(match.group(3))
    return True


# -- execution and errors ----------------------------------------------------------------
_TRANSLATED = (HttpError, RefreshError, AuthTransportError, requests.RequestException, _AnswerLost)


def execute(
    counter: CallCounter,
    request: HttpRequest,
    endpoint: str,
    policy: RetryPolicy,
    *,
    api: GoogleApi,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = utcnow,
) -> Any:
    """Run one API request with bounded retries; every HTTP request is counted under ``endpoint``.

    googleapiclient retries nothing with ``num_retries=0``: retries are ours, and they stop at
    quota, auth and content errors, and at a write whose answer was lost.

    A resumable media upload is driven chunk by chunk, each chunk retried on its own
    (googleapiclient then asks the session how many bytes arrived and resumes from there).
    A lost answer to the final chunk raises :class:`OutcomeUnknown`: the resource may exist,
    so the caller reconciles before uploading again.
    """
    http = _CountedHttp(request.http, counter, endpoint)
    if request.resumable is None:
        attempt = _translating(
            lambda: request.execute(http=http, num_retries=0), api, endpoint, now
        )
        return call_with_retries(attempt, policy, sleep=sleep, now=now)
    step = _translating(lambda: request.next_chunk(http=http, num_retries=0), api, endpoint, now)
    while True:
        _, body = call_with_retries(step, policy, sleep=sleep, now=now)
        if body is not None:
            return body


def _translating(
    call: Callable[[], Any], api: GoogleApi, endpoint: str, now: Callable[[], datetime]
) -> Callable[[], Any]:
    def attempt() -> Any:
        try:
            return call()
        except _TRANSLATED as exc:
            # Not chained: the library's text holds the request's URL.
            raise translate_error(exc, api, endpoint, now=now) from None

    return attempt


def translate_error(
    exc: Exception, api: GoogleApi, endpoint: str, *, now: Callable[[], datetime] = utcnow
) -> NetworkError:
    """The :mod:`socialops.networks.errors` equivalent of a googleapiclient/google-auth failure."""
    network, what = api.network, f"{endpoint} failed"
    if isinstance(exc, _AnswerLost):
        return OutcomeUnknown(
            network,
            f"{endpoint}: no answer to {exc}; it may have been applied",
            hint="reconcile (find_published) before sending it again",
        )
    if isinstance(exc, RefreshError):
        if exc.retryable:
            return TransientError(network, f"{what}: the token endpoint is unavailable ({exc})")
        return AuthError(
            network,
            f"{what}: the OAuth token could not be refreshed ({exc})",
            conn_id=api.conn_id,
            renew=api.renew,
        )
    if isinstance(exc, AuthTransportError | requests.RequestException):
        return TransientError(network, f"{what}: {failure(exc)}")
    assert isinstance(exc, HttpError)
    status, reason, message = exc.resp.status, error_reason(exc), exc.reason or ""
    detail = f"{what} with HTTP {status}" + (f" {reason}" if reason else "") + f": {message}"
    if reason in _QUOTA_REASONS:
        return QuotaExceeded(network, detail, retry_at=next_quota_reset(now()), status=status)
    if status == 429 or reason in _RATE_REASONS:
        retry_at = retry_after(exc.resp.get("retry-after"), now(), DEFAULT_RATE_LIMIT_WAIT)
        return RateLimited(network, detail, retry_at=retry_at, status=status)
    if status == 401 or reason in _AUTH_REASONS:
        renew = "the API key" if reason in ("keyInvalid", "keyExpired") else api.renew
        return AuthError(network, detail, conn_id=api.conn_id, renew=renew, status=status)
    if status == 403 and error_status(exc) == "PERMISSION_DENIED":
        # Whatever the reason says (a real one: SERVICE_UNAVAILABLE), the caller may not.
        return AuthError(
            network,
            f"{what}: permission denied (HTTP 403 PERMISSION_DENIED"
            + (f", reason {reason}" if reason and reason != "PERMISSION_DENIED" else "")
            + f"): {message}",
            conn_id=api.conn_id,
            renew=api.renew,
            hint=PERMISSION_HINT,
            status=status,
        )
    if status == 403 and reason in _SCOPE_REASONS:
        return AuthError(
            network,
            detail,
            conn_id=api.conn_id,
            renew=f"{api.renew} with the scopes this call needs",
            status=status,
        )
    if status >= 500 or status == 408:
        return TransientError(network, detail, status=status)
    return InvalidRequest(network, detail, status=status)


def _error_body(exc: HttpError) -> dict[str, Any]:
    try:
        error = json.loads(exc.content)["error"]
    except (ValueError, KeyError, TypeError):
        return {}
    return error if isinstance(error, dict) else {}


def error_status(exc: HttpError) -> str | None:
    """The canonical code of a Google error body (``error.status``: ``PERMISSION_DENIED``...)."""
    return _error_body(exc).get("status")


def error_reason(exc: HttpError) -> str | None:
    """The first ``errors[].reason`` (or ``details[].reason``/``status``) of a Google error body."""
    error = _error_body(exc)
    if not error:
        return None
    for item in list(error.get("errors") or []) + list(error.get("details") or []):
        if isinstance(item, dict) and item.get("reason"):
            return item["reason"]
    return error.get("status")


def next_quota_reset(now: datetime) -> datetime:
    """The next midnight in America/Los_Angeles, as a UTC datetime."""
    local = now.astimezone(QUOTA_TIMEZONE)
    midnight = datetime.combine(
        local.date() + timedelta(days=1), datetime.min.time(), QUOTA_TIMEZONE
    )
    return midnight.astimezone(UTC)


__all__ = [
    "DEFAULT_RATE_LIMIT_WAIT",
    "GOOGLE_TOKEN_URI",
    "CallCounter",
    "GoogleApi",
    "GoogleExtras",
    "GoogleTransport",
    "build_service",
    "error_reason",
    "error_status",
    "execute",
    "google_credentials",
    "next_quota_reset",
    "translate_error",
]
