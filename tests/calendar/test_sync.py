import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from socialops.calendar.entries import parse_rows
from socialops.calendar.sync import HOLD_PREFIX, sync_calendar
from socialops.calendar.validation import validate_entry
from socialops.networks.idempotency import idempotency_key
from socialops.warehouse.engine import create_warehouse_engine, session_scope
from socialops.warehouse.models import CalendarEntry, Publication

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OWNED = {"x": ["maisonlumiere"], "linkedin": ["maison-lumiere"]}


def row(entry_id="e1", **cells):
    base = {
        "entry_id": entry_id,
        "scheduled_at": "2026-11-24T10:00:00Z",
        "networks": "x|linkedin",
        "text": "Bonjour",
        "status": "approved",
    }
    return {**base, **cells}


def sync(engine, *rows):
    parsed = parse_rows(list(rows), timezone="UTC", owned_accounts=OWNED, source="csv:test")
    for entry in parsed.entries:
        if entry.status == "approved":
            parsed.problems.extend(validate_entry(entry, Path(".")))  # rows without media
    with session_scope(engine) as session:
        report = sync_calendar(session, parsed, now=NOW)
    return report


def publications(engine):
    with session_scope(engine) as session:
        return {(p.entry_id, p.network): p for p in session.scalars(select(Publication))}


def set_state(engine, entry_id, network, state, **values):
    with session_scope(engine) as session:
        publication = session.scalars(
            select(Publication).where(
                Publication.entry_id == entry_id, Publication.network == network
            )
        ).one()
        publication.state = state
        for name, value in values.items():
            setattr(publication, name, value)


def test_an_approved_entry_gets_one_pending_publication_per_network(warehouse_engine):
    report = sync(warehouse_engine, row(), row("draft", status="draft"))
    pubs = publications(warehouse_engine)
    assert set(pubs) == {("e1", "x"), ("e1", "linkedin")}
    assert pubs[("e1", "x")].state == "pending"
    assert pubs[("e1", "x")].idempotency_key == idempotency_key("e1", "x", "Bonjour")
    assert pubs[("e1", "linkedin")].account == "maison-lumiere"
    assert report.created == 2 and report.publications["created"] == 2
    # Rerunning the same calendar changes nothing.
    again = sync(warehouse_engine, row(), row("draft", status="draft"))
    assert again.created == again.updated == 0 and not again.publications


def test_edits_before_publication_apply_and_after_do_not(warehouse_engine):
    sync(warehouse_engine, row())
    set_state(warehouse_engine, "e1", "linkedin", "published", external_id="li-1")
    sync(warehouse_engine, row(text="Bonsoir", scheduled_at="2026-11-24T11:00:00Z"))
    pubs = publications(warehouse_engine)
    assert pubs[("e1", "x")].idempotency_key == idempotency_key("e1", "x", "Bonsoir")
    assert pubs[("e1", "linkedin")].idempotency_key == idempotency_key("e1", "linkedin", "Bonjour")
    with session_scope(warehouse_engine) as session:
        entry = session.get(CalendarEntry, "e1")
        assert entry.text == "Bonsoir" and entry.scheduled_at == datetime(
            2026, 11, 24, 11, tzinfo=UTC
        )


def test_cancelling_cancels_what_is_not_out_and_reapproving_restores_it(warehouse_engine):
    sync(warehouse_engine, row())
    set_state(warehouse_engine, "e1", "linkedin", "published", external_id="li-1")
    sync(warehouse_engine, row(status="cancelled"))
    pubs = publications(warehouse_engine)
    assert pubs[("e1", "x")].state == "cancelled" and pubs[("e1", "linkedin")].state == "published"
    sync(warehouse_engine, row())
    assert publications(warehouse_engine)[("e1", "x")].state == "pending"


def test_removed_networks_and_rows_are_cancelled(warehouse_engine):
    sync(warehouse_engine, row(), row("e2"))
    sync(warehouse_engine, row(networks="x"))
    pubs = publications(warehouse_engine)
    assert pubs[("e1", "linkedin")].state == "cancelled"
    assert pubs[("e2", "x")].state == "cancelled"
    assert "removed from the calendar" in pubs[("e2", "x")].last_error


def test_invalid_content_holds_that_network_until_fixed(warehouse_engine):
    sync(warehouse_engine, row(text_x="a" * 300))
    pubs = publications(warehouse_engine)
    assert pubs[("e1", "x")].state == "rejected"
    assert pubs[("e1", "x")].last_error.startswith(HOLD_PREFIX + "row 2 (e1), text_x [x]")
    assert pubs[("e1", "linkedin")].state == "pending"
    sync(warehouse_engine, row(text_x="Court"))
    assert publications(warehouse_engine)[("e1", "x")].state == "pending"


def test_a_row_that_no_longer_parses_holds_the_entry(warehouse_engine):
    sync(warehouse_engine, row())
    sync(warehouse_engine, row(scheduled_at="demain"))
    pubs = publications(warehouse_engine)
    assert {p.state for p in pubs.values()} == {"rejected"}
    assert "scheduled_at" in pubs[("e1", "x")].last_error
    with session_scope(warehouse_engine) as session:  # the entry keeps its last good version
        assert session.get(CalendarEntry, "e1").scheduled_at == datetime(
            2026, 11, 24, 10, tzinfo=UTC
        )


def test_network_refusals_and_missed_posts_wait_for_a_person(warehouse_engine):
    sync(warehouse_engine, row())
    set_state(warehouse_engine, "e1", "x", "rejected", last_error="[x] refused", attempts=1)
    set_state(warehouse_engine, "e1", "linkedin", "missed")
    sync(warehouse_engine, row())
    pubs = publications(warehouse_engine)
    assert (pubs[("e1", "x")].state, pubs[("e1", "linkedin")].state) == ("rejected", "missed")
    sync(warehouse_engine, row(text="Corrigé", scheduled_at="2026-11-25T10:00:00Z"))
    pubs = publications(warehouse_engine)
    assert (pubs[("e1", "x")].state, pubs[("e1", "linkedin")].state) == ("pending", "pending")


def test_in_flight_publications_are_never_touched(warehouse_engine):
    sync(warehouse_engine, row())
    set_state(warehouse_engine, "e1", "x", "unconfirmed", attempts=1)
    set_state(warehouse_engine, "e1", "linkedin", "publishing", attempts=1)
    sync(warehouse_engine, row(status="cancelled"))
    pubs = publications(warehouse_engine)
    assert (pubs[("e1", "x")].state, pubs[("e1", "linkedin")].state) == (
        "unconfirmed",
        "publishing",
    )
    assert pubs[("e1", "x")].idempotency_key == idempotency_key("e1", "x", "Bonjour")


@pytest.mark.postgres
def test_overlapping_syncs_of_a_new_entry_create_it_once_on_postgres(pg_engine):
    # Without the sync lock both transactions see no entry and both insert it: one fails.
    engines = [create_warehouse_engine(pg_engine.url) for _ in range(4)]
    start = threading.Barrier(len(engines))

    def run(engine):
        start.wait()
        return sync(engine, row("e1"), row("e2", networks="x")).created

    try:
        with ThreadPoolExecutor(len(engines)) as pool:
            created = list(pool.map(run, engines))
    finally:
        for engine in engines:
            engine.dispose()
    assert sorted(created) == [0, 0, 0, 2]
    assert sorted(publications(pg_engine)) == [("e1", "linkedin"), ("e1", "x"), ("e2", "x")]
