"""A small, fixed Facebook + Instagram world for the Graph adapter and emulator tests."""

from __future__ import annotations

from datetime import timedelta

from tests.support.worlds import NOW, frozen_world

from socialops.sandbox.world import SandboxAccount, SandboxMention, SandboxPost, World

PAGE_ID = "104000000000001"
RIVAL_PAGE_ID = "104000000000002"
IG_ID = "17841400000000001"
IG_RIVAL_ID = "17841400000000002"
FAN_ID = "104000000000009"


def _account(network, id, handle, role, followers, **kwargs) -> SandboxAccount:
    return SandboxAccount(network, id, handle, handle.title(), role, followers, **kwargs)


def build_meta_world(*, posts: int = 12, comments: int = 3, mentions: int = 4) -> World:
    """@brand on Facebook (Page) and Instagram (owned), @rival on both, a public fan.

    ``posts`` brand posts per network one hour apart (newest first), ``comments`` comments on
    the newest post of each network and ``mentions`` tagged posts per network.
    """
    world = frozen_world()
    world.add_account(
        _account("facebook", PAGE_ID, "brand", "owned", 20000, bio="Official Page", verified=True)
    )
    world.add_account(
        _account("facebook", RIVAL_PAGE_ID, "rival", "competitor", 54000, bio="Rival Page")
    )
    world.add_account(_account("facebook", FAN_ID, "fan", "public", 300))
    world.add_account(
        _account("instagram", IG_ID, "brand", "owned", 31000, following=120, bio="Brand on IG")
    )
    world.add_account(
        _account("instagram", IG_RIVAL_ID, "rival", "competitor", 88000, following=40)
    )
    world.add_account(_account("instagram", "17841400000000009", "fan", "public", 150))
    for network, owner, make_id in (
        ("facebook", PAGE_ID, lambda n: f"{PAGE_ID}_{900 + n}"),
        ("instagram", IG_ID, lambda n: str(17_900_000_000_000_100 + n)),
    ):
        for n in range(posts):
            world.add_post(
                SandboxPost(
                    network,
                    make_id(n),
                    owner,
                    f"Brand {network} post number {n} https://brand.example/{n}",
                    created_at=NOW - timedelta(hours=n + 1),
                    kind="reel" if network == "instagram" and n == 1 else "post",
                    final={
                        "impressions": 5000 + n,
                        "reach": 4000 + n,
                        "likes": 200,
                        "comments": 20,
                        "shares": 40 if n else 0,
                        "saves": 8,
                        "link_clicks": 60,
                        "video_views": 7000 if network == "instagram" and n == 1 else 0,
                    },
                    half_life_hours=0.001,  # metrics at their final values, easy to assert
                )
            )
        fan = "104000000000009" if network == "facebook" else "17841400000000009"
        for n in range(comments):
            world.mentions.append(
                SandboxMention(
                    network,
                    f"{network}-c{n}",
                    fan,
                    "fan",
                    f"Nice post {n}!",
                    "en",
                    "positive",
                    NOW - timedelta(minutes=50 - n),
                    in_reply_to=make_id(0),
                    likes=n,
                )
            )
        for n in range(mentions):
            world.mentions.append(
                SandboxMention(
                    network,
                    f"{network}-m{n}",
                    fan,
                    "fan",
                    f"Shout out to @brand {n}",
                    "fr",
                    "neutral",
                    NOW - timedelta(hours=3 * n + 2),
                )
            )
    world.add_post(
        SandboxPost(
            "instagram",
            "17900000000000999",
            IG_RIVAL_ID,
            "Rival's latest",
            created_at=NOW - timedelta(days=2),
            final={"impressions": 900, "reach": 800, "likes": 70, "comments": 3},
        )
    )
    return world
