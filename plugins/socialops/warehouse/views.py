"""The KPI views (``include/sql/kpi_views.sql``): create or refresh them in the warehouse.

``kpi_post_daily``, ``kpi_post_latest``, ``kpi_campaign_organic``, ``kpi_account_daily``,
``kpi_campaign_daily``, ``kpi_campaign_summary`` (:mod:`socialops.analytics.kpis`) and
``kpi_competitor_weekly`` (:mod:`socialops.analytics.competitors`) compute their formulas in
SQL, so a report or a BI tool reads KPIs with a plain ``SELECT``. The SQL is written once
for PostgreSQL and SQLite with a few macros (``RATIO``, ``PCT``, ``DAYS_BETWEEN``,
``WEEK_START``, ``LOCAL_DAY``, ``INCREMENT``, ``INCREMENT_UNKNOWN``; the SQL file
says what each means) expanded here per dialect.

``LOCAL_DAY(ts)`` is the date of a timestamp in the brand's time zone, which the views are
created with (``timezone=``, ``brand.timezone`` of the configuration). PostgreSQL converts
with ``AT TIME ZONE``. SQLite has no time zone database, so the expansion carries the zone's
UTC offsets as a ``CASE`` over its transitions from :data:`FIRST_YEAR` to :data:`LAST_YEAR`
(read from Python's ``zoneinfo``); a timestamp outside those years takes the offset at
the nearest end. Recreate the views after a change of the zone's rules (a tzdata update).

Views are not in the Alembic migrations: they hold no data, so :func:`create_kpi_views`
simply drops and recreates them (the ``nightly_metrics`` DAG calls it on every run, which
also deploys an edited definition). Drop them with :func:`drop_kpi_views` before
downgrading the schema on PostgreSQL, which refuses to drop a table a view depends on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, text

from socialops.paths import INCLUDE_DIR
from socialops.warehouse.engine import transaction

VIEWS_SQL = INCLUDE_DIR / "sql" / "kpi_views.sql"
#: The years whose UTC offset transitions SQLite's ``LOCAL_DAY`` expansion holds.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_VIEW_HEADER = re.compile(r"^-- view: (\w+)\s*$", re.MULTILINE)
_ARG = r"\s*([\w.]+)\s*"

# (pattern, replacement per dialect). Arguments are plain column names (see the SQL file).
_MACROS: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (
        re.compile(rf"RATIO\({_ARG},{_ARG}\)"),
        {"*": r"(CAST(\1 AS DOUBLE PRECISION) / CASE WHEN \2 > 0 THEN \2 END)"},
    ),
    (
        re.compile(rf"PCT\({_ARG},{_ARG}\)"),
        {"*": r"(100.0 * CAST(\1 AS DOUBLE PRECISION) / CASE WHEN \2 > 0 THEN \2 END)"},
    ),
    (
        re.compile(rf"INCREMENT_UNKNOWN\({_ARG}\)"),
        {
            "*": r"CASE WHEN basis = 'unknown' OR (basis = 'previous_day' "
            r"AND (\1 IS NULL) <> (previous_\1 IS NULL)) THEN 1 ELSE 0 END"
        },
    ),
    (
        re.compile(rf"INCREMENT\({_ARG}\)"),
        {"*": r"CASE basis WHEN 'created' THEN \1 WHEN 'previous_day' THEN \1 - previous_\1 END"},
    ),
    (
        re.compile(rf"WEEK_START\({_ARG}\)"),
        {
            "postgresql": r"CAST(date_trunc('week', \1) AS DATE)",
            "sqlite": (
                r"date(\1, '-' || ((CAST(strftime('%w', \1) AS INTEGER) + 6) % 7)"
                r" || ' days')"
            ),
        },
    ),
    (
        re.compile(rf"DAYS_BETWEEN\({_ARG},{_ARG}\)"),
        {
            "postgresql": r"(\1 - \2)",
            "sqlite": r"CAST(julianday(\1) - julianday(\2) AS INTEGER)",
        },
    ),
]
_LOCAL_DAY = re.compile(rf"LOCAL_DAY\({_ARG}\)")


@lru_cache(maxsize=8)
def utc_offsets(timezone: str) -> tuple[tuple[datetime | None, int], ...]:
    """``((from, offset seconds), ...)``: the zone's UTC offset from each transition on.

    ``from`` is a naive UTC instant (None for the first entry, which holds before the first
    transition of :data:`FIRST_YEAR`..:data:`LAST_YEAR`). A zone without transitions (UTC,
    a fixed offset) gives one entry.
    """
    zone = _zone(timezone)
    moment = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    end = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)

    def offset(when: datetime) -> int:
        return int(when.astimezone(zone).utcoffset().total_seconds())

    current = offset(moment)
    offsets: list[tuple[datetime | None, int]] = [(None, current)]
    step = timedelta(days=1)
    while moment < end:
        following = moment + step
        if offset(following) != current:
            before, after = moment, following  # the transition is in (before, after]
            while after - before > timedelta(seconds=1):
                middle = before + (after - before) / 2
                before, after = (middle, after) if offset(middle) == current else (before, middle)
            current = offset(after)
            offsets.append((after.replace(tzinfo=None, microsecond=0), current))
        moment = following
    return tuple(offsets)


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {timezone!r} for the KPI views: use an IANA name such as "
            "'Europe/Paris' (brand.timezone in the configuration)"
        ) from exc


def _modifier(seconds: int) -> str:
    return f"'{seconds:+d} seconds'"


def _sqlite_local_day(column: str, timezone: str) -> str:
    # SQLite stores UTC timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' text (UtcDateTime), so a
    # text comparison with a transition instant orders them correctly.
    offsets = utc_offsets(timezone)
    if len(offsets) == 1:
        return f"date({column}, {_modifier(offsets[0][1])})"
    cases = [
        f"WHEN {column} < '{start:%Y-%m-%d %H:%M:%S}' THEN {_modifier(offset)}"
        for (_, offset), (start, _) in zip(offsets, offsets[1:], strict=False)
    ]
    lines = "\n        ".join(cases)
    return f"date({column}, CASE\n        {lines}\n        ELSE {_modifier(offsets[-1][1])} END)"


def _local_day(dialect: str, timezone: str) -> Callable[[re.Match[str]], str]:
    _zone(timezone)  # refuse an unknown zone before writing it into SQL
    if dialect == "postgresql":
        return lambda match: f"CAST(({match[1]} AT TIME ZONE '{timezone}') AS DATE)"
    return lambda match: _sqlite_local_day(match[1], timezone)


def view_definitions(
    dialect: str, path: Path = VIEWS_SQL, *, timezone: str = "UTC"
) -> dict[str, str]:
    """``{view name: SELECT statement}`` for ``dialect``, in creation order.

    ``timezone`` is the brand's (``LOCAL_DAY``: which day a post was created on).
    """
    if dialect not in {"postgresql", "sqlite"}:
        raise ValueError(f"KPI views exist for postgresql and sqlite, not {dialect!r}")
    local_day = _local_day(dialect, timezone)
    source = path.read_text(encoding="utf-8")
    parts = _VIEW_HEADER.split(source)
    # parts = [preamble, name1, body1, name2, body2, ...]
    views = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        for pattern, replacements in _MACROS:
            body = pattern.sub(replacements.get(dialect, replacements.get("*", "")), body)
        views[name] = _LOCAL_DAY.sub(local_day, body).strip().rstrip(";")
    if not views:
        raise ValueError(f"{path} defines no view (each starts with '-- view: <name>')")
    return views


def create_kpi_views(engine: Engine | Connection, *, timezone: str = "UTC") -> list[str]:
    """Drop and recreate every KPI view in one transaction; returns their names.

    ``timezone``: the brand's time zone (``brand.timezone``), in which posts' creation days
    are counted, as :func:`socialops.analytics.kpis.account_daily` does with the same value.
    """
    with transaction(engine) as connection:
        views = view_definitions(connection.dialect.name, timezone=timezone)
        _drop(connection, views)
        for name, select in views.items():
            connection.execute(text(f"CREATE VIEW {name} AS\n{select}"))
    return list(views)


def drop_kpi_views(engine: Engine | Connection) -> None:
    with transaction(engine) as connection:
        _drop(connection, view_definitions(connection.dialect.name))


def _drop(connection: Connection, views: dict[str, str]) -> None:
    # Later views read earlier ones: drop in reverse creation order.
    for name in reversed(list(views)):
        connection.execute(text(f"DROP VIEW IF EXISTS {name}"))
