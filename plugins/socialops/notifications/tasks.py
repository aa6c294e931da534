"""The task body every DAG ends with: deliver the outbox to Slack."""

from __future__ import annotations

from socialops.runtime import Run


def deliver_outbox(run: Run) -> dict[str, int]:
    """Send what the run's tasks wrote to the outbox; raises when Slack refused some, so the
    delivery task fails visibly (the messages stay in the outbox for the next run)."""
    from socialops.hooks.slack import SlackSender
    from socialops.notifications.outbox import deliver_pending

    delivery = deliver_pending(run.engine, SlackSender(run.config.slack.conn_id), now=run.now)
    if delivery.errors:
        raise OutboxNotDelivered(
            f"{delivery.failed} Slack message(s) not delivered: {delivery.errors[0]}"
        )
    return {"sent": delivery.sent}


class OutboxNotDelivered(RuntimeError):
    """Slack refused or could not be reached; what was not sent stays in the outbox."""
