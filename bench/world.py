"""The reference brand of the benchmarks, built directly from the sandbox's World dataclasses.

5 networks × 4 owned accounts and 10,000 posts inside the lookback windows of the night
being measured (X 7 days, Facebook and Instagram 28, YouTube and LinkedIn 3: the defaults),
and 150 older posts per account behind its window (3,000 in all), which the listings must
stop before.
The sandbox's emulators act for *one* owned account per network (the identity behind their
test tokens), so the brand is split into 4 shards, each a world with one account per network
served by its own sandbox: the client does exactly the work of one brand with 20 accounts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from socialops.sandbox.world import SandboxAccount, SandboxPost, World

NETWORK_LOOKBACK = {"x": 7, "youtube": 3, "facebook": 28, "instagram": 28, "linkedin": 3}
#: Posts per account in its lookback window: 4 × (700 × 3 + 200 × 2) = 10,000.
POSTS_PER_ACCOUNT = {"x": 700, "youtube": 200, "facebook": 700, "instagram": 700, "linkedin": 200}
#: Posts per account created before its window, so listings must stop early, not run out.
OLDER_POSTS_PER_ACCOUNT = 150
SHARDS = 4
TIMEZONE = "UTC"
#: The night measured: the run at 03:30 on the 21st loads the 20th.
DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 21, 3, 30, tzinfo=UTC)


@dataclass(frozen=True)
class ShardAccount:
    network: str
    handle: str
    account_id: str


def shard_accounts(shard: int) -> list[ShardAccount]:
    n = shard + 1
    return [
        ShardAccount("x", f"brand{n}", str(1_000_000_000 + n)),
        ShardAccount("youtube", f"brand{n}", f"UCbenchbrand{n:010d}xx"),
        ShardAccount("facebook", f"brand{n}", str(104_000_000_000_000 + n)),
        ShardAccount("instagram", f"brand{n}", str(17_841_000_000_000_000 + n)),
        ShardAccount("linkedin", f"brand-{n}", f"urn:li:organization:{10_000_000 + n}"),
    ]


def _post_id(network: str, account: ShardAccount, shard: int, n: int) -> str:
    serial = (shard + 1) * 100_000 + n  # unique across shards, as on one real brand
    return {
        "x": f"{1_890_000_000_000_000_000 + serial}",
        "youtube": f"vbench{serial:07d}",
        "facebook": f"{account.account_id}_{serial}",
        "instagram": f"{17_900_000_000_000_000 + serial}",
        "linkedin": f"urn:li:share:{7_000_000_000_000_000_000 + serial}",
    }[network]


def build_shard(shard: int, now: datetime = NOW, scale: int = 1) -> World:
    """One shard: one owned account per network, its posts spread over its lookback window
    (``scale`` times :data:`POSTS_PER_ACCOUNT`: the scaling runs of :mod:`bench.nightly`)."""
    rng = random.Random(shard)
    world = World(epoch=now - timedelta(days=60), clock=lambda: now)
    window_end = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), UTC)
    for account in shard_accounts(shard):
        world.add_account(
            SandboxAccount(
                account.network,
                account.account_id,
                account.handle,
                f"Brand {shard + 1}",
                "owned",
                followers=20_000 + 1_000 * shard,
                following=300,
                followers_per_day=15,
            )
        )
        for n, created in enumerate(post_times(account.network, window_end, scale)):
            reach = rng.randint(500, 5_000)
            world.add_post(
                SandboxPost(
                    account.network,
                    _post_id(account.network, account, shard, n),
                    account.account_id,
                    f"Reference post {n} of {account.handle} on {account.network}",
                    created_at=created,
                    kind="video" if account.network == "youtube" else "post",
                    title=f"Video {n}" if account.network == "youtube" else None,
                    final={
                        "impressions": int(reach * 1.4),
                        "reach": reach,
                        "likes": reach // 25,
                        "comments": reach // 200,
                        "shares": reach // 300,
                        "saves": reach // 400,
                        "video_views": reach * 2 if account.network == "youtube" else 0,
                        "link_clicks": reach // 150,
                    },
                    half_life_hours=24,
                )
            )
    return world


def post_times(network: str, window_end: datetime, scale: int = 1) -> list[datetime]:
    """When each post of an account was created, newest first: ``scale`` times
    :data:`POSTS_PER_ACCOUNT` evenly spread strictly inside the window, then
    :data:`OLDER_POSTS_PER_ACCOUNT` at the same pace before its start."""
    count = POSTS_PER_ACCOUNT[network] * scale
    span = timedelta(days=NETWORK_LOOKBACK[network]).total_seconds()
    return [
        window_end - timedelta(seconds=span * (n + 0.5) / count)
        for n in range(count + OLDER_POSTS_PER_ACCOUNT)
    ]
