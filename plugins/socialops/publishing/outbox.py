"""Deliver the notification outbox to Slack: each message at most once per dedup key.

Messages are written by the tasks that cause them (in the same transaction as the state
change); this is the one place that sends them. A message is marked ``sent`` right after
Slack accepted it; a failed delivery stays ``pending`` (retryable errors) or becomes
``failed`` (a person must fix the connection or the channel) with the error kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select

from socialops.notifications.slack import Message, SlackDeliveryError, SlackSender
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox

log = logging.getLogger(__name__)

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
                row.slack_ts = sender.send(row.channel, Message(row.text, list(row.blocks or [])))
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
