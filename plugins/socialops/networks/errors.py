"""Errors of the network layer. Each says what failed, where, and what a person can do.

``retryable`` tells the Airflow layer whether a later attempt can succeed: operators turn a
retryable error into ``AirflowException`` (Airflow retries) and the others into
``AirflowFailException``. The network layer itself imports nothing from Airflow.
"""

from __future__ import annotations

from datetime import datetime


class NetworkError(Exception):
    retryable = False

    def __init__(
        self, network: str, message: str, *, hint: str | None = None, status: int | None = None
    ):
        self.network = network
        self.hint = hint
        self.status = status
        text = f"[{network}] {message}"
        if hint:
            text += f" — {hint}"
        super().__init__(text)


class TransientError(NetworkError):
    """5xx, connection reset, read timeout on a read: trying again later may succeed."""

    retryable = True


class RateLimited(TransientError):
    """The network asked us to wait until ``retry_at`` (longer than the worker may sleep)."""

    def __init__(self, network: str, message: str, *, retry_at: datetime, **kwargs):
        self.retry_at = retry_at
        super().__init__(network, message, hint=f"come back after {retry_at.isoformat()}", **kwargs)


class QuotaExceeded(NetworkError):
    """A daily quota is spent (YouTube ``quotaExceeded``): retrying before the reset is useless."""

    def __init__(self, network: str, message: str, *, retry_at: datetime | None = None, **kwargs):
        self.retry_at = retry_at
        kwargs.setdefault("hint", "the daily quota resets at midnight Pacific time; rerun after it")
        super().__init__(network, message, **kwargs)


class OutcomeUnknown(TransientError):
    """A write was sent but no answer came back (timeout, reset): it may have been applied.

    The caller must reconcile (``find_published``) before sending the write again.
    """


class AuthError(NetworkError):
    """The token is expired, revoked or lacks a scope: a person must renew it."""

    def __init__(
        self,
        network: str,
        message: str,
        *,
        conn_id: str | None,
        renew: str,
        hint: str | None = None,
        **kwargs,
    ):
        self.conn_id = conn_id
        where = f"Airflow connection '{conn_id}'" if conn_id else "the connection"
        #: ``hint`` replaces the "renew" advice when renewing alone cannot help (a permission
        #: to grant, an extra to set); ``{where}`` in it names the connection.
        hint = hint.format(where=where) if hint else f"renew {renew} in {where}"
        super().__init__(network, message, hint=hint, **kwargs)


class MisconfiguredConnection(NetworkError):
    """An extra of the connection holds a value socialops cannot use: a person must fix it."""

    def __init__(self, network: str, message: str, *, conn_id: str | None, extra: str, **kwargs):
        self.conn_id = conn_id
        self.extra = extra
        super().__init__(network, message, **kwargs)


class InvalidRequest(NetworkError):
    """The network refused the content or the parameters; the same request will fail again."""


class DuplicateContent(InvalidRequest):
    """The network refused a post identical to a recent one (X answers 403 duplicate)."""


class NotSupported(NetworkError):
    """This network cannot do what was asked (e.g. mentions search on YouTube)."""
