"""Influencer scoring: one network's candidates of the week, scored with every part shown.

:class:`NetworkScoring` scores a network's candidates on one day:

1. candidates: ``influencer_candidates`` of the configuration, plus the authors of the
   brand's mentions of the last ``influencers.discovery_weeks`` weeks; never the brand's own
   accounts, a competitor's, one of ``influencers.excluded``, nor one recorded unreadable
   until after the day;
2. one batched :meth:`lookup_profiles`; a discovered author below ``influencers.reach_floor``
   followers is dropped (configured candidates are always scored);
3. each candidate's posts of ``influencers.posts_days`` (:meth:`public_posts`): their
   average likes and comments and their texts (relevance);
4. :func:`socialops.analytics.influence.score_candidates` (the 0–100 score, its components,
   tier and flags) and one upsert of ``influencer_scores``.

A candidate the network does not return (deleted, personal account), or whose posts are
hidden (private), is recorded in ``unreadable_accounts`` and named in the weekly message;
it is looked up again after ``competitor_watch.retry_unreadable_days``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from socialops.influencers import store
from socialops.networks import records
from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import InvalidRequest, NotSupported
from socialops.visibility import reason_code
from socialops.warehouse.engine import session_scope
from socialops.warehouse.unreadable import clear_unreadable, mark_unreadable, unreadable

log = logging.getLogger(__name__)

PURPOSE = "influencer"
#: Flags that each may be innocent but together point at bought followers or an engagement
#: pod: a candidate with two of them is listed apart in the shortlist, to check by hand.
FAKE_SIGNALS = frozenset(
    {
        "mass_following",
        "low_follower_ratio",
        "follower_jump",
        "low_engagement_for_size",
        "high_engagement_for_size",
        "no_profile_picture",
        "young_account",
    }
)
CONFIGURED, DISCOVERED = "configured", "mentions"


@dataclass(frozen=True)
class Candidate:
    network: str
    handle: str
    source: str  # configured or mentions
    brand_mentions: int = 0
    negative_brand_mentions: int = 0

    @property
    def key(self) -> str:
        return self.handle.lstrip("@").casefold()


def candidates_from(config: Any, engine: Engine, network: str, day: date) -> list[Candidate]:
    """The network's candidates of ``day`` (see the module docstring), configured first."""
    settings = config.influencers
    authors = store.mention_authors(
        engine, network, day - timedelta(weeks=settings.discovery_weeks)
    )
    never = {a.handle.lstrip("@").casefold() for a in config.accounts if a.network == network}
    never |= {
        a.handle.lstrip("@").casefold()
        for c in config.competitors
        for a in c.accounts
        if a.network == network
    }
    for excluded in settings.excluded:
        excluded_network, _, handle = excluded.partition(":")
        if excluded_network == network:
            never.add(handle.lstrip("@").casefold())
    found: dict[str, Candidate] = {}
    for account in config.influencer_candidates:
        key = account.handle.lstrip("@").casefold()
        if account.network == network and key not in never:
            seen = authors.get(key, {})
            found[key] = Candidate(
                network,
                account.handle.lstrip("@"),
                CONFIGURED,
                seen.get("brand_mentions", 0),
                seen.get("negative_brand_mentions", 0),
            )
    for key, author in sorted(authors.items()):
        if key not in found and key not in never:
            found[key] = Candidate(
                network,
                author["handle"],
                DISCOVERED,
                author["brand_mentions"],
                author["negative_brand_mentions"],
            )
    return list(found.values())


@dataclass(frozen=True)
class Unscored:
    network: str
    handle: str
    code: str
    detail: str


@dataclass
class ScoringResult:
    network: str
    day: date
    scored: list[str] = field(default_factory=list)
    below_floor: list[str] = field(default_factory=list)
    unscored: list[Unscored] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    loaded: dict[str, int] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "day": self.day.isoformat(),
            "scored": self.scored,
            "below_floor": len(self.below_floor),
            "unscored": [
                {"handle": u.handle, "code": u.code, "detail": u.detail} for u in self.unscored
            ],  # fmt: skip
            "skipped": self.skipped,
            "loaded": self.loaded,
            "api_calls": self.api_calls,
            "api_calls_total": sum(self.api_calls.values()),
        }


class NetworkScoring:
    def __init__(
        self, adapter: NetworkAdapter, engine: Engine, config: Any, *, retry_days: int = 7
    ):
        self.adapter, self.engine, self.config = adapter, engine, config
        self.retry_days = retry_days

    def run(self, candidates: Sequence[Candidate], day: date) -> ScoringResult:
        from socialops.analytics.influence import BrandProfile, score_candidates

        network = self.adapter.network
        result = ScoringResult(network, day)
        skipped = unreadable(self.engine, PURPOSE, network, day)
        wanted = [c for c in candidates if c.key not in skipped]
        result.skipped = [c.handle for c in candidates if c.key in skipped]
        if not wanted:
            return result
        try:
            lookup = self.adapter.lookup_profiles([c.handle for c in wanted])
        except NotSupported as exc:
            lookup = records.ProfileLookup(unreadable={c.handle: str(exc) for c in wanted})
        by_handle = {p.handle.casefold(): p for p in lookup.found}
        since = datetime.combine(day - timedelta(days=self.config.influencers.posts_days), time(),
                                 tzinfo=UTC)  # fmt: skip
        previous = store.previous_scores(self.engine, network, day)
        rows, profiles, unscored = [], [], []
        for candidate in wanted:
            profile = by_handle.get(candidate.key)
            if profile is None:
                detail = next(
                    (r for h, r in lookup.unreadable.items() if h.casefold() == candidate.key),
                    "not returned by the network",
                )
                unscored.append(Unscored(network, candidate.handle, reason_code(detail), detail))
                continue
            floor = self.config.influencers.reach_floor
            if candidate.source == DISCOVERED and (profile.followers or 0) < floor:
                result.below_floor.append(candidate.handle)
                continue
            if profile.protected:
                detail = f"{profile.handle} is protected: its posts are not public"
                unscored.append(Unscored(network, candidate.handle, "protected", detail))
                continue
            try:
                posts = self.adapter.public_posts(profile.account_id, since)
            except (NotSupported, InvalidRequest) as exc:
                detail = str(exc)
                unscored.append(Unscored(network, candidate.handle, reason_code(detail), detail))
                continue
            before = previous.get((network, profile.account_id), {})
            rows.append(_candidate_row(candidate, profile, posts, before.get("followers")))
            profiles.append(profile)
        scored_rows: list[dict[str, Any]] = []
        if rows:
            frame = pd.DataFrame(rows)
            scores = score_candidates(frame, BrandProfile.from_config(self.config), as_of=day)
            for profile, row, (_, score) in zip(profiles, rows, scores.iterrows(), strict=True):
                scored_rows.append(_score_row(profile, row, score, day))
        retry_on = day + timedelta(days=self.retry_days)
        with session_scope(self.engine) as session:
            connection = session.connection()
            stored = [r for r in scored_rows if r["score"] is not None]
            loaded = store.save_scores(connection, stored)
            for profile in profiles:
                clear_unreadable(connection, PURPOSE, network, profile.handle)
            for item in unscored:
                mark_unreadable(
                    connection, PURPOSE, network, item.handle, item.detail, day, retry_on
                )
        result.scored = [r["handle"] for r in stored]
        # Readable, but no recent post with public counters: no engagement, so no score.
        quiet = [
            Unscored(network, r["handle"], "no_recent_posts", "no recent post with counters")
            for r in scored_rows
            if r["score"] is None
        ]
        result.unscored = unscored + quiet
        result.loaded = {"inserted": loaded.inserted, "updated": loaded.updated,
                         "unchanged": loaded.unchanged}  # fmt: skip
        result.api_calls = dict(self.adapter.api_calls)
        for item in unscored:
            log.warning("%s %s not scored: %s", network, item.handle, item.detail)
        return result


def _candidate_row(
    candidate: Candidate,
    profile: records.Profile,
    posts: list[records.PublicPost],
    previous_followers: int | None,
) -> dict[str, Any]:
    likes = [p.likes for p in posts if p.likes is not None]
    comments = [p.comments for p in posts if p.comments is not None]
    return {
        "network": profile.network,
        "handle": profile.handle,
        "followers": profile.followers,
        "following": profile.following,
        "posts_count": profile.posts_count,
        "has_profile_picture": profile.has_picture,
        "private": profile.protected,
        "verified": profile.verified,
        "created_at": profile.created_at,
        "bio": profile.bio,
        "avg_likes": sum(likes) / len(likes) if likes else None,
        "avg_comments": sum(comments) / len(comments) if comments else None,
        "recent_posts": "\n".join(p.text for p in posts),
        "brand_mentions": candidate.brand_mentions,
        "negative_brand_mentions": candidate.negative_brand_mentions,
        "previous_followers": previous_followers,
        "source": candidate.source,
        "url": profile.url,
    }


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _score_row(
    profile: records.Profile, row: dict[str, Any], score: pd.Series, day: date
) -> dict[str, Any]:
    from socialops.analytics.influence import COMPONENTS

    flags = [f for f in str(score["flags"] or "").split(";") if f]
    return {
        "network": profile.network,
        "account_id": profile.account_id,
        "day": day,
        "handle": profile.handle,
        "score": _number(score["score"]),
        "components": {
            **{name: _number(score[name]) for name in COMPONENTS},
            "tier": score["tier"],
            "top_components": score["top_components"] or None,
            "source": row["source"],
            "url": row["url"],
        },
        "followers": profile.followers,
        "engagement_rate": _number(score["engagement_rate"]),
        "flags": flags,
    }


# -- the weekly shortlist -------------------------------------------------------------------


def announce_shortlist(
    config: Any,
    engine: Engine,
    day: date,
    unscored: Sequence[dict[str, Any]],
    *,
    reader: Any,
    channel: str,
) -> dict[str, Any]:
    """The day's scores as one message: the ``influencers.shortlist_size`` best unflagged
    candidates, the flagged ones apart, new entrants marked, the unscored named."""
    from socialops.analytics.influence import AUTHENTICITY_GATE
    from socialops.influencers import messages
    from socialops.notifications.outbox import Notice, add_notices

    rows = store.scores_of(engine, day)
    before = store.previous_scores(engine, None, day)

    def flagged(row: dict[str, Any]) -> bool:
        authenticity = (row.get("components") or {}).get("authenticity")
        flags = set(row.get("flags") or [])
        doubtful = authenticity is not None and authenticity < AUTHENTICITY_GATE
        return doubtful or "negative_about_brand" in flags or len(flags & FAKE_SIGNALS) >= 2

    top = [r for r in rows if not flagged(r)][: config.influencers.shortlist_size]
    apart = [r for r in rows if flagged(r)]
    new = {(r["network"], r["account_id"]) for r in rows} - set(before)
    message = messages.shortlist(reader, day, top, apart, unscored, new)
    queued = add_notices(engine, [Notice.of(f"influencer_scoring:{day}", channel, message)])
    return {
        "day": day.isoformat(),
        "shortlist": [r["handle"] for r in top],
        "flagged": [r["handle"] for r in apart],
        "new": sorted(f"{n}:{a}" for n, a in new),
        "slack_messages": queued,
    }
