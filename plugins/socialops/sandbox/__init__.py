"""A local emulator of the networks' APIs and Slack, for the demo, the tests and CI.

>>> from socialops.sandbox import create_sandbox, SandboxServer
>>> with SandboxServer(create_sandbox(seed=7)) as server:
...     env = airflow_connections(server.url)   # AIRFLOW_CONN_* values pointing at it

Command line: ``python -m socialops.sandbox serve --port 8800 [--scenario FILE] [--seed N]``.
See ``docs/sandbox.md``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from socialops.networks.registry import SPECS
from socialops.registry import load
from socialops.sandbox.server import (
    Emulator,
    Fault,
    Refusal,
    Request,
    Response,
    Sandbox,
    SandboxServer,
    route,
)
from socialops.sandbox.world import World

#: emulator name (first path segment) → "module:Class": every network's emulator (named by
#: its spec), then the services that are not networks. Facebook and Instagram are two
#: emulators of the same Graph API so that faults and request logs are per network.
EMULATORS: dict[str, str] = {
    **{name: network.emulator for name, network in SPECS.items()},
    "slack": "socialops.sandbox.slack_api:SlackEmulator",
    "sheets": "socialops.sandbox.sheets_api:SheetsEmulator",
    "feeds": "socialops.sandbox.feeds_api:FeedsEmulator",
}


def emulator_types(names: list[str] | None = None) -> list[type[Emulator]]:
    """The emulator classes (all of them by default), importing each module on demand."""
    return [load(EMULATORS, name, "sandbox emulator") for name in names or list(EMULATORS)]


def create_sandbox(
    scenario: str | Path | None = None, seed: int | None = None, now: datetime | None = None
) -> Sandbox:
    """A sandbox whose world comes from ``scenario`` (default scenario if None) and ``seed``.

    ``now`` freezes the clock there (and anchors the generated history), overriding the
    scenario's own ``now``.
    """
    from socialops.sandbox.scenario import load_scenario

    spec = load_scenario(scenario)
    effective_seed = spec.seed if seed is None else seed
    return Sandbox(
        lambda: spec.build_world(effective_seed, now=now), emulator_types(), seed=effective_seed
    )


def airflow_connections(base_url: str) -> dict[str, str]:
    """``AIRFLOW_CONN_<ID>`` environment values for every emulator's connection."""
    return {
        f"AIRFLOW_CONN_{emulator.conn_id.upper()}": json.dumps(emulator.connection(base_url))
        for emulator in emulator_types()
        if emulator.conn_id
    }


__all__ = [
    "EMULATORS",
    "Emulator",
    "Fault",
    "Refusal",
    "Request",
    "Response",
    "Sandbox",
    "SandboxServer",
    "World",
    "airflow_connections",
    "create_sandbox",
    "emulator_types",
    "route",
]
