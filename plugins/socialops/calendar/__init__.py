"""The editorial calendar: read (CSV or Google Sheet), parse, validate per network, sync.

>>> from socialops.calendar import read_source, parse_calendar, sync_calendar
>>> raw = read_source(config.publication.calendar)
>>> parsed = parse_calendar(raw, config)          # entries + problems (row, field, fix)
>>> sync_calendar(session, parsed, now=now)       # calendar_entries + planned publications

See ``docs/calendar.md`` for the columns and the rules.
"""

from socialops.calendar.entries import (
    COLUMNS,
    STATUSES,
    CalendarEntry,
    ParsedCalendar,
    Problem,
    parse_rows,
    parse_time,
)
from socialops.calendar.sources import (
    CalendarSourceError,
    RawCalendar,
    parse_calendar,
    read_csv,
    read_sheet,
    read_source,
    write_csv,
)
from socialops.calendar.sync import SyncReport, sync_calendar
from socialops.calendar.validation import validate_entry

__all__ = [
    "COLUMNS",
    "STATUSES",
    "CalendarEntry",
    "CalendarSourceError",
    "ParsedCalendar",
    "Problem",
    "RawCalendar",
    "SyncReport",
    "parse_calendar",
    "parse_rows",
    "parse_time",
    "read_csv",
    "read_sheet",
    "read_source",
    "sync_calendar",
    "validate_entry",
    "write_csv",
]
