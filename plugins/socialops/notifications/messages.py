"""The outbox's own message: Slack messages dropped unsent because they waited too long.

It goes to the ops channel when there is one, else to the digest (:func:`expiry_report`), in
the transaction that expires the messages, so it is written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from socialops.i18n import N_, N_plural
from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import Reader
from socialops.notifications.mrkdwn import Mrkdwn, code, escape, truncate
from socialops.notifications.outbox import EXPIRY_KEY, ExpiredMessage, ExpiryReport, Notice

#: How much of each dropped message is quoted.
PREVIEW = 150


def outbox_expired(
    reader: Reader, messages: Sequence[ExpiredMessage], *, max_age: timedelta
) -> Message:
    """Messages Slack could not take for longer than ``max_age``: which, and that they are not
    sent late."""
    headline = reader.render(
        N_plural(
            ":hourglass: *{count} Slack message was not delivered*: Slack could not take it for "
            "more than {age}, so it is dropped as too old and will not be sent.",
            ":hourglass: *{count} Slack messages were not delivered*: Slack could not take them "
            "for more than {age}, so they are dropped as too old and will not be sent.",
            len(messages),
            age=max_age,
        )
    )
    note = reader.render(
        N_(
            "If one of them still matters, pass it on by hand. The task logs of {task} say why "
            "Slack did not take them.",
            task=code("deliver_notifications"),
        )
    )
    lines = [
        f"• {escape(m.channel)} · {reader.when(m.created_at)}: {_preview(m.text)}" for m in messages
    ]
    body = reader.with_list([section(headline)], lines, reserve=1)
    return Message(headline, [*body, context(note)])


def expiry_report(reader: Reader, channel: str, max_age: timedelta) -> ExpiryReport:
    """What :func:`~socialops.notifications.outbox.deliver_pending` writes when messages expire:
    one :func:`outbox_expired` notice to ``channel``."""

    def report(messages: Sequence[ExpiredMessage]) -> list[Notice]:
        first, last = messages[0].dedup_key, messages[-1].dedup_key
        key = f"{EXPIRY_KEY}{len(messages)}:{first}:{last}"
        return [Notice.of(key, channel, outbox_expired(reader, messages, max_age=max_age))]

    return report


def _preview(stored: str) -> Mrkdwn:
    """The start of a stored message, on one line. Its text is already safe Slack text (the
    builders escaped what people wrote): it is quoted as it was written, not escaped twice."""
    return Mrkdwn(truncate(" ".join(stored.split()), PREVIEW))
