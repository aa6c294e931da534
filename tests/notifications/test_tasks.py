"""The delivery task: a burst waiting in the outbox goes out in one run, within its budget."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from socialops.config import load_config
from socialops.hooks.slack import SlackDeliveryError
from socialops.notifications import tasks
from socialops.notifications.outbox import Notice, add_notices
from socialops.runtime import Run
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


class CountingSender:
    sent: list[str] = []
    fail_after: int | None = None

    def __init__(self, conn_id):
        pass

    def send(self, channel, message, *, key=None):
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise SlackDeliveryError("Slack unreachable", retryable=True)
        self.sent.append(message.text)
        return f"1700000000.{len(self.sent):06d}"


@pytest.fixture
def sender(monkeypatch):
    CountingSender.sent = []
    CountingSender.fail_after = None
    monkeypatch.setattr("socialops.hooks.slack.SlackSender", CountingSender)
    return CountingSender


def pending(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(
            select(func.count()).where(NotificationOutbox.state.in_(["pending", "sending"]))
        )


def burst(engine, count):
    add_notices(engine, [Notice(f"n{i}", "#cm-digest", f"message {i}") for i in range(count)])


def test_a_burst_beyond_one_batch_goes_out_in_one_run(sqlite_engine, sender):
    burst(sqlite_engine, 2 * tasks.DELIVERY_BATCH + 50)
    result = tasks.deliver_outbox(Run(load_config(), sqlite_engine, NOW))
    assert result == {"sent": 250, "waiting": 0, "expired": 0} and len(sender.sent) == 250
    assert pending(sqlite_engine) == 0


def test_the_budget_ends_the_run_and_the_rest_waits(sqlite_engine, sender):
    burst(sqlite_engine, tasks.DELIVERY_BATCH + 10)
    result = tasks.deliver_outbox(Run(load_config(), sqlite_engine, NOW), budget=timedelta(0))
    assert result["sent"] == tasks.DELIVERY_BATCH  # one batch, then the budget is spent
    assert result["waiting"] == 10
    assert pending(sqlite_engine) == 10


def test_slack_failing_mid_burst_fails_the_task_and_keeps_the_rest(sqlite_engine, sender):
    burst(sqlite_engine, 150)
    sender.fail_after = 120
    with pytest.raises(
        tasks.OutboxNotDelivered,
        match=r"^30 Slack message\(s\) wait in the outbox; they go out on the next run",
    ):
        tasks.deliver_outbox(Run(load_config(), sqlite_engine, NOW))
    assert pending(sqlite_engine) == 30
