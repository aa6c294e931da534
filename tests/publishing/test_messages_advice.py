"""What the publication messages advise is what the code then does.

Each test reads a message's advice, follows it (or not) through the real ledger, sync and
service, and checks the outcome the message promised. The grouped and updated messages go
through the outbox to the sandbox's Slack.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.support.publishing import NOW

from socialops.calendar.entries import parse_rows
from socialops.calendar.sync import sync_calendar
from socialops.calendar.validation import validate_entry
from socialops.config import load_config
from socialops.hooks.slack import SlackSender
from socialops.networks.errors import AuthError, InvalidRequest
from socialops.networks.idempotency import idempotency_key
from socialops.notifications.catalogue import Reader
from socialops.notifications.outbox import deliver_pending
from socialops.publishing import (
    PAUSE_VARIABLE,
    PublicationLedger,
    PublicationNotices,
    publish_one,
)
from socialops.publishing.messages import AUTH_BACKOFF, rejected_rows
from socialops.publishing.pause import pause_state
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox, Publication

GRACE = timedelta(hours=2)


@pytest.fixture
def notices() -> PublicationNotices:
    """English, so that the assertions read; test_translations.py covers the French."""
    return PublicationNotices(
        "#cm-digest", alerts_channel="#cm-alertes", locale="en", timezone="Europe/Paris"
    )


def outbox(engine) -> list[tuple[str, str, str]]:
    """(dedup key, channel, everything the message says), oldest first."""
    with session_scope(engine) as session:
        rows = session.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id))
        return [
            (n.dedup_key, n.channel, n.text + json.dumps(n.blocks, ensure_ascii=False))
            for n in rows
        ]


def state(engine, publication_id) -> str:
    with session_scope(engine) as session:
        return session.get(Publication, publication_id).state


def deliver(engine) -> None:
    delivery = deliver_pending(engine, SlackSender("slack_default"), now=NOW)
    assert delivery.failed == 0, delivery.errors


def texts(sandbox, channel: str) -> list[str]:
    return [m.text + json.dumps(m.blocks) for m in sandbox.world.slack.get(channel, [])]


def entry(entry_id: str, **cells) -> dict[str, str]:
    return {"entry_id": entry_id, "text": f"Bonjour {entry_id}", **cells}


# -- noise ------------------------------------------------------------------------------


@pytest.mark.integration
def test_one_confirmation_per_entry_edited_as_its_networks_go_out(
    warehouse_engine, planned, publish, sandbox_connections
):
    rows = [entry(f"e{i}", networks="x|linkedin" if i < 3 else "x") for i in range(5)]
    ids = planned(*rows)
    assert len(ids) == 8  # 8 publications: 8 messages before, one per entry now
    first = ids[0]  # e0 on X
    assert publish(first).state == "published"
    deliver(warehouse_engine)
    [message] = sandbox_connections.world.slack["#cm-digest"]
    assert "`e0` is published on X (1 of 2)" in message.text
    assert "LinkedIn: not out yet" in json.dumps(message.blocks)
    for publication_id in ids[1:]:
        assert publish(publication_id).state == "published"
    deliver(warehouse_engine)
    digest = sandbox_connections.world.slack["#cm-digest"]
    assert len(digest) == 5
    assert digest[0].ts == message.ts  # edited, not posted again
    assert digest[0].text == ":white_check_mark: `e0` is published on X and LinkedIn"
    assert json.dumps(digest[0].blocks).count("view the post") == 2


def test_two_networks_finishing_at_once_see_each_other(warehouse_engine, planned, publish):
    """The entry's row is locked while a version is written: the second version lists both."""
    x, linkedin = planned(entry("e1", networks="x|linkedin"))
    publish(x)
    publish(linkedin)
    *_, (key, channel, last) = outbox(warehouse_engine)
    assert channel == "#cm-digest" and "published on X and LinkedIn" in last


@pytest.mark.integration
def test_missed_posts_falling_at_once_are_one_message(
    warehouse_engine, planned, notices, sandbox_connections
):
    long_ago = (NOW - timedelta(hours=5)).isoformat()
    planned(*(entry(f"e{i}", scheduled_at=long_ago) for i in range(7)))
    missed = PublicationLedger(warehouse_engine).mark_missed(NOW, GRACE, notices)
    assert len(missed) == 7
    deliver(warehouse_engine)
    [alert] = sandbox_connections.world.slack["#cm-alertes"]
    assert alert.text == ":hourglass: 7 posts missed their time"
    assert all(f"`e{i}`" in json.dumps(alert.blocks) for i in range(7))
    assert "not tried in time" in json.dumps(alert.blocks)


# -- advice that matches the behaviour ------------------------------------------------------


def test_an_expired_token_is_retried_until_the_deadline_then_missed_for_that_reason(
    warehouse_engine, planned, publish, network, notices
):
    (pid,) = planned(entry("e1"))  # due at NOW - 5 min
    scheduled = NOW - timedelta(minutes=5)
    network.script = [AuthError("x", "401 token expired", conn_id="x_default", renew="it")] * 9
    assert publish(pid).state == "failed"
    [(_, channel, failure)] = outbox(warehouse_engine)
    deadline = Reader("en", "Europe/Paris").when(scheduled + GRACE)
    assert channel == "#cm-alertes"
    assert (
        "renew the X token in the Airflow connection `x_default` (Admin → Connections). "
        f"socialops tries again about every 30 minutes until {deadline}"
    ) in failure
    # "tries again about every 30 minutes": not before, and again after.
    assert publish(pid, owner="r2", now=NOW + AUTH_BACKOFF - timedelta(minutes=1)).state == (
        "skipped"
    )
    assert publish(pid, owner="r3", now=NOW + AUTH_BACKOFF).state == "failed"
    assert len(outbox(warehouse_engine)) == 1  # the same failure is not announced twice
    # "until {deadline}; after that the post is marked missed": by the plan's sweep.
    ledger = PublicationLedger(warehouse_engine)
    assert ledger.mark_missed(scheduled + GRACE - timedelta(minutes=1), GRACE, notices) == []
    assert ledger.mark_missed(scheduled + GRACE + timedelta(minutes=5), GRACE, notices) == [pid]
    _, _, missed = outbox(warehouse_engine)[-1]
    assert "X refused the token, and it was not renewed in time" in missed
    assert "Renew a refused token first" in missed
    assert "not tried in time" not in missed
    # "...and waits for a new time in the calendar": a new time re-plans it, and it goes out.
    later = NOW + timedelta(hours=3)
    planned(entry("e1", scheduled_at=later.isoformat()), now=later)
    assert state(warehouse_engine, pid) == "pending"
    network.script = []
    assert publish(pid, owner="r4", now=later).state == "published"


def test_refused_content_is_tried_again_once_the_entry_changes(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned(entry("e1"))
    network.script = [InvalidRequest("x", "text refused")]
    assert publish(pid).state == "rejected"
    [(_, _, failure)] = outbox(warehouse_engine)
    assert "fix the entry in the calendar: once it changes, it is tried again" in failure
    planned(entry("e1"))  # unchanged: still held
    assert state(warehouse_engine, pid) == "rejected"
    planned(entry("e1", text="Bonjour, corrigé"))
    assert state(warehouse_engine, pid) == "pending"
    assert publish(pid, owner="r2").state == "published"


def test_refused_content_fixed_after_the_grace_window_also_needs_a_new_time(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned(entry("e1"))
    network.script = [InvalidRequest("x", "text refused")]
    publish(pid)
    [(_, _, failure)] = outbox(warehouse_engine)
    assert "if its time is then more than 2 hours past, also give it a new time" in failure
    late = NOW + timedelta(hours=3)
    planned(entry("e1", text="corrigé"), now=late)
    assert publish(pid, owner="r2", now=late).state == "missed"
    planned(entry("e1", text="corrigé", scheduled_at=late.isoformat()), now=late)
    assert publish(pid, owner="r3", now=late).state == "published"


def test_missed_advice_a_new_time_republishes_and_cancelled_drops(
    warehouse_engine, planned, publish, notices
):
    long_ago = (NOW - timedelta(hours=5)).isoformat()
    a, b = planned(entry("a", scheduled_at=long_ago), entry("b", scheduled_at=long_ago))
    PublicationLedger(warehouse_engine).mark_missed(NOW, GRACE, notices)
    _, _, missed = outbox(warehouse_engine)[-1]
    assert "give it a new time in the calendar (now or later)" in missed
    assert "set its status to `cancelled`" in missed
    planned(entry("a", scheduled_at=NOW.isoformat()), entry("b", status="cancelled"))
    assert (state(warehouse_engine, a), state(warehouse_engine, b)) == ("pending", "cancelled")
    assert publish(a).state == "published"


def test_a_duplicated_entry_id_message_names_exactly_the_rows_held(warehouse_engine):
    rows = [
        {"entry_id": "dup", "networks": "x", "text": "original"},
        {"entry_id": "dup", "networks": "x", "text": "copy"},
        {"entry_id": "ok", "networks": "x", "text": "fine"},
        {"entry_id": "half", "networks": "x|instagram", "text": "no media for instagram"},
    ]
    base = {"scheduled_at": NOW.isoformat(), "status": "approved"}
    parsed = parse_rows(
        [{**base, **row} for row in rows],
        timezone="UTC",
        owned_accounts={"x": ["m"], "instagram": ["m"]},
        source="csv:test",
    )
    for parsed_entry in parsed.entries:
        parsed.problems.extend(validate_entry(parsed_entry, Path(".")))
    with session_scope(warehouse_engine) as session:
        sync_calendar(session, parsed, now=NOW)
    with session_scope(warehouse_engine) as session:
        planned = {(p.entry_id, p.network): p.state for p in session.scalars(select(Publication))}
    message = rejected_rows(Reader("en"), parsed, source="csv:test")
    held = json.dumps([b for b in message.block_dicts() if b["type"] == "section"][-1])
    # What the message says is held...
    assert "row 3: ignored, row 2 already has its id `dup`" in held
    assert "`dup` (row" not in held  # its first row is not held
    assert "`half` (row 5): on Instagram; its other networks go out as planned" in held
    assert "`ok`" not in held
    problems = json.dumps(message.block_dicts(), ensure_ascii=False)
    assert "row 3 · `dup` · `entry_id`: 'dup' is already used on row 2: row 2 is kept" in problems
    # ...is what the sync did: `dup` as its first row says, `half` on X only, `ok` as planned.
    assert planned == {
        ("dup", "x"): "pending",
        ("ok", "x"): "pending",
        ("half", "x"): "pending",
        ("half", "instagram"): "rejected",
    }
    with session_scope(warehouse_engine) as session:
        dup = session.scalars(select(Publication).where(Publication.entry_id == "dup")).one()
    assert dup.idempotency_key == idempotency_key("dup", "x", "original")


def test_a_duplicated_id_whose_first_row_is_invalid_holds_the_entry(warehouse_engine):
    rows = [
        {"entry_id": "dup", "scheduled_at": "demain", "networks": "x", "text": "original"},
        {"entry_id": "dup", "scheduled_at": NOW.isoformat(), "networks": "x", "text": "copy"},
    ]
    parsed = parse_rows(
        [{"status": "approved", **row} for row in rows],
        timezone="UTC",
        owned_accounts={"x": ["m"]},
        source="csv:test",
    )
    message = rejected_rows(Reader("en"), parsed, source="csv:test")
    held = json.dumps([b for b in message.block_dicts() if b["type"] == "section"][-1])
    assert "`dup` (row 2): on no network" in held
    assert "row 3: ignored, row 2 already has its id `dup`" in held
    with session_scope(warehouse_engine) as session:
        sync_calendar(session, parsed, now=NOW)
    with session_scope(warehouse_engine) as session:
        assert session.scalars(select(Publication)).all() == []  # the copy is not published


@pytest.mark.parametrize(
    "yaml_paused, variable, says, does_not_say",
    [
        (False, "crise sur X", ["delete `socialops_publication_paused`"], ["socialops.yaml"]),
        (True, None, ["in socialops.yaml: set `publication.paused` back"], [PAUSE_VARIABLE]),
        (True, "true", ["undo both switches", PAUSE_VARIABLE, "socialops.yaml"], []),
    ],
)
def test_the_pause_message_says_how_to_undo_the_switch_that_paused(
    yaml_paused, variable, says, does_not_say
):
    config = load_config()
    config = config.model_copy(
        update={"publication": config.publication.model_copy(update={"paused": yaml_paused})}
    )
    pause = pause_state(config, lambda name: variable)
    [notice] = PublicationNotices.for_brand(config).paused([(1, "e1", "x", NOW)], pause)
    english = PublicationNotices("#d", locale="en").paused([(1, "e1", "x", NOW)], pause)[0]
    advice = json.dumps(english.blocks, ensure_ascii=False)
    assert all(words in advice for words in says), advice
    assert not any(words in advice for words in does_not_say), advice
    assert notice.channel == config.slack.channels.alerts
    # Following the advice resumes; undoing one switch of two does not.
    unset_variable = pause_state(config, lambda name: None if variable is None else "false")
    yaml_false = config.model_copy(
        update={"publication": config.publication.model_copy(update={"paused": False})}
    )
    assert pause_state(yaml_false, lambda name: None if variable is None else "false") is None
    if yaml_paused and variable:
        assert unset_variable is not None  # still paused by the YAML
    if variable and not yaml_paused:
        assert unset_variable is None


def test_the_reason_given_in_the_variable_is_shown():
    config = load_config()
    pause = pause_state(config, lambda name: "crise <!channel> sur X")
    [notice] = PublicationNotices("#d", locale="fr").paused([(1, "e1", "x", NOW)], pause)
    assert "*Raison donnée\u00a0:* crise &lt;!channel&gt; sur X" in json.dumps(
        notice.blocks, ensure_ascii=False
    )


class UnsearchableRefusal:
    """A network whose search refuses the request: the uncertain post cannot be checked."""

    def __init__(self, network):
        self.network = network

    def __getattr__(self, name):
        return getattr(self.network, name)

    def find_published(self, key, account, since):
        raise InvalidRequest("x", "GET /2/users/1/tweets: bad request")


def test_an_uncertain_post_that_cannot_be_checked_is_announced(
    warehouse_engine, planned, publish, network
):
    """The task then fails as "already reported": the report must exist."""
    (pid,) = planned(entry("e1"))
    network.script = ["apply-then-timeout"]
    assert publish(pid).state == "unconfirmed"
    assert outbox(warehouse_engine) == []  # retried and reconciled: nothing to say yet
    outcome = publish_one(
        PublicationLedger(warehouse_engine),
        pid,
        lambda: UnsearchableRefusal(network),
        owner="r2",
        now=NOW,
        grace=GRACE,
        notices=PublicationNotices("#d", alerts_channel="#a", locale="en"),
        media_root=Path("."),
    )
    assert outcome.needs_person
    [(_, channel, text)] = outbox(warehouse_engine)
    assert channel == "#a" and "socialops does not post it again on its own" in text
    assert "bad request" not in text


def test_raw_errors_go_to_the_ops_channel_when_there_is_one(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned(entry("e1"))
    network.script = [InvalidRequest("x", "media type <not> allowed")]
    publish_one(
        PublicationLedger(warehouse_engine),
        pid,
        lambda: network,
        owner="r1",
        now=NOW,
        grace=GRACE,
        notices=PublicationNotices("#d", alerts_channel="#a", ops_channel="#ops", locale="fr"),
        media_root=Path("."),
    )
    (_, cm, for_cm), (key, ops, for_ops) = outbox(warehouse_engine)
    assert (cm, ops) == ("#a", "#ops") and key.endswith(":ops")
    assert "media type" not in for_cm
    assert "InvalidRequest: [x] media type &lt;not&gt; allowed" in for_ops
