"""The project-local Airflow used by the demo, the tests and ``make airflow``.

It is plain Airflow configured through environment variables: a metadata database in SQLite
under ``AIRFLOW_HOME`` (git-ignored ``.airflow/`` by default), ``dags/`` and ``plugins/`` of
this checkout, no example DAGs, LocalExecutor. Nothing here is used by the DAGs themselves.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from socialops.paths import PROJECT_ROOT

AIRFLOW = str(Path(sys.executable).with_name("airflow"))

#: ``airflow dags test`` really waits between retries: the demo and the tests keep one retry
#: but make it quick.
FAST_RETRIES = {"SOCIALOPS_TASK_RETRIES": "1", "SOCIALOPS_RETRY_DELAY_SECONDS": "1"}


def airflow_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a local Airflow whose state lives in ``home``."""
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            # This Airflow talks to the sandbox only: runs may act at another time (as_of).
            "SOCIALOPS_ALLOW_AS_OF": "true",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": env.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
            # `airflow standalone` starts its components as `airflow ...` found on PATH.
            "PATH": os.pathsep.join((str(Path(AIRFLOW).parent), env.get("PATH", ""))),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(PROJECT_ROOT / "plugins"), env.get("PYTHONPATH", "")) if p
            ),
        }
    )
    if extra:
        env.update(extra)
    return env


def run_airflow(
    args: list[str], env: Mapping[str, str], *, timeout: float = 600
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [AIRFLOW, *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def migrate(home: Path, env: Mapping[str, str] | None = None) -> None:
    """Create or upgrade the metadata database (idempotent)."""
    home.mkdir(parents=True, exist_ok=True)
    result = run_airflow(["db", "migrate"], env or airflow_env(home))
    if result.returncode != 0:
        raise RuntimeError(
            f"airflow db migrate failed in {home}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )


def register_dags(env: Mapping[str, str]) -> None:
    """Parse and register every DAG (and its assets) once, before any run.

    Two ``airflow dags test`` started together on a fresh database both try to register the
    DAGs' assets and one fails on a unique constraint; registering first avoids the race.
    """
    result = run_airflow(["dags", "reserialize"], env)
    if result.returncode != 0:
        raise RuntimeError(
            f"airflow dags reserialize failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )


def set_pools(pools: Mapping[str, Mapping[str, object]], env: Mapping[str, str]) -> None:
    """Create or resize the pools of :func:`socialops.dev.deployment.airflow_pools` (an upsert)."""
    for name, pool in pools.items():
        result = run_airflow(
            ["pools", "set", name, str(pool["slots"]), str(pool["description"])], env
        )
        if result.returncode != 0:
            raise RuntimeError(f"could not create pool {name}: {result.stderr[-2000:]}")


_TASK_STATE = re.compile(r"new_state=(\w+)")
_RUN_STATE = re.compile(r"DagRun Finished: dag_id=(\S+?), .*?state=(\w+)")


@dataclass
class DagTestResult:
    dag_id: str
    returncode: int
    state: str | None  # the DAG run's final state as Airflow reported it
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.state == "success"

    def tail(self, lines: int = 80) -> str:
        """The last lines of the output, after the first failing task's error if any: what a
        red test needs to say why."""
        kept = self.output.splitlines()
        failed = next((i for i, line in enumerate(kept) if "new_state=failed" in line), None)
        errors = []
        if failed is not None:
            start = max(0, failed - 60)
            errors = ["--- first failed task ---", *kept[start : failed + 1], "--- end ---"]
        return "\n".join([*errors, *kept[-lines:]])


_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
_TASK_RUN = re.compile(r"\[DAG TEST\] running task <TaskInstance: (\S+?)\.\S+ (\S+) ")
_TASK_END = re.compile(r"\[DAG TEST\] end task task_id=")


def save_task_logs(result: DagTestResult, logs_dir: Path) -> list[Path]:
    """Write each task's part of an ``airflow dags test`` output where Airflow's UI reads task
    logs (``[logging] log_filename_template``'s default layout under ``logs_dir``).

    ``dags test`` runs the tasks in its own process and only prints their logs, so the runs
    it leaves in the metadata database show "Log file not found" in the UI (``make airflow``)
    without this. Tasks run one after the other there, so the lines between a task's start
    and end markers are its log; a task that runs again is its next attempt.
    """
    written: list[Path] = []
    attempts: dict[tuple[str, str, str, int], int] = {}
    current: tuple[str, int] | None = None
    run: tuple[str, str] | None = None
    lines: list[str] = []
    for line in result.output.splitlines():
        if started := _TASK_START.search(line):
            current, run, lines = (started.group(1), int(started.group(2))), None, [line]
            continue
        if current is None:
            continue
        lines.append(line)
        if run is None and (running := _TASK_RUN.search(line)):
            run = (running.group(1), running.group(2))
        if _TASK_END.search(line) and run is not None:
            (dag_id, run_id), (task_id, map_index) = run, current
            key = (dag_id, run_id, task_id, map_index)
            attempts[key] = attempts.get(key, 0) + 1
            folder = logs_dir / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
            if map_index >= 0:
                folder = folder / f"map_index={map_index}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"attempt={attempts[key]}.log"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(path)
            current = None
    return written


def dags_test(
    dag_id: str,
    env: Mapping[str, str],
    *,
    logical_date: str | None = None,
    conf: str | None = None,
    timeout: float = 900,
) -> DagTestResult:
    """``airflow dags test`` in a subprocess; the run's state is read from Airflow's own log
    line."""
    args = ["dags", "test", dag_id]
    if logical_date:
        args.append(logical_date)
    if conf:
        args += ["--conf", conf]
    result = run_airflow(args, env, timeout=timeout)
    output = result.stdout + result.stderr
    states = _RUN_STATE.findall(output)
    state = states[-1][1] if states else None
    return DagTestResult(dag_id, result.returncode, state, output)
