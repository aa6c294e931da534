"""One post belongs to one publication; a publication can be withdrawn while in doubt.

* ``publications``: unique (``network``, ``external_id``). Before this revision a
  reconciliation could record another entry's post as its own, so a warehouse may already
  hold one external id for several publications: the upgrade keeps it on the publication
  that attempted first (``last_attempt_at``, then ``id``) and puts the others back to
  ``unconfirmed`` without an external id, so that the next run reconciles them again (and
  publishes them, or reports them missed, if their own post is not found).
* ``publications.withdrawn``: why the calendar stopped asking for a publication while its
  last attempt was in doubt (``socialops.calendar.sync``).

Written beside 0002 (on another branch) and placed after it when both were merged, so the
migrations keep a single head.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_publications = sa.table(
    "publications",
    sa.column("id", sa.Integer()),
    sa.column("network", sa.String()),
    sa.column("external_id", sa.String()),
    sa.column("url", sa.String()),
    sa.column("state", sa.String()),
    sa.column("published_at", sa.DateTime(timezone=True)),
    sa.column("last_attempt_at", sa.DateTime(timezone=True)),
    sa.column("last_error", sa.Text()),
)


def _release_shared_external_ids() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_publications.c.id, _publications.c.network, _publications.c.external_id)
        .where(_publications.c.external_id.is_not(None))
        .order_by(
            _publications.c.network,
            _publications.c.external_id,
            _publications.c.last_attempt_at.is_(None),
            _publications.c.last_attempt_at,
            _publications.c.id,
        )
    ).all()
    owner: dict[tuple[str, str], int] = {}
    for publication_id, network, external_id in rows:
        kept = owner.setdefault((network, external_id), publication_id)
        if kept == publication_id:
            continue
        connection.execute(
            sa.update(_publications)
            .where(_publications.c.id == publication_id)
            .values(
                state="unconfirmed",
                external_id=None,
                url=None,
                published_at=None,
                last_error=(
                    f"post {external_id} is recorded for publication {kept}: "
                    "reconciled again by the next run"
                ),
            )
        )


def upgrade() -> None:
    _release_shared_external_ids()
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("withdrawn", sa.Text(), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_publications_network_external_id"), ["network", "external_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_constraint(op.f("uq_publications_network_external_id"), type_="unique")
        batch.drop_column("withdrawn")
