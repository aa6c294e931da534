"""The public-lookup operators, executed directly (``op.execute(context)``) against the
sandbox: which day they own, what they return, which failures Airflow retries."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException
from tests.support.competitor_world import CONFIG, DAY, build_competitor_world

from socialops.operators.watch import CompetitorWatchOperator, InfluencerScoringOperator
from socialops.sandbox import Sandbox, SandboxServer, emulator_types

# The run at 06:30 Paris on the 21st: its interval starts on the 20th at 06:30 Paris.
CONTEXT = {
    "data_interval_start": datetime(2026, 11, 20, 5, 30, tzinfo=UTC),
    "data_interval_end": datetime(2026, 11, 21, 5, 30, tzinfo=UTC),
}


@pytest.fixture
def sandbox(use_warehouse, monkeypatch, tmp_path):
    config = tmp_path / "socialops.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(config))
    with SandboxServer(Sandbox(build_competitor_world, emulator_types(["x"]))) as server:
        emulator = type(server.sandbox.emulators["x"])
        connection = emulator.connection(server.url)
        connection.setdefault("extra", {}).update({"max_attempts": 1, "max_sleep": 1})
        monkeypatch.setenv("AIRFLOW_CONN_X_DEFAULT", json.dumps(connection))
        yield server


def test_watches_the_day_its_data_interval_starts_on(sandbox):
    summary = CompetitorWatchOperator(task_id="watch_x", network="x").execute(CONTEXT)

    assert summary["day"] == DAY.isoformat()
    assert sorted(summary["watched"]) == ["otherco", "rival"]
    json.dumps(summary)  # fit for XCom


def test_a_network_down_is_retried_by_airflow(sandbox):
    sandbox.sandbox.add_fault({"network": "x", "kind": "server_error", "count": None, "rate": 1.0})
    with pytest.raises(AirflowException, match=r"competitor watch x, 2026-11-20") as raised:
        CompetitorWatchOperator(task_id="watch_x", network="x").execute(CONTEXT)
    assert not isinstance(raised.value, AirflowFailException)


def test_a_refused_token_is_not_retried(sandbox):
    sandbox.sandbox.add_fault({"network": "x", "kind": "expired_token", "count": None, "rate": 1.0})
    with pytest.raises(AirflowFailException, match="competitor watch x"):
        CompetitorWatchOperator(task_id="watch_x", network="x").execute(CONTEXT)


def test_scoring_owns_the_day_its_interval_ends_on(sandbox):
    summary = InfluencerScoringOperator(task_id="score_x", network="x").execute(CONTEXT)
    assert summary["day"] == "2026-11-21"
