"""Room for rewrites in place: the daily fact tables are filled to half on PostgreSQL.

A rerun of a night whose counters moved rewrites every row it loaded, and the competitor
watch rewrites its posts' counters every day. With ``fillfactor = 50`` each row's new version
fits on its own page, so PostgreSQL updates it "heap-only" (HOT): no new index entry, and a
load whose every row changed costs about a third of what it costs on full pages
(``socialops.warehouse.models.REWRITTEN_IN_PLACE``, docs/performance.md).

The setting applies to the pages written from now on; the pages already there keep their
layout until the table is rewritten (``VACUUM FULL``, which locks the table while it runs).
SQLite has no fillfactor: nothing changes there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("post_metrics_daily", "account_metrics_daily", "competitor_snapshots", "competitor_posts")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE "{table}" SET (fillfactor = 50)')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE "{table}" RESET (fillfactor)')
