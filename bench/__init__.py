"""socialops benchmarks: ``python -m bench`` (or ``make bench``) runs them all and writes the
figures to ``bench/results/*.json`` and the table ``bench/RESULTS.md``.

* :mod:`bench.nightly`: a nightly extraction of the reference brand (5 networks × 4
  accounts, 10,000 posts in the lookback windows, :mod:`bench.world`) against the sandbox:
  wall time, peak memory, and the API calls made against the minimum the APIs allow (read
  from the sandbox's request log).
* :mod:`bench.bulk_load`: the warehouse's bulk upsert against a raw ``COPY`` of the same
  rows on PostgreSQL (and the SQLite path), in rows per second.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
#: The PostgreSQL the benchmarks use (a throwaway schema is created and dropped in it).
PG_URL = (
    os.environ.get("SOCIALOPS_BENCH_PG_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(
        json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    return path


def read_results() -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(RESULTS_DIR.glob("*.json"))
    }


@contextmanager
def migrated_warehouse(backend: str, *, pg_url: str, workdir: str | Path) -> Iterator[str]:
    """The URL of an empty, migrated warehouse: a SQLite file in ``workdir``, or a throwaway
    schema of the PostgreSQL at ``pg_url`` (in the URL's ``search_path``), dropped on exit."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from socialops.warehouse.engine import create_warehouse_engine, ensure_schema

    def migrate(url: Any) -> None:
        engine = create_warehouse_engine(url)
        try:
            ensure_schema(engine)
        finally:
            engine.dispose()

    if backend == "sqlite":
        url = f"sqlite:///{Path(workdir) / 'bench-warehouse.db'}"
        migrate(url)
        yield url
        return
    schema = f"socialops_bench_{time.time_ns()}"
    server = create_warehouse_engine(pg_url)
    with server.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = make_url(pg_url)
    url = base.set(query={**base.query, "options": f"-csearch_path={schema}"})
    try:
        migrate(url)
        yield url.render_as_string(hide_password=False)
    finally:
        with server.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


# -- RESULTS.md helpers ---------------------------------------------------------------------


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def machine_line(about: dict[str, Any]) -> str:
    postgres = f", PostgreSQL {about['postgresql']}" if about.get("postgresql") else ""
    return (
        f"Measured {about['date']} on {about['cpu']} ({about['cores']} cores, "
        f"{about['memory_gb']} GB RAM), {about['platform']}, Python {about['python']}, "
        f"SQLite {about['sqlite']}{postgres}."
    )
