"""DAG parse cost: the import self-time a DAG file adds over a minimal DAG using the same
``airflow.sdk`` features (``bench/minimal_dag.py``), median of several fresh processes.

Each process is a fresh interpreter with bytecode caching on (a DAG processor keeps its
.pyc files), ``python -X importtime`` runs the file, and the self-times of the modules the
minimal DAG did not import are summed: what socialops costs a DAG processor per file.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import machine_line, table

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = Path(__file__).with_name("minimal_dag.py")
_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")


def imported(path: Path) -> dict[str, int]:
    """module → import self-time (µs) of running ``path`` in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "plugins"), str(ROOT / "dags")])
    code = f"import runpy; runpy.run_path({str(path)!r})"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    return {m.group(2): int(m.group(1)) for m in map(_LINE.match, result.stderr.splitlines()) if m}


def extra_modules(path: Path, baseline: dict[str, int] | None = None) -> dict[str, int]:
    """What ``path`` imports beyond the minimal DAG, with each module's self-time (µs)."""
    base = baseline if baseline is not None else imported(MINIMAL)
    return {name: us for name, us in imported(path).items() if name not in base}


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    repeats = 3 if quick else 9
    imported(MINIMAL)  # writes the .pyc files once, as a DAG processor's first parse does
    baseline = imported(MINIMAL)
    results = {}
    for path in sorted((ROOT / "dags").glob("*.py")):
        imported(path)
        runs = [extra_modules(path, baseline) for _ in range(repeats)]
        totals = [sum(extra.values()) / 1000 for extra in runs]
        median_run = runs[totals.index(statistics.median_low(totals))]
        results[path.name] = {
            "extra_ms_median": round(statistics.median(totals), 1),
            "extra_ms_max": round(max(totals), 1),
            "modules": len(median_run),
            "top": {
                name: round(us / 1000, 1)
                for name, us in sorted(median_run.items(), key=lambda kv: -kv[1])[:5]
            },
        }
    return {"repeats": repeats, "goal_ms": 50, "dags": results}


def report(data: dict[str, Any]) -> list[str]:
    """The RESULTS.md section of a result file."""
    results = data["results"]
    lines = [
        "## DAG parse cost",
        "",
        machine_line(data["machine"]),
        "",
        "Import self-time each DAG file adds over a minimal DAG with the same `airflow.sdk` "
        f"features (`bench/minimal_dag.py`), median of {results['repeats']} fresh processes "
        f"with bytecode cached (`bench/parse.py`). Goal: under {results['goal_ms']} ms per file.",
        "",
    ]
    lines += table(
        ["DAG file", "extra (median)", "extra (max)", "modules added", "largest"],
        [
            [
                name,
                f"{r['extra_ms_median']:.1f} ms",
                f"{r['extra_ms_max']:.1f} ms",
                r["modules"],
                ", ".join(
                    f"`{m}` {ms} ms"
                    for m, ms in sorted(r["top"].items(), key=lambda kv: -kv[1])[:3]
                ),
            ]
            for name, r in results["dags"].items()
        ],
    )
    return lines
