"""The brand beside its competitors: pure functions over DataFrames (docs/kpis.md,
"Competitors"). No I/O: :mod:`socialops.competitors.store` reads the frames.

Input frames:

* ``audience``: one row per account and day: ``owner`` (the brand's or the competitor's
  name), ``network``, ``account_id``, ``handle``, ``day``, ``followers``;
* ``posts``: one row per post with its latest public counters: ``owner``, ``network``,
  ``account_id``, ``handle``, ``post_id``, ``created_at`` (UTC), ``kind``, ``likes``,
  ``comments``, ``shares``, ``views``, ``url``;
* ``mentions``: the ``mentions`` table (``text``, ``created_at``, ``sentiment_label``).

The brand's own rows use the same definitions as its KPIs (:mod:`.kpis`): a post's
engagements are likes + comments + shares (+ saves, which competitors do not show, so the
brand's benchmark rows leave them out too); group rates are recomputed from the group's
sums, never averaged; a ratio with an unknown or zero denominator is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from socialops.analytics.kpis import percent, ratio

#: The public interactions every network shows for another account's post.
PUBLIC_ENGAGEMENT = ("likes", "comments", "shares")
BENCHMARK_COLUMNS = [
    "owner",
    "network",
    "account_id",
    "handle",
    "week",
    "followers",
    "follower_growth",
    "follower_growth_pct",
    "posts",
    "engagements",
    "engagements_per_post",
    "engagement_rate_followers_pct",
]


def public_engagements(posts: pd.DataFrame) -> pd.Series:
    """Likes + comments + shares of each post; NaN when all three are unknown."""
    present = [c for c in PUBLIC_ENGAGEMENT if c in posts.columns]
    if not present:
        return pd.Series(np.nan, index=posts.index, dtype="float64")
    values = posts[present].apply(pd.to_numeric, errors="coerce")
    return values.sum(axis=1, min_count=1).astype("float64")


def local_days(timestamps: pd.Series, timezone: str) -> pd.Series:
    """The brand-local calendar day of UTC timestamps."""
    return pd.to_datetime(timestamps, utc=True).dt.tz_convert(timezone).dt.date


def week_of(days: pd.Series) -> pd.Series:
    """The Monday of each day's ISO week."""
    days = pd.to_datetime(days)
    return (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.date


def weekly_benchmark(audience: pd.DataFrame, posts: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Per owner, network, account and week: audience, growth, posting, engagement.

    * ``followers``: the week's last snapshot; ``follower_growth``: minus the previous
      week's last snapshot (NaN for an account's first week);
      ``follower_growth_pct`` = 100 × growth / previous week's followers;
    * ``posts``: posts created in the week (brand-local days);
    * ``engagements``: the public engagements of those posts (latest counters);
    * ``engagements_per_post`` = engagements / posts;
    * ``engagement_rate_followers_pct`` = 100 × engagements per post / followers.
    """
    keys = ["owner", "network", "account_id"]
    weekly_audience = pd.DataFrame(columns=[*keys, "handle", "week", "followers"])
    if not audience.empty:
        frame = audience.assign(week=week_of(audience["day"])).sort_values("day")
        weekly_audience = frame.groupby([*keys, "week"], as_index=False).agg(
            handle=("handle", "last"), followers=("followers", "last")
        )
    weekly_posts = pd.DataFrame(columns=[*keys, "week", "posts", "engagements"])
    if not posts.empty:
        frame = posts.assign(
            week=week_of(pd.Series(local_days(posts["created_at"], timezone), index=posts.index)),
            engagements=public_engagements(posts),
        )
        weekly_posts = frame.groupby([*keys, "week"], as_index=False).agg(
            posts=("post_id", "nunique"),
            engagements=("engagements", lambda s: s.sum(min_count=1)),
            post_handle=("handle", "last"),
        )
    merged = weekly_audience.merge(weekly_posts, on=[*keys, "week"], how="outer")
    if merged.empty:
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    if "post_handle" in merged.columns:
        merged["handle"] = merged["handle"].fillna(merged.pop("post_handle"))
    merged = merged.sort_values([*keys, "week"]).reset_index(drop=True)
    merged["posts"] = pd.to_numeric(merged["posts"]).fillna(0).astype(int)
    merged["followers"] = pd.to_numeric(merged["followers"], errors="coerce")
    merged["engagements"] = pd.to_numeric(merged["engagements"], errors="coerce")
    previous = merged.groupby(keys)["followers"].shift(1)
    previous_week = merged.groupby(keys)["week"].shift(1)
    consecutive = previous_week == (pd.to_datetime(merged["week"]) - timedelta(days=7)).dt.date
    previous = previous.where(consecutive)
    merged["follower_growth"] = merged["followers"] - previous
    merged["follower_growth_pct"] = percent(merged["follower_growth"], previous)
    merged["engagements_per_post"] = ratio(merged["engagements"], merged["posts"])
    merged["engagement_rate_followers_pct"] = percent(
        merged["engagements_per_post"], merged["followers"]
    )
    return merged[BENCHMARK_COLUMNS]


def formats(posts: pd.DataFrame) -> pd.DataFrame:
    """Per owner and network: posts per format (``kind``) and its share of the posts."""
    if posts.empty:
        return pd.DataFrame(columns=["owner", "network", "kind", "posts", "share_pct"])
    counted = posts.groupby(["owner", "network", "kind"], as_index=False).agg(
        posts=("post_id", "nunique")
    )
    totals = counted.groupby(["owner", "network"])["posts"].transform("sum")
    counted["share_pct"] = percent(counted["posts"], totals)
    return counted


def top_posts(posts: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` posts with the most public engagements per owner and network."""
    if posts.empty:
        return posts.assign(engagements=pd.Series(dtype="float64"))
    ranked = posts.assign(engagements=public_engagements(posts)).dropna(subset=["engagements"])
    ranked = ranked.sort_values(["engagements", "post_id"], ascending=[False, True])
    return ranked.groupby(["owner", "network"], sort=True).head(n).reset_index(drop=True)


def share_of_voice(mentions: pd.DataFrame, voices: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Mentions naming each owner (any of its keywords, case-insensitive, in the text) and
    their sentiment split; a mention naming two owners counts for both.

    ``share_pct`` = 100 × the owner's mentions / the sum over owners.
    """
    columns = ["owner", "mentions", "share_pct", "positive", "neutral", "negative"]
    texts = (
        mentions["text"].fillna("").str.casefold()
        if not mentions.empty
        else pd.Series([], dtype=str)
    )
    labels = (
        mentions["sentiment_label"].fillna("neutral")
        if "sentiment_label" in mentions.columns
        else pd.Series("neutral", index=texts.index)
    )
    rows = []
    for owner, keywords in voices.items():
        words = [k.casefold() for k in keywords if k.strip()]
        named = pd.Series(False, index=texts.index)
        for word in words:
            named |= texts.str.contains(word, regex=False)
        split = labels[named].value_counts()
        rows.append(
            {
                "owner": owner,
                "mentions": int(named.sum()),
                **{tone: int(split.get(tone, 0)) for tone in ("positive", "neutral", "negative")},
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in columns if c != "share_pct"])
    frame["share_pct"] = percent(frame["mentions"], frame["mentions"].sum())
    return frame[columns]


# -- moves worth knowing --------------------------------------------------------------------


def viral_posts(
    posts: pd.DataFrame, *, factor: float, min_engagements: int, min_history: int
) -> pd.DataFrame:
    """Posts far above their account's usual: engagements ≥ ``factor`` × the median of the
    account's *other* posts of the window, and ≥ ``min_engagements``, for an account with
    at least ``min_history`` other posts (fewer: no usual to compare with)."""
    columns = [*posts.columns, "engagements", "usual", "multiple"]
    if posts.empty:
        return pd.DataFrame(columns=columns)
    frame = posts.assign(engagements=public_engagements(posts))
    found = []
    for _, group in frame.groupby(["network", "account_id"]):
        known = group.dropna(subset=["engagements"])
        if len(known) - 1 < min_history:
            continue
        for index, row in known.iterrows():
            usual = known.drop(index)["engagements"].median()
            if row["engagements"] < min_engagements or not usual > 0:
                continue
            if row["engagements"] >= factor * usual:
                found.append(
                    {**row.to_dict(), "usual": usual, "multiple": row["engagements"] / usual}
                )
    return pd.DataFrame(found, columns=columns)


def follower_jumps(audience: pd.DataFrame, day: date, *, pct: float, minimum: int) -> pd.DataFrame:
    """Accounts whose followers on ``day`` rose by ≥ ``minimum`` and ≥ ``pct`` % over their
    latest earlier snapshot."""
    columns = [
        "owner",
        "network",
        "account_id",
        "handle",
        "before",
        "before_day",
        "after",
        "gain",
        "gain_pct",
    ]
    found = []
    for (owner, network, account_id), group in audience.groupby(["owner", "network", "account_id"]):
        group = group.dropna(subset=["followers"]).sort_values("day")
        today = group[group["day"] == day]
        earlier = group[group["day"] < day]
        if today.empty or earlier.empty:
            continue
        after, before = int(today["followers"].iloc[-1]), int(earlier["followers"].iloc[-1])
        gain = after - before
        gain_pct = percent(gain, before)
        if gain >= minimum and gain_pct >= pct:
            found.append(
                {
                    "owner": owner,
                    "network": network,
                    "account_id": account_id,
                    "handle": today["handle"].iloc[-1],
                    "before": before,
                    "before_day": earlier["day"].iloc[-1],
                    "after": after,
                    "gain": gain,
                    "gain_pct": gain_pct,
                }
            )
    return pd.DataFrame(found, columns=columns)


def posting_bursts(
    posts: pd.DataFrame,
    day: date,
    timezone: str,
    *,
    factor: float,
    min_posts: int,
    weeks: int = 3,
) -> pd.DataFrame:
    """Accounts posting far more than usual (a campaign launch): posts of the 7 days ending
    ``day`` ≥ ``min_posts`` and ≥ ``factor`` × their weekly average over the ``weeks``
    weeks before."""
    columns = ["owner", "network", "account_id", "handle", "recent", "usual"]
    if posts.empty:
        return pd.DataFrame(columns=columns)
    frame = posts.assign(local_day=local_days(posts["created_at"], timezone))
    recent_start = day - timedelta(days=6)
    usual_start = recent_start - timedelta(days=7 * weeks)
    found = []
    for (owner, network, account_id), group in frame.groupby(["owner", "network", "account_id"]):
        recent = int(((group["local_day"] >= recent_start) & (group["local_day"] <= day)).sum())
        before = (group["local_day"] >= usual_start) & (group["local_day"] < recent_start)
        usual = before.sum() / weeks
        if recent >= min_posts and recent >= factor * usual:
            found.append(
                {
                    "owner": owner,
                    "network": network,
                    "account_id": account_id,
                    "handle": group["handle"].iloc[0],
                    "recent": recent,
                    "usual": float(usual),
                }
            )
    return pd.DataFrame(found, columns=columns)
