"""Bulk-load throughput: ``socialops.warehouse.upsert`` against a raw COPY of the same rows.

The rows are a ``post_metrics_daily`` DataFrame (what the nightly extraction loads), built
once and given unchanged to every method, so the figures include the same value
normalisation. Each case runs on an empty table or a table already holding the rows, in a
throwaway PostgreSQL schema, :data:`REPEATS` times; the median is reported.

* ``raw_copy``: ``COPY ... FROM STDIN`` straight into the empty table (the speed ceiling);
* ``upsert_insert``: upsert into the empty table (every row new);
* ``upsert_unchanged``: the same load again (a rerun: nothing rewritten);
* ``upsert_update``: every row with a changed value (a late metric update).

SQLite, the default local warehouse, is measured with the same cases (its raw baseline is
a plain ``executemany`` INSERT).
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


def _median_rate(rows: int, prepare: Callable[[], None], load: Callable[[], Any]) -> dict[str, Any]:
    timings = []
    for _ in range(REPEATS):
        prepare()
        started = time.perf_counter()
        load()
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": round(rows / seconds)}


def measure(engine: Any, rows: Any) -> dict[str, Any]:
    from sqlalchemy import text

    from socialops.warehouse.upsert import raw_copy, upsert

    table = "post_metrics_daily"
    count = len(rows)
    updated = rows.assign(likes=rows["likes"] + 1)

    # TRUNCATE on PostgreSQL: a DELETE would leave dead rows that slow the next repeat.
    clear = "TRUNCATE" if engine.dialect.name == "postgresql" else "DELETE FROM"

    def empty() -> None:
        with engine.begin() as connection:
            connection.execute(text(f"{clear} {table}"))

    def loaded() -> None:
        empty()
        raw_copy(engine, table, rows)

    def check(result: Any, **expected: int) -> None:
        for field, value in expected.items():
            if getattr(result, field) != value:
                raise AssertionError(f"upsert {field}={getattr(result, field)}, expected {value}")

    return {
        "raw_copy": _median_rate(count, empty, lambda: raw_copy(engine, table, rows)),
        "upsert_insert": _median_rate(
            count, empty, lambda: check(upsert(engine, table, rows), inserted=count)
        ),
        "upsert_unchanged": _median_rate(
            count, loaded, lambda: check(upsert(engine, table, rows), unchanged=count)
        ),
        "upsert_update": _median_rate(
            count, loaded, lambda: check(upsert(engine, table, updated), updated=count)
        ),
    }


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
        f"`{results['table']}` rows from one DataFrame, median of {results['repeats']} runs "
        "(`bench/bulk_load.py`). On SQLite the raw baseline is an `executemany` INSERT.",
        "",
    ]
    rows = []
    for backend in ("postgresql", "sqlite"):
        if backend not in results:
            continue
        cases = results[backend]
        raw = cases["raw_copy"]["rows_per_second"]
        for case, figures in cases.items():
            rows.append(
                [
                    backend,
                    case,
                    f"{figures['rows']:,}",
                    f"{figures['seconds']:.2f} s",
                    f"{figures['rows_per_second']:,}",
                    f"{figures['rows_per_second'] / raw:.2f}×",
                ]
            )
    lines += table(["database", "load", "rows", "time", "rows/s", "vs raw"], rows)
    return lines
