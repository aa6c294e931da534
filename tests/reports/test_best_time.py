from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from socialops.reports.best_time import (
    MIN_ACCOUNT_POSTS,
    PRIOR_POSTS,
    best_slots,
    heatmap,
    post_lifts,
    slot_scores,
    weak_slot,
)

TZ = "Europe/Paris"


def frames(specs):
    """``specs``: (network, account, post, created_at UTC, reach, likes); each post read once,
    three days after it was created."""
    posts, metrics = [], []
    for network, account, post, created, reach, likes in specs:
        posts.append((network, post, account, pd.Timestamp(created)))
        day = (pd.Timestamp(created) + pd.Timedelta(days=3)).date().isoformat()
        metrics.append((network, post, day, reach, reach, likes, 0, 0, 0))
    return (
        pd.DataFrame(
            metrics,
            columns=[
                "network",
                "post_id",
                "day",
                "impressions",
                "reach",
                "likes",
                "comments",
                "shares",
                "saves",
            ],
        ),
        pd.DataFrame(posts, columns=["network", "external_id", "account_id", "created_at"]),
    )


def weekly_posts(count, *, strong_at="2026-10-06 18:10", weak_at="2026-10-08 09:00"):
    """``count`` weeks of two X posts at Paris wall-clock times (across the end of summer
    time): Tuesday 18:10 (strong), Thursday 09:00 (weak)."""
    specs = []
    for week in range(count):
        for name, local, likes in (("s", strong_at, 60), ("w", weak_at, 20)):
            moment = pd.Timestamp(local).tz_localize(TZ) + pd.DateOffset(weeks=week)
            specs.append(("x", "a1", f"{name}{week}", str(moment.tz_convert("UTC")), 1000, likes))
    return frames(specs)


def test_a_post_lands_in_its_brand_local_slot_and_lift_is_relative_to_its_account():
    metrics, posts = frames(
        [
            # 22:30 UTC on Monday is 23:30 in Paris (winter): still Monday, 23h.
            ("x", "a1", "p1", "2026-11-16T22:30:00Z", 1000, 30),
            ("x", "a1", "p2", "2026-11-17T09:00:00Z", 1000, 10),
        ]
    )
    lifts = post_lifts(metrics, posts, timezone=TZ).set_index("post_id")
    assert (lifts.loc["p1", "weekday"], lifts.loc["p1", "hour"]) == (0, 23)
    assert (lifts.loc["p2", "weekday"], lifts.loc["p2", "hour"]) == (1, 10)
    # rates 3 % and 1 %, mean 2 %: lifts 1.5 and 0.5
    assert lifts.loc["p1", "lift"] == pytest.approx(1.5)
    assert lifts.loc["p2", "lift"] == pytest.approx(0.5)
    assert set(lifts["basis"]) == {"reach"}


def test_without_reach_the_lift_is_by_engagements():
    metrics, posts = frames(
        [
            ("youtube", "y1", "v1", "2026-11-16T10:00:00Z", None, 90),
            ("youtube", "y1", "v2", "2026-11-17T10:00:00Z", None, 30),
        ]
    )
    lifts = post_lifts(metrics, posts, timezone=TZ).set_index("post_id")
    assert lifts.loc["v1", "lift"] == pytest.approx(1.5)
    assert lifts.loc["v1", "basis"] == "engagements"


def test_young_posts_and_posts_outside_the_window_are_not_scored():
    metrics, posts = frames([("x", "a1", "old", "2026-11-01T10:00:00Z", 1000, 10)])
    young = pd.DataFrame(
        [("x", "new", "2026-11-20", 1000, 1000, 5, 0, 0, 0)], columns=list(metrics.columns)
    )
    young_post = pd.DataFrame(
        [("x", "new", "a1", "2026-11-20T08:00:00Z")], columns=list(posts.columns)
    )
    metrics, posts = pd.concat([metrics, young]), pd.concat([posts, young_post])
    assert list(post_lifts(metrics, posts, timezone=TZ)["post_id"]) == ["old"]
    assert post_lifts(metrics, posts, timezone=TZ, since=date(2026, 11, 2)).empty


def test_the_strong_slot_is_recommended_with_its_confidence():
    metrics, posts = weekly_posts(10)
    lifts = post_lifts(metrics, posts, timezone=TZ)
    scores = slot_scores(lifts)
    slots = best_slots(scores, lifts)
    assert [(s.weekday, s.hour) for s in slots] == [(1, 18)]  # the weak slot scores below 1
    slot = slots[0]
    assert slot.posts == 10 and slot.confidence == "high" and not slot.network_pattern
    # lifts 1.5 (strong) and 0.5 (weak); the network prior is the same posts shrunk toward 1
    network = (10 * 1.5 + PRIOR_POSTS) / (10 + PRIOR_POSTS)
    assert slot.score == pytest.approx((10 * 1.5 + PRIOR_POSTS * network) / (10 + PRIOR_POSTS))


def test_few_posts_fall_back_to_the_network_pattern_and_say_so():
    # a2 has a single post in the weak slot; the network's pattern (a1's ten weeks) decides.
    metrics, posts = weekly_posts(10)
    extra_metrics, extra_posts = frames(
        [
            ("x", "a2", "z1", "2026-11-12T08:00:00Z", 1000, 50),
            ("x", "a2", "z2", "2026-11-13T08:00:00Z", 1000, 50),
        ]
    )
    lifts = post_lifts(
        pd.concat([metrics, extra_metrics]), pd.concat([posts, extra_posts]), timezone=TZ
    )
    slots = [s for s in best_slots(slot_scores(lifts), lifts) if s.account_id == "a2"]
    assert slots and all(s.network_pattern and s.confidence == "low" for s in slots)
    assert (slots[0].weekday, slots[0].hour) == (1, 18)
    assert len(lifts[lifts["account_id"] == "a2"]) < MIN_ACCOUNT_POSTS


def test_a_slot_with_one_post_is_not_recommended():
    metrics, posts = frames([("x", "a1", "p1", "2026-11-16T10:00:00Z", 1000, 30)])
    lifts = post_lifts(metrics, posts, timezone=TZ)
    assert best_slots(slot_scores(lifts), lifts) == []


def test_empty_history_gives_no_slot_and_an_empty_heatmap():
    metrics, posts = frames([])
    lifts = post_lifts(metrics, posts, timezone=TZ)
    scores = slot_scores(lifts)
    assert best_slots(scores, lifts) == []
    grid = heatmap(scores, "x")
    assert grid.shape == (7, 24) and grid.isna().all().all()


def test_heatmap_places_scores_at_weekday_and_hour():
    metrics, posts = weekly_posts(4)
    lifts = post_lifts(metrics, posts, timezone=TZ)
    grid = heatmap(slot_scores(lifts), "x")
    assert grid.loc[1, 18] > 1 > grid.loc[3, 9]
    assert grid.notna().sum().sum() == 2


def week_of_slots(weeks, *, weak_posts=None):
    """``weeks`` weeks of one X account posting at six Paris slots (likes per 1 000 reach):
    Tue 18h 60, Mon/Wed/Fri 12h 40, Thu 9h 15 and Fri 9h 20 (the weak ones). ``weak_posts``:
    how many weeks have the Thursday 9h post (default all)."""
    slots = [
        ("2026-10-05 12:00", 40),  # Monday
        ("2026-10-06 18:10", 60),
        ("2026-10-07 12:00", 40),
        ("2026-10-08 09:00", 15),
        ("2026-10-09 12:00", 40),
        ("2026-10-09 09:00", 20),
    ]
    specs = []
    for week in range(weeks):
        for index, (local, likes) in enumerate(slots):
            if index == 3 and weak_posts is not None and week >= weak_posts:
                continue
            moment = pd.Timestamp(local).tz_localize(TZ) + pd.DateOffset(weeks=week)
            specs.append(
                ("x", "a1", f"p{index}-{week}", str(moment.tz_convert("UTC")), 1000, likes)
            )
    metrics, posts = frames(specs)
    return slot_scores(post_lifts(metrics, posts, timezone=TZ))


def paris(text):
    return pd.Timestamp(text).tz_localize(TZ).tz_convert("UTC").to_pydatetime()


#: Monday morning of the week the posts are planned in (after the ten weeks of history).
MONDAY = paris("2026-12-14 08:00")


def advice(scores, planned, *, now=MONDAY, account_id="a1"):
    return weak_slot(
        scores,
        network="x",
        account_id=account_id,
        planned_at=paris(planned),
        timezone=TZ,
        now=now,
    )


def test_a_post_planned_in_one_of_the_weakest_slots_gets_the_nearest_better_ones():
    scores = week_of_slots(10)
    found = advice(scores, "2026-12-17 09:30")  # Thursday 9h
    assert found is not None
    assert (found.rank, found.slots, found.posts, found.confidence) == (1, 6, 10, "high")
    # lift 15 / (215 / 6) ≈ 0.42, shrunk toward the network (the same account here)
    assert found.score == pytest.approx(
        (
            10 * 15 / (215 / 6)
            + PRIOR_POSTS * (10 * 15 / (215 / 6) + PRIOR_POSTS) / (10 + PRIOR_POSTS)
        )
        / (10 + PRIOR_POSTS)
    )
    # The better slots of that week nearest to Thursday 9:30: Wednesday and Friday noon.
    assert [b.at for b in found.better] == [paris("2026-12-16 12:00"), paris("2026-12-18 12:00")]
    assert all(b.score > 1 for b in found.better)
    # Friday 9h is the second weakest of six: in the bottom third too.
    assert advice(scores, "2026-12-18 09:00").rank == 2


def test_a_slot_above_the_bottom_third_or_above_usual_is_not_weak():
    scores = week_of_slots(10)
    assert advice(scores, "2026-12-16 12:20") is None  # Wednesday noon: a better one
    assert advice(scores, "2026-12-15 18:00") is None  # the best
    assert advice(scores, "2026-12-17 15:00") is None  # never posted then: unknown
    assert advice(scores, "2026-12-17 09:00", account_id="other") is None


def test_only_better_slots_still_ahead_are_named_and_none_left_means_no_advice():
    scores = week_of_slots(10)
    late = advice(scores, "2026-12-17 09:30", now=paris("2026-12-16 13:00"))
    assert [b.at for b in late.better] == [paris("2026-12-18 12:00")]
    assert advice(scores, "2026-12-18 09:30", now=paris("2026-12-18 13:00")) is None


def test_too_little_history_or_a_low_confidence_slot_says_nothing():
    assert advice(week_of_slots(1), "2026-12-17 09:30") is None  # 6 posts: too few
    # Plenty of posts, but only two on Thursday 9h: weak, yet on too few posts to say so.
    few = week_of_slots(10, weak_posts=2)
    row = few[(few["weekday"] == 3) & (few["hour"] == 9)].iloc[0]
    assert (row["posts"], row["confidence"], row["score"] < 1) == (2, "low", True)
    assert advice(few, "2026-12-17 09:30") is None
    assert advice(slot_scores(post_lifts(*frames([]), timezone=TZ)), "2026-12-17 09:30") is None
