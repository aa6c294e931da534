"""weekly_report end to end: `airflow dags test` for a past week, against the sandbox's Slack.

One test (each run costs ~15 s): the report's content is tested in tests/reports.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from tests.support.airflow import airflow_home, airflow_template, run_dag  # noqa: F401
from tests.support.reports_world import seed_history

from socialops.warehouse.engine import create_warehouse_engine, ensure_schema

pytestmark = pytest.mark.integration


def summaries(sandbox):
    return sandbox.state()["slack"].get("#marketing-reports", [])


def test_a_past_week_stored_and_announced_once(run_dag, sandbox_connections, tmp_path):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    engine = create_warehouse_engine(url)
    ensure_schema(engine)
    seed_history(engine, last=date(2026, 11, 23), networks=("x", "instagram"), days=60)
    engine.dispose()
    env = {"SOCIALOPS_WAREHOUSE_URL": url}
    conf = json.dumps({"week": "2026-W47"})

    first = run_dag("weekly_report", extra_env=env, conf=conf)
    assert first.ok, first.tail()
    stored = tmp_path / "data" / "reports"
    assert sorted(p.name for p in stored.iterdir()) == [
        "weekly-2026-W47.html",
        "weekly-2026-W47.pdf",
    ]
    posted, files = summaries(sandbox_connections)
    assert "Rapport de la semaine 2026-W47" in posted["text"]
    assert files["thread_ts"] == posted["ts"]  # the files, in the summary's thread
    # In Slack the names carry the version (the start of its content hash), the same for both.
    names = sorted(f["name"] for f in files["files"])
    version = re.fullmatch(r"weekly-2026-W47-([0-9a-f]{12})\.html", names[0]).group(1)
    assert names == [f"weekly-2026-W47-{version}.html", f"weekly-2026-W47-{version}.pdf"]

    again = run_dag("weekly_report", extra_env=env, conf=conf)
    assert again.ok, again.tail()
    # the same report: nothing announced, nothing uploaded again
    assert summaries(sandbox_connections) == [posted, files]
