"""The Slack outbox: how every socialops feature sends Slack messages, exactly once per key.

A feature never calls Slack itself. It writes a :class:`Notice` (the message and a dedup
key derived from *what* it announces) with :func:`add_notice`, in the same transaction as
the state change that caused it, or with :func:`add_notices` on its own; a notice whose
key was written before is not written again. :func:`deliver_pending` is the one place that
sends them, oldest first, and loses none: a message waits (``pending``) until Slack takes it
(``sent``) or it is too old to matter (``expired``, reported once); a send whose answer was
lost stays ``sending`` and is looked up in Slack before it is sent again. Only a message
Slack refuses for its own content (a bug) is set aside as ``failed``.

**A message that changes** (an entry's confirmation, as its networks go out) is a series of
notices sharing one :attr:`Notice.updates` key, each with its own dedup key: the first
delivered is posted, each later one edits that Slack message (``chat.update`` of the
``slack_ts`` of the latest delivered version). If Slack no longer has the message (deleted),
the new version is posted instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialops.config.defaults import OUTBOX_MAX_AGE
from socialops.hooks.slack import SlackDeliveryError, SlackSender
from socialops.notifications.blocks import Message
from socialops.warehouse.column_types import UtcDateTime
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
    #: The key (``updates`` or dedup key) of the message this one replies to, in its thread
    #: (posted in the channel itself when that message never reached Slack).
    thread: str | None = None

    @classmethod
    def of(
        cls,
        dedup_key: str,
        channel: str,
        message: Message,
        *,
        updates: str | None = None,
        thread: str | None = None,
    ) -> Notice:
        """The notice of a built :class:`Message` (its blocks stored as Slack's JSON)."""
        blocks = message.block_dicts() or None
        return cls(dedup_key, channel, message.text, blocks, updates, thread)


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
                    thread_key=notice.thread,
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
            "thread_key": notice.thread,
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


@dataclass(frozen=True)
class ExpiredMessage:
    """A message that waited longer than the age limit and is dropped unsent."""

    dedup_key: str
    channel: str
    text: str
    created_at: datetime


#: Builds the notices that report expired messages (see :func:`deliver_pending`).
ExpiryReport = Callable[[Sequence[ExpiredMessage]], Iterable[Notice]]

#: The dedup key prefix of the expiry reports: a report that expires itself is only logged.
EXPIRY_KEY = "outbox:expired:"


@dataclass
class Delivery:
    sent: int = 0
    #: Refused by Slack for the message itself (a socialops bug): state ``failed``.
    failed: int = 0
    expired: list[ExpiredMessage] = field(default_factory=list)
    #: Messages still in the outbox after the pass (pending or in doubt).
    waiting: int = 0
    #: What stopped the pass (Slack down, a token to renew, a channel), or None.
    stopped_by: SlackDeliveryError | None = None
    errors: list[str] = field(default_factory=list)


#: Errors about the message itself: no retry and no other message can help, so that one is
#: set aside (``failed``) and the pass goes on. Every other error stops the pass.
MALFORMED = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "no_text"}
_DELIVERABLE = ("pending", "sending")


def deliver_pending(
    engine: Engine,
    sender: SlackSender,
    *,
    now: datetime,
    max_age: timedelta = OUTBOX_MAX_AGE,
    report_expired: ExpiryReport | None = None,
    limit: int = 100,
) -> Delivery:
    """Send up to ``limit`` messages, oldest first; stop at the first error.

    * Nothing is given up while it is young: a message stays deliverable until Slack takes
      it or it is older than ``max_age`` (by the warehouse clock that stamped it). Then it is
      ``expired``: logged once and reported once, by the notices ``report_expired`` builds,
      written in the transaction that expires it.
    * The first error stops the pass (Slack down, rate limited, a token or a channel to
      fix): the rest waits, in order, for the next run. Only a message Slack refuses for its
      own content (:data:`MALFORMED`) is set aside as ``failed`` and the pass goes on.
    * A message is ``sending`` from just before Slack is called until its answer is
      recorded. A row found ``sending`` (an answer lost, a crash between the call and the
      commit) is looked up in its channel (:meth:`SlackSender.find`, by the dedup key sent as
      message metadata) and posted again only if Slack does not have it.

    Each message is sent while its row is locked, so two deliverers never send the same one;
    a deliverer that finds the oldest message locked leaves the rest to the one that holds it.
    """
    delivery = Delivery()
    _expire(engine, max_age, report_expired, delivery)
    for _ in range(limit):
        claim = _claim_oldest(engine, now)
        if claim is None:
            break
        outcome = _deliver_claimed(engine, sender, claim, now, delivery)
        if outcome == "stop":
            break
    with session_scope(engine) as session:
        delivery.waiting = session.scalar(
            select(func.count())
            .select_from(NotificationOutbox)
            .where(NotificationOutbox.state.in_(_DELIVERABLE))
        )
    return delivery


@dataclass(frozen=True)
class _Claim:
    row_id: int
    attempts: int
    #: The row was ``sending`` before this pass claimed it: an earlier attempt may be out.
    in_doubt: bool


def _claim_oldest(engine: Engine, now: datetime) -> _Claim | None:
    """Mark the oldest deliverable message ``sending`` (committed before Slack is called, so
    that a crash leaves a trace); None when there is none or another deliverer holds it."""
    with session_scope(engine) as session:
        oldest = session.scalar(
            select(NotificationOutbox.id)
            .where(NotificationOutbox.state.in_(_DELIVERABLE))
            .order_by(NotificationOutbox.id)
            .limit(1)
        )
        if oldest is None:
            return None
        row = _locked(session, oldest)
        if row is None or row.state not in _DELIVERABLE:
            return None
        in_doubt = row.state == "sending"
        row.state = "sending"
        row.attempts = (row.attempts or 0) + 1
        if not in_doubt:
            row.attempted_at = now  # the history is searched from the first attempt in doubt
        return _Claim(row.id, row.attempts, in_doubt)


def _locked(session: Session, row_id: int) -> NotificationOutbox | None:
    return session.scalars(
        select(NotificationOutbox)
        .where(NotificationOutbox.id == row_id)
        .with_for_update(skip_locked=True)
    ).first()


def _deliver_claimed(
    engine: Engine, sender: SlackSender, claim: _Claim, now: datetime, delivery: Delivery
) -> str:
    """Send one claimed message under its row lock: "next", or "stop" the pass."""
    with session_scope(engine) as session:
        row = _locked(session, claim.row_id)
        if row is None:
            return "stop"  # another deliverer is sending it, and the rest after it
        if row.state != "sending":
            return "next"  # delivered (or expired) by another deliverer meanwhile
        # Someone else claimed it after us (and may have posted it, then crashed).
        in_doubt = claim.in_doubt or row.attempts != claim.attempts
        try:
            ts = _look_up(session, row, sender) if in_doubt else None
            in_doubt = False  # looked up: not in Slack, unless found
            row.slack_ts = ts or _post_or_update(session, row, sender)
        except SlackDeliveryError as exc:
            row.last_error = str(exc)
            delivery.errors.append(str(exc))
            if exc.code in MALFORMED:
                row.state = "failed"
                delivery.failed += 1
                log.error("Slack refused message %s as malformed: %s", row.dedup_key, exc)
                return "next"
            if not (in_doubt or exc.outcome_unknown):
                row.state = "pending"  # nothing reached Slack: posted as new next time
            delivery.stopped_by = exc
            log.error(
                "Slack message %s not delivered (%s): %s",
                row.dedup_key,
                "in doubt: looked up before it is sent again"
                if row.state == "sending"
                else "not sent",
                exc,
            )
            return "stop"
        row.state = "sent"
        row.sent_at = now
        row.last_error = None
        delivery.sent += 1
        return "next"


def _expire(
    engine: Engine, max_age: timedelta, report: ExpiryReport | None, delivery: Delivery
) -> None:
    """Expire the messages older than ``max_age``, logged and reported in one transaction."""
    with session_scope(engine) as session:
        cutoff = session.scalar(select(func.now(type_=UtcDateTime()))) - max_age
        rows = session.scalars(
            select(NotificationOutbox)
            .where(
                NotificationOutbox.state.in_(_DELIVERABLE),
                NotificationOutbox.created_at < cutoff,
            )
            .order_by(NotificationOutbox.id)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            return
        expired = []
        for row in rows:
            row.state = "expired"
            if not row.dedup_key.startswith(EXPIRY_KEY):
                expired.append(ExpiredMessage(row.dedup_key, row.channel, row.text, row.created_at))
        log.warning(
            "%d Slack message(s) waited more than %s and are dropped unsent: %s",
            len(rows),
            max_age,
            ", ".join(row.dedup_key for row in rows),
        )
        if expired and report is not None:
            for notice in report(expired):
                add_notice(session, notice)
        delivery.expired.extend(expired)


#: chat.update errors meaning the earlier version is gone: post the new one instead.
_GONE = {"message_not_found", "cant_update_message", "edit_window_closed"}


def _look_up(session: Session, row: NotificationOutbox, sender: SlackSender) -> str | None:
    """The ts of ``row``'s post if an earlier attempt made it (its answer lost), else None."""
    since = row.attempted_at or row.created_at
    thread_ts = _thread_ts(session, row)
    in_thread = {} if thread_ts is None else {"thread_ts": thread_ts}
    found = sender.find(row.channel, row.dedup_key, since=since, **in_thread)
    if found is not None:
        log.info(
            "Slack message %s was posted already (ts %s): not sent again", row.dedup_key, found
        )
    return found


def _post_or_update(session: Session, row: NotificationOutbox, sender: SlackSender) -> str:
    """Post ``row`` (its dedup key as metadata), or edit the message it is a new version of;
    returns the message's ts."""
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
    thread_ts = _thread_ts(session, row)
    if thread_ts is None:
        return sender.send(row.channel, message, key=row.dedup_key)
    return sender.send(row.channel, message, key=row.dedup_key, thread_ts=thread_ts)


def _thread_ts(session: Session, row: NotificationOutbox) -> str | None:
    """The ts of the message ``row`` replies to (None: ``row`` goes in the channel itself).

    Delivery is in order, so that message went out before its replies; when it never did
    (expired, or refused as malformed) the reply is posted in the channel instead."""
    if not row.thread_key:
        return None
    ts = session.scalar(
        select(NotificationOutbox.slack_ts)
        .where(
            (NotificationOutbox.updates_key == row.thread_key)
            | (NotificationOutbox.dedup_key == row.thread_key),
            NotificationOutbox.channel == row.channel,
            NotificationOutbox.slack_ts.is_not(None),
            NotificationOutbox.thread_key.is_(None),
        )
        .order_by(NotificationOutbox.id)
        .limit(1)
    )
    if ts is None:
        log.warning(
            "Slack message %s replies to %s, which never reached Slack: posted in the channel",
            row.dedup_key,
            row.thread_key,
        )
    return ts
