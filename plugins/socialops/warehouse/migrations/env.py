"""Alembic environment for the socialops warehouse.

Called programmatically by :func:`socialops.warehouse.engine.ensure_schema` (which passes
an open connection in ``config.attributes["connection"]``) or from the command line::

    alembic -c plugins/socialops/warehouse/alembic.ini upgrade head
    alembic -c plugins/socialops/warehouse/alembic.ini -x url=sqlite:////tmp/w.db current

Without ``-x url=...`` the database is resolved like ``get_engine()``.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from socialops.warehouse.engine import (
    MIGRATION_LOCK_ID,
    create_warehouse_engine,
    get_engine,
    lock_transaction,
)
from socialops.warehouse.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

CONFIGURE_OPTIONS = {
    "target_metadata": Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    "render_as_batch": True,
    "compare_type": True,
}


def _url_option() -> str | None:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )


def run_offline() -> None:
    url = _url_option() or get_engine().url
    context.configure(url=url, literal_binds=True, **CONFIGURE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    # Concurrent upgrades of one database: the second waits, then finds the schema current.
    lock_transaction(connection, MIGRATION_LOCK_ID)
    context.configure(connection=connection, **CONFIGURE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    url = _url_option()
    engine = create_warehouse_engine(url) if url else get_engine()
    with engine.begin() as connection:
        _run_on(connection)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
