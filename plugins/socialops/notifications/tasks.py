"""The task body every DAG ends with: deliver the outbox to Slack."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from socialops.runtime import Run

log = logging.getLogger(__name__)

#: How long one delivery task keeps sending (the DAGs give it 10 minutes): a burst waiting
#: in the outbox (2,000 confirmations) goes out in this run as fast as Slack accepts it
#: (its 429s are waited out by the sender), what is left in the next run.
DELIVERY_BUDGET = timedelta(minutes=8)
#: Messages per call of :func:`~socialops.notifications.outbox.deliver_pending`.
DELIVERY_BATCH = 100


def deliver_outbox(run: Run, *, budget: timedelta = DELIVERY_BUDGET) -> dict[str, int]:
    """Send what the run's tasks wrote to the outbox, in batches until it is empty or
    ``budget`` is spent; raises when Slack refused some, so the delivery task fails visibly
    (the messages stay in the outbox for the next run)."""
    from socialops.hooks.slack import SlackSender
    from socialops.notifications.outbox import deliver_pending

    sender = SlackSender(run.config.slack.conn_id)
    deadline = time.monotonic() + budget.total_seconds()
    sent = 0
    while True:
        delivery = deliver_pending(run.engine, sender, now=run.now, limit=DELIVERY_BATCH)
        sent += delivery.sent
        if delivery.errors:
            raise OutboxNotDelivered(
                f"{delivery.failed} Slack message(s) not delivered ({sent} sent): "
                f"{delivery.errors[0]}"
            )
        if delivery.sent < DELIVERY_BATCH:
            return {"sent": sent}
        if time.monotonic() >= deadline:
            log.warning(
                "%d Slack messages sent in %s; the rest waits in the outbox for the next run",
                sent,
                budget,
            )
            return {"sent": sent}


class OutboxNotDelivered(RuntimeError):
    """Slack refused or could not be reached; what was not sent stays in the outbox."""
