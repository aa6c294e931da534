"""tweepy's v2 client as the X adapter uses it: its extras, the rebased session, the call
counter, and the translation of tweepy's and requests' failures into our errors.

Errors: a 429 becomes :class:`RateLimited` with ``retry_at`` read from ``x-rate-limit-reset``
(X sends no ``Retry-After``). 5xx and dropped connections on reads are
:class:`TransientError`; a write whose answer never came is :class:`OutcomeUnknown`. 401 is
:class:`AuthError`, the 403 duplicate answer :class:`DuplicateContent`, any other 4xx
:class:`InvalidRequest` carrying X's ``detail``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
import tweepy
from tweepy.auth import OAuth1UserHandler

from socialops.networks.base import ConnectionExtras, NetworkAdapter
from socialops.networks.errors import (
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    OutcomeUnknown,
    RateLimited,
    TransientError,
)
from socialops.networks.transport.http import never_sent

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The host tweepy hard-codes in ``BaseClient.request``.
TWEEPY_HOST = "https://api.twitter.com"
RATE_WINDOW = timedelta(minutes=15)  # X's window, assumed when a 429 lacks its reset header
USER_CONTEXT_EXTRAS = (
    "the OAuth 1.0a user tokens (extras consumer_key, consumer_secret, access_token, "
    "access_token_secret)"
)


@dataclass(frozen=True)
class XExtras(ConnectionExtras):
    """The extras of an X connection (docs/networks/x.md), besides ``timeout`` and the retry
    policy: the OAuth 1.0a user context of the owned account, needed to publish, to upload
    media and for private metrics."""

    consumer_key: str | None = field(default=None, repr=False)
    consumer_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    access_token_secret: str | None = field(default=None, repr=False)
    #: Seconds a video may take to be processed before the post gives up.
    media_wait: float = 120.0

    @property
    def oauth1(self) -> dict[str, str | None]:
        return {
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "access_token": self.access_token,
            "access_token_secret": self.access_token_secret,
        }


def _hide_request_dumps(record: logging.LogRecord) -> bool:
    # tweepy logs every request's headers at DEBUG, bearer token included.
    return not str(record.msg).startswith("Making API request")


logging.getLogger("tweepy.client").addFilter(_hide_request_dumps)


def endpoint_name(method: str, route: str) -> str:
    """``GET /2/users/:id/tweets`` from ``GET /2/users/783214/tweets``: one name per endpoint."""
    route = re.sub(r"^/2/users/by/username/[^/]+", "/2/users/by/username/:username", route)
    version, rest = route[:2], route[2:]  # "/2" is the API version, not an id
    return f"{method.upper()} {version}" + re.sub(r"/\d+(?=/|$)", "/:id", rest)


class _RebasedSession(requests.Session):
    """Sends tweepy's requests to ``base_url`` instead of the host it hard-codes, with a
    timeout."""

    def __init__(self, base_url: str | None, timeout: float):
        super().__init__()
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        if self.base_url and url.startswith(TWEEPY_HOST):
            url = self.base_url + url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", self.timeout)
        response = super().request(method, url, *args, **kwargs)
        if response.headers.get("x-rate-limit-remaining") == "0":
            log.info(
                "X rate limit window for %s %s is spent until %s",
                method,
                url.split("?")[0],
                response.headers.get("x-rate-limit-reset"),
            )
        return response


class XClient(tweepy.Client):
    """tweepy's v2 client, pointed at ``base_url`` when set, with a timeout and a call counter."""

    def __init__(
        self,
        *,
        base_url: str | None,
        timeout: float,
        on_request: Callable[[str], None],
        **credentials: str | None,
    ):
        # wait_on_rate_limit would sleep for a whole window inside a worker: the adapter
        # decides how long it may wait.
        super().__init__(**credentials, return_type=dict, wait_on_rate_limit=False)
        self.session = _RebasedSession(base_url, timeout)
        self._on_request = on_request

    def request(self, method, route, params=None, json=None, user_auth=False):
        self._on_request(endpoint_name(method, route))
        return super().request(method, route, params=params, json=json, user_auth=user_auth)

    def post_multipart(
        self, route: str, *, fields: dict[str, str], media: tuple[str, bytes, str]
    ) -> dict[str, Any]:
        """POST a ``multipart/form-data`` body (``media`` as a file part) under OAuth 1.0a user
        context, which tweepy's ``request()`` cannot send: it only sends JSON. Same session,
        signing and errors as tweepy's own calls, so the adapter handles both alike."""
        self._on_request(endpoint_name("POST", route))
        auth = OAuth1UserHandler(
            self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret
        ).apply_auth()
        response = self.session.request(
            "POST",
            TWEEPY_HOST + route,
            data=fields,
            files={"media": media},
            headers={"User-Agent": self.user_agent},
            auth=auth,
        )
        if not 200 <= response.status_code < 300:
            # The adapter reads the status and body, whatever tweepy class would carry them.
            raise tweepy.HTTPException(response)
        return response.json()


# -- errors ----------------------------------------------------------------------------------
def translated(adapter: NetworkAdapter, what: str, call: Callable[[], T], *, write: bool) -> T:
    """``call()``, with tweepy's and requests' failures raised as our errors for ``what``."""
    network = adapter.network
    try:
        return call()
    except tweepy.HTTPException as exc:
        # Not chained: tweepy's text quotes the response, which may echo the request.
        raise http_error(adapter, what, exc) from None
    except requests.RequestException as exc:
        if never_sent(exc):
            # Not even a write can have been applied: it may be sent again.
            raise TransientError(
                network, f"{what}: could not connect to X ({type(exc).__name__})"
            ) from None
        if write:
            raise OutcomeUnknown(
                network,
                f"{what}: X did not answer ({type(exc).__name__}); the post may exist",
                hint="reconcile with find_published() before publishing again",
            ) from None
        raise TransientError(network, f"{what}: X did not answer ({type(exc).__name__})") from None


def http_error(adapter: NetworkAdapter, what: str, exc: tweepy.HTTPException) -> NetworkError:
    network = adapter.network
    response = exc.response
    status = response.status_code
    detail = _detail(exc)
    if status == 429:
        return RateLimited(
            network,
            f"{what}: rate limit reached ({detail})",
            retry_at=_reset_time(response, adapter.now),
            status=status,
        )
    if status >= 500:
        return TransientError(network, f"{what}: X answered {status} ({detail})", status=status)
    if status == 401:
        return adapter.auth_error(
            f"{what}: X refused the credentials ({detail})",
            renew="the X access token / bearer token",
            status=status,
        )
    if status == 403 and "duplicate" in detail.casefold():
        return DuplicateContent(
            network,
            f"{what}: X refused a post identical to a recent one ({detail})",
            hint="change the text or check that it was not already published",
            status=status,
        )
    if status == 403 and "authentication" in detail.casefold():
        return adapter.auth_error(f"{what}: {detail}", renew=USER_CONTEXT_EXTRAS, status=status)
    return InvalidRequest(network, f"{what}: X answered {status}: {detail}", status=status)


def _detail(exc: tweepy.HTTPException) -> str:
    try:
        body = exc.response.json()
    except ValueError:
        body = {}
    if isinstance(body, dict):
        parts = [body.get("detail") or body.get("title")]
        parts += [
            e.get("message") or e.get("detail")
            for e in body.get("errors", [])
            if isinstance(e, dict)
        ]
        found = [p for p in parts if p]
        if found:
            return "; ".join(found)
    return exc.response.reason or str(exc.response.status_code)


def _reset_time(response: requests.Response, now: Callable[[], datetime]) -> datetime:
    raw = response.headers.get("x-rate-limit-reset")
    try:
        return datetime.fromtimestamp(int(raw), UTC)
    except (TypeError, ValueError):
        return now() + RATE_WINDOW
