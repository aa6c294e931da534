import json

import pytest

from socialops.calendar.sources import (
    CalendarSourceError,
    media_root,
    parse_calendar,
    read_csv,
    read_sheet,
    write_csv,
)
from socialops.config import load_config
from socialops.config.schema import CalendarSource
from socialops.hooks import settings_from_connection
from socialops.paths import INCLUDE_DIR
from socialops.sandbox.sheets_api import SheetsEmulator

EXAMPLE = INCLUDE_DIR / "calendar" / "calendar.csv"


def sheet_settings(base_url: str, **changes):
    from airflow.sdk import Connection

    spec = {**SheetsEmulator.connection(base_url), **changes}
    return settings_from_connection(Connection(conn_id="google_sheets_default", **spec))


def test_the_example_calendar_is_valid_and_uses_every_status():
    parsed = parse_calendar(read_csv(EXAMPLE), load_config())
    assert parsed.problems == []
    assert {e.status for e in parsed.entries} == {"draft", "approved", "cancelled"}
    assert any(len(e.networks) > 1 for e in parsed.entries)


def test_media_are_looked_up_beside_the_csv_and_a_sheet_uses_the_default_csv_folder(tmp_path):
    assert media_root(CalendarSource(path=str(tmp_path / "cal.csv"))) == tmp_path
    assert media_root(CalendarSource()) == EXAMPLE.parent == read_csv(EXAMPLE).media_root
    sheet = CalendarSource(source="google_sheets", spreadsheet_id="s", path=None)
    assert media_root(sheet) == EXAMPLE.parent


def test_google_sheet_gives_the_same_entries_as_the_same_csv(sandbox):
    config = load_config()
    from_csv = parse_calendar(read_csv(EXAMPLE), config)
    raw = read_sheet(sheet_settings(sandbox.url), "calendar-demo", "Calendar!A1:Z", EXAMPLE.parent)
    from_sheet = parse_calendar(raw, config)
    strip = lambda entries: [e.__class__(**{**e.__dict__, "source": None}) for e in entries]  # noqa: E731
    assert strip(from_sheet.entries) == strip(from_csv.entries)
    assert from_sheet.problems == from_csv.problems == []
    (request,) = sandbox.requests("sheets")
    assert request["path"].startswith("/v4/spreadsheets/calendar-demo/values/")


def test_an_unknown_sheet_names_what_to_check(sandbox):
    with pytest.raises(CalendarSourceError, match="cannot read Google Sheet nope"):
        read_sheet(sheet_settings(sandbox.url), "nope", "Calendar!A1:Z", EXAMPLE.parent)


def test_a_bad_api_key_names_the_connection(sandbox):
    settings = sheet_settings(sandbox.url, password="wrong", extra=json.dumps({"max_attempts": 1}))
    with pytest.raises(CalendarSourceError) as raised:
        read_sheet(settings, "calendar-demo", "Calendar!A1:Z", EXAMPLE.parent)
    assert "google_sheets_default" in str(raised.value)


def test_missing_columns_and_files_are_clear(tmp_path):
    (tmp_path / "bad.csv").write_text("id,when\n1,2\n", encoding="utf-8")
    with pytest.raises(
        CalendarSourceError, match="no column entry_id, scheduled_at, networks, text"
    ):
        parse_calendar(read_csv(tmp_path / "bad.csv"), load_config())
    with pytest.raises(CalendarSourceError, match="publication.calendar.path"):
        read_csv(tmp_path / "absent.csv")


def test_valid_rows_parse_beside_invalid_ones_and_drafts_are_not_held_to_the_rules(tmp_path):
    path = write_csv(
        tmp_path / "calendar.csv",
        [
            {
                "entry_id": "ok",
                "scheduled_at": "2026-11-24 10:00",
                "networks": "x",
                "text": "Bonjour",
                "status": "approved",
            },
            {
                "entry_id": "long",
                "scheduled_at": "2026-11-24 10:00",
                "networks": "x|linkedin",
                "text": "a" * 300,
                "status": "approved",
            },
            {
                "entry_id": "wip",
                "scheduled_at": "2026-11-24 10:00",
                "networks": "x",
                "text": "a" * 300,
                "status": "draft",
            },
            {
                "entry_id": "when",
                "scheduled_at": "tomorrow",
                "networks": "x",
                "text": "Bonjour",
                "status": "approved",
            },
        ],
    )
    parsed = parse_calendar(read_csv(path), load_config())
    assert [e.entry_id for e in parsed.entries] == ["ok", "long", "wip"]
    assert [(p.row, p.entry_id, p.field, p.network) for p in parsed.problems] == [
        (5, "when", "scheduled_at", None),
        (3, "long", "text", "x"),
    ]
    assert {p.network for p in parsed.problems_for("long")} == {"x"}
