"""The sandbox's synthetic world: accounts, posts, mentions, Slack channels and sheets.

Network emulators render this one model in each API's shapes, so a post published through
the X emulator is a :class:`SandboxPost` that the metrics endpoints then report on. Metrics
grow with a post's age towards ``final`` (``metrics_at``), so reading the same post on two
days gives two different, deterministic numbers.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

METRIC_NAMES = (
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "video_views",
    "link_clicks",
)

#: How each network's audience meets a post: the share of followers who see it, how fast its
#: counters settle (half-life, hours) and how interactions split. The scenario generates the
#: history from it; the emulators use it for the posts published through their API.
NETWORK_PROFILES: dict[str, dict[str, Any]] = {
    "x": {"reach": 0.22, "half_life": 6, "split": {
        "likes": 0.62, "comments": 0.1, "shares": 0.16, "saves": 0.07, "link_clicks": 0.05}},
    "youtube": {"reach": 0.18, "half_life": 72, "split": {
        "likes": 0.8, "comments": 0.12, "shares": 0.08}},
    "facebook": {"reach": 0.07, "half_life": 12, "split": {
        "likes": 0.66, "comments": 0.12, "shares": 0.1, "link_clicks": 0.12}},
    "instagram": {"reach": 0.28, "half_life": 18, "split": {
        "likes": 0.78, "comments": 0.06, "shares": 0.06, "saves": 0.1}},
    "linkedin": {"reach": 0.2, "half_life": 24, "split": {
        "likes": 0.7, "comments": 0.08, "shares": 0.07, "link_clicks": 0.15}},
}  # fmt: skip


@dataclass
class SandboxAccount:
    network: str
    id: str
    handle: str
    name: str
    role: str  # owned, competitor, influencer, public
    followers: int
    following: int = 0
    bio: str = ""
    verified: bool = False
    created_at: datetime = datetime(2015, 1, 1, tzinfo=UTC)
    followers_per_day: float = 0.0  # net daily change, applied relative to the world's epoch
    bought_followers: bool = False
    engagement_rate: float = 0.03  # interactions / impressions of a typical post
    has_picture: bool = True  # False: the network's default picture
    protected: bool = False  # posts visible to approved followers only
    business: bool = True  # Instagram: a professional (business or creator) account
    #: (when, how many): followers gained at once at ``when`` (a campaign, bought followers).
    follower_jump: tuple[datetime, int] | None = None

    def followers_at(self, when: datetime, epoch: datetime) -> int:
        days = (when - epoch).total_seconds() / 86400
        jump = self.follower_jump[1] if self.follower_jump and when >= self.follower_jump[0] else 0
        return max(0, round(self.followers + self.followers_per_day * days + jump))


@dataclass
class SandboxPost:
    network: str
    id: str
    account_id: str
    text: str
    created_at: datetime
    kind: str = "post"
    title: str | None = None
    link: str | None = None
    media: list[str] = field(default_factory=list)
    final: dict[str, int] = field(default_factory=dict)  # metric values the post tends to
    half_life_hours: float = 18.0
    extra: dict[str, Any] = field(default_factory=dict)  # emulator-specific fields

    def metrics_at(self, when: datetime) -> dict[str, int]:
        age_hours = max(0.0, (when - self.created_at).total_seconds() / 3600)
        share = 1 - math.exp(-age_hours * math.log(2) / self.half_life_hours)
        return {name: int(value * share) for name, value in self.final.items()}


def api_post_metrics(account: SandboxAccount, kind: str) -> dict[str, int]:
    """Final metrics of a post published through an emulator's API: its network's profile
    applied to the account's audience, without the random spread of the generated history."""
    profile = NETWORK_PROFILES[account.network]
    seen = max(1, account.followers) * profile["reach"]
    interactions = seen * account.engagement_rate
    metrics = {name: int(interactions * share) for name, share in profile["split"].items()}
    metrics["reach"] = int(seen)
    metrics["impressions"] = int(seen * 1.4)
    if kind in ("reel", "video"):
        metrics["video_views"] = int(seen * 1.8)
    return metrics


@dataclass
class SandboxMention:
    network: str
    id: str
    author_id: str
    author_handle: str
    text: str
    lang: str
    tone: str  # positive, neutral, negative
    created_at: datetime
    in_reply_to: str | None = None  # an own post id: then it is a comment
    likes: int = 0
    #: the comment this one answers (a reply in a comment's thread, on Facebook and
    #: Instagram), None for a comment on the post itself
    parent: str | None = None

    @property
    def kind(self) -> str:
        return "comment" if self.in_reply_to else "mention"


@dataclass
class SlackMessage:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    #: Slack message metadata (``event_type``, ``event_payload``), as posted.
    metadata: dict[str, Any] | None = None


class _AccountTimeline:
    """One account's posts in time order, for listings that page through it.

    Kept oldest first by ``(created_at, -serial)``: read backwards it is newest first, posts
    of the same instant in the order they were added (what a stable sort gave before).
    """

    def __init__(self) -> None:
        self.keys: list[tuple[datetime, int]] = []
        self.posts: list[SandboxPost] = []

    def insert(self, sort_key: tuple[datetime, int], post: SandboxPost) -> None:
        at = bisect.bisect_left(self.keys, sort_key)
        self.keys.insert(at, sort_key)
        self.posts.insert(at, post)

    def remove(self, sort_key: tuple[datetime, int]) -> None:
        at = bisect.bisect_left(self.keys, sort_key)
        del self.keys[at], self.posts[at]

    def newest_first(self, since: datetime | None, until: datetime | None) -> list[SandboxPost]:
        start = 0 if since is None else bisect.bisect_left(self.keys, since, key=_instant)
        stop = (
            len(self.keys) if until is None else bisect.bisect_right(self.keys, until, key=_instant)
        )
        return self.posts[start:stop][::-1]


def _instant(sort_key: tuple[datetime, int]) -> datetime:
    return sort_key[0]


class World:
    """Everything the sandbox knows. Emulators mutate it under the :class:`Sandbox`'s lock,
    which the dispatcher holds around every handler.

    Posts are read through :attr:`posts` (a read-only view) and changed only through
    :meth:`add_post` and :meth:`remove_post`, which keep the per-account timelines that
    :meth:`account_posts` pages through. A post's ``created_at`` and ``account_id`` are part
    of that index: to move a post, add it again (the same key replaces it).
    """

    def __init__(self, *, epoch: datetime, clock: Callable[[], datetime] | None = None):
        self.epoch = epoch
        self._clock = clock
        self.accounts: dict[tuple[str, str], SandboxAccount] = {}
        self._posts: dict[tuple[str, str], SandboxPost] = {}
        # (network, post id) → (network, account id) and the post's place in that timeline,
        # as indexed (so a removal finds it even if the post object was changed since).
        self._placed: dict[tuple[str, str], tuple[tuple[str, str], tuple[datetime, int]]] = {}
        self._timelines: dict[tuple[str, str], _AccountTimeline] = {}
        self._serials = itertools.count()
        self.mentions: list[SandboxMention] = []
        self.slack: dict[str, list[SlackMessage]] = {}
        self.slack_files: dict[str, dict[str, Any]] = {}
        self.slack_channels: dict[str, str] = {}  # channel name without '#' → channel id
        self.slack_strict_channels = False  # True: posting to an unlisted channel fails
        self.sheets: dict[
            str, dict[str, list[list[str]]]
        ] = {}  # spreadsheet id → sheet title → rows
        self.campaigns: list[dict[str, Any]] = []  # ads reporting rows, emulators filter them
        self.revoked_tokens: set[str] = set()
        #: Meta granted the app Page Public Content Access: other Pages' posts are readable
        #: (false: Graph refuses them with error 10, as for an app without the feature).
        self.page_public_content_access = True
        self._ids = itertools.count(1)

    def now(self) -> datetime:
        return self._clock() if self._clock else datetime.now(UTC)

    def freeze(self, when: datetime | None) -> None:
        """Stop the clock at ``when`` (None lets it run with real time again)."""
        self._clock = (lambda: when) if when else None

    def new_id(self, base: int = 1_900_000_000_000_000_000) -> str:
        return str(base + next(self._ids))

    def add_account(self, account: SandboxAccount) -> SandboxAccount:
        self.accounts[(account.network, account.id)] = account
        return account

    @property
    def posts(self) -> Mapping[tuple[str, str], SandboxPost]:
        """Every post, by ``(network, post id)``, in the order they were first added."""
        return MappingProxyType(self._posts)

    def add_post(self, post: SandboxPost) -> SandboxPost:
        """Add ``post``, or replace the post with its network and id (keeping its rank among
        posts of the same instant)."""
        key = (post.network, post.id)
        placed = self._placed.get(key)
        serial = -placed[1][1] if placed else next(self._serials)
        if placed:
            self._unplace(key)
        sort_key = (post.created_at, -serial)
        owner = (post.network, post.account_id)
        self._timelines.setdefault(owner, _AccountTimeline()).insert(sort_key, post)
        self._placed[key] = owner, sort_key
        self._posts[key] = post
        return post

    def remove_post(self, network: str, post_id: str) -> SandboxPost | None:
        """Delete a post (a deletion through an API, a scenario edit); None if unknown."""
        key = (network, post_id)
        if key not in self._posts:
            return None
        self._unplace(key)
        return self._posts.pop(key)

    def _unplace(self, key: tuple[str, str]) -> None:
        owner, sort_key = self._placed.pop(key)
        timeline = self._timelines[owner]
        timeline.remove(sort_key)
        if not timeline.keys:
            del self._timelines[owner]

    def account(self, network: str, id_or_handle: str) -> SandboxAccount | None:
        found = self.accounts.get((network, id_or_handle))
        if found:
            return found
        wanted = id_or_handle.lstrip("@").casefold()
        return next(
            (
                a
                for (n, _), a in self.accounts.items()
                if n == network and a.handle.casefold() == wanted
            ),
            None,
        )

    def account_posts(
        self,
        network: str,
        account_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[SandboxPost]:
        """The account's posts newest first, created in ``[since, until]`` when given (both
        ends included): a binary search in the account's timeline, not a scan of the world."""
        timeline = self._timelines.get((network, account_id))
        return timeline.newest_first(since, until) if timeline else []

    def post(self, network: str, post_id: str) -> SandboxPost | None:
        return self.posts.get((network, post_id))

    def network_mentions(self, network: str) -> list[SandboxMention]:
        return [m for m in self.mentions if m.network == network]

    def post_slack(
        self, channel: str, text: str, blocks=None, thread_ts=None, metadata=None
    ) -> SlackMessage:
        ts = f"{self.now().timestamp():.6f}"
        # Two messages in the same microsecond still get distinct, increasing timestamps.
        existing = {m.ts for m in self.slack.get(channel, [])}
        while ts in existing:
            ts = f"{float(ts) + 0.000001:.6f}"
        message = SlackMessage(
            channel=channel, ts=ts, text=text, blocks=blocks, thread_ts=thread_ts, metadata=metadata
        )
        self.slack.setdefault(channel, []).append(message)
        return message

    def summary(self) -> dict[str, Any]:
        posts: dict[str, dict[str, int]] = {}
        for post in self.posts.values():
            account = self.accounts.get((post.network, post.account_id))
            handle = account.handle if account else post.account_id
            posts.setdefault(post.network, {}).setdefault(handle, 0)
            posts[post.network][handle] += 1
        return {
            "now": self.now().isoformat(),
            "posts": posts,
            "mentions": len(self.mentions),
            "slack": {
                channel: [
                    {
                        "ts": m.ts,
                        "text": m.text,
                        "thread_ts": m.thread_ts,
                        "blocks": m.blocks,
                        "files": m.files,
                    }
                    for m in messages
                ]
                for channel, messages in self.slack.items()
            },
        }
