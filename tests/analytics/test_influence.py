"""Influencer scoring against hand-computed values (docs/influencers.md has the formulas)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from socialops.analytics import influence

AS_OF = date(2026, 11, 20)
BRAND = influence.BrandProfile(
    keywords=("bougie parfumée",),
    hashtags=("#MaisonLumiere",),
    locale="fr",
    names=("Maison Lumière",),
)


def account(**values) -> pd.DataFrame:
    """One neutral account (every authenticity term 0 but the handle's −0.6), overridden."""
    row = {"network": "instagram", "handle": "abc", "followers": 99, "following": 99}
    row["posts_count"] = 9
    row.update(values)
    return pd.DataFrame([row])


def terms(**values) -> pd.Series:
    return influence.authenticity_terms(account(**values), as_of=AS_OF).iloc[0]


def flags_of(**values) -> list[str]:
    value = influence.flags(account(**values), as_of=AS_OF).iloc[0]
    return value.split(";") if value else []


class TestTier:
    @pytest.mark.parametrize(
        ("followers", "expected"),
        [
            (0, "below_nano"),
            (999, "below_nano"),
            (1_000, "nano"),
            (9_999, "nano"),
            (10_000, "micro"),
            (49_999, "micro"),
            (50_000, "mid"),
            (499_999, "mid"),
            (500_000, "macro"),
            (999_999, "macro"),
            (1_000_000, "mega"),
            (250_000_000, "mega"),
        ],
    )
    def test_boundaries_belong_to_the_upper_tier(self, followers, expected):
        assert influence.tier(pd.Series([followers])).iloc[0] == expected

    @pytest.mark.parametrize("value", [None, float("nan"), -5, "many", 2e10])
    def test_unknown_negative_or_implausible_counts_have_no_tier(self, value):
        assert influence.tier(pd.Series([value], dtype=object)).iloc[0] is None


class TestReach:
    def test_log_scale_between_100_and_10_million(self):
        followers = pd.Series([0, 50, 100, 1_000, 10_000, 1_000_000, 10_000_000, 10**9])
        expected = [0.0, 0.0, 0.0, 0.2, 0.4, 0.8, 1.0, 1.0]
        assert influence.reach(followers).tolist() == pytest.approx(expected)

    def test_unknown_followers_unknown_reach(self):
        assert math.isnan(influence.reach(pd.Series([None], dtype=float)).iloc[0])


class TestEngagement:
    def test_rate_is_likes_plus_comments_over_followers(self):
        frame = pd.concat(
            [
                account(followers=10_000, avg_likes=300, avg_comments=20),
                account(followers=10_000, avg_likes=300),
                account(followers=10_000),
                account(followers=0, avg_likes=5, avg_comments=1),
            ]
        )
        rates = influence.engagement_rate(frame).tolist()
        assert rates[0] == pytest.approx(0.032)
        assert rates[1] == pytest.approx(0.03)  # unknown comments count as 0 next to likes
        assert math.isnan(rates[2]) and math.isnan(rates[3])

    def test_component_is_half_at_the_norm_and_one_at_twice_the_norm(self):
        # Instagram micro norm: 2.75 % of 10,000 followers = 275 interactions a post.
        frame = pd.concat(
            [
                account(followers=10_000, avg_likes=275),
                account(followers=10_000, avg_likes=550),
                account(followers=10_000, avg_likes=5_000),
                account(followers=10_000, avg_likes=27.5),
            ]
        )
        assert influence.engagement_vs_norm(frame).tolist() == pytest.approx(
            [1, 2, 5000 / 275, 0.1]
        )
        assert influence.engagement(frame).tolist() == pytest.approx([0.5, 1.0, 1.0, 0.05])

    def test_norm_depends_on_network_and_tier(self):
        frame = pd.DataFrame(
            {
                "network": ["x", "instagram", "youtube", "tiktok"],
                "handle": ["a", "b", "c", "d"],
                "followers": [5_000, 500, 2_000_000, 5_000],
                "following": [1, 1, 1, 1],
                "posts_count": [1, 1, 1, 1],
                "avg_likes": [6, 20, 18_000, 100],
            }
        )
        # x: 0.12 % at every tier; instagram below_nano uses nano's 4 %; youtube mega 0.9 %.
        ratios = influence.engagement_vs_norm(frame).tolist()
        assert ratios[:3] == pytest.approx([1.0, 1.0, 1.0])
        assert math.isnan(ratios[3])  # no norm for an unknown network


class TestRelevance:
    def test_keywords_hashtags_language_and_mentions(self):
        frame = account(bio="Bougie parfumée et déco #MaisonLumiere")
        parts = influence.relevance_parts(frame, BRAND).iloc[0]
        assert parts["topic"] == 1.0  # two distinct terms found: saturated
        assert parts["language"] == 1.0  # "et" is French, the brand's locale
        assert parts["mentions"] == 0.0  # "maisonlumiere" is a hashtag, not the name
        # (0.5 × 1 + 0.25 × 1 + 0.25 × 0) / 1
        assert influence.relevance(frame, BRAND).iloc[0] == pytest.approx(0.75)

    def test_brand_mentions_and_the_brand_name_in_recent_posts(self):
        frame = account(bio="", recent_posts=["Merci Maison Lumière pour la bougie"])
        frame["brand_mentions"] = 1
        parts = influence.relevance_parts(frame, BRAND).iloc[0]
        assert parts["topic"] == 0.0  # "bougie" alone is not "bougie parfumée"
        assert parts["mentions"] == pytest.approx(2 / 3)  # 1 counted + the name in a text
        assert parts["language"] == 1.0

    def test_a_given_language_wins_over_detection(self):
        frame = account(bio="la bougie et le parfum", language="EN")
        assert influence.relevance_parts(frame, BRAND).iloc[0]["language"] == 0.0

    def test_no_text_and_no_mention_count_is_unknown(self):
        assert math.isnan(influence.relevance(account(), BRAND).iloc[0])

    def test_only_the_known_parts_are_averaged(self):
        frame = account(brand_mentions=6)
        assert influence.relevance(frame, BRAND).iloc[0] == 1.0

    def test_fold(self):
        assert influence.fold("Maison Lumière!") == "maison lumiere "
        assert BRAND.terms() == ("bougie parfumee", "maisonlumiere")

    def test_detected_language(self):
        detected = influence.detected_language(["the cat and the dog", "le chat et", "42", None])
        assert detected.tolist() == ["en", "fr", None, None]


class TestBrandSafety:
    def test_each_negative_post_costs_a_third(self):
        frame = pd.concat([account(negative_brand_mentions=n) for n in (0, 1, 3, 7)])
        expected = [1.0, 2 / 3, 0.0, 0.0]
        assert influence.brand_safety(frame).tolist() == pytest.approx(expected)

    def test_unknown_without_the_count(self):
        assert math.isnan(influence.brand_safety(account()).iloc[0])


class TestAuthenticityTerms:
    def test_a_neutral_account(self):
        row = terms()
        assert row["follow_ratio"] == 0 and row["followers"] == 0 and row["posts"] == 0
        assert row["handle_digits"] == -0.6
        assert row.sum() == pytest.approx(-1.6)
        expected = 1 / (1 + math.exp(-1.6))
        assert influence.authenticity(account(), as_of=AS_OF).iloc[0] == pytest.approx(expected)

    def test_following_a_hundred_times_more_than_followed(self):
        row = terms(followers=9, following=999)
        assert row["follow_ratio"] == pytest.approx(3.6)  # 1.8 × log10(1000 / 10)
        assert row["followers"] == pytest.approx(0.8)  # −0.8 × (log10(10) − 2)

    def test_being_followed_more_than_following(self):
        assert terms(followers=999, following=99)["follow_ratio"] == pytest.approx(-0.8)
        assert terms(followers=10**8, following=0)["follow_ratio"] == pytest.approx(-1.2)  # floor

    def test_posts(self):
        assert terms(posts_count=0)["posts"] == pytest.approx(1.2)
        assert terms(posts_count=99)["posts"] == pytest.approx(-1.2)
        assert terms(posts_count=10**6)["posts"] == pytest.approx(-2.4)

    @pytest.mark.parametrize(
        ("column", "value", "points"),
        [
            ("has_profile_picture", "no", 2.5),
            ("has_profile_picture", "Yes", -0.5),
            ("verified", True, -3.0),
            ("verified", "false", 0.0),
            ("private", "1", -0.3),
            ("private", "0", 0.0),
        ],
    )
    def test_booleans(self, column, value, points):
        term = {"has_profile_picture": "profile_picture"}.get(column, column)
        assert terms(**{column: value})[term] == pytest.approx(points)

    @pytest.mark.parametrize(
        ("bio", "points"), [("", 0.7), ("   ", 0.7), ("short", -0.4), ("x" * 20, -0.9)]
    )
    def test_bio(self, bio, points):
        assert terms(bio=bio)["bio"] == pytest.approx(points)

    @pytest.mark.parametrize(
        ("handle", "points"),
        [("leaclaire", -0.6), ("leaclaire9", 1.0), ("lea95", 1.5), ("lea1995", 1.5), ("", 0.0)],
    )
    def test_handle_digits(self, handle, points):
        assert terms(handle=handle)["handle_digits"] == pytest.approx(points)

    @pytest.mark.parametrize(
        ("days", "points"), [(10, 1.5), (60, 1.0), (200, 0.3), (500, 0.0), (1_000, -0.5)]
    )
    def test_account_age(self, days, points):
        created = (AS_OF - timedelta(days=days)).isoformat()
        assert terms(created_at=created)["account_age"] == pytest.approx(points)

    def test_age_unknown_without_as_of_or_with_a_future_creation(self):
        frame = account(created_at="2020-01-01")
        assert influence.authenticity_terms(frame, as_of=None).iloc[0]["account_age"] == 0
        assert terms(created_at="2027-01-01")["account_age"] == 0

    @pytest.mark.parametrize(
        ("likes", "points"),
        [(275, -0.3), (27.5, 1.0), (55, 0.5693), (275 * 50, 0.7), (275 * 5, 0.0)],
    )
    def test_engagement_against_the_norm(self, likes, points):
        row = terms(followers=10_000, avg_likes=likes)
        assert row["engagement"] == pytest.approx(points, abs=1e-4)

    def test_follower_jump(self):
        assert terms(followers=6_000, previous_followers=5_000)["follower_jump"] == 1.0
        assert terms(followers=11_000, previous_followers=10_000)["follower_jump"] == 0.0

    def test_unknown_values_add_nothing(self):
        row = terms(followers=None, following=None, posts_count=None, handle=None)
        assert row.drop("intercept").abs().sum() == 0


class TestAuthenticity:
    def test_a_typical_bought_follower_account_is_fake(self):
        frame = account(
            handle="user48213",
            followers=12,
            following=4_800,
            posts_count=0,
            has_profile_picture=False,
            bio="",
            created_at="2026-10-30",
        )
        assert influence.authenticity(frame, as_of=AS_OF).iloc[0] < 0.01

    def test_a_typical_creator_is_genuine(self):
        frame = account(
            handle="deco_claire",
            followers=24_000,
            following=600,
            posts_count=420,
            has_profile_picture=True,
            bio="Déco, bougies et slow living à Lyon",
            created_at="2019-05-01",
        )
        assert influence.authenticity(frame, as_of=AS_OF).iloc[0] > 0.99

    def test_zero_followers_and_following_are_finite(self):
        value = influence.authenticity(account(followers=0, following=0), as_of=AS_OF).iloc[0]
        assert 0 < value < 1


class TestFlags:
    def test_none_raised_is_an_empty_string(self):
        assert influence.flags(account(bio="a long enough bio here"), as_of=AS_OF).iloc[0] == ""

    @pytest.mark.parametrize(
        ("values", "flag", "raised"),
        [
            ({"followers": 0}, "zero_followers", True),
            ({"followers": 1}, "zero_followers", False),
            ({"posts_count": 0}, "no_posts", True),
            ({"posts_count": 1}, "no_posts", False),
            ({"following": 5_000, "followers": 5_000}, "mass_following", True),
            ({"following": 4_999, "followers": 5_000}, "mass_following", False),
            ({"following": 100, "followers": 9}, "low_follower_ratio", True),
            ({"following": 100, "followers": 10}, "low_follower_ratio", False),
            ({"following": 99, "followers": 0}, "low_follower_ratio", False),
            ({"followers": 6_000, "previous_followers": 5_000}, "follower_jump", True),
            ({"followers": 5_999, "previous_followers": 5_000}, "follower_jump", False),
            ({"followers": 10_000, "avg_likes": 54}, "low_engagement_for_size", True),
            ({"followers": 10_000, "avg_likes": 56}, "low_engagement_for_size", False),
            ({"followers": 10_000, "avg_likes": 1_376}, "high_engagement_for_size", True),
            ({"followers": 10_000, "avg_likes": 1_374}, "high_engagement_for_size", False),
            ({"has_profile_picture": "false"}, "no_profile_picture", True),
            ({"has_profile_picture": None}, "no_profile_picture", False),
            ({"private": "yes"}, "private_account", True),
            ({"private": "no"}, "private_account", False),
            ({"created_at": "2026-08-23"}, "young_account", True),  # 89 days
            ({"created_at": "2026-08-22"}, "young_account", False),  # 90 days
            ({"handle": "lea1995"}, "digits_in_handle", True),
            ({"handle": "lea95"}, "digits_in_handle", True),  # 2 of 5 characters
            ({"handle": "leaclaire95"}, "digits_in_handle", False),
            ({"bio": " "}, "empty_bio", True),
            ({"bio": "hi"}, "empty_bio", False),
            ({"negative_brand_mentions": 1}, "negative_about_brand", True),
            ({"negative_brand_mentions": 0}, "negative_about_brand", False),
            ({"followers": 2e10}, "implausible_counts", True),
        ],
    )
    def test_rule(self, values, flag, raised):
        assert (flag in flags_of(**values)) is raised

    def test_flags_are_written_in_the_documented_order(self):
        found = flags_of(followers=0, posts_count=0, has_profile_picture="no", bio="")
        assert found == ["zero_followers", "no_posts", "no_profile_picture", "empty_bio"]
        assert list(influence.flag_table(account(), as_of=AS_OF).columns) == list(influence.FLAGS)


class TestScore:
    def components(self, **values) -> pd.DataFrame:
        row = {"reach": 0.4, "engagement": 0.5, "relevance": 1.0, "authenticity": 1.0}
        row["brand_safety"] = 1.0
        row.update(values)
        return pd.DataFrame([row])

    def test_weighted_combination(self):
        # 0.2 × 0.4 + 0.25 × 0.5 + 0.25 × 1 + 0.2 × 1 + 0.1 × 1 = 0.755
        result = influence.combine(self.components()).iloc[0]
        assert result["score"] == 75.5
        assert result["top_components"] == "relevance;authenticity"

    def test_authenticity_below_one_half_gates_the_score(self):
        # base 0.08 + 0.125 + 0.25 + 0.04 + 0.1 = 0.595, gate 0.2 / 0.5 = 0.4
        assert influence.combine(self.components(authenticity=0.2)).iloc[0]["score"] == 23.8

    def test_unknown_components_drop_out_of_the_weights(self):
        components = self.components(relevance=np.nan, brand_safety=np.nan)
        # (0.08 + 0.125 + 0.2) / 0.65
        assert influence.combine(components).iloc[0]["score"] == pytest.approx(62.3)

    def test_no_score_without_engagement(self):
        result = influence.combine(self.components(engagement=np.nan)).iloc[0]
        assert math.isnan(result["score"]) and result["top_components"] == ""

    def test_score_candidates_with_only_the_required_columns(self):
        frame = pd.DataFrame(
            {
                "network": ["x", "instagram"],
                "handle": ["a", "b"],
                "followers": [0, 5_000],
                "following": [0, 100],
                "posts_count": [3, 0],
            }
        )
        result = influence.score_candidates(frame, BRAND, as_of=None)
        assert result["tier"].tolist() == ["below_nano", "nano"]
        assert result["score"].isna().all()
        assert result["authenticity"].between(0, 1).all()
        assert result["flags"].tolist() == ["zero_followers", "no_posts"]
        assert result.index.equals(frame.index)

    def test_the_index_of_the_frame_is_kept(self):
        frame = pd.concat(
            [account(created_at="2026-11-10", followers=0), account(created_at="2010-01-01")]
        )
        frame.index = pd.Index(["b", "a"])
        result = influence.score_candidates(frame, BRAND, as_of=AS_OF)
        assert result.index.tolist() == ["b", "a"]
        assert result.loc["b", "flags"] == "zero_followers;young_account"
        assert result.loc["a", "flags"] == ""

    def test_score_candidates_end_to_end(self):
        frame = account(
            handle="deco_claire",
            followers=10_000,
            following=400,
            posts_count=300,
            avg_likes=275,
            bio="Bougie parfumée et déco #MaisonLumiere",
            negative_brand_mentions=0,
        )
        row = influence.score_candidates(frame, BRAND, as_of=AS_OF).iloc[0]
        assert row["reach"] == pytest.approx(0.4)
        assert row["engagement"] == pytest.approx(0.5)
        assert row["relevance"] == pytest.approx(0.75)
        assert row["brand_safety"] == 1.0
        base = 0.2 * 0.4 + 0.25 * 0.5 + 0.25 * 0.75 + 0.2 * row["authenticity"] + 0.1
        assert row["score"] == pytest.approx(round(100 * base, 1))
        assert row["top_components"] == "authenticity;relevance"


class TestParsing:
    def test_booleans(self):
        values = pd.Series(["Yes", "NO", "1", "0", "true", "FALSE", "maybe", None], dtype=object)
        parsed = influence.parse_booleans(values).tolist()
        assert parsed[:6] == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
        assert all(math.isnan(v) for v in parsed[6:])

    def test_counts(self):
        parsed = influence.parse_counts(pd.Series(["12", "-1", "x", "3e11", None])).tolist()
        assert parsed[0] == 12.0 and all(math.isnan(v) for v in parsed[1:])

    def test_timestamps_dates_and_datetimes(self):
        parsed = influence.parse_timestamps(
            pd.Series(["2024-03-01", "2024-03-01T10:30:00Z", "2024-03-01T12:30:00+02:00", "x"])
        )
        assert parsed.iloc[0] == pd.Timestamp("2024-03-01", tz="UTC")
        assert parsed.iloc[1] == parsed.iloc[2] == pd.Timestamp("2024-03-01 10:30", tz="UTC")
        assert pd.isna(parsed.iloc[3])

    def test_candidates_are_idempotent(self):
        frame = account(has_profile_picture="yes", created_at="2024-01-01", bio=" hi ")
        once = influence.candidates(frame)
        twice = influence.candidates(once)
        pd.testing.assert_frame_equal(once, twice)

    def test_summarise_recent_posts(self):
        posts = pd.DataFrame(
            {
                "network": ["x", "x", "instagram"],
                "handle": ["a", "a", "b"],
                "text": ["one", "two", "three"],
                "likes": [10, 20, None],
                "comments": [1, 3, 2],
            }
        )
        summary = influence.summarise_recent_posts(posts).set_index("handle")
        assert summary.loc["a", "recent_posts"] == "one\ntwo"
        assert summary.loc["a", "avg_likes"] == 15 and summary.loc["a", "avg_comments"] == 2
        assert math.isnan(summary.loc["b", "avg_likes"]) and summary.loc["b", "avg_comments"] == 2
