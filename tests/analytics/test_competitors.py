"""The competitor analytics on small frames with hand-computed figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from socialops.analytics import competitors as c

TZ = "Europe/Paris"


def audience(rows):
    return pd.DataFrame(
        rows, columns=["owner", "network", "account_id", "handle", "day", "followers"]
    )


def posts(rows):
    columns = ["owner", "network", "account_id", "handle", "post_id", "created_at", "kind",
               "likes", "comments", "shares", "views", "url"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def post(n, when, likes, comments=0, shares=0, *, kind="post", account="r1", owner="Rival"):
    return [owner, "x", account, "rival", f"p{n}", when, kind, likes, comments, shares, None,
            f"https://x.com/rival/status/{n}"]  # fmt: skip


def test_weekly_benchmark_growth_posting_and_rates():
    # Week of Mon 9 Nov: last snapshot 1 000; week of 16 Nov: last snapshot 1 100.
    followers = audience(
        [
            ["Rival", "x", "r1", "rival", date(2026, 11, 10), 990],
            ["Rival", "x", "r1", "rival", date(2026, 11, 15), 1000],
            ["Rival", "x", "r1", "rival", date(2026, 11, 20), 1100],
        ]
    )
    # 23:30 UTC on Sunday 15 Nov is Monday 16 Nov in Paris: it counts in the second week.
    week_posts = posts(
        [
            post(1, datetime(2026, 11, 10, 9, tzinfo=UTC), 40, 5, 5),
            post(2, datetime(2026, 11, 15, 23, 30, tzinfo=UTC), 60, 10, 10),
            post(3, datetime(2026, 11, 18, 9, tzinfo=UTC), 20, None, None),
        ]
    )

    table = c.weekly_benchmark(followers, week_posts, TZ)

    first, second = table.to_dict("records")
    assert (first["week"], first["followers"], first["posts"], first["engagements"]) == (
        date(2026, 11, 9), 1000, 1, 50,
    )  # fmt: skip
    assert np.isnan(first["follower_growth"])
    assert (second["week"], second["posts"], second["engagements"]) == (date(2026, 11, 16), 2, 100)
    assert second["follower_growth"] == 100
    assert second["follower_growth_pct"] == pytest.approx(10.0)  # 100 / 1 000
    assert second["engagements_per_post"] == pytest.approx(50.0)  # (80 + 20) / 2
    assert second["engagement_rate_followers_pct"] == pytest.approx(50 / 1100 * 100)


def test_growth_is_unknown_across_a_missing_week():
    followers = audience(
        [
            ["Rival", "x", "r1", "rival", date(2026, 11, 2), 900],
            ["Rival", "x", "r1", "rival", date(2026, 11, 20), 1100],
        ]
    )
    table = c.weekly_benchmark(followers, posts([]), TZ)
    assert np.isnan(table["follower_growth"].iloc[-1])
    assert table["posts"].tolist() == [0, 0]
    assert table["engagements_per_post"].isna().all()  # no post: undefined, not 0


def test_formats_and_top_posts():
    frame = posts(
        [
            post(1, datetime(2026, 11, 10, tzinfo=UTC), 10, kind="video"),
            post(2, datetime(2026, 11, 11, tzinfo=UTC), 300),
            post(3, datetime(2026, 11, 12, tzinfo=UTC), 200),
            post(4, datetime(2026, 11, 13, tzinfo=UTC), 100),
        ]
    )
    shares = c.formats(frame).set_index("kind")["share_pct"].to_dict()
    assert shares == {"post": 75.0, "video": 25.0}
    assert c.top_posts(frame, n=2)["post_id"].tolist() == ["p2", "p3"]


def test_share_of_voice_counts_each_owner_with_its_sentiment():
    mentions = pd.DataFrame(
        {
            "text": [
                "J'adore Maison Lumière",
                "Rival Co déçoit",
                "maison lumière > rival co",
                "rien à voir",
            ],  # fmt: skip
            "sentiment_label": ["positive", "negative", "neutral", "neutral"],
        }
    )
    voices = {"Maison Lumière": ["maison lumière"], "Rival Co": ["rival co", "#rivalco"]}

    table = c.share_of_voice(mentions, voices).set_index("owner")

    assert table.loc["Maison Lumière", ["mentions", "positive", "neutral"]].tolist() == [2, 1, 1]
    assert table.loc["Rival Co", ["mentions", "negative", "neutral"]].tolist() == [2, 1, 1]
    assert table["share_pct"].tolist() == [50.0, 50.0]


def test_share_of_voice_without_mentions_is_undefined_not_zero():
    table = c.share_of_voice(pd.DataFrame(columns=["text", "sentiment_label"]), {"A": ["a"]})
    assert table["mentions"].tolist() == [0]
    assert table["share_pct"].isna().all()


def test_a_viral_post_against_the_median_of_the_others():
    usual = [post(n, datetime(2026, 11, n + 1, tzinfo=UTC), 100 + n) for n in range(5)]
    frame = posts([*usual, post(9, datetime(2026, 11, 9, tzinfo=UTC), 350)])

    found = c.viral_posts(frame, factor=3.0, min_engagements=50, min_history=5)

    (row,) = found.to_dict("records")
    assert row["post_id"] == "p9"
    assert row["usual"] == 102  # median of 100..104
    assert row["multiple"] == pytest.approx(350 / 102)


def test_no_viral_post_below_the_factor_the_volume_or_the_history():
    usual = [post(n, datetime(2026, 11, n + 1, tzinfo=UTC), 10) for n in range(5)]
    small = posts([*usual, post(9, datetime(2026, 11, 9, tzinfo=UTC), 40)])
    assert c.viral_posts(small, factor=3.0, min_engagements=50, min_history=5).empty
    short = posts([*usual[:3], post(9, datetime(2026, 11, 9, tzinfo=UTC), 400)])
    assert c.viral_posts(short, factor=3.0, min_engagements=50, min_history=5).empty


def test_follower_jump_against_the_latest_earlier_snapshot():
    followers = audience(
        [
            ["Other", "x", "o1", "otherco", date(2026, 11, 18), 9000],
            ["Other", "x", "o1", "otherco", date(2026, 11, 19), 10000],
            ["Other", "x", "o1", "otherco", date(2026, 11, 20), 11000],
            ["Rival", "x", "r1", "rival", date(2026, 11, 19), 40000],
            ["Rival", "x", "r1", "rival", date(2026, 11, 20), 41000],  # +2.5 %: not a jump
        ]
    )
    (jump,) = c.follower_jumps(followers, date(2026, 11, 20), pct=5, minimum=200).to_dict("records")
    assert (jump["handle"], jump["before"], jump["after"], jump["gain"]) == (
        "otherco", 10000, 11000, 1000,
    )  # fmt: skip
    assert jump["gain_pct"] == pytest.approx(10.0)


def test_posting_burst_against_the_weeks_before():
    day = date(2026, 11, 20)
    usual = [post(n, datetime(2026, 10, 31 + 0, 10, tzinfo=UTC), 5) for n in range(3)]
    burst = [post(10 + n, datetime(2026, 11, 15 + n, 10, tzinfo=UTC), 5) for n in range(6)]

    (row,) = c.posting_bursts(posts(usual + burst), day, TZ, factor=2, min_posts=5).to_dict(
        "records"
    )

    assert (row["recent"], row["usual"]) == (6, 1.0)  # 3 posts over the 3 weeks before
    calm = c.posting_bursts(posts(usual + burst[:4]), day, TZ, factor=2, min_posts=5)
    assert calm.empty
