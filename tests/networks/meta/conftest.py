"""Fixtures of the Meta adapter tests: the Graph emulators over real HTTP, adapters on a
fake clock."""

from __future__ import annotations

import pytest
from tests.support.adapters import Clock, sandbox_fixtures, sandbox_settings
from tests.support.ads_world import (
    build_ads_world,
)
from tests.support.meta_world import (
    NOW,
    build_meta_world,
)

from socialops.networks.meta.facebook import FacebookAdapter
from socialops.networks.meta.instagram import InstagramAdapter
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.meta_api import FacebookEmulator, InstagramEmulator

EMULATORS = {"facebook": FacebookEmulator, "instagram": InstagramEmulator}
ADAPTERS = {"facebook": FacebookAdapter, "instagram": InstagramAdapter}


server, sandbox = sandbox_fixtures(build_meta_world, FacebookEmulator, InstagramEmulator)


def sandbox_adapter(server, network: str, **extras):
    settings = sandbox_settings(EMULATORS[network], server.url, container_poll_interval=1, **extras)
    clock = Clock(NOW)
    return ADAPTERS[network](settings, sleep=clock, now=clock.now)


@pytest.fixture
def facebook(server):
    adapter = sandbox_adapter(server, "facebook")
    yield adapter
    adapter.close()


@pytest.fixture
def instagram(server):
    adapter = sandbox_adapter(server, "instagram")
    yield adapter
    adapter.close()


@pytest.fixture
def ads_server():
    with SandboxServer(Sandbox(build_ads_world, [FacebookEmulator, InstagramEmulator])) as running:
        yield running


@pytest.fixture
def make_adapter():
    """``make_adapter(server, network, **extras)``: a new adapter on ``server``'s emulator."""
    return sandbox_adapter
