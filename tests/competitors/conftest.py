from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine
from tests.support.competitor_world import NOW, build_competitor_world, competitor_config
from tests.support.metrics_world import adapter_for

from socialops.competitors.service import NetworkWatch, WatchResult, targets_from_config
from socialops.notifications.catalogue import Reader
from socialops.sandbox import Sandbox, SandboxServer, emulator_types

NETWORKS = ["x", "instagram", "facebook", "linkedin"]


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def server(clock) -> Iterator[SandboxServer]:
    sandbox = Sandbox(lambda: build_competitor_world(clock), emulator_types(NETWORKS))
    with SandboxServer(sandbox) as running:
        yield running


@pytest.fixture
def config():
    return competitor_config()


@pytest.fixture
def watch(server, warehouse_engine: Engine, config) -> Callable[..., WatchResult]:
    """``watch(network, day)``: one network's watch of ``day`` on a fresh adapter."""

    def run(network: str, day, **settings) -> WatchResult:
        adapter = adapter_for(server, network)
        try:
            service = NetworkWatch(
                adapter,
                warehouse_engine,
                reader=Reader.for_brand(config),
                channel="#digest",
                window_days=settings.get("window_days", 28),
                retry_days=settings.get("retry_days", 7),
            )
            return service.run(targets_from_config(config, network), day)
        finally:
            adapter.close()

    return run
