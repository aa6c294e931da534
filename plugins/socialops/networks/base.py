"""The protocol every network adapter implements, and the connection settings it is built from.

An adapter is pure Python: it receives :class:`ConnectionSettings` (host, login, secrets,
extras) and talks to one network's API through its SDK or HTTP. It knows nothing of Airflow;
hooks build it from an Airflow connection. When ``settings.host`` is set it is the API base
URL, which is how the same code talks to the local sandbox.

The base class owns what every adapter does the same way (Openverse's one ingester base is
the model): its extras read once and typed (:class:`ConnectionExtras`, extended per network),
one injectable clock and sleep, bounded retries, the auth error naming the connection, and
the listing loop of :mod:`socialops.networks.paging` (a listing's pages by the network's
cursor rule; the "newest first, stop at ``since``" rule and the id batches are its functions
too). A network's adapter only knows its endpoints and how to read its records.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Self, TypeVar

from socialops.networks import records
from socialops.networks.errors import AuthError, NotSupported, register_secrets, secret_values
from socialops.networks.extras import read_extras
from socialops.networks.idempotency import PostContent, is_strict, matches
from socialops.networks.paging import Cursor, CursorRule, Page, follow
from socialops.networks.registry import spec as registry_spec
from socialops.networks.retry import RetryPolicy, call_with_retries
from socialops.networks.spec import NetworkSpec, text_with_link

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ConnectionExtras:
    """The extras every network's connection may hold; a network's own extend it
    (``XExtras``, ``MetaExtras``, ``LinkedInExtras``, ``YouTubeExtras``)."""

    timeout: float = 30.0  # seconds per HTTP request
    #: Extras ``max_attempts``, ``backoff_base``, ``backoff_cap``, ``max_sleep``.
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def read(cls, settings: ConnectionSettings, network: str) -> Self:
        """The extras of ``settings``, typed; a bad value is a ``MisconfiguredConnection``."""
        return read_extras(cls, settings.extras, network=network, conn_id=settings.conn_id)


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

    def __post_init__(self) -> None:
        # Whatever error a request with these settings raises, their secrets are blanked.
        register_secrets(self.secrets())

    def secrets(self) -> list[str]:
        """The password and every extra whose name says secret (token, key, app secret...)."""
        return secret_values(self.password, self.extras)

    def secret(self, name: str, *, fallback_to_password: bool = False) -> str | None:
        value = self.extras.get(name)
        if value is None and fallback_to_password:
            value = self.password
        return value or None

    @property
    def timeout(self) -> float:
        """Extra ``timeout`` (:class:`ConnectionExtras`), for callers that hold no adapter."""
        return ConnectionExtras.read(self, "connection").timeout

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry extras (:class:`ConnectionExtras`), for callers that hold no adapter."""
        return ConnectionExtras.read(self, "connection").retry


class NetworkAdapter:
    """Base class of the adapters. A method a network cannot serve raises :class:`NotSupported`.

    Subclasses set ``network`` (and ``extras_type``, ``renew``) and count every API request
    with :meth:`count_call`, so a run can log how many calls it made (``api_calls``) and
    benchmarks can compare with the minimum. ``sleep`` and ``now`` are the adapter's clock
    (tests pass fakes, so nothing really waits); every wait and every "now" goes through them.
    """

    network: str = ""
    #: The dataclass of the extras this network reads (built once, in the constructor).
    extras_type: type[ConnectionExtras] = ConnectionExtras
    #: What a person renews when the network refuses the credentials.
    renew: str = "the access token"

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        sleep: Callable[[float], None] | None = None,
        now: Callable[[], datetime] | None = None,
    ):
        self.settings = settings
        self.extras = self.extras_type.read(settings, self.network)
        self.sleep: Callable[[float], None] = time.sleep if sleep is None else sleep
        self.now: Callable[[], datetime] = utcnow if now is None else now
        self.api_calls: Counter[str] = Counter()
        self.setup()

    def setup(self) -> None:
        """Build this network's clients and the caches of the adapter's one task (called once,
        by the constructor, when the extras and the clock are set); nothing is sent yet."""

    @property
    def spec(self) -> NetworkSpec:
        """What socialops knows of this network (limits, names): its registry entry."""
        return registry_spec(self.network)

    def published_text(self, draft: records.Draft) -> str:
        """The draft's text as the network shows it, with the link where it travels in the
        text (the calendar checks the same text against the same limits)."""
        return text_with_link(self.spec.limits, draft.text, draft.link, has_media=bool(draft.media))

    def count_call(self, endpoint: str) -> None:
        self.api_calls[endpoint] += 1

    # -- what every adapter does the same way ----------------------------------------------
    def retrying(self, call: Callable[[], T]) -> T:
        """``call`` with the connection's bounded retries on this adapter's clock."""
        return call_with_retries(call, self.extras.retry, sleep=self.sleep, now=self.now)

    def auth_error(
        self,
        message: str,
        *,
        renew: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> AuthError:
        """The credentials were refused: renew ``renew`` (default :attr:`renew`) in the
        connection, which the error names; ``hint`` replaces that advice (see
        :class:`AuthError`)."""
        return AuthError(
            self.network,
            message,
            conn_id=self.settings.conn_id,
            renew=renew or self.renew,
            status=status,
            hint=hint,
        )

    def listing(
        self,
        fetch: Callable[[Cursor | None], Page],
        rule: CursorRule,
        *,
        endpoint: str,
        start: Cursor | None = None,
    ) -> Iterator[Any]:
        """Every item of every page of a listing by the network's cursor ``rule``, lazily
        (callers may stop early); a repeated cursor or page raises (see
        :func:`~socialops.networks.paging.follow`)."""
        pages = follow(fetch, rule, network=self.network, endpoint=endpoint, start=start)
        for page in pages:
            yield from rule.items(page)

    def _unsupported(self, what: str) -> NotSupported:
        return NotSupported(self.network, f"{what} is not available on this network")

    # -- the protocol ----------------------------------------------------------------
    def check(self) -> records.Profile:
        """Verify the credentials; return the authenticated account's profile."""
        raise self._unsupported("checking the connection")

    def publish(self, draft: records.Draft, idempotency_key: str) -> records.Receipt:
        raise self._unsupported("publishing")

    def published_contents(
        self, account: str, since: datetime
    ) -> Iterator[tuple[records.Receipt, PostContent]]:
        """The account's posts since ``since``, each with its content as the network shows
        it (links expanded from the network's own entities, the card's link, media kinds,
        title): what :meth:`find_published_candidates` compares with a key."""
        raise self._unsupported("reading the content of the account's posts")

    def find_published_candidates(
        self, idempotency_key: str, account: str, since: datetime
    ) -> list[records.Receipt]:
        """Every post of ``account`` created since ``since`` whose content is the key's,
        oldest first (docs/exactly-once.md, "What a match is").

        A key made before the content fingerprint covered links, media and title cannot tell
        our post from a neighbour's: :class:`NotSupported`, so a person decides.
        """
        if not is_strict(idempotency_key):
            raise NotSupported(
                self.network,
                f"publication key {idempotency_key} predates the strict content match: "
                "a post found now could be another entry's",
                hint="check the account for the post and record or publish it by hand",
            )
        found = [
            receipt
            for receipt, content in self.published_contents(account, since)
            if receipt.published_at >= since and matches(idempotency_key, content)
        ]
        return sorted(found, key=lambda receipt: receipt.published_at)

    def find_published(
        self, idempotency_key: str, account: str, since: datetime
    ) -> records.Receipt | None:
        """The oldest of :meth:`find_published_candidates`, if any."""
        found = self.find_published_candidates(idempotency_key, account, since)
        return found[0] if found else None

    def account_metrics(self, account: str, day: date) -> records.AccountMetrics:
        raise self._unsupported("account metrics")

    def post_metrics(self, post_ids: Sequence[str]) -> list[records.PostMetrics]:
        raise self._unsupported("post metrics")

    def recent_posts(
        self, account: str, since: datetime, *, metrics: bool = False
    ) -> list[records.Post]:
        """The account's posts created since ``since``, newest first.

        With ``metrics``, the listing also asks each post's metrics where the network's
        listing accepts the same fields as its id lookup (X, Facebook, Instagram): those posts
        carry :attr:`~records.Post.metrics` equal to what :meth:`post_metrics` would return,
        and only the others need a lookup by id. Networks whose listings carry no metrics
        ignore it.
        """
        raise self._unsupported("listing recent posts")

    def mentions(self, query: str, since: datetime) -> list[records.Mention]:
        raise self._unsupported("mention search")

    def comments(self, post_ids: Sequence[str], since: datetime) -> list[records.Mention]:
        raise self._unsupported("comments on own posts")

    def search(self, query: str, since: datetime) -> list[records.Mention]:
        """Keyword search of public posts where it costs quota (YouTube ``search.list``)."""
        raise self._unsupported("keyword search")

    def hashtag_media(self, hashtag: str, since: datetime) -> list[records.Mention]:
        """Public posts under a hashtag (Instagram's hashtag search)."""
        raise self._unsupported("hashtag search")

    def profiles(self, ids_or_handles: Sequence[str]) -> list[records.Profile]:
        raise self._unsupported("profile lookup")

    # -- public lookups of accounts we do not own (competitor watch, influencer scoring) --
    def lookup_profiles(self, ids_or_handles: Sequence[str]) -> records.ProfileLookup:
        """Public profiles in as few calls as the network allows (its batch maximum), with
        the reason each account asked for cannot be read (unknown, private, not a business
        account...). Raises :class:`NotSupported` when the network gives no such data."""
        raise self._unsupported("public profile lookup")

    def public_posts(self, account: str, since: datetime) -> list[records.PublicPost]:
        """Another account's posts since ``since`` with their public engagement.

        Raises :class:`NotSupported` (with the reason) when the network does not show them
        to this connection."""
        raise self._unsupported("reading another account's posts")

    def campaign_spend(
        self, day: date, campaign_ids: Sequence[str], *, since: date | None = None
    ) -> list[records.CampaignSpend]:
        """Paid results per campaign and day, from ``since`` (default ``day``) to ``day``.

        ``campaign_ids`` are the brand configuration's campaign ids; a campaign without
        delivery on a day has no row for it (the ads APIs omit such days).
        """
        raise self._unsupported("ads reporting")

    def close(self) -> None:
        """Release sessions; adapters holding none need not override."""
