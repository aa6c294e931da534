"""A small, fixed YouTube world for the adapter and emulator tests (no scenario generator
needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.worlds import NOW, frozen_world

from socialops.sandbox.world import SandboxAccount, SandboxMention, SandboxPost, World

BRAND_CHANNEL = "UCbrand00000000000000001"
RIVAL_CHANNEL = "UCrival00000000000000002"
FAN_CHANNEL = "UCfan0000000000000000003"


def video_id(n: int) -> str:
    return f"vid{n:08d}"


def build_youtube_world(*, videos: int = 120, comments: int = 130) -> World:
    """The brand's channel (@brand, owned, 120 videos one hour apart, newest first by id 0), a
    competitor (@rival) and a fan (@fan) who left ``comments`` comments on the newest video."""
    world = frozen_world()
    world.add_account(
        SandboxAccount(
            "youtube",
            BRAND_CHANNEL,
            "brand",
            "The Brand",
            "owned",
            12_000,
            bio="Official channel",
            created_at=datetime(2014, 5, 6, tzinfo=UTC),
            followers_per_day=24,
        )
    )
    world.add_account(
        SandboxAccount("youtube", RIVAL_CHANNEL, "rival", "Rival Co", "competitor", 50_000)
    )
    world.add_account(SandboxAccount("youtube", FAN_CHANNEL, "fan", "A Fan", "public", 80))
    for n in range(videos):
        world.add_post(
            SandboxPost(
                "youtube",
                video_id(n),
                BRAND_CHANNEL,
                f"Video {n} description https://example.com/{n}",
                NOW - timedelta(hours=n + 1),
                kind="video",
                title=f"Video {n}",
                final={"video_views": 1000 + n, "likes": 50 + n, "comments": 5, "shares": 2},
            )
        )
    for n in range(comments):
        world.mentions.append(
            SandboxMention(
                "youtube",
                f"Ugz{n:020d}",
                FAN_CHANNEL,
                "fan",
                f"Nice video {n}",
                "en",
                "positive",
                NOW - timedelta(minutes=n + 1),
                in_reply_to=video_id(0),
                likes=n % 3,
            )
        )
    return world
