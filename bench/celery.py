"""Publications per minute and nightly wall time on the Celery deployment, 1 vs 2 workers,
beside ``airflow dags test`` in one process on the same brand.

The deployment is the system test's (``tests/support/deployment.py``): api-server,
scheduler, dag-processor, triggerer and N ``airflow celery worker`` processes (concurrency
:data:`WORKER_CONCURRENCY` each) on this machine, PostgreSQL metadata, Redis broker, the
sandbox in its own process. The brand is the example one (one account per network, the
example's pools) with ``per_network`` approved entries due now on each network.

* publication: from the REST trigger of ``publish_posts`` to the run's end (what a person
  waiting for the posts sees: scheduling, queueing, every task), and the ledger must hold
  every entry ``published``;
* nightly: the same for ``nightly_metrics`` of a fixed night (5 accounts of the default
  sandbox world: small, so the figure is mostly Airflow's per-task cost);
* single process: ``airflow dags test`` of the same DAGs against an in-process sandbox and
  a SQLite metadata database, the process's wall time (its ~8 s of imports included).

Needs PostgreSQL and Redis on loopback (as the system test); skipped without PostgreSQL.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import machine_line
from bench import table as markdown_table

WORKER_CONCURRENCY = 2
PER_NETWORK = {"quick": 2, "full": 6}


def _brand(workdir: Path, per_network: int, tag: str) -> tuple[Path, int, Any]:
    from tests.support.deployment import calendar_rows, write_brand

    from socialops.config.loader import parse_config

    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    rows = calendar_rows(due, per_network, tag=tag)
    path = write_brand(workdir, rows)
    return path, len(rows), parse_config(path.read_text(encoding="utf-8"))


def _published(warehouse_url: Any) -> int:
    from sqlalchemy import func, select

    from socialops.warehouse.engine import create_warehouse_engine
    from socialops.warehouse.models import Publication

    engine = create_warehouse_engine(warehouse_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).where(Publication.state == "published"))
    finally:
        engine.dispose()


def _check(what: str, published: int, expected: int) -> None:
    if published != expected:
        raise RuntimeError(f"{what}: {published} of {expected} publications published")


def _single_process(workdir: Path, per_network: int, pg_server: Any) -> dict[str, Any]:
    from tests.support.deployment import a_fixed_night, server_connection, single_process_env

    from socialops.dev.localenv import dags_test
    from socialops.sandbox import SandboxServer, airflow_connections, create_sandbox

    brand, entries, config = _brand(workdir, per_network, tag="bench-single")
    database = f"socialops_bench_single_{time.time_ns()}"
    with server_connection(pg_server) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    warehouse = pg_server.set(database=database, query={})
    try:
        with SandboxServer(create_sandbox()) as sandbox:
            env = single_process_env(
                workdir,
                {
                    **airflow_connections(sandbox.url),
                    "SOCIALOPS_CONFIG": str(brand),
                    "SOCIALOPS_WAREHOUSE_URL": warehouse.render_as_string(hide_password=False),
                    "SOCIALOPS_DATA_DIR": str(workdir / "data"),
                },
            )
            started = time.monotonic()
            publish = dags_test("publish_posts", env)
            publish_s = time.monotonic() - started
            if not publish.ok:
                raise RuntimeError(f"airflow dags test publish_posts failed:\n{publish.tail()}")
            _check("single process", _published(warehouse), entries)
            night = a_fixed_night(config.brand.timezone, datetime.now(UTC))
            started = time.monotonic()
            nightly = dags_test("nightly_metrics", env, logical_date=night)
            nightly_s = time.monotonic() - started
            if not nightly.ok:
                raise RuntimeError(f"airflow dags test nightly_metrics failed:\n{nightly.tail()}")
    finally:
        with server_connection(pg_server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return {"publications": entries, "publish_s": publish_s, "nightly_s": nightly_s}


def _celery(workdir: Path, per_network: int, workers: int, pg_server: Any) -> dict[str, Any]:
    from tests.support.deployment import CeleryDeployment, Worker, a_fixed_night

    from socialops.dev.deployment import airflow_pools

    brand, entries, config = _brand(workdir, per_network, tag=f"bench-{workers}w")
    with CeleryDeployment(
        workdir / "deployment",
        workers=[Worker(f"w{n}", concurrency=WORKER_CONCURRENCY) for n in range(workers)],
        env={"SOCIALOPS_CONFIG": str(brand)},
        pools=airflow_pools(config),
        pg_server=pg_server,
    ) as airflow:
        started = time.monotonic()
        run = airflow.wait_for_run("publish_posts", airflow.trigger("publish_posts"))
        publish_s = time.monotonic() - started
        if run["state"] != "success":
            raise RuntimeError(f"publish_posts on {workers} worker(s): {run['state']}")
        _check(f"{workers} worker(s)", _published(airflow.warehouse_url), entries)
        night = a_fixed_night(config.brand.timezone, datetime.now(UTC))
        started = time.monotonic()
        run = airflow.wait_for_run(
            "nightly_metrics", airflow.trigger("nightly_metrics", logical_date=night)
        )
        nightly_s = time.monotonic() - started
        if run["state"] != "success":
            raise RuntimeError(f"nightly_metrics on {workers} worker(s): {run['state']}")
        start_s = airflow.timings["start_s"]
    return {
        "publications": entries,
        "publish_s": publish_s,
        "nightly_s": nightly_s,
        "deployment_start_s": start_s,
        "slots": workers * WORKER_CONCURRENCY,
    }


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    if pg_url is None:
        return {"skipped": "needs PostgreSQL (and Redis) on this machine"}
    from sqlalchemy.engine import make_url

    per_network = PER_NETWORK["quick" if quick else "full"]
    pg_server = make_url(pg_url)
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="socialops-bench-celery-") as tmp:
        root = Path(tmp)
        print("bench celery: airflow dags test in one process ...", flush=True)
        (root / "single").mkdir()
        runs["single process"] = _single_process(root / "single", per_network, pg_server)
        for workers in (1, 2):
            print(f"bench celery: CeleryExecutor with {workers} worker(s) ...", flush=True)
            workdir = root / f"celery-{workers}"
            workdir.mkdir()
            runs[f"{workers} worker" + ("s" if workers > 1 else "")] = _celery(
                workdir, per_network, workers, pg_server
            )
    for figures in runs.values():
        figures["publications_per_minute"] = figures["publications"] / figures["publish_s"] * 60
        for key in ("publish_s", "nightly_s", "deployment_start_s", "publications_per_minute"):
            if key in figures:
                figures[key] = round(figures[key], 1)
    return {
        "workload": {
            "entries_per_network": per_network,
            "worker_concurrency": WORKER_CONCURRENCY,
            "quick": quick,
        },
        "runs": runs,
    }


def report(data: dict[str, Any]) -> list[str]:
    """The RESULTS.md section of a result file."""
    results = data["results"]
    lines = ["## Celery deployment: 1 vs 2 workers, beside one process", ""]
    if "skipped" in results:
        return [*lines, f"Skipped: {results['skipped']}."]
    work = results["workload"]
    runs = results["runs"]
    single = runs["single process"]
    lines += [
        machine_line(data["machine"]),
        "",
        f"The example brand with {work['entries_per_network']} approved entries due on each of "
        f"the 5 networks ({single['publications']} publications, the example's pools), then the "
        "nightly extraction of one fixed day (5 accounts). Celery: the system test's deployment "
        "(`tests/support/deployment.py`), every component its own process on this machine, "
        f"workers of concurrency {work['worker_concurrency']}; times run from the REST trigger "
        "to the run's end. One process: `airflow dags test` (LocalExecutor, SQLite metadata), "
        "the process's wall time including its imports. Measured under shared load; one run "
        "each (`bench/celery.py`).",
        "",
    ]
    labels = {
        "single process": "one process (`airflow dags test`)",
        "1 worker": "Celery, 1 worker",
        "2 workers": "Celery, 2 workers",
    }
    rows = [
        [
            labels[name],
            figures.get("slots", 1),
            f"{figures['publish_s']:.1f} s",
            f"{figures['publications_per_minute']:.1f}",
            f"{figures['nightly_s']:.1f} s",
            f"{figures['deployment_start_s']:.0f} s" if "deployment_start_s" in figures else "–",
        ]
        for name, figures in ((name, runs[name]) for name in labels if name in runs)
    ]
    lines += markdown_table(
        [
            "executor",
            "task slots",
            "publish_posts",
            "publications/min",
            "nightly_metrics",
            "deployment start",
        ],
        rows,
    )
    lines += [
        "",
        "The workload is light (the sandbox answers in milliseconds): these figures are "
        "Airflow's cost per task (scheduling, a Celery round trip, a task process) more than "
        "the networks'. One process runs one task at a time; each Celery worker runs "
        f"{work['worker_concurrency']}. The pools (`publication.pools`, 7 slots in all in the "
        "example) cap each network across all workers, so more workers help until the pools "
        "are the limit. The single-process "
        "extraction of the reference brand (20 accounts, 10,000 posts) is in the nightly "
        "section above.",
    ]
    return lines
