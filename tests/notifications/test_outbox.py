"""Delivering the outbox to Slack: once per message, in order, nothing lost.

The fault scenarios of issue 9 run against the sandbox's Slack (real HTTP, slack_sdk through
Airflow's Slack provider) on SQLite and PostgreSQL: an hour of 5xx and 429, an expired token
renewed, a lost answer, a crash between the post and the commit, expiry by age.
"""

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from socialops.config import load_config
from socialops.hooks.slack import METADATA_EVENT, SlackDeliveryError, SlackSender
from socialops.notifications.catalogue import Reader
from socialops.notifications.messages import expiry_report
from socialops.notifications.outbox import (
    EXPIRY_KEY,
    Notice,
    add_notices,
    deliver_pending,
)
from socialops.notifications.tasks import OutboxNotDelivered, deliver_outbox
from socialops.runtime import Run
from socialops.warehouse.column_types import UtcDateTime
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
BACKLOG = [f"message {n}" for n in range(1, 6)]


def rows(engine):
    with session_scope(engine) as session:
        return {r.dedup_key: r for r in session.scalars(select(NotificationOutbox))}


def write_backlog(engine, channel="#cm-digest"):
    add_notices(engine, [Notice(text, channel, text) for text in BACKLOG])


def deliver(engine, *, at=NOW, **kwargs):
    return deliver_pending(engine, SlackSender("slack_default"), now=at, **kwargs)


def posted(sandbox, channel="#cm-digest") -> list[str]:
    return [m.text for m in sandbox.world.slack.get(channel, [])]


def slack_calls(sandbox) -> list[str]:
    return [r["path"].rsplit("/", 1)[-1] for r in sandbox.requests("slack")]


def clear_faults(sandbox):
    with sandbox.sandbox.lock:
        sandbox.sandbox.faults.clear()


@pytest.mark.integration
def test_pending_messages_are_sent_once(warehouse_engine, sandbox_connections):
    add_notices(
        warehouse_engine, [Notice("a", "#cm-digest", "first"), Notice("b", "#cm-alertes", "second")]
    )
    delivery = deliver(warehouse_engine)
    assert (delivery.sent, delivery.failed, delivery.waiting) == (2, 0, 0)
    assert deliver(warehouse_engine).sent == 0
    slack = sandbox_connections.state()["slack"]
    assert sum(len(messages) for messages in slack.values()) == 2
    assert {r.state for r in rows(warehouse_engine).values()} == {"sent"}
    assert all(r.slack_ts for r in rows(warehouse_engine).values())


@pytest.mark.integration
def test_each_post_carries_its_dedup_key_as_metadata(warehouse_engine, sandbox_connections):
    add_notices(warehouse_engine, [Notice("k1", "#cm-digest", "hello")])
    deliver(warehouse_engine)
    [message] = sandbox_connections.world.slack["#cm-digest"]
    assert message.metadata == {
        "event_type": METADATA_EVENT,
        "event_payload": {"dedup_key": "k1"},
    }


# -- the fault scenarios -----------------------------------------------------------------


@pytest.mark.integration
def test_an_hour_of_5xx_and_429_loses_nothing_and_keeps_the_order(
    warehouse_engine, sandbox_connections
):
    write_backlog(warehouse_engine)
    sandbox_connections.add_fault(network="slack", kind="server_error", rate=1.0)
    for run in range(6):  # every 5 minutes for half an hour: Slack answers 500
        delivery = deliver(warehouse_engine, at=NOW + timedelta(minutes=5 * run))
        assert delivery.sent == 0 and delivery.stopped_by is not None
        assert delivery.stopped_by.retryable
    clear_faults(sandbox_connections)
    sandbox_connections.add_fault(network="slack", kind="rate_limit", rate=1.0, reset_after=600)
    for run in range(6, 12):  # then half an hour of 429
        delivery = deliver(warehouse_engine, at=NOW + timedelta(minutes=5 * run))
        assert delivery.sent == 0 and delivery.stopped_by.code == "ratelimited"
    # Each pass stopped at its first call: one request per pass, never a walk of the backlog.
    assert len(slack_calls(sandbox_connections)) == 12
    assert posted(sandbox_connections) == []
    assert {r.state for r in rows(warehouse_engine).values()} <= {"pending", "sending"}

    clear_faults(sandbox_connections)
    delivery = deliver(warehouse_engine, at=NOW + timedelta(hours=1))
    assert (delivery.sent, delivery.waiting, delivery.stopped_by) == (5, 0, None)
    assert posted(sandbox_connections) == BACKLOG
    assert {r.state for r in rows(warehouse_engine).values()} == {"sent"}


@pytest.mark.integration
def test_an_expired_token_keeps_the_backlog_until_it_is_renewed(
    warehouse_engine, sandbox_connections
):
    write_backlog(warehouse_engine)
    sandbox_connections.add_fault(network="slack", kind="expired_token", rate=1.0)
    for run in range(10):  # more passes than the former attempt cap
        delivery = deliver(warehouse_engine, at=NOW + timedelta(minutes=5 * run))
        assert delivery.stopped_by.code == "token_expired" and not delivery.stopped_by.retryable
        assert "Renew the Slack bot token" in str(delivery.stopped_by)
    states = rows(warehouse_engine)
    # Refused before anything was stored: plain pending, not in doubt.
    assert {r.state for r in states.values()} == {"pending"}
    assert states["message 1"].attempts == 10 and states["message 2"].attempts == 0

    clear_faults(sandbox_connections)  # the token is renewed
    assert deliver(warehouse_engine, at=NOW + timedelta(hours=3)).sent == 5
    assert posted(sandbox_connections) == BACKLOG
    assert "conversations.history" not in slack_calls(sandbox_connections)


class RefusingChannel:
    """Slack refuses every message with ``code`` (no retry can help)."""

    def __init__(self, code="channel_not_found"):
        self.code = code
        self.calls = 0

    def send(self, channel, message, *, key=None):
        self.calls += 1
        raise SlackDeliveryError(self.code, code=self.code, retryable=False)


@pytest.mark.parametrize("code", ["channel_not_found", "invalid_auth", "token_expired"])
def test_a_non_retryable_error_stops_the_pass_and_burns_nothing(warehouse_engine, code):
    write_backlog(warehouse_engine)
    sender = RefusingChannel(code)
    delivery = deliver_pending(warehouse_engine, sender, now=NOW)
    assert sender.calls == 1 and delivery.stopped_by.code == code and delivery.waiting == 5
    assert {r.state for r in rows(warehouse_engine).values()} == {"pending"}


def test_a_message_refused_for_its_content_is_set_aside_and_the_rest_goes_out(warehouse_engine):
    class RefusingTheFirst:
        def __init__(self):
            self.sent = []

        def send(self, channel, message, *, key=None):
            if message.text == "message 1":
                raise SlackDeliveryError("msg_too_long", code="msg_too_long")
            self.sent.append(message.text)
            return f"ts-{len(self.sent)}"

    write_backlog(warehouse_engine)
    sender = RefusingTheFirst()
    delivery = deliver_pending(warehouse_engine, sender, now=NOW)
    assert (delivery.sent, delivery.failed) == (4, 1) and sender.sent == BACKLOG[1:]
    assert rows(warehouse_engine)["message 1"].state == "failed"


@pytest.mark.integration
def test_a_lost_answer_is_looked_up_and_not_posted_twice(warehouse_engine, sandbox_connections):
    write_backlog(warehouse_engine)
    sandbox_connections.add_fault(
        network="slack",
        kind="timeout_after_apply",
        path=r"/api/chat\.postMessage",
        hold_seconds=0.1,
    )
    delivery = deliver(warehouse_engine)
    assert delivery.sent == 0 and delivery.stopped_by.outcome_unknown
    first = rows(warehouse_engine)["message 1"]
    assert (first.state, first.attempted_at) == ("sending", NOW)  # in doubt, recorded
    assert posted(sandbox_connections) == ["message 1"]  # Slack did store it

    delivery = deliver(warehouse_engine, at=NOW + timedelta(minutes=5))
    assert delivery.sent == 5
    assert posted(sandbox_connections) == BACKLOG  # message 1 once
    [stored] = sandbox_connections.world.slack["#cm-digest"][:1]
    assert rows(warehouse_engine)["message 1"].slack_ts == stored.ts
    calls = slack_calls(sandbox_connections)
    assert calls[:4] == [
        "chat.postMessage",
        "conversations.list",
        "conversations.history",
        "chat.postMessage",
    ]
    assert calls.count("chat.postMessage") == 5


@pytest.mark.integration
def test_a_lost_answer_of_a_post_slack_did_not_store_is_posted_again(
    warehouse_engine, sandbox_connections
):
    add_notices(warehouse_engine, [Notice("a", "#cm-digest", "only once")])
    with session_scope(warehouse_engine) as session:  # as a crash right after the claim leaves it
        session.execute(
            update(NotificationOutbox).values(state="sending", attempted_at=NOW, attempts=1)
        )
    assert deliver(warehouse_engine).sent == 1
    assert posted(sandbox_connections) == ["only once"]


class CrashAfterPost:
    """Posts through Slack, then the worker dies before the outbox commits."""

    def __init__(self):
        self.slack = SlackSender("slack_default")

    def send(self, channel, message, *, key=None):
        self.slack.send(channel, message, key=key)
        raise SystemExit("worker killed")


@pytest.mark.integration
def test_a_crash_between_the_post_and_the_commit_is_not_posted_twice(
    warehouse_engine, sandbox_connections
):
    write_backlog(warehouse_engine)
    with pytest.raises(SystemExit):
        deliver_pending(warehouse_engine, CrashAfterPost(), now=NOW)
    assert rows(warehouse_engine)["message 1"].state == "sending"
    assert deliver(warehouse_engine, at=NOW + timedelta(minutes=5)).sent == 5
    assert posted(sandbox_connections) == BACKLOG


@pytest.mark.integration
def test_a_lookup_that_fails_keeps_the_message_in_doubt(warehouse_engine, sandbox_connections):
    add_notices(warehouse_engine, [Notice("a", "#cm-digest", "once")])
    sandbox_connections.add_fault(
        network="slack",
        kind="timeout_after_apply",
        path=r"/api/chat\.postMessage",
        hold_seconds=0.1,
    )
    deliver(warehouse_engine)
    sandbox_connections.add_fault(
        network="slack", kind="server_error", path=r"/api/conversations\.history"
    )
    delivery = deliver(warehouse_engine, at=NOW + timedelta(minutes=5))
    assert delivery.stopped_by is not None and rows(warehouse_engine)["a"].state == "sending"
    assert deliver(warehouse_engine, at=NOW + timedelta(minutes=10)).sent == 1
    assert posted(sandbox_connections) == ["once"]


class HeldSender:
    """Records posts; the first one waits until ``release`` is set (a slow Slack call)."""

    def __init__(self):
        self.posted: list[str] = []
        self.started, self.release = threading.Event(), threading.Event()

    def send(self, channel, message, *, key=None):
        if not self.posted and not self.started.is_set():
            self.started.set()
            assert self.release.wait(10)
        self.posted.append(message.text)
        return f"ts-{len(self.posted)}"


@pytest.mark.postgres
def test_two_deliverers_at_once_send_each_message_once_and_in_order(pg_engine):
    write_backlog(pg_engine)
    slow, other = HeldSender(), HeldSender()
    other.started.set()  # the second deliverer's Slack is fast
    first = threading.Thread(target=deliver_pending, args=(pg_engine, slow), kwargs={"now": NOW})
    first.start()
    assert slow.started.wait(10)  # the first holds message 1 while Slack answers
    delivery = deliver_pending(pg_engine, other, now=NOW)
    # The oldest is locked: the second leaves the rest to the first, so the order holds.
    assert (delivery.sent, other.posted, delivery.stopped_by) == (0, [], None)
    slow.release.set()
    first.join(10)
    assert slow.posted == BACKLOG
    assert {r.state for r in rows(pg_engine).values()} == {"sent"}


class SharedSlack:
    """One channel two deliverers post to, each through its own sender; the first post of
    the ``slow`` sender waits until ``release`` is set."""

    def __init__(self):
        self.posts: list[tuple[str, str, str]] = []  # (sender, key, text)
        self.lock = threading.Lock()
        self.started, self.release = threading.Event(), threading.Event()

    def sender(self, name: str, *, slow: bool = False):
        slack = self

        class Sender:
            def send(self, channel, message, *, thread_ts=None, key=None):
                if slow and not slack.started.is_set():
                    slack.started.set()
                    assert slack.release.wait(20)
                with slack.lock:
                    slack.posts.append((name, key, message.text))
                    return f"ts-{len(slack.posts)}"

            def find(self, channel, key, *, since, thread_ts=None):
                with slack.lock:
                    found = [n for n, (_, k, _) in enumerate(slack.posts, 1) if k == key]
                return f"ts-{found[0]}" if found else None

        return Sender()


def test_two_deliverers_at_once_on_sqlite_send_each_message_once(sqlite_engine):
    # SQLite has no row locks: the engine's BEGIN IMMEDIATE admits one writer at a time,
    # and the delivery holds its transaction across the Slack call, so the second deliverer
    # waits; a message both claimed is looked up before it is posted again.
    write_backlog(sqlite_engine)
    slack = SharedSlack()
    outcomes: list = []

    def run(sender):
        outcomes.append(deliver_pending(sqlite_engine, sender, now=NOW))

    first = threading.Thread(target=run, args=(slack.sender("first", slow=True),))
    first.start()
    assert slack.started.wait(10)  # the first holds message 1 while Slack answers
    second = threading.Thread(target=run, args=(slack.sender("second"),))
    second.start()
    second.join(0.5)  # the second is waiting for the database, not sending
    assert second.is_alive() and slack.posts == []
    slack.release.set()
    first.join(30)
    second.join(30)
    assert not first.is_alive() and not second.is_alive()
    assert [text for _, _, text in slack.posts] == BACKLOG  # each once, in order
    assert {r.state for r in rows(sqlite_engine).values()} == {"sent"}
    assert sum(o.sent for o in outcomes) == len(BACKLOG)


# -- expiry by age -------------------------------------------------------------------------


def age(engine, keys, by: timedelta):
    """Make ``keys`` older by ``by`` on the warehouse clock that stamped them."""
    with session_scope(engine) as session:
        db_now = session.scalar(select(func.now(type_=UtcDateTime())))
        session.execute(
            update(NotificationOutbox)
            .where(NotificationOutbox.dedup_key.in_(keys))
            .values(created_at=db_now - by)
        )


READER = Reader("en", "Europe/Paris")


def test_messages_too_old_expire_and_are_reported_once(warehouse_engine, caplog):
    write_backlog(warehouse_engine)
    age(warehouse_engine, BACKLOG[:2], timedelta(days=3))
    report = expiry_report(READER, "#cm-ops", timedelta(days=2))
    sender = RefusingChannel("token_expired")
    caplog.set_level(logging.WARNING, logger="socialops.notifications.outbox")
    for run in range(3):
        delivery = deliver_pending(
            warehouse_engine, sender, now=NOW + timedelta(minutes=5 * run), report_expired=report
        )
        assert len(delivery.expired) == (2 if run == 0 else 0)
    states = rows(warehouse_engine)
    assert [states[k].state for k in BACKLOG] == ["expired"] * 2 + ["pending"] * 3
    [key] = [k for k in states if k.startswith(EXPIRY_KEY)]
    assert states[key].channel == "#cm-ops" and states[key].state == "pending"
    assert "2 Slack messages were not delivered" in states[key].text
    assert "more than 2 days" in states[key].text
    logged = [r for r in caplog.records if "dropped unsent" in r.getMessage()]
    assert len(logged) == 1 and "message 1, message 2" in logged[0].getMessage()
    assert sender.calls == 3  # the young ones were still tried, the old ones never


@pytest.mark.integration
def test_the_expiry_report_goes_out_after_the_young_backlog(warehouse_engine, sandbox_connections):
    write_backlog(warehouse_engine)
    age(warehouse_engine, BACKLOG[:1], timedelta(days=3))
    report = expiry_report(READER, "#cm-digest", timedelta(days=2))
    assert deliver(warehouse_engine, report_expired=report).sent == 5
    shown = posted(sandbox_connections)
    assert shown[:4] == BACKLOG[1:] and "1 Slack message was not delivered" in shown[4]


def test_an_expired_report_is_logged_not_reported_again(warehouse_engine):
    report = expiry_report(READER, "#cm-ops", timedelta(days=2))
    add_notices(warehouse_engine, [Notice(f"{EXPIRY_KEY}1:a:a", "#cm-ops", "report")])
    age(warehouse_engine, [f"{EXPIRY_KEY}1:a:a"], timedelta(days=3))
    delivery = deliver_pending(warehouse_engine, RefusingChannel(), now=NOW, report_expired=report)
    assert delivery.expired == [] and len(rows(warehouse_engine)) == 1


def test_a_young_message_never_expires_however_often_it_failed(warehouse_engine):
    write_backlog(warehouse_engine)
    age(warehouse_engine, BACKLOG, timedelta(days=1, hours=23))
    for _ in range(20):
        deliver_pending(warehouse_engine, RefusingChannel("ratelimited"), now=NOW)
    assert {r.state for r in rows(warehouse_engine).values()} == {"pending"}


# -- the task ------------------------------------------------------------------------------


def test_the_task_fails_visibly_and_says_what_happens_next(warehouse_engine, sandbox_connections):
    write_backlog(warehouse_engine)
    sandbox_connections.add_fault(network="slack", kind="expired_token", rate=1.0)
    run = Run(load_config(), warehouse_engine, NOW)
    with pytest.raises(OutboxNotDelivered) as raised:
        deliver_outbox(run)
    text = str(raised.value)
    assert "5 Slack message(s) wait in the outbox" in text
    assert "they go out on the next run once Slack answers" in text
    assert "Renew the Slack bot token" in text
    clear_faults(sandbox_connections)
    assert deliver_outbox(run) == {"sent": 5, "waiting": 0, "expired": 0}


# -- a message that changes: versions of one Slack message -------------------------------


def version(key, text, series="entry:e1", channel="#cm-digest"):
    return Notice(
        key,
        channel,
        text,
        [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        updates=series,
    )


@pytest.mark.integration
def test_versions_post_once_then_edit_that_message(warehouse_engine, sandbox_connections):
    add_notices(warehouse_engine, [version("v1", "X: published")])
    assert deliver(warehouse_engine).sent == 1
    [posted_message] = sandbox_connections.world.slack["#cm-digest"]
    add_notices(warehouse_engine, [version("v2", "X, LinkedIn: published")])
    assert deliver(warehouse_engine).sent == 1
    [edited] = sandbox_connections.world.slack["#cm-digest"]  # still one message
    assert edited.ts == posted_message.ts and edited.text == "X, LinkedIn: published"
    assert {r.slack_ts for r in rows(warehouse_engine).values()} == {posted_message.ts}
    assert slack_calls(sandbox_connections) == ["chat.postMessage", "chat.update"]


@pytest.mark.integration
def test_versions_written_before_any_delivery_still_make_one_message(
    warehouse_engine, sandbox_connections
):
    add_notices(
        warehouse_engine, [version("v1", "one"), version("v2", "two"), version("v3", "three")]
    )
    add_notices(warehouse_engine, [version("w1", "another entry", series="entry:e2")])
    assert deliver(warehouse_engine).sent == 4
    assert posted(sandbox_connections) == ["three", "another entry"]


@pytest.mark.integration
def test_a_version_of_a_deleted_message_is_posted_anew(warehouse_engine, sandbox_connections):
    add_notices(warehouse_engine, [version("v1", "one")])
    deliver(warehouse_engine)
    sandbox_connections.world.slack["#cm-digest"].clear()  # someone deleted it in Slack
    add_notices(warehouse_engine, [version("v2", "two")])
    assert deliver(warehouse_engine).sent == 1
    [reposted] = sandbox_connections.world.slack["#cm-digest"]
    assert reposted.text == "two" and rows(warehouse_engine)["v2"].slack_ts == reposted.ts


@pytest.mark.integration
def test_an_edit_whose_answer_was_lost_is_made_again_not_posted(
    warehouse_engine, sandbox_connections
):
    add_notices(warehouse_engine, [version("v1", "one")])
    deliver(warehouse_engine)
    add_notices(warehouse_engine, [version("v2", "two")])
    sandbox_connections.add_fault(
        network="slack", kind="timeout_after_apply", path=r"/api/chat\.update", hold_seconds=0.1
    )
    assert deliver(warehouse_engine).stopped_by.outcome_unknown
    assert deliver(warehouse_engine, at=NOW + timedelta(minutes=5)).sent == 1
    assert posted(sandbox_connections) == ["two"]


class RefusingUpdates:
    """Posts fine; every edit is refused with ``code``."""

    def __init__(self, code: str):
        self.code = code
        self.posted: list[str] = []

    def send(self, channel, message, *, key=None):
        self.posted.append(message.text)
        return f"ts-{len(self.posted)}"

    def update(self, channel, ts, message):
        raise SlackDeliveryError(self.code, code=self.code, retryable=False)


def test_an_edit_refused_for_another_reason_stops_the_pass_and_waits(warehouse_engine):
    sender = RefusingUpdates("channel_not_found")
    add_notices(warehouse_engine, [version("v1", "one")])
    deliver_pending(warehouse_engine, sender, now=NOW)
    add_notices(warehouse_engine, [version("v2", "two")])
    delivery = deliver_pending(warehouse_engine, sender, now=NOW)
    assert delivery.stopped_by.code == "channel_not_found"
    assert rows(warehouse_engine)["v2"].state == "pending"
    assert sender.posted == ["one"]  # not posted as a second message


def test_notice_of_a_message_stores_slack_json():
    from socialops.notifications.blocks import Message, section

    notice = Notice.of("k", "#c", Message("hi", [section("*hi*")]), updates="s")
    assert notice.blocks == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*", "verbatim": True}}
    ]
    assert (notice.text, notice.updates) == ("hi", "s")


# -- Replies in a thread ---------------------------------------------------------------------


def thread_backlog(engine):
    """An alert, then an update of it that is also a reply in its thread."""
    add_notices(
        engine,
        [
            Notice("alert:1", "#cm-alerts", "opened", updates="alert"),
            Notice("alert:2", "#cm-alerts", "cleared", updates="alert"),
            Notice("alert:2:thread", "#cm-alerts", "cleared", thread="alert"),
        ],
    )


@pytest.mark.integration
def test_a_reply_goes_in_the_thread_of_the_message_it_answers(
    warehouse_engine, sandbox_connections
):
    thread_backlog(warehouse_engine)
    assert deliver(warehouse_engine).sent == 3
    alert, reply = sandbox_connections.world.slack["#cm-alerts"]
    assert alert.text == "cleared" and not alert.thread_ts  # edited in place
    assert (reply.text, reply.thread_ts) == ("cleared", alert.ts)
    stored = rows(warehouse_engine)
    assert stored["alert:2:thread"].slack_ts == reply.ts != alert.ts


@pytest.mark.integration
def test_a_reply_whose_answer_was_lost_is_found_in_its_thread_not_posted_twice(
    warehouse_engine, sandbox_connections
):
    thread_backlog(warehouse_engine)
    deliver(warehouse_engine, limit=2)  # the alert and its edit
    sandbox_connections.add_fault(
        network="slack",
        kind="timeout_after_apply",
        path=r"/api/chat\.postMessage",
        hold_seconds=0.1,
    )
    assert deliver(warehouse_engine).stopped_by.outcome_unknown
    clear_faults(sandbox_connections)
    assert deliver(warehouse_engine, at=NOW + timedelta(minutes=5)).sent == 1
    replies = [m for m in sandbox_connections.world.slack["#cm-alerts"] if m.thread_ts]
    assert [m.text for m in replies] == ["cleared"]  # once
    calls = slack_calls(sandbox_connections)
    # Slack's history holds no thread replies: the lookup reads the thread.
    assert "conversations.replies" in calls and calls.count("chat.postMessage") == 2


def test_a_reply_to_a_message_that_never_reached_slack_goes_in_the_channel(warehouse_engine):
    class Recorder:
        def __init__(self):
            self.sent = []

        def send(self, channel, message, *, key=None, thread_ts=None):
            self.sent.append((message.text, thread_ts))
            return f"1.{len(self.sent)}"

    add_notices(warehouse_engine, [Notice("late:thread", "#cm-alerts", "update", thread="gone")])
    slack = Recorder()
    assert deliver_pending(warehouse_engine, slack, now=NOW).sent == 1
    assert slack.sent == [("update", None)]
