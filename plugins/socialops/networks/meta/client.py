"""The Graph API client both Meta adapters use: its extras, errors, usage headers and pacing.

Facebook and Instagram speak the same Graph API (``https://graph.facebook.com/<version>``),
with the same error objects, paging and usage headers: :class:`GraphClient` reads them,
:class:`MetaExtras` is what either connection may hold.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests

from socialops.networks.base import ConnectionExtras, NetworkAdapter
from socialops.networks.errors import (
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from socialops.networks.transport.http import RestClient, api_root, json_body

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
#: Graph error codes that mean "too many calls": app (4), user (17), page (32), action
#: (613) and the business use case limits (80001-80014).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: Without an ``estimated_time_to_regain_access``, Meta's limits are windows rolling over an hour.
ROLLING_WINDOW = timedelta(hours=1)
#: Instagram's "maximum number of posts allowed in 24 hours" error subcode.
INSTAGRAM_PUBLISHING_LIMIT = 2207042
PUBLISHING_LIMIT_HINT = "Instagram's publishing limit rolls over 24 hours; publish this entry later"
META_TOKEN = "the Page access token (Meta tokens expire; long-lived tokens last ~60 days)"
#: The words of Meta's code 100 answer to a call that needs the app's proof.
APP_SECRET_REQUIRED = "requires either app secret proof or an app token"
#: A Meta permission named in an error message (``pages_read_engagement``, ``instagram_basic``).
PERMISSION_NAME = re.compile(
    r"\b(?:pages|instagram|ads|business|read|publish|manage|public|user)_[a-z_]*[a-z]\b"
)
USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")


@dataclass(frozen=True)
class MetaExtras(ConnectionExtras):
    """The extras of a Facebook or an Instagram connection (docs/networks/facebook.md and
    instagram.md), besides ``timeout`` and the retry policy."""

    #: The Facebook Page; without it ``GET /me``, which a Page token resolves to the Page.
    page_id: str | None = None
    #: The Instagram professional account; without it, the Page's linked account.
    ig_user_id: str | None = None
    api_version: str = DEFAULT_API_VERSION
    #: Adds ``appsecret_proof`` to every call.
    app_secret: str | None = field(default=None, repr=False)
    #: Percent of the Graph usage from which calls slow down.
    usage_threshold: float = 80.0
    #: Instagram: where local media files are served publicly.
    media_base_url: str | None = None
    #: Instagram: seconds a media container may take to be ready, and between two polls.
    container_wait: float = 60.0
    container_poll_interval: float = 2.0
    #: The Meta ad account of the campaigns (with or without ``act_``), for ads reporting.
    ad_account_id: str | None = None


class GraphClient(RestClient):
    """Graph API errors, ``appsecret_proof``, and pacing from the usage headers."""

    def __init__(self, adapter: NetworkAdapter):
        extras: MetaExtras = adapter.extras  # type: ignore[assignment]
        token = adapter.settings.password
        super().__init__(
            adapter,
            f"{api_root(adapter.settings, GRAPH_URL)}/{extras.api_version}",
            headers={"Authorization": f"Bearer {token or ''}"},
        )
        self.version = extras.api_version
        self.usage_threshold = extras.usage_threshold
        self.usage: float = 0.0  # the highest percentage the last response reported
        self._pause = 0.0
        self._blocked_until: datetime | None = None
        if extras.app_secret and token:
            # Meta recommends proving the app secret on server-side calls; the proof is an
            # HMAC of the token, so neither secret travels.
            proof = hmac.new(extras.app_secret.encode(), token.encode(), hashlib.sha256)
            self.session.params = {"appsecret_proof": proof.hexdigest()}

    # -- pacing --------------------------------------------------------------------------
    def observe(self, response: requests.Response, endpoint: str) -> None:
        usage, regain_minutes = read_usage(response.headers)
        self.usage = usage
        max_sleep = self.extras.retry.max_sleep
        if regain_minutes > 0:
            self._blocked_until = self.now() + timedelta(minutes=regain_minutes)
        elif usage >= self.usage_threshold:
            # Slow down in proportion to how close we are to 100%, before Meta throttles us.
            share = min(1.0, (usage - self.usage_threshold) / max(1.0, 100 - self.usage_threshold))
            self._pause = max(self._pause, max_sleep * share)
        else:
            self._pause = 0.0

    def before_request(self, endpoint: str) -> None:
        max_sleep = self.extras.retry.max_sleep
        if self._blocked_until is not None:
            wait = (self._blocked_until - self.now()).total_seconds()
            if wait > max_sleep:
                raise RateLimited(
                    self.network,
                    f"{endpoint} not sent: Meta reports the usage limit reached "
                    f"({self.usage:.0f}%)",
                    retry_at=self._blocked_until,
                )
            self._blocked_until = None
            if wait > 0:
                self.sleep(wait)
        if self._pause > 0:
            log.info(
                "%s Graph usage at %.0f%%: pausing %.1fs before %s",
                self.network,
                self.usage,
                self._pause,
                endpoint,
            )
            self.sleep(self._pause)
            self._pause = 0.0

    # -- errors --------------------------------------------------------------------------
    def error_for(self, response: requests.Response, endpoint: str) -> NetworkError:
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return super().error_for(response, endpoint)
        exc = self._classify(error, response, endpoint)
        exc.graph_error = error  # type: ignore[attr-defined]  # callers may read code/message
        return exc

    def _classify(
        self, error: dict[str, Any], response: requests.Response, endpoint: str
    ) -> NetworkError:
        code = error.get("code")
        subcode = error.get("error_subcode")
        status = response.status_code
        message = f"{endpoint} failed: {error.get('message', 'no message')} (code {code}" + (
            f", subcode {subcode})" if subcode else ")"
        )
        if error.get("fbtrace_id"):
            message += f" [fbtrace_id {error['fbtrace_id']}]"
        if code in (190, 102, 104, 463, 467):
            return self.auth_error(message, status=status)
        if code == 10 or (isinstance(code, int) and 200 <= code < 300):
            return self.auth_error(
                message + "; the token lacks a permission this call needs", status=status
            )
        if code == 100 and error.get("type") == "OAuthException":
            refused = self._refused_access(str(error.get("message", "")), message, status)
            if refused is not None:
                return refused
        if code in RATE_LIMIT_CODES:
            _, regain = read_usage(response.headers)
            retry_at = self.now() + (timedelta(minutes=regain) if regain > 0 else ROLLING_WINDOW)
            return RateLimited(self.network, message, retry_at=retry_at, status=status)
        if error.get("is_transient") or code in (1, 2) or status >= 500:
            return TransientError(self.network, message, status=status)
        if code == 506:
            return DuplicateContent(self.network, message, status=status)
        if subcode == INSTAGRAM_PUBLISHING_LIMIT:
            return QuotaExceeded(self.network, message, status=status, hint=PUBLISHING_LIMIT_HINT)
        if code == 368:
            return InvalidRequest(
                self.network,
                message,
                status=status,
                hint="Meta blocked this content or this Page from posting for now",
            )
        return InvalidRequest(self.network, message, status=status)

    def _refused_access(self, text: str, message: str, status: int) -> NetworkError | None:
        """A code 100 ``OAuthException`` that is about access, not parameters: a permission
        the token lacks, or a call Meta accepts only with ``appsecret_proof``."""
        if APP_SECRET_REQUIRED in text.casefold():
            proof = self.session.params and "appsecret_proof" in self.session.params
            return self.auth_error(
                message,
                status=status,
                hint=(
                    "Meta refused the appsecret_proof made with extra 'app_secret': check that "
                    "it is the secret of the app that issued the token, in {where}"
                    if proof
                    else "set extra 'app_secret' (the Meta app's secret, from the app "
                    "dashboard's basic settings) in {where}: calls then carry appsecret_proof"
                ),
            )
        if "permission" not in text.casefold():
            return None
        named = sorted(set(PERMISSION_NAME.findall(text)))
        which = (
            f"the {' and '.join(named)} permission{'s' if len(named) > 1 else ''}"
            if named
            else "the permission this call needs"
        )
        return self.auth_error(
            message + f"; the token lacks {which}",
            status=status,
            hint=f"grant the app {which} (app review, then the Page's Business settings), "
            "generate a new Page access token with it and put it in {where}",
        )


def read_usage(headers: Any) -> tuple[float, float]:
    """The highest usage percentage and regain delay (minutes) in Graph's usage headers.

    ``X-App-Usage`` / ``X-Page-Usage``: ``{"call_count": 28, "total_time": 25,
    "total_cputime": 25}``; ``X-Business-Use-Case-Usage``: ``{"<object id>": [{"type":
    "pages", "call_count": .., "total_time": .., "total_cputime": ..,
    "estimated_time_to_regain_access": <minutes>}]}``.
    """
    usage, regain = 0.0, 0.0
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            log.warning("ignoring unreadable %s header", name)
            continue
        entries = (
            [parsed] if "call_count" in parsed else [e for group in parsed.values() for e in group]
        )
        for entry in entries:
            for key in ("call_count", "total_time", "total_cputime"):
                usage = max(usage, float(entry.get(key) or 0))
            regain = max(regain, float(entry.get("estimated_time_to_regain_access") or 0))
    return usage, regain


def missing_aliases(exc: NetworkError) -> set[str]:
    """The ids an error 803 ("Some of the aliases you requested do not exist: a,b") names."""
    error = getattr(exc, "graph_error", {})
    text = error.get("message", "")
    if error.get("code") not in (100, 803) or "do not exist:" not in text:
        return set()
    return {
        alias.strip() for alias in text.split("do not exist:", 1)[1].split(",") if alias.strip()
    }
