"""Fixtures of the LinkedIn adapter tests: the LinkedIn emulator over real HTTP."""

from __future__ import annotations

from tests.support.adapters import Sleeps, adapter_fixtures, sandbox_fixtures, sandbox_settings
from tests.support.linkedin_world import NOW, build_linkedin_world

from socialops.networks.linkedin.adapter import LinkedInAdapter
from socialops.sandbox.linkedin_api import LinkedInEmulator

server, sandbox = sandbox_fixtures(build_linkedin_world, LinkedInEmulator)


def sandbox_adapter(server, **extras) -> LinkedInAdapter:
    settings = sandbox_settings(LinkedInEmulator, server.url, **extras)
    return LinkedInAdapter(settings, sleep=Sleeps(), now=lambda: NOW)


adapter, make_adapter = adapter_fixtures(sandbox_adapter)
