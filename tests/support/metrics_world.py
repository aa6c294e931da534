"""A small sandbox world for the metric extraction tests: the brand on X and YouTube.

Twelve days of history before :data:`NOW` (03:30 UTC on 2026-11-21, the night after
:data:`DAY`): two X posts and one YouTube video a day, whose counters grow with their age
(``SandboxPost.metrics_at``), and followers growing by a few per day.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.support.adapters import sandbox_settings

from socialops.networks import NetworkAdapter, build_adapter
from socialops.sandbox import Sandbox, SandboxServer, emulator_types
from socialops.sandbox.world import SandboxAccount, SandboxPost, World

TIMEZONE = "Europe/Paris"
DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 21, 3, 30, tzinfo=UTC)
HISTORY_DAYS = 12
X_BRAND = "1000000001"
YOUTUBE_BRAND = "UCbrand00000000000000001"
HANDLE = "brand"


def x_post_id(day_offset: int, n: int) -> str:
    return str(1_800_000_000_000_000_000 + day_offset * 10 + n)


def youtube_video_id(day_offset: int) -> str:
    return f"vid{day_offset:08d}"


def build_metrics_world(now: datetime = NOW) -> World:
    world = World(epoch=NOW - timedelta(days=30), clock=lambda: now)
    world.add_account(
        SandboxAccount(
            "x", X_BRAND, HANDLE, "The Brand", "owned", 12_000, following=300, followers_per_day=20
        )
    )
    world.add_account(
        SandboxAccount(
            "youtube", YOUTUBE_BRAND, HANDLE, "The Brand", "owned", 4_000, followers_per_day=5
        )
    )
    # Posts at 10:00 and 16:00 UTC (11:00, 17:00 in Paris) on each of the last 12 days.
    for offset in range(1, HISTORY_DAYS + 1):
        day_start = datetime.combine(DAY - timedelta(days=offset - 1), datetime.min.time(), UTC)
        for n, hour in enumerate((10, 16)):
            world.add_post(
                SandboxPost(
                    "x",
                    x_post_id(offset, n),
                    X_BRAND,
                    f"Brand post {offset}-{n}",
                    created_at=day_start + timedelta(hours=hour),
                    final={
                        "impressions": 4000 + offset,
                        "likes": 150,
                        "comments": 12,
                        "shares": 30,
                        "saves": 6,
                    },
                )
            )
        world.add_post(
            SandboxPost(
                "youtube",
                youtube_video_id(offset),
                YOUTUBE_BRAND,
                f"Video {offset}",
                created_at=day_start + timedelta(hours=12),
                kind="video",
                title=f"Video {offset}",
                final={"video_views": 900 + offset, "likes": 60, "comments": 7},
            )
        )
    return world


@contextmanager
def running_sandbox(
    world_factory=build_metrics_world, networks=("x", "youtube")
) -> Iterator[SandboxServer]:
    with SandboxServer(Sandbox(world_factory, emulator_types(list(networks)))) as server:
        yield server


def connection_of(server: SandboxServer, network: str) -> dict[str, Any]:
    emulator = type(server.sandbox.emulators[network])
    return emulator.connection(server.url)


def adapter_for(server: SandboxServer, network: str) -> NetworkAdapter:
    """The real adapter of ``network`` pointed at ``server``, with fast retries."""
    emulator = type(server.sandbox.emulators[network])
    return build_adapter(
        network, sandbox_settings(emulator, server.url, timeout=5, max_attempts=2, max_sleep=1)
    )
