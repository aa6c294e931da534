"""publish_posts end to end: `airflow dags test` in a temporary AIRFLOW_HOME, against the sandbox.

Asserts what the community managers care about: each due approved entry is on each of its
networks exactly once across overlapping runs and a rerun; drafts, cancelled and invalid
rows never are; the invalid row is in ONE Slack summary; each entry is confirmed in ONE Slack
message, edited as its networks go out.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from tests.support.airflow import airflow_home, airflow_template, run_dag  # noqa: F401

from socialops.calendar.sources import write_csv
from socialops.config.loader import DEFAULT_PATH
from socialops.paths import INCLUDE_DIR

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)  # the sandbox fixture's frozen clock
VIDEO = INCLUDE_DIR / "calendar" / "media" / "atelier-coulisses.mp4"


def rows():
    due = (NOW - timedelta(minutes=10)).isoformat()
    return [
        {
            "entry_id": "e2e-launch",
            "scheduled_at": due,
            "networks": "x|linkedin",
            "text": "Ambre est là <!channel> & plus",
            "status": "approved",
        },
        {
            "entry_id": "e2e-video",
            "scheduled_at": due,
            "networks": "youtube",
            "text": "Les coulisses de l'atelier",
            "title": "Coulisses",
            "media": str(VIDEO),
            "status": "approved",
        },
        {
            "entry_id": "e2e-draft",
            "scheduled_at": due,
            "networks": "x",
            "text": "Brouillon e2e",
            "status": "draft",
        },
        {
            "entry_id": "e2e-cancelled",
            "scheduled_at": due,
            "networks": "x",
            "text": "Annulé e2e",
            "status": "cancelled",
        },
        {
            "entry_id": "e2e-too-long",
            "scheduled_at": due,
            "networks": "x",
            "text": "Trop long " + "a" * 300,
            "status": "approved",
        },
        {
            "entry_id": "e2e-later",
            "scheduled_at": (NOW + timedelta(days=2)).isoformat(),
            "networks": "x",
            "text": "Plus tard e2e",
            "status": "approved",
        },
    ]


@pytest.fixture
def environment(tmp_path, sandbox_connections):
    """Config pointing at a test calendar; sandbox connections; a warehouse of this test."""
    config = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    calendar = write_csv(tmp_path / "calendar.csv", rows())
    config["publication"]["calendar"] = {"source": "csv", "path": str(calendar)}
    config_path = tmp_path / "socialops.yaml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return {"SOCIALOPS_CONFIG": str(config_path)}, calendar


def slack_texts(sandbox):
    return [
        message["text"] + json.dumps(message["blocks"], ensure_ascii=False)
        for messages in sandbox.state()["slack"].values()
        for message in messages
    ]


def check_published_once(sandbox):
    posts = sandbox.world.posts.values()
    x_posts = [
        p for p in posts if p.network == "x" and "e2e" not in p.text and "Ambre est là" in p.text
    ]
    assert len(x_posts) == 1, [p.text for p in posts if p.network == "x"][-5:]
    assert len([p for p in posts if p.network == "linkedin" and "Ambre est là" in p.text]) == 1
    assert len([p for p in posts if p.network == "youtube" and p.title == "Coulisses"]) == 1
    texts = " ".join(p.text for p in posts)
    for never in ("Brouillon e2e", "Annulé e2e", "Trop long", "Plus tard e2e"):
        assert never not in texts


SECOND = {
    "entry_id": "e2e-second",
    "scheduled_at": (NOW - timedelta(minutes=2)).isoformat(),
    "networks": "x",
    "text": "Deuxième vague e2e-overlap",
    "status": "approved",
}


def run(runner, env, logical_date):
    conf = json.dumps({"as_of": NOW.isoformat()})
    return runner("publish_posts", logical_date=logical_date, extra_env=env, conf=conf)


def scenario(runner, environment, sandbox, calendar):
    first = run(runner, environment, "2026-11-21T09:50:00+00:00")
    assert first.ok, first.tail()
    check_published_once(sandbox)

    # A new due entry, then two overlapping runs: a new one and a rerun of the first. (The
    # first run ran alone so that Airflow's own first-time DAG registration is not raced.)
    write_csv(calendar, [*rows(), SECOND])
    results = {}

    def start(name, logical_date):
        results[name] = run(runner, environment, logical_date)

    threads = [
        threading.Thread(target=start, args=("new run", "2026-11-21T09:55:00+00:00")),
        threading.Thread(target=start, args=("rerun", "2026-11-21T09:50:00+00:00")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, result in results.items():
        assert result.ok, f"{name}:\n{result.tail()}"
    check_published_once(sandbox)
    assert len([p for p in sandbox.world.posts.values() if SECOND["text"] in p.text]) == 1

    texts = slack_texts(sandbox)
    rejected = [t for t in texts if "e2e-too-long" in t]
    assert len(rejected) == 1 and "`text` (X)" in rejected[0]
    assert "raccourcissez-le de" in rejected[0]  # the brand's language (brand.locale: fr)
    # One confirmation for the entry, edited as its networks went out.
    [launch] = [t for t in texts if "e2e-launch" in t]
    assert "publiée sur X et LinkedIn" in launch
    assert len([t for t in texts if "e2e-second" in t]) == 1
    assert not any("<!channel>" in t for t in texts)


def test_publish_posts_on_sqlite(run_dag, environment, sandbox_connections, tmp_path):  # noqa: F811
    env, calendar = environment
    env["SOCIALOPS_WAREHOUSE_URL"] = f"sqlite:///{tmp_path / 'warehouse.db'}"
    scenario(run_dag, env, sandbox_connections, calendar)


@pytest.mark.postgres
def test_publish_posts_on_postgres(run_dag, environment, sandbox_connections, pg_engine):  # noqa: F811
    env, calendar = environment
    env["SOCIALOPS_WAREHOUSE_URL"] = pg_engine.url.render_as_string(hide_password=False)
    scenario(run_dag, env, sandbox_connections, calendar)


def test_the_kill_switch_variable_holds_everything_and_lists_it(
    run_dag,  # noqa: F811
    environment,
    sandbox_connections,
    tmp_path,
):
    env, _ = environment
    env["SOCIALOPS_WAREHOUSE_URL"] = f"sqlite:///{tmp_path / 'warehouse.db'}"
    env["AIRFLOW_VAR_SOCIALOPS_PUBLICATION_PAUSED"] = "crise en cours sur X"
    before = len(sandbox_connections.world.posts)
    result = run(run_dag, env, "2026-11-21T09:50:00+00:00")
    assert result.ok, result.tail()
    assert len(sandbox_connections.world.posts) == before
    paused = [t for t in slack_texts(sandbox_connections) if "crise en cours sur X" in t]
    assert len(paused) == 1 and "e2e-launch" in paused[0] and "e2e-draft" not in paused[0]
