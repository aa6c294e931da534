"""Data-quality checks as pure functions."""

from __future__ import annotations

from datetime import date

import pandas as pd
from tests.support import kpi_frames

from socialops.analytics import quality

DAY = date(2026, 11, 20)


def _accounts(followers, handle="brand"):
    return pd.DataFrame(
        [
            {
                "network": "x",
                "account_id": "1",
                "account_handle": handle,
                "day": DAY,
                "followers": followers,
            }
        ]
    )


def _previous(followers, day=date(2026, 11, 19)):
    return pd.DataFrame([{"network": "x", "account_id": "1", "day": day, "followers": followers}])


def test_negative_counts_name_the_post_and_values():
    posts = pd.DataFrame(
        [
            {"network": "x", "post_id": "p1", "day": DAY, "likes": 5, "shares": None},
            {"network": "x", "post_id": "p2", "day": DAY, "likes": -3, "shares": -1},
        ]
    )
    [issue] = quality.negative_counts(posts, ["likes", "shares"], subject="post", account="brand")
    assert issue.subject == "post p2" and issue.values == {"likes": -3, "shares": -1}
    assert issue.message == "x brand post p2 on 2026-11-20: negative counts (likes=-3, shares=-1)"
    assert issue.quarantine and issue.severity == "critical"
    assert issue.fingerprint == "data_quality:negative_count:x:brand:post p2:2026-11-20"


def test_follower_change_within_the_threshold_passes():
    assert quality.follower_changes(_accounts(1190), _previous(1000), threshold_pct=20) == []
    assert quality.follower_changes(_accounts(800), _previous(1000), threshold_pct=20) == []


def test_follower_jump_and_drop_beyond_the_threshold_fail():
    [jump] = quality.follower_changes(_accounts(1250), _previous(1000), threshold_pct=20)
    assert jump.values["change_pct"] == 25.0 and jump.values["followers_previous"] == 1000
    assert "jumped from 1000 on 2026-11-19 to 1250 on 2026-11-20 (+25.0 %" in jump.message
    [drop] = quality.follower_changes(_accounts(700), _previous(1000), threshold_pct=20)
    assert "dropped" in drop.message and drop.values["change_pct"] == -30.0


def test_follower_change_needs_a_base():
    assert quality.follower_changes(_accounts(500), _previous(0), threshold_pct=20) == []
    assert quality.follower_changes(_accounts(None), _previous(1000), threshold_pct=20) == []
    assert (
        quality.follower_changes(_accounts(500), _previous(1000).iloc[0:0], threshold_pct=20) == []
    )


def test_missing_days_lists_the_gap_and_the_backfill_command():
    assert quality.missing_days("x", "brand", DAY, None) == []
    assert quality.missing_days("x", "brand", DAY, date(2026, 11, 19)) == []
    [issue] = quality.missing_days("x", "brand", DAY, date(2026, 11, 18))
    assert issue.values["missing"] == ["2026-11-19"] and not issue.quarantine
    assert "no metrics for 2026-11-19 (1 day(s))" in issue.message
    assert issue.severity == "warning"


def test_split_quarantined_withholds_only_flagged_rows():
    posts = pd.DataFrame(
        [
            {"network": "x", "post_id": "p1", "day": DAY, "likes": 5},
            {"network": "x", "post_id": "p2", "day": DAY, "likes": -3},
        ]
    )
    issues = quality.negative_counts(posts, ["likes"], subject="post", account="brand")
    issues += quality.missing_days("x", "brand", DAY, date(2026, 11, 1))
    kept, withheld = quality.split_quarantined(posts, issues, subject="post")
    assert kept.post_id.tolist() == ["p1"] and withheld.post_id.tolist() == ["p2"]
    accounts = _accounts(5000)
    [jump] = quality.follower_changes(accounts, _previous(1000), threshold_pct=20)
    kept, withheld = quality.split_quarantined(accounts, [jump, *issues], subject="account")
    assert kept.empty and len(withheld) == 1
    kept, withheld = quality.split_quarantined(accounts, issues, subject="account")
    assert len(kept) == 1 and withheld.empty


# -- invariants of plausible KPIs ----------------------------------------------------------


def _post(post_id="p1", day=DAY, **counters):
    return {"network": "instagram", "post_id": post_id, "day": day, **counters}


class TestReachAboveImpressions:
    def test_post_and_account_rows_name_the_values(self):
        posts = pd.DataFrame(
            [
                _post("p1", impressions=1000, reach=1200),
                _post("p2", impressions=1000, reach=1000),  # equal: fine
                _post("p3", impressions=None, reach=1200),  # unknown: not judged
            ]
        )
        [issue] = quality.reach_above_impressions(posts, subject="post", account="brand")
        assert issue.check == "reach_above_impressions" and issue.subject == "post p1"
        assert issue.values == {"reach": 1200, "impressions": 1000}
        assert issue.message.startswith(
            "instagram brand post p1 on 2026-11-20: reach 1200 above impressions 1000"
        )
        assert "rerun the account's extraction of the day" in issue.message
        assert not issue.quarantine and issue.severity == "warning"
        accounts = _accounts(5000).assign(impressions=400, reach=500)
        [account] = quality.reach_above_impressions(accounts, subject="account")
        assert account.subject == "account" and account.account == "brand"
        assert (
            account.fingerprint == "data_quality:reach_above_impressions:x:brand:account:2026-11-20"
        )

    def test_warnings_are_not_withheld(self):
        posts = pd.DataFrame([_post("p1", impressions=10, reach=20)])
        issues = quality.reach_above_impressions(posts, subject="post", account="brand")
        kept, withheld = quality.split_quarantined(posts, issues, subject="post")
        assert len(kept) == 1 and withheld.empty


class TestEngagementRateAbove100:
    def test_a_post_with_more_engagements_than_people_reached(self):
        posts = pd.DataFrame(
            [
                _post("p1", engagements=412, reach=300),
                _post("p2", engagements=300, reach=300),  # 100 %: possible, not flagged
                _post("p3", engagements=5, reach=0),  # no reach: the rate is undefined
            ]
        )
        [issue] = quality.engagement_rate_above_100(posts, subject="post", account="brand")
        assert issue.values == {
            "engagements": 412,
            "reach": 300,
            "engagement_rate_reach_pct": 137.3,  # 412 / 300
        }
        assert "412 engagements for a reach of 300 (137.3 % by reach, above 100 %)" in (
            issue.message
        )
        assert "giveaway" in issue.message and not issue.quarantine

    def test_an_account_day_points_at_the_posts_increments(self):
        day = _accounts(5000).assign(engagements=6300.0, reach=5179)
        [issue] = quality.engagement_rate_above_100(day, subject="account")
        assert issue.values["engagement_rate_reach_pct"] == 121.6  # 6,300 / 5,179
        assert "day-over-day increments" in issue.message


class TestCounterDecreases:
    def stored(self):
        return pd.DataFrame(
            [
                _post("p1", day=date(2026, 11, 19), likes=600, comments=100),
                _post("p1", day=DAY, likes=1, comments=1),  # replaced by the current read
                _post("p2", day=date(2026, 11, 18), likes=100),
                _post("p3", day=date(2026, 11, 21), likes=500),  # the day after
            ]
        )

    def test_small_falls_are_tolerated(self):
        current = pd.DataFrame(
            [
                _post("p1", likes=588, comments=90),  # −12 ≤ 2 % of 600; −10 ≤ 10
                _post("p2", likes=90),  # −10 ≤ 10
                _post("p3", likes=505),  # higher than the next day by 5
            ]
        )
        assert quality.counter_decreases(current, self.stored(), account="brand") == []

    def test_falls_beyond_the_tolerance_are_flagged(self):
        current = pd.DataFrame(
            [
                _post("p1", likes=587, comments=89),  # −13 > 12 (2 % of 600); −11 > 10
                _post("p2", likes=89),  # −11 > 10
            ]
        )
        p1, p2 = quality.counter_decreases(current, self.stored(), account="brand")
        assert p1.check == "counter_decrease" and p1.subject == "post p1"
        assert [f["counter"] for f in p1.values["decreases"]] == ["likes", "comments"]
        assert p1.values["decreases"][0] == {
            "counter": "likes",
            "from_day": "2026-11-19",
            "from": 600,
            "to_day": "2026-11-20",
            "to": 587,
        }
        assert "likes 600 on 2026-11-19 → 587 on 2026-11-20" in p1.message
        assert "nothing to do" in p1.message and not p1.quarantine
        assert p2.values["decreases"][0]["from"] == 100 and p2.day == DAY

    def test_a_reloaded_day_above_the_day_after_is_flagged(self):
        # a backfill of the 20th read today's counters, higher than the 21st's stored ones
        current = pd.DataFrame([_post("p3", likes=700)])
        [issue] = quality.counter_decreases(current, self.stored(), account="brand")
        assert issue.values["decreases"] == [
            {
                "counter": "likes",
                "from_day": "2026-11-20",
                "from": 700,
                "to_day": "2026-11-21",
                "to": 500,
            }
        ]
        assert "reload those too" in issue.message

    def test_unknown_counters_and_first_snapshots_are_not_judged(self):
        current = pd.DataFrame([_post("p1", likes=None, comments=100), _post("p9", likes=1)])
        assert quality.counter_decreases(current, self.stored(), account="brand") == []
        assert quality.counter_decreases(current.iloc[0:0], self.stored()) == []


class TestSnapshotInvariants:
    """The checks of one account's night, on kpi_frames.first_night (Instagram)."""

    def night(self, day):
        frames = kpi_frames.first_night()
        metrics, accounts = frames["post_metrics"], frames["account_metrics"]
        return {
            "post_metrics": metrics[metrics.day == day],
            "account_metrics": accounts[accounts.day == day],
            "stored_post_metrics": metrics[metrics.day != day],
            "posts": frames["posts"],
        }

    def test_the_first_night_cannot_raise_the_245_pct(self):
        night = self.night(kpi_frames.FIRST_NIGHT)
        night["stored_post_metrics"] = night["stored_post_metrics"].iloc[0:0]  # installed
        issues = quality.snapshot_invariants(**night, account="brand", timezone="Europe/Paris")
        assert issues == []  # the day's engagements are unknown, not 12,707

    def test_an_implausible_account_day_is_flagged(self):
        night = self.night(kpi_frames.SECOND_NIGHT)
        night["account_metrics"] = night["account_metrics"].assign(reach=200)
        [issue] = quality.snapshot_invariants(**night, account="brand", timezone="Europe/Paris")
        assert issue.check == "engagement_rate_above_100" and issue.subject == "account"
        assert issue.values == {
            "engagements": 251,
            "reach": 200,
            "engagement_rate_reach_pct": 125.5,
        }
        assert issue.day == date(2026, 11, 21)

    def test_post_rows_are_checked_with_their_neighbours(self):
        night = self.night(kpi_frames.SECOND_NIGHT)
        metrics = night["post_metrics"].copy()
        ig1 = metrics.post_id == "ig1"
        metrics.loc[ig1, ["likes", "reach", "impressions"]] = [300, 2500, 2400]
        night["post_metrics"] = metrics
        issues = quality.snapshot_invariants(**night, account="brand", timezone="Europe/Paris")
        assert sorted((i.check, i.subject) for i in issues) == [
            ("counter_decrease", "post ig1"),  # likes 400 → 300
            ("reach_above_impressions", "post ig1"),
        ]

    def test_an_account_s_own_reach_is_compared_with_its_own_impressions_only(self):
        night = self.night(kpi_frames.SECOND_NIGHT)
        # own reach 5,020 against its posts' impressions (1,460): not comparable, not judged
        assert quality.snapshot_invariants(**night, account="brand", timezone="UTC") == []
        night["account_metrics"] = night["account_metrics"].assign(impressions=4000)
        [issue] = quality.snapshot_invariants(**night, account="brand", timezone="UTC")
        assert (issue.check, issue.subject) == ("reach_above_impressions", "account")
        assert issue.values == {"reach": 5020, "impressions": 4000}
