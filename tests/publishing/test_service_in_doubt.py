"""Publications in doubt: calendar edits meanwhile, twins with identical content, posts
already recorded for another publication (docs/exactly-once.md)."""

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from tests.support.publishing import NOW, ScriptedNetwork

from socialops.metrics.store import link_publications
from socialops.networks.errors import OutcomeUnknown
from socialops.networks.records import Receipt
from socialops.publishing import PublicationLedger
from socialops.publishing.store import ExternalIdTaken
from socialops.warehouse.engine import create_warehouse_engine, session_scope
from socialops.warehouse.models import NotificationOutbox, Post, Publication

LATER = NOW + timedelta(minutes=5)


class ListingNetwork(ScriptedNetwork):
    """A network whose adapter lists every matching post (``find_published_candidates``)."""

    def find_published_candidates(self, idempotency_key, account, since):
        self.count_call("find_published_candidates")
        receipt = super().find_published
        found = []
        posts, self.posts = self.posts, []
        try:
            for post in posts:  # one at a time through the base matching rule
                self.posts = [post]
                hit = receipt(idempotency_key, account, since)
                if hit is not None:
                    found.append(Receipt(hit.network, post[0], hit.url, hit.published_at))
        finally:
            self.posts = posts
        return found


def state(engine, publication_id):
    with session_scope(engine) as session:
        return session.get(Publication, publication_id)


def notices_of(engine):
    """dedup key → everything the message says."""
    with session_scope(engine) as session:
        rows = session.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id))
        return {n.dedup_key: n.text + json.dumps(n.blocks, ensure_ascii=False) for n in rows}


ROW = {"entry_id": "e1", "text": "Bonjour", "networks": "x|linkedin"}


# -- the calendar is read again before any new attempt --------------------------------------


@pytest.mark.parametrize(
    ("edit", "end_state", "says"),
    [
        ([{**ROW, "status": "cancelled"}], "cancelled", "the entry was cancelled"),
        ([{**ROW, "networks": "linkedin"}], "cancelled", "X was removed from its row"),
        ([], "cancelled", "its row was removed from the calendar"),
        ([{**ROW, "status": "draft"}], "pending", "the entry went back to draft"),
        ([{**ROW, "scheduled_at": "demain"}], "rejected", "its row became invalid"),
    ],
)
def test_withdrawn_in_doubt_and_not_found_is_settled_and_never_sent(
    warehouse_engine, planned, publish, network, edit, end_state, says
):
    pid = planned(ROW)[0]
    network.script = [OutcomeUnknown("x", "connection reset before the request was sent")]
    assert publish(pid).state == "unconfirmed"
    planned(*edit)
    outcome = publish(pid, owner="retry", now=LATER)
    assert outcome.state == "skipped" and network.posts == []
    stored = state(warehouse_engine, pid)
    assert (stored.state, stored.withdrawn, stored.lease_owner) == (end_state, None, None)
    ((key, text),) = notices_of(warehouse_engine).items()
    assert key == f"publication:{pid}:withdrawn:1:{end_state}"
    assert says in text and "No post was found on the account" in text
    # Settled: later runs leave it alone (and say nothing more).
    assert publish(pid, owner="later", now=LATER + timedelta(minutes=5)).state == "skipped"
    assert network.posts == [] and len(notices_of(warehouse_engine)) == 1


@pytest.mark.parametrize(
    ("edit", "promise"),
    [
        ({"status": "draft"}, "it waits until the entry is approved again."),
        ({"scheduled_at": "demain"}, "it waits until its row is fixed."),
        ({"status": "cancelled"}, "it goes out only if the calendar asks for it again."),
    ],
)
def test_a_withdrawn_post_not_found_goes_out_once_the_calendar_asks_again(
    warehouse_engine, planned, publish, network, edit, promise
):
    """What the notice promises: approved again, fixed, or asked for again, it goes out once."""
    pid = planned(ROW)[0]
    network.script = [OutcomeUnknown("x", "connection reset before the request was sent")]
    publish(pid)
    planned({**ROW, **edit})
    publish(pid, owner="retry")
    ((_, text),) = notices_of(warehouse_engine).items()
    assert promise in text
    planned(ROW)
    assert publish(pid, owner="asked-again", now=LATER).state == "published"
    assert len(network.posts) == 1


def test_a_cancelled_post_found_live_is_reported_with_its_link_and_enters_posts(
    warehouse_engine, planned, publish, network
):
    pid = planned({**ROW, "campaign": "noel"})[0]
    network.script = ["apply-then-timeout"]
    publish(pid)
    planned({**ROW, "campaign": "noel", "status": "cancelled"})
    outcome = publish(pid, owner="retry", now=LATER)
    assert (outcome.state, outcome.external_id) == ("published", "1")
    assert len(network.posts) == 1
    stored = state(warehouse_engine, pid)
    assert stored.state == "published" and stored.external_id == "1"
    assert stored.last_error == "live although the entry is cancelled (reconciliation)"
    (confirmation, (key, text)) = notices_of(warehouse_engine).items()
    assert key == f"publication:{pid}:live-although-withdrawn:1"
    assert "https://x.com/maisonlumiere/status/1" in text and "delete it on X" in text
    # The entry's confirmation tells the truth too: the post is out.
    assert confirmation[0].startswith("publication:entry:e1:")
    assert "`e1` is published on X (1 of 2)" in confirmation[1]
    # The nightly extraction loads the account's posts and links this one to its entry.
    with warehouse_engine.begin() as connection:
        connection.execute(
            Post.__table__.insert().values(
                network="x", external_id="1", account_id="42", created_at=NOW, text="Bonjour"
            )
        )
        assert link_publications(connection, "x", "42") == 1
    with session_scope(warehouse_engine) as session:
        post = session.get(Post, ("x", "1"))
        assert (post.entry_id, post.campaign_id) == ("e1", "noel")


def test_a_cancellation_during_the_call_reports_the_post_live(
    warehouse_engine, planned, publish, network, monkeypatch
):
    pid = planned(ROW)[0]
    real_publish = network.publish

    def cancelled_meanwhile(draft, key):
        planned({**ROW, "status": "cancelled"})  # a sync while the request is in flight
        return real_publish(draft, key)

    monkeypatch.setattr(network, "publish", cancelled_meanwhile)
    assert publish(pid).state == "published"
    assert state(warehouse_engine, pid).withdrawn is None
    assert any("live-although-withdrawn" in key for key in notices_of(warehouse_engine))


def test_a_withdrawn_post_in_doubt_past_its_grace_is_settled_not_missed(
    warehouse_engine, planned, publish, network
):
    pid = planned(ROW)[0]
    network.script = [OutcomeUnknown("x", "connection reset before the request was sent")]
    publish(pid)
    planned({**ROW, "status": "cancelled"})
    publish(pid, owner="late", now=NOW + timedelta(hours=5))
    assert state(warehouse_engine, pid).state == "cancelled"
    assert not any(":missed:" in key for key in notices_of(warehouse_engine))


def test_a_post_in_doubt_is_planned_whatever_its_entry_became(
    warehouse_engine, planned, publish, network
):
    pid = planned(ROW)[0]
    network.script = ["apply-then-timeout"]
    publish(pid)
    planned({**ROW, "status": "cancelled"})
    assert publish.ledger.due(LATER) == [pid]  # so that it is reconciled, not forgotten


# -- one post, one publication ------------------------------------------------------------


def test_the_warehouse_refuses_one_post_for_two_publications(warehouse_engine, planned):
    from sqlalchemy.exc import IntegrityError

    first, second = planned({"entry_id": "a", "text": "Un"}, {"entry_id": "b", "text": "Deux"})
    with session_scope(warehouse_engine) as session:
        session.execute(update(Publication).where(Publication.id == first).values(external_id="7"))
    with pytest.raises(IntegrityError), session_scope(warehouse_engine) as session:
        session.execute(update(Publication).where(Publication.id == second).values(external_id="7"))
    with session_scope(warehouse_engine) as session:  # other networks and NULLs are free
        session.execute(
            update(Publication).where(Publication.id == second).values(network="linkedin")
        )
        session.execute(update(Publication).where(Publication.id == second).values(external_id="7"))


def test_reconciliation_never_takes_a_post_recorded_for_another_entry(
    warehouse_engine, planned, publish, network
):
    # Same text: "a" is out (post 1); "b" timed out before its request reached the network.
    first, second = planned(
        {"entry_id": "a", "text": "Bonjour"}, {"entry_id": "b", "text": "Bonjour"}
    )
    assert publish(first).state == "published"
    network.script = [OutcomeUnknown("x", "connection reset before the request was sent")]
    publish(second)
    outcome = publish(second, owner="retry", now=LATER)
    # find_published shows only post 1, which is a's: b's own post may hide behind it.
    assert outcome.state == "unconfirmed" and outcome.needs_person
    assert state(warehouse_engine, second).external_id is None
    assert len(network.posts) == 1
    text = next(t for k, t in notices_of(warehouse_engine).items() if ":ambiguous:" in k)
    assert "https://x.com/maisonlumiere/status/1" in text
    assert "is already recorded for another entry" in text
    # Not looked at again every five minutes.
    assert publish.ledger.due(LATER + timedelta(minutes=30)) == []


def test_with_every_match_listed_a_taken_post_is_simply_not_ours(
    warehouse_engine, planned, publisher
):
    network = ListingNetwork()
    publish = publisher(network, now=LATER)
    first, second = planned(
        {"entry_id": "a", "text": "Bonjour"}, {"entry_id": "b", "text": "Bonjour"}
    )
    assert publish(first, owner="run-1", now=NOW).state == "published"
    network.script = [OutcomeUnknown("x", "connection reset before the request was sent")]
    publish(second, owner="run-1", now=NOW)
    outcome = publish(second, owner="retry")
    assert (outcome.state, outcome.external_id) == ("published", "2")
    assert len(network.posts) == 2


def test_a_receipt_for_a_post_another_entry_owns_is_refused(
    warehouse_engine, planned, publish, network, monkeypatch
):
    first, second = planned({"entry_id": "a", "text": "Un"}, {"entry_id": "b", "text": "Deux"})
    publish(first)
    monkeypatch.setattr(network, "_receipt", lambda post_id: Receipt("x", "1", "https://x/1", NOW))
    outcome = publish(second)
    assert outcome.state == "rejected" and outcome.needs_person
    stored = state(warehouse_engine, second)
    assert (stored.state, stored.external_id) == ("rejected", None)
    text = next(t for k, t in notices_of(warehouse_engine).items() if ":id-taken:" in k)
    assert "already recorded for entry `a`: nothing is recorded for `b`" in text


def test_a_post_recorded_concurrently_by_another_publication_is_refused(
    warehouse_engine, planned, notices
):
    # Two reconciliations decide on the same post at once: the constraint lets one through.
    first, second = planned({"entry_id": "a", "text": "Un"}, {"entry_id": "b", "text": "Deux"})
    ledger = PublicationLedger(warehouse_engine)
    claim = ledger.claim(second, "run-b", NOW)
    receipt = Receipt("x", "1", "https://x/1", NOW)
    other = create_warehouse_engine(warehouse_engine.url)
    holding = threading.Event()
    release = threading.Event()

    def record_first():
        with session_scope(other) as session:
            session.execute(
                update(Publication).where(Publication.id == first).values(external_id="1")
            )
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=record_first)
    writer.start()
    try:
        assert holding.wait(10)
        threading.Timer(0.5, release.set).start()
        with pytest.raises(ExternalIdTaken, match="already recorded for entry a"):
            ledger.record_published(claim, receipt, notices, how="reconciliation")
    finally:
        release.set()
        writer.join(10)
        other.dispose()
    assert state(warehouse_engine, second).external_id is None


# -- twins: identical content on the same account, both in doubt --------------------------


TWINS = ({"entry_id": "a", "text": "Rappel"}, {"entry_id": "b", "text": "Rappel"})


def test_twins_in_doubt_are_resolved_in_order_when_every_match_is_listed(
    warehouse_engine, planned, publisher
):
    network = ListingNetwork()
    publish = publisher(network, now=LATER)
    older, younger = planned(*TWINS)
    network.script = ["apply-then-timeout", "apply-then-timeout"]
    publish(older, owner="run-1", now=NOW)
    publish(younger, owner="run-1", now=NOW + timedelta(seconds=30))
    # The younger one reconciles first: it takes the younger post, not the first it sees.
    assert publish(younger, owner="retry").external_id == "2"
    assert publish(older, owner="retry").external_id == "1"
    assert len(network.posts) == 2


def test_twins_in_doubt_with_one_post_for_two_go_to_a_person(warehouse_engine, planned, publisher):
    network = ListingNetwork()
    publish = publisher(network, now=LATER)
    older, younger = planned(*TWINS)
    network.script = [
        "apply-then-timeout",
        OutcomeUnknown("x", "connection reset before the request was sent"),
    ]
    publish(older, owner="run-1", now=NOW)
    publish(younger, owner="run-1", now=NOW + timedelta(seconds=30))
    outcomes = [publish(pid, owner="retry") for pid in (older, younger)]
    assert [(o.state, o.needs_person) for o in outcomes] == [("unconfirmed", True)] * 2
    with session_scope(warehouse_engine) as session:
        assert {p.external_id for p in session.scalars(select(Publication))} == {None}
    assert len(network.posts) == 1
    texts = [t for k, t in notices_of(warehouse_engine).items() if ":ambiguous:" in k]
    assert len(texts) == 2
    assert "1 post found (<https://x.com/maisonlumiere/status/1|" in texts[0]
    assert "for 2 attempts in doubt with identical content (`a` and `b`)" in texts[0]


def test_twins_with_the_plain_adapter_are_never_both_marked_from_one_post(
    warehouse_engine, planned, publish, network
):
    older, younger = planned(*TWINS)
    network.script = ["apply-then-timeout", "apply-then-timeout"]
    publish(older)
    publish(younger, now=NOW + timedelta(seconds=30))
    outcomes = [publish(pid, owner="retry") for pid in (older, younger)]
    assert {o.state for o in outcomes} == {"unconfirmed"}
    assert len(network.posts) == 2


def test_a_twin_attempted_long_before_does_not_make_a_recent_doubt_ambiguous(
    warehouse_engine, planned, publisher
):
    network = ListingNetwork()
    publish = publisher(network, now=LATER)
    old, recent = planned(
        {**TWINS[0], "scheduled_at": (NOW - timedelta(days=2)).isoformat()}, TWINS[1]
    )
    with session_scope(warehouse_engine) as session:
        session.execute(
            update(Publication)
            .where(Publication.id == old)
            .values(state="unconfirmed", last_attempt_at=NOW - timedelta(days=2))
        )
    network.script = ["apply-then-timeout"]
    publish(recent, owner="run-1", now=NOW)
    assert publish(recent, owner="retry").external_id == "1"
