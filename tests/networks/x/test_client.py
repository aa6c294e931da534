"""The X client (x/client.py) through the adapter: endpoint names, rate limits, retries, lost
answers, refused credentials, X's error details."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from tests.support.adapters import Sleeps, sandbox_settings
from tests.support.x_world import NOW

from socialops.networks import Draft, errors, idempotency_key
from socialops.networks.x.adapter import XAdapter
from socialops.networks.x.client import endpoint_name
from socialops.sandbox.x_api import XEmulator

SINCE = NOW - timedelta(days=1)


NEWEST_POST = "1800000000000000000"


def test_endpoint_names_group_ids():
    assert endpoint_name("get", "/2/users/42/tweets") == "GET /2/users/:id/tweets"
    assert (
        endpoint_name("GET", "/2/users/by/username/brand") == "GET /2/users/by/username/:username"
    )


def test_short_rate_limit_is_waited_out_inside_the_call(server, sandbox, make_adapter):
    sandbox.add_fault({"network": "x", "kind": "rate_limit", "path": "/2/tweets", "reset_after": 5})
    sleeps = Sleeps()
    adapter = make_adapter(server, sleep=sleeps, max_sleep=60)

    assert [m.post_id for m in adapter.post_metrics([NEWEST_POST])] == [NEWEST_POST]
    assert len(sleeps) == 1 and 5 <= sleeps[0] <= 6  # until x-rate-limit-reset, plus jitter


def test_long_rate_limit_raises_with_the_reset_time(server, sandbox, make_adapter):
    sandbox.add_fault(
        {"network": "x", "kind": "rate_limit", "path": "/2/tweets", "reset_after": 900}
    )
    sleeps = Sleeps()
    adapter = make_adapter(server, sleep=sleeps, max_sleep=60)

    with pytest.raises(errors.RateLimited) as caught:
        adapter.post_metrics([NEWEST_POST])
    assert caught.value.retry_at == NOW + timedelta(seconds=900)
    assert sleeps == [] and caught.value.retryable


def test_server_error_is_retried_then_succeeds(server, sandbox, make_adapter):
    sandbox.add_fault(
        {"network": "x", "kind": "server_error", "path": "/2/users/by/username/.*", "count": 2}
    )
    adapter = make_adapter(server)
    assert adapter.account_metrics("brand", NOW.date()).followers == 12000
    assert adapter.api_calls["GET /2/users/by/username/:username"] == 3


def test_server_errors_beyond_the_attempts_raise_transient(server, sandbox, make_adapter):
    sandbox.add_fault({"network": "x", "kind": "server_error", "path": "/2/users/me", "count": 10})
    adapter = make_adapter(server, max_attempts=2)
    with pytest.raises(errors.TransientError, match="500"):
        adapter.check()
    assert adapter.api_calls["GET /2/users/me"] == 2


def test_dropped_connection_on_a_read_is_transient(server, sandbox, make_adapter):
    sandbox.add_fault(
        {
            "network": "x",
            "kind": "timeout_after_apply",
            "path": "/2/users/me",
            "count": 5,
            "hold_seconds": 0.3,
        }
    )
    adapter = make_adapter(server, timeout=0.1, max_attempts=2)
    with pytest.raises(errors.TransientError) as caught:
        adapter.check()
    assert not isinstance(caught.value, errors.OutcomeUnknown)


def test_a_post_to_a_host_refusing_connections_is_transient_not_unknown():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens once closed
    adapter = XAdapter(sandbox_settings(XEmulator, closed, max_attempts=2), sleep=Sleeps())
    with pytest.raises(errors.TransientError, match="could not connect to X") as caught:
        adapter.publish(Draft("brand", "Never sent"), idempotency_key("e", "x", "Never sent"))
    assert not isinstance(caught.value, errors.OutcomeUnknown)
    assert adapter.api_calls["POST /2/tweets"] == 2  # a post that never left may be sent again


def test_expired_token_names_the_connection(server, sandbox, make_adapter):
    sandbox.add_fault({"network": "x", "kind": "expired_token", "count": 5})
    adapter = make_adapter(server)
    with pytest.raises(errors.AuthError) as caught:
        adapter.check()
    assert caught.value.conn_id == "x_default" and not caught.value.retryable
    assert "x_default" in str(caught.value) and "bearer token" in str(caught.value)
    assert adapter.api_calls["GET /2/users/me"] == 1  # not retried


def test_revoked_bearer_token_is_an_auth_error(server, sandbox, make_adapter):
    sandbox.world.revoked_tokens.add(XEmulator.connection(server.url)["password"])
    with pytest.raises(errors.AuthError, match="x_default"):
        make_adapter(server).profiles(["rival"])


def test_other_client_errors_carry_x_detail(adapter):
    with pytest.raises(errors.InvalidRequest, match="400: .*missing"):
        adapter.mentions("(unbalanced", SINCE)
