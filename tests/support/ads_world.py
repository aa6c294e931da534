"""Ads reporting rows (``world.campaigns``) on top of the small Meta world.

Two campaigns of the Meta ad account (one Instagram, one Facebook) and one X campaign that
the Meta emulators must not serve, one row per day for :data:`CAMPAIGN_DAYS` days up to
``NOW``: 120 Meta rows, more than one page of insights.
"""

from __future__ import annotations

from datetime import timedelta

from tests.support.meta_world import NOW, build_meta_world

from socialops.sandbox.world import World

CAMPAIGN_DAYS = 60
FIRST_DAY = NOW.date() - timedelta(days=CAMPAIGN_DAYS - 1)
LAST_DAY = NOW.date()
CAMPAIGNS = {"noel-2026": "instagram", "launch-ambre": "facebook", "x-promo": "x"}


def build_ads_world() -> World:
    world = build_meta_world()
    for offset in range(CAMPAIGN_DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        for position, (campaign, network) in enumerate(CAMPAIGNS.items()):
            conversions = (offset + position) % 3  # some days without any purchase
            world.campaigns.append(
                {
                    "campaign_id": campaign,
                    "network": network,
                    "day": day.isoformat(),
                    "spend": 40.0 * (position + 1) + offset / 4,
                    "impressions": 5000 + 10 * offset,
                    "clicks": 60 + offset,
                    "conversions": conversions,
                    "revenue": round(conversions * 45.55, 2),
                }
            )
    return world


def world_row(world: World, campaign: str, day) -> dict:
    return next(
        r for r in world.campaigns if r["campaign_id"] == campaign and r["day"] == day.isoformat()
    )
