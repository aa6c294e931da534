"""Bulk-load throughput: ``socialops.warehouse.upsert`` against a raw COPY of the same rows.

The rows are a ``post_metrics_daily`` DataFrame (what the nightly extraction loads), built
once. The upsert is given the DataFrame, as a task gives it; the baseline is given the
same rows as plain Python tuples (str, int, date, None), converted before the clock starts,
and loads them with psycopg's own ``COPY`` and nothing of socialops: no normalisation, no
type processors. Making the upsert's preparation slower can only lower its ratio. Each
case runs on an empty table or a table already holding the rows, in a throwaway
PostgreSQL schema, :data:`REPEATS` times; the median is reported.

* ``raw_copy``: psycopg ``cursor.copy("COPY ... FROM STDIN")`` and ``write_row`` of the
  tuples into the empty table, one transaction (the speed ceiling);
* ``upsert_insert``: upsert into the empty table (every row new);
* ``upsert_unchanged``: the same load again (a rerun: nothing rewritten);
* ``upsert_update``: every row with a changed value (a late metric update).

SQLite, the default local warehouse, is measured with the same cases (its raw baseline is
the sqlite3 driver's ``executemany`` INSERT of the tuples).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench import machine_line, table

REPEATS = 3


def metric_rows(count: int) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    days = 10
    posts = count // days
    frame = pd.DataFrame(
        {
            "network": "instagram",
            "post_id": np.repeat([f"17900000{n:010d}" for n in range(posts)], days),
            "day": np.tile([date(2026, 11, 1) + timedelta(days=d) for d in range(days)], posts),
        }
    )
    for name in ("impressions", "reach", "likes", "comments", "shares", "saves"):
        frame[name] = rng.integers(0, 50_000, len(frame))
    frame["video_views"] = None
    frame["link_clicks"] = rng.integers(0, 500, len(frame))
    return frame


def plain_tuples(frame: Any) -> list[tuple[Any, ...]]:
    """The frame's rows as tuples of plain Python values (None for a missing value)."""
    values = frame.astype(object).where(frame.notna(), None)
    return list(values.itertuples(index=False, name=None))


def raw_copy(
    engine: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]], binary: bool = False
) -> None:
    """Append ``rows`` with the driver alone: psycopg's COPY (text, or binary with the
    column types read from the catalogue), or sqlite3's executemany."""
    names = ", ".join(columns)
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        cursor = driver.cursor()
        try:
            if engine.dialect.name == "postgresql":
                types = dict(
                    cursor.execute(
                        "SELECT attname, atttypid::int FROM pg_attribute "
                        "WHERE attrelid = %s::regclass AND attnum > 0",
                        (table,),
                    ).fetchall()
                )
                options = " (FORMAT BINARY)" if binary else ""
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN{options}") as copy:
                    if binary:
                        copy.set_types([types[name] for name in columns])
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                cursor.execute("BEGIN")  # SQLAlchemy leaves sqlite3 in autocommit mode
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        finally:
            cursor.close()
        driver.commit()


def _interleaved(
    rows: int, cases: dict[str, tuple[Callable[[], None], Callable[[], Any]]]
) -> dict[str, dict[str, Any]]:
    """Each case's median over :data:`REPEATS` rounds, a round running every case once, so
    that a change in the machine's load weighs on every case alike (the ratios compare
    cases measured side by side)."""
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(REPEATS):
        for name, (prepare, load) in cases.items():
            prepare()
            started = time.perf_counter()
            load()
            timings[name].append(time.perf_counter() - started)
    figures = {}
    for name, spent in timings.items():
        seconds = statistics.median(spent)
        figures[name] = {
            "rows": rows,
            "seconds": round(seconds, 3),
            "rows_per_second": round(rows / seconds),
        }
    return figures


def measure(engine: Any, rows: Any) -> dict[str, Any]:
    from sqlalchemy import text

    from socialops.warehouse.upsert import upsert

    table = "post_metrics_daily"
    count = len(rows)
    updated = rows.assign(likes=rows["likes"] + 1)
    columns = [str(name) for name in rows.columns]
    tuples = plain_tuples(rows)

    # TRUNCATE on PostgreSQL: a DELETE would leave dead rows that slow the next repeat.
    clear = "TRUNCATE" if engine.dialect.name == "postgresql" else "DELETE FROM"

    def empty() -> None:
        with engine.begin() as connection:
            connection.execute(text(f"{clear} {table}"))

    def loaded() -> None:
        empty()
        raw_copy(engine, table, columns, tuples)
        with engine.connect() as connection:
            held = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        if held != count:
            raise AssertionError(f"the raw load left {held} rows, expected {count}")

    def check(result: Any, **expected: int) -> None:
        for field, value in expected.items():
            if getattr(result, field) != value:
                raise AssertionError(f"upsert {field}={getattr(result, field)}, expected {value}")

    cases: dict[str, tuple[Callable[[], None], Callable[[], Any]]] = {
        "raw_copy": (empty, lambda: raw_copy(engine, table, columns, tuples)),
    }
    if engine.dialect.name == "postgresql":
        cases["raw_copy_binary"] = (
            empty,
            lambda: raw_copy(engine, table, columns, tuples, binary=True),
        )
    cases["upsert_insert"] = (
        empty,
        lambda: check(upsert(engine, table, rows), inserted=count),
    )
    cases["upsert_unchanged"] = (
        loaded,
        lambda: check(upsert(engine, table, rows), unchanged=count),
    )
    cases["upsert_update"] = (
        loaded,
        lambda: check(upsert(engine, table, updated), updated=count),
    )
    return _interleaved(count, cases)


def run(
    pg_url: str | None,
    *,
    quick: bool = False,
    pg_rows: int | None = None,
    sqlite_rows: int | None = None,
) -> dict[str, Any]:
    from sqlalchemy import text

    from bench import migrated_warehouse
    from socialops.warehouse.engine import create_warehouse_engine

    pg_rows = pg_rows or (20_000 if quick else 200_000)
    sqlite_rows = sqlite_rows or (5_000 if quick else 50_000)
    results: dict[str, Any] = {"repeats": REPEATS, "table": "post_metrics_daily"}
    cases = [("sqlite", sqlite_rows)] + ([("postgresql", pg_rows)] if pg_url else [])
    with tempfile.TemporaryDirectory() as workdir:
        for backend, rows in cases:
            with migrated_warehouse(backend, pg_url=pg_url or "", workdir=workdir) as url:
                engine = create_warehouse_engine(url)
                try:
                    if backend == "postgresql":
                        with engine.connect() as connection:
                            version = connection.execute(text("SHOW server_version")).scalar()
                        results["postgresql_version"] = version
                    results[backend] = measure(engine, metric_rows(rows))
                finally:
                    engine.dispose()
    return results


def report(data: dict[str, Any]) -> list[str]:
    """The RESULTS.md section of a result file."""
    results = data["results"]
    lines = [
        "## Bulk load: upsert against a raw COPY",
        "",
        machine_line(data["machine"]),
        "",
        f"`{results['table']}` rows from one DataFrame, median of {results['repeats']} rounds "
        "of every case in turn (`bench/bulk_load.py`). The upsert is given the DataFrame; "
        "`raw_copy` is given the same rows as plain Python tuples and loads them with the "
        "driver alone (psycopg `COPY ... FROM STDIN` and `write_row`; on SQLite sqlite3's "
        "`executemany` INSERT), sharing nothing with the upsert; `raw_copy_binary` is the "
        "same COPY in binary format (PostgreSQL). Ratios are rows per second over "
        "`raw_copy`'s, and over `raw_copy_binary`'s.",
        "",
    ]
    rows = []
    for backend in ("postgresql", "sqlite"):
        if backend not in results:
            continue
        cases = results[backend]
        raw = cases["raw_copy"]["rows_per_second"]
        binary = cases.get("raw_copy_binary", {}).get("rows_per_second")
        for case, figures in cases.items():
            rows.append(
                [
                    backend,
                    case,
                    f"{figures['rows']:,}",
                    f"{figures['seconds']:.2f} s",
                    f"{figures['rows_per_second']:,}",
                    f"{figures['rows_per_second'] / raw:.2f}×",
                    f"{figures['rows_per_second'] / binary:.2f}×" if binary else "–",
                ]
            )
    lines += table(
        ["database", "load", "rows", "time", "rows/s", "vs raw COPY", "vs binary COPY"], rows
    )
    return lines
