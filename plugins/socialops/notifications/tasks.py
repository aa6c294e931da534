"""The task body every DAG ends with: deliver the outbox to Slack."""

from __future__ import annotations

import logging

from socialops.runtime import Run

log = logging.getLogger(__name__)


def deliver_outbox(run: Run) -> dict[str, int]:
    """Send what the tasks wrote to the outbox, oldest first; raises when a message could not
    be delivered, so the task fails visibly (what waits goes out on the next run).

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
    delivery = deliver_pending(
        run.engine,
        SlackSender(slack.conn_id),
        now=run.now,
        max_age=slack.outbox_max_age,
        report_expired=report,
    )
    result = {"sent": delivery.sent, "waiting": delivery.waiting, "expired": len(delivery.expired)}
    if delivery.stopped_by is not None:
        raise OutboxNotDelivered(
            f"{delivery.waiting} Slack message(s) wait in the outbox; they go out on the next "
            f"run once Slack answers (in order, each at most once), unless they are older than "
            f"{slack.outbox_max_age} by then. {delivery.stopped_by}"
        )
    if delivery.failed:
        raise OutboxNotDelivered(
            f"{delivery.failed} Slack message(s) refused for their content are not sent "
            f"(state 'failed'; the others went out): {delivery.errors[0]}"
        )
    log.info("Slack outbox delivered: %s", result)
    return result


class OutboxNotDelivered(RuntimeError):
    """Slack refused or could not be reached; what was not sent stays in the outbox."""
