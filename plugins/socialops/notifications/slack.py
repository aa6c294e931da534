"""Slack messages that are safe and within Slack's limits, and the sender that posts them.

Three rules hold for every message socialops sends:

* **User text is escaped.** Post texts, mentions, error messages and row values go through
  :func:`escape`, so ``<!channel>``, ``<@U123>`` or ``<https://evil|click>`` written by
  someone else arrive as visible text, never as a ping or a disguised link.
  :class:`Mrkdwn` marks text that is already safe (our templates, :func:`link`).
* **Limits are respected before sending.** At most 50 blocks and 3,000 characters per
  section text: long texts are cut with an ellipsis, long lists are split across sections
  and the tail is summarised (:func:`fit_blocks`), instead of Slack refusing the message.
* **Sending goes through Airflow's Slack provider**: ``SlackHook`` owns the connection;
  slack_sdk's rate-limit retry handler is installed on its client, bounded in count and in
  wait so a worker never sleeps for minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.slack.hooks.slack import SlackHook

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_TEXT = 2000  # per context element
#: The notification preview; Slack accepts 40,000 but nobody reads that in a push notification.
MAX_FALLBACK_TEXT = 3000
ELLIPSIS = "…"


class Mrkdwn(str):
    """Text already safe for Slack mrkdwn: never escaped again."""

    __slots__ = ()


def escape(text: object) -> Mrkdwn:
    """Escape ``&``, ``<`` and ``>`` as Slack requires, so text cannot ping or link.

    ``&`` first: ``"&lt;"`` typed by a user must show as ``&lt;``, so it becomes ``&amp;lt;``.
    Already safe :class:`Mrkdwn` is returned unchanged.
    """
    if isinstance(text, Mrkdwn):
        return text
    return Mrkdwn(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def link(url: str | None, label: object | None = None) -> Mrkdwn:
    """A ``<url|label>`` link; a non-http(s) URL is shown as plain escaped text, never linked."""
    shown = escape(label if label is not None else (url or ""))
    if not url or not url.lower().startswith(("https://", "http://")):
        return shown
    # Inside <...> Slack ends the URL at '|' or '>': encode them instead of escaping.
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return Mrkdwn(f"<{safe_url}|{shown}>")


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut.

    The cut never splits an escape (``&amp;``) or a ``<link|label>``: a half entity would
    show as garbage and a half link could swallow what follows.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return type(text)(cut + ELLIPSIS) if isinstance(text, Mrkdwn) else cut + ELLIPSIS


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section; ``text`` must already be safe (escaped values in a template)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}}


def context(text: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_CONTEXT_TEXT)}],
    }


def pack_lines(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[list[str]]:
    """Bullet lines (``• line``, each cut to ``limit``) grouped so each group fits one section."""
    groups: list[list[str]] = []
    size = 0
    for line in lines:
        bullet = truncate(f"• {line}", limit)
        if groups and size + 1 + len(bullet) <= limit:
            groups[-1].append(bullet)
            size += 1 + len(bullet)
        else:
            groups.append([bullet])
            size = len(bullet)
    return groups


def list_sections(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[dict[str, Any]]:
    """Bullet lines packed into as few sections as the 3,000-character limit allows."""
    return [section("\n".join(group)) for group in pack_lines(lines, limit)]


def fit_blocks(blocks: Sequence[dict[str, Any]], more: str = "…") -> list[dict[str, Any]]:
    """At most 50 blocks: past the limit, the last kept block is a context saying what was left out.

    ``more`` is a template with ``{count}`` (the number of blocks dropped), already escaped.
    """
    if len(blocks) <= MAX_BLOCKS:
        return list(blocks)
    kept = list(blocks[: MAX_BLOCKS - 1])
    return [*kept, context(more.format(count=len(blocks) - len(kept)))]


@dataclass(frozen=True)
class Message:
    """A Slack message: ``text`` is the notification preview (and the fallback), ``blocks`` the body."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", truncate(self.text, MAX_FALLBACK_TEXT))
        object.__setattr__(self, "blocks", fit_blocks(self.blocks))


# -- sending ------------------------------------------------------------------------------

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
