"""The steps of a publish_posts run without Airflow: sync, kill switch, plan, missed."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from socialops.calendar.sources import write_csv
from socialops.config import load_config
from socialops.publishing.pause import PAUSE_VARIABLE, Pause, pause_reason
from socialops.publishing.service import plan_due as plan
from socialops.publishing.service import sync
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox, Publication

NOW = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)


@pytest.fixture
def config(tmp_path):
    base = load_config()
    publication = base.publication.model_copy(
        update={
            "calendar": base.publication.calendar.model_copy(
                update={"path": str(tmp_path / "calendar.csv")}
            )
        }
    )
    return base.model_copy(update={"publication": publication})


def rows(**extra):
    due = (NOW - timedelta(minutes=5)).isoformat()
    return [
        {
            "entry_id": "ok",
            "scheduled_at": due,
            "networks": "x|linkedin",
            "text": "Bonjour",
            "status": "approved",
        },
        {
            "entry_id": "long",
            "scheduled_at": due,
            "networks": "x",
            "text": "a" * 300,
            "status": "approved",
        },
        {
            "entry_id": "draft",
            "scheduled_at": due,
            "networks": "x",
            "text": "WIP",
            "status": "draft",
        },
        {
            "entry_id": "old",
            "scheduled_at": (NOW - timedelta(hours=3)).isoformat(),
            "networks": "x",
            "text": "Hier",
            "status": "approved",
        },
        {
            "entry_id": "later",
            "scheduled_at": (NOW + timedelta(days=1)).isoformat(),
            "networks": "x",
            "text": "Demain",
            "status": "approved",
        },
        *extra.get("more", []),
    ]


def outbox(engine):
    with session_scope(engine) as session:
        return list(
            session.scalars(select(NotificationOutbox.dedup_key).order_by(NotificationOutbox.id))
        )


def test_pause_reasons():
    config = load_config()
    assert pause_reason(config, lambda name: None) is None
    assert pause_reason(config, lambda name: "false") is None
    assert PAUSE_VARIABLE in pause_reason(config, lambda name: "true")
    assert "crisis on x" in pause_reason(config, lambda name: "crisis on x")
    paused = config.model_copy(
        update={"publication": config.publication.model_copy(update={"paused": True})}
    )
    assert "publication.paused" in pause_reason(paused, lambda name: None)


def test_rejected_rows_are_announced_once_per_distinct_set(warehouse_engine, config, tmp_path):
    write_csv(tmp_path / "calendar.csv", rows())
    first = sync(config, warehouse_engine, now=NOW)
    assert (first.entries, first.rejected_rows, first.announced) == (5, 1, True)
    again = sync(config, warehouse_engine, now=NOW + timedelta(minutes=5))
    assert again.announced is False
    write_csv(
        tmp_path / "calendar.csv",
        rows(more=[{"entry_id": "bad", "scheduled_at": "demain", "networks": "x", "text": "x"}]),
    )
    assert sync(config, warehouse_engine, now=NOW).announced is True
    assert len([k for k in outbox(warehouse_engine) if k.startswith("calendar:rejected")]) == 2


def test_plan_lists_due_posts_per_network_and_marks_missed(warehouse_engine, config, tmp_path):
    write_csv(tmp_path / "calendar.csv", rows())
    sync(config, warehouse_engine, now=NOW)
    plans = plan(config, warehouse_engine, now=NOW, paused=None)
    with session_scope(warehouse_engine) as session:
        by_id = {p.id: p for p in session.scalars(select(Publication))}
    planned = {
        network: [
            (by_id[i].entry_id, chunk["conn_id"])
            for chunk in chunks
            for i in chunk["publication_ids"]
        ]
        for network, chunks in plans.items()
    }
    assert planned == {
        "x": [("ok", "x_default")],
        "linkedin": [("ok", "linkedin_default")],
        "youtube": [],
        "facebook": [],
        "instagram": [],
    }
    states = {(p.entry_id, p.network): p.state for p in by_id.values()}
    assert states[("old", "x")] == "missed" and states[("long", "x")] == "rejected"
    assert any(":missed:" in key for key in outbox(warehouse_engine))


def test_paused_plans_nothing_and_lists_waiting_posts_once(warehouse_engine, config, tmp_path):
    write_csv(tmp_path / "calendar.csv", rows())
    sync(config, warehouse_engine, now=NOW)
    for minutes in (0, 5, 10):
        plans = plan(
            config,
            warehouse_engine,
            now=NOW + timedelta(minutes=minutes),
            paused=Pause(variable="crisis"),
        )
        assert not any(plans.values())
    assert len([k for k in outbox(warehouse_engine) if k.startswith("publication:paused")]) == 1
    with session_scope(warehouse_engine) as session:  # nothing was marked missed while paused
        assert "missed" not in {p.state for p in session.scalars(select(Publication))}


@pytest.mark.integration
def test_a_google_sheet_calendar_syncs_like_the_same_csv(
    sqlite_engine, tmp_path, sandbox_connections
):
    from airflow.sdk import Connection

    from socialops.hooks import settings_from_connection
    from socialops.sandbox.sheets_api import SheetsEmulator

    def settings(conn_id):
        return settings_from_connection(
            Connection(conn_id=conn_id, **SheetsEmulator.connection(sandbox_connections.url))
        )

    base = load_config()
    sheet = base.model_copy(
        update={
            "publication": base.publication.model_copy(
                update={
                    "calendar": base.publication.calendar.model_copy(
                        update={"source": "google_sheets", "spreadsheet_id": "calendar-demo"}
                    )
                }
            )
        }
    )
    from socialops.warehouse.engine import create_warehouse_engine, ensure_schema

    csv_engine = create_warehouse_engine(f"sqlite:///{tmp_path / 'csv.db'}")
    ensure_schema(csv_engine)
    assert (
        sync(sheet, sqlite_engine, now=NOW, sheet_settings=settings).entries
        == sync(base, csv_engine, now=NOW).entries
    )

    def snapshot(engine):
        with session_scope(engine) as session:
            return sorted(
                (p.entry_id, p.network, p.state, p.idempotency_key)
                for p in session.scalars(select(Publication))
            )

    assert snapshot(sqlite_engine) == snapshot(csv_engine) and snapshot(csv_engine)
    csv_engine.dispose()


def notices_text(engine):
    """dedup key → everything the message says."""
    import json

    with session_scope(engine) as session:
        rows = session.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id))
        return {n.dedup_key: n.text + json.dumps(n.blocks, ensure_ascii=False) for n in rows}


def rejected_keys(engine):
    return [k for k in outbox(engine) if k.startswith("calendar:rejected")]


def test_a_calendar_problem_that_returns_after_a_fix_is_announced_again(
    warehouse_engine, config, tmp_path
):
    calendar = tmp_path / "calendar.csv"
    write_csv(calendar, rows())
    assert sync(config, warehouse_engine, now=NOW).announced
    fixed = [r for r in rows() if r["entry_id"] != "long"]
    write_csv(calendar, fixed)
    assert sync(config, warehouse_engine, now=NOW + timedelta(minutes=5)).announced is False
    write_csv(calendar, rows())  # the same problem again
    assert sync(config, warehouse_engine, now=NOW + timedelta(minutes=10)).announced
    assert sync(config, warehouse_engine, now=NOW + timedelta(minutes=15)).announced is False
    first, second = rejected_keys(warehouse_engine)
    assert first.rsplit(":", 1) == [second.rsplit(":", 1)[0], "1"] and second.endswith(":2")


def test_a_duplicated_entry_id_publishes_the_first_row_and_says_so(
    warehouse_engine, config, tmp_path
):
    duplicate = {**rows()[0], "text": "Le doublon"}
    write_csv(tmp_path / "calendar.csv", rows(more=[duplicate]))
    summary = sync(config, warehouse_engine, now=NOW)
    assert summary.rejected_rows == 2
    (text,) = [t for k, t in notices_text(warehouse_engine).items() if "rejected" in k]
    # The brand's locale is French.
    assert "«\u00a0ok\u00a0» est déjà utilisé à la ligne 2\u00a0: la ligne 2 est conservée" in text
    assert "ignorée, la ligne 2 porte déjà son identifiant `ok`" in text
    with session_scope(warehouse_engine) as session:
        ok = session.scalars(select(Publication).where(Publication.entry_id == "ok")).all()
    assert {p.state for p in ok} == {"pending"}


def test_rows_removed_from_the_file_are_announced_in_one_message(
    warehouse_engine, config, tmp_path
):
    calendar = tmp_path / "calendar.csv"
    extra = [{**rows()[4], "entry_id": f"later-{i}"} for i in range(3)]
    write_csv(calendar, rows(more=extra))
    sync(config, warehouse_engine, now=NOW)
    write_csv(calendar, [r for r in rows(more=extra) if r["entry_id"] not in {"later-0", "ok"}])
    summary = sync(config, warehouse_engine, now=NOW + timedelta(minutes=5))
    assert (summary.removed_rows, summary.held_removal) == (2, None)
    (text,) = [t for k, t in notices_text(warehouse_engine).items() if "calendar:removed" in k]
    # The brand's locale is French.
    assert "2 lignes supprimées du calendrier" in text
    assert "`ok` · X et LinkedIn · prévue le mar. 24 nov. 2026 à 11:00 UTC+1" in text
    assert "later-0" in text
    sync(config, warehouse_engine, now=NOW + timedelta(minutes=10))
    assert len([k for k in outbox(warehouse_engine) if k.startswith("calendar:removed")]) == 1


def test_a_partial_export_holds_the_removal_until_a_person_confirms_it(
    warehouse_engine, config, tmp_path
):
    from socialops.publishing.service import REMOVAL_CONFIRMATION_VARIABLE
    from socialops.publishing.tasks import sync_calendar
    from socialops.runtime import Run

    calendar = tmp_path / "calendar.csv"
    write_csv(calendar, rows())
    sync(config, warehouse_engine, now=NOW)
    write_csv(calendar, rows()[:1])  # of the planned ok, old and later, only ok is left
    held = sync(config, warehouse_engine, now=NOW + timedelta(minutes=5))
    assert held.held_removal is not None and held.removed_rows == 0
    with session_scope(warehouse_engine) as session:
        states = {(p.entry_id, p.state) for p in session.scalars(select(Publication))}
    assert ("later", "pending") in states and not any(s == "cancelled" for _, s in states)
    texts = notices_text(warehouse_engine)
    (key,) = [k for k in texts if k.startswith("calendar:removal-held")]
    assert "2 lignes prévues sur 3 manquent" in texts[key]
    assert "Rien n'est annulé" in texts[key]
    assert (
        f"`{held.held_removal}` à la Variable Airflow `{REMOVAL_CONFIRMATION_VARIABLE}`"
        in (texts[key])
    )
    sync(config, warehouse_engine, now=NOW + timedelta(minutes=10))  # said once
    assert len([k for k in outbox(warehouse_engine) if "removal-held" in k]) == 1

    variables = {REMOVAL_CONFIRMATION_VARIABLE: held.held_removal}
    run = Run(config, warehouse_engine, NOW + timedelta(minutes=15), variable=variables.get)
    confirmed = sync_calendar(run)
    assert (confirmed["held_removal"], confirmed["removed_rows"]) == (None, 3)
    with session_scope(warehouse_engine) as session:
        later = session.scalars(select(Publication).where(Publication.entry_id == "later")).one()
    assert later.state == "cancelled"


def test_a_file_made_whole_again_lifts_the_hold_and_a_new_gap_is_announced_again(
    warehouse_engine, config, tmp_path
):
    calendar = tmp_path / "calendar.csv"
    write_csv(calendar, rows())
    sync(config, warehouse_engine, now=NOW)
    write_csv(calendar, rows()[:1])
    first = sync(config, warehouse_engine, now=NOW + timedelta(minutes=5)).held_removal
    write_csv(calendar, rows())
    assert sync(config, warehouse_engine, now=NOW + timedelta(minutes=10)).held_removal is None
    write_csv(calendar, rows()[:1])
    assert sync(config, warehouse_engine, now=NOW + timedelta(minutes=15)).held_removal == first
    keys = [k for k in outbox(warehouse_engine) if "removal-held" in k]
    assert keys == [f"calendar:removal-held:{first}:1", f"calendar:removal-held:{first}:2"]


def test_an_entry_edited_after_its_post_went_out_is_announced_with_what_to_do(
    warehouse_engine, config, tmp_path
):
    calendar = tmp_path / "calendar.csv"
    write_csv(calendar, rows())
    sync(config, warehouse_engine, now=NOW)
    with session_scope(warehouse_engine) as session:
        for publication in session.scalars(select(Publication).where(Publication.entry_id == "ok")):
            publication.state = "published"
            publication.external_id = f"{publication.network}-1"
            publication.url = f"https://{publication.network}.example/1"
    write_csv(calendar, [{**rows()[0], "text": "Bonjour à tous"}, *rows()[1:]])
    assert sync(config, warehouse_engine, now=NOW).edited_after_publication == 2
    texts = [t for k, t in notices_text(warehouse_engine).items() if "edited-after" in k]
    assert len(texts) == 2
    assert "le nouveau contenu n'est *pas* publié" in texts[0]
    assert "donnez à la ligne un nouvel `entry_id`" in texts[0]
    assert "https://x.example/1" in texts[0]
    assert sync(config, warehouse_engine, now=NOW).edited_after_publication == 0
