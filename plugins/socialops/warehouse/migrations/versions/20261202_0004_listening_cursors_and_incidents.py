"""Listening: the sources' cursors, the crisis incidents, and where each mention came from.

* ``listening_cursors``: per listening source, where it stopped reading (written in the
  transaction of the mentions it read).
* ``crisis_incidents``: one row per crisis alert (scope, start, severity, end).
* ``mentions.source`` (the listening source that read it), ``mentions.author_reach`` and
  ``mentions.needs_reply`` (a comment the brand has not answered).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listening_cursors",
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("position", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_listening_cursors")),
    )
    op.create_table(
        "crisis_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("severity", sa.String(), nullable=False),
        sa.Column("current", sa.String(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("events", sa.Integer(), server_default="0", nullable=False),
        sa.Column("paused_publication", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "severity IN ('warning', 'crisis')", name=op.f("ck_crisis_incidents_severity")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_incidents")),
        sa.UniqueConstraint(
            "scope", "started_at", name=op.f("uq_crisis_incidents_scope_started_at")
        ),
    )
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("source", sa.String(), nullable=True))
        batch.add_column(sa.Column("author_reach", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("needs_reply", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("needs_reply")
        batch.drop_column("author_reach")
        batch.drop_column("source")
    op.drop_table("crisis_incidents")
    op.drop_table("listening_cursors")
