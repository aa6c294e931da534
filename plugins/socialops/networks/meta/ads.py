"""Ads reporting of both Meta adapters: campaign results from the Marketing API insights.

Facebook and Instagram campaigns run in the same Meta ad account (extra ``ad_account_id``),
so :class:`AdsReporting` is mixed into both adapters (``docs/networks/facebook.md``, "Ads
reporting").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from socialops.networks import records
from socialops.networks.errors import InvalidRequest, NotSupported
from socialops.networks.meta import graph

ADS_INSIGHTS_FIELDS = (
    "campaign_id,campaign_name,spend,impressions,clicks,actions,action_values,account_currency"
)
#: Meta reports one purchase under several action types (``purchase`` already includes the
#: pixel's): the first one present is the count, never their sum.
PURCHASE_ACTIONS = ("purchase", "offsite_conversion.fb_pixel_purchase")


class AdsReporting(graph.GraphAdapter):
    """``campaign_spend`` from ``GET /act_{id}/insights``, for the Facebook and Instagram
    adapters alike."""

    def campaign_spend(
        self, day: date, campaign_ids: Sequence[str], *, since: date | None = None
    ) -> list[records.CampaignSpend]:
        """Daily campaign results from the Marketing API, ``GET /act_{id}/insights``.

        Facebook and Instagram campaigns run in the same Meta ad account (extra
        ``ad_account_id``, which needs the ``ads_read`` permission), so both adapters serve
        them. One request (and its pages) covers every campaign and day from ``since`` to
        ``day``: ``level=campaign`` with ``time_increment=1`` gives one row per campaign and
        day with delivery. A configured campaign id matches Meta's campaign id, or else the
        campaign's name in Ads Manager. Conversions and revenue are the purchases of
        ``actions`` / ``action_values``.
        """
        wanted = set(campaign_ids)
        if not wanted:
            return []
        time_range = {"since": (since or day).isoformat(), "until": day.isoformat()}
        params = {
            "level": "campaign",
            "fields": ADS_INSIGHTS_FIELDS,
            "time_range": json.dumps(time_range),
            "time_increment": 1,
            "limit": graph.PAGE_SIZE,
        }
        rows = self._pages(
            f"/{self.ad_account}/insights", params, "GET /act_{ad-account-id}/insights"
        )
        found = []
        for raw in rows:
            refs = (raw.get("campaign_id"), raw.get("campaign_name"))
            campaign = next((ref for ref in refs if ref in wanted), None)
            if campaign is not None:
                found.append(self._campaign_spend(raw, campaign))
        return found

    @property
    def ad_account(self) -> str:
        """The ``act_<id>`` node of extra ``ad_account_id``; without it, no ads reporting."""
        configured = (self.extras.ad_account_id or "").strip()
        if not configured:
            raise NotSupported(
                self.network,
                "ads reporting needs the Meta ad account of the campaigns",
                hint="set extra 'ad_account_id' (the number after act_ in Ads Manager) in "
                f"Airflow connection '{self.settings.conn_id}'; until then spend comes from "
                "the CSV import",
            )
        return configured if configured.startswith("act_") else f"act_{configured}"

    def _campaign_spend(self, raw: dict[str, Any], campaign: str) -> records.CampaignSpend:
        try:
            return records.CampaignSpend(
                network=self.network,
                campaign_id=campaign,
                day=date.fromisoformat(raw["date_start"]),
                spend=_ads_number(raw.get("spend"), Decimal),
                currency=raw.get("account_currency"),
                impressions=_ads_number(raw.get("impressions"), int),
                clicks=_ads_number(raw.get("clicks"), int),
                # Meta leaves ``actions`` out when there were none: no purchase is 0 purchases.
                conversions=_purchases(raw.get("actions"), int),
                revenue=_purchases(raw.get("action_values"), Decimal),
            )
        except (KeyError, ValueError) as exc:
            raise InvalidRequest(
                self.network,
                f"unreadable ads insights row of campaign {campaign} "
                f"({raw.get('date_start', 'no date_start')}): {exc}",
            ) from exc


def _ads_number(value: Any, kind: type) -> Any:
    """A number of the ads insights, which Meta sends as strings (``"84.12"``, ``"11683"``)."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    return int(number) if kind is int else number


def _purchases(items: list[dict[str, Any]] | None, kind: type) -> Any:
    """The purchase count or value in an ``actions`` / ``action_values`` list (0 when absent)."""
    values = {item.get("action_type"): item.get("value") for item in items or []}
    return _ads_number(next((values[n] for n in PURCHASE_ACTIONS if n in values), 0), kind)
