"""The shape of ``socialops.yaml``. Every field is documented in ``docs/configuration.md``.

Unknown keys are refused (``extra="forbid"``) so that a typo fails loudly instead of being
ignored; names of networks, time zones, locales and channels are checked on load.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from socialops.config.defaults import (
    COMPETITOR_WATCH_SCHEDULE,
    DIGEST_TIME,
    INFLUENCER_SCORING_SCHEDULE,
    LISTENING_SCHEDULE,
    METRICS_SCHEDULE,
    OUTBOX_MAX_AGE,
    PUBLICATION_SCHEDULE,
    TIMEZONE,
    WEEKLY_SCHEDULE,
)
from socialops.config.rules import (
    clock_time_problem,
    queues_problem,
    schedule_problem,
    timezone_problem,
)
from socialops.networks.registry import NETWORKS, SPECS


def _known_network(value: str) -> str:
    if value not in NETWORKS:
        raise ValueError(f"got {value!r}; expected one of {', '.join(NETWORKS)}")
    return value


#: A network name of the registry (socialops.networks.registry): the one list of networks.
Network = Annotated[str, AfterValidator(_known_network)]


def _check_cron(value: str) -> str:
    problem = schedule_problem(value)
    if problem:
        raise ValueError(problem)
    return value


CronExpression = Annotated[str, AfterValidator(_check_cron)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Brand(_Strict):
    name: str = Field(min_length=1)
    timezone: str = TIMEZONE
    locale: Literal["fr", "en"] = "en"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        problem = timezone_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class Account(_Strict):
    """An account on one network. ``handle`` is the public name, ``id`` the network's id."""

    network: Network
    handle: str = Field(min_length=1)
    id: str | None = None
    conn_id: str | None = Field(
        default=None, description="Airflow connection; default is '<network>_default'"
    )

    @property
    def key(self) -> str:
        return f"{self.network}:{self.handle}"


class Competitor(_Strict):
    name: str = Field(min_length=1)
    accounts: list[Account] = Field(min_length=1)
    #: Words that name the competitor in mentions, for the share of voice (default: its name).
    keywords: list[str] = []

    @property
    def voice_keywords(self) -> list[str]:
        return self.keywords or [self.name]


class CompetitorMoves(_Strict):
    """When a competitor's move is worth a message (docs/competitors.md, "Moves")."""

    viral_factor: float = Field(default=3.0, ge=1)
    viral_min_engagements: int = Field(default=50, ge=0)
    min_history_posts: int = Field(default=5, ge=1)
    follower_jump_pct: float = Field(default=5.0, gt=0)
    follower_jump_min: int = Field(default=200, ge=0)
    burst_factor: float = Field(default=2.0, ge=1)
    burst_min_posts: int = Field(default=5, ge=1)


class CompetitorWatch(_Strict):
    schedule: CronExpression = COMPETITOR_WATCH_SCHEDULE
    window_days: int = Field(default=28, ge=7, le=90)
    retry_unreadable_days: int = Field(default=7, ge=1)
    moves: CompetitorMoves = CompetitorMoves()


class Influencers(_Strict):
    schedule: CronExpression = INFLUENCER_SCORING_SCHEDULE
    discovery_weeks: int = Field(default=4, ge=1, le=12)
    reach_floor: int = Field(default=1000, ge=0)
    posts_days: int = Field(default=30, ge=7, le=90)
    shortlist_size: int = Field(default=10, ge=1, le=50)
    #: ``network:handle`` of accounts never to score (a person said no).
    excluded: list[str] = []


class SlackChannels(_Strict):
    digest: str
    alerts: str
    reports: str
    #: Optional: engineer details (raw errors, run ids, Airflow commands) also go there.
    ops: str | None = None

    @field_validator("digest", "alerts", "reports", "ops")
    @classmethod
    def _channel_name(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not re.fullmatch(r"#[a-z0-9_\-]{1,80}|[CG][A-Z0-9]{6,}", value):
            raise ValueError(
                f"{value!r} is not a Slack channel; write '#channel-name' or a channel id "
                "like 'C0123ABC'"
            )
        return value


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d)\s*$")
_DURATION_UNITS = {"s": "seconds", "min": "minutes", "h": "hours", "d": "days"}


def _parse_duration(value: object) -> object:
    """``"30min"``, ``"2h"``, ``"1d"``, ``"90s"`` (or a timedelta, or ISO 8601 ``"PT2H"``)."""
    if isinstance(value, bool) or isinstance(value, int | float):
        raise ValueError(f"{value!r} has no unit; write a duration such as '30min', '2h' or '1d'")
    if isinstance(value, str) and not value.strip().upper().startswith("P"):
        match = _DURATION.match(value)
        if not match:
            raise ValueError(
                f"{value!r} is not a duration; write a number and a unit (s, min, h, d) "
                "such as '30min', '2h' or '1d'"
            )
        return timedelta(**{_DURATION_UNITS[match.group(2)]: float(match.group(1))})
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]


class Listening(_Strict):
    """What ``listen_mentions`` reads (docs/listening.md)."""

    keywords: list[str] = []
    hashtags: list[str] = []
    languages: list[Literal["fr", "en"]] = ["fr", "en"]
    schedule: CronExpression = LISTENING_SCHEDULE
    #: RSS/Atom feed URLs (news, blogs, Google Alerts), matched against the keywords.
    feeds: list[str] = []
    #: YouTube keyword searches per day (each costs 100 of the 10,000 daily quota units).
    youtube_search_per_day: int = Field(default=20, ge=0, le=100)
    #: How far back a source reads on its first run (then it follows its cursor).
    first_lookback: Duration = timedelta(days=1)
    #: Own posts younger than this have their comments read.
    comments_on_posts_of_last: Duration = timedelta(days=7)

    @field_validator("hashtags")
    @classmethod
    def _hashtag(cls, value: list[str]) -> list[str]:
        bad = [tag for tag in value if not re.fullmatch(r"#?\w+", tag)]
        if bad:
            raise ValueError(f"hashtags are one word, like '#maisonlumiere'; got {bad}")
        return value

    @field_validator("feeds")
    @classmethod
    def _feed_url(cls, value: list[str]) -> list[str]:
        bad = [url for url in value if not re.match(r"https?://", url)]
        if bad:
            raise ValueError(f"feeds are http(s) URLs; got {bad}")
        return value


class Slack(_Strict):
    conn_id: str = "slack_default"
    channels: SlackChannels
    #: A message Slack could not take for this long is dropped as too old to matter
    #: (state ``expired``, reported once); until then it waits in the outbox, in order.
    outbox_max_age: Duration = OUTBOX_MAX_AGE

    @field_validator("outbox_max_age")
    @classmethod
    def _positive_age(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration such as '2d' or '12h'")
        return value


class CrisisThresholds(_Strict):
    """The crisis detector (``docs/crisis.md``). ``negative_mentions_per_hour`` and
    ``negative_share`` (the first model's thresholds) keep their place: they now make a
    rise of the negative share a crisis rather than a warning."""

    sensitivity: Literal["low", "medium", "high"] = "medium"
    min_mentions: int = Field(default=10, gt=0)
    cooldown: Duration = timedelta(hours=2)
    clear_after: Duration = timedelta(hours=1)
    negative_share_rise: float = Field(default=0.15, gt=0, lt=1)
    negative_share: float = Field(default=0.4, gt=0, le=1)
    negative_mentions_per_hour: int = Field(default=20, gt=0)
    pause_publication: bool = True

    @field_validator("cooldown", "clear_after")
    @classmethod
    def _bounded(cls, value: timedelta, info) -> timedelta:
        low = timedelta(0) if info.field_name == "cooldown" else timedelta(minutes=1)
        if not low <= value <= timedelta(days=7):
            raise ValueError(
                f"must be between {'0' if low == timedelta(0) else '1min'} and 7d, got {value}"
            )
        return value


class DataQualityThresholds(_Strict):
    follower_change_pct: float = Field(default=20.0, gt=0)


class Thresholds(_Strict):
    crisis: CrisisThresholds = CrisisThresholds()
    data_quality: DataQualityThresholds = DataQualityThresholds()


class CalendarSource(_Strict):
    source: Literal["csv", "google_sheets"] = "csv"
    path: str | None = "include/calendar/calendar.csv"
    spreadsheet_id: str | None = None
    range: str = "Calendar!A1:Z"
    conn_id: str = "google_sheets_default"

    @model_validator(mode="after")
    def _source_has_its_fields(self) -> CalendarSource:
        if self.source == "csv" and not self.path:
            raise ValueError("a csv calendar needs 'path'")
        if self.source == "google_sheets" and not self.spreadsheet_id:
            raise ValueError("a google_sheets calendar needs 'spreadsheet_id'")
        return self


class Publication(_Strict):
    schedule: CronExpression = PUBLICATION_SCHEDULE
    grace_minutes: int = Field(default=120, gt=0)
    paused: bool = False
    vanished_rows_hold_pct: float = Field(
        default=50,
        gt=0,
        le=100,
        description="hold the sync when more than this % of the planned calendar rows vanish "
        "at once (100: never hold)",
    )
    chunk_size: int = Field(
        default=25,
        ge=1,
        le=500,
        description="due publications of one connection published by one mapped task, "
        "with one adapter",
    )
    calendar: CalendarSource = CalendarSource()
    pools: dict[Network, Annotated[int, Field(ge=1)]] = Field(
        default_factory=lambda: {n: 2 for n in NETWORKS},
        description="Airflow pool slots per network",
    )


class Metrics(_Strict):
    schedule: CronExpression = METRICS_SCHEDULE
    lookback_days: dict[Network, int] = Field(
        default_factory=lambda: {name: spec.lookback_days for name, spec in SPECS.items()}
    )
    campaigns_csv: str | None = "include/calendar/campaign_spend.csv"

    @field_validator("lookback_days")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        for network, days in value.items():
            if days < 1:
                raise ValueError(f"lookback for {network} must be at least 1 day, got {days}")
        return value


class Campaign(_Strict):
    id: str = Field(min_length=1)
    name: str
    network: Network
    budget: float = Field(ge=0)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.end < self.start:
            raise ValueError(f"campaign {self.id}: end {self.end} is before start {self.start}")
        return self


class Objectives(_Strict):
    """Weekly targets the report compares the KPIs against."""

    follower_growth_pct: float | None = None
    engagement_rate_pct: float | None = None
    posts_per_week: int | None = None
    roas: float | None = None


def _check_clock_time(value: str) -> str:
    problem = clock_time_problem(value)
    if problem:
        raise ValueError(problem)
    return value.strip()


class Reports(_Strict):
    """The morning digest and the weekly report (docs/reports.md)."""

    digest_time: Annotated[str, AfterValidator(_check_clock_time)] = Field(
        default=DIGEST_TIME,
        description="brand-local HH:MM before which the morning digest is not sent",
    )
    weekly_schedule: CronExpression = Field(
        default=WEEKLY_SCHEDULE, description="when the weekly report of the past ISO week runs"
    )
    directory: str | None = Field(
        default=None,
        description="where weekly reports are stored: a folder (relative to the project), "
        "an Airflow ObjectStoragePath URL such as s3://conn_id@bucket/reports, or None for "
        "<data dir>/reports",
    )
    history_weeks: int = Field(
        default=12, ge=2, le=52, description="weeks shown in the report's trend charts"
    )
    formats: list[Literal["html", "pdf"]] = Field(
        default_factory=lambda: ["html", "pdf"], min_length=1
    )


class Deployment(_Strict):
    """How the tasks spread over Celery workers (docs/deployment.md)."""

    queues: bool | dict[Network, str] = Field(
        default=False,
        description="false: every task on Airflow's default queue; true: each network's "
        "tasks on the Celery queue socialops_<network>; a mapping network -> queue: those "
        "networks on their queue, the others on the default queue",
    )

    @field_validator("queues", mode="before")
    @classmethod
    def _switch_or_queue_per_network(cls, value: object) -> object:
        problem = queues_problem(value, NETWORKS)
        if problem:
            raise ValueError(problem)
        return value


class BrandConfig(_Strict):
    brand: Brand
    accounts: list[Account] = Field(min_length=1)
    competitors: list[Competitor] = []
    competitor_watch: CompetitorWatch = CompetitorWatch()
    influencer_candidates: list[Account] = []
    influencers: Influencers = Influencers()
    listening: Listening = Listening()
    slack: Slack
    thresholds: Thresholds = Thresholds()
    publication: Publication = Publication()
    metrics: Metrics = Metrics()
    campaigns: list[Campaign] = []
    objectives: Objectives = Objectives()
    reports: Reports = Reports()
    deployment: Deployment = Deployment()

    @model_validator(mode="after")
    def _unique_accounts(self) -> BrandConfig:
        seen: set[str] = set()
        for account in self.accounts:
            if account.key in seen:
                raise ValueError(f"account {account.key} is listed twice under 'accounts'")
            seen.add(account.key)
        ids = [c.id for c in self.campaigns]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"campaign ids must be unique; repeated: {', '.join(duplicates)}")
        return self

    def owned(self, network: str | None = None) -> list[Account]:
        return [a for a in self.accounts if network is None or a.network == network]

    def account(self, network: str, handle: str) -> Account:
        for account in self.accounts:
            if account.network == network and account.handle == handle:
                return account
        known = ", ".join(a.key for a in self.accounts)
        raise KeyError(f"no owned account {network}:{handle} in the configuration (known: {known})")

    @property
    def networks(self) -> list[str]:
        return [n for n in NETWORKS if any(a.network == n for a in self.accounts)]
