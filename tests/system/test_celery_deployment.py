"""socialops on a real CeleryExecutor deployment (tests/support/deployment.py), the way
docker-compose.yml runs it: every component its own process, PostgreSQL, Redis, two workers.

1. ``publish_posts`` through the scheduler with 30 entries due on the five networks; while
   the sandbox holds an X post in flight, the Celery worker running it is SIGKILLed. Every
   entry still ends on its network exactly once, the killed task's retry reconciles it, and
   X's tasks only ever ran on the workers of X's own queue.
2. ``nightly_metrics`` for a fixed day on the deployment gives the same warehouse rows as a
   single-process ``airflow dags test`` of that day.

Run alone with ``pytest -m system``. A failure attaches every component's log to the report.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from tests.support.adapters import sandbox_settings
from tests.support.deployment import (
    CeleryDeployment,
    a_fixed_night,
    entry_marker,
    single_process_run,
)
from tests.system.layout import GENERAL_WORKER, X_QUEUE, X_WORKER

from socialops.config import NETWORKS
from socialops.config.loader import parse_config
from socialops.networks import build_adapter
from socialops.sandbox import emulator_types
from socialops.warehouse.engine import create_warehouse_engine, ensure_schema
from socialops.warehouse.models import (
    BOOKKEEPING,
    Account,
    AccountMetricsDaily,
    Alert,
    CalendarEntry,
    Campaign,
    CampaignSpendDaily,
    Post,
    PostMetricsDaily,
    Publication,
)

pytestmark = [pytest.mark.system, pytest.mark.postgres, pytest.mark.timeout(600)]


# -- what the networks, Slack and the ledger say --------------------------------------------


def posts_per_entry(deployment: CeleryDeployment, brand: dict) -> dict[str, int]:
    """How many posts each calendar entry has on its network, listed through the networks'
    own APIs (the sandbox) with the real adapters, the way reconciliation looks."""
    config = parse_config(brand["path"].read_text(encoding="utf-8"))
    since = brand["due"] - timedelta(hours=1)
    emulators = {e.network: e for e in emulator_types(list(NETWORKS))}
    counts = {row["entry_id"]: 0 for row in brand["rows"]}
    for account in config.accounts:
        settings = sandbox_settings(emulators[account.network], deployment.sandbox_url)
        adapter = build_adapter(account.network, settings)
        try:
            posts = adapter.recent_posts(account.handle, since)
        finally:
            adapter.close()
        for post in posts:
            for entry_id in counts:
                if post.text.endswith(entry_marker(entry_id)):
                    counts[entry_id] += 1
    return counts


def slack_messages(deployment: CeleryDeployment, channel: str) -> list[str]:
    messages = deployment.sandbox("GET", "/state")["slack"].get(channel, [])
    return [m["text"] + json.dumps(m["blocks"], ensure_ascii=False) for m in messages]


def ledger(deployment: CeleryDeployment) -> dict[int, Any]:
    engine = create_warehouse_engine(deployment.warehouse_url)
    try:
        with engine.connect() as connection:
            return {row.id: row for row in connection.execute(select(Publication))}
    finally:
        engine.dispose()


def one(items: list) -> Any:
    assert len(items) == 1, items
    return items[0]


# -- 1. publication, with a worker killed mid-post -----------------------------------------


def test_every_entry_is_published_once_though_its_worker_was_killed_mid_post(deployment, brand):
    assert len(brand["rows"]) >= 30 and {row["networks"] for row in brand["rows"]} == set(NETWORKS)
    hold = one(
        deployment.sandbox(
            "POST",
            "/faults",
            # The first X post is applied by the network, its answer held until released.
            {
                "network": "x",
                "kind": "hold",
                "method": "POST",
                "path": "/2/tweets",
                "count": 1,
                "hold_seconds": 300,
            },
        )
    )
    run_id = deployment.trigger("publish_posts")

    def held() -> bool:
        return any(
            f["id"] == hold["id"] and f["held"] for f in deployment.sandbox("GET", "/faults")
        )

    deployment.wait_until(held, "an X post in flight, held by the sandbox", timeout=240)

    def x_task_in_flight() -> dict | None:
        running = [
            ti
            for ti in deployment.task_instances("publish_posts", run_id)
            if ti["task_id"] == "publish_x" and ti["state"] == "running" and ti["pid"]
        ]
        return running[0] if running else None

    # The X pool has one slot: the running publish_x task is the one whose post is held.
    in_flight = deployment.wait_until(x_task_in_flight, "the task instance of the held post")
    assert deployment.worker_running(in_flight["pid"]) == X_WORKER.name
    killed = deployment.kill_worker(X_WORKER.name)
    assert in_flight["pid"] in killed
    assert deployment.sandbox("POST", f"/faults/{hold['id']}/release") == {"released": 1}
    # X's machine comes back, as a process supervisor would restart it.
    deployment.start_worker(replace(X_WORKER, name="x-worker-2"), wait=False)

    run = deployment.wait_for_run("publish_posts", run_id, timeout=300)
    instances = deployment.task_instances("publish_posts", run_id)
    not_ok = [
        (ti["task_id"], ti["map_index"], ti["state"])
        for ti in instances
        if ti["state"] not in ("success", "skipped")
    ]
    assert run["state"] == "success", not_ok

    # None lost, none doubled: each entry is on its network once (counted by the networks).
    counts = posts_per_entry(deployment, brand)
    publications = ledger(deployment)
    by_entry = {p.entry_id: p for p in publications.values()}
    alerts = " ".join(slack_messages(deployment, "#cm-alertes"))
    for entry_id, count in counts.items():
        publication = by_entry[entry_id]
        if publication.state == "unconfirmed":
            # A network that cannot be searched: never posted blind, a person is asked.
            assert count <= 1 and entry_id in alerts, (entry_id, count, publication.last_error)
        else:
            assert (count, publication.state) == (1, "published"), (entry_id, publication)
    digest = slack_messages(deployment, "#cm-digest")
    for entry_id in counts:
        assert len([m for m in digest if entry_id in m]) == 1, entry_id  # one confirmation

    # The killed try was failed by Airflow, retried once, and the retry reconciled.
    victim = one(
        [
            ti
            for ti in instances
            if ti["task_id"] == "publish_x" and ti["map_index"] == in_flight["map_index"]
        ]
    )
    assert (victim["state"], victim["try_number"]) == ("success", 2)
    # Its chunk's other posts were published by the same retry, each once (counted above).
    chunk = victim["rendered_fields"]["publication_ids"]
    chunk = json.loads(chunk) if isinstance(chunk, str) else chunk
    reconciled = one(
        [
            publications[int(i)]
            for i in chunk
            if publications[int(i)].last_error == "confirmed by reconciliation"
        ]
    )
    assert (reconciled.state, reconciled.last_error, reconciled.attempts) == (
        "published",
        "confirmed by reconciliation",
        1,
    )
    assert reconciled.lease_owner is None

    # deployment.queues routes X's tasks to X's workers only; the pool kept one at a time.
    for ti in instances:
        expected = X_QUEUE if ti["task_id"] == "publish_x" else "default"
        assert ti["queue"] == expected, (ti["task_id"], ti["queue"])
    worker_logs = deployment.logs(lines=100_000)
    assert "task_id='publish_x'" not in worker_logs[GENERAL_WORKER.name]
    assert "task_id='publish_x'" in worker_logs[X_WORKER.name]
    assert "task_id='publish_x'" in worker_logs["x-worker-2"]


# -- 2. the nightly extraction, against a single-process run -------------------------------

#: The tables nightly_metrics writes.
NIGHTLY_TABLES = (
    Account,
    Post,
    PostMetricsDaily,
    AccountMetricsDaily,
    Campaign,
    CampaignSpendDaily,
    Alert,
)
#: Stamped with the wall clock of the run that wrote them: not the data.
RUN_TIMESTAMPS = {"alerts": {"first_seen_at", "last_seen_at", "last_sent_at"}}


def comparable_columns(model) -> list:
    table = model.__table__
    ignored = RUN_TIMESTAMPS.get(table.name, set())
    return [
        column
        for column in table.columns
        if column.name not in ignored
        and column.info != BOOKKEEPING
        # a surrogate key: numbered in load order
        and not (column.primary_key and column.autoincrement is True or column.name == "id")
        # a load timestamp (created_at = now() on insert)
        and not (column.server_default is not None and "now" in str(column.server_default.arg))
    ]


def warehouse_rows(url) -> dict[str, list[tuple]]:
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as connection:
            return {
                model.__tablename__: sorted(
                    (tuple(row) for row in connection.execute(select(*comparable_columns(model)))),
                    key=repr,
                )
                for model in NIGHTLY_TABLES
            }
    finally:
        engine.dispose()


def copy_the_ledger(source_url, target_url) -> None:
    """The reference starts where the deployment's warehouse does: same calendar and
    publications, so that extraction links the same posts to their entries."""
    source, target = create_warehouse_engine(source_url), create_warehouse_engine(target_url)
    try:
        ensure_schema(target)
        with source.connect() as reading, target.begin() as writing:
            for model in (CalendarEntry, Publication):
                rows = [dict(row._mapping) for row in reading.execute(select(model.__table__))]
                if rows:
                    writing.execute(insert(model.__table__), rows)
    finally:
        source.dispose()
        target.dispose()


def test_nightly_metrics_on_celery_equals_a_single_process_run(deployment, brand, tmp_path: Path):
    config = parse_config(brand["path"].read_text(encoding="utf-8"))
    # Both runs must see the same world: the networks' numbers stop moving now.
    now = datetime.now(UTC).replace(microsecond=0)
    deployment.sandbox("POST", "/clock", {"now": now.isoformat()})
    logical_date = a_fixed_night(config.brand.timezone, now)
    reference_url = deployment.create_database("reference")
    copy_the_ledger(deployment.warehouse_url, reference_url)
    reference_env = {
        **deployment.connections,
        "SOCIALOPS_CONFIG": str(brand["path"]),
        "SOCIALOPS_WAREHOUSE_URL": reference_url.render_as_string(hide_password=False),
        "SOCIALOPS_DATA_DIR": str(tmp_path / "data"),
    }

    run_id = deployment.trigger("nightly_metrics", logical_date=logical_date)
    with ThreadPoolExecutor(1) as background:
        reference = background.submit(
            single_process_run,
            tmp_path,
            "nightly_metrics",
            reference_env,
            logical_date=logical_date,
        )
        run = deployment.wait_for_run("nightly_metrics", run_id, timeout=300)
        single = reference.result(timeout=300)
    assert run["state"] == "success", [
        (ti["task_id"], ti["state"]) for ti in deployment.task_instances("nightly_metrics", run_id)
    ]
    assert single.ok, single.tail()

    on_celery = warehouse_rows(deployment.warehouse_url)
    in_one_process = warehouse_rows(reference_url)
    for table in on_celery:
        assert on_celery[table] == in_one_process[table], table
    for table in ("posts", "post_metrics_daily", "account_metrics_daily"):
        assert on_celery[table], f"{table} is empty: nothing was compared"
    networks = {row[0] for row in on_celery["account_metrics_daily"]}
    assert networks == set(config.networks)
