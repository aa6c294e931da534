"""Fixtures of the LinkedIn adapter tests: the LinkedIn emulator over real HTTP."""

from __future__ import annotations

import pytest
from tests.support.adapters import Sleeps, sandbox_settings
from tests.support.linkedin_world import NOW, build_linkedin_world

from socialops.networks.linkedin.adapter import LinkedInAdapter
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.linkedin_api import LinkedInEmulator


@pytest.fixture
def server():
    with SandboxServer(Sandbox(build_linkedin_world, [LinkedInEmulator])) as running:
        yield running


@pytest.fixture
def sandbox(server):
    return server.sandbox


def sandbox_adapter(server, **extras) -> LinkedInAdapter:
    settings = sandbox_settings(LinkedInEmulator, server.url, **extras)
    return LinkedInAdapter(settings, sleep=Sleeps(), now=lambda: NOW)


@pytest.fixture
def adapter(server):
    adapter = sandbox_adapter(server)
    yield adapter
    adapter.close()


@pytest.fixture
def make_adapter():
    """``make_adapter(server, **extras)``: a new adapter on ``server``'s emulator."""
    return sandbox_adapter
