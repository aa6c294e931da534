"""The Slack outbox: how every socialops feature sends Slack messages, exactly once per key.

A feature never calls Slack itself. It writes a :class:`Notice` (the message and a dedup
key derived from *what* it announces) with :func:`add_notice`, in the same transaction as
the state change that caused it, or with :func:`add_notices` on its own; a notice whose
key was written before is not written again. :func:`deliver_pending` is the one place that
sends them. A message is marked ``sent`` right after
Slack accepted it; a failed delivery stays ``pending`` (retryable errors) or becomes
``failed`` (a person must fix the connection or the channel) with the error kept.

**A message that changes** (an entry's confirmation, as its networks go out) is a series of
notices sharing one :attr:`Notice.updates` key, each with its own dedup key: the first
delivered is posted, each later one edits that Slack message (``chat.update`` of the
``slack_ts`` of the latest delivered version). If Slack no longer has the message (deleted),
the new version is posted instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialops.hooks.slack import SlackDeliveryError, SlackSender
from socialops.notifications.blocks import Message
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """A Slack message to write to the outbox in the same transaction as a state change."""

    dedup_key: str
    channel: str
    text: str  # Slack's fallback text and notification preview
    blocks: list[dict[str, Any]] | None = None
    #: The key of the Slack message this notice is a version of (see the module docstring);
    #: None: a message of its own. Every version goes to the same channel.
    updates: str | None = None

    @classmethod
    def of(
        cls, dedup_key: str, channel: str, message: Message, *, updates: str | None = None
    ) -> Notice:
        """The notice of a built :class:`Message` (its blocks stored as Slack's JSON)."""
        return cls(dedup_key, channel, message.text, message.block_dicts() or None, updates)


@dataclass(frozen=True)
class StoredMessage:
    """A message as the outbox stored it: what :class:`SlackSender` posts."""

    text: str
    blocks: list[dict[str, Any]]


def add_notices(engine: Engine, notices: Iterable[Notice]) -> int:
    """Write notices to the outbox; one already written (same dedup key) is not written again."""
    written = 0
    with session_scope(engine) as session:
        for notice in notices:
            written += add_notice(session, notice)
    return written


def add_notice(session: Session, notice: Notice) -> bool:
    """Write ``notice`` in ``session``'s transaction (with the state change it announces);
    False when its dedup key was already written."""
    exists = session.scalar(
        select(NotificationOutbox.id).where(NotificationOutbox.dedup_key == notice.dedup_key)
    )
    if exists is not None:
        return False
    # A concurrent run may insert the same key between the check and the insert; the
    # savepoint keeps that duplicate from rolling back the state change it goes with.
    try:
        with session.begin_nested():
            session.add(
                NotificationOutbox(
                    dedup_key=notice.dedup_key,
                    channel=notice.channel,
                    text=notice.text,
                    blocks=notice.blocks or None,
                    updates_key=notice.updates,
                    state="pending",
                    attempts=0,
                )
            )
    except IntegrityError:
        return False
    return True


def insert_notices(session: Session, notices: Iterable[Notice]) -> None:
    """Write ``notices`` in ``session``'s transaction in one statement (``INSERT ... ON
    CONFLICT (dedup_key) DO NOTHING``): what :func:`add_notice` does, for a hot path that
    cannot afford its four round trips, and without saying which were new."""
    rows = [
        {
            "dedup_key": notice.dedup_key,
            "channel": notice.channel,
            "text": notice.text,
            "blocks": notice.blocks or None,
            "updates_key": notice.updates,
            "state": "pending",
            "attempts": 0,
        }
        for notice in notices
    ]
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = NotificationOutbox.__table__
    session.execute(
        dialect.insert(table).values(rows).on_conflict_do_nothing(index_elements=["dedup_key"])
    )


#: A message that failed this many times is given up (state ``failed``), whatever the error.
MAX_ATTEMPTS = 5


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_pending(
    engine: Engine, sender: SlackSender, *, now: datetime, limit: int = 100
) -> Delivery:
    """Send up to ``limit`` pending messages, oldest first, one transaction per message.

    The row stays locked while Slack is called, so two deliverers never send the same one.
    """
    delivery = Delivery()
    for _ in range(limit):
        with session_scope(engine) as session:
            row = session.scalars(
                select(NotificationOutbox)
                .where(NotificationOutbox.state == "pending")
                .order_by(NotificationOutbox.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                break
            try:
                row.slack_ts = _post_or_update(session, row, sender)
            except SlackDeliveryError as exc:
                row.attempts = (row.attempts or 0) + 1
                row.last_error = str(exc)
                if not exc.retryable or row.attempts >= MAX_ATTEMPTS:
                    row.state = "failed"
                delivery.failed += 1
                delivery.errors.append(str(exc))
                log.error("Slack message %s not delivered: %s", row.dedup_key, exc)
                if row.state == "pending":
                    break  # Slack is unavailable: the rest waits for the next run
            else:
                row.state = "sent"
                row.sent_at = now
                delivery.sent += 1
    return delivery


#: chat.update errors meaning the earlier version is gone: post the new one instead.
_GONE = {"message_not_found", "cant_update_message", "edit_window_closed"}


def _post_or_update(session: Session, row: NotificationOutbox, sender: SlackSender) -> str:
    """Post ``row``, or edit the message it is a new version of; returns the message's ts."""
    message = StoredMessage(row.text, list(row.blocks or []))
    if row.updates_key:
        ts = session.scalar(
            select(NotificationOutbox.slack_ts)
            .where(
                NotificationOutbox.updates_key == row.updates_key,
                NotificationOutbox.channel == row.channel,
                NotificationOutbox.slack_ts.is_not(None),
                NotificationOutbox.id != row.id,
            )
            .order_by(NotificationOutbox.id.desc())
            .limit(1)
        )
        if ts is not None:
            try:
                return sender.update(row.channel, ts, message)
            except SlackDeliveryError as exc:
                if exc.code not in _GONE:
                    raise
                log.warning(
                    "Slack message %s of %s is gone (%s): posting %s as a new message",
                    ts,
                    row.updates_key,
                    exc.code,
                    row.dedup_key,
                )
    return sender.send(row.channel, message)
