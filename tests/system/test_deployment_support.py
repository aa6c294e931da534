"""The pure parts of tests/support/deployment.py: no PostgreSQL, Redis or Airflow needed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.deployment import a_fixed_night, calendar_rows, entry_marker

from socialops.calendar.entries import parse_rows
from socialops.calendar.validation import validate_entry
from socialops.config import NETWORKS


def test_a_fixed_night_is_just_after_the_latest_0330_of_the_brands_day():
    # 23:00 in Paris (UTC+1 in December): tonight's 03:30 is past.
    assert a_fixed_night("Europe/Paris", datetime(2026, 12, 1, 22, 0, tzinfo=UTC)) == (
        "2026-12-01T03:31:00+01:00"
    )
    # 02:00 in Paris: the latest 03:30 was yesterday's.
    assert a_fixed_night("Europe/Paris", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)) == (
        "2026-11-30T03:31:00+01:00"
    )
    # Summer time (UTC+2): 01:45 UTC is 03:45 in Paris, just past 03:30.
    assert a_fixed_night("Europe/Paris", datetime(2026, 7, 1, 1, 45, tzinfo=UTC)) == (
        "2026-07-01T03:31:00+02:00"
    )


def test_calendar_rows_are_valid_unique_and_findable_by_their_marker(tmp_path):
    due = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    rows = calendar_rows(due, 6, tag="t")
    assert len(rows) == 30
    assert sorted({row["networks"] for row in rows}) == sorted(NETWORKS)
    texts = [row["text"] for row in rows]
    assert len(set(texts)) == 30
    for row in rows:
        assert row["text"].endswith(entry_marker(row["entry_id"]))
        others = [r for r in rows if r is not row]
        assert not any(r["text"].endswith(entry_marker(row["entry_id"])) for r in others)
    entries = parse_rows(
        rows,
        timezone="UTC",
        owned_accounts={network: ["maisonlumiere"] for network in NETWORKS},
        source="csv:test",
    )
    assert [validate_entry(entry, tmp_path) for entry in entries.entries] == [[]] * 30


def test_calendar_rows_take_a_count_per_network():
    rows = calendar_rows(datetime(2026, 12, 1, tzinfo=UTC), {"x": 3, "linkedin": 1}, tag="t")
    assert [row["entry_id"] for row in rows] == ["t-x-0", "t-x-1", "t-x-2", "t-linkedin-0"]
