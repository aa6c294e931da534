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


def p_nan(values: pd.Series) -> bool:
    """All of ``values`` are unknown."""
    return bool(values.isna().all())


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


class TestDailyIncrements:
    def test_difference_with_the_day_before_and_first_snapshot_of_a_new_post(self):
        inc = kpis.daily_increments(frames.post_metrics(), frames.posts(), timezone="Europe/Paris")
        p1 = inc[inc.post_id == "p1"].set_index("day")
        # created on the 18th, first read on the 18th: its life so far is the 18th's activity
        assert p1.loc["2026-11-18", "impressions"] == 1000
        assert p1.loc["2026-11-18", "increment_basis"] == "created"
        assert p1.loc["2026-11-19", "impressions"] == 500
        assert p1.loc["2026-11-19", "engagements"] == 80 - 50
        assert p1.loc["2026-11-19", "increment_basis"] == "previous_day"
        assert p1["likes"].sum() == 60  # increments add up to the latest lifetime value

    def test_first_snapshot_without_a_creation_time_is_unknown(self):
        inc = kpis.daily_increments(frames.post_metrics()).set_index(["post_id", "day"])
        first = inc.loc[("p1", pd.Timestamp("2026-11-18"))]
        assert first.increment_basis == "unknown" and _nan(first.impressions)
        assert inc.loc[("p1", pd.Timestamp("2026-11-19")), "impressions"] == 500

    def test_first_snapshot_of_an_older_post_is_unknown(self):
        night = frames.first_night()
        inc = kpis.daily_increments(night["post_metrics"], night["posts"])
        inc = inc.set_index(["post_id", "day"])
        first = pd.Timestamp(frames.FIRST_NIGHT)
        assert inc.loc[("ig0", first), "engagements"] == 107  # published that day
        assert _nan(inc.loc[("ig1", first), "engagements"])  # published the day before
        assert inc.loc[("ig1", first), "increment_basis"] == "unknown"
        assert inc.loc[("ig1", pd.Timestamp(frames.SECOND_NIGHT)), "engagements"] == 6

    def test_after_a_missed_night_the_increment_is_unknown(self):
        days = frames.unknown_days()
        inc = kpis.daily_increments(days["post_metrics"], days["posts"])
        b1 = inc[inc.post_id == "b1"].set_index("day")
        assert b1.loc["2026-11-19", "increment_basis"] == "unknown"
        assert p_nan(b1.loc["2026-11-19", ["impressions", "reach", "engagements"]])

    def test_the_creation_day_is_the_brand_local_day(self):
        days = frames.unknown_days()
        c1 = pd.Timestamp("2026-11-19")
        paris = kpis.daily_increments(days["post_metrics"], days["posts"], timezone="Europe/Paris")
        utc = kpis.daily_increments(days["post_metrics"], days["posts"], timezone="UTC")
        # created 23:30 UTC on the 18th: the 19th in Paris, the 18th in UTC
        assert paris.set_index(["post_id", "day"]).loc[("c1", c1), "engagements"] == 45
        assert _nan(utc.set_index(["post_id", "day"]).loc[("c1", c1), "engagements"])

    def test_a_lowered_counter_gives_a_negative_increment(self):
        metrics = pd.DataFrame(
            [("x", "p1", "2026-11-18", 100), ("x", "p1", "2026-11-19", 95)],
            columns=["network", "post_id", "day", "likes"],
        )
        posts = pd.DataFrame(
            [("x", "p1", "100", "2026-11-18T09:00Z")],
            columns=["network", "external_id", "account_id", "created_at"],
        )
        inc = kpis.daily_increments(metrics, posts).set_index("day")
        assert inc.loc["2026-11-19", "likes"] == -5


def test_local_days_convert_utc_instants_to_the_zone():
    instants = pd.Series(["2026-11-18T23:30Z", "2026-07-01T22:30Z", None])
    days = kpis.local_days(instants, "Europe/Paris")
    assert days.iloc[0] == pd.Timestamp("2026-11-19")  # UTC+1 in winter
    assert days.iloc[1] == pd.Timestamp("2026-07-02")  # UTC+2 in summer
    assert pd.isna(days.iloc[2])
    assert kpis.local_days(instants, "UTC").iloc[0] == pd.Timestamp("2026-11-18")


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

    def test_no_post_snapshot_means_no_engagement_on_the_window_s_posts(self):
        daily = kpis.account_daily(
            frames.account_metrics(), frames.post_metrics(), frames.posts()
        ).set_index(["network", "day"])
        x17 = daily.loc[("x", pd.Timestamp("2026-11-17"))]  # before the first post
        assert x17.engagements == 0 and _nan(x17.impressions)
        assert _nan(x17.engagement_rate_reach_pct)  # X reports no reach

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


class TestTheFirstNight:
    """The demo's 245 %: Instagram's first night with 28 days of posts (kpi_frames)."""

    def daily(self):
        night = frames.first_night()
        return kpis.account_daily(
            night["account_metrics"],
            night["post_metrics"],
            night["posts"],
            timezone="Europe/Paris",
        ).set_index("day")

    def test_lifetime_counters_over_one_day_s_reach_gave_245_pct(self):
        night = frames.first_night()
        read = night["post_metrics"][night["post_metrics"].day == frames.FIRST_NIGHT]
        lifetime = kpis.engagements(read).sum()
        assert lifetime == 12_707
        assert lifetime / 5179 * 100 == pytest.approx(245.36, abs=0.01)  # the old figure

    def test_the_first_night_has_unknown_engagements_not_245_pct(self):
        first = self.daily().loc[pd.Timestamp(frames.FIRST_NIGHT)]
        assert first.reach == 5179
        assert _nan(first.engagements)
        assert _nan(first.engagement_rate_reach_pct)
        assert _nan(first.engagement_rate_followers_pct)

    def test_the_second_night_counts_that_day_s_activity(self):
        second = self.daily().loc[pd.Timestamp(frames.SECOND_NIGHT)]
        assert second.engagements == 26 * 6 + 40 + 55 == 251
        assert second.engagement_rate_reach_pct == pytest.approx(251 / 5020 * 100)  # 5.0 %
        assert second.posts_published == 1

    def test_the_rollup_rates_only_the_days_it_knows(self):
        both = kpis.rollup(self.daily().reset_index(), ["network"]).iloc[0]
        assert _nan(both.engagements)  # not 251: the first night is unknown
        assert both.account_days == 2 and both.account_days_with_engagements == 1
        assert both.engagement_rate_reach_pct == pytest.approx(5.0)  # 251 / 5,020, not / 10,199
        assert _nan(both.engagement_rate_followers_pct)


class TestUnknownDays:
    """kpi_frames.unknown_days: a post missing one night, a missed night, the time zone."""

    def daily(self, timezone="Europe/Paris"):
        days = frames.unknown_days()
        return kpis.account_daily(
            days["account_metrics"], days["post_metrics"], days["posts"], timezone=timezone
        ).set_index(["account_id", "day"])

    def test_known_days_sum_their_posts(self):
        daily = self.daily()
        a17 = daily.loc[("A", pd.Timestamp("2026-11-17"))]
        assert (a17.impressions, a17.reach, a17.engagements) == (150, 120, 16)
        assert a17.posts_published == 2
        a20 = daily.loc[("A", pd.Timestamp("2026-11-20"))]
        # a1: 50, 30, 4; a2: 10, reach reported neither day (not part of the sum), 1
        assert (a20.impressions, a20.reach, a20.engagements) == (60, 30, 5)
        assert a20.engagement_rate_reach_pct == pytest.approx(5 / 30 * 100)

    def test_a_post_missing_between_two_snapshots_makes_the_day_unknown(self):
        a18 = self.daily().loc[("A", pd.Timestamp("2026-11-18"))]
        # a2 alone gained 40, 30, 5: a partial sum, so unknown
        assert p_nan(a18[["impressions", "reach", "engagements"]])

    def test_the_day_after_a_gap_is_unknown(self):
        daily = self.daily()
        assert p_nan(daily.loc[("A", pd.Timestamp("2026-11-19")), ["engagements"]])
        b19 = daily.loc[("B", pd.Timestamp("2026-11-19"))]
        assert p_nan(b19[["impressions", "reach", "engagements"]])  # two days in one

    def test_a_counter_reported_on_one_of_two_days_is_unknown(self):
        metrics = pd.DataFrame(
            [
                ("x", "q1", "2026-11-18", 10),
                ("x", "q1", "2026-11-19", 15),
                ("x", "q2", "2026-11-18", 5),
                ("x", "q2", "2026-11-19", None),
                ("x", "q3", "2026-11-18", None),
                ("x", "q3", "2026-11-19", None),
            ],
            columns=["network", "post_id", "day", "reach"],
        )
        posts = pd.DataFrame(
            [("x", q, "1", "2026-11-18T08:00Z") for q in ("q1", "q2", "q3")],
            columns=["network", "external_id", "account_id", "created_at"],
        )
        activity = kpis.account_activity(metrics, posts).set_index("day")
        assert activity.loc["2026-11-18", "posts_reach"] == 15  # q3 reports no reach
        assert _nan(activity.loc["2026-11-19", "posts_reach"])  # not 5: q2's is unknown
        assert (
            kpis.account_activity(metrics[metrics.post_id != "q2"], posts)
            .set_index("day")
            .loc["2026-11-19", "posts_reach"]
            == 5
        )

    def test_the_brand_s_time_zone_decides_a_post_s_creation_day(self):
        c19 = pd.Timestamp("2026-11-19")
        paris, utc = self.daily("Europe/Paris"), self.daily("UTC")
        assert paris.loc[("C", c19), "engagements"] == 45
        assert paris.loc[("C", c19), "posts_published"] == 1
        assert _nan(utc.loc[("C", c19), "engagements"])
        assert utc.loc[("C", pd.Timestamp("2026-11-18")), "posts_published"] == 1

    def test_the_rollup_keeps_unknown_engagements_unknown(self):
        per_account = kpis.rollup(self.daily().reset_index(), ["account_id"]).set_index(
            "account_id"
        )
        a = per_account.loc["A"]
        assert _nan(a.engagements)
        assert a.account_days == 4 and a.account_days_with_engagements == 2
        assert a.engagement_rate_reach_pct == pytest.approx((16 + 5) / (120 + 30) * 100)
        assert a.impressions == 150 + 60  # other sums are unchanged: unknown days skipped
