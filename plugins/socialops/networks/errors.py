"""Errors of the network layer. Each says what failed, where, and what a person can do.

``retryable`` tells the Airflow layer whether a later attempt can succeed: operators turn a
retryable error into ``AirflowException`` (Airflow retries) and the others into
``AirflowFailException``. The network layer itself imports nothing from Airflow.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

# -- secrets: one redaction rule for every network's errors ------------------------------
#
# An error text is logged, stored (``publications.last_error``) and sent to the ops channel,
# so it must never hold a secret. Every NetworkError's text goes through :func:`redact`:
# a URL's query string is dropped (API keys and signatures travel there), ``name=value``
# pairs and ``Bearer`` credentials whose name says secret are blanked, and every connection
# secret seen in this process (:func:`register_secrets`, called for each connection the
# adapters and the Sheets reader use) is replaced. The hooks layer also hands the same
# values to Airflow's secrets masker, which blanks them in every task log line.

REDACTED = "***"
#: A connection extra (or a ``name=value``) whose name says it is a secret.
SECRET_NAME = re.compile(
    r"(?i)(password|passwd|secret|token|api[_-]?key|apikey|(^|_)key$|signature|"
    r"appsecret_proof|credential)"
)
#: Shorter values are not secrets worth a global replace (they would blank ordinary words).
MIN_SECRET_LENGTH = 8

_QUERY = re.compile(r"\?[^\s'\"<>()\[\]{}]*=[^\s'\"<>()\[\]{}]*")
_PAIR = re.compile(
    r"(?i)\b([\w.-]*(?:password|passwd|secret|token|api[_-]?key|apikey|signature|"
    r"appsecret_proof|client_secret)[\w.-]*|key)(\"?\s*[=:]\s*)(\"?)[^\s&,;\"'}]+"
)
#: A credential after its scheme: long, and with a digit (not "bearer token" in a hint).
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+(?=\S*\d)[A-Za-z0-9._~+/=-]{8,}")
_known: set[str] = set()
_lock = threading.Lock()


def secret_values(password: str | None, extras: Mapping[str, Any]) -> list[str]:
    """A connection's secrets: its password and every extra whose name says secret."""
    values = [password] if password else []
    values += [str(v) for k, v in extras.items() if v and SECRET_NAME.search(str(k))]
    return [v for v in values if len(v) >= MIN_SECRET_LENGTH]


def register_secrets(values: Iterable[str]) -> None:
    """Remember connection secrets so that :func:`redact` blanks them wherever they appear."""
    with _lock:
        _known.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)


def redact(text: str) -> str:
    """``text`` without query strings, secret-named values, credentials or known secrets."""
    text = _QUERY.sub("?" + REDACTED, text)
    text = _PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    with _lock:
        known = sorted(_known, key=len, reverse=True)  # a secret inside another: longest first
    for secret in known:
        text = text.replace(secret, REDACTED)
    return text


def failure(exc: BaseException) -> str:
    """``Class: message`` of a library's exception, redacted: what an error may quote of its
    cause (raise ours ``from None`` then: the cause's own text may hold the URL)."""
    return redact(f"{type(exc).__name__}: {exc}")


class NetworkError(Exception):
    retryable = False

    def __init__(
        self, network: str, message: str, *, hint: str | None = None, status: int | None = None
    ):
        self.network = network
        self.hint = redact(hint) if hint else hint
        self.status = status
        text = f"[{network}] {redact(message)}"
        if self.hint:
            text += f" — {self.hint}"
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
