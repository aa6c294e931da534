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


# -- a message that changes: versions of one Slack message -------------------------------


def version(key, text, series="entry:e1", channel="#cm-digest"):
    return Notice(
        key,
        channel,
        text,
        [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        updates=series,
    )


def deliver(engine):
    return deliver_pending(engine, SlackSender("slack_default"), now=NOW)


@pytest.mark.integration
def test_versions_post_once_then_edit_that_message(warehouse_engine, sandbox_connections):
    add_notices(warehouse_engine, [version("v1", "X: published")])
    assert deliver(warehouse_engine).sent == 1
    [posted] = sandbox_connections.world.slack["#cm-digest"]
    add_notices(warehouse_engine, [version("v2", "X, LinkedIn: published")])
    assert deliver(warehouse_engine).sent == 1
    [edited] = sandbox_connections.world.slack["#cm-digest"]  # still one message
    assert edited.ts == posted.ts and edited.text == "X, LinkedIn: published"
    assert {r.slack_ts for r in rows(warehouse_engine).values()} == {posted.ts}
    methods = [r["path"] for r in sandbox_connections.requests("slack")]
    assert [p.rsplit("/", 1)[-1] for p in methods] == ["chat.postMessage", "chat.update"]


@pytest.mark.integration
def test_versions_written_before_any_delivery_still_make_one_message(
    warehouse_engine, sandbox_connections
):
    add_notices(
        warehouse_engine, [version("v1", "one"), version("v2", "two"), version("v3", "three")]
    )
    add_notices(warehouse_engine, [version("w1", "another entry", series="entry:e2")])
    assert deliver(warehouse_engine).sent == 4
    digest = sandbox_connections.world.slack["#cm-digest"]
    assert [m.text for m in digest] == ["three", "another entry"]


@pytest.mark.integration
def test_a_version_of_a_deleted_message_is_posted_anew(warehouse_engine, sandbox_connections):
    add_notices(warehouse_engine, [version("v1", "one")])
    deliver(warehouse_engine)
    sandbox_connections.world.slack["#cm-digest"].clear()  # someone deleted it in Slack
    add_notices(warehouse_engine, [version("v2", "two")])
    assert deliver(warehouse_engine).sent == 1
    [reposted] = sandbox_connections.world.slack["#cm-digest"]
    assert reposted.text == "two" and rows(warehouse_engine)["v2"].slack_ts == reposted.ts


class RefusingUpdates:
    """Posts fine; every edit is refused with ``code``."""

    def __init__(self, code: str):
        self.code = code
        self.posted: list[str] = []

    def send(self, channel, message):
        self.posted.append(message.text)
        return f"ts-{len(self.posted)}"

    def update(self, channel, ts, message):
        raise SlackDeliveryError(self.code, code=self.code, retryable=False)


def test_an_edit_refused_for_another_reason_is_a_failed_delivery(warehouse_engine):
    sender = RefusingUpdates("channel_not_found")
    add_notices(warehouse_engine, [version("v1", "one")])
    deliver_pending(warehouse_engine, sender, now=NOW)
    add_notices(warehouse_engine, [version("v2", "two")])
    delivery = deliver_pending(warehouse_engine, sender, now=NOW)
    assert delivery.failed == 1 and rows(warehouse_engine)["v2"].state == "failed"
    assert sender.posted == ["one"]  # not posted as a second message


def test_notice_of_a_message_stores_slack_json():
    from socialops.notifications.blocks import Message, section

    notice = Notice.of("k", "#c", Message("hi", [section("*hi*")]), updates="s")
    assert notice.blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*", "verbatim": True}}
    ]
    assert (notice.text, notice.updates) == ("hi", "s")
