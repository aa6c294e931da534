"""The ledger under concurrency: two runs racing for the same publications."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.support.publishing import NOW

from socialops.notifications.outbox import Notice, add_notices
from socialops.publishing import PublicationLedger, publish_one
from socialops.publishing.store import earlier_tries
from socialops.warehouse.engine import create_warehouse_engine, session_scope
from socialops.warehouse.models import NotificationOutbox, Publication


def test_only_one_of_many_claims_wins(warehouse_engine, planned):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    ledger = PublicationLedger(warehouse_engine)
    winners = [ledger.claim(pid, f"run-{i}", NOW) for i in range(5)]
    assert [w.owner for w in winners if w] == ["run-0"]


TRY_1 = "publish_posts/manual__2026-11-24/publish_x[3]#1"


def test_earlier_tries_are_those_of_the_same_task_instance():
    assert earlier_tries("publish_posts/manual__2026-11-24/publish_x[3]#3") == [
        TRY_1,
        "publish_posts/manual__2026-11-24/publish_x[3]#2",
    ]
    assert earlier_tries(TRY_1) == []
    # A run id may itself contain '#': only the last one separates the try number.
    assert earlier_tries("d/run#a/t[-1]#2") == ["d/run#a/t[-1]#1"]
    for no_try in ("run-1", "d/r/t[0]#", "d/r/t[0]#0", "d/r/t[0]#x"):
        assert earlier_tries(no_try) == []


def test_a_later_try_of_the_same_task_instance_takes_over_a_live_lease(warehouse_engine, planned):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    ledger = PublicationLedger(warehouse_engine)
    assert ledger.claim(pid, TRY_1, NOW) is not None  # then its worker is killed
    later = NOW + timedelta(minutes=1)  # far inside the 30-minute lease
    for stranger in (
        "publish_posts/manual__2026-11-24/publish_x[4]#2",  # another map index
        "publish_posts/scheduled__2026-11-24/publish_x[3]#2",  # another run
        "publish_posts/manual__2026-11-24/publish_x[3]#1",  # the same try again
        "run-2",
    ):
        assert ledger.claim(pid, stranger, later) is None, stranger
    retry = ledger.claim(pid, "publish_posts/manual__2026-11-24/publish_x[3]#2", later)
    assert retry is not None and retry.state == "pending"
    # The retry now holds the lease: the try it replaced could not write any more.
    assert ledger.claim(pid, "publish_posts/manual__2026-11-24/publish_x[3]#3", later) is not None
    assert ledger.claim(pid, "publish_posts/manual__2026-11-24/publish_x[3]#2", later) is None


def test_a_later_try_does_not_take_over_a_settled_publication(warehouse_engine, planned):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    ledger = PublicationLedger(warehouse_engine)
    claim = ledger.claim(pid, TRY_1, NOW)
    ledger.settle(claim, "rejected", error="text too long")
    assert ledger.claim(pid, "publish_posts/manual__2026-11-24/publish_x[3]#2", NOW) is None


@pytest.mark.postgres
def test_two_threads_publish_every_post_exactly_once_on_postgres(
    pg_engine, plan_on, network, notices
):
    ids = plan_on(pg_engine, *({"entry_id": f"e{i}", "text": f"Post {i}"} for i in range(20)))
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(owner: str) -> None:
        # Each "run" has its own engine and connection pool, like two Airflow workers.
        engine = create_warehouse_engine(pg_engine.url)
        ledger = PublicationLedger(engine)
        start.wait()
        try:
            for pid in ids:  # both try every one, in the same order: maximal contention
                publish_one(
                    ledger,
                    pid,
                    lambda: network,
                    owner=owner,
                    now=NOW,
                    grace=timedelta(hours=2),
                    notices=notices,
                    media_root=Path("."),
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(f"run-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(draft.text for _, draft, _ in network.posts) == sorted(
        f"Post {i}" for i in range(20)
    )
    with session_scope(pg_engine) as session:
        assert {p.state for p in session.scalars(select(Publication))} == {"published"}
        assert session.query(NotificationOutbox).count() == 20


def test_mark_missed_only_touches_never_attempted_posts(warehouse_engine, planned, notices):
    ids = planned(
        {
            "entry_id": "old",
            "text": "Bonjour",
            "scheduled_at": (NOW - timedelta(hours=3)).isoformat(),
        },
        {"entry_id": "new", "text": "Salut"},
    )
    ledger = PublicationLedger(warehouse_engine)
    missed = ledger.mark_missed(NOW, timedelta(hours=2), notices)
    assert missed == [ids[0]]
    assert ledger.due(NOW) == [ids[1]]
    assert ledger.mark_missed(NOW, timedelta(hours=2), notices) == []


def test_notices_are_written_once_per_dedup_key(warehouse_engine):
    notice = Notice("calendar:rejected:abc", "#cm-alertes", "2 rows rejected")
    assert add_notices(warehouse_engine, [notice, notice]) == 1
    assert add_notices(warehouse_engine, [notice]) == 0
