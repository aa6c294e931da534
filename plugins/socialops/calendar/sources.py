"""Where the calendar comes from: a CSV file or a Google Sheet, read into the same rows.

Both sources give a header row and data rows of strings, so a sheet and the CSV exported
from it parse to identical entries (a test checks exactly that).
"""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialops.calendar.entries import COLUMNS, ParsedCalendar, missing_columns, parse_rows
from socialops.calendar.validation import validate_entry
from socialops.config.schema import BrandConfig, CalendarSource
from socialops.networks.base import ConnectionSettings
from socialops.networks.errors import NetworkError
from socialops.paths import PROJECT_ROOT

log = logging.getLogger(__name__)

SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets.readonly"


class CalendarSourceError(RuntimeError):
    """The calendar cannot be read at all (missing file, unreachable sheet, no header)."""


@dataclass(frozen=True)
class RawCalendar:
    """A calendar table as read: its header, its data rows and where it came from."""

    header: list[str]
    rows: list[list[str]]
    source: str  # 'csv:<path>' or 'sheet:<id>!<range>'
    media_root: Path

    def records(self) -> list[dict[str, str]]:
        width = len(self.header)
        # Sheets drops trailing empty cells, so short rows are padded to the header's width.
        return [
            dict(zip(self.header, [*row, *[""] * (width - len(row))], strict=False))
            for row in self.rows
        ]


def read_csv(path: str | Path) -> RawCalendar:
    resolved = Path(path) if Path(path).is_absolute() else PROJECT_ROOT / path
    try:
        # utf-8-sig: spreadsheet programs export CSV with a byte-order mark.
        text = resolved.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CalendarSourceError(
            f"calendar file {resolved} not found; fix publication.calendar.path in socialops.yaml"
        ) from None
    except UnicodeDecodeError as exc:
        raise CalendarSourceError(
            f"calendar file {resolved} is not UTF-8 ({exc}); export it as CSV UTF-8"
        ) from None
    table = list(csv.reader(io.StringIO(text)))
    if not table:
        raise CalendarSourceError(
            f"calendar file {resolved} is empty; it needs at least a header row"
        )
    return RawCalendar(table[0], table[1:], f"csv:{path}", resolved.parent)


def write_csv(path: str | Path, rows: Sequence[Mapping[str, str]]) -> Path:
    """Write rows (column → cell; missing cells empty) as a calendar CSV with every column."""
    resolved = Path(path)
    resolved.parent.mkdir(parents=True, exist_ok=True)
    with resolved.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return resolved


def read_sheet(
    settings: ConnectionSettings,
    spreadsheet_id: str,
    cell_range: str,
    media_root: Path,
    *,
    service: Any = None,
) -> RawCalendar:
    """Read a Google Sheet with the Sheets API v4 ``spreadsheets.values.get``.

    The connection (``google_sheets_default``) holds OAuth extras or an API key as password,
    see :func:`socialops.networks.transport.google.build_service`.
    """
    from socialops.networks.transport.google import GoogleApi, build_service, execute

    service = service or build_service(settings, "sheets", "v4", scopes=[SHEETS_SCOPE])
    request = (
        service.spreadsheets()
        .values()
        .get(spreadsheetId=spreadsheet_id, range=cell_range, valueRenderOption="FORMATTED_VALUE")
    )
    api = GoogleApi("sheets", settings.conn_id, "the Google OAuth refresh token or API key")
    try:
        response = execute(
            _Calls(), request, "spreadsheets.values.get", settings.retry_policy, api=api
        )
    except NetworkError as exc:
        raise CalendarSourceError(
            f"cannot read Google Sheet {spreadsheet_id} range {cell_range!r}: {exc}"
            + (
                ""
                if exc.hint
                else "; check publication.calendar in socialops.yaml and the key or OAuth "
                f"extras of Airflow connection '{settings.conn_id}'"
            )
        ) from exc
    if not isinstance(response, dict) or not isinstance(response.get("values", []), list):
        # A proxy's page or a broken answer: googleapiclient hands over what it could not read.
        raise CalendarSourceError(
            f"Google Sheet {spreadsheet_id} range {cell_range!r}: the Sheets API answered "
            "something that is not a ValueRange; try again later, and check the connection's "
            f"host if it persists (Airflow connection '{settings.conn_id}')"
        )
    values = [[str(cell) for cell in row] for row in response.get("values", [])]
    if not values:
        raise CalendarSourceError(
            f"Google Sheet {spreadsheet_id} range {cell_range!r} is empty; it needs a header row"
        )
    return RawCalendar(values[0], values[1:], f"sheet:{spreadsheet_id}!{cell_range}", media_root)


class _Calls(Counter):
    """Counts the Sheets requests of one read (the plumbing wants a call counter)."""

    def count_call(self, endpoint: str) -> None:
        self[endpoint] += 1


def read_source(
    source: CalendarSource, *, sheet_settings: ConnectionSettings | None = None
) -> RawCalendar:
    if source.source == "csv":
        assert source.path  # guaranteed by the config schema
        return read_csv(source.path)
    if sheet_settings is None:
        raise CalendarSourceError(
            f"a google_sheets calendar needs the settings of connection '{source.conn_id}'"
        )
    assert source.spreadsheet_id
    return read_sheet(sheet_settings, source.spreadsheet_id, source.range, media_root(source))


def media_root(source: CalendarSource) -> Path:
    """The folder relative media paths of the calendar are in: the CSV calendar's folder.

    A sheet has no folder: its media are looked up beside the CSV it replaces (``path``,
    by default under ``include/calendar/``).
    """
    csv_path = source.path or CalendarSource.model_fields["path"].default
    return PROJECT_ROOT / Path(csv_path).parent


def owned_handles(config: BrandConfig) -> dict[str, list[str]]:
    handles: dict[str, list[str]] = {}
    for account in config.accounts:
        handles.setdefault(account.network, []).append(account.handle)
    return handles


def parse_calendar(raw: RawCalendar, config: BrandConfig) -> ParsedCalendar:
    """Parse and validate every row; valid entries and problems are both returned."""
    missing = missing_columns(raw.header)
    if missing:
        raise CalendarSourceError(
            f"calendar {raw.source} has no column {', '.join(missing)}; the header row must "
            "name at least entry_id, scheduled_at, networks and text (see docs/calendar.md)"
        )
    parsed = parse_rows(
        raw.records(),
        timezone=config.brand.timezone,
        owned_accounts=owned_handles(config),
        source=raw.source,
    )
    for entry in parsed.entries:
        if entry.status == "approved":
            # Drafts are work in progress; only what is meant to go out is held to the rules.
            parsed.problems.extend(validate_entry(entry, raw.media_root))
    for problem in parsed.problems:
        log.warning("Calendar %s: %s", raw.source, problem)
    return parsed
