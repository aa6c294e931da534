"""Sending to Slack: :class:`SlackSender` posts :class:`~socialops.notifications.blocks.Message` s
through Airflow's Slack provider.

``SlackHook`` owns the connection; slack_sdk's rate-limit retry handler is installed on its
client, bounded in count and in wait so a worker never sleeps for minutes. Features do not
call it: they write to the outbox (:mod:`socialops.notifications.outbox`), which does.
"""

from __future__ import annotations

from collections.abc import Sequence
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


class Message(Protocol):
    """What the sender posts: a :class:`socialops.notifications.blocks.Message` (or anything
    with the fallback ``text`` and the Block Kit ``blocks``)."""

    text: str
    blocks: Sequence[dict[str, Any]]


class SlackDeliveryError(RuntimeError):
    """A message did not reach Slack. ``retryable`` says whether trying again later can help."""

    def __init__(self, message: str, *, code: str | None = None, retryable: bool = False):
        super().__init__(message)
        self.code = code
        self.retryable = retryable


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

    def send(self, channel: str, message: Message, *, thread_ts: str | None = None) -> str:
        """Post ``message`` in ``channel`` (``#name`` or id); returns the message's ``ts``."""
        response = self._call(
            "chat_postMessage",
            channel=channel,
            text=message.text,
            blocks=message.blocks or None,
            thread_ts=thread_ts,
            unfurl_links=False,
        )
        return response["ts"]

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

    def _call(self, method: str, *, channel: str, **kwargs: Any) -> Any:
        from airflow.exceptions import AirflowNotFoundException
        from slack_sdk.errors import SlackApiError, SlackClientError

        where = f"Slack channel {channel} (connection '{self.conn_id}')"
        try:
            client = self.hook.client
        except AirflowNotFoundException as exc:
            raise SlackConnectionMissing(
                f"cannot post to {where}: {exc}. Create the Airflow connection '{self.conn_id}' "
                "(conn_type slack, the bot token as password)."
            ) from exc
        try:
            return getattr(client, method)(
                channel=channel, **{k: v for k, v in kwargs.items() if v is not None}
            )
        except SlackApiError as exc:
            code = exc.response.get("error") if exc.response is not None else None
            raise SlackDeliveryError(
                f"Slack refused the message to {where}: {code}. {_hint(code, self.conn_id, channel)}",
                code=code,
                retryable=code in _RETRYABLE
                or (exc.response is not None and exc.response.status_code >= 500),
            ) from exc
        except (SlackClientError, OSError) as exc:
            raise SlackDeliveryError(
                f"could not reach Slack for {where}: {exc}", retryable=True
            ) from exc


def _hint(code: str | None, conn_id: str, channel: str) -> str:
    if code in _AUTH:
        return f"Renew the Slack bot token in the Airflow connection '{conn_id}'."
    if code in ("channel_not_found", "not_in_channel", "is_archived"):
        return f"Check slack.channels in the configuration and invite the bot to {channel}."
    if code in ("ratelimited", "rate_limited"):
        return "Slack is rate limiting this workspace; the message will be retried."
    if code in ("invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text"):
        return (
            "The message breaks Slack's format limits: this is a socialops bug, please report it."
        )
    return "See https://api.slack.com/methods for the error code."
