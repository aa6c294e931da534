"""Delivering the outbox to the sandbox's Slack: once per message, failures kept."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from socialops.hooks.slack import SlackDeliveryError, SlackSender
from socialops.notifications.outbox import MAX_ATTEMPTS, Notice, add_notices, deliver_pending
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def rows(engine):
    with session_scope(engine) as session:
        return {r.dedup_key: r for r in session.scalars(select(NotificationOutbox))}


@pytest.mark.integration
def test_pending_messages_are_sent_once(warehouse_engine, sandbox_connections):
    add_notices(
        warehouse_engine, [Notice("a", "#cm-digest", "first"), Notice("b", "#cm-alertes", "second")]
    )
    delivery = deliver_pending(warehouse_engine, SlackSender("slack_default"), now=NOW)
    assert (delivery.sent, delivery.failed) == (2, 0)
    assert deliver_pending(warehouse_engine, SlackSender("slack_default"), now=NOW).sent == 0
    slack = sandbox_connections.state()["slack"]
    assert sum(len(messages) for messages in slack.values()) == 2
    assert {r.state for r in rows(warehouse_engine).values()} == {"sent"}
    assert all(r.slack_ts for r in rows(warehouse_engine).values())


class FailingSender:
    def __init__(self, retryable: bool):
        self.retryable = retryable

    def send(self, channel, message):
        raise SlackDeliveryError(
            "channel_not_found", code="channel_not_found", retryable=self.retryable
        )


def test_a_permanent_failure_is_kept_and_not_retried(warehouse_engine):
    add_notices(warehouse_engine, [Notice("a", "#nope", "hello")])
    delivery = deliver_pending(warehouse_engine, FailingSender(retryable=False), now=NOW)
    assert delivery.failed == 1 and "channel_not_found" in delivery.errors[0]
    assert (rows(warehouse_engine)["a"].state, rows(warehouse_engine)["a"].attempts) == (
        "failed",
        1,
    )


def test_a_transient_failure_stops_the_batch_and_gives_up_after_max_attempts(warehouse_engine):
    add_notices(warehouse_engine, [Notice("a", "#cm-digest", "1"), Notice("b", "#cm-digest", "2")])
    assert deliver_pending(warehouse_engine, FailingSender(retryable=True), now=NOW).failed == 1
    assert rows(warehouse_engine)["b"].attempts == 0
    for _ in range(MAX_ATTEMPTS - 1):
        deliver_pending(warehouse_engine, FailingSender(retryable=True), now=NOW)
    assert rows(warehouse_engine)["a"].state == "failed"
