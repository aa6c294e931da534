"""Fixtures of the X adapter tests: the X emulator over real HTTP, adapters on a frozen clock."""

from __future__ import annotations

import dataclasses

import pytest
from tests.support.adapters import Sleeps, sandbox_settings
from tests.support.x_world import NOW, build_x_world

from socialops.networks.x.adapter import XAdapter
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.x_api import XEmulator


@pytest.fixture
def server():
    with SandboxServer(Sandbox(build_x_world, [XEmulator])) as running:
        yield running


@pytest.fixture
def sandbox(server):
    return server.sandbox


def sandbox_adapter(server, *, sleep=None, bearer_only=False, **extras) -> XAdapter:
    settings = sandbox_settings(XEmulator, server.url, **extras)
    if bearer_only:
        oauth1 = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
        extras = {k: v for k, v in settings.extras.items() if k not in oauth1}
        settings = dataclasses.replace(settings, extras=extras)
    return XAdapter(settings, sleep=Sleeps() if sleep is None else sleep, now=lambda: NOW)


@pytest.fixture
def adapter(server):
    adapter = sandbox_adapter(server)
    yield adapter
    adapter.close()


@pytest.fixture
def make_adapter():
    """``make_adapter(server, *, sleep=None, bearer_only=False, **extras)``: a new adapter on
    ``server``'s emulator."""
    return sandbox_adapter
