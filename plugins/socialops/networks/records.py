"""Typed records every network adapter speaks. Times are timezone-aware UTC datetimes.

A metric a network does not report is ``None`` (not 0): "unknown" and "zero" differ in a KPI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Draft:
    """What to publish on one network for one owned account."""

    account: str  # the owned account's handle
    text: str
    link: str | None = None
    media: tuple[str, ...] = ()  # local paths or http(s) URLs
    title: str | None = None  # YouTube title
    options: dict[str, Any] = field(
        default_factory=dict
    )  # network-specific, documented per adapter


@dataclass(frozen=True)
class Receipt:
    """Proof that a post exists on the network."""

    network: str
    external_id: str
    url: str
    published_at: datetime


@dataclass(frozen=True)
class Post:
    network: str
    account_id: str
    post_id: str
    created_at: datetime
    text: str
    url: str | None = None
    kind: str = "post"  # post, video, reel, carousel, ...
    #: The post's metrics when the listing carried them (``recent_posts(..., metrics=True)``
    #: on a network whose listing takes the same fields as its id lookup); None: look it up.
    metrics: PostMetrics | None = None


@dataclass(frozen=True)
class PostMetrics:
    network: str
    post_id: str
    impressions: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    video_views: int | None = None
    link_clicks: int | None = None


@dataclass(frozen=True)
class AccountMetrics:
    network: str
    account_id: str
    day: date
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    impressions: int | None = None
    reach: int | None = None
    profile_views: int | None = None


@dataclass(frozen=True)
class Mention:
    """A post or comment by someone else that names the brand, or a comment on an own post."""

    network: str
    mention_id: str
    author_id: str
    author_handle: str | None
    text: str
    created_at: datetime
    lang: str | None = None
    url: str | None = None
    in_reply_to: str | None = None  # the own post commented on, for comments
    kind: str = "mention"  # mention or comment
    likes: int | None = None
    author_reach: int | None = None  # the author's followers, when the response holds them
    #: written by the account itself (the brand answering in its own post's comments), when
    #: the network tells the author's id; a reader also knows the brand by its handles
    by_account: bool = False


@dataclass(frozen=True)
class Profile:
    """Public profile facts that competitor watch and influencer scoring need."""

    network: str
    account_id: str
    handle: str
    name: str | None = None
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    bio: str | None = None
    verified: bool | None = None
    created_at: datetime | None = None
    url: str | None = None
    #: False: the network shows its default picture (an egg, a silhouette); None: unknown.
    has_picture: bool | None = None
    #: True: posts are visible to approved followers only (X protected, private accounts).
    protected: bool | None = None


@dataclass(frozen=True)
class PublicPost:
    """Another account's post with the engagement anyone can see (no impressions, no reach).

    A counter the network does not show publicly is ``None``.
    """

    network: str
    account_id: str
    post_id: str
    created_at: datetime
    text: str
    url: str | None = None
    kind: str = "post"
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None


@dataclass(frozen=True)
class ProfileLookup:
    """What a batched lookup found, and why each account it did not find cannot be read.

    ``unreadable`` maps the id or handle as asked to a short reason in English (``"not a
    business or creator account"``), for the task log and the notice that names it.
    """

    found: list[Profile] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignSpend:
    """Paid results of one ad campaign on one day, from the network's ads reporting.

    ``campaign_id`` is the campaign's id in the brand configuration (not necessarily the
    network's own id); amounts are in ``currency`` (the ad account's), exact decimals.
    """

    network: str
    campaign_id: str
    day: date
    spend: Decimal | None = None
    currency: str | None = None
    impressions: int | None = None
    clicks: int | None = None
    conversions: int | None = None
    revenue: Decimal | None = None
