"""The LinkedIn REST client: its extras, error bodies and limits, Rest.li query values, and the
escaping of post commentary.

Every request sends ``LinkedIn-Version`` (extra ``api_version``, ``YYYYMM``) and
``X-Restli-Protocol-Version: 2.0.0``. Rest.li query values such as ``List(...)`` and
``(timeRange:(start:..,end:..))`` keep their syntax characters while the URNs inside are
percent-encoded, so those query strings are built here (:func:`restli_query`) rather than by
``requests``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import requests

from socialops.networks.base import ConnectionExtras, NetworkAdapter
from socialops.networks.errors import (
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    RateLimited,
    TransientError,
)
from socialops.networks.transport.http import RestClient, api_root, json_body

LINKEDIN_URL = "https://api.linkedin.com/rest"
DEFAULT_API_VERSION = "202610"
LINKEDIN_TOKEN = "the LinkedIn OAuth access token (tokens last 60 days; refresh tokens 365 days)"
#: Characters LinkedIn's "little text format" reserves in post commentary.
_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|([^}]+)\}")
_ESCAPED = re.compile(r"\\(.)")


@dataclass(frozen=True)
class LinkedInExtras(ConnectionExtras):
    """The extras of a LinkedIn connection (docs/networks/linkedin.md), besides ``timeout``
    and the retry policy."""

    #: ``urn:li:organization:<id>`` or the id; optional when the member administers exactly
    #: one page, which ``/rest/organizationAcls`` then finds.
    organization_urn: str | None = None
    #: The ``LinkedIn-Version`` header.
    api_version: str = DEFAULT_API_VERSION


def escape_commentary(text: str) -> str:
    """Commentary in LinkedIn's little text format: reserved characters escaped, hashtags kept.

    Unescaped ``(`` or ``@`` make LinkedIn cut the text or read a mention template.
    """
    parts = []
    for index, chunk in enumerate(_HASHTAG.split(text)):
        # split() alternates plain text and captured hashtag words
        parts.append(f"{{hashtag|\\#|{chunk}}}" if index % 2 else _RESERVED.sub(r"\\\1", chunk))
    return "".join(parts)


def unescape_commentary(text: str) -> str:
    return _ESCAPED.sub(r"\1", _HASHTAG_TEMPLATE.sub(r"#\1", text or ""))


def restli_query(**params: Any) -> str:
    """A query string whose values are already Rest.li-encoded (see :class:`RestLi`) or plain."""
    return "&".join(
        f"{name}={value.text if isinstance(value, RestLi) else quote(str(value), safe='')}"
        for name, value in params.items()
        if value is not None
    )


class RestLi:
    """A Rest.li 2.0 value written as is in a query string (its URNs encoded by the builder)."""

    def __init__(self, text: str):
        self.text = text

    @classmethod
    def list(cls, items: Sequence[str]) -> RestLi:
        return cls("List(" + ",".join(quote(i, safe="") for i in items) + ")")

    @classmethod
    def day(cls, day: date) -> RestLi:
        start = datetime.combine(day, time(0), tzinfo=UTC)
        begin, end = (int(t.timestamp() * 1000) for t in (start, start + timedelta(days=1)))
        return cls(f"(timeRange:(start:{begin},end:{end}),timeGranularityType:DAY)")


def millis(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value / 1000, UTC) if value else None


def organization_urn(id_or_urn: str) -> str:
    return id_or_urn if id_or_urn.startswith("urn:li:") else f"urn:li:organization:{id_or_urn}"


class LinkedInClient(RestClient):
    """LinkedIn's error bodies ``{"status", "serviceErrorCode", "code", "message"}`` and limits."""

    def __init__(self, adapter: NetworkAdapter):
        extras: LinkedInExtras = adapter.extras  # type: ignore[assignment]
        super().__init__(
            adapter,
            api_root(adapter.settings, LINKEDIN_URL),
            headers={
                "Authorization": f"Bearer {adapter.settings.password or ''}",
                "LinkedIn-Version": extras.api_version,
                "X-Restli-Protocol-Version": "2.0.0",
            },
        )

    def error_for(self, response: requests.Response, endpoint: str) -> NetworkError:
        body = json_body(response)
        if not isinstance(body, dict) or "message" not in body:
            return super().error_for(response, endpoint)
        status = response.status_code
        service_code = body.get("serviceErrorCode")
        message = f"{endpoint} answered {status}: {body['message']}"
        if service_code or body.get("code"):
            message += f" (serviceErrorCode {service_code}, {body.get('code', 'no code')})"
        if status == 401:
            return self.auth_error(message, status=status)
        if status == 403:
            return self.auth_error(
                message
                + "; the token lacks a scope, or its member is not an administrator of the page",
                status=status,
            )
        if status == 429:
            # LinkedIn sends no reset header; its application and member limits are daily
            # and reset at midnight UTC, so that is the earliest safe moment to come back.
            reset = datetime.combine(self.now().date() + timedelta(days=1), time(0), tzinfo=UTC)
            return RateLimited(
                self.network,
                message
                + "; LinkedIn gives no reset time, assuming its daily window (midnight UTC)",
                retry_at=reset,
                status=status,
            )
        if status == 422 and "duplicate" in body["message"].lower():
            return DuplicateContent(self.network, message, status=status)
        if status >= 500:
            return TransientError(self.network, message, status=status)
        return InvalidRequest(self.network, message, status=status)
