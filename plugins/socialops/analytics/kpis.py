"""Social media KPIs as pure functions over pandas DataFrames (no I/O, no Airflow).

The input frames have the columns of the warehouse tables they are read from:

* ``post_metrics``: ``post_metrics_daily`` (network, post_id, day, impressions, reach, likes,
  comments, shares, saves, video_views, link_clicks). Each row is a post's *lifetime*
  counters as read on ``day`` (a snapshot, not the day's activity).
* ``posts``: ``posts`` (network, external_id or post_id, account_id, created_at, campaign_id).
* ``account_metrics``: ``account_metrics_daily`` (network, account_id, day, followers,
  following, impressions, reach, profile_views).
* ``spend``: ``campaign_spend_daily`` (campaign_id, day, spend, impressions, clicks,
  conversions, revenue); ``campaigns``: ``campaigns`` (id, name, network, budget, currency).

Conventions, documented with every formula in ``docs/kpis.md``:

* A ratio whose denominator is 0 or unknown is NaN, never ``inf`` and never 0: "no reach"
  means the rate is undefined, not zero (see :func:`ratio`).
* Columns ending in ``_pct`` are percentages (3.2 means 3.2 %); ``roas`` is a multiple.
* A counter the network does not report is NaN and is not counted as 0 in a sum unless
  another counter of the same sum is known (``engagements`` of a post with likes but no
  saves is its likes + comments + shares).
* A day's activity is the day-over-day change of the lifetime counters
  (:func:`daily_increments`): the whole counter only for a post created that day (in the
  brand's time zone), unknown (NaN) otherwise when the day before was not read. A sum over
  posts (an account-day) or over days (:func:`rollup`'s ``engagements``) with an unknown
  member is unknown, never a partial sum.
* Rates of a group (a network, a week, a campaign) are recomputed from the group's sums
  (:func:`rollup`), never averaged from the members' rates.

The SQL views of :mod:`socialops.warehouse.views` compute the same numbers in the database
for reports that query it directly; ``tests/warehouse/test_views.py`` checks they agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Lifetime counters of a post, as stored in ``post_metrics_daily``.
POST_COUNTERS = (
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "video_views",
    "link_clicks",
)
#: The interactions that make up a post's ``engagements``.
ENGAGEMENT_COUNTERS = ("likes", "comments", "shares", "saves")
#: Paid results of a campaign-day, as stored in ``campaign_spend_daily``.
PAID_MEASURES = ("spend", "impressions", "clicks", "conversions", "revenue")

ACCOUNT_KEY = ["network", "account_id"]
POST_KEY = ["network", "post_id"]


def _floats(values):
    if isinstance(values, pd.Series):
        return pd.to_numeric(values, errors="coerce").astype("float64")
    return np.nan if values is None else float(values)


def ratio(numerator, denominator):
    """``numerator / denominator``, NaN where the denominator is 0, negative or unknown.

    Works on scalars and on aligned Series. A negative denominator (a spend or a reach can
    never be negative) is treated as unknown rather than producing a sign-flipped rate.
    """
    numerator, denominator = _floats(numerator), _floats(denominator)
    if isinstance(denominator, pd.Series):
        denominator = denominator.where(denominator > 0)
    elif not denominator > 0:  # also true for NaN
        denominator = np.nan
    result = numerator / denominator
    return result.astype("float64") if isinstance(result, pd.Series) else float(result)


def percent(numerator, denominator):
    """``100 × ratio(numerator, denominator)``."""
    return ratio(numerator, denominator) * 100


def engagements(frame: pd.DataFrame) -> pd.Series:
    """Interactions of each row: likes + comments + shares + saves.

    Unknown counters count as 0 when at least one is known; NaN when all four are unknown.
    """
    present = [name for name in ENGAGEMENT_COUNTERS if name in frame.columns]
    if not present:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    values = frame[present].apply(pd.to_numeric, errors="coerce")
    return values.sum(axis=1, min_count=1).astype("float64")


# -- posts -------------------------------------------------------------------------------


def _post_ids(posts: pd.DataFrame) -> pd.DataFrame:
    """``posts`` with its id column named ``post_id`` (the table calls it ``external_id``)."""
    if "post_id" not in posts.columns and "external_id" in posts.columns:
        posts = posts.rename(columns={"external_id": "post_id"})
    return posts


def _as_day(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.normalize()


def post_performance(
    post_metrics: pd.DataFrame,
    posts: pd.DataFrame | None = None,
    account_metrics: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per post snapshot (post, day) with its engagement rates.

    Adds, per row:

    * ``engagements`` = likes + comments + shares + saves (see :func:`engagements`);
    * ``engagement_rate_reach_pct`` = 100 × engagements / reach;
    * ``engagement_rate_impressions_pct`` = 100 × engagements / impressions;
    * ``engagement_rate_followers_pct`` = 100 × engagements / followers of the author
      account on the same day (needs ``posts`` for the author and ``account_metrics``).

    With ``posts``, the author (``account_id``), ``created_at`` and ``campaign_id`` are
    joined on (network, post_id).
    """
    frame = post_metrics.copy()
    frame["day"] = _as_day(frame["day"])
    if posts is not None:
        info = _post_ids(posts)
        wanted = [c for c in ("account_id", "created_at", "campaign_id") if c in info.columns]
        frame = frame.merge(info[POST_KEY + wanted], on=POST_KEY, how="left")
    frame["engagements"] = engagements(frame)
    frame["engagement_rate_reach_pct"] = percent(frame["engagements"], frame["reach"])
    frame["engagement_rate_impressions_pct"] = percent(frame["engagements"], frame["impressions"])
    if account_metrics is not None and "account_id" in frame.columns:
        followers = account_metrics[ACCOUNT_KEY + ["day", "followers"]].copy()
        followers["day"] = _as_day(followers["day"])
        frame = frame.merge(followers, on=ACCOUNT_KEY + ["day"], how="left")
        frame["engagement_rate_followers_pct"] = percent(frame["engagements"], frame["followers"])
    return frame.sort_values(POST_KEY + ["day"], ignore_index=True)


#: How :func:`daily_increments` knew a snapshot's increment (its ``increment_basis``).
CREATED, PREVIOUS_DAY, UNKNOWN = "created", "previous_day", "unknown"
#: The counters an account-day sums from its posts' increments.
ACTIVITY_MEASURES = ("impressions", "reach", "engagements")


def local_days(created_at: pd.Series, timezone: str) -> pd.Series:
    """The day (midnight, naive) on which each instant falls in ``timezone``; NaT stays NaT.

    Naive instants are taken as UTC, as the warehouse stores them.
    """
    return (
        pd.to_datetime(created_at, utc=True)
        .dt.tz_convert(timezone)
        .dt.tz_localize(None)
        .dt.normalize()
    )


def _increments(
    post_metrics: pd.DataFrame, posts: pd.DataFrame | None, timezone: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(:func:`daily_increments`' frame, which of its increments are unknown).

    The second frame has one boolean column per differenced counter: True where the
    increment is not one day's activity (basis ``unknown``), or where the counter is
    reported on one of the two days and not on the other. A counter the network reports on
    neither day is NaN without being unknown: it is not part of any sum.
    """
    frame = post_metrics.copy()
    frame["day"] = _as_day(frame["day"])
    if posts is not None:
        info = _post_ids(posts)
        wanted = [c for c in ("account_id", "created_at") if c in info.columns]
        frame = frame.drop(columns=[c for c in wanted if c in frame.columns])
        frame = frame.merge(info[POST_KEY + wanted], on=POST_KEY, how="left")
    frame["engagements"] = engagements(frame)
    frame = frame.sort_values(POST_KEY + ["day"], ignore_index=True)
    counters = [c for c in (*POST_COUNTERS, "engagements") if c in frame.columns]
    values = frame[counters].apply(pd.to_numeric, errors="coerce").astype("float64")
    by_post = [frame[k] for k in POST_KEY]
    previous = values.groupby(by_post, sort=False).shift(1)
    previous_day = frame["day"].groupby(by_post, sort=False).shift(1)
    if "created_at" in frame.columns:
        created = local_days(frame["created_at"], timezone)
    else:
        created = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    after_previous_day = (frame["day"] - previous_day) == pd.Timedelta(days=1)
    created_that_day = previous_day.isna() & (created >= frame["day"])
    basis = np.select(
        [after_previous_day, created_that_day], [PREVIOUS_DAY, CREATED], default=UNKNOWN
    )
    on_previous_day = np.broadcast_to(after_previous_day.to_numpy()[:, None], values.shape)
    whole = np.broadcast_to(created_that_day.to_numpy()[:, None], values.shape)
    frame[counters] = (values - previous).where(on_previous_day, values.where(whole))
    frame["increment_basis"] = basis
    reported_once = values.notna() != previous.notna()
    unknown = reported_once.where(on_previous_day, ~whole)
    return frame, unknown


def daily_increments(
    post_metrics: pd.DataFrame, posts: pd.DataFrame | None = None, *, timezone: str = "UTC"
) -> pd.DataFrame:
    """What each post gained on each day: the day's activity, from its lifetime snapshots.

    For a post's snapshot on (brand-local) day d, each :data:`POST_COUNTERS` counter and
    ``engagements`` become, with ``increment_basis`` saying which rule applied:

    * ``previous_day``: the post has a snapshot on d − 1: counter(d) − counter(d − 1). A
      network that lowers a counter (removed spam likes) gives a negative increment, kept
      as is (:func:`socialops.analytics.quality.counter_decreases` flags large ones);
    * ``created``: it is the post's first snapshot and the post was created on d or later
      in ``timezone``. The night of d − 1 only reads posts created before d's local
      midnight (its lookback window ends there), so this counter is all the post did by
      the night of d: it counts whole;
    * ``unknown`` (NaN): any other snapshot, i.e. the first snapshot of a post created
      before d (the first night after install, a post that entered the lookback window
      late) or the first snapshot after missed nights. Its counter holds the activity of
      several days, which is not one day's activity.

    ``created_at`` comes from ``posts`` (joined on network and post id, which also brings
    ``account_id``) or else from ``post_metrics``' own column; without it every first
    snapshot is ``unknown``.
    """
    return _increments(post_metrics, posts, timezone)[0]


def _unknown_days_between_snapshots(activity: pd.DataFrame) -> pd.DataFrame:
    """Account-days on which one of its posts has no snapshot between two it has.

    Such a post was read before and after the day but not on it (its row was quarantined,
    the network skipped it): the day's sum of increments would miss it.
    """
    previous_day = activity.groupby(POST_KEY, sort=False)["day"].shift(1)
    gap = (activity["day"] - previous_day) > pd.Timedelta(days=1)
    rows = []
    for network, account_id, after, before in zip(
        activity.loc[gap, "network"],
        activity.loc[gap, "account_id"],
        previous_day[gap],
        activity.loc[gap, "day"],
        strict=True,
    ):
        days = pd.date_range(after + pd.Timedelta(days=1), before - pd.Timedelta(days=1))
        rows += [(network, account_id, day) for day in days]
    return pd.DataFrame(rows, columns=[*ACCOUNT_KEY, "day"]).drop_duplicates()


def account_activity(
    post_metrics: pd.DataFrame, posts: pd.DataFrame, *, timezone: str = "UTC"
) -> pd.DataFrame:
    """Per (network, account_id, day): what its posts did that day, from their increments.

    ``posts_impressions``, ``posts_reach`` and ``engagements`` are the sums of the posts'
    :func:`daily_increments` that day, NaN (unknown, never a partial sum) when any post's
    increment of that measure is unknown, or when a post has snapshots before and after
    the day but none on it. A day listed by neither is not in the result (see
    :func:`account_daily` for days without any post snapshot).
    """
    activity, unknown = _increments(post_metrics, posts, timezone)
    activity = activity[activity["account_id"].notna()]
    unknown = unknown.loc[activity.index]
    keys = [activity[k] for k in [*ACCOUNT_KEY, "day"]]
    measures = list(ACTIVITY_MEASURES)
    sums = activity.reindex(columns=measures).groupby(keys).sum(min_count=1)
    sums = sums.mask(unknown.reindex(columns=measures, fill_value=False).groupby(keys).any())
    sums = sums.rename(columns={"impressions": "posts_impressions", "reach": "posts_reach"})
    gaps = _unknown_days_between_snapshots(activity).set_index([*ACCOUNT_KEY, "day"]).index
    if len(gaps):
        missing = gaps.difference(sums.index)
        sums = sums.reindex(sums.index.append(missing)) if len(missing) else sums
        sums.loc[gaps] = np.nan
    return sums.reset_index()


def top_posts(
    performance: pd.DataFrame,
    *,
    n: int = 10,
    by: str = "engagements",
    per: Sequence[str] = (),
) -> pd.DataFrame:
    """The ``n`` best posts on their latest snapshot, ranked by ``by`` (descending).

    ``performance`` is :func:`post_performance`'s output; ``per`` ranks within groups
    (e.g. ``["network"]`` for the top posts of each network). Posts whose ``by`` is unknown
    are not ranked. Ties keep the newest post first, then the post id, so the order is stable.
    """
    if by not in performance.columns:
        raise KeyError(f"cannot rank posts by {by!r}: columns are {list(performance.columns)}")
    latest = performance.sort_values("day").groupby(POST_KEY, sort=False).tail(1)
    latest = latest[latest[by].notna()]
    order = [by] + (["created_at"] if "created_at" in latest.columns else []) + ["post_id"]
    ascending = [False] + ([False] if "created_at" in latest.columns else []) + [True]
    latest = latest.sort_values(order, ascending=ascending)
    if per:
        ranked = latest.groupby(list(per), sort=True, group_keys=False).head(n)
        ranked = ranked.assign(rank=ranked.groupby(list(per)).cumcount() + 1)
        return ranked.sort_values([*per, "rank"], ignore_index=True)
    ranked = latest.head(n).reset_index(drop=True)
    return ranked.assign(rank=range(1, len(ranked) + 1))


# -- accounts ------------------------------------------------------------------------------


def community_growth(account_metrics: pd.DataFrame) -> pd.DataFrame:
    """Followers per account and day, with the day's growth.

    * ``followers_previous`` = followers on the calendar day before (NaN when that day was
      not loaded: a gap is not attributed to the day after it);
    * ``net_new_followers`` = followers − followers_previous;
    * ``follower_growth_pct`` = 100 × net_new_followers / followers_previous.
    """
    frame = account_metrics.copy()
    frame["day"] = _as_day(frame["day"])
    frame = frame.sort_values(ACCOUNT_KEY + ["day"], ignore_index=True)
    followers = pd.to_numeric(frame["followers"], errors="coerce").astype("float64")
    grouped = followers.groupby([frame[k] for k in ACCOUNT_KEY], sort=False)
    previous = grouped.shift(1)
    previous_day = frame.groupby(ACCOUNT_KEY, sort=False)["day"].shift(1)
    consecutive = (frame["day"] - previous_day) == pd.Timedelta(days=1)
    frame["followers"] = followers
    frame["followers_previous"] = previous.where(consecutive)
    frame["net_new_followers"] = followers - frame["followers_previous"]
    frame["follower_growth_pct"] = percent(frame["net_new_followers"], frame["followers_previous"])
    return frame


def posting_frequency(
    posts: pd.DataFrame,
    *,
    freq: str = "W-MON",
    by: Sequence[str] = ("network", "account_id"),
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Posts published per period: ``posts`` count per group of ``by`` and period.

    ``freq`` is a pandas period alias: ``"D"`` per day, ``"W-MON"`` per week starting on
    Monday (the default), ``"M"`` per month. ``created_at`` is converted to ``timezone``
    first, so a post at 23:30 in Paris counts on its Paris day. Periods without a post
    are not listed (reindex on the range you report to show them as 0).
    """
    frame = _post_ids(posts).copy()
    created = pd.to_datetime(frame["created_at"], utc=True).dt.tz_convert(timezone)
    if freq.startswith("W"):
        # A week period is labelled by its first day: weeks starting Monday are "W-SUN" periods.
        anchor = {"W-MON": "W-SUN"}.get(freq, freq)
        frame["period"] = created.dt.tz_localize(None).dt.to_period(anchor).dt.start_time
    else:
        frame["period"] = created.dt.tz_localize(None).dt.to_period(freq).dt.start_time
    groups = [*by, "period"]
    counted = frame.groupby(groups, sort=True).size().rename("posts").reset_index()
    return counted


def account_daily(
    account_metrics: pd.DataFrame,
    post_metrics: pd.DataFrame | None = None,
    posts: pd.DataFrame | None = None,
    *,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """The account-day table every report starts from.

    Per (network, account_id, day) of ``account_metrics``:

    * the audience of :func:`community_growth` (followers, net_new_followers,
      follower_growth_pct, followers_previous);
    * ``impressions``, ``reach``: the account's own figures when the network reports them,
      else the sums of :func:`account_activity` (for reach an upper bound: a person reached
      by two posts counts twice);
    * ``engagements``: the day's engagements of the account's posts, :func:`account_activity`
      (NaN when any post's increment that day is unknown); 0 on a day without any post
      snapshot and no post missing between two of its snapshots (no post in the lookback
      window: posts outside it are read by no night, so no day counts their interactions);
    * ``posts_published``: posts created that day (in ``timezone``);
    * ``engagement_rate_reach_pct`` = 100 × engagements / reach;
    * ``engagement_rate_followers_pct`` = 100 × engagements / followers.

    ``timezone`` is the brand's: it decides which day a post was created on, both for
    ``posts_published`` and for whether a post's first snapshot counts whole.
    """
    frame = community_growth(account_metrics)
    day_key = [*ACCOUNT_KEY, "day"]
    if post_metrics is not None and posts is not None and len(post_metrics):
        activity = account_activity(post_metrics, posts, timezone=timezone)
        frame = frame.merge(activity, on=day_key, how="left", indicator="_activity")
        no_post_snapshot = frame.pop("_activity") == "left_only"
        frame["engagements"] = frame["engagements"].mask(no_post_snapshot, 0.0)
    else:
        frame = frame.assign(posts_impressions=np.nan, posts_reach=np.nan, engagements=0.0)
    for measure in ("impressions", "reach"):
        own = _floats(frame[measure]) if measure in frame else np.nan
        frame[measure] = pd.Series(own, index=frame.index, dtype="float64").fillna(
            frame[f"posts_{measure}"]
        )
    frame = frame.drop(columns=["posts_impressions", "posts_reach"])
    if posts is not None and len(posts):
        published = posting_frequency(posts, freq="D", timezone=timezone).rename(
            columns={"period": "day", "posts": "posts_published"}
        )
        frame = frame.merge(published, on=day_key, how="left")
        frame["posts_published"] = frame["posts_published"].fillna(0).astype("int64")
    else:
        frame["posts_published"] = 0
    frame["engagement_rate_reach_pct"] = percent(frame["engagements"], frame["reach"])
    frame["engagement_rate_followers_pct"] = percent(frame["engagements"], frame["followers"])
    return frame


#: Columns of :func:`account_daily` that add up across accounts and days.
ADDITIVE = (
    "impressions",
    "reach",
    "engagements",
    "posts_published",
    "net_new_followers",
)


def _sum_of_known(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Per group, the sum of ``values``; NaN when any of them is unknown."""
    grouped = values.groupby(groups, dropna=False)
    return grouped.sum(min_count=1).where(grouped.count() == grouped.size())


def rollup(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Aggregate :func:`account_daily` rows per ``by`` (e.g. ``["network"]``, ``["day"]``).

    Additive columns are summed (unknown members skipped), except ``engagements``: NaN when
    any member's is unknown, since a sum missing some days would look like a real figure.
    ``followers`` is the sum of each account's last value in the group (an audience, not a
    flow). Rates are recomputed from sums over the members where both sides are known:
    ``follower_growth_pct`` = 100 × Σ net_new_followers / Σ followers_previous,
    ``engagement_rate_reach_pct`` = 100 × Σ engagements / Σ reach over the
    ``account_days_with_engagements`` (of the group's ``account_days``) whose engagements
    and reach are both known, so a period's rate never pairs some days' engagements with
    other days' reach; ``engagement_rate_followers_pct`` = 100 × ``engagements`` /
    ``followers`` (NaN when ``engagements`` is).
    """
    by = list(by)
    data = frame.copy()
    groups = [data[column] for column in by]
    known = data["net_new_followers"].notna() & data["followers_previous"].notna()
    data["_growth_base"] = data["followers_previous"].where(known)
    data["_growth"] = data["net_new_followers"].where(known)
    rated = data["engagements"].notna() & data["reach"].notna()
    data["_rate_engagements"] = data["engagements"].where(rated)
    data["_rate_reach"] = data["reach"].where(rated)
    summed = [*ADDITIVE, "_growth", "_growth_base", "_rate_engagements", "_rate_reach"]
    sums = data.groupby(groups, dropna=False)[summed].sum(min_count=1)
    sums["engagements"] = _sum_of_known(data["engagements"], groups)
    last = data.sort_values("day").groupby(by + ACCOUNT_KEY, dropna=False).tail(1)
    sums["followers"] = last.groupby(by, dropna=False)["followers"].sum(min_count=1)
    sums["accounts"] = last.groupby(by, dropna=False).size()
    sums["account_days"] = data.groupby(groups, dropna=False).size()
    sums["account_days_with_engagements"] = rated.groupby(groups, dropna=False).sum()
    sums["follower_growth_pct"] = percent(sums["_growth"], sums["_growth_base"])
    sums["engagement_rate_reach_pct"] = percent(sums["_rate_engagements"], sums["_rate_reach"])
    sums["engagement_rate_followers_pct"] = percent(sums["engagements"], sums["followers"])
    helpers = ["_growth", "_growth_base", "_rate_engagements", "_rate_reach"]
    return sums.drop(columns=helpers).reset_index()


# -- paid campaigns ------------------------------------------------------------------------


def _paid_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    frame["ctr_pct"] = percent(frame["clicks"], frame["impressions"])
    frame["cpc"] = ratio(frame["spend"], frame["clicks"])
    frame["cpm"] = ratio(frame["spend"], frame["impressions"]) * 1000
    frame["cpa"] = ratio(frame["spend"], frame["conversions"])
    frame["roas"] = ratio(frame["revenue"], frame["spend"])
    frame["roi_pct"] = percent(frame["revenue"] - frame["spend"], frame["spend"])
    return frame


def _numeric_spend(spend: pd.DataFrame) -> pd.DataFrame:
    frame = spend.copy()
    frame["day"] = _as_day(frame["day"])
    for name in PAID_MEASURES:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return frame


def _with_budgets(frame: pd.DataFrame, campaigns: pd.DataFrame | None) -> pd.DataFrame:
    """``frame`` (with its ``budget_consumed``) joined to the campaigns' budgets and names."""
    if campaigns is None:
        frame["budget"] = np.nan
    else:
        info = campaigns.rename(columns={"id": "campaign_id"})
        wanted = [c for c in ("name", "network", "budget", "currency") if c in info.columns]
        frame = frame.merge(info[["campaign_id", *wanted]], on="campaign_id", how="left")
        frame["budget"] = pd.to_numeric(frame["budget"], errors="coerce").astype("float64")
    frame["budget_consumed_pct"] = percent(frame["budget_consumed"], frame["budget"])
    frame["budget_remaining"] = frame["budget"] - frame["budget_consumed"]
    return frame


def campaign_daily(spend: pd.DataFrame, campaigns: pd.DataFrame | None = None) -> pd.DataFrame:
    """Paid KPIs per campaign and day.

    * ``ctr_pct`` = 100 × clicks / impressions; ``cpc`` = spend / clicks;
      ``cpm`` = 1000 × spend / impressions; ``cpa`` = spend / conversions;
    * ``roas`` = revenue / spend; ``roi_pct`` = 100 × (revenue − spend) / spend;
    * ``budget_consumed`` = spend of the campaign up to and including the day;
      ``budget_consumed_pct`` = 100 × budget_consumed / budget;
      ``budget_remaining`` = budget − budget_consumed (negative when overspent).
    """
    frame = _numeric_spend(spend).sort_values(["campaign_id", "day"], ignore_index=True)
    frame = _paid_ratios(frame)
    frame["budget_consumed"] = frame.groupby("campaign_id")["spend"].cumsum()
    return _with_budgets(frame, campaigns)


def campaign_summary(
    spend: pd.DataFrame, campaigns: pd.DataFrame | None = None, *, through: object = None
) -> pd.DataFrame:
    """Paid KPIs per campaign over its whole life (or up to the day ``through``).

    Same formulas as :func:`campaign_daily` on the campaign's sums; ``budget_consumed`` is
    its total spend. Campaigns declared in ``campaigns`` without any spend row are listed
    with zero spend, so a campaign that never started shows up in a report.
    """
    frame = _numeric_spend(spend)
    if through is not None:
        frame = frame[frame["day"] <= pd.Timestamp(through)]
    totals = frame.groupby("campaign_id")[list(PAID_MEASURES)].sum(min_count=1)
    totals["days"] = frame.groupby("campaign_id")["day"].nunique()
    totals = totals.reset_index()
    if campaigns is not None:
        declared = campaigns.rename(columns={"id": "campaign_id"})[["campaign_id"]]
        totals = declared.merge(totals, on="campaign_id", how="outer")
        totals["spend"] = totals["spend"].fillna(0.0)
        totals["days"] = totals["days"].fillna(0).astype("int64")
    totals = _paid_ratios(totals)
    totals["budget_consumed"] = totals["spend"]
    return _with_budgets(totals, campaigns).sort_values("campaign_id", ignore_index=True)


def campaign_organic(performance: pd.DataFrame) -> pd.DataFrame:
    """Organic results of the posts tagged with a campaign, on their latest snapshot.

    Per ``campaign_id``: posts, impressions, reach, engagements (sums) and
    ``engagement_rate_reach_pct`` = 100 × Σ engagements / Σ reach.
    """
    if "campaign_id" not in performance.columns:
        raise KeyError("campaign_organic needs post_performance(..., posts) with a campaign_id")
    latest = performance.sort_values("day").groupby(POST_KEY, sort=False).tail(1)
    tagged = latest[latest["campaign_id"].notna()]
    sums = tagged.groupby("campaign_id")[["impressions", "reach", "engagements"]].sum(min_count=1)
    sums.insert(0, "posts", tagged.groupby("campaign_id").size())
    sums["engagement_rate_reach_pct"] = percent(sums["engagements"], sums["reach"])
    return sums.reset_index()
