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
        network: [(by_id[i["publication_id"]].entry_id, i["conn_id"]) for i in items]
        for network, items in plans.items()
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
