"""Fixtures of the X adapter tests: the X emulator over real HTTP, adapters on a frozen clock."""

from __future__ import annotations

import dataclasses

from tests.support.adapters import Sleeps, adapter_fixtures, sandbox_fixtures, sandbox_settings
from tests.support.x_world import NOW, build_x_world

from socialops.networks.x.adapter import XAdapter
from socialops.sandbox.x_api import XEmulator

server, sandbox = sandbox_fixtures(build_x_world, XEmulator)


def sandbox_adapter(server, *, sleep=None, bearer_only=False, **extras) -> XAdapter:
    settings = sandbox_settings(XEmulator, server.url, **extras)
    if bearer_only:
        oauth1 = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
        extras = {k: v for k, v in settings.extras.items() if k not in oauth1}
        settings = dataclasses.replace(settings, extras=extras)
    return XAdapter(settings, sleep=Sleeps() if sleep is None else sleep, now=lambda: NOW)


adapter, make_adapter = adapter_fixtures(sandbox_adapter)
