"""The weekly reports' files uploaded to Slack: ``report_uploads``.

One row per version of a week's report (``content``: a hash of its HTML) whose files went to
the reports channel, in the thread of the week's summary (``socialops.reports.weekly``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSONB on PostgreSQL, JSON text on SQLite: as socialops.warehouse.column_types.JsonDocument.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "report_uploads",
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("thread_ts", sa.String(), nullable=True),
        sa.Column("file_ids", JSON_DOCUMENT, nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("week", "content", name=op.f("pk_report_uploads")),
    )


def downgrade() -> None:
    op.drop_table("report_uploads")
