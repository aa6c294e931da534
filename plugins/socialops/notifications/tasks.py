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
    """Send what the tasks wrote to the outbox, oldest first, in batches until it is empty or
    ``budget`` is spent; raises when a message could not be delivered, so the task fails
    visibly (what waits goes out on the next run).

    Messages older than ``slack.outbox_max_age`` expire and are reported once, to the ops
    channel when there is one, else to the digest.
    """
    from socialops.hooks.slack import SlackSender
    from socialops.notifications.catalogue import Reader
    from socialops.notifications.messages import expiry_report
    from socialops.notifications.outbox import deliver_pending

    slack = run.config.slack
    report = expiry_report(
        Reader.for_brand(run.config),
        slack.channels.ops or slack.channels.digest,
        slack.outbox_max_age,
    )
    sender = SlackSender(slack.conn_id)
    deadline = time.monotonic() + budget.total_seconds()
    sent = failed = expired = 0
    errors: list[str] = []
    while True:
        delivery = deliver_pending(
            run.engine,
            sender,
            now=run.now,
            max_age=slack.outbox_max_age,
            report_expired=report,
            limit=DELIVERY_BATCH,
        )
        sent += delivery.sent
        failed += delivery.failed
        expired += len(delivery.expired)
        errors += delivery.errors
        result = {"sent": sent, "waiting": delivery.waiting, "expired": expired}
        if delivery.stopped_by is not None:
            raise OutboxNotDelivered(
                f"{delivery.waiting} Slack message(s) wait in the outbox; they go out on the next "
                f"run once Slack answers (in order, each at most once), unless they are older "
                f"than {slack.outbox_max_age} by then. {delivery.stopped_by}"
            )
        if delivery.sent + delivery.failed < DELIVERY_BATCH or not delivery.waiting:
            break
        if time.monotonic() >= deadline:
            log.warning(
                "%d Slack messages sent in %s; %d wait in the outbox for the next run",
                sent,
                budget,
                delivery.waiting,
            )
            break
    if failed:
        raise OutboxNotDelivered(
            f"{failed} Slack message(s) refused for their content are not sent "
            f"(state 'failed'; the others went out): {errors[0]}"
        )
    log.info("Slack outbox delivered: %s", result)
    return result


class OutboxNotDelivered(RuntimeError):
    """Slack refused or could not be reached; what was not sent stays in the outbox."""
