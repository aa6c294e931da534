"""A real Airflow 3 deployment with the CeleryExecutor on this machine, one process per component.

Used by the system test (``tests/system``) and the benchmark ``bench/celery.py``::

    with CeleryDeployment(tmp_path, workers=[Worker("w1"), Worker("w2")], env=env) as airflow:
        run_id = airflow.trigger("publish_posts")
        assert airflow.wait_for_run("publish_posts", run_id)["state"] == "success"

It is what ``docker-compose.yml`` runs, without containers:

* a throwaway PostgreSQL database for Airflow's metadata (and the Celery result backend),
  another one for the warehouse, on the machine's server (``SOCIALOPS_TEST_PG_URL``, the
  same as the rest of the test suite); both dropped by :meth:`CeleryDeployment.stop`;
* Redis (``SOCIALOPS_TEST_REDIS_URL``) as the broker, every key under a prefix of this
  deployment (kombu's ``global_keyprefix``) so that parallel runs do not see each other's
  tasks; the keys are deleted at the end;
* the sandbox of the networks and Slack (``python -m socialops sandbox serve --port 0``),
  with the Airflow connections as ``AIRFLOW_CONN_*`` pointing at it;
* ``airflow api-server``, ``scheduler``, ``dag-processor``, ``triggerer`` and one
  ``airflow celery worker`` per :class:`Worker`, each in its own process group, with a
  temporary ``AIRFLOW_HOME``, the project's ``dags/`` and ``plugins/``, the per-network pools.

Readiness is polled, never slept for: the API's ``/api/v2/monitor/health`` (metadatabase,
scheduler, triggerer, dag-processor), the DAGs registered, a Celery ``ping`` answered by
each worker. :meth:`CeleryDeployment.stop` ends every process it started, including the
ones their children started (found by a marker in their environment), and is safe to call
twice, after a failed start or on KeyboardInterrupt.

It lives in ``tests/support`` and not in the ``socialops`` package: it creates and drops
databases and kills processes, which no Airflow component (all of which import
``plugins/``) should carry, and only the tests and the benchmarks use it.
"""

from __future__ import annotations

import atexit
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
import yaml
from sqlalchemy.engine import URL, make_url

from socialops.calendar.sources import write_csv
from socialops.config import NETWORKS
from socialops.config.loader import DEFAULT_PATH
from socialops.dev.localenv import (
    AIRFLOW,
    FAST_RETRIES,
    DagTestResult,
    airflow_env,
    dags_test,
    migrate,
    run_airflow,
)
from socialops.paths import INCLUDE_DIR

#: The PostgreSQL server of the test suite (tests/conftest.py reads the same variable).
PG_SERVER_URL = make_url(
    os.environ.get("SOCIALOPS_TEST_PG_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test?connect_timeout=5"
)
REDIS_URL = os.environ.get("SOCIALOPS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
#: Every process of a deployment carries it, so that none can be left behind unnoticed.
MARKER = "SOCIALOPS_DEPLOYMENT_ID"
#: How long :meth:`CeleryDeployment.stop` waits after SIGTERM before SIGKILL.
STOP_GRACE_SECONDS = 8

#: Settings that make a killed worker's task fail over in seconds rather than minutes.
#: The heartbeat timeout stays a few heartbeats long: on 2 busy cores a live task must
#: never look dead.
FAST_FAILOVER = {
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
    "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "3",
    "SOCIALOPS_TASK_RETRIES": "2",
    "SOCIALOPS_RETRY_DELAY_SECONDS": "1",
}


class DeploymentError(RuntimeError):
    """A component did not start, did not become ready, or exited; the message says which."""


@dataclass(frozen=True)
class Worker:
    """One ``airflow celery worker`` process: its name, the queues it consumes, its slots."""

    name: str
    queues: tuple[str, ...] = ("default",)
    concurrency: int = 2


@dataclass
class Component:
    name: str
    process: subprocess.Popen
    log_path: Path
    log_file: Any = field(repr=False)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class CeleryDeployment:
    """See the module docstring. ``env`` adds to every component's environment (the brand
    configuration ``SOCIALOPS_CONFIG``, ...); ``pools`` are created before any DAG runs."""

    def __init__(
        self,
        workdir: Path,
        *,
        workers: Iterable[Worker],
        env: Mapping[str, str] | None = None,
        pools: Mapping[str, Mapping[str, object]] | None = None,
        dag_ids: Iterable[str] = ("publish_posts", "nightly_metrics"),
        pg_server: URL = PG_SERVER_URL,
    ):
        self.id = f"{os.getpid()}{uuid.uuid4().hex[:6]}"
        self.workdir = workdir
        self.home = workdir / "airflow"
        self.log_dir = workdir / "logs"
        self.workers = {worker.name: worker for worker in workers}
        self.pools = dict(pools or {})
        self.dag_ids = tuple(dag_ids)
        self.extra_env = dict(env or {})
        self.components: dict[str, Component] = {}
        self.pg_server = pg_server
        self.databases: list[str] = []
        self.redis_prefix = f"socialops_test_{self.id}:"
        self.api_port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.sandbox_url = ""
        self.metadata_url = self.create_database("airflow")
        self.warehouse_url = self.create_database("warehouse")
        self.timings: dict[str, float] = {}
        # One secret for all: the components sign and check each other's tokens with it.
        self._secrets = {
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(48),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(48),
        }
        self._killed: set[str] = set()
        self._celery_app: Any = None
        self._stopped = False
        self._previous_sigterm: Any = None

    # -- life cycle ---------------------------------------------------------------------
    def __enter__(self) -> CeleryDeployment:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Everything up and ready (see the module docstring); stops what started on failure."""
        atexit.register(self.stop)
        if threading.current_thread() is threading.main_thread():
            # A CI runner's SIGTERM must tear down like Ctrl-C does, not orphan 8 processes.
            self._previous_sigterm = signal.signal(signal.SIGTERM, _raise_system_exit)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        started = time.monotonic()
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # The sandbox and the metadata migration do not depend on each other.
        with ThreadPoolExecutor(2) as pool:
            sandbox = pool.submit(self._start_sandbox)
            migrated = pool.submit(self._migrate)
            sandbox.result()
            migrated.result()
        self.timings["migrate_and_sandbox_s"] = time.monotonic() - started
        self._start_component("api-server", ["api-server", "--port", str(self.api_port)])
        self._start_component("scheduler", ["scheduler"])
        self._start_component("dag-processor", ["dag-processor"])
        self._start_component("triggerer", ["triggerer", "--skip-serve-logs"])
        for worker in self.workers.values():
            self.start_worker(worker, wait=False)
        self.wait_until(self._api_answers, "the API server answers", timeout=120)
        self._create_pools()
        self.wait_until(self._components_healthy, "scheduler, triggerer, dag-processor healthy")
        self.wait_until(self._dags_registered, f"DAGs {', '.join(self.dag_ids)} registered")
        for worker in self.workers.values():
            self.wait_until(lambda w=worker: self._worker_answers(w), f"worker {worker.name} ready")
        self.timings["start_s"] = time.monotonic() - started

    def stop(self) -> None:
        """End every process, drop the databases, delete the Redis keys. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        problems: list[str] = []
        for step in (self._stop_processes, self._drop_databases, self._delete_redis_keys):
            started = time.monotonic()
            try:
                step()
            except Exception as exc:  # every step runs: one failure must not leak the rest
                problems.append(f"{step.__name__}: {type(exc).__name__}: {exc}")
            self.timings[f"{step.__name__.strip('_')}_s"] = time.monotonic() - started
        for component in self.components.values():
            component.log_file.close()
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
        atexit.unregister(self.stop)
        if problems:
            raise DeploymentError("teardown incomplete: " + "; ".join(problems))

    # -- environment ----------------------------------------------------------------------
    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of every component (also right for ``airflow`` CLI calls)."""
        metadata = self.metadata_url.render_as_string(hide_password=False)
        broker_options = "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__"
        env = airflow_env(
            self.home,
            {
                MARKER: self.id,
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata}",
                "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
                f"{broker_options}GLOBAL_KEYPREFIX": self.redis_prefix,
                # A killed worker's unacknowledged message must not come back mid-test.
                f"{broker_options}VISIBILITY_TIMEOUT": "3600",
                # Sending to the broker on 2 busy cores can exceed the 1 s default.
                "AIRFLOW__CELERY__OPERATION_TIMEOUT": "10",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
                "AIRFLOW__API__BASE_URL": self.api_url,
                "AIRFLOW__API__WORKERS": "1",
                **self._secrets,
                # Loopback only, a throwaway database: every request is the admin.
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
                # Runs happen when the test triggers them, never on the DAGs' schedules.
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
                "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
                "SOCIALOPS_WAREHOUSE_URL": self.warehouse_url.render_as_string(hide_password=False),
                "SOCIALOPS_DATA_DIR": str(self.workdir / "data"),
                **FAST_FAILOVER,
                **self.connections,
                **self.extra_env,
                **(extra or {}),
            },
        )
        # Compiled once by the first process, then read by every other one (~2.5x faster
        # start of each component on this machine; see docs/deployment.md).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    @property
    def connections(self) -> dict[str, str]:
        if not self.sandbox_url:
            return {}
        from socialops.sandbox import airflow_connections

        return airflow_connections(self.sandbox_url)

    # -- databases and broker -------------------------------------------------------------
    def create_database(self, label: str) -> URL:
        """A new empty database on the PostgreSQL server, dropped by :meth:`stop`."""
        name = f"socialops_sys_{self.id}_{label}"
        with server_connection(self.pg_server) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return self.pg_server.set(database=name, query={})

    def _drop_databases(self) -> None:
        def drop(name: str) -> None:
            with server_connection(self.pg_server) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        # Each DROP DATABASE waits for a checkpoint (seconds on a busy server); dropped
        # together, they wait for the same one.
        with ThreadPoolExecutor(max(1, len(self.databases))) as pool:
            list(pool.map(drop, self.databases))
        self.databases.clear()

    def _delete_redis_keys(self) -> None:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        try:
            keys = list(client.scan_iter(match=f"{self.redis_prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def redis_keys(self) -> list[str]:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        try:
            return [k.decode() for k in client.scan_iter(match=f"{self.redis_prefix}*")]
        finally:
            client.close()

    # -- processes ------------------------------------------------------------------------
    def _spawn(self, name: str, command: list[str], env: Mapping[str, str]) -> Component:
        if name in self.components and self.components[name].alive:
            raise DeploymentError(f"{name} is already running")
        log_path = self.log_dir / f"{name}.log"
        log_file = open(log_path, "ab")  # noqa: SIM115 - closed by stop()
        process = subprocess.Popen(
            command,
            env=dict(env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.workdir,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        component = Component(name, process, log_path, log_file)
        self.components[name] = component
        return component

    def _start_component(self, name: str, args: list[str]) -> Component:
        return self._spawn(name, [AIRFLOW, *args], self.env())

    def start_worker(self, worker: Worker, *, wait: bool = True) -> Component:
        """Start (or restart, after :meth:`kill_worker`) a Celery worker."""
        self.workers[worker.name] = worker
        self._killed.discard(worker.name)
        component = self._start_component(
            worker.name,
            [
                "celery",
                "worker",
                "--celery-hostname",
                self.worker_hostname(worker.name),
                "--queues",
                ",".join(worker.queues),
                "--concurrency",
                str(worker.concurrency),
                # Two workers on one machine cannot both serve logs on one port; the
                # API server reads the task logs from the shared AIRFLOW_HOME anyway.
                "--skip-serve-logs",
                "--without-mingle",
                "--without-gossip",
            ],
        )
        if wait:
            self.wait_until(lambda: self._worker_answers(worker), f"worker {worker.name} ready")
        return component

    def worker_hostname(self, name: str) -> str:
        return f"{name}@{self.id}"

    def _start_sandbox(self) -> None:
        component = self._spawn(
            "sandbox",
            [sys.executable, "-m", "socialops", "sandbox", "serve", "--port", "0"],
            {**self.env(), "PYTHONUNBUFFERED": "1"},
        )

        def banner() -> bool:
            # "# socialops sandbox on http://127.0.0.1:PORT (seed N); Ctrl-C to stop"
            for line in component.log_path.read_text(errors="replace").splitlines():
                if line.startswith("# socialops sandbox on "):
                    self.sandbox_url = line.split()[4]
                    return True
            return False

        self.wait_until(banner, "the sandbox prints its address", timeout=60)
        self.wait_until(lambda: self.sandbox("GET", "/state") is not None, "the sandbox answers")

    def _migrate(self) -> None:
        result = run_airflow(["db", "migrate"], self.env(), timeout=600)
        (self.log_dir / "db-migrate.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise DeploymentError(
                f"airflow db migrate failed:\n{_tail(self.log_dir / 'db-migrate.log', 60)}"
            )

    def descendants(self, name: str) -> list[Any]:
        """The process of component ``name`` and every process under it (psutil)."""
        import psutil

        try:
            root = psutil.Process(self.components[name].process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kill_worker(self, name: str) -> list[int]:
        """SIGKILL worker ``name`` and its whole process tree (pool processes, task
        supervisors, tasks) at once, like a machine losing power; the pids killed."""
        import psutil

        victims = self.descendants(name)
        self._killed.add(name)
        for process in victims:  # the parent first, so that it cannot respawn its pool
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        self.components[name].process.wait(timeout=10)
        gone, alive = psutil.wait_procs(victims, timeout=10)
        if [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]:
            raise DeploymentError(f"worker {name}: {alive} survived SIGKILL")
        return [p.pid for p in victims]

    def worker_running(self, pid: int) -> str | None:
        """The name of the worker whose process tree holds ``pid`` (a task's), or None."""
        for name in self.workers:
            if name in self.components and any(p.pid == pid for p in self.descendants(name)):
                return name
        return None

    def _stop_processes(self) -> None:
        import psutil

        running = [c for c in self.components.values() if c.alive]
        for component in running:
            _signal_group(component.process.pid, signal.SIGTERM)
        # Throwaway state: a few seconds to stop cleanly, then no mercy.
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for component in running:
            try:
                component.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{component.name} still running after SIGTERM: SIGKILL", file=sys.stderr)
                _signal_group(component.process.pid, signal.SIGKILL)
                component.process.wait(timeout=10)
        for component in self.components.values():
            _signal_group(component.process.pid, signal.SIGKILL)  # stragglers of each group
        # Anything that escaped its group (setsid) still carries the marker.
        leftovers = self.leftover_processes()
        for process in leftovers:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(leftovers, timeout=10)

    def leftover_processes(self) -> list[Any]:
        """Running processes (not zombies) whose environment carries this deployment's marker."""
        import psutil

        found = []
        for process in psutil.process_iter(["pid"]):
            try:
                if process.pid == os.getpid() or process.status() == psutil.STATUS_ZOMBIE:
                    continue
                if process.environ().get(MARKER) == self.id:
                    found.append(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found

    # -- readiness ------------------------------------------------------------------------
    def wait_until(
        self, check: Callable[[], Any], what: str, *, timeout: float = 180, every: float = 0.5
    ) -> Any:
        """Poll ``check`` until it returns something truthy; fail early, with its log, if a
        component died meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            dead = [c for c in self.components.values() if not c.alive and c.name in self._expected]
            if dead:
                raise DeploymentError(
                    f"waiting for {what}: {dead[0].name} exited with code "
                    f"{dead[0].process.returncode}:\n{_tail(dead[0].log_path, 60)}"
                )
            try:
                value = check()
            except (requests.RequestException, OSError, ValueError):
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise DeploymentError(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(every)

    @property
    def _expected(self) -> set[str]:
        """Components that should be running (a killed worker is not)."""
        return {name for name in self.components if name not in self._killed}

    def _api_answers(self) -> bool:
        return requests.get(f"{self.api_url}/api/v2/version", timeout=5).ok

    def _components_healthy(self) -> bool:
        health = self.api("GET", "/monitor/health")
        return all(
            (health.get(part) or {}).get("status") == "healthy"
            for part in ("metadatabase", "scheduler", "triggerer", "dag_processor")
        )

    def _dags_registered(self) -> bool:
        return all(
            requests.get(f"{self.api_url}/api/v2/dags/{dag_id}", timeout=5).ok
            for dag_id in self.dag_ids
        )

    def _worker_answers(self, worker: Worker) -> bool:
        hostname = self.worker_hostname(worker.name)
        replies = self.celery.control.ping(destination=[hostname], timeout=1.0)
        return any(hostname in reply for reply in replies)

    @property
    def celery(self) -> Any:
        """A Celery client on this deployment's broker (for ``control.ping``)."""
        if self._celery_app is None:
            from celery import Celery

            app = Celery("socialops-deployment-probe", broker=REDIS_URL)
            app.conf.broker_transport_options = {"global_keyprefix": self.redis_prefix}
            self._celery_app = app
        return self._celery_app

    def _create_pools(self) -> None:
        for name, pool in self.pools.items():
            self.api(
                "POST",
                "/pools",
                {"name": name, "slots": pool["slots"], "description": pool.get("description")},
            )

    # -- the REST API and the sandbox -----------------------------------------------------
    def api(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = requests.request(
            method, f"{self.api_url}/api/v2{path}", json=body, params=params or None, timeout=30
        )
        if not response.ok:
            # An HTTPError: wait_until polls through it (an API still starting up).
            raise requests.HTTPError(
                f"{method} /api/v2{path}: {response.status_code} {response.text[:2000]}",
                response=response,
            )
        return response.json() if response.content else None

    def sandbox(self, method: str, path: str, body: Any = None) -> Any:
        response = requests.request(
            method, f"{self.sandbox_url}/_sandbox{path}", json=body, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def trigger(
        self, dag_id: str, *, logical_date: str | None = None, conf: dict | None = None
    ) -> str:
        """Trigger a run through the REST API (the scheduler runs it); its run id."""
        run = self.api(
            "POST", f"/dags/{dag_id}/dagRuns", {"logical_date": logical_date, "conf": conf or {}}
        )
        return run["dag_run_id"]

    def wait_for_run(self, dag_id: str, run_id: str, *, timeout: float = 300) -> dict:
        """The run once it succeeded or failed."""
        return self.wait_until(
            lambda: (
                run
                if (run := self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}"))["state"]
                in ("success", "failed")
                else None
            ),
            f"{dag_id} run {run_id} to finish",
            timeout=timeout,
            every=1,
        )

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        instances: list[dict] = []
        while True:
            page = self.api(
                "GET",
                f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                limit=100,
                offset=len(instances),
            )
            instances += page["task_instances"]
            if len(instances) >= page["total_entries"] or not page["task_instances"]:
                return instances

    # -- logs ---------------------------------------------------------------------------
    def logs(self, lines: int = 300) -> dict[str, str]:
        """The last ``lines`` of every component's log, and of task logs that hold an error."""
        found = {path.stem: _tail(path, lines) for path in sorted(self.log_dir.glob("*.log"))}
        for path in sorted((self.home / "logs").rglob("*.log")):
            text = path.read_text(errors="replace")
            if "Traceback" in text or '"level":"error"' in text:
                found[f"task {path.relative_to(self.home / 'logs')}"] = _tail(path, lines // 3)
        return found


def _raise_system_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def server_connection(url: URL = PG_SERVER_URL) -> Any:
    """An autocommit psycopg connection to the server's ``postgres`` database (CREATE and
    DROP DATABASE); a context manager that closes it."""
    import psycopg

    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def single_process_env(workdir: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The environment of ``airflow dags test`` in one process (LocalExecutor, a SQLite
    metadata database migrated in ``workdir``): the reference a Celery deployment is compared
    with. ``env`` sets the connections, the brand configuration and the warehouse."""
    home = workdir / "airflow"
    run_env = airflow_env(home, {**FAST_RETRIES, **env})
    run_env.pop("PYTHONDONTWRITEBYTECODE", None)
    migrate(home, run_env)
    return run_env


def single_process_run(
    workdir: Path, dag_id: str, env: Mapping[str, str], *, logical_date: str | None = None
) -> DagTestResult:
    """``airflow dags test dag_id`` in the environment of :func:`single_process_env`."""
    return dags_test(dag_id, single_process_env(workdir, env), logical_date=logical_date)


# -- the test brand ------------------------------------------------------------------------

MEDIA = INCLUDE_DIR / "calendar" / "media"


def entry_marker(entry_id: str) -> str:
    """The end of every test post's text: finds the posts of one entry on a network."""
    return f"(réf. {entry_id})"


def calendar_rows(
    due: datetime, per_network: int | Mapping[str, int], tag: str
) -> list[dict[str, str]]:
    """Approved entries due at ``due``: ``per_network`` on each network (a number, or one
    per network), one network each, every text unique (``tag`` keeps two runs apart)."""
    counts = (
        per_network if isinstance(per_network, Mapping) else dict.fromkeys(NETWORKS, per_network)
    )
    rows = []
    for network in NETWORKS:
        for number in range(counts.get(network, 0)):
            entry_id = f"{tag}-{network}-{number}"
            row = {
                "entry_id": entry_id,
                "scheduled_at": due.isoformat(),
                "networks": network,
                "text": f"Bougie n°{number} coulée à la main, {network} {entry_marker(entry_id)}",
                "status": "approved",
            }
            if network == "instagram":
                row["media"] = str(MEDIA / "atelier-ambre.jpg")
            if network == "youtube":
                row["media"] = str(MEDIA / "atelier-coulisses.mp4")
                row["title"] = f"Coulisses n°{number}"
            rows.append(row)
    return rows


def write_brand(
    workdir: Path,
    rows: list[dict[str, str]],
    *,
    pools: Mapping[str, int] | None = None,
    queues: bool | Mapping[str, str] = False,
) -> Path:
    """The example brand configuration with ``rows`` as its calendar, written to
    ``workdir``; its path (for ``SOCIALOPS_CONFIG``)."""
    config = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    calendar = write_csv(workdir / "calendar.csv", rows)
    config["publication"]["calendar"] = {"source": "csv", "path": str(calendar)}
    config["publication"]["pools"] = {**config["publication"].get("pools", {}), **(pools or {})}
    config["deployment"] = {"queues": queues if isinstance(queues, bool) else dict(queues)}
    path = workdir / "socialops.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def a_fixed_night(timezone: str, now: datetime) -> str:
    """A logical date for ``nightly_metrics``: just after the latest 03:30 (the schedule) of
    the brand's time zone before ``now``, so that the run loads the day before it."""
    local = now.astimezone(ZoneInfo(timezone))
    night = local.replace(hour=3, minute=31, second=0, microsecond=0)
    if night > local:
        night -= timedelta(days=1)
    return night.isoformat()
