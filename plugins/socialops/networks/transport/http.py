"""A small HTTP client shared by the REST adapters (Meta Graph API, LinkedIn REST API).

One :class:`RestClient` per adapter owns a ``requests.Session``, the base URL (the
connection's host, which is how the sandbox is reached, or the network's real API), the
timeout and the call counting. It turns transport failures and HTTP statuses into the
errors of :mod:`socialops.networks.errors`; a network subclass reads its own error bodies
and rate headers by overriding :meth:`RestClient.error_for` and :meth:`RestClient.observe`.

Only idempotent requests are retried (with :func:`call_with_retries`). A write that never got
an answer, or got a server error, raises :class:`OutcomeUnknown`: the caller must reconcile
with ``find_published`` before sending it again, or the post could appear twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
from urllib3.exceptions import ConnectTimeoutError

from socialops.networks.errors import (
    AuthError,
    InvalidRequest,
    NetworkError,
    OutcomeUnknown,
    RateLimited,
    TransientError,
)
from socialops.networks.retry import call_with_retries, retry_after

if TYPE_CHECKING:
    from socialops.networks.base import ConnectionSettings, NetworkAdapter

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: When a 429 names no reset time, come back after this long.
DEFAULT_RATE_LIMIT_WAIT = timedelta(seconds=60)


def api_root(settings: ConnectionSettings, real_api: str) -> str:
    """The connection's host when set (the sandbox, a proxy), else the network's real API."""
    return (settings.host or real_api).rstrip("/")


class RestClient:
    """HTTP for one adapter, on the adapter's clock (``sleep`` and ``now`` may be given
    instead), with its extras (``timeout``, the retry policy) and its auth errors."""

    def __init__(
        self,
        adapter: NetworkAdapter,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
        now: Callable[[], datetime] | None = None,
    ):
        self.adapter = adapter
        self.network = adapter.network
        self.extras = adapter.extras
        #: What the user must renew when the network answers 401 (the adapter's by default).
        self.renew = adapter.renew
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers.update(headers or {})
        self.sleep: Callable[[float], None] = adapter.sleep if sleep is None else sleep
        self.now: Callable[[], datetime] = adapter.now if now is None else now

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str,
        idempotent: bool | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; ``endpoint`` names it in call counts and error messages.

        ``idempotent`` defaults to the HTTP method's semantics; a POST that creates nothing
        visible (an Instagram media container) may pass ``idempotent=True`` to be retried.
        Other keyword arguments go to ``requests`` (``params``, ``json``, ``data``, ...).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS

        def attempt() -> requests.Response:
            return self._send(method, path, endpoint=endpoint, idempotent=idempotent, **kwargs)

        if not idempotent:
            return attempt()
        return call_with_retries(attempt, self.extras.retry, sleep=self.sleep, now=self.now)

    def get(self, path: str, *, endpoint: str, params: Any = None, **kwargs: Any) -> Any:
        """GET and decode the JSON body (a proxy's HTML page instead is a transient failure)."""
        response = self.request("GET", path, endpoint=endpoint, params=params, **kwargs)
        body = json_body(response)
        if body is None:
            raise TransientError(
                self.network,
                f"{endpoint} answered {response.status_code} without JSON: {error_text(response)}",
            )
        return body

    def _send(
        self, method: str, path: str, *, endpoint: str, idempotent: bool, **kwargs: Any
    ) -> requests.Response:
        self.before_request(endpoint)
        self.adapter.count_call(endpoint)
        kwargs.setdefault("timeout", self.extras.timeout)
        try:
            response = self.session.request(method, self.url(path), **kwargs)
        except requests.RequestException as exc:
            # Not chained: requests' own text holds the URL (its query string too).
            raise self._transport_error(endpoint, exc, idempotent=idempotent) from None
        self.observe(response, endpoint)
        if response.status_code >= 400:
            error = self.error_for(response, endpoint)
            if not idempotent and type(error) is TransientError:
                # A server error on a write does not prove it was not applied (Meta is known to
                # create the post and answer code 2): reconcile before sending it again.
                raise OutcomeUnknown(
                    self.network,
                    str(error).removeprefix(f"[{self.network}] "),
                    hint="the write may have been applied; reconcile with find_published before "
                    "sending it again",
                    status=error.status,
                ) from error
            raise error
        return response

    def _transport_error(
        self, endpoint: str, exc: requests.RequestException, *, idempotent: bool
    ) -> NetworkError:
        reason = type(exc).__name__
        if idempotent or never_sent(exc):
            return TransientError(
                self.network, f"{endpoint}: no answer from {self.base_url} ({reason})"
            )
        return OutcomeUnknown(
            self.network,
            f"{endpoint}: the request was sent but no answer came back ({reason})",
            hint="it may have been applied; reconcile with find_published before sending it again",
        )

    # -- per-network hooks ---------------------------------------------------------------
    def before_request(self, endpoint: str) -> None:
        """Called before every request; networks that pace themselves wait or raise here."""

    def observe(self, response: requests.Response, endpoint: str) -> None:
        """Called with every response (usage headers are read here)."""

    def error_for(self, response: requests.Response, endpoint: str) -> NetworkError:
        """The error for a response with status >= 400, from the status alone."""
        status = response.status_code
        message = f"{endpoint} answered {status}: {error_text(response)}"
        if status == 401:
            return self.auth_error(message, status=status)
        if status == 429:
            return RateLimited(
                self.network, message, retry_at=self.retry_at(response), status=status
            )
        if status >= 500:
            return TransientError(self.network, message, status=status)
        return InvalidRequest(self.network, message, status=status)

    def auth_error(
        self, message: str, *, status: int | None = None, hint: str | None = None
    ) -> AuthError:
        return self.adapter.auth_error(message, renew=self.renew, status=status, hint=hint)

    def retry_at(self, response: requests.Response) -> datetime:
        """When to come back after a 429: ``Retry-After`` (seconds or HTTP date), else a minute."""
        return retry_after(response.headers.get("Retry-After"), self.now(), DEFAULT_RATE_LIMIT_WAIT)

    def close(self) -> None:
        self.session.close()


@contextmanager
def media_download(
    adapter: NetworkAdapter, url: str, what: str, kind: str
) -> Iterator[requests.Response]:
    """A streamed GET of a media file (``kind``: image, video) from its own host, for upload.

    Counted as ``GET media source``. Not sent through the adapter's API session: the media
    host must never see the network's credentials. A 5xx or 429 from that host, or a dropped
    connection (while reading the body too), may pass: :class:`TransientError`; another
    error status will not: :class:`InvalidRequest`.
    """
    adapter.count_call("GET media source")
    try:
        with requests.get(url, stream=True, timeout=adapter.extras.timeout) as response:
            status = response.status_code
            if status >= 400:
                error = TransientError if status >= 500 or status == 429 else InvalidRequest
                raise error(
                    adapter.network,
                    f"{what}: downloading {kind} {url} answered {status}",
                    status=status,
                )
            yield response
    except requests.RequestException as exc:
        raise TransientError(
            adapter.network, f"{what}: cannot download {kind} {url} ({type(exc).__name__})"
        ) from None


def never_sent(exc: requests.RequestException) -> bool:
    """Whether the request surely never reached the server, so even a write may be resent:
    the connection timed out or was refused, or the host name did not resolve (urllib3's
    ``NewConnectionError`` and ``NameResolutionError`` are ``ConnectTimeoutError`` subclasses)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, ConnectTimeoutError)


def error_text(response: requests.Response, limit: int = 300) -> str:
    text = response.text.strip()
    return (text[:limit] + "…") if len(text) > limit else (text or response.reason or "no body")


def json_body(response: requests.Response) -> Any:
    """The decoded body, or None when it is not JSON (an HTML error page from a proxy)."""
    try:
        return response.json()
    except ValueError:
        return None
