"""Competitor watch and influencer scoring: ``competitor_posts`` and ``unreadable_accounts``.

* ``competitor_posts``: a competitor's posts with their public engagement, one row per
  post, rewritten only when a counter changed (``socialops.competitors.store``).
* ``unreadable_accounts``: the competitor or candidate accounts a network does not show
  (private, not a business account, deleted, no API), the reason, and the day they are
  looked up again, so that the reason is announced once and not retried daily.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "competitor_posts",
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("post_id", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("handle", sa.String(), nullable=True),
        sa.Column("owner_name", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(), server_default="post", nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("likes", sa.BigInteger(), nullable=True),
        sa.Column("comments", sa.BigInteger(), nullable=True),
        sa.Column("shares", sa.BigInteger(), nullable=True),
        sa.Column("views", sa.BigInteger(), nullable=True),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column(
            "extracted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("network", "post_id", name=op.f("pk_competitor_posts")),
    )
    op.create_index(
        op.f("ix_competitor_posts_network_account_id_created_at"),
        "competitor_posts",
        ["network", "account_id", "created_at"],
    )
    op.create_table(
        "unreadable_accounts",
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("network", sa.String(), nullable=False),
        sa.Column("handle", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("retry_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(
            "purpose", "network", "handle", name=op.f("pk_unreadable_accounts")
        ),
    )


def downgrade() -> None:
    op.drop_table("unreadable_accounts")
    op.drop_index(
        op.f("ix_competitor_posts_network_account_id_created_at"), table_name="competitor_posts"
    )
    op.drop_table("competitor_posts")
