from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from tests.support.metrics_world import TIMEZONE, adapter_for, running_sandbox

from socialops.metrics import AccountExtraction, AccountTarget
from socialops.networks import NetworkAdapter
from socialops.sandbox import SandboxServer

LOOKBACK = {"x": 7, "youtube": 3}


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with running_sandbox() as running:
        yield running


@pytest.fixture
def adapters(server: SandboxServer) -> Iterator[Callable[[str], NetworkAdapter]]:
    made: list[NetworkAdapter] = []

    def make(network: str) -> NetworkAdapter:
        made.append(adapter_for(server, network))
        return made[-1]

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def extract(warehouse_engine: Engine, adapters):
    """``extract(network, day)``: one account's nightly run on a fresh adapter."""

    def run(network: str, day, *, handle: str = "brand", follower_change_pct: float = 20.0):
        service = AccountExtraction(
            adapters(network),
            warehouse_engine,
            timezone=TIMEZONE,
            follower_change_pct=follower_change_pct,
        )
        return service.run(AccountTarget(network, handle, LOOKBACK[network]), day)

    return run
