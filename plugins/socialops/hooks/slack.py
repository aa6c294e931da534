"""Sending to Slack: :class:`SlackSender` posts :class:`~socialops.notifications.blocks.Message` s
through Airflow's Slack provider.

``SlackHook`` owns the connection; slack_sdk's rate-limit retry handler is installed on its
client, bounded in count and in wait so a worker never sleeps for minutes. Features do not
call it: they write to the outbox (:mod:`socialops.notifications.outbox`), which does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from airflow.providers.slack.hooks.slack import SlackHook


#: Slack error codes for which retrying later can help.
_RETRYABLE = {
    "ratelimited",
    "rate_limited",
    "fatal_error",
    "internal_error",
    "service_unavailable",
    "request_timeout",
}
_AUTH = {"not_authed", "invalid_auth", "token_expired", "token_revoked", "account_inactive"}

#: The Slack message metadata event type of socialops' posts; its payload is the dedup key.
METADATA_EVENT = "socialops_notice"
#: How many history pages (of :data:`HISTORY_PAGE_SIZE`) :meth:`SlackSender.find` reads.
HISTORY_PAGES = 5
HISTORY_PAGE_SIZE = 200
#: How far Slack's clock and ours may differ when the history is searched from an attempt.
CLOCK_SKEW = timedelta(minutes=10)


class Message(Protocol):
    """What the sender posts: a :class:`socialops.notifications.blocks.Message` (or anything
    with the fallback ``text`` and the Block Kit ``blocks``)."""

    text: str
    blocks: Sequence[dict[str, Any]]


class SlackDeliveryError(RuntimeError):
    """A call to Slack failed. ``retryable`` says whether trying again later can help;
    ``outcome_unknown`` that Slack may have acted on it anyway (a timeout, a connection cut,
    a 5xx): a post is then looked up (:meth:`SlackSender.find`) before it is sent again."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        retryable: bool = False,
        outcome_unknown: bool = False,
    ):
        super().__init__(message)
        self.code = code
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown


class SlackConnectionMissing(SlackDeliveryError):
    """The Airflow connection for Slack does not exist or holds no token."""


def _rate_limit_handler(max_retries: int, max_wait_seconds: float):
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
        """Retries a 429 after its ``Retry-After``, unless that wait exceeds ``max_wait_seconds``.

        slack_sdk itself sleeps ``int(Retry-After)`` seconds, however long: only the bound is ours.
        """

        def _can_retry(self, *, state, request, response=None, error=None) -> bool:
            if not super()._can_retry(state=state, request=request, response=response, error=error):
                return False
            values = next(
                (v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"]
            )
            try:
                # int(), as slack_sdk's own wait does: a value it cannot read is not retried
                # (the 429 then reaches the caller as a retryable SlackDeliveryError).
                return int(values[0]) <= max_wait_seconds
            except (TypeError, ValueError):
                return False

    return BoundedRateLimitRetryHandler(max_retry_count=max_retries)


class SlackSender:
    """Posts :class:`Message` s through ``SlackHook(slack_conn_id=conn_id)``.

    >>> ts = SlackSender("slack_default").send("#cm-alertes", message)
    """

    def __init__(
        self,
        conn_id: str = "slack_default",
        *,
        max_rate_limit_retries: int = 3,
        max_wait_seconds: float = 30,
    ):
        self.conn_id = conn_id
        self.max_rate_limit_retries = max_rate_limit_retries
        self.max_wait_seconds = max_wait_seconds

    @cached_property
    def hook(self) -> SlackHook:
        from airflow.providers.slack.hooks.slack import SlackHook

        return SlackHook(
            slack_conn_id=self.conn_id,
            retry_handlers=[
                _rate_limit_handler(self.max_rate_limit_retries, self.max_wait_seconds)
            ],
        )

    def send(
        self,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        key: str | None = None,
    ) -> str:
        """Post ``message`` in ``channel`` (``#name`` or id); returns the message's ``ts``.

        ``key`` (the outbox's dedup key) goes with it as Slack message metadata, so that
        :meth:`find` can tell later whether a post whose answer was lost went out.
        """
        response = self._call(
            "chat_postMessage",
            channel=channel,
            text=message.text,
            blocks=message.blocks or None,
            thread_ts=thread_ts,
            unfurl_links=False,
            metadata=_metadata(key) if key else None,
        )
        return response["ts"]

    def find(
        self, channel: str, key: str, *, since: datetime, thread_ts: str | None = None
    ) -> str | None:
        """The ``ts`` of the message posted in ``channel`` with ``key`` (see :meth:`send`) at
        or after ``since`` (a few minutes earlier, for clocks that differ), or None.

        Reads ``conversations.history`` with ``include_all_metadata`` (scope
        ``channels:history``, or ``groups:history`` for a private channel), newest first,
        at most :data:`HISTORY_PAGES` pages: a message not found there is taken as not sent.
        A reply (``thread_ts``: the ts of the message it answers) is searched among that
        thread's replies instead (``conversations.replies``, same scopes): Slack's history
        holds no thread replies.
        """
        for found in self._recent_messages(channel, since=since, thread_ts=thread_ts):
            metadata = found.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and (metadata.get("event_payload") or {}).get("dedup_key") == key
            ):
                return found["ts"]
        return None

    def find_upload(
        self, channel: str, names: Sequence[str], *, since: datetime, thread_ts: str
    ) -> list[str] | None:
        """The ids of files named ``names`` shared together in the thread of ``thread_ts``
        at or after ``since`` (see :meth:`find` for the clock and the pages read), in the
        order of ``names``; None when no message of the thread holds them all.

        An upload whose answer was lost is found this way before it is made again: give its
        files names no other upload has (the weekly report's carry its version).
        """
        wanted = list(names)
        for found in self._recent_messages(channel, since=since, thread_ts=thread_ts):
            files = {f.get("name"): f.get("id") for f in found.get("files") or []}
            if all(name in files for name in wanted):
                return [files[name] for name in wanted]
        return None

    def _recent_messages(
        self, channel: str, *, since: datetime, thread_ts: str | None
    ) -> Iterator[dict[str, Any]]:
        """The channel's messages (or the thread's) from ``since`` minus the clock skew, at
        most :data:`HISTORY_PAGES` pages."""
        channel_id = self._channel_id(channel)
        oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
        method, where = (
            ("conversations_history", {})
            if thread_ts is None
            else ("conversations_replies", {"ts": thread_ts})
        )
        cursor = None
        for _ in range(HISTORY_PAGES):
            page = self._call(
                method,
                channel=channel_id,
                oldest=oldest,
                include_all_metadata=True,
                limit=HISTORY_PAGE_SIZE,
                cursor=cursor,
                **where,
            )
            yield from page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break

    def _channel_id(self, channel: str) -> str:
        """``conversations.history`` takes ids only: a ``#name`` is looked up (scope
        ``channels:read``)."""
        if not channel.startswith("#"):
            return channel
        name, cursor = channel[1:], None
        while True:
            page = self._call(
                "conversations_list",
                channel=None,
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=1000,
                cursor=cursor,
            )
            for found in page.get("channels") or []:
                if found.get("name") == name:
                    return found["id"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                raise SlackDeliveryError(
                    f"Slack channel {channel} not found (connection '{self.conn_id}'). "
                    f"{_hint('channel_not_found', self.conn_id, channel)}",
                    code="channel_not_found",
                )

    def update(self, channel: str, ts: str, message: Message) -> str:
        """Replace the message ``ts`` in ``channel`` (e.g. a status that changed)."""
        response = self._call(
            "chat_update", channel=channel, ts=ts, text=message.text, blocks=message.blocks or None
        )
        return response["ts"]

    def upload(
        self,
        channel: str,
        files: Sequence[tuple[str, str]],
        *,
        comment: str,
        thread_ts: str | None = None,
    ) -> list[str]:
        """Upload ``files`` (path, title) to ``channel`` (``#name`` or id) with one comment,
        in the thread of ``thread_ts`` when given (``files_upload_v2``); returns their ids."""
        channel_id = channel
        if channel.startswith("#"):
            # files_upload_v2 takes a channel id; the hook looks it up (and caches it).
            from slack_sdk.errors import SlackApiError

            try:
                channel_id = self.hook.get_channel_id(channel[1:])
            except (LookupError, SlackApiError) as exc:
                raise SlackDeliveryError(
                    f"cannot upload to Slack channel {channel}: {exc}. "
                    f"{_hint('channel_not_found', self.conn_id, channel)}",
                    code="channel_not_found",
                ) from exc
        response = self._call(
            "files_upload_v2",
            channel=channel_id,
            file_uploads=[
                {"file": path, "title": title, "filename": path.rsplit("/", 1)[-1]}
                for path, title in files
            ],
            initial_comment=comment,
            thread_ts=thread_ts,
        )
        return [item["id"] for item in response.get("files") or []]

    def _call(self, method: str, *, channel: str | None, **kwargs: Any) -> Any:
        from airflow.exceptions import AirflowNotFoundException
        from slack_sdk.errors import SlackApiError, SlackClientError

        where = f"Slack channel {channel or 'list'} (connection '{self.conn_id}')"
        if channel is not None:
            kwargs["channel"] = channel
        try:
            client = self.hook.client
        except AirflowNotFoundException as exc:
            raise SlackConnectionMissing(
                f"cannot post to {where}: {exc}. Create the Airflow connection '{self.conn_id}' "
                "(conn_type slack, the bot token as password)."
            ) from exc
        try:
            return getattr(client, method)(**{k: v for k, v in kwargs.items() if v is not None})
        except SlackApiError as exc:
            code = exc.response.get("error") if exc.response is not None else None
            server_error = exc.response is not None and exc.response.status_code >= 500
            raise SlackDeliveryError(
                f"Slack refused {method} for {where}: {code}. "
                f"{_hint(code, self.conn_id, channel or '')}",
                code=code,
                retryable=code in _RETRYABLE or server_error,
                # A 5xx may come after the message was stored; an ``ok: false`` did nothing.
                outcome_unknown=server_error,
            ) from exc
        except (SlackClientError, OSError) as exc:
            raise SlackDeliveryError(
                f"could not reach Slack for {where}: {type(exc).__name__}: {exc}",
                retryable=True,
                # Refused before anything was sent; anything else may have reached Slack.
                outcome_unknown=not _refused_connection(exc),
            ) from exc


def _metadata(key: str) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"dedup_key": key}}


def _refused_connection(exc: BaseException | None) -> bool:
    """The connection was refused (nothing reached Slack), possibly wrapped by urllib."""
    seen: set[int] = set()
    while isinstance(exc, BaseException) and id(exc) not in seen:
        if isinstance(exc, ConnectionRefusedError):
            return True
        seen.add(id(exc))
        reason = getattr(exc, "reason", None)
        exc = reason if isinstance(reason, BaseException) else exc.__cause__ or exc.__context__
    return False


def _hint(code: str | None, conn_id: str, channel: str) -> str:
    if code in _AUTH:
        return f"Renew the Slack bot token in the Airflow connection '{conn_id}'."
    if code in ("channel_not_found", "not_in_channel", "is_archived"):
        return f"Check slack.channels in the configuration and invite the bot to {channel}."
    if code == "missing_scope":
        return (
            "Give the Slack app the scopes chat:write, channels:read, channels:history (and "
            "groups:read, groups:history for a private channel), then reinstall it."
        )
    if code in ("ratelimited", "rate_limited"):
        return "Slack is rate limiting this workspace; the message will be retried."
    if code in ("invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text"):
        return (
            "The message breaks Slack's format limits: this is a socialops bug, please report it."
        )
    return "See https://api.slack.com/methods for the error code."
