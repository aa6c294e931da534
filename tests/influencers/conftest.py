from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from tests.support.metrics_world import adapter_for

from socialops.config.loader import parse_config
from socialops.sandbox import Sandbox, SandboxServer, emulator_types
from socialops.sandbox.world import SandboxAccount, SandboxPost, World
from socialops.warehouse.models import Mention
from socialops.warehouse.upsert import upsert

DAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
CONFIG = """
brand: {name: Maison Lumière, timezone: Europe/Paris, locale: en}
accounts:
  - {network: x, handle: brand}
competitors:
  - name: Rival
    accounts: [{network: x, handle: rival}]
influencer_candidates:
  - {network: x, handle: genuine}
  - {network: x, handle: bought}
  - {network: x, handle: locked}
  - {network: x, handle: vanished}
  - {network: linkedin, handle: some-member}
listening: {keywords: [bougie], hashtags: ["#maisonlumiere"]}
influencers: {reach_floor: 1000, excluded: ["x:nope"]}
slack:
  channels: {digest: "#digest", alerts: "#alerts", reports: "#reports"}
"""


def _account(handle, followers, following, **kw):
    ids = {"genuine": "3000000001", "bought": "3000000002", "locked": "3000000003",
           "fan_big": "3000000004", "fan_small": "3000000005", "rival": "3000000006",
           "brand": "3000000007", "nope": "3000000008"}  # fmt: skip
    role = kw.pop("role", "influencer")
    return SandboxAccount("x", ids[handle], handle, handle.title(), role, followers,
                          following=following, **kw)  # fmt: skip


def build_influencer_world() -> World:
    world = World(epoch=NOW - timedelta(days=30), clock=lambda: NOW)
    world.add_account(_account("brand", 9000, 100, role="owned"))
    world.add_account(_account("rival", 20000, 100, role="competitor"))
    world.add_account(
        _account("genuine", 23000, 600, bio="Déco, bougie et DIY",
                 created_at=datetime(2014, 1, 1, tzinfo=UTC))
    )  # fmt: skip
    world.add_account(
        _account("bought", 480000, 95000, has_picture=False, created_at=NOW - timedelta(days=40))
    )
    world.add_account(_account("locked", 5000, 300, protected=True))
    world.add_account(_account("fan_big", 4000, 300))
    world.add_account(_account("fan_small", 200, 300))
    world.add_account(_account("nope", 8000, 300))
    world.add_account(
        SandboxAccount("linkedin", "urn:li:organization:1", "brand", "B", "owned", 10)
    )
    for n in range(10):
        created = datetime.combine(DAY - timedelta(days=n + 1), time(10), tzinfo=UTC)
        for k, (handle, likes, comments) in enumerate(
            (("genuine", 900, 60), ("bought", 150, 2), ("fan_big", 100, 8))
        ):
            account = world.account("x", handle)
            world.add_post(
                SandboxPost("x", str(1_860_000_000_000_000_000 + n * 10 + k),
                            account.id, f"Ma bougie préférée #maisonlumiere {n}", created,
                            final={"likes": likes, "comments": comments, "shares": 5},
                            half_life_hours=0.001)
            )  # fmt: skip
    return world


@pytest.fixture
def config():
    return parse_config(CONFIG)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(Sandbox(build_influencer_world, emulator_types(["x", "linkedin"]))) as s:
        yield s


@pytest.fixture
def adapters(server):
    made = []

    def make(network):
        made.append(adapter_for(server, network))
        return made[-1]

    yield make
    for adapter in made:
        adapter.close()


def add_mentions(engine, authors: dict[str, tuple[int, int]]) -> None:
    """``authors``: handle → (mentions, of which negative), in the week before DAY."""
    rows = []
    for handle, (count, negative) in authors.items():
        for n in range(count):
            rows.append(
                {
                    "network": "x",
                    "mention_id": f"{handle}-{n}",
                    "kind": "mention",
                    "author_id": handle,
                    "author_handle": handle,
                    "text": "Maison Lumière",
                    "created_at": NOW - timedelta(days=2, hours=n),
                    "sentiment_label": "negative" if n < negative else "positive",
                }
            )
    upsert(engine, Mention, rows)
