"""The warehouse schema: SQLAlchemy 2 models, portable between SQLite and PostgreSQL.

Fact tables (posts, daily metrics, mentions, scores, snapshots) use natural primary keys
(network + the network's own id, + day for daily facts) so that a load is one bulk upsert
with no id look-ups, and rerunning a day rewrites nothing (see :mod:`.upsert`).

Conventions:

* Every timestamp is a :class:`~.column_types.UtcDateTime`: stored in UTC, read back tz-aware.
* A metric a network does not report is ``NULL``, never 0.
* Columns flagged ``info={"bookkeeping": True}`` (``extracted_at``, ``synced_at``, ...)
  record *when* we wrote a row; the upsert carries them along with a real change but a
  different stamp alone does not count as a change, so reruns stay no-ops.
* Enumerations are plain strings guarded by CHECK constraints; the allowed values are
  exported as tuples (``PUBLICATION_STATES``...) for code that needs them.

``docs/warehouse.md`` describes who writes and reads each table. Any change here needs a
new Alembic revision (``tests/warehouse/test_migrations.py`` fails when they drift).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from socialops.warehouse.column_types import JsonDocument, UtcDateTime

ACCOUNT_ROLES = ("owned", "competitor", "influencer")
CALENDAR_STATUSES = ("draft", "approved", "cancelled")
PUBLICATION_STATES = (
    "pending",  # planned, not tried yet
    "publishing",  # a run holds the lease and is calling the network
    "unconfirmed",  # the call's outcome is unknown: reconcile before any retry
    "published",
    "failed",  # retryable failure, will be tried again
    "rejected",  # the network refused the content: retrying will not help
    "missed",  # its slot passed without a successful publication
    "cancelled",
)
MENTION_KINDS = ("mention", "comment")
CRISIS_SEVERITIES = ("warning", "crisis")
SPEND_SOURCES = ("api", "csv")
ALERT_SEVERITIES = ("info", "warning", "critical")
ALERT_STATES = ("open", "acknowledged", "resolved")
#: ``sending``: Slack was called and its answer is not recorded yet (lost, or a crash):
#: looked up before it is sent again. ``failed``: Slack refused the message itself (a bug).
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "expired")

#: Marks columns that stamp when a row was written (see the module docstring).
BOOKKEEPING = {"bookkeeping": True}


class Base(DeclarativeBase):
    # Deterministic constraint names: Alembic needs them to alter or drop constraints
    # later, and SQLite batch migrations cannot address unnamed ones.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {
        str: String(),
        int: Integer(),
        float: Float(),
        date: Date(),
        datetime: UtcDateTime(),
        Decimal: Numeric(14, 2),
        dict[str, Any]: JsonDocument,
        list[str]: JsonDocument,
        bool: Boolean(),
    }


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


def _created_at() -> Mapped[datetime]:
    return mapped_column(server_default=func.now())


def _stamp(*, nullable: bool = False) -> Mapped[datetime]:
    """A bookkeeping timestamp, defaulting to the database's now() when not loaded."""
    if nullable:
        return mapped_column(nullable=True, info=BOOKKEEPING)
    return mapped_column(server_default=func.now(), info=BOOKKEEPING)


def _metric() -> Mapped[int | None]:
    return mapped_column(BigInteger)


#: Storage of the daily fact tables that a rerun rewrites in place (a night re-extracted
#: after the counters moved, the competitor posts re-read every day). PostgreSQL fills their
#: pages to half, so that each row's new version fits on its own page: the update is then
#: "heap-only" (HOT), writing no index entry, and rewriting every row of a load costs about a
#: third of what it costs on full pages (docs/performance.md, "Bulk load"). The price is
#: disk: these tables take up to twice the space of full pages. SQLite ignores it.
REWRITTEN_IN_PLACE: dict[str, Any] = {"postgresql_with": {"fillfactor": 50}}


class _AccountDayFact:
    """Key of the facts about one account on one day (the network's own account id)."""

    # sort_order puts the key first, as in the tables the migrations create.
    network: Mapped[str] = mapped_column(primary_key=True, sort_order=-1)
    account_id: Mapped[str] = mapped_column(primary_key=True, sort_order=-1)
    day: Mapped[date] = mapped_column(primary_key=True, sort_order=-1)


class Account(Base):
    """An account we own, watch (competitor) or consider (influencer), per network."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("network", "handle"), _one_of("role", ACCOUNT_ROLES))

    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str]
    handle: Mapped[str]
    external_id: Mapped[str | None]
    role: Mapped[str]
    owner_name: Mapped[str | None]  # the brand behind a competitor account
    display_name: Mapped[str | None]
    created_at: Mapped[datetime] = _created_at()


class Post(Base):
    """A post seen on a network (own posts; competitors' when they are tracked)."""

    __tablename__ = "posts"
    __table_args__ = (
        Index(None, "network", "account_id", "created_at"),
        Index(None, "entry_id"),
        Index(None, "campaign_id"),
    )

    network: Mapped[str] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(primary_key=True)
    account_id: Mapped[str]  # the network's id of the author account
    account_handle: Mapped[str | None]
    created_at: Mapped[datetime]
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None]
    kind: Mapped[str] = mapped_column(server_default="post")
    # Soft references (no foreign key): posts are loaded by extraction jobs that must not
    # depend on the calendar or campaign tables being loaded first.
    campaign_id: Mapped[str | None]
    entry_id: Mapped[str | None]
    first_seen_at: Mapped[datetime] = _stamp()


class PostMetricsDaily(Base):
    """One post's lifetime counters as read on one day (a daily snapshot, not a delta)."""

    __tablename__ = "post_metrics_daily"
    __table_args__ = (Index(None, "day"), REWRITTEN_IN_PLACE)

    network: Mapped[str] = mapped_column(primary_key=True)
    post_id: Mapped[str] = mapped_column(primary_key=True)  # posts.external_id
    day: Mapped[date] = mapped_column(primary_key=True)
    impressions: Mapped[int | None] = _metric()
    reach: Mapped[int | None] = _metric()
    likes: Mapped[int | None] = _metric()
    comments: Mapped[int | None] = _metric()
    shares: Mapped[int | None] = _metric()
    saves: Mapped[int | None] = _metric()
    video_views: Mapped[int | None] = _metric()
    link_clicks: Mapped[int | None] = _metric()
    extracted_at: Mapped[datetime] = _stamp()


class AccountMetricsDaily(_AccountDayFact, Base):
    """One account's audience counters on one day (owned and competitor accounts)."""

    __tablename__ = "account_metrics_daily"
    __table_args__ = (Index(None, "day"), REWRITTEN_IN_PLACE)

    account_handle: Mapped[str | None]
    followers: Mapped[int | None] = _metric()
    following: Mapped[int | None] = _metric()
    posts_count: Mapped[int | None] = _metric()
    impressions: Mapped[int | None] = _metric()
    reach: Mapped[int | None] = _metric()
    profile_views: Mapped[int | None] = _metric()
    extracted_at: Mapped[datetime] = _stamp()


class CalendarEntry(Base):
    """One row of the editorial calendar (CSV or sheet), as last synced."""

    __tablename__ = "calendar_entries"
    __table_args__ = (Index(None, "scheduled_at"), _one_of("status", CALENDAR_STATUSES))

    entry_id: Mapped[str] = mapped_column(primary_key=True)
    scheduled_at: Mapped[datetime]
    networks: Mapped[list[str]]
    account: Mapped[str | None]  # owned handle; None means the brand's default account
    text: Mapped[str] = mapped_column(Text)
    variants: Mapped[dict[str, Any] | None]  # network -> text replacing `text` there
    link: Mapped[str | None]
    media: Mapped[list[str] | None]
    title: Mapped[str | None]
    campaign: Mapped[str | None]
    tags: Mapped[list[str] | None]
    status: Mapped[str] = mapped_column(server_default="draft")
    approver: Mapped[str | None]
    content_hash: Mapped[str]  # detects edits of an entry after it was published
    source: Mapped[str | None]  # 'csv:<path>' or 'sheet:<id>'
    source_row: Mapped[int | None]  # 1-based row in the source, for error messages
    synced_at: Mapped[datetime] = _stamp()
    updated_at: Mapped[datetime] = _stamp()


class Publication(Base):
    """One calendar entry on one network: the unit of "publish exactly once".

    A run claims a publication by setting ``lease_owner``/``lease_until`` in a conditional
    UPDATE (only if unleased or expired), so two overlapping runs cannot both publish it.
    One post (``network``, ``external_id``) is recorded for at most one publication, so a
    reconciliation can never take another entry's post for its own.
    """

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("entry_id", "network"),
        UniqueConstraint("network", "external_id"),
        Index(None, "state"),
        _one_of("state", PUBLICATION_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("calendar_entries.entry_id"))
    network: Mapped[str]
    account: Mapped[str | None]
    idempotency_key: Mapped[str] = mapped_column(unique=True)
    state: Mapped[str] = mapped_column(server_default="pending")
    external_id: Mapped[str | None]
    url: Mapped[str | None]
    attempts: Mapped[int] = mapped_column(server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None]  # e.g. the run id and try number holding the claim
    lease_until: Mapped[datetime | None]
    #: Why the calendar stopped asking for this publication while it was in doubt
    #: (``publishing``/``unconfirmed``: the sync cannot cancel it); the ledger reconciles it,
    #: then records it as published (it is live) or settles it without a new attempt.
    withdrawn: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), onupdate=func.now(), info=BOOKKEEPING
    )


class Mention(Base):
    """A post naming the brand, or a comment on an own post, with its sentiment."""

    __tablename__ = "mentions"
    __table_args__ = (Index(None, "created_at"), _one_of("kind", MENTION_KINDS))

    network: Mapped[str] = mapped_column(primary_key=True)
    mention_id: Mapped[str] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(server_default="mention")
    author_id: Mapped[str | None]
    author_handle: Mapped[str | None]
    text: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None]
    sentiment: Mapped[float | None]  # -1 (negative) .. 1 (positive)
    sentiment_label: Mapped[str | None]
    created_at: Mapped[datetime]
    in_reply_to: Mapped[str | None]  # the own post commented on
    url: Mapped[str | None]
    likes: Mapped[int | None] = _metric()
    matched_query: Mapped[str | None]  # the keyword or hashtag that found it
    #: The listening source that read it (``x:search``, ``feed:<url>``...; docs/listening.md).
    source: Mapped[str | None]
    author_reach: Mapped[int | None] = _metric()  # the author's followers, when the API says
    #: A comment asking or complaining that the brand has not answered (None: not a comment).
    needs_reply: Mapped[bool | None]
    extracted_at: Mapped[datetime] = _stamp()


class ListeningCursor(Base):
    """Where a listening source stopped reading: written in the transaction of the mentions
    it read, so a rerun reads nothing twice and a crash before the commit loses nothing."""

    __tablename__ = "listening_cursors"

    source: Mapped[str] = mapped_column(primary_key=True)
    position: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class CrisisIncident(Base):
    """A crisis alert: one row per incident of a scope (``brand`` or a network), announced
    once and updated as it escalates, calms down and ends (docs/listening.md)."""

    __tablename__ = "crisis_incidents"
    __table_args__ = (
        UniqueConstraint("scope", "started_at"),
        _one_of("severity", CRISIS_SEVERITIES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str]
    started_at: Mapped[datetime]
    severity: Mapped[str]  # the highest reached
    current: Mapped[str | None]  # the severity now; None once cleared
    ended_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text)
    events: Mapped[int] = mapped_column(server_default="0")  # events announced so far
    paused_publication: Mapped[bool] = mapped_column(server_default=false())
    updated_at: Mapped[datetime]


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    network: Mapped[str | None]  # None for a cross-network campaign
    budget: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]


class CampaignSpendDaily(Base):
    """Paid results of one campaign on one day (no foreign key: spend files may arrive
    before the campaign is declared)."""

    __tablename__ = "campaign_spend_daily"
    __table_args__ = (_one_of("source", SPEND_SOURCES),)

    campaign_id: Mapped[str] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    spend: Mapped[Decimal | None]
    impressions: Mapped[int | None] = _metric()
    clicks: Mapped[int | None] = _metric()
    conversions: Mapped[int | None] = _metric()
    revenue: Mapped[Decimal | None]
    source: Mapped[str]
    extracted_at: Mapped[datetime] = _stamp()


class Alert(Base):
    """A detected condition, deduplicated by fingerprint so it is announced once."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(None, "state"),
        _one_of("severity", ALERT_SEVERITIES),
        _one_of("state", ALERT_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(unique=True)
    kind: Mapped[str]
    severity: Mapped[str]
    state: Mapped[str] = mapped_column(server_default="open")
    title: Mapped[str]
    details: Mapped[dict[str, Any] | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_sent_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    occurrences: Mapped[int] = mapped_column(server_default="1")


class NotificationOutbox(Base):
    """Messages to send to Slack, written in the same transaction as what caused them and
    delivered (at most once per ``dedup_key``) by a separate task."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        Index(None, "state"),
        Index(None, "updates_key"),
        _one_of("state", OUTBOX_STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(unique=True)
    channel: Mapped[str]
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonDocument)
    state: Mapped[str] = mapped_column(server_default="pending")
    attempts: Mapped[int] = mapped_column(server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    sent_at: Mapped[datetime | None]
    #: When the attempt in doubt began (state ``sending``): the history is searched from there.
    attempted_at: Mapped[datetime | None]
    slack_ts: Mapped[str | None]  # Slack's message id, to thread or update it
    #: The key of the Slack message this row is a version of: the first row delivered with
    #: a key posts the message, later ones edit it (chat.update). None: a message of its own.
    updates_key: Mapped[str | None]
    #: The key (``updates_key`` or ``dedup_key``) of the Slack message this row replies to,
    #: in its thread. None: a message in the channel itself.
    thread_key: Mapped[str | None]


class InfluencerScore(_AccountDayFact, Base):
    """A candidate influencer's score on one day, with the parts that explain it."""

    __tablename__ = "influencer_scores"
    __table_args__ = (Index(None, "day"),)

    handle: Mapped[str | None]
    score: Mapped[float]
    components: Mapped[dict[str, Any] | None]
    followers: Mapped[int | None] = _metric()
    engagement_rate: Mapped[float | None]
    flags: Mapped[list[str] | None]
    computed_at: Mapped[datetime] = _stamp()


class CompetitorSnapshot(_AccountDayFact, Base):
    """A competitor account's public figures on one day."""

    __tablename__ = "competitor_snapshots"
    __table_args__ = (Index(None, "day"), REWRITTEN_IN_PLACE)

    handle: Mapped[str | None]
    owner_name: Mapped[str | None]
    followers: Mapped[int | None] = _metric()
    posts_count: Mapped[int | None] = _metric()
    posts_in_window: Mapped[int | None]
    avg_engagement: Mapped[float | None]
    extracted_at: Mapped[datetime] = _stamp()


class ReportUpload(Base):
    """A weekly report's files uploaded to Slack, in the thread of the week's summary: one
    row per version of the report (``content``, a hash of its HTML), so a rerun that changed
    nothing uploads nothing and one that changed the report uploads the new files once.

    The row is written before the upload (``attempted_at``) and completed after it
    (``file_ids``, ``uploaded_at``): a row without ``uploaded_at`` is an upload in doubt,
    looked for in the thread before it is made again."""

    __tablename__ = "report_uploads"

    week: Mapped[str] = mapped_column(primary_key=True)  # ISO week, 2026-W47
    content: Mapped[str] = mapped_column(primary_key=True)
    channel: Mapped[str]
    thread_ts: Mapped[str | None]
    file_ids: Mapped[list[str] | None]
    attempted_at: Mapped[datetime | None]  # written before Slack is called
    uploaded_at: Mapped[datetime | None]  # NULL while the upload is in doubt


class CompetitorPost(Base):
    """A competitor's post with its public engagement as last read (one row per post)."""

    __tablename__ = "competitor_posts"
    __table_args__ = (Index(None, "network", "account_id", "created_at"), REWRITTEN_IN_PLACE)

    network: Mapped[str] = mapped_column(primary_key=True)
    post_id: Mapped[str] = mapped_column(primary_key=True)
    account_id: Mapped[str]
    handle: Mapped[str | None]
    owner_name: Mapped[str | None]
    created_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(server_default="post")
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None]
    likes: Mapped[int | None] = _metric()
    comments: Mapped[int | None] = _metric()
    shares: Mapped[int | None] = _metric()
    views: Mapped[int | None] = _metric()
    read_on: Mapped[date]  # the day of the run that last read the counters
    extracted_at: Mapped[datetime] = _stamp()


class UnreadableAccount(Base):
    """An account the watch or the scoring cannot read, why, and when it is tried again.

    The reason is announced once (when the row is written); the account is skipped until
    ``retry_on``, then looked up again (and the row removed when it is readable).
    """

    __tablename__ = "unreadable_accounts"

    purpose: Mapped[str] = mapped_column(primary_key=True)  # competitor or influencer
    network: Mapped[str] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    since: Mapped[date]
    retry_on: Mapped[date]
