"""``python -m bench [--only nightly|bulk_load] [--quick] [--no-postgres]``

Runs the benchmarks, writes ``bench/results/<name>.json`` and regenerates
``bench/RESULTS.md`` from every result file present (with the machine they ran on).
PostgreSQL is ``SOCIALOPS_BENCH_PG_URL`` (default ``postgres@127.0.0.1:5432/test``); a
throwaway schema is created and dropped in it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
if str(PLUGINS) not in sys.path:  # `python -m bench` from a checkout, without PYTHONPATH
    sys.path.insert(0, str(PLUGINS))

from bench import BENCH_DIR, PG_URL, machine, read_results, write_result  # noqa: E402

BENCHMARKS = ("nightly", "bulk_load")


def _postgres_available(url: str) -> str | None:
    from sqlalchemy import text

    from socialops.warehouse.engine import create_warehouse_engine

    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SHOW server_version")).scalar()
    except Exception as exc:  # any reason: the report says PostgreSQL was skipped and why
        print(f"PostgreSQL at {url} unavailable ({type(exc).__name__}); measuring SQLite only")
        return None
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=BENCHMARKS, action="append")
    parser.add_argument("--quick", action="store_true", help="smaller bulk loads (a smoke run)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)

    pg_version = None if args.no_postgres else _postgres_available(PG_URL)
    pg_url = PG_URL if pg_version else None
    about = {**machine(), "postgresql": pg_version}
    for name in args.only or BENCHMARKS:
        print(f"bench: running {name} ...", flush=True)
        if name == "nightly":
            from bench import nightly

            figures = nightly.run(pg_url)
        else:
            from bench import bulk_load

            sizes = {"pg_rows": 20_000, "sqlite_rows": 5_000} if args.quick else {}
            figures = bulk_load.run(pg_url, **sizes)
        path = write_result(name, {"machine": about, "results": figures})
        print(f"bench: {name} → {path}")
    report = BENCH_DIR / "RESULTS.md"
    report.write_text(render(read_results()), encoding="utf-8")
    print(f"bench: table → {report}")
    return 0


# -- RESULTS.md ------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _machine_line(about: dict[str, Any]) -> str:
    postgres = f", PostgreSQL {about['postgresql']}" if about.get("postgresql") else ""
    return (
        f"Measured {about['date']} on {about['cpu']} ({about['cores']} cores, "
        f"{about['memory_gb']} GB RAM), {about['platform']}, Python {about['python']}, "
        f"SQLite {about['sqlite']}{postgres}."
    )


def _nightly(data: dict[str, Any]) -> list[str]:
    results = data["results"]
    work = results["workload"]
    lines = [
        "## Nightly run of the reference brand",
        "",
        _machine_line(data["machine"]),
        "",
        f"{work['networks']} networks × {work['accounts'] // work['networks']} accounts, "
        f"{work['posts_in_windows']:,} posts in the lookback windows "
        f"({', '.join(f'{k} {v} d' for k, v in work['lookback_days'].items())}), day "
        f"{work['day']}. The 20 accounts run one after the other in one fresh process "
        "(`bench/nightly.py`); the sandbox runs in another process on the same machine.",
        "",
    ]
    rows = []
    for backend, runs in results["runs"].items():
        for label, run in (("first night", runs["first_night"]), ("rerun", runs["rerun_same_day"])):
            rows.append(
                [
                    backend,
                    label,
                    f"{run['wall_seconds']:.1f} s",
                    f"{run['rss_peak_mb']:.0f} MB",
                    f"{run['rss_after_imports_mb']:.0f} MB",
                    f"{run['rows']['post_metrics_daily']:,}",
                    f"{run['rows_inserted_or_updated']:,}",
                ]
            )
    lines += _table(
        [
            "warehouse",
            "run",
            "wall time",
            "peak RSS",
            "RSS after imports",
            "post metric rows",
            "rows inserted/updated",
        ],
        rows,
    )
    first = next(iter(results["runs"].values()))["first_night"]
    lines += [
        "",
        "Seconds per network (first night, "
        + next(iter(results["runs"]))
        + "): "
        + ", ".join(f"{k} {v}" for k, v in first["seconds_per_network"].items())
        + ".",
        "",
        "## API calls against the minimum",
        "",
        "Read from the sandbox's request log for the first night. The minimum counts every "
        "listing page full and every id lookup batched at the API's maximum (`bench/nightly.py`, "
        "`MINIMUM_CALLS`). A repeated call is an identical GET (method, path, query) sent twice.",
        "",
        "It is the minimum of the adapters' protocol: list the window's posts, then look their "
        "metrics up by id (which also reaches known posts a listing omits). Listings that carry "
        "metrics themselves (X's timeline with `public_metrics`, Graph's media edges with field "
        "expansion) could spare some lookups; that is not counted here.",
        "",
    ]
    lines += _table(
        [
            "network",
            "accounts",
            "posts",
            "calls made",
            "minimum",
            "overhead",
            "repeated",
            "minimum is",
        ],
        [
            [
                network,
                c["accounts"],
                f"{c['posts']:,}",
                c["calls"],
                c["minimum"],
                f"{c['overhead_pct']:+.1f} %",
                c["repeated_calls"],
                c["minimum_is"],
            ]
            for network, c in results["api_calls"].items()
        ],
    )
    extra = {n: c for n, c in results["api_calls"].items() if c["calls"] > c["minimum"]}
    if extra:
        lines += ["", "Calls per account of the networks above their minimum:", ""]
        lines += [
            f"* {network}: "
            + ", ".join(f"`{name}` ×{count:g}" for name, count in c.get("per_account", {}).items())
            for network, c in extra.items()
        ]
    return lines


def _bulk_load(data: dict[str, Any]) -> list[str]:
    results = data["results"]
    lines = [
        "## Bulk load: upsert against a raw COPY",
        "",
        _machine_line(data["machine"]),
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
    lines += _table(["database", "load", "rows", "time", "rows/s", "vs raw"], rows)
    return lines


def render(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Generated by `python -m bench` (`make bench`); the raw figures are in "
        "`bench/results/*.json`. Rerun it on your machine to compare.",
        "",
    ]
    for name, renderer in (("nightly", _nightly), ("bulk_load", _bulk_load)):
        if name in results:
            lines += [*renderer(results[name]), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
