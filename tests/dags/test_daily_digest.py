"""daily_digest end to end: `airflow dags test` against the sandbox's Slack.

One test (each run costs ~15 s): the digest's content is tested in tests/reports.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from tests.support.airflow import airflow_home, airflow_template, run_dag  # noqa: F401
from tests.support.reports_world import seed_history, seed_today

from socialops.warehouse.engine import create_warehouse_engine, ensure_schema
from socialops.warehouse.models import Post

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 24)
AT_EIGHT = json.dumps({"as_of": "2026-11-24T08:05:00+01:00"})


def digests(sandbox):
    return sandbox.state()["slack"].get("#cm-digest", [])


def test_one_digest_a_day_updated_when_its_figures_change(run_dag, sandbox_connections, tmp_path):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    engine = create_warehouse_engine(url)
    ensure_schema(engine)
    seed_history(engine, last=date(2026, 11, 23), networks=("x", "instagram"), days=40)
    seed_today(engine, TODAY)
    env = {"SOCIALOPS_WAREHOUSE_URL": url}

    first = run_dag("daily_digest", extra_env=env, conf=AT_EIGHT)
    assert first.ok, first.tail()
    (posted,) = digests(sandbox_connections)
    shown = posted["text"] + json.dumps(posted["blocks"], ensure_ascii=False)
    assert "Point du matin" in shown and "Commentaires en attente de réponse" in shown

    again = run_dag("daily_digest", extra_env=env, conf=AT_EIGHT)
    assert again.ok, again.tail()
    assert digests(sandbox_connections) == [posted]  # nothing new, nothing sent

    with engine.begin() as connection:  # the night is reloaded: other post texts
        connection.execute(Post.__table__.update().values(text="Texte rechargé"))
    engine.dispose()
    reloaded = run_dag("daily_digest", extra_env=env, conf=AT_EIGHT)
    assert reloaded.ok, reloaded.tail()
    (edited,) = digests(sandbox_connections)  # the same message, edited
    assert edited["ts"] == posted["ts"] and "Texte rechargé" in json.dumps(
        edited["blocks"], ensure_ascii=False
    )
