"""The frozen moment of the small per-network worlds (``x_world``, ``youtube_world``,
``meta_world``, ``linkedin_world``): one clock for all of them, so their tests agree on "now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from socialops.sandbox.world import World

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def frozen_world() -> World:
    """An empty world whose clock stays at :data:`NOW`, thirty days after its epoch."""
    return World(epoch=NOW - timedelta(days=30), clock=lambda: NOW)
