"""The extraction operators, executed directly (``op.execute(context)``) against the sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException
from tests.support.metrics_world import DAY, connection_of, running_sandbox

from socialops.metrics import store
from socialops.notifications.callbacks import AlreadyReported
from socialops.operators.extract import MetricsExtractOperator

# The run at 03:30 Paris on the 21st: its interval starts on the 20th at 03:30 Paris.
CONTEXT = {"data_interval_start": datetime(2026, 11, 20, 2, 30, tzinfo=UTC)}


@pytest.fixture
def sandbox(use_warehouse, monkeypatch):
    with running_sandbox() as server:
        for network in ("x", "youtube"):
            connection = connection_of(server, network)
            connection.setdefault("extra", {}).update({"max_attempts": 1, "max_sleep": 1})
            monkeypatch.setenv(f"AIRFLOW_CONN_{network.upper()}_DEFAULT", json.dumps(connection))
        yield server


def test_one_operator_for_every_network():
    assert "conn_id" in MetricsExtractOperator.template_fields
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        MetricsExtractOperator(task_id="t", network="myspace", account="brand")


def test_extracts_the_day_of_the_data_interval(sandbox):
    summary = MetricsExtractOperator(task_id="extract_x", network="x", account="brand").execute(
        CONTEXT
    )

    assert summary["day"] == DAY.isoformat() and summary["network"] == "x"
    assert summary["rows"]["post_metrics_daily"] == 14
    assert summary["api_calls_total"] == 2  # the user, then one timeline page with the metrics
    json.dumps(summary)  # fit for XCom


def test_the_task_builds_one_adapter_and_closes_it(sandbox, monkeypatch):
    from socialops.hooks import network as hooks

    built = []

    def build(network, settings):
        built.append(real(network, settings))
        built[-1].close = lambda: closed.append(network)
        return built[-1]

    real, closed = hooks.build_adapter, []
    monkeypatch.setattr(hooks, "build_adapter", build)

    summary = MetricsExtractOperator(task_id="extract_x", network="x", account="brand").execute(
        CONTEXT
    )

    assert len(built) == 1 and closed == ["x"]
    # The account metrics and the timeline share the adapter: the user is looked up once.
    assert summary["api_calls"]["GET /2/users/by/username/:username"] == 1


def test_a_configured_account_id_is_asked_by_id(sandbox):
    from tests.support.metrics_world import X_BRAND

    summary = MetricsExtractOperator(
        task_id="extract_x", network="x", account="brand", account_id=X_BRAND
    ).execute(CONTEXT)

    assert summary["account_id"] == X_BRAND and summary["rows"]["post_metrics_daily"] == 14
    assert set(summary["api_calls"]) == {"GET /2/users/:id", "GET /2/users/:id/tweets"}


def test_an_explicit_day_wins(sandbox):
    operator = MetricsExtractOperator(
        task_id="extract_x", network="x", account="brand", day="2026-11-18", lookback_days=2
    )
    summary = operator.execute(CONTEXT)
    assert summary["day"] == "2026-11-18" and summary["posts_in_window"] == 4


def test_spent_quota_fails_without_retry_and_is_recorded(sandbox, use_warehouse):
    sandbox.sandbox.emulators["youtube"].daily_quota = 0

    with pytest.raises(
        AirflowFailException, match=r"youtube brand, 2026-11-20: \[youtube\]"
    ) as raised:
        MetricsExtractOperator(
            task_id="extract_youtube", network="youtube", account="brand"
        ).execute(CONTEXT)
    # The nightly report announces the recorded failure: no second, generic alert.
    assert isinstance(raised.value, AlreadyReported)

    [alert] = store.unannounced_alerts(use_warehouse, DAY)
    assert alert["kind"] == "extraction_failure" and alert["details"]["error"] == "QuotaExceeded"


def test_rate_limit_is_retried_by_airflow(sandbox):
    sandbox.sandbox.add_fault(
        {"network": "x", "kind": "rate_limit", "count": 5, "reset_after": 900}
    )

    with pytest.raises(AirflowException) as raised:
        MetricsExtractOperator(task_id="extract_x", network="x", account="brand").execute(CONTEXT)
    assert not isinstance(raised.value, AirflowFailException)
    assert isinstance(raised.value, AlreadyReported)
    assert "rate limit" in str(raised.value)
