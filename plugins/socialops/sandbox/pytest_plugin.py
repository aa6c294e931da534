"""pytest fixtures for testing against the sandbox, usable from any test suite.

Enable them in a ``conftest.py``::

    pytest_plugins = ["socialops.sandbox.pytest_plugin"]

* ``sandbox_server`` (session): one in-process :class:`SandboxServer` on a free port, default
  scenario, seed :data:`SEED`, clock frozen at :data:`FROZEN_NOW`.
* ``sandbox`` (function): the same server with its world, faults and request log reset before
  the test; a :class:`SandboxHandle` (``.url``, ``.world``, ``.requests()``, ``.add_fault()``...).
* ``sandbox_connections`` (function): ``sandbox``, plus the ``AIRFLOW_CONN_*`` environment
  variables of every emulator pointing at it, so ``SlackHook()`` or ``connect("x")`` use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest

from socialops.sandbox import Sandbox, SandboxServer, World, airflow_connections, create_sandbox

SEED = 7
FROZEN_NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


class SandboxHandle:
    """What a test needs from a running sandbox, without going through its admin HTTP API."""

    def __init__(self, server: SandboxServer):
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def sandbox(self) -> Sandbox:
        return self.server.sandbox

    @property
    def world(self) -> World:
        return self.sandbox.world

    def requests(self, network: str | None = None) -> list[dict[str, Any]]:
        """The request log (network, method, path, query, status, fault, at), oldest first."""
        with self.sandbox.lock:
            return [
                dict(r) for r in self.sandbox.requests if network is None or r["network"] == network
            ]

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        """Inject a fault, e.g. ``add_fault(network="x", kind="rate_limit", path="/2/tweets")``."""
        return asdict(self.sandbox.add_fault(spec))

    def state(self) -> dict[str, Any]:
        """Posts per account and Slack messages per channel (as ``GET /_sandbox/state``)."""
        with self.sandbox.lock:
            return self.world.summary()

    def freeze(self, when: datetime | None) -> None:
        """Move the frozen clock (None lets it follow real time)."""
        with self.sandbox.lock:
            self.world.freeze(when)

    def connections(self) -> dict[str, str]:
        return airflow_connections(self.url)

    def reset(self) -> None:
        self.sandbox.reset()


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer(create_sandbox(seed=SEED, now=FROZEN_NOW)) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxHandle:
    sandbox_server.sandbox.reset()
    return SandboxHandle(sandbox_server)


@pytest.fixture
def sandbox_connections(sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> SandboxHandle:
    for name, value in sandbox.connections().items():
        monkeypatch.setenv(name, value)
    return sandbox
