"""The protocol every network adapter implements, and the connection settings it is built from.

An adapter is pure Python: it receives :class:`ConnectionSettings` (host, login, secrets,
extras) and talks to one network's API through its SDK or HTTP. It knows nothing of Airflow;
hooks build it from an Airflow connection. When ``settings.host`` is set it is the API base
URL, which is how the same code talks to the local sandbox.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from socialops.networks.errors import NotSupported
from socialops.networks.idempotency import matches
from socialops.networks.records import (
    AccountMetrics,
    CampaignSpend,
    Draft,
    Mention,
    Post,
    PostMetrics,
    Profile,
    Receipt,
)
from socialops.networks.registry import spec as registry_spec
from socialops.networks.retry import RetryPolicy
from socialops.networks.spec import NetworkSpec, text_with_link

T = TypeVar("T")


@dataclass(frozen=True)
class ConnectionSettings:
    """What an adapter needs from a connection. Secrets never appear in ``repr``."""

    conn_id: str | None = None
    host: str | None = None  # API base URL; None means the network's real API
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    extras: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(
        cls, connection: Mapping[str, Any], conn_id: str | None = None
    ) -> ConnectionSettings:
        """Settings from Airflow's JSON connection form (``host``, ``login``, ``password``,
        ``extra``, ``schema``, ``port``), as in an ``AIRFLOW_CONN_<ID>`` variable.

        ``host`` may be a full base URL (``http://127.0.0.1:8800/x``) or a bare host name, which
        ``schema`` (default https) and ``port`` complete.
        """
        host = connection.get("host") or None
        if host and "://" not in host:
            scheme = connection.get("schema") or "https"
            port = connection.get("port")
            host = f"{scheme}://{host}" + (f":{port}" if port else "")
        extras = connection.get("extra") or {}
        if isinstance(extras, str):
            extras = json.loads(extras)
        return cls(
            conn_id=conn_id,
            host=host.rstrip("/") if host else None,
            login=connection.get("login") or None,
            password=connection.get("password") or None,
            extras=extras,
        )

    def secret(self, name: str, *, fallback_to_password: bool = False) -> str | None:
        value = self.extras.get(name)
        if value is None and fallback_to_password:
            value = self.password
        return value or None

    @property
    def timeout(self) -> float:
        return float(self.extras.get("timeout", 30))

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy.from_extras(self.extras)


def batched(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive chunks of at most ``size`` items (``itertools.batched`` is 3.12+)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class NetworkAdapter:
    """Base class of the adapters. A method a network cannot serve raises :class:`NotSupported`.

    Subclasses set ``network`` and count every API request with :meth:`count_call`, so a run
    can log how many calls it made (``api_calls``) and benchmarks can compare with the minimum.
    """

    network: str = ""

    def __init__(self, settings: ConnectionSettings):
        self.settings = settings
        self.api_calls: Counter[str] = Counter()

    @property
    def spec(self) -> NetworkSpec:
        """What socialops knows of this network (limits, names): its registry entry."""
        return registry_spec(self.network)

    def published_text(self, draft: Draft) -> str:
        """The draft's text as the network shows it, with the link where it travels in the
        text (the calendar checks the same text against the same limits)."""
        return text_with_link(self.spec.limits, draft.text, draft.link, has_media=bool(draft.media))

    def count_call(self, endpoint: str) -> None:
        self.api_calls[endpoint] += 1

    def _unsupported(self, what: str) -> NotSupported:
        return NotSupported(self.network, f"{what} is not available on this network")

    # -- the protocol ----------------------------------------------------------------
    def check(self) -> Profile:
        """Verify the credentials; return the authenticated account's profile."""
        raise self._unsupported("checking the connection")

    def publish(self, draft: Draft, idempotency_key: str) -> Receipt:
        raise self._unsupported("publishing")

    def find_published(self, idempotency_key: str, account: str, since: datetime) -> Receipt | None:
        """The account's post since ``since`` whose text is the key's content, if any.

        Read from :meth:`recent_posts`; an adapter overrides it when a post's text is not what
        was published as is (YouTube matches the description) or when it can stop listing early.
        """
        for post in self.recent_posts(account, since):
            if matches(idempotency_key, post.text):
                return Receipt(self.network, post.post_id, post.url or "", post.created_at)
        return None

    def account_metrics(self, account: str, day: date) -> AccountMetrics:
        raise self._unsupported("account metrics")

    def post_metrics(self, post_ids: Sequence[str]) -> list[PostMetrics]:
        raise self._unsupported("post metrics")

    def recent_posts(self, account: str, since: datetime) -> list[Post]:
        raise self._unsupported("listing recent posts")

    def mentions(self, query: str, since: datetime) -> list[Mention]:
        raise self._unsupported("mention search")

    def comments(self, post_ids: Sequence[str], since: datetime) -> list[Mention]:
        raise self._unsupported("comments on own posts")

    def profiles(self, ids_or_handles: Sequence[str]) -> list[Profile]:
        raise self._unsupported("profile lookup")

    def campaign_spend(
        self, day: date, campaign_ids: Sequence[str], *, since: date | None = None
    ) -> list[CampaignSpend]:
        """Paid results per campaign and day, from ``since`` (default ``day``) to ``day``.

        ``campaign_ids`` are the brand configuration's campaign ids; a campaign without
        delivery on a day has no row for it (the ads APIs omit such days).
        """
        raise self._unsupported("ads reporting")

    def close(self) -> None:
        """Release sessions; adapters holding none need not override."""
