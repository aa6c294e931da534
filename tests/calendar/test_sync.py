import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

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


def sync_with(engine, *rows, hold_pct=None, confirmed=None):
    parsed = parse_rows(list(rows), timezone="UTC", owned_accounts=OWNED, source="csv:test")
    with session_scope(engine) as session:
        return sync_calendar(
            session, parsed, now=NOW, vanished_hold_pct=hold_pct, confirmed_removal=confirmed
        )


def test_a_duplicated_entry_id_holds_only_the_duplicate_row(warehouse_engine):
    parsed = parse_rows(
        [row(), row(text="Autre texte", networks="x")],
        timezone="UTC",
        owned_accounts=OWNED,
        source="csv:test",
    )
    (problem,) = parsed.problems
    assert (problem.row, problem.kept_row, problem.holds_entry) == (3, 2, False)
    assert "row 2 is kept, this row is ignored" in str(problem)
    with session_scope(warehouse_engine) as session:
        sync_calendar(session, parsed, now=NOW)
    pubs = publications(warehouse_engine)
    assert {key: p.state for key, p in pubs.items()} == {
        ("e1", "x"): "pending",
        ("e1", "linkedin"): "pending",
    }
    assert pubs[("e1", "x")].idempotency_key == idempotency_key("e1", "x", "Bonjour")


def test_an_invalid_first_row_still_holds_its_entry_when_it_is_repeated(warehouse_engine):
    sync(warehouse_engine, row())
    parsed = parse_rows(
        [row(scheduled_at="demain"), row()],
        timezone="UTC",
        owned_accounts=OWNED,
        source="csv:test",
    )
    assert [(p.row, p.holds_entry) for p in parsed.problems] == [(2, True), (3, False)]
    with session_scope(warehouse_engine) as session:
        sync_calendar(session, parsed, now=NOW)
    assert {p.state for p in publications(warehouse_engine).values()} == {"rejected"}


@pytest.mark.parametrize(
    ("edit", "withdrawn"),
    [
        ({"status": "cancelled"}, "the entry is cancelled"),
        ({"networks": "linkedin"}, "x was removed from the row"),
        ({"scheduled_at": "demain"}, HOLD_PREFIX + "row 2 (e1), scheduled_at"),
        (None, "the row was removed from the calendar"),
    ],
)
def test_a_publication_in_doubt_is_withdrawn_not_cancelled(warehouse_engine, edit, withdrawn):
    sync(warehouse_engine, row(), row("e2"))
    set_state(warehouse_engine, "e1", "x", "unconfirmed", attempts=1)
    report = (
        sync(warehouse_engine, row(**edit), row("e2"))
        if edit
        else sync(warehouse_engine, row("e2"))
    )
    publication = publications(warehouse_engine)[("e1", "x")]
    assert publication.state == "unconfirmed"  # it may be out: only the ledger settles it
    assert publication.withdrawn.startswith(withdrawn)
    assert report.publications["unconfirmed->withdrawn"] == 1
    # The calendar asks for it again: the withdrawal is lifted.
    sync(warehouse_engine, row(), row("e2"))
    assert publications(warehouse_engine)[("e1", "x")].withdrawn is None


def test_rows_removed_from_the_file_are_reported_once(warehouse_engine):
    sync(warehouse_engine, row(), row("e2"), row("e3"))
    set_state(warehouse_engine, "e3", "x", "published", external_id="9")
    report = sync_with(warehouse_engine, row())
    assert [(r.entry_id, r.networks) for r in report.removed] == [
        ("e2", ("x", "linkedin")),
        ("e3", ("linkedin",)),  # the post already out is not cancelled, nor listed
    ]
    assert report.removed[0].scheduled_at == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert sync_with(warehouse_engine, row()).removed == []


def test_removing_more_than_the_threshold_at_once_is_held(warehouse_engine):
    sync(warehouse_engine, row(), row("e2"), row("e3"))
    report = sync_with(warehouse_engine, row(text="Bonsoir"), hold_pct=50)
    held = report.held_removal
    assert held is not None and report.removed == []
    assert ([r.entry_id for r in held.rows], held.planned) == (["e2", "e3"], 3)
    pubs = publications(warehouse_engine)
    assert {pubs[(e, "x")].state for e in ("e2", "e3")} == {"pending"}  # nothing cancelled
    # The rows still in the file are synced as usual.
    assert pubs[("e1", "x")].idempotency_key == idempotency_key("e1", "x", "Bonsoir")
    # A wrong code confirms nothing; the code of exactly these rows cancels them.
    assert sync_with(warehouse_engine, row(), hold_pct=50, confirmed="0000").held_removal
    confirmed = sync_with(warehouse_engine, row(), hold_pct=50, confirmed=held.code)
    assert confirmed.held_removal is None
    assert [r.entry_id for r in confirmed.removed] == ["e2", "e3"]
    assert publications(warehouse_engine)[("e2", "x")].state == "cancelled"


def test_the_hold_threshold_counts_only_rows_that_may_still_go_out(warehouse_engine):
    sync(warehouse_engine, row(), row("e2"), row("e3"), row("e4"))
    for network in ("x", "linkedin"):
        set_state(warehouse_engine, "e3", network, "published", external_id=f"{network}-3")
        set_state(warehouse_engine, "e4", network, "published", external_id=f"{network}-4")
    # e3 and e4 are done: removing them (old rows cleaned up) cancels nothing, holds nothing.
    assert sync_with(warehouse_engine, row(), row("e2"), hold_pct=50).held_removal is None
    # One of the two planned rows: 50 %, not more than half.
    report = sync_with(warehouse_engine, row(), hold_pct=50)
    assert report.held_removal is None and [r.entry_id for r in report.removed] == ["e2"]
    # The last planned row gone (an empty export): held; 100 never holds.
    assert sync_with(warehouse_engine, hold_pct=50).held_removal is not None
    assert sync_with(warehouse_engine, hold_pct=100).held_removal is None


def test_an_edit_after_publication_is_reported_once_per_change(warehouse_engine):
    sync(warehouse_engine, row())
    set_state(warehouse_engine, "e1", "x", "published", external_id="9", url="https://x/9")
    first = sync(warehouse_engine, row(text="Nouveau texte"))
    ((edit,),) = [first.edited_after_publication]
    assert (edit.entry_id, edit.network, edit.external_id, edit.url) == (
        "e1",
        "x",
        "9",
        "https://x/9",
    )
    assert sync(warehouse_engine, row(text="Nouveau texte")).edited_after_publication == []
    linked = sync(warehouse_engine, row(text="Nouveau texte", link="https://maison.fr"))
    assert [e.content for e in linked.edited_after_publication] != [edit.content]
    # A new time alone is not new content.
    assert (
        sync(
            warehouse_engine,
            row(
                text="Nouveau texte", link="https://maison.fr", scheduled_at="2026-11-25T10:00:00Z"
            ),
        ).edited_after_publication
        == []
    )


def count_writes(engine):
    """Rows the statements on ``engine`` updated, the statements inserting, and those locking."""
    seen = {"written": 0, "inserts": 0, "locking": 0}

    def after(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb == "UPDATE":
            seen["written"] += cursor.rowcount
        seen["inserts"] += verb == "INSERT"
        if "FOR UPDATE" in statement:
            seen["locking"] += 1

    event.listen(engine, "after_cursor_execute", after)
    return seen


def test_an_unchanged_calendar_locks_and_writes_nothing(warehouse_engine):
    calendar = [row("e1"), row("e2", text="Salut"), row("e3", status="cancelled")]
    sync(warehouse_engine, *calendar)
    again = count_writes(warehouse_engine)
    report = sync(warehouse_engine, *calendar)
    assert again == {"written": 0, "inserts": 0, "locking": 0}
    assert (report.entries, report.created, report.updated, report.publications) == (3, 0, 0, {})


def test_an_edited_entry_writes_only_its_own_rows(warehouse_engine):
    sync(warehouse_engine, row("e1"), row("e2", text="Salut"), row("e3"))
    seen = count_writes(warehouse_engine)
    report = sync(warehouse_engine, row("e1"), row("e2", text="Salut !"), row("e3"))
    # e2 and its two publications (their keys follow the new text), locked in one statement
    # (SQLite has no row locks: its writers are serialised); the others untouched.
    locking = 1 if warehouse_engine.dialect.name == "postgresql" else 0
    assert seen == {"written": 3, "inserts": 0, "locking": locking}
    assert report.updated == 1
    with session_scope(warehouse_engine) as session:
        keys = {
            (p.entry_id, p.network): p.idempotency_key for p in session.scalars(select(Publication))
        }
    assert keys[("e2", "x")] == idempotency_key("e2", "x", "Salut !")


def test_a_row_put_back_after_its_removal_is_planned_again(warehouse_engine):
    sync(warehouse_engine, row("e1"), row("e2"), row("e3"))
    sync(warehouse_engine, row("e1"), row("e2"))  # e3 removed: its posts cancelled
    sync(warehouse_engine, row("e1"), row("e2"), row("e3"))  # the same row, back
    with session_scope(warehouse_engine) as session:
        states = {p.state for p in session.scalars(select(Publication))}
    assert states == {"pending"}


@pytest.mark.postgres
def test_a_publication_claimed_while_the_sync_compares_is_not_undone(pg_engine, monkeypatch):
    from socialops.calendar import sync as sync_module

    sync(pg_engine, row("e1", networks="x"))
    other = create_warehouse_engine(pg_engine.url)
    real_apply = sync_module._apply
    passes = []

    def apply_then_a_run_starts(*args, **kwargs):
        real_apply(*args, **kwargs)
        if not passes:  # a run commits its intent between the comparison and the locks
            with other.begin() as connection:
                connection.execute(
                    update(Publication).values(state="publishing", lease_owner="run-7")
                )
        passes.append(1)

    monkeypatch.setattr(sync_module, "_apply", apply_then_a_run_starts)
    sync(pg_engine, row("e1", networks="x", status="cancelled"))
    other.dispose()
    assert len(passes) == 2  # compared, found overtaken, synced again with everything locked
    with session_scope(pg_engine) as session:
        (publication,) = session.scalars(select(Publication))
    # In doubt now: never moved by the sync, withdrawn for the ledger to settle.
    assert (publication.state, publication.withdrawn) == ("publishing", "the entry is cancelled")


def test_only_new_approved_or_moved_entries_are_reported_as_planned(warehouse_engine):
    first = sync(warehouse_engine, row(), row("draft", status="draft"))
    assert [(p.entry_id, p.accounts) for p in first.planned] == [
        ("e1", (("x", "maisonlumiere"), ("linkedin", "maison-lumiere")))
    ]
    assert sync(warehouse_engine, row(), row("draft", status="draft")).planned == []
    assert sync(warehouse_engine, row(text="Bonsoir"), row("draft", status="draft")).planned == []
    moved = sync(warehouse_engine, row(scheduled_at="2026-11-25T10:00:00Z"), row("draft"))
    assert [(p.entry_id, p.scheduled_at) for p in moved.planned] == [
        ("e1", datetime(2026, 11, 25, 10, 0, tzinfo=UTC)),
        ("draft", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),  # approved now
    ]
    # A network held for its content is not planned: only the others are looked at.
    held = sync(warehouse_engine, row("e2", text="a" * 300))
    assert [p.accounts for p in held.planned] == [(("linkedin", "maison-lumiere"),)]
