"""The outbox loses nothing: a send in doubt is recorded, a message expires by age only.

* ``notification_outbox.attempted_at``: when the current attempt to deliver a message began.
  A row is ``sending`` from just before Slack is called until the answer is recorded, so a
  lost answer (or a crash between the call and the commit) leaves it ``sending``: the next
  delivery looks it up in the channel's history before posting it again.
* states ``sending`` and ``expired`` (too old to matter: ``slack.outbox_max_age``).
* Rows the former attempt cap gave up on (``failed``) are deliverable again: they go out in
  order if they are young enough, or expire and are reported once.

Written beside other branches' revisions; the integrator re-chains heads when merging.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = "state IN ('pending', 'sending', 'sent', 'failed', 'expired')"
_FORMER_STATES = "state IN ('pending', 'sent', 'failed')"

_outbox = sa.table("notification_outbox", sa.column("state", sa.String()))


def upgrade() -> None:
    with op.batch_alter_table("notification_outbox") as batch:
        batch.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint(op.f("ck_notification_outbox_state"), type_="check")
        batch.create_check_constraint(op.f("ck_notification_outbox_state"), _STATES)
    op.execute(sa.update(_outbox).where(_outbox.c.state == "failed").values(state="pending"))


def downgrade() -> None:
    # The former code knows neither state: in doubt is sent again, expired stays given up.
    op.execute(sa.update(_outbox).where(_outbox.c.state == "sending").values(state="pending"))
    op.execute(sa.update(_outbox).where(_outbox.c.state == "expired").values(state="failed"))
    with op.batch_alter_table("notification_outbox") as batch:
        batch.drop_constraint(op.f("ck_notification_outbox_state"), type_="check")
        batch.create_check_constraint(op.f("ck_notification_outbox_state"), _FORMER_STATES)
        batch.drop_column("attempted_at")
