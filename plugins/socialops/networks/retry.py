"""Bounded retries for network calls.

A worker slot is precious: we never let an SDK sleep for the length of a rate-limit window.
Waits up to ``max_sleep`` seconds happen here; a longer wait raises :class:`RateLimited`
so Airflow can reschedule the task after ``retry_at`` instead of pinning a worker.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from socialops.networks.errors import OutcomeUnknown, RateLimited, TransientError
from socialops.networks.extras import read_extras

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    backoff_base: float = 1.0  # first backoff, seconds; doubles each attempt
    backoff_cap: float = 30.0
    max_sleep: float = 60.0  # the longest single wait allowed inside a worker

    @classmethod
    def from_extras(cls, extras: Mapping[str, Any], *, network: str = "") -> RetryPolicy:
        """Extras ``max_attempts``, ``backoff_base``, ``backoff_cap``, ``max_sleep``, typed
        (:func:`~socialops.networks.extras.read_extras`); adapters read them once, with their
        other extras (``ConnectionExtras.retry``)."""
        return read_extras(cls, extras, network=network, conn_id=None)

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the given 1-based attempt."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> T:
    """Run ``call``, retrying :class:`TransientError` with backoff and honouring rate-limit resets.

    :class:`OutcomeUnknown` is never retried here: a write that may have been applied must be
    reconciled by the caller (``find_published``) before it is sent again.
    """
    attempt = 1
    while True:
        try:
            return call()
        except OutcomeUnknown:
            raise
        except RateLimited as exc:
            wait = max(0.0, (exc.retry_at - now()).total_seconds())
            if attempt >= policy.max_attempts or wait > policy.max_sleep:
                raise
            sleep(wait + random.uniform(0, 1))
        except TransientError:
            if attempt >= policy.max_attempts:
                raise
            sleep(policy.backoff(attempt))
        attempt += 1


def retry_after(value: str | None, now: datetime, default: timedelta) -> datetime:
    """When to come back after a 429 carrying the ``Retry-After`` header ``value``.

    The header holds seconds or an HTTP date; without a readable one the caller's ``default``
    wait (the network's usual window) applies.
    """
    value = (value or "").strip()
    if value:
        try:
            return now + timedelta(seconds=float(value))
        except (ValueError, OverflowError):
            pass
        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    return now + default
