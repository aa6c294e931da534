"""KPI formulas against hand-computed values (docs/kpis.md gives the same examples)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from tests.support import kpi_frames as frames

from socialops.analytics import kpis


def _nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


class TestRatio:
    def test_scalars(self):
        assert kpis.ratio(3, 4) == 0.75
        assert kpis.percent(3, 4) == 75.0

    @pytest.mark.parametrize("denominator", [0, -5, None, float("nan")])
    def test_undefined_denominator_is_nan_not_inf(self, denominator):
        assert _nan(kpis.ratio(10, denominator))

    def test_series_with_zero_and_missing(self):
        result = kpis.ratio(pd.Series([10, 10, 10, None]), pd.Series([4, 0, None, 2]))
        assert result.iloc[0] == 2.5
        assert result.iloc[1:].isna().all()
        assert not np.isinf(result).any()


def test_engagements_counts_unknown_as_zero_unless_all_unknown():
    frame = pd.DataFrame(
        {
            "likes": [10, None, None],
            "comments": [2, None, 1],
            "shares": [3, None, None],
            "saves": [None, None, None],
        }
    )
    assert kpis.engagements(frame).tolist()[0] == 15
    assert _nan(kpis.engagements(frame).tolist()[1])
    assert kpis.engagements(frame).tolist()[2] == 1


class TestPostPerformance:
    def test_engagement_rates(self):
        perf = kpis.post_performance(
            frames.post_metrics(), frames.posts(), frames.account_metrics()
        )
        row = perf[(perf.post_id == "p1") & (perf.day == "2026-11-19")].iloc[0]
        # 60 + 10 + 8 + 2 = 80 engagements
        assert row.engagements == 80
        assert row.engagement_rate_reach_pct == pytest.approx(8.0)  # 80 / 1000
        assert row.engagement_rate_impressions_pct == pytest.approx(80 / 1500 * 100)
        assert row.engagement_rate_followers_pct == pytest.approx(80 / 1030 * 100)
        assert row.campaign_id == "noel-2026"

    def test_zero_reach_gives_nan_rate(self):
        perf = kpis.post_performance(frames.post_metrics())
        assert _nan(perf[perf.post_id == "p2"].iloc[0].engagement_rate_reach_pct)

    def test_followers_rate_is_nan_when_the_account_day_is_missing(self):
        perf = kpis.post_performance(
            frames.post_metrics(), frames.posts(), frames.account_metrics().iloc[[0, 3]]
        )
        assert perf.engagement_rate_followers_pct.isna().all()


def test_daily_increments_difference_consecutive_snapshots():
    inc = kpis.daily_increments(frames.post_metrics())
    p1 = inc[inc.post_id == "p1"].set_index("day")
    assert p1.loc["2026-11-18", "impressions"] == 1000  # first snapshot counts whole
    assert p1.loc["2026-11-19", "impressions"] == 500
    assert p1.loc["2026-11-19", "engagements"] == 80 - 50
    assert p1["likes"].sum() == 60  # increments add up to the latest lifetime value


def test_community_growth_needs_the_previous_calendar_day():
    growth = kpis.community_growth(frames.account_metrics()).set_index(["network", "day"])
    x19 = growth.loc[("x", pd.Timestamp("2026-11-19"))]
    assert x19.net_new_followers == 20
    assert x19.follower_growth_pct == pytest.approx(20 / 1010 * 100)
    assert _nan(growth.loc[("x", pd.Timestamp("2026-11-17"))].net_new_followers)
    assert _nan(growth.loc[("instagram", pd.Timestamp("2026-11-19"))].net_new_followers)


def test_posting_frequency_counts_in_the_brand_time_zone():
    daily = kpis.posting_frequency(frames.posts(), freq="D", timezone="Europe/Paris")
    x = daily[daily.network == "x"].set_index("period")["posts"]
    assert x.to_dict() == {pd.Timestamp("2026-11-18"): 1, pd.Timestamp("2026-11-19"): 1}
    utc = kpis.posting_frequency(frames.posts(), freq="D", timezone="UTC")
    assert utc[utc.network == "x"]["posts"].tolist() == [1, 1]
    weekly = kpis.posting_frequency(frames.posts(), by=["network"])
    # 2026-11-18 and 19 are a Wednesday and a Thursday: the week of Monday the 16th
    assert weekly.set_index("network").loc["x", "period"] == pd.Timestamp("2026-11-16")
    assert weekly.set_index("network").loc["x", "posts"] == 2


def test_top_posts_ranks_latest_snapshots():
    perf = kpis.post_performance(frames.post_metrics(), frames.posts())
    top = kpis.top_posts(perf, n=2)
    assert top.post_id.tolist() == ["i1", "p1"]  # 120 and 80 engagements
    assert top["rank"].tolist() == [1, 2]
    per_network = kpis.top_posts(perf, n=1, per=["network"])
    assert per_network.post_id.tolist() == ["i1", "p1"]
    with pytest.raises(KeyError, match="cannot rank posts by 'nope'"):
        kpis.top_posts(perf, by="nope")


class TestAccountDaily:
    def test_uses_own_reach_when_reported_else_post_sums(self):
        daily = kpis.account_daily(
            frames.account_metrics(), frames.post_metrics(), frames.posts(), timezone="Europe/Paris"
        ).set_index(["network", "day"])
        x19 = daily.loc[("x", pd.Timestamp("2026-11-19"))]
        # X reports no account impressions: p1 gained 500, p2 was new with 400
        assert x19.impressions == 900
        assert x19.reach == 200 + 0
        assert x19.engagements == 30 + 4
        assert x19.engagement_rate_reach_pct == pytest.approx(34 / 200 * 100)
        assert x19.engagement_rate_followers_pct == pytest.approx(34 / 1030 * 100)
        assert x19.posts_published == 1
        ig19 = daily.loc[("instagram", pd.Timestamp("2026-11-19"))]
        assert ig19.reach == 4200  # the account's own figure
        assert ig19.engagement_rate_reach_pct == pytest.approx(120 / 4200 * 100)

    def test_rollup_recomputes_rates_from_sums(self):
        daily = kpis.account_daily(frames.account_metrics(), frames.post_metrics(), frames.posts())
        per_day = kpis.rollup(daily, ["day"]).set_index("day")
        day19 = per_day.loc[pd.Timestamp("2026-11-19")]
        assert day19.followers == 1030 + 5100
        assert day19.engagements == 34 + 120
        assert day19.engagement_rate_reach_pct == pytest.approx((34 + 120) / (200 + 4200) * 100)
        # only X knows its growth on the 19th
        assert day19.follower_growth_pct == pytest.approx(20 / 1010 * 100)
        per_network = kpis.rollup(daily, ["network"]).set_index("network")
        assert per_network.loc["x", "followers"] == 1030  # last value, not a sum over days
        assert per_network.loc["x", "net_new_followers"] == 30


class TestPaid:
    def test_daily_ratios(self):
        daily = kpis.campaign_daily(frames.spend(), frames.campaigns()).set_index(
            ["campaign_id", "day"]
        )
        d15 = daily.loc[("noel-2026", pd.Timestamp("2026-11-15"))]
        assert d15.cpc == 0.5  # 100 / 200
        assert d15.cpm == 5.0  # 100 / 20000 × 1000
        assert d15.cpa == 10.0  # 100 / 10
        assert d15.roas == 4.5  # 450 / 100
        assert d15.roi_pct == 350.0  # (450 − 100) / 100
        assert d15.ctr_pct == 1.0
        assert d15.budget_consumed == 100 and d15.budget_consumed_pct == 10.0
        d16 = daily.loc[("noel-2026", pd.Timestamp("2026-11-16"))]
        assert _nan(d16.cpc) and _nan(d16.cpa)  # no clicks, no conversions
        assert d16.budget_consumed == 150 and d16.budget_remaining == 850
        zero = daily.loc[("launch-ambre", pd.Timestamp("2026-11-16"))]
        assert _nan(zero.roas) and _nan(zero.roi_pct) and _nan(zero.cpm)

    def test_summary_over_the_campaign_life(self):
        summary = kpis.campaign_summary(frames.spend(), frames.campaigns()).set_index("campaign_id")
        noel = summary.loc["noel-2026"]
        assert noel.spend == 150 and noel.days == 2
        assert noel.roas == 3.0  # 450 / 150
        assert noel.cpc == 0.75  # 150 / 200
        assert noel.cpa == 15.0
        assert noel.budget_consumed_pct == 15.0
        spring = summary.loc["spring"]  # declared, never spent
        assert spring.spend == 0 and spring.days == 0 and _nan(spring.roas)
        assert spring.budget_remaining == 300
        through = kpis.campaign_summary(frames.spend(), frames.campaigns(), through="2026-11-15")
        assert through.set_index("campaign_id").loc["noel-2026", "spend"] == 100

    def test_organic_results_of_campaign_posts(self):
        perf = kpis.post_performance(frames.post_metrics(), frames.posts())
        organic = kpis.campaign_organic(perf).set_index("campaign_id")
        noel = organic.loc["noel-2026"]
        assert noel.posts == 2  # p1 on its latest snapshot, i1
        assert noel.engagements == 80 + 120
        assert noel.engagement_rate_reach_pct == pytest.approx(200 / 2600 * 100)
