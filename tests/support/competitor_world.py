"""A small sandbox world for the competitor watch: the brand and two competitors.

* Rival Co: X @rival (20 posts over the last 20 days, one of them viral, yesterday),
  Instagram @rival (a business account), Facebook Page "rival" (its posts need Page Public
  Content Access, which the sandbox app does not have), LinkedIn (no API for competitors);
* Other Co: X @otherco, which gains 1 000 followers at once on :data:`JUMP_AT`, and
  Instagram @otherco_perso, a personal account Instagram does not show.

The clock is :data:`NOW` (the morning after :data:`DAY`) unless a test moves it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from socialops.config.loader import parse_config
from socialops.config.schema import BrandConfig
from socialops.sandbox.world import SandboxAccount, SandboxPost, World

TIMEZONE = "Europe/Paris"
DAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)
JUMP_AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # after NOW: the next day's snapshot sees it
X_RIVAL, X_OTHER = "2000000001", "2000000002"
IG_RIVAL = "17841400000000201"
FB_RIVAL = "104000000000201"
VIRAL_POST = "1850000000000000019"


def rival_post_id(n: int) -> str:
    return str(1_850_000_000_000_000_000 + n)


def build_competitor_world(clock: list[datetime] | None = None) -> World:
    """``clock``: a one-item list the world reads its time from (tests move it)."""
    clock = clock if clock is not None else [NOW]
    world = World(epoch=NOW - timedelta(days=30), clock=lambda: clock[0])
    world.page_public_content_access = False  # as for most apps: Meta reviews the feature
    for network, account_id in (
        ("x", "1000000001"),
        ("instagram", "17841400000000001"),
        ("facebook", "104000000000001"),
        ("linkedin", "urn:li:organization:10000001"),
    ):
        world.add_account(SandboxAccount(network, account_id, "brand", "Brand", "owned", 9000))
    world.add_account(
        SandboxAccount("x", X_RIVAL, "rival", "Rival Co", "competitor", 40_000, following=300)
    )
    world.add_account(
        SandboxAccount(
            "x",
            X_OTHER,
            "otherco",
            "Other Co",
            "competitor",
            10_000,
            follower_jump=(JUMP_AT, 1_000),
        )
    )
    world.add_account(
        SandboxAccount("instagram", IG_RIVAL, "rival", "Rival Co", "competitor", 60_000)
    )
    world.add_account(
        SandboxAccount(
            "instagram",
            "17841400000000202",
            "otherco_perso",
            "O",
            "competitor",
            800,
            business=False,
        )  # fmt: skip
    )
    world.add_account(SandboxAccount("facebook", FB_RIVAL, "rival", "Rival", "competitor", 30_000))
    for n in range(20):
        viral = n == 19
        created = datetime.combine(DAY - timedelta(days=19 - n), time(10), tzinfo=UTC)
        world.add_post(
            SandboxPost(
                "x",
                rival_post_id(n),
                X_RIVAL,
                f"Rival post {n}",
                created,
                final={
                    "impressions": 50_000 if viral else 5_000,
                    "likes": 2_000 if viral else 100 + n,
                    "comments": 150 if viral else 10,
                    "shares": 300 if viral else 20,
                },
                half_life_hours=0.001,
            )
        )
        world.add_post(
            SandboxPost(
                "instagram",
                str(17_960_000_000_000_000 + n),
                IG_RIVAL,
                f"Rival photo {n}",
                created,
                final={"likes": 500 + n, "comments": 30},
                half_life_hours=0.001,
            )
        )
    return world


CONFIG = """
brand: {name: Brand, timezone: Europe/Paris, locale: en}
accounts:
  - {network: x, handle: brand}
competitors:
  - name: Rival Co
    keywords: [rival co, "#rivalco"]
    accounts:
      - {network: x, handle: rival}
      - {network: instagram, handle: rival}
      - {network: facebook, handle: rival}
      - {network: linkedin, handle: rival-co}
  - name: Other Co
    accounts:
      - {network: x, handle: otherco}
      - {network: x, handle: gone_away}
      - {network: instagram, handle: otherco_perso}
slack:
  channels: {digest: "#digest", alerts: "#alerts", reports: "#reports"}
"""


def competitor_config(locale: str = "en") -> BrandConfig:
    return parse_config(CONFIG.replace("locale: en", f"locale: {locale}"))
