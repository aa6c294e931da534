"""A small, fixed LinkedIn world for the adapter and emulator tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.worlds import NOW, frozen_world

from socialops.sandbox.world import SandboxAccount, SandboxMention, SandboxPost, World

ORG = "urn:li:organization:10000001"
RIVAL_ORG = "urn:li:organization:10000002"
MEMBER = "urn:li:person:Ab12Cd34Ef"


def post_urn(n: int) -> str:
    return f"urn:li:share:{7_200_000_000_000_000_000 + n}"


def build_linkedin_world(*, posts: int = 12, comments: int = 3) -> World:
    """The brand's page (owned, vanity ``brand``), a rival page and a member who comments.

    ``posts`` brand posts one hour apart (newest first, n=0), ``comments`` comments on the newest.
    """
    world = frozen_world()
    world.add_account(
        SandboxAccount(
            "linkedin",
            ORG,
            "brand",
            "The Brand",
            "owned",
            8000,
            bio="We make things",
            created_at=datetime(2011, 5, 1, tzinfo=UTC),
        )  # fmt: skip
    )
    world.add_account(
        SandboxAccount("linkedin", RIVAL_ORG, "rival", "Rival Co", "competitor", 23000)
    )
    world.add_account(SandboxAccount("linkedin", MEMBER, "jane-doe", "Jane Doe", "public", 500))
    for n in range(posts):
        world.add_post(
            SandboxPost(
                "linkedin",
                post_urn(n),
                ORG,
                f"Brand update {n} (with #hiring and @mentions) https://brand.example/{n}",
                created_at=NOW - timedelta(hours=n + 1),
                final={
                    "impressions": 3000 + n,
                    "reach": 2000 + n,
                    "likes": 90,
                    "comments": 9,
                    "shares": 7,
                    "link_clicks": 30,
                },  # fmt: skip
                half_life_hours=0.001,
            )
        )
    for n in range(comments):
        world.mentions.append(
            SandboxMention(
                "linkedin",
                f"urn:li:comment:({post_urn(0)},{6_000 + n})",
                MEMBER,
                "jane-doe",
                f"Great news {n}",
                "en",
                "positive",
                NOW - timedelta(minutes=40 - n),
                in_reply_to=post_urn(0),
                likes=n,
            )
        )
    return world
