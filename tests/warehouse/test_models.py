from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import Base, CalendarEntry, Publication

FACT_TABLES_WITH_NATURAL_KEYS = {
    "posts": ["network", "external_id"],
    "post_metrics_daily": ["network", "post_id", "day"],
    "account_metrics_daily": ["network", "account_id", "day"],
    "mentions": ["network", "mention_id"],
    "campaign_spend_daily": ["campaign_id", "day"],
    "influencer_scores": ["network", "account_id", "day"],
    "competitor_snapshots": ["network", "account_id", "day"],
}


@pytest.mark.parametrize(("table", "key"), FACT_TABLES_WITH_NATURAL_KEYS.items())
def test_fact_tables_are_keyed_by_natural_keys(table, key):
    # Bulk loads rely on this: no surrogate id to look up before an upsert.
    assert [c.name for c in Base.metadata.tables[table].primary_key.columns] == key


def entry(entry_id: str = "2026-11-21-launch", **fields) -> CalendarEntry:
    values = {
        "scheduled_at": datetime(2026, 11, 21, 9, tzinfo=UTC),
        "networks": ["x", "linkedin"],
        "text": "We launch today",
        "content_hash": "abc",
        "status": "approved",
    }
    return CalendarEntry(entry_id=entry_id, **(values | fields))


def publication(**fields) -> Publication:
    values = {"entry_id": "2026-11-21-launch", "network": "x", "idempotency_key": "k-x"}
    return Publication(**(values | fields))


def test_timestamps_come_back_as_aware_utc(warehouse_engine):
    paris = timezone(timedelta(hours=1))
    with session_scope(warehouse_engine) as session:
        session.add(entry(scheduled_at=datetime(2026, 11, 21, 10, tzinfo=paris)))
    with session_scope(warehouse_engine) as session:
        stored = session.scalars(select(CalendarEntry)).one()
    assert stored.scheduled_at == datetime(2026, 11, 21, 9, tzinfo=UTC)
    assert stored.scheduled_at.tzinfo is UTC
    assert stored.synced_at.tzinfo is UTC  # filled by the database default


def test_publication_defaults(warehouse_engine):
    with session_scope(warehouse_engine) as session:
        session.add(entry())
        session.add(publication())
    with session_scope(warehouse_engine) as session:
        stored = session.scalars(select(Publication)).one()
    assert (stored.state, stored.attempts, stored.lease_owner) == ("pending", 0, None)
    assert stored.created_at.date() >= date(2026, 1, 1)


@pytest.mark.parametrize(
    ("rows", "violation"),
    [
        ([publication()], "foreign key"),  # no calendar entry
        ([entry(), publication(), publication(idempotency_key="other")], "unique"),
        ([entry(), publication(), publication(network="linkedin")], "unique"),  # same key
        ([entry(), publication(state="done")], "check"),
        ([entry(status="published")], "check"),
    ],
    ids=[
        "unknown-entry",
        "entry-network-twice",
        "idempotency-key-twice",
        "bad-state",
        "bad-status",
    ],
)
def test_constraints_guard_publications(warehouse_engine, rows, violation):
    with pytest.raises(IntegrityError, match=f"(?i){violation}"):
        with session_scope(warehouse_engine) as session:
            for row in rows:
                session.add(row)
                session.flush()


def test_a_timestamp_column_refuses_other_types(sqlite_engine):
    with pytest.raises(StatementError, match="expected a datetime, got str"):
        with session_scope(sqlite_engine) as session:
            session.add(entry(scheduled_at="tomorrow"))
