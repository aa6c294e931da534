"""Initial warehouse schema: every table of socialops.warehouse.models.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 09:22:04.238558
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

#: JSON documents are JSONB on PostgreSQL so they can be compared (see
#: socialops.warehouse.column_types).
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_metrics_daily",
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("account_handle", sa.String(), nullable=True),
        sa.Column("followers", sa.BigInteger(), nullable=True),
        sa.Column("following", sa.BigInteger(), nullable=True),
        sa.Column("posts_count", sa.BigInteger(), nullable=True),
        sa.Column("impressions", sa.BigInteger(), nullable=True),
        sa.Column("reach", sa.BigInteger(), nullable=True),
        sa.Column("profile_views", sa.BigInteger(), nullable=True),
        sa.Column(
            "extracted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "network", "account_id", "day", name=op.f("pk_account_metrics_daily")
        ),
    )
    op.create_index(op.f("ix_account_metrics_daily_day"), "account_metrics_daily", ["day"])

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("handle", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("owner_name", sa.String(), nullable=True),
        sa.Column("display_name", sa.String(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "role IN ('owned', 'competitor', 'influencer')", name=op.f("ck_accounts_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("network", "handle", name=op.f("uq_accounts_network_handle")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("state", sa.String(), server_default="open", nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("details", JSON_DOCUMENT, nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("occurrences", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "severity IN ('info', 'warning', 'critical')", name=op.f("ck_alerts_severity")
        ),
        sa.CheckConstraint(
            "state IN ('open', 'acknowledged', 'resolved')", name=op.f("ck_alerts_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_alerts_fingerprint")),
    )
    op.create_index(op.f("ix_alerts_state"), "alerts", ["state"])

    op.create_table(
        "calendar_entries",
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("networks", JSON_DOCUMENT, nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("variants", JSON_DOCUMENT, nullable=True),
        sa.Column("link", sa.String(), nullable=True),
        sa.Column("media", JSON_DOCUMENT, nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("campaign", sa.String(), nullable=True),
        sa.Column("tags", JSON_DOCUMENT, nullable=True),
        sa.Column("status", sa.String(), server_default="draft", nullable=False),
        sa.Column("approver", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column(
            "synced_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'cancelled')", name=op.f("ck_calendar_entries_status")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_calendar_entries")),
    )
    op.create_index(op.f("ix_calendar_entries_scheduled_at"), "calendar_entries", ["scheduled_at"])

    op.create_table(
        "campaign_spend_daily",
        sa.Column("campaign_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("spend", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("impressions", sa.BigInteger(), nullable=True),
        sa.Column("clicks", sa.BigInteger(), nullable=True),
        sa.Column("conversions", sa.BigInteger(), nullable=True),
        sa.Column("revenue", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column(
            "extracted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("source IN ('api', 'csv')", name=op.f("ck_campaign_spend_daily_source")),
        sa.PrimaryKeyConstraint("campaign_id", "day", name=op.f("pk_campaign_spend_daily")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("network", sa.String(), nullable=True),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "competitor_snapshots",
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("handle", sa.String(), nullable=True),
        sa.Column("owner_name", sa.String(), nullable=True),
        sa.Column("followers", sa.BigInteger(), nullable=True),
        sa.Column("posts_count", sa.BigInteger(), nullable=True),
        sa.Column("posts_in_window", sa.Integer(), nullable=True),
        sa.Column("avg_engagement", sa.Float(), nullable=True),
        sa.Column(
            "extracted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "network", "account_id", "day", name=op.f("pk_competitor_snapshots")
        ),
    )
    op.create_index(op.f("ix_competitor_snapshots_day"), "competitor_snapshots", ["day"])

    op.create_table(
        "influencer_scores",
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("handle", sa.String(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("components", JSON_DOCUMENT, nullable=True),
        sa.Column("followers", sa.BigInteger(), nullable=True),
        sa.Column("engagement_rate", sa.Float(), nullable=True),
        sa.Column("flags", JSON_DOCUMENT, nullable=True),
        sa.Column(
            "computed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("network", "account_id", "day", name=op.f("pk_influencer_scores")),
    )
    op.create_index(op.f("ix_influencer_scores_day"), "influencer_scores", ["day"])

    op.create_table(
        "mentions",
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("mention_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), server_default="mention", nullable=False),
        sa.Column("author_id", sa.String(), nullable=True),
        sa.Column("author_handle", sa.String(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(), nullable=True),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column("sentiment_label", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("in_reply_to", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("matched_query", sa.String(), nullable=True),
        sa.Column(
            "extracted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("kind IN ('mention', 'comment')", name=op.f("ck_mentions_kind")),
        sa.PrimaryKeyConstraint("network", "mention_id", name=op.f("pk_mentions")),
    )
    op.create_index(op.f("ix_mentions_created_at"), "mentions", ["created_at"])

    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", JSON_DOCUMENT, nullable=True),
        sa.Column("state", sa.String(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slack_ts", sa.String(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sent', 'failed')", name=op.f("ck_notification_outbox_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_notification_outbox_dedup_key")),
    )
    op.create_index(op.f("ix_notification_outbox_state"), "notification_outbox", ["state"])

    op.create_table(
        "post_metrics_daily",
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("post_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("impressions", sa.BigInteger(), nullable=True),
        sa.Column("reach", sa.BigInteger(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("comments", sa.BigInteger(), nullable=True),
        sa.Column("shares", sa.BigInteger(), nullable=True),
        sa.Column("saves", sa.BigInteger(), nullable=True),
        sa.Column("video_views", sa.BigInteger(), nullable=True),
        sa.Column("link_clicks", sa.BigInteger(), nullable=True),
        sa.Column(
            "extracted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("network", "post_id", "day", name=op.f("pk_post_metrics_daily")),
    )
    op.create_index(op.f("ix_post_metrics_daily_day"), "post_metrics_daily", ["day"])

    op.create_table(
        "posts",
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("account_handle", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), server_default="post", nullable=False),
        sa.Column("campaign_id", sa.String(), nullable=True),
        sa.Column("entry_id", sa.String(), nullable=True),
        sa.Column(
            "first_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("network", "external_id", name=op.f("pk_posts")),
    )
    op.create_index(op.f("ix_posts_campaign_id"), "posts", ["campaign_id"])
    op.create_index(op.f("ix_posts_entry_id"), "posts", ["entry_id"])
    op.create_index(
        op.f("ix_posts_network_account_id_created_at"),
        "posts",
        ["network", "account_id", "created_at"],
    )

    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=True),
        sa.Column("idempotency_key", sa.String(), nullable=False),
        sa.Column("state", sa.String(), server_default="pending", nullable=False),
        sa.Column("external_id", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'publishing', 'unconfirmed', 'published', 'failed', "
            "'rejected', 'missed', 'cancelled')",
            name=op.f("ck_publications_state"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["calendar_entries.entry_id"],
            name=op.f("fk_publications_entry_id_calendar_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("entry_id", "network", name=op.f("uq_publications_entry_id_network")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_publications_idempotency_key")),
    )
    op.create_index(op.f("ix_publications_state"), "publications", ["state"])


def downgrade() -> None:
    # Indexes and constraints go with their tables; children before parents.
    op.drop_table("publications")
    op.drop_table("posts")
    op.drop_table("post_metrics_daily")
    op.drop_table("notification_outbox")
    op.drop_table("mentions")
    op.drop_table("influencer_scores")
    op.drop_table("competitor_snapshots")
    op.drop_table("campaigns")
    op.drop_table("campaign_spend_daily")
    op.drop_table("calendar_entries")
    op.drop_table("alerts")
    op.drop_table("accounts")
    op.drop_table("account_metrics_daily")
