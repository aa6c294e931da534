"""A weekly report's upload is recorded before Slack is called: ``report_uploads.attempted_at``.

A row with ``attempted_at`` and no ``uploaded_at`` is an upload in doubt (the task crashed or
lost Slack's answer): the next run looks for its files in the summary's thread before it
uploads them again (``socialops.reports.weekly.upload``).

Downgrading drops the uploads still in doubt: the earlier code then uploads them again
(at least once) rather than take them for done.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_uploads") as batch:
        batch.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("uploaded_at", existing_type=sa.DateTime(timezone=True), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM report_uploads WHERE uploaded_at IS NULL")
    with op.batch_alter_table("report_uploads") as batch:
        batch.alter_column("uploaded_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.drop_column("attempted_at")
