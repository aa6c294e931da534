"""Scenario files: the description of a sandbox world, and its deterministic generator.

A scenario is a YAML file (schema: the models below, documented field by field in
``docs/sandbox.md``; example: ``include/scenarios/default.yaml``). It names the accounts
and says how much activity to generate; :meth:`ScenarioSpec.build_world` turns it into a
:class:`~socialops.sandbox.world.World`. Everything random is drawn from one
``random.Random(seed)`` in a fixed order, so a seed and an anchor time always give the same
world: ids, texts, metrics, mentions and the crisis.

>>> spec = load_scenario(None)              # include/scenarios/default.yaml
>>> world = spec.build_world(seed=7)
"""

from __future__ import annotations

import csv
import random
import re
import string
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from socialops.config.loader import describe_validation_error
from socialops.paths import INCLUDE_DIR, PROJECT_ROOT
from socialops.sandbox.slack_api import channel_id
from socialops.sandbox.world import (
    NETWORK_PROFILES,
    SandboxAccount,
    SandboxMention,
    SandboxPost,
    World,
)

DEFAULT_SCENARIO = INCLUDE_DIR / "scenarios" / "default.yaml"

Network = Literal["x", "youtube", "facebook", "instagram", "linkedin"]
Role = Literal["owned", "competitor", "influencer", "public"]
Lang = Literal["fr", "en"]
Tone = Literal["positive", "neutral", "negative"]
Share = Annotated[float, Field(ge=0)]

#: The header served for a calendar sheet whose CSV does not exist: the calendar's columns
#: (socialops.calendar.entries.COLUMNS, not imported: the sandbox does not depend on the app).
CALENDAR_HEADER = [
    "entry_id", "scheduled_at", "networks", "account", "text",
    "text_x", "text_youtube", "text_facebook", "text_instagram", "text_linkedin",
    "link", "media", "title", "campaign", "tags", "status", "approver",
]  # fmt: skip


class ScenarioError(ValueError):
    """The scenario file is missing or invalid; the message names every bad field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BrandSpec(_Strict):
    """What generated texts talk about."""

    name: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)
    hashtags: list[str] = []
    products: list[str] = Field(min_length=1)
    website: str = "https://example.com"

    @field_validator("hashtags")
    @classmethod
    def _hash_prefixed(cls, value: list[str]) -> list[str]:
        bad = [tag for tag in value if not tag.startswith("#") or " " in tag]
        if bad:
            raise ValueError(f"hashtags must look like '#word', got {bad}")
        return value


class FollowerJumpSpec(_Strict):
    """Followers gained at once (a contest, bought followers), ``hours_ago`` before now
    (negative: later, so that tomorrow's snapshot sees it)."""

    hours_ago: float
    followers: int = Field(gt=0)


class ViralPostSpec(_Strict):
    """One post far above the account's usual: ``factor`` × a typical post's interactions."""

    hours_ago: float = Field(gt=0)
    factor: float = Field(default=12.0, gt=1)
    text: str = "Notre nouvelle collection est là !"


class AccountSpec(_Strict):
    network: Network
    handle: str = Field(min_length=1)
    role: Role
    name: str | None = None
    id: str | None = Field(default=None, description="generated in the network's style when absent")
    followers: int = Field(ge=0)
    following: int = Field(default=200, ge=0)
    followers_per_day: float = 0.0
    posts_per_week: float = Field(default=3.0, ge=0)
    engagement_rate: float = Field(default=0.03, gt=0, le=1)
    bought_followers: bool = False
    verified: bool = False
    bio: str = ""
    created_at: date = date(2016, 1, 1)
    has_picture: bool = Field(default=True, description="false: the network's default picture")
    protected: bool = Field(default=False, description="X protected: posts for followers only")
    business: bool = Field(
        default=True, description="Instagram: false for a personal account (not discoverable)"
    )
    follower_jump: FollowerJumpSpec | None = None
    viral_post: ViralPostSpec | None = None


class PublicAuthorsSpec(_Strict):
    """Random people who mention the brand and comment; generated, not listed."""

    per_network: int = Field(default=30, ge=1)
    followers: tuple[int, int] = (20, 8000)

    @model_validator(mode="after")
    def _ordered(self) -> PublicAuthorsSpec:
        low, high = self.followers
        if low < 0 or high < low:
            raise ValueError(
                f"followers must be [min, max] with 0 <= min <= max, got {list(self.followers)}"
            )
        return self


class MentionsSpec(_Strict):
    per_day: float = Field(default=10.0, ge=0)
    networks: dict[Network, Share] = {"x": 1.0}
    languages: dict[Lang, Share] = {"fr": 0.6, "en": 0.4}
    tones: dict[Tone, Share] = {"positive": 0.45, "neutral": 0.4, "negative": 0.15}
    comment_share: float = Field(
        default=0.35, ge=0, le=1, description="share that are comments on own posts"
    )

    @field_validator("networks", "languages", "tones")
    @classmethod
    def _some_weight(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or sum(value.values()) <= 0:
            raise ValueError("needs at least one entry with a positive weight")
        return value


class CrisisSpec(_Strict):
    """A burst of negative mentions, placed relative to the world's ``now``."""

    starts_hours_ago: float = Field(
        default=5.0, description="hours before now; negative = in the future"
    )
    duration_hours: float = Field(default=3.0, gt=0)
    count: int = Field(default=60, ge=1)
    network: Network = "x"
    languages: dict[Lang, Share] = {"fr": 0.8, "en": 0.2}


class CampaignSpec(_Strict):
    """Ads reporting rows generated per day between ``start`` and ``end`` (up to ``now``)."""

    id: str = Field(min_length=1)
    network: Network
    start: date
    end: date
    daily_spend: float = Field(gt=0)
    cpm: float = Field(default=8.0, gt=0, description="cost per 1,000 impressions")
    ctr: float = Field(default=0.012, gt=0, le=1)
    conversion_rate: float = Field(default=0.03, ge=0, le=1)
    average_order: float = Field(default=40.0, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> CampaignSpec:
        if self.end < self.start:
            raise ValueError(f"campaign {self.id}: end {self.end} is before start {self.start}")
        return self


class CsvSheet(_Strict):
    csv: str = Field(description="path, relative to the project root, read when the world is built")
    header: list[str] = Field(default_factory=lambda: list(CALENDAR_HEADER))


class SlackSpec(_Strict):
    channels: list[str] = Field(default=[], description="channels that exist from the start")
    strict: bool = Field(default=False, description="posting to a channel not listed fails")

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, value: list[str]) -> list[str]:
        bad = [name for name in value if not re.fullmatch(r"#[a-z0-9_\-]{1,80}", name)]
        if bad:
            raise ValueError(f"channels must look like '#channel-name', got {bad}")
        return value


#: A sheet is a CSV path, ``{csv, header}`` (header served when the file is missing) or inline rows.
SheetSpec = str | CsvSheet | list[list[str | int | float | bool]]


class ScenarioSpec(_Strict):
    seed: int = 42
    now: datetime | None = Field(default=None, description="freezes the clock; None = real time")
    history_days: int = Field(default=35, ge=1, le=400)
    brand: BrandSpec
    accounts: list[AccountSpec] = Field(min_length=1)
    #: Accounts generated after everything else, each from a generator of its own: adding
    #: one never changes the rest of the world (the ids, posts and mentions tests rely on).
    more_accounts: list[AccountSpec] = []
    #: Meta granted the app Page Public Content Access (false: other Pages' posts refused).
    page_public_content_access: bool = True
    public_authors: PublicAuthorsSpec = PublicAuthorsSpec()
    mentions: MentionsSpec = MentionsSpec()
    crisis: CrisisSpec | None = None
    campaigns: list[CampaignSpec] = []
    slack: SlackSpec = SlackSpec()
    sheets: dict[str, dict[str, SheetSpec]] = {}

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("now needs a time zone, e.g. 2026-11-21T10:00:00Z")
        return value.astimezone(UTC) if value else None

    @model_validator(mode="after")
    def _unique_handles(self) -> ScenarioSpec:
        seen: set[tuple[str, str]] = set()
        for account in [*self.accounts, *self.more_accounts]:
            key = (account.network, account.handle.casefold())
            if key in seen:
                raise ValueError(f"account {account.network}:{account.handle} is listed twice")
            seen.add(key)
        return self

    def build_world(self, seed: int | None = None, now: datetime | None = None) -> World:
        """Generate the world. ``now`` (else the scenario's, else the current hour) anchors time.

        Without a frozen ``now`` the clock runs, but history is anchored on the current hour
        so that two builds within the hour are identical.
        """
        anchor = now or self.now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        frozen = now or self.now
        world = World(epoch=anchor, clock=(lambda: frozen) if frozen else None)
        _Generator(self, random.Random(self.seed if seed is None else seed), world, anchor).run()
        return world


def load_scenario(path: str | Path | None = None) -> ScenarioSpec:
    """Read and validate a scenario file (None: ``include/scenarios/default.yaml``)."""
    resolved = Path(path) if path else DEFAULT_SCENARIO
    if not resolved.is_file():
        raise ScenarioError(f"scenario file {resolved} not found")
    try:
        raw = yaml.safe_load(resolved.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{resolved}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{resolved}: expected a mapping at the top level")
    return parse_scenario(raw, source=str(resolved))


def parse_scenario(raw: dict, source: str = "<scenario>") -> ScenarioSpec:
    try:
        return ScenarioSpec.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(describe_validation_error(exc, source, "docs/sandbox.md")) from None


# -- generation ---------------------------------------------------------------------------

#: Per network: share of followers who see a post, how fast it ages, and how interactions
#: split between metrics (the keys are world.METRIC_NAMES; emulators rename them, e.g. X
#: shares → retweet_count, saves → bookmark_count, comments → reply_count).

_OWNED_TEXTS = {
    "fr": [
        "Nouvelle collection : découvrez {product}, coulée à la main dans notre atelier. {hashtag}",
        "Les soirées rallongent : {product} pour un salon qui sent bon l'hiver. {hashtag}",
        "Dans les coulisses de l'atelier {brand} : 48 heures de repos avant d'allumer {product}.",
        "Jeu concours ! Gagnez {product} en commentant votre parfum préféré. {hashtag}",
        (
            "Astuce : coupez la mèche à 5 mm avant chaque allumage pour une flamme régulière. "
            "{hashtag}"
        ),
        "{product} est de retour en stock, merci pour votre patience ! {link}",
    ],
    "en": [
        "Meet {product}: hand-poured in our workshop, made to last 50 hours. {hashtag}",
        "Behind the scenes at {brand}: every candle rests 48 hours before it ships.",
        "Giveaway! Tell us your favourite scent to win {product}. {hashtag}",
        "Tip: trim the wick to 5 mm before each burn for a clean flame. {hashtag}",
    ],
}
_OTHER_TEXTS = {
    "fr": [
        "Mon coin lecture du dimanche, un plaid et une bougie parfumée. #cocooning",
        "Trois idées déco pour un salon plus chaleureux cet hiver.",
        "Nouveau parfum en boutique ce week-end, venez le sentir !",
        "On prépare Noël en avance cette année : la liste est prête.",
    ],
    "en": [
        "Sunday reading corner: blanket, tea and a scented candle. #hygge",
        "Three easy ways to make your living room feel warmer this winter.",
        "New scent in store this weekend, come and try it!",
    ],
}
_MENTION_TEXTS = {
    ("fr", "positive"): [
        "Je viens de recevoir ma {product} de {keyword}, l'odeur est incroyable 😍 {hashtag}",
        "Franchement la meilleure bougie que j'ai achetée cette année, merci {keyword} !",
        "Commande arrivée en deux jours et emballage soigné, bravo {keyword} {hashtag}",
    ],
    ("fr", "neutral"): [
        "Quelqu'un a déjà testé la {product} de {keyword} ? Elle tient combien d'heures ?",
        "{keyword} sera présent au salon Maison&Objet cette année ?",
        "Les bougies {keyword} sont en vente où à Lyon ? {hashtag}",
    ],
    ("fr", "negative"): [
        "Déçue par ma {product} de {keyword}, elle ne sent presque rien une fois allumée.",
        "Toujours pas reçu ma commande {keyword} après dix jours, aucune réponse du SAV.",
        "Trop cher pour ce que c'est, {keyword}. {hashtag}",
    ],
    ("en", "positive"): [
        "Just lit my {product} from {keyword} and the whole flat smells amazing {hashtag}",
        "Best candle gift I have found this year, thank you {keyword}!",
    ],
    ("en", "neutral"): [
        "Does anyone know if {keyword} ships to the UK? {hashtag}",
        "How long does the {product} from {keyword} burn?",
    ],
    ("en", "negative"): [
        "My {product} from {keyword} arrived broken and nobody answers my emails.",
        "Disappointed, the {keyword} candle barely smells once lit.",
    ],
}
_CRISIS_TEXTS = {
    "fr": [
        (
            "Ma {product} de {keyword} a fait une flamme énorme et noirci tout le mur, "
            "c'est dangereux !"
        ),
        (
            "ATTENTION : la {product} {keyword} dégage une fumée noire, on a dû aérer toute "
            "la nuit {hashtag}"
        ),
        "Le pot de ma {product} a éclaté en brûlant. {keyword} rappelez ce lot au plus vite !",
        "Je ne rachèterai jamais {keyword}, leur {product} a failli mettre le feu chez moi.",
    ],
    "en": [
        "My {product} from {keyword} cracked while burning, this is a safety issue! {hashtag}",
        "Black smoke from the {keyword} {product}, had to open every window. Recall it now.",
    ],
}

_ALNUM = string.ascii_letters + string.digits
_YT_ALPHABET = _ALNUM + "-_"


class _Generator:
    """One pass over the spec; the order of draws from ``rng`` is part of determinism."""

    def __init__(self, spec: ScenarioSpec, rng: random.Random, world: World, now: datetime):
        self.spec, self.rng, self.world, self.now = spec, rng, world, now
        self.start = now - timedelta(days=spec.history_days)
        self.used_ids: set[str] = set()

    def run(self) -> None:
        listed = [(self._add_account(spec), spec.posts_per_week) for spec in self.spec.accounts]
        self._add_public_authors()
        for account, posts_per_week in listed:
            self._add_posts(account, posts_per_week)
        self._add_mentions()
        if self.spec.crisis:
            self._add_crisis(self.spec.crisis)
        self.world.mentions.sort(key=lambda m: m.created_at)
        self._add_campaigns()
        self._add_sheets()
        # After every random draw: these add nothing random, so older worlds stay the same.
        for account, spec in zip((a for a, _ in listed), self.spec.accounts, strict=True):
            self._add_events(account, spec)
        shared = self.rng
        for spec in self.spec.more_accounts:
            self.rng = random.Random(f"{self.spec.seed}:{spec.network}:{spec.handle}")
            account = self._add_account(spec)
            self._add_posts(account, spec.posts_per_week)
            self._add_events(account, spec)
        self.rng = shared
        self.world.slack_channels.update(
            {c[1:]: channel_id(c[1:]) for c in self.spec.slack.channels}
        )
        self.world.slack_strict_channels = self.spec.slack.strict
        self.world.page_public_content_access = self.spec.page_public_content_access

    # -- ids -----------------------------------------------------------------------------
    def _unique(self, make) -> str:
        while (value := make()) in self.used_ids:
            pass
        self.used_ids.add(value)
        return value

    def _digits(self, n: int) -> str:
        return str(self.rng.randint(10 ** (n - 1), 10**n - 1))

    def account_id(self, network: str, role: str) -> str:
        makers = {
            "x": lambda: self._digits(self.rng.choice((9, 10, 18, 19))),
            "youtube": lambda: "UC" + "".join(self.rng.choices(_YT_ALPHABET, k=22)),
            "facebook": lambda: self._digits(15),
            "instagram": lambda: "1784" + self._digits(13),
            "linkedin": lambda: (
                f"urn:li:organization:{self._digits(8)}"
                if role in ("owned", "competitor")
                else "urn:li:person:" + "".join(self.rng.choices(_ALNUM, k=10))
            ),
        }
        return self._unique(makers[network])

    def post_id(self, network: str, account_id: str) -> str:
        makers = {
            "x": lambda: "18" + self._digits(17),
            "youtube": lambda: "".join(self.rng.choices(_YT_ALPHABET, k=11)),
            "facebook": lambda: f"{account_id}_{self._digits(16)}",
            "instagram": lambda: "179" + self._digits(14),
            "linkedin": lambda: f"urn:li:share:{self._digits(19)}",
        }
        return self._unique(makers[network])

    def mention_id(self, network: str, parent: str | None) -> str:
        if network == "youtube" and parent:
            return self._unique(lambda: "Ugz" + "".join(self.rng.choices(_YT_ALPHABET, k=23)))
        if network == "facebook" and parent:
            return self._unique(lambda: f"{parent.split('_')[-1]}_{self._digits(15)}")
        if network == "linkedin" and parent:
            return self._unique(lambda: f"urn:li:comment:({parent},{self._digits(19)})")
        return self.post_id(network, self._digits(15))

    # -- accounts ------------------------------------------------------------------------
    def _add_account(self, spec: AccountSpec) -> SandboxAccount:
        return self.world.add_account(
            SandboxAccount(
                network=spec.network,
                id=spec.id or self.account_id(spec.network, spec.role),
                handle=spec.handle,
                name=spec.name or spec.handle,
                role=spec.role,
                followers=spec.followers,
                following=spec.following,
                bio=spec.bio,
                verified=spec.verified,
                created_at=datetime.combine(spec.created_at, time(9), tzinfo=UTC),
                followers_per_day=spec.followers_per_day,
                bought_followers=spec.bought_followers,
                engagement_rate=spec.engagement_rate,
                has_picture=spec.has_picture,
                protected=spec.protected,
                business=spec.business,
            )
        )

    def _add_events(self, account: SandboxAccount, spec: AccountSpec) -> None:
        """The scenario's scripted moves of ``account``: a follower jump, a viral post."""
        if spec.follower_jump:
            when = self.now - timedelta(hours=spec.follower_jump.hours_ago)
            account.follower_jump = (when, spec.follower_jump.followers)
        if spec.viral_post:
            profile = NETWORK_PROFILES[account.network]
            seen = max(1, account.followers) * profile["reach"]
            interactions = seen * account.engagement_rate * spec.viral_post.factor
            final = {name: int(interactions * share) for name, share in profile["split"].items()}
            final["impressions"] = int(seen * spec.viral_post.factor)
            kind = "video" if account.network == "youtube" else "post"
            post_id = f"{account.id}_viral" if account.network == "facebook" else None
            self.world.add_post(
                SandboxPost(
                    network=account.network,
                    id=post_id or _viral_id(account),
                    account_id=account.id,
                    text=spec.viral_post.text,
                    created_at=self.now - timedelta(hours=spec.viral_post.hours_ago),
                    kind=kind,
                    title=spec.viral_post.text[:90] if kind == "video" else None,
                    media=["video.mp4"] if kind == "video" else ["photo.jpg"],
                    final=final,
                    half_life_hours=NETWORK_PROFILES[account.network]["half_life"],
                )
            )

    def _add_public_authors(self) -> None:
        authors = self.spec.public_authors
        first = [
            "lea",
            "hugo",
            "chloe",
            "lucas",
            "emma",
            "nathan",
            "ines",
            "sam",
            "jade",
            "tom",
            "lina",
            "maxime",
        ]
        last = [
            "martin",
            "dubois",
            "leroy",
            "moreau",
            "petit",
            "green",
            "smith",
            "roux",
            "blanc",
            "walker",
        ]
        networks = sorted(
            {
                *self.spec.mentions.networks,
                *([self.spec.crisis.network] if self.spec.crisis else []),
            }
        )
        for network in networks:
            for _ in range(authors.per_network):
                handle = self._unique(
                    lambda: (
                        f"{self.rng.choice(first)}{self.rng.choice(('_', '.', ''))}"
                        f"{self.rng.choice(last)}{self.rng.randint(1, 99)}"
                    )
                )
                followers = int(self.rng.uniform(*authors.followers))
                self.world.add_account(
                    SandboxAccount(
                        network=network,
                        id=self.account_id(network, "public"),
                        handle=handle,
                        name=handle.replace("_", " ").replace(".", " ").title(),
                        role="public",
                        followers=followers,
                        following=self.rng.randint(50, 900),
                        created_at=self.start - timedelta(days=self.rng.randint(30, 3000)),
                        followers_per_day=round(self.rng.uniform(-0.2, 1.5), 2),
                        engagement_rate=round(self.rng.uniform(0.01, 0.08), 4),
                    )
                )

    # -- posts ---------------------------------------------------------------------------
    def _times(self, per_day: float, start: datetime, end: datetime) -> list[datetime]:
        """Daytime instants (8:00-22:00 UTC) at ``per_day`` on average between start and end."""
        times = []
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        while day < end:
            expected = per_day
            count = int(expected) + (1 if self.rng.random() < expected - int(expected) else 0)
            for _ in range(count):
                when = day + timedelta(seconds=self.rng.randint(8 * 3600, 22 * 3600))
                if start <= when < end:
                    times.append(when)
            day += timedelta(days=1)
        return sorted(times)

    def _text(self, templates: list[str], **values: str) -> str:
        brand = self.spec.brand
        fields = {
            "brand": brand.name,
            "product": self.rng.choice(brand.products),
            "hashtag": self.rng.choice(brand.hashtags) if brand.hashtags else "",
            "keyword": self.rng.choice(brand.keywords),
            "link": brand.website,
            **values,
        }
        return self.rng.choice(templates).format(**fields).strip()

    def _final_metrics(self, account: SandboxAccount, kind: str) -> dict[str, int]:
        profile = NETWORK_PROFILES[account.network]
        # Bought followers never see the posts: few views, and interactions that barely vary.
        spread = 0.05 if account.bought_followers else 0.6
        reach_factor = profile["reach"] * (0.08 if account.bought_followers else 1.0)
        seen = max(1, account.followers) * reach_factor * self.rng.lognormvariate(0, spread)
        interactions = seen * account.engagement_rate * self.rng.lognormvariate(0, spread / 2)
        metrics = {name: int(interactions * share) for name, share in profile["split"].items()}
        if account.network == "youtube":
            metrics["video_views"] = int(seen)
        elif account.network == "instagram":
            metrics["reach"] = int(seen)
            metrics["impressions"] = int(seen * 1.35)
            if kind == "reel":
                metrics["video_views"] = int(seen * 1.8)
        elif account.network == "facebook":
            metrics["reach"] = int(seen)
            metrics["impressions"] = int(seen * 1.5)
        else:
            metrics["impressions"] = int(seen)
        return metrics

    def _add_posts(self, account: SandboxAccount, per_week: float) -> None:
        lang_texts = _OWNED_TEXTS if account.role == "owned" else _OTHER_TEXTS
        for when in self._times(per_week / 7, self.start, self.now):
            lang = "fr" if self.rng.random() < 0.7 else "en"
            text = self._text(lang_texts[lang])
            kind, title, media = "post", None, []
            if account.network == "youtube":
                kind = "video"
                title = text.split(":")[0][:90]
                media = ["video.mp4"]
            elif account.network == "instagram":
                kind = self.rng.choice(("post", "reel", "carousel"))
                media = (
                    ["photo.jpg"]
                    if kind == "post"
                    else (["reel.mp4"] if kind == "reel" else ["a.jpg", "b.jpg"])
                )
            post = SandboxPost(
                network=account.network,
                id=self.post_id(account.network, account.id),
                account_id=account.id,
                text=text,
                created_at=when,
                kind=kind,
                title=title,
                link=self.spec.brand.website
                if "{link}" not in text and account.role == "owned" and self.rng.random() < 0.3
                else None,
                media=media,
                final=self._final_metrics(account, kind),
                half_life_hours=NETWORK_PROFILES[account.network]["half_life"],
                extra={"lang": lang},
            )
            self.world.add_post(post)

    # -- mentions ------------------------------------------------------------------------
    def _pick(self, weights: dict[str, float]) -> str:
        names = sorted(weights)
        return self.rng.choices(names, weights=[weights[n] for n in names])[0]

    def _authors(self, network: str) -> list[SandboxAccount]:
        return [
            a for a in self.world.accounts.values() if a.network == network and a.role == "public"
        ]

    def _owned_posts_before(self, network: str, when: datetime) -> list[SandboxPost]:
        owned = {
            a.id for a in self.world.accounts.values() if a.network == network and a.role == "owned"
        }
        return [
            p
            for p in self.world.posts.values()
            if p.network == network and p.account_id in owned and p.created_at < when
        ]

    def _mention(
        self, network: str, when: datetime, lang: str, tone: str, text: str, comment: bool
    ) -> None:
        author = self.rng.choice(self._authors(network))
        parent = None
        if comment:
            candidates = self._owned_posts_before(network, when)
            parent = self.rng.choice(candidates).id if candidates else None
        self.world.mentions.append(
            SandboxMention(
                network=network,
                id=self.mention_id(network, parent),
                author_id=author.id,
                author_handle=author.handle,
                text=text,
                lang=lang,
                tone=tone,
                created_at=when,
                in_reply_to=parent,
                likes=int(self.rng.expovariate(1 / 4)),
            )
        )

    def _add_mentions(self) -> None:
        spec = self.spec.mentions
        for when in self._times(spec.per_day, self.start, self.now):
            lang, tone = self._pick(spec.languages), self._pick(spec.tones)
            network = self._pick(spec.networks)
            comment = self.rng.random() < spec.comment_share
            self._mention(
                network, when, lang, tone, self._text(_MENTION_TEXTS[(lang, tone)]), comment
            )

    def _add_crisis(self, crisis: CrisisSpec) -> None:
        start = self.now - timedelta(hours=crisis.starts_hours_ago)
        span = crisis.duration_hours * 3600
        for _ in range(crisis.count):
            when = start + timedelta(seconds=self.rng.uniform(0, span))
            lang = self._pick(crisis.languages)
            comment = self.rng.random() < 0.3
            self._mention(
                crisis.network, when, lang, "negative", self._text(_CRISIS_TEXTS[lang]), comment
            )

    # -- ads and sheets ------------------------------------------------------------------
    def _add_campaigns(self) -> None:
        for campaign in self.spec.campaigns:
            day = max(campaign.start, self.start.date())
            last = min(campaign.end, self.now.date())
            while day <= last:
                spend = round(campaign.daily_spend * self.rng.uniform(0.8, 1.15), 2)
                impressions = int(spend / campaign.cpm * 1000)
                clicks = int(impressions * campaign.ctr * self.rng.uniform(0.8, 1.2))
                conversions = int(clicks * campaign.conversion_rate * self.rng.uniform(0.6, 1.4))
                revenue = round(
                    conversions * campaign.average_order * self.rng.uniform(0.85, 1.2), 2
                )
                self.world.campaigns.append(
                    {
                        "campaign_id": campaign.id,
                        "network": campaign.network,
                        "day": day.isoformat(),
                        "spend": spend,
                        "impressions": impressions,
                        "clicks": clicks,
                        "conversions": conversions,
                        "revenue": revenue,
                    }
                )
                day += timedelta(days=1)

    def _add_sheets(self) -> None:
        for spreadsheet_id, sheets in self.spec.sheets.items():
            self.world.sheets[spreadsheet_id] = {
                title: _sheet_rows(sheet) for title, sheet in sheets.items()
            }


def _viral_id(account: SandboxAccount) -> str:
    """A post id in the network's style, derived from the account (no random draw)."""
    digits = "".join(ch for ch in account.id if ch.isdigit()) or "7"
    if account.network == "x":
        return "19" + digits[-17:].rjust(17, "7")
    if account.network == "instagram":
        return "179" + digits[-14:].rjust(14, "7")
    if account.network == "youtube":
        return (account.id[-8:] + "vir").replace("-", "_")
    return f"urn:li:share:{digits[-19:].rjust(19, '7')}"


def _sheet_rows(sheet: SheetSpec) -> list[list[str]]:
    if isinstance(sheet, list):
        return [[str(cell) for cell in row] for row in sheet]
    spec = CsvSheet(csv=sheet) if isinstance(sheet, str) else sheet
    path = Path(spec.csv) if Path(spec.csv).is_absolute() else PROJECT_ROOT / spec.csv
    if not path.is_file():
        return [list(spec.header)]
    with path.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.reader(handle) if row]
