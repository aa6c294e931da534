"""Best time to post: when the brand's own posts do best, per network and account.

Pure functions over the warehouse's frames (``posts``, ``post_metrics_daily``), no I/O.

How a slot is scored (documented in ``docs/reports.md``):

1. Each post's **lift**: its engagement rate by reach (:func:`~socialops.analytics.kpis.
   post_performance` on its latest snapshot) over its account's mean rate; where the
   network gives no reach, its engagements over the account's mean engagements. A lift of
   1.4 means "40 % better than this account's usual post", so accounts of different sizes
   and networks with and without reach compare.
2. Each post falls in a **slot**: weekday × hour of its ``created_at`` in the brand's time
   zone (a post at 18:40 Paris time is in the 18h slot of its Paris weekday).
3. A slot's **score** is the account's mean lift there, shrunk toward the network-wide
   pattern (every owned account of the network in that slot, itself shrunk toward 1.0):
   ``score = (n × account_lift + k × network_lift) / (n + k)`` with ``n`` the account's
   posts in the slot and ``k`` = :data:`PRIOR_POSTS`. With few posts the network decides;
   with many the account does.
4. A slot is **recommended** only with at least :data:`MIN_POSTS` posts behind it (the
   account's and the network's together), and an account with fewer than
   :data:`MIN_ACCOUNT_POSTS` scored posts gets the network-wide pattern only, said so in its
   explanation. Each recommendation carries its ``confidence`` (low, medium, high) from the
   account's own posts in the slot.

Posts younger than :data:`MIN_AGE_DAYS` on their latest snapshot are left out: their
counters are still growing, and would make the latest slots look weak.

A planned post is in a **weak slot** (:func:`weak_slot`, the calendar sync's advice) when its
slot is one of the account's *scored* slots (at least :data:`MIN_POSTS` posts behind it),
the account has at least :data:`MIN_ACCOUNT_POSTS` scored posts and :data:`MIN_SCORED_SLOTS`
scored slots, the slot rests on at least a medium confidence (the account's own posts), its
score is below 1 (worse than the account's usual post) and it ranks in the bottom
:data:`WEAK_SHARE` of the account's scored slots. Anything less is too little history: no
advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from socialops.analytics.kpis import POST_KEY, post_performance, ratio

#: Weight of the network-wide pattern, in posts (the shrinkage's ``k``).
PRIOR_POSTS = 5
#: Posts (account's and network's together) a slot needs to be recommended.
MIN_POSTS = 3
#: Scored posts an account needs before its own pattern counts.
MIN_ACCOUNT_POSTS = 10
#: A post is scored once its latest snapshot is at least this many days after it was created.
MIN_AGE_DAYS = 2
#: The account's own posts in a slot for a medium, and a high, confidence.
CONFIDENCE_POSTS = {"medium": 3, "high": 8}
#: A planned slot is weak in this bottom share of the account's scored slots (at least one).
WEAK_SHARE = 1 / 3
#: Scored slots an account needs before one of them is called weak.
MIN_SCORED_SLOTS = 3
#: Better slots the advice names.
BETTER_SLOTS = 2

SLOT_KEY = ["weekday", "hour"]
ACCOUNT = ["network", "account_id"]


def post_lifts(
    post_metrics: pd.DataFrame,
    posts: pd.DataFrame,
    *,
    timezone: str,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """One row per scored post: network, account_id, post_id, created_at, weekday (0 =
    Monday), hour (brand-local), basis (``reach`` or ``engagements``) and lift.

    ``since``/``until`` (brand-local days, inclusive) keep the posts created between them.
    """
    columns = [*ACCOUNT, "post_id", "created_at", "weekday", "hour", "basis", "lift"]
    if post_metrics.empty or posts.empty:
        return pd.DataFrame(columns=columns)
    performance = post_performance(post_metrics, posts)
    latest = performance.sort_values("day").groupby(POST_KEY, sort=False).tail(1)
    latest = latest[latest["account_id"].notna() & latest["created_at"].notna()].copy()
    created = pd.to_datetime(latest["created_at"], utc=True).dt.tz_convert(timezone)
    local = created.dt.tz_localize(None)
    age = latest["day"] - local.dt.normalize()
    latest = latest[age >= pd.Timedelta(days=MIN_AGE_DAYS)]
    local = local.loc[latest.index]
    if since is not None:
        keep = local.dt.normalize() >= pd.Timestamp(since)
        latest, local = latest[keep], local[keep]
    if until is not None:
        keep = local.dt.normalize() <= pd.Timestamp(until)
        latest, local = latest[keep], local[keep]
    if latest.empty:
        return pd.DataFrame(columns=columns)
    latest["weekday"] = local.dt.day_of_week.astype("int64")
    latest["hour"] = local.dt.hour.astype("int64")
    rate = latest["engagement_rate_reach_pct"]
    groups = [latest[k] for k in ACCOUNT]
    by_reach = ratio(rate, rate.groupby(groups).transform("mean"))
    by_engagements = ratio(
        latest["engagements"], latest["engagements"].groupby(groups).transform("mean")
    )
    latest["basis"] = np.where(rate.notna(), "reach", "engagements")
    latest["lift"] = by_reach.where(rate.notna(), by_engagements)
    latest = latest[latest["lift"].notna()]
    return latest[columns].reset_index(drop=True)


def slot_scores(lifts: pd.DataFrame) -> pd.DataFrame:
    """Per (network, account_id, weekday, hour) with at least one post of the account or
    its network: posts, account_lift, network_posts, network_lift, score, confidence."""
    columns = [
        *ACCOUNT,
        *SLOT_KEY,
        "posts",
        "account_lift",
        "network_posts",
        "network_lift",
        "score",
        "confidence",
    ]
    if lifts.empty:
        return pd.DataFrame(columns=columns)
    network = lifts.groupby(["network", *SLOT_KEY])["lift"].agg(["size", "sum"]).reset_index()
    network = network.rename(columns={"size": "network_posts"})
    network["network_lift"] = (network["sum"] + PRIOR_POSTS * 1.0) / (
        network["network_posts"] + PRIOR_POSTS
    )
    network = network.drop(columns="sum")
    account = lifts.groupby([*ACCOUNT, *SLOT_KEY])["lift"].agg(["size", "mean"]).reset_index()
    account = account.rename(columns={"size": "posts", "mean": "account_lift"})
    # Every slot where the network posted, for every account of that network.
    accounts = lifts[ACCOUNT].drop_duplicates()
    grid = accounts.merge(network, on="network")
    table = grid.merge(account, on=[*ACCOUNT, *SLOT_KEY], how="left")
    table["posts"] = table["posts"].fillna(0).astype("int64")
    own = lifts.groupby(ACCOUNT).size().rename("account_posts").reset_index()
    table = table.merge(own, on=ACCOUNT)
    # An account with too few posts overall: its own lifts are noise, the network decides.
    weight = table["posts"].where(table["account_posts"] >= MIN_ACCOUNT_POSTS, 0)
    account_part = (weight * table["account_lift"].fillna(0.0)).astype("float64")
    table["score"] = (account_part + PRIOR_POSTS * table["network_lift"]) / (weight + PRIOR_POSTS)
    table["confidence"] = np.select(
        [table["posts"] >= CONFIDENCE_POSTS["high"], table["posts"] >= CONFIDENCE_POSTS["medium"]],
        ["high", "medium"],
        default="low",
    )
    table = table.drop(columns="account_posts")
    return table[columns].sort_values([*ACCOUNT, *SLOT_KEY], ignore_index=True)


@dataclass(frozen=True)
class Slot:
    """A recommended time to post, with what it rests on."""

    network: str
    account_id: str
    weekday: int  # 0 = Monday
    hour: int  # brand-local
    score: float  # lift: 1.3 = 30 % above the account's usual post
    posts: int  # the account's own posts in the slot
    network_posts: int  # all the network's owned posts in the slot
    confidence: str  # low, medium, high
    #: True when the account has too few posts: the slot is the network-wide pattern.
    network_pattern: bool


def best_slots(scores: pd.DataFrame, lifts: pd.DataFrame, *, n: int = 3) -> list[Slot]:
    """The ``n`` best slots of each account (network order, then account), best first.

    Only slots with at least :data:`MIN_POSTS` posts behind them and a score above 1 (better
    than the account's usual post) are recommended: an account may get fewer than ``n``.
    """
    if scores.empty:
        return []
    eligible = scores[
        (scores["posts"] + scores["network_posts"] >= MIN_POSTS) & (scores["score"] > 1.0)
    ]
    own = lifts.groupby(ACCOUNT).size()
    found: list[Slot] = []
    ordered = eligible.sort_values(
        [*ACCOUNT, "score", "network_posts", *SLOT_KEY],
        ascending=[True, True, False, False, True, True],
    )
    for (network, account_id), slots in ordered.groupby(ACCOUNT, sort=True):
        network_pattern = int(own.get((network, account_id), 0)) < MIN_ACCOUNT_POSTS
        for row in slots.head(n).itertuples(index=False):
            found.append(
                Slot(
                    network=network,
                    account_id=account_id,
                    weekday=int(row.weekday),
                    hour=int(row.hour),
                    score=float(row.score),
                    posts=int(row.posts),
                    network_posts=int(row.network_posts),
                    confidence=str(row.confidence) if not network_pattern else "low",
                    network_pattern=network_pattern,
                )
            )
    return found


def heatmap(scores: pd.DataFrame, network: str) -> pd.DataFrame:
    """The network's weekday (rows 0–6) × hour (columns 0–23) scores, averaged over its
    accounts weighted by their posts; NaN where no post of the network was ever made."""
    grid = pd.DataFrame(np.nan, index=range(7), columns=range(24))
    rows = scores[scores["network"] == network]
    if rows.empty:
        return grid
    weights = rows["posts"] + 1
    weighted = (rows["score"] * weights).groupby([rows["weekday"], rows["hour"]]).sum()
    total = weights.groupby([rows["weekday"], rows["hour"]]).sum()
    for (weekday, hour), value in (weighted / total).items():
        grid.loc[int(weekday), int(hour)] = float(value)
    return grid


@dataclass(frozen=True)
class BetterSlot:
    """A slot of the same week that does better than the planned one."""

    at: datetime  # UTC, the slot's hour in the planned week
    score: float
    posts: int  # the account's own posts in the slot
    network_posts: int


@dataclass(frozen=True)
class WeakSlot:
    """A planned post's slot that does worse than most of its account's, with better ones."""

    network: str
    account_id: str
    planned_at: datetime  # UTC
    score: float  # 0.6 = 40 % below the account's usual post
    posts: int  # the account's own posts in the slot
    confidence: str  # medium or high
    rank: int  # 1 = the account's weakest scored slot
    slots: int  # the account's scored slots
    better: tuple[BetterSlot, ...]  # chronological, nearest to the planned time


def weak_slot(
    scores: pd.DataFrame,
    *,
    network: str,
    account_id: str,
    planned_at: datetime,
    timezone: str,
    now: datetime,
    n_better: int = BETTER_SLOTS,
) -> WeakSlot | None:
    """The advice for a post of ``account_id`` planned at ``planned_at`` (aware), or None
    when its slot is not weak or the history is too thin to say (module docstring).

    The better slots are the account's scored slots above 1 in the planned post's week
    (brand-local Monday to Sunday), still ahead of ``now``, the ``n_better`` nearest to the
    planned time. None when there is none: advice with nothing to offer is not given.
    """
    if scores.empty:
        return None
    account = scores[(scores["network"] == network) & (scores["account_id"] == account_id)]
    if int(account["posts"].sum()) < MIN_ACCOUNT_POSTS:
        return None
    scored = account[account["posts"] + account["network_posts"] >= MIN_POSTS]
    if len(scored) < MIN_SCORED_SLOTS:
        return None
    zone = ZoneInfo(timezone)
    local = planned_at.astimezone(zone)
    here = scored[(scored["weekday"] == local.weekday()) & (scored["hour"] == local.hour)]
    if here.empty:
        return None
    slot = here.iloc[0]
    score = float(slot["score"])
    rank = int((scored["score"] < score).sum()) + 1
    if (
        slot["confidence"] not in ("medium", "high")
        or score >= 1.0
        or rank > max(1, int(len(scored) * WEAK_SHARE))
    ):
        return None
    monday = local.date() - timedelta(days=local.weekday())
    candidates = []
    for row in scored[scored["score"] > 1.0].itertuples(index=False):
        day = monday + timedelta(days=int(row.weekday))
        at = datetime.combine(day, time(int(row.hour)), tzinfo=zone).astimezone(UTC)
        if at > now:
            distance = abs((at - planned_at).total_seconds())
            candidates.append((distance, -float(row.score), at, row))
    nearest = sorted(candidates, key=lambda c: c[:2])[:n_better]
    if not nearest:
        return None
    better = tuple(
        BetterSlot(at, float(row.score), int(row.posts), int(row.network_posts))
        for _, _, at, row in sorted(nearest, key=lambda c: c[2])
    )
    return WeakSlot(
        network=network,
        account_id=account_id,
        planned_at=planned_at.astimezone(UTC),
        score=score,
        posts=int(slot["posts"]),
        confidence=str(slot["confidence"]),
        rank=rank,
        slots=len(scored),
        better=better,
    )
