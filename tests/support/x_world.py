"""A small, fixed X world for the adapter and emulator tests (no scenario generator needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.worlds import NOW, frozen_world

from socialops.paths import INCLUDE_DIR
from socialops.sandbox.world import SandboxAccount, SandboxMention, SandboxPost, World

BRAND_ID = "1000000001"
RIVAL_ID = "1000000002"
FAN_ID = "1000000003"


def build_x_world(*, posts: int = 12, mentions: int = 30) -> World:
    """The brand (@brand, owned), a competitor (@rival) and a fan (@fan) with ``posts`` brand
    posts one hour apart, ``mentions`` mentions of "brand" and two comments on the newest post."""
    world = frozen_world()
    world.add_account(
        SandboxAccount(
            "x",
            BRAND_ID,
            "brand",
            "The Brand",
            "owned",
            12000,
            following=300,
            bio="Official account",
            verified=True,
            created_at=datetime(2012, 3, 4, tzinfo=UTC),
        )
    )
    world.add_account(
        SandboxAccount("x", RIVAL_ID, "rival", "Rival Co", "competitor", 50000, following=10)
    )
    world.add_account(SandboxAccount("x", FAN_ID, "fan", "A Fan", "public", 800, following=900))
    for n in range(posts):
        world.add_post(
            SandboxPost(
                "x",
                str(1_800_000_000_000_000_000 + n),
                BRAND_ID,
                f"Brand post number {n} https://t.co/abc{n}",
                created_at=NOW - timedelta(hours=n + 1),
                final={
                    "impressions": 5000 + n,
                    "likes": 200,
                    "comments": 20,
                    "shares": 40,
                    "saves": 8,
                    "link_clicks": 60,
                },
            )
        )
    world.add_post(
        SandboxPost(
            "x",
            "1700000000000000000",
            RIVAL_ID,
            "Rival news & deals",
            created_at=NOW - timedelta(days=2),
            final={"impressions": 9000, "likes": 90, "comments": 9, "shares": 12, "saves": 3},
        )
    )
    for n in range(mentions):
        world.mentions.append(
            SandboxMention(
                "x",
                str(1_850_000_000_000_000_000 + n),
                FAN_ID,
                "fan",
                f"I love @brand and its brand new product {n}",
                "en" if n % 2 else "fr",
                "positive",
                NOW - timedelta(minutes=10 * n + 5),
                likes=n,
            )
        )
    newest = str(1_800_000_000_000_000_000)
    for n in range(2):
        world.mentions.append(
            SandboxMention(
                "x",
                str(1_860_000_000_000_000_000 + n),
                FAN_ID,
                "fan",
                f"Nice post! ({n})",
                "en",
                "positive",
                NOW - timedelta(minutes=30 - n),
                in_reply_to=newest,
            )
        )
    return world


def lose_the_answers_to_posts(sandbox) -> None:
    """The next POST /2/tweets is applied, then the client hears nothing for 1.5 s."""
    sandbox.add_fault(
        {
            "network": "x",
            "kind": "timeout_after_apply",
            "path": "/2/tweets",
            "method": "POST",
            "hold_seconds": 1.5,
        }
    )


# -- media for the upload tests: the example calendar's own files ------------------------------
CALENDAR_MEDIA = INCLUDE_DIR / "calendar" / "media"
JPEG = CALENDAR_MEDIA / "atelier-ambre.jpg"  # 320 x 320
PNG = CALENDAR_MEDIA / "ambre-collection.png"  # 320 x 320
MP4 = CALENDAR_MEDIA / "atelier-coulisses.mp4"
