"""The suite's network guard refuses every host but this machine."""

from __future__ import annotations

import socket

import pytest
import requests
from tests.support import network_guard
from tests.support.network_guard import RealNetworkBlocked, is_local


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.0.1", "::1", "localhost", None])
def test_loopback_is_local(host):
    assert is_local(host)


@pytest.mark.parametrize("host", ["api.twitter.com", "10.0.0.1", "192.168.1.2", "8.8.8.8"])
def test_anything_else_is_not(host):
    assert not is_local(host)


def test_a_real_api_call_is_refused_and_fails_the_test_even_when_caught():
    with pytest.raises(requests.ConnectionError):
        requests.get("https://api.twitter.com/2/users/me", timeout=1)  # the adapter's view
    assert network_guard._violations  # so the teardown fails the test ...
    network_guard._violations.clear()  # ... which this test, on purpose, prevents


def test_a_raw_socket_to_a_private_address_is_refused():
    with socket.socket() as sock, pytest.raises(RealNetworkBlocked, match="10.1.2.3"):
        sock.connect(("10.1.2.3", 80))
    network_guard._violations.clear()


def test_loopback_connections_still_work(sandbox_server):
    assert requests.get(f"{sandbox_server.url}/_sandbox/requests", timeout=5).status_code == 200
