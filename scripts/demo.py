"""``make demo``: the whole routine on this machine, with no credentials and no internet.

1. a project-local Airflow (``.airflow/``, SQLite metadata DB) migrated, with one pool per network;
2. the sandbox of the networks and Slack started in the background on 127.0.0.1;
3. the sandbox connections registered (environment variables, also written to
   ``.airflow/sandbox.env`` for your own shell);
4. every DAG of ``dags/`` run once with ``airflow dags test``;
5. a summary: posts published, rows loaded, Slack messages sent, where outputs are.

``--standalone`` does 1–3 then starts ``airflow standalone`` so that you can open the UI.
Re-runnable: the sandbox is restarted fresh, the warehouse keeps its rows (loads are upserts,
publication is exactly-once, so a second run adds nothing twice).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from socialops.config import load_config  # noqa: E402
from socialops.dev.deployment import airflow_pools  # noqa: E402
from socialops.dev.localenv import (  # noqa: E402
    AIRFLOW,
    FAST_RETRIES,
    airflow_env,
    dags_test,
    migrate,
    register_dags,
    save_task_logs,
    set_pools,
)
from socialops.paths import data_dir  # noqa: E402
from socialops.sandbox import airflow_connections  # noqa: E402

#: publish_posts first so that the night's extraction sees the posts it published; any other
#: DAG file runs after, in name order.
DAG_ORDER = ["publish_posts", "nightly_metrics"]

#: The example calendar (include/calendar/calendar.csv) plans posts from 20 November 2026 on.
#: publish_posts acts at the wall-clock time unless given `as_of`, so the demo replays four
#: moments of that week: each run publishes what is due then, and never what went out before.
DEMO_MOMENTS = {
    "publish_posts": [
        "2026-11-20T09:35:00+01:00",
        "2026-11-21T18:05:00+01:00",
        "2026-11-22T11:05:00+01:00",
        "2026-11-23T17:05:00+01:00",
    ],
}


#: Runs of their own: the digest of today (the day after the night the demo just loaded),
#: at once rather than at reports.digest_time; the weekly report of the example week.
DEMO_CONF = {
    "daily_digest": lambda today: {"day": today.isoformat()},
    "weekly_report": lambda today: {"week": "2026-W47"},
}


def _get(url: str, timeout: float = 2.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def _alive(url: str) -> bool:
    try:
        _get(f"{url}/_sandbox/state", timeout=1)
        return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start_sandbox(home: Path, port: int) -> str:
    """Start the sandbox in the background (or restart ours), wait until it answers."""
    url = f"http://127.0.0.1:{port}"
    pidfile = home / "sandbox.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text()), 15)
            time.sleep(0.5)
        except (ProcessLookupError, ValueError):
            pass
        pidfile.unlink()
    if _alive(url):
        raise SystemExit(
            f"port {port} already serves something else; set SOCIALOPS_SANDBOX_PORT to a free port"
        )
    log = open(home / "sandbox.log", "w")  # noqa: SIM115 - the child owns it
    process = subprocess.Popen(
        [sys.executable, "-m", "socialops", "sandbox", "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        start_new_session=True,
    )
    pidfile.write_text(str(process.pid))
    for _ in range(100):
        if _alive(url):
            return url
        if process.poll() is not None:
            raise SystemExit(f"the sandbox exited at start; see {home / 'sandbox.log'}")
        time.sleep(0.2)
    raise SystemExit(f"the sandbox did not answer on {url}; see {home / 'sandbox.log'}")


def dag_ids() -> list[str]:
    present = sorted(p.stem for p in (ROOT / "dags").glob("*.py"))
    return [d for d in DAG_ORDER if d in present] + [d for d in present if d not in DAG_ORDER]


def summarise(url: str, results: list) -> str:
    lines = ["", "socialops demo summary", "======================"]
    for result in results:
        lines.append(f"  DAG {result.dag_id:<52} {result.state or 'did not run'}")
    state = _get(f"{url}/_sandbox/state")
    requests = _get(f"{url}/_sandbox/requests")
    calls = Counter(r["network"] for r in requests)
    lines.append(
        "  API calls served by the sandbox: "
        + ", ".join(f"{n} {c}" for n, c in sorted(calls.items()))
    )
    slack = state.get("slack", {})
    lines.append(
        "  Slack messages: "
        + (", ".join(f"{ch} {len(msgs)}" for ch, msgs in sorted(slack.items())) or "none")
    )
    try:
        from sqlalchemy import inspect, text

        from socialops.warehouse.engine import get_engine

        engine = get_engine()
        with engine.connect() as conn:
            counts = {
                t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()  # noqa: S608 - table names from the schema
                for t in inspect(conn).get_table_names()
                if t != "alembic_version"
            }
            states = conn.execute(
                text("SELECT state, network, COUNT(*) FROM publications GROUP BY state, network")
            ).all()
        by_state: dict[str, list[str]] = {}
        for publication_state, network, count in states:
            by_state.setdefault(publication_state, []).append(f"{network} {count}")
        lines.append("  publications (exactly once, from the ledger):")
        lines += [f"    {s:<12} {', '.join(sorted(v))}" for s, v in sorted(by_state.items())]
        lines.append(f"  warehouse {engine.url.render_as_string(hide_password=True)}:")
        lines += [f"    {t:<24} {n:>7} rows" for t, n in sorted(counts.items()) if n]
    except Exception as exc:  # the summary must not hide the run's own result
        lines.append(f"  warehouse: could not be read ({exc})")
    reports = sorted((data_dir() / "reports").glob("weekly-*"))
    lines.append(
        "  weekly report: " + (", ".join(str(p) for p in reports) or "none (see its DAG's log)")
    )
    lines.append(
        f"  logs: {Path(os.environ['AIRFLOW_HOME']) / 'logs'} · sandbox log: "
        f"{Path(os.environ['AIRFLOW_HOME']) / 'sandbox.log'}"
    )
    lines.append(
        "  shell with the sandbox connections: source "
        f"{Path(os.environ['AIRFLOW_HOME']) / 'sandbox.env'}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--standalone", action="store_true", help="start airflow standalone on the sandbox"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8080,
        help="with --standalone: the UI's and the API's port (workers are told the same URL)",
    )
    args = parser.parse_args()

    home = Path(os.environ.setdefault("AIRFLOW_HOME", str(ROOT / ".airflow")))
    home.mkdir(parents=True, exist_ok=True)
    port = int(os.environ.get("SOCIALOPS_SANDBOX_PORT", "8800"))
    config = load_config()

    print(f"[1/5] Airflow metadata DB in {home}", flush=True)
    base_env = airflow_env(home)
    migrate(home, base_env)
    set_pools(airflow_pools(config), base_env)
    register_dags(base_env)

    print(f"[2/5] sandbox on http://127.0.0.1:{port}", flush=True)
    url = start_sandbox(home, port)

    print("[3/5] sandbox connections registered", flush=True)
    connections = airflow_connections(url)
    (home / "sandbox.env").write_text(
        "".join(f"export {k}='{v}'\n" for k, v in connections.items())
    )
    env = airflow_env(home, connections)
    os.environ.update(connections)

    if args.standalone:
        # Workers reach the execution API at the base URL: a port without it breaks every task.
        base_url = f"http://127.0.0.1:{args.port}"
        env |= {"AIRFLOW__API__PORT": str(args.port), "AIRFLOW__API__BASE_URL": base_url}
        print(f"[4/5] airflow standalone on {base_url} (Ctrl-C to stop)", flush=True)
        return subprocess.call([AIRFLOW, "standalone"], env=env)

    results = []
    logs: dict[str, list[str]] = {}
    for dag_id in dag_ids():
        for moment in DEMO_MOMENTS.get(dag_id, [None]):
            label = f"{dag_id} (as of {moment})" if moment else dag_id
            print(f"[4/5] airflow dags test {label}", flush=True)
            if moment:
                conf = json.dumps({"as_of": moment})
            elif dag_id in DEMO_CONF:
                today = datetime.now(ZoneInfo(config.brand.timezone)).date()
                conf = json.dumps(DEMO_CONF[dag_id](today))
            else:
                conf = None
            result = dags_test(dag_id, {**env, **FAST_RETRIES}, conf=conf)
            save_task_logs(result, home / "logs")  # so `make airflow` shows the runs' logs
            result.dag_id = label
            logs.setdefault(dag_id, []).append(result.output)
            if not result.ok:
                print(result.tail(40), file=sys.stderr)
            results.append(result)

    for dag_id, outputs in logs.items():
        (data_dir() / f"demo-{dag_id}.log").write_text("\n".join(outputs))

    print("[5/5] summary", flush=True)
    print(summarise(url, results))
    failed = [r.dag_id for r in results if not r.ok]
    if failed:
        print(
            f"\nfailed: {', '.join(failed)} (full logs in {data_dir()}/demo-<dag>.log)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
