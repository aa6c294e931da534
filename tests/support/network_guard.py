"""Tests never reach the real network: only loopback and Unix sockets may be opened.

Adapters default to the real API when a connection has no host, so a test that forgets to
point one at the sandbox would call X or Slack for real. This pytest plugin (loaded by
``tests/conftest.py``) wraps socket connections and name resolution in the test process:
anything but ``127.0.0.0/8``, ``::1``, ``localhost`` and Unix sockets raises
:class:`RealNetworkBlocked`, and the test fails at teardown even if the code under test
caught the error (an adapter turns connection errors into retryable ones). Subprocesses
(``airflow dags test``) get their connections from the sandbox fixtures instead.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

_violations: list[str] = []
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class RealNetworkBlocked(OSError):
    """A test tried to reach a host that is not this machine."""


def is_local(host: object) -> bool:
    if host in (None, "", "localhost", b"localhost"):
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        return ipaddress.ip_address(text.split("%", 1)[0]).is_loopback
    except ValueError:
        return text.endswith(".localhost")


def _refuse(what: str) -> RealNetworkBlocked:
    _violations.append(what)
    return RealNetworkBlocked(f"tests may only reach loopback addresses; refused {what}")


def _check(sock: socket.socket, address: object) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not is_local(host):
        raise _refuse(f"a connection to {address!r}")


def _connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    return _real_connect(self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):
    if not is_local(host):
        raise _refuse(f"resolving {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo


def pytest_configure(config: pytest.Config) -> None:
    install()


@pytest.fixture(autouse=True)
def no_real_network() -> Iterator[None]:
    """Fails the test that tried to reach a non-loopback host, even if the error was caught."""
    _violations.clear()
    yield
    if _violations:
        tried = "; ".join(dict.fromkeys(_violations))
        _violations.clear()
        pytest.fail(f"the test tried to reach the real network: {tried}", pytrace=False)
