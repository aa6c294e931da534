"""Ads reporting (meta/ads.py): campaign results from the Marketing API insights emulator."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from tests.support.adapters import logged
from tests.support.ads_world import (
    CAMPAIGN_DAYS,
    FIRST_DAY,
    LAST_DAY,
    world_row,
)

from socialops.networks import (
    AuthError,
    ConnectionSettings,
    InvalidRequest,
    NotSupported,
)
from socialops.networks.meta import ads
from socialops.networks.meta.facebook import FacebookAdapter
from socialops.sandbox.meta_api import meta_campaign_id


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_campaign_spend_reads_every_campaign_day_of_the_ad_account_in_one_paged_listing(
    ads_server, network, make_adapter
):
    adapter = make_adapter(ads_server, network)
    spend = adapter.campaign_spend(LAST_DAY, ["noel-2026", "launch-ambre"], since=FIRST_DAY)
    assert len(spend) == 2 * CAMPAIGN_DAYS  # both networks' campaigns: one Meta ad account
    assert {s.network for s in spend} == {network}
    world = ads_server.sandbox.world
    for row in spend:
        expected = world_row(world, row.campaign_id, row.day)
        assert row.spend == Decimal(f"{expected['spend']:.2f}")
        assert (row.impressions, row.clicks) == (expected["impressions"], expected["clicks"])
        # purchase and offsite_conversion.fb_pixel_purchase are the same purchases: not summed
        assert row.conversions == expected["conversions"]
        assert row.revenue == Decimal(f"{expected['revenue']:.2f}")
        assert row.currency == "EUR"
    assert any(row.conversions == 0 and row.revenue == 0 for row in spend)
    requests_made = logged(ads_server.sandbox, network, path="/v21.0/act_1029384756/insights")
    assert len(requests_made) == 2 == adapter.api_calls["GET /act_{ad-account-id}/insights"]
    query = requests_made[0]["query"]
    assert {k: query[k] for k in ("level", "time_increment", "time_range")} == {
        "level": "campaign",
        "time_increment": "1",
        "time_range": json.dumps({"since": "2026-09-22", "until": "2026-11-20"}),
    }
    assert query["fields"] == ads.ADS_INSIGHTS_FIELDS
    adapter.close()


def test_campaign_spend_keeps_the_asked_campaigns_and_days_by_id_or_name(ads_server, make_adapter):
    adapter = make_adapter(ads_server, "facebook")
    noel_id = meta_campaign_id("noel-2026")
    assert [(s.campaign_id, s.day) for s in adapter.campaign_spend(LAST_DAY, [noel_id])] == [
        (noel_id, LAST_DAY)
    ]
    by_name = adapter.campaign_spend(LAST_DAY, ["launch-ambre", "x-promo", "unknown"])
    assert [(s.campaign_id, s.day) for s in by_name] == [("launch-ambre", LAST_DAY)]
    assert adapter.campaign_spend(LAST_DAY, []) == []
    assert adapter.api_calls["GET /act_{ad-account-id}/insights"] == 2  # none for no campaign
    adapter.close()


def test_campaign_spend_parses_meta_numbers_and_missing_actions():
    adapter = FacebookAdapter(ConnectionSettings("facebook_ads", extras={"ad_account_id": "1"}))
    raw = {"campaign_id": "9", "spend": "12.30", "impressions": "1500", "date_start": "2026-11-20"}
    row = adapter._campaign_spend(raw, "c1")
    assert (row.spend, row.impressions, row.clicks) == (Decimal("12.30"), 1500, None)
    assert (row.conversions, row.revenue) == (0, Decimal(0))  # Meta omits actions when none
    pixel_only = raw | {
        "actions": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3"}]
    }
    assert adapter._campaign_spend(pixel_only, "c1").conversions == 3
    with pytest.raises(InvalidRequest, match=r"campaign c1 \(2026-11-20\).*'12,30' is not"):
        adapter._campaign_spend(raw | {"spend": "12,30"}, "c1")
    adapter.close()


def test_campaign_spend_without_an_ad_account_is_not_supported(ads_server, make_adapter):
    adapter = make_adapter(ads_server, "instagram", ad_account_id="")
    with pytest.raises(NotSupported, match="extra 'ad_account_id'.*'instagram_default'"):
        adapter.campaign_spend(LAST_DAY, ["noel-2026"])
    assert logged(ads_server.sandbox, "instagram") == []
    adapter.close()


def test_campaign_spend_errors_are_the_graph_errors(ads_server, make_adapter):
    unknown = make_adapter(ads_server, "facebook", ad_account_id="act_42")
    with pytest.raises(InvalidRequest, match="act_42"):
        unknown.campaign_spend(LAST_DAY, ["launch-ambre"])
    ads_server.sandbox.add_fault({"network": "facebook", "kind": "expired_token"})
    adapter = make_adapter(ads_server, "facebook")
    with pytest.raises(AuthError, match="facebook_default"):
        adapter.campaign_spend(LAST_DAY, ["launch-ambre"])
    for made in (unknown, adapter):
        made.close()
