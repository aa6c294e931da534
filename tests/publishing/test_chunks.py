"""Publication bursts: due posts planned in chunks, a chunk published with one adapter and a
bounded number of statements, a crash in the middle of a chunk finished by the next try."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select
from tests.support.publishing import NOW, ScriptedNetwork

from socialops.config import load_config
from socialops.networks.errors import RateLimited
from socialops.publishing import PublicationLedger
from socialops.publishing import service as publishing_service
from socialops.publishing.service import plan_due, publish_chunk
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import Publication

#: What a post may cost the ledger (claim shared by the chunk, then 2 statements to commit
#: the intent and 3 to record the receipt with its confirmation): issue 16 asks for ≤ 5.
STATEMENTS_PER_POST = 5
#: What a chunk adds once: the claim's UPDATE and SELECT.
STATEMENTS_PER_CHUNK = 2
TRY_1 = "publish_posts/manual__1/publish_x[0]#1"
TRY_2 = "publish_posts/manual__1/publish_x[0]#2"


def rows(count: int, prefix: str = "e") -> list[dict[str, str]]:
    return [{"entry_id": f"{prefix}{i:04d}", "text": f"Post {prefix} {i}"} for i in range(count)]


def config_with(chunk_size: int):
    base = load_config()
    return base.model_copy(
        update={"publication": base.publication.model_copy(update={"chunk_size": chunk_size})}
    )


def states(engine) -> dict[str, str]:
    with session_scope(engine) as session:
        query = select(Publication).order_by(Publication.id)
        return {p.entry_id: p.state for p in session.scalars(query)}


@pytest.fixture
def chunk(warehouse_engine, notices):
    """``chunk(ids, network, owner=..., now=...)``: :func:`publish_chunk` as the task calls it."""

    def run(ids, network, *, owner=TRY_1, now=NOW, factory=None):
        return publish_chunk(
            PublicationLedger(warehouse_engine),
            ids,
            factory or (lambda: network),
            owner=owner,
            clock=lambda: now,
            grace=timedelta(hours=2),
            notices=notices,
            media_root=Path("."),
        )

    return run


def test_more_due_than_airflow_maps_on_one_network_are_planned_in_chunks(sqlite_engine, plan_on):
    ids = plan_on(sqlite_engine, *rows(1100))
    plans = plan_due(config_with(25), sqlite_engine, now=NOW, paused=None)
    chunks = plans["x"]
    assert len(chunks) == 44 and len(chunks) <= publishing_service.MAX_MAPPED_TASKS
    assert all(len(c["publication_ids"]) == 25 for c in chunks)
    assert [i for c in chunks for i in c["publication_ids"]] == ids  # each once, in order
    assert {c["conn_id"] for c in chunks} == {"x_default"}
    assert chunks[0]["entries"] == "e0000 … e0024 (25)"


def test_what_does_not_fit_in_the_mapping_limit_is_carried_and_logged(
    sqlite_engine, plan_on, notices, monkeypatch, caplog
):
    monkeypatch.setattr(publishing_service, "MAX_MAPPED_TASKS", 3)
    ids = plan_on(sqlite_engine, *rows(8))
    with caplog.at_level(logging.WARNING):
        chunks = plan_due(config_with(2), sqlite_engine, now=NOW, paused=None)["x"]
    assert [c["publication_ids"] for c in chunks] == [ids[0:2], ids[2:4], ids[4:6]]
    assert "2 due x publications carried to the next run" in caplog.text
    network = ScriptedNetwork()
    for planned_chunk in chunks:
        publish_chunk(
            PublicationLedger(sqlite_engine),
            planned_chunk["publication_ids"],
            lambda: network,
            owner="run-1",
            clock=lambda: NOW,
            grace=timedelta(hours=2),
            notices=notices,
            media_root=Path("."),
        )
    # Nothing is lost: the carried ones are still due, and the next run plans them.
    later = plan_due(config_with(2), sqlite_engine, now=NOW, paused=None)["x"]
    assert [c["publication_ids"] for c in later] == [ids[6:8]]


def test_a_chunk_uses_one_adapter_and_publishes_each_post_once(warehouse_engine, planned, chunk):
    ids = planned(*rows(6))
    network = ScriptedNetwork()
    built = []
    outcomes = chunk(ids, network, factory=lambda: built.append(1) or network)
    assert [o.state for o in outcomes] == ["published"] * 6
    assert len(built) == 1 and network.api_calls["publish"] == 6
    again = chunk(ids, network, owner="another-run")
    assert [o.state for o in again] == ["skipped"] * 6 and len(built) == 1


def count_statements(engine):
    """Statements sent to the database (transaction control left out), and transactions."""
    counts = {"statements": 0, "transactions": 0}

    def statement(conn, cursor, sql, *args):
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb not in ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT"):
            counts["statements"] += 1

    def commit(conn):
        counts["transactions"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    return counts


@pytest.mark.parametrize("posts, size", [(40, 20), (12, 1)])
def test_statements_per_post_are_bounded(warehouse_engine, planned, chunk, posts, size):
    ids = planned(*rows(posts))
    network = ScriptedNetwork()
    counts = count_statements(warehouse_engine)
    chunks = [ids[i : i + size] for i in range(0, posts, size)]
    for part in chunks:
        assert {o.state for o in chunk(part, network)} == {"published"}
    bound = STATEMENTS_PER_POST * posts + STATEMENTS_PER_CHUNK * len(chunks)
    assert counts["statements"] <= bound, counts
    assert counts["transactions"] <= 2 * posts + len(chunks), counts
    assert len(network.posts) == posts


class WorkerKilled(BaseException):
    """What the task sees of a SIGKILL: nothing after this line runs."""


class DiesAfterApplying(ScriptedNetwork):
    """Applies the ``nth`` post, then its worker dies before the answer is read."""

    def __init__(self, nth: int):
        super().__init__()
        self.nth = nth

    def publish(self, draft, idempotency_key):
        receipt = super().publish(draft, idempotency_key)
        if len(self.posts) == self.nth:
            raise WorkerKilled()
        return receipt


@pytest.mark.parametrize("killed", [True, False], ids=["killed", "crashed"])
def test_a_crash_mid_chunk_is_finished_by_the_next_try_exactly_once(
    warehouse_engine, planned, chunk, monkeypatch, killed
):
    ids = planned(*rows(5))
    network = DiesAfterApplying(nth=3)
    if killed:
        # A killed worker releases nothing: the next try takes over its leases.
        monkeypatch.setattr(PublicationLedger, "release", lambda self, claims, **kw: None)
    with pytest.raises(WorkerKilled):
        chunk(ids, network)
    assert list(states(warehouse_engine).values()) == [
        "published",
        "published",
        "publishing",
        "pending",
        "pending",
    ]
    later = NOW + timedelta(minutes=2)  # far inside the lease
    stranger = chunk(ids, network, owner="publish_posts/other_run/publish_x[0]#1", now=later)
    # Another run never takes over a live lease (the post cut off mid-call, and all the
    # chunk's when the worker was killed); a crash that could still run releases the rest.
    skipped = 5 if killed else 3
    assert [o.state for o in stranger] == ["skipped"] * skipped + ["published"] * (5 - skipped)
    retry = {o.publication_id: o for o in chunk(ids, network, owner=TRY_2, now=later)}
    assert retry[ids[2]].detail == "reconciliation"  # found on the network, not sent again
    assert set(states(warehouse_engine).values()) == {"published"}
    assert sorted(draft.text for _, draft, _ in network.posts) == sorted(
        f"Post e {i}" for i in range(5)
    )


def test_a_rate_limit_holds_the_rest_of_the_chunk_back_without_calling(
    warehouse_engine, planned, chunk
):
    ids = planned(*rows(5))
    network = ScriptedNetwork()
    reset = NOW + timedelta(minutes=15)
    network.script = ["ok", RateLimited("x", "429 Too Many Requests", retry_at=reset)]
    outcomes = chunk(ids, network)
    assert [o.state for o in outcomes] == ["published"] + ["pending"] * 4
    assert {o.retry_at for o in outcomes[1:]} == {reset}
    assert network.api_calls["publish"] == 2  # the three after the 429 were not sent
    ledger = PublicationLedger(warehouse_engine)
    assert ledger.due(reset - timedelta(seconds=1)) == []  # nobody claims before the reset
    assert ledger.due(reset) == ids[1:]
    after = chunk(ids[1:], network, owner="next-run", now=reset)
    assert [o.state for o in after] == ["published"] * 4
    assert len(network.posts) == 5


def test_a_pause_during_a_chunk_stops_it_before_the_next_post(warehouse_engine, planned, notices):
    ids = planned(*rows(5))
    network = ScriptedNetwork()
    answers = iter([None, None, "crisis alert 14:02"])
    outcomes = publish_chunk(
        PublicationLedger(warehouse_engine),
        ids,
        lambda: network,
        owner=TRY_1,
        clock=lambda: NOW,
        grace=timedelta(hours=2),
        notices=notices,
        media_root=Path("."),
        paused=lambda: next(answers, "crisis alert 14:02"),
    )
    assert [o.state for o in outcomes] == ["published"] * 2 + ["paused"] * 3
    assert network.api_calls["publish"] == 2
    # Released: once the pause is lifted, the next run publishes them.
    assert PublicationLedger(warehouse_engine).due(NOW) == ids[2:]
