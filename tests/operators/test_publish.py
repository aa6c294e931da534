"""The publish operators, executed directly (``op.execute(context)``) against a warehouse."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException
from tests.support.publishing import NOW, ScriptedNetwork, plan_ids

from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import AuthError, InvalidRequest, OutcomeUnknown, RateLimited
from socialops.networks.registry import NETWORKS
from socialops.operators.publish import PublishOperator
from socialops.runtime import ALLOW_AS_OF_VAR, parse_as_of


def failing_network(error: Exception) -> ScriptedNetwork:
    network = ScriptedNetwork()
    network.script = [error]
    return network


@pytest.fixture(autouse=True)
def sandbox_clock(monkeypatch):
    """These tests act at NOW through the operator's as_of, as the sandbox allows."""
    monkeypatch.setenv(ALLOW_AS_OF_VAR, "true")


@pytest.fixture
def publication_id(use_warehouse):
    (publication_id,) = plan_ids(use_warehouse, {"entry_id": "e1", "text": "Bonjour"})
    return publication_id


@pytest.fixture
def no_pause(monkeypatch):
    monkeypatch.setattr("airflow.sdk.Variable.get", lambda name, default=None: default)


def context(try_number=1):
    ti = SimpleNamespace(
        dag_id="publish_posts",
        run_id="manual__1",
        task_id="publish_x",
        map_index=0,
        try_number=try_number,
    )
    return {"ti": ti}


def operator(publication_id, network: NetworkAdapter):
    op = PublishOperator(
        task_id="publish_x",
        network="x",
        publication_ids=[str(publication_id)],
        as_of=NOW.isoformat(),
    )
    op.hook = SimpleNamespace(get_adapter=lambda: network)  # what the cached_property would build
    return op


@pytest.mark.parametrize("network", NETWORKS)
def test_one_operator_serves_every_network_with_templated_conn_id(network):
    assert "conn_id" in PublishOperator.template_fields
    op = PublishOperator(task_id="t", network=network, publication_ids=[1])
    assert op.hook.network == network and op.hook.conn_id == f"{network}_default"
    other = PublishOperator(task_id="t", network=network, publication_ids=[1], conn_id="brand2")
    assert other.hook.conn_id == "brand2"


def test_an_unknown_network_is_named():
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        PublishOperator(task_id="t", network="myspace", publication_ids=[1])


def test_publishes_and_returns_a_small_xcom(publication_id, no_pause):
    network = ScriptedNetwork()
    result = operator(publication_id, network).execute(context())
    assert result["states"] == {"published": 1}
    (published,) = result["publications"]
    assert published["url"] == "https://x.com/maisonlumiere/status/1"
    assert set(published) == {"publication_id", "state", "detail", "external_id", "url", "retry_at"}
    assert operator(publication_id, network).execute(context(2))["states"] == {"skipped": 1}
    assert network.api_calls["publish"] == 1


def test_a_retry_takes_over_the_lease_of_its_killed_try(use_warehouse, publication_id, no_pause):
    from socialops.publishing import PublicationLedger

    network = ScriptedNetwork()
    # Try 1 of this task instance claimed the publication, then its worker was killed.
    owner_of_try_1 = "publish_posts/manual__1/publish_x[0]#1"
    assert PublicationLedger(use_warehouse).claim(int(publication_id), owner_of_try_1, NOW)
    assert operator(publication_id, network).execute(context(2))["states"] == {"published": 1}
    assert network.api_calls["publish"] == 1


def test_rate_limit_ends_the_task_successfully_and_waits(publication_id, no_pause):
    reset = NOW + timedelta(minutes=15)
    result = operator(
        publication_id, failing_network(RateLimited("x", "429", retry_at=reset))
    ).execute(context())
    (waiting,) = result["publications"]
    assert (waiting["state"], waiting["retry_at"]) == ("pending", reset.isoformat())


def test_unknown_outcome_asks_airflow_to_retry(publication_id, no_pause):
    with pytest.raises(AirflowException, match="next attempt will look for it") as raised:
        operator(publication_id, failing_network(OutcomeUnknown("x", "timeout"))).execute(context())
    assert not isinstance(raised.value, AirflowFailException)


def test_auth_error_fails_without_retry(publication_id, no_pause):
    error = AuthError("x", "401", conn_id="x_default", renew="the OAuth 2.0 user token")
    with pytest.raises(
        AirflowFailException,
        match="renew the OAuth 2.0 user token in Airflow connection 'x_default'",
    ):
        operator(publication_id, failing_network(error)).execute(context())


def test_the_kill_switch_is_honoured_at_execution(publication_id, monkeypatch):
    monkeypatch.setattr("airflow.sdk.Variable.get", lambda name, default=None: "crisis alert 14:02")
    network = ScriptedNetwork()
    (result,) = operator(publication_id, network).execute(context())["publications"]
    assert result["state"] == "paused" and "crisis alert 14:02" in result["detail"]
    assert network.api_calls["publish"] == 0


def test_as_of():
    assert parse_as_of("2026-11-24T10:05:00Z") == NOW
    assert parse_as_of("2026-11-24T10:05:00") == NOW  # no zone means UTC
    assert parse_as_of("None") is None and parse_as_of(None) is None


def chunk_operator(publication_ids, network: NetworkAdapter):
    op = PublishOperator(
        task_id="publish_x",
        network="x",
        publication_ids=[str(i) for i in publication_ids],
        as_of=NOW.isoformat(),
    )
    op.hook = SimpleNamespace(get_adapter=lambda: network)
    return op


def test_a_chunk_publishes_every_post_then_fails_as_its_worst(use_warehouse, no_pause):
    ids = plan_ids(use_warehouse, *({"entry_id": f"e{i}", "text": f"Post {i}"} for i in range(4)))
    network = ScriptedNetwork()
    network.script = ["ok", InvalidRequest("x", "text refused"), "ok", "ok"]
    with pytest.raises(AirflowFailException, match="text refused"):
        chunk_operator(ids, network).execute(context())
    assert network.api_calls["publish"] == 4  # the refusal did not stop the others
    # A post that can be retried wins: Airflow retries the task, the rest is skipped then.
    more = plan_ids(use_warehouse, *({"entry_id": f"f{i}", "text": f"Autre {i}"} for i in range(2)))
    network.script = [InvalidRequest("x", "text refused"), OutcomeUnknown("x", "timeout")]
    with pytest.raises(AirflowException, match=r"next attempt will look for it") as raised:
        chunk_operator(more[-2:], network).execute(context())
    assert not isinstance(raised.value, AirflowFailException)
