"""The KPI views (``include/sql/kpi_views.sql``): create or refresh them in the warehouse.

``kpi_post_daily``, ``kpi_post_latest``, ``kpi_campaign_organic``, ``kpi_account_daily``,
``kpi_campaign_daily`` and ``kpi_campaign_summary`` compute the formulas of :mod:`socialops.analytics.kpis` in SQL, so a
report or a BI tool reads KPIs with a plain ``SELECT``. The SQL is written once for
PostgreSQL and SQLite with a few macros (``RATIO``, ``PCT``, ``DAYS_BETWEEN``, ``DAY_OF``)
expanded here per dialect.

Views are not in the Alembic migrations: they hold no data, so :func:`create_kpi_views`
simply drops and recreates them (the ``nightly_metrics`` DAG calls it on every run, which
also deploys an edited definition). Drop them with :func:`drop_kpi_views` before
downgrading the schema on PostgreSQL, which refuses to drop a table a view depends on.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from socialops.paths import INCLUDE_DIR
from socialops.warehouse.engine import transaction

VIEWS_SQL = INCLUDE_DIR / "sql" / "kpi_views.sql"
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
        re.compile(rf"DAYS_BETWEEN\({_ARG},{_ARG}\)"),
        {
            "postgresql": r"(\1 - \2)",
            "sqlite": r"CAST(julianday(\1) - julianday(\2) AS INTEGER)",
        },
    ),
    (
        re.compile(rf"DAY_OF\({_ARG}\)"),
        # The warehouse engine pins the PostgreSQL session to UTC; SQLite stores UTC text.
        {"postgresql": r"CAST(\1 AS DATE)", "sqlite": r"date(\1)"},
    ),
]


def view_definitions(dialect: str, path: Path = VIEWS_SQL) -> dict[str, str]:
    """``{view name: SELECT statement}`` for ``dialect``, in creation order."""
    if dialect not in {"postgresql", "sqlite"}:
        raise ValueError(f"KPI views exist for postgresql and sqlite, not {dialect!r}")
    source = path.read_text(encoding="utf-8")
    parts = _VIEW_HEADER.split(source)
    # parts = [preamble, name1, body1, name2, body2, ...]
    views = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        for pattern, replacements in _MACROS:
            body = pattern.sub(replacements.get(dialect, replacements.get("*", "")), body)
        views[name] = body.strip().rstrip(";")
    if not views:
        raise ValueError(f"{path} defines no view (each starts with '-- view: <name>')")
    return views


def create_kpi_views(engine: Engine | Connection) -> list[str]:
    """Drop and recreate every KPI view in one transaction; returns their names."""
    with transaction(engine) as connection:
        views = view_definitions(connection.dialect.name)
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
