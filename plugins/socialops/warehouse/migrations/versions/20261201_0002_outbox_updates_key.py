"""The outbox can edit a message it sent: ``notification_outbox.updates_key``.

A row with an ``updates_key`` is a new version of the Slack message of that key: the first
one delivered posts it, the later ones edit it with ``chat.update``
(``socialops.notifications.outbox``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notification_outbox", sa.Column("updates_key", sa.String(), nullable=True))
    op.create_index(
        op.f("ix_notification_outbox_updates_key"), "notification_outbox", ["updates_key"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notification_outbox_updates_key"), table_name="notification_outbox")
    op.drop_column("notification_outbox", "updates_key")
