"""Data-quality checks as pure functions."""

from __future__ import annotations

from datetime import date

import pandas as pd

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
