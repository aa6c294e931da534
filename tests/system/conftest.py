"""The Celery deployment of the system tests, and its logs in the report of any failure."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from tests.support.deployment import (
    PG_SERVER_URL,
    REDIS_URL,
    CeleryDeployment,
    calendar_rows,
    server_connection,
    write_brand,
)
from tests.system.layout import ENTRIES, GENERAL_WORKER, X_QUEUE, X_WORKER

from socialops.config.loader import parse_config
from socialops.dev.deployment import airflow_pools

DEPLOYMENT = pytest.StashKey[CeleryDeployment]()


def _require(service: str, probe) -> None:
    try:
        probe()
    except Exception as exc:  # any reason: the message says which service and why
        message = f"the system test needs {service}: {type(exc).__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: it must run, not skip)", pytrace=False)
        pytest.skip(message)


def _ping_postgres() -> None:
    server_connection().close()


def _ping_redis() -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    finally:
        client.close()


@pytest.fixture(scope="module")
def brand(tmp_path_factory) -> dict:
    """The brand configuration of the deployment: 30 entries due 3 minutes ago."""
    workdir = tmp_path_factory.mktemp("brand")
    due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    rows = calendar_rows(due, ENTRIES, tag=f"sys{os.getpid()}")
    path = write_brand(workdir, rows, pools={"x": 1}, queues={"x": X_QUEUE})
    return {"path": path, "rows": rows, "due": due}


@pytest.fixture(scope="module")
def deployment(request, tmp_path_factory, brand) -> Iterator[CeleryDeployment]:
    _require(f"PostgreSQL at {PG_SERVER_URL.host}:{PG_SERVER_URL.port}", _ping_postgres)
    _require(f"Redis at {REDIS_URL}", _ping_redis)
    airflow = CeleryDeployment(
        tmp_path_factory.mktemp("celery"),
        workers=[X_WORKER, GENERAL_WORKER],
        env={"SOCIALOPS_CONFIG": str(brand["path"])},
        pools=airflow_pools(parse_config(brand["path"].read_text(encoding="utf-8"))),
    )
    request.config.stash[DEPLOYMENT] = airflow
    try:
        airflow.start()
        yield airflow
    finally:
        airflow.stop()
        timings = ", ".join(f"{k} {v:.1f}" for k, v in airflow.timings.items())
        print(f"deployment timings (s): {timings}", file=sys.stderr)
    # Nothing may survive the deployment: no process, no database, no broker key.
    assert airflow.leftover_processes() == []
    assert airflow.redis_keys() == []
    with server_connection() as connection:
        left = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"%{airflow.id}%",)
        ).fetchall()
    assert left == []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed system test (setup, call or teardown) carries every component's log."""
    report = yield
    airflow = item.config.stash.get(DEPLOYMENT, None)
    if report.failed and airflow is not None:
        for name, text in airflow.logs().items():
            report.sections.append((f"log of {name} (tail)", text))
        report.sections.append(("deployment files", str(airflow.workdir)))
    return report
