"""listen_mentions end to end: `airflow dags test` against the sandbox (the crisis scenario,
then the default world).

Three runs (each costs ~20-60 s): the service layer has the full matrix in tests/listening.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import func, select
from tests.support.airflow import airflow_home, airflow_template, run_dag  # noqa: F401

from socialops.config.loader import DEFAULT_PATH
from socialops.paths import PROJECT_ROOT
from socialops.sandbox import SandboxServer, airflow_connections, create_sandbox
from socialops.warehouse.engine import create_warehouse_engine
from socialops.warehouse.models import CrisisIncident, ListeningCursor, Mention

pytestmark = pytest.mark.integration

CRISIS = PROJECT_ROOT / "include" / "scenarios" / "crisis.yaml"


@pytest.fixture
def crisis_world(monkeypatch):
    """The crisis scenario, its clock frozen at the wall clock (the adapters' clock)."""
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    with SandboxServer(create_sandbox(CRISIS, now=now)) as server:
        for name, value in airflow_connections(server.url).items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture
def environment(tmp_path, crisis_world):
    config = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    config["listening"]["first_lookback"] = "7d"  # the detector needs days of history
    config["listening"]["feeds"] = [
        f"{crisis_world.url}/feeds/news.xml",
        f"{crisis_world.url}/feeds/broken.xml",
    ]
    path = tmp_path / "socialops.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    return {"SOCIALOPS_CONFIG": str(path), "SOCIALOPS_WAREHOUSE_URL": url}, url


def counts(url):
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as connection:
            by_network = dict(
                connection.execute(
                    select(Mention.network, func.count()).group_by(Mention.network)
                ).all()
            )
            cursors = connection.execute(select(ListeningCursor.source)).scalars().all()
            incidents = connection.execute(select(CrisisIncident.severity)).scalars().all()
        return by_network, set(cursors), incidents
    finally:
        engine.dispose()


def alerts(server, *, replies=False):
    """The alerts channel's messages (``replies``: the replies in their threads instead)."""
    return [
        message["text"] + json.dumps(message["blocks"], ensure_ascii=False)
        for channel, messages in server.sandbox.world.summary()["slack"].items()
        if "alert" in channel.lower()
        for message in messages
        if bool(message.get("thread_ts") and message["thread_ts"] != message["ts"]) == replies
    ]


def test_listen_mentions_reads_every_source_alerts_once_and_isolates_a_broken_feed(
    run_dag,  # noqa: F811
    environment,
    crisis_world,
):
    env, url = environment
    first = run_dag("listen_mentions", extra_env=env)
    # The broken feed fails its own task, so the run ends failed; everything else ran.
    assert first.state == "failed", first.tail()
    by_network, cursors, incidents = counts(url)
    assert by_network["x"] > 50 and by_network["web"] >= 1, by_network
    assert {"instagram", "facebook"} <= set(by_network), by_network
    assert f"feed:{crisis_world.url}/feeds/news.xml" in cursors
    assert f"feed:{crisis_world.url}/feeds/broken.xml" not in cursors
    assert "x:search" in cursors and "crisis:brand" in cursors
    assert incidents == ["crisis"]
    texts = alerts(crisis_world)
    # One message for the incident (a warning that escalated within the run edits it, and
    # answers it in its thread).
    crisis = [t for t in texts if "Incident depuis" in t]
    assert len(crisis) == 1, texts
    thread = [t for t in alerts(crisis_world, replies=True) if "Incident depuis" in t]
    assert len(thread) == len(set(thread)), thread  # each later event answered once
    assert "publication est en pause" in crisis[0] or "publication reste en pause" in crisis[0]
    assert "airflow variables delete socialops_publication_paused" in crisis[0]
    assert any("broken.xml" in t and "Écoute" in t for t in texts), texts

    second = run_dag("listen_mentions", extra_env=env)
    assert second.state == "failed", second.tail()
    assert counts(url)[0] == by_network  # a rerun reads nothing twice
    assert len([t for t in alerts(crisis_world) if "Incident depuis" in t]) == 1
    again = [t for t in alerts(crisis_world, replies=True) if "Incident depuis" in t]
    assert again[: len(thread)] == thread and len(again) == len(set(again))  # none twice
    assert len([t for t in alerts(crisis_world) if "broken.xml" in t]) == 1  # once a day


@pytest.fixture
def default_world(monkeypatch):
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    with SandboxServer(create_sandbox(now=now)) as server:
        for name, value in airflow_connections(server.url).items():
            monkeypatch.setenv(name, value)
        yield server


def test_on_the_default_world_every_source_succeeds_and_nothing_is_announced(
    run_dag,  # noqa: F811
    default_world,
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    env = {"SOCIALOPS_CONFIG": str(DEFAULT_PATH), "SOCIALOPS_WAREHOUSE_URL": url}
    result = run_dag("listen_mentions", extra_env=env)
    assert result.ok, result.tail()
    by_network, cursors, incidents = counts(url)
    assert by_network.get("x"), by_network
    assert {"x:search", "instagram:hashtags:maisonlumiere", "youtube:search"} <= cursors
    # A first run reads one day (first_lookback): no baseline yet, and the default world's
    # burst of four hours ago would be history anyway (recorded, not announced).
    assert not [t for t in alerts(default_world) if "Incident depuis" in t]
