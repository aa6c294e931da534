"""The outbox can reply in a message's thread: ``notification_outbox.thread_key``.

A row with a ``thread_key`` is posted as a reply in the thread of the Slack message of that
key (its ``updates_key`` or ``dedup_key``): a crisis alert's escalation, de-escalation and
all-clear (``socialops.notifications.outbox``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notification_outbox", sa.Column("thread_key", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("notification_outbox", "thread_key")
