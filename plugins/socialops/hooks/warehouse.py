"""The warehouse hook: which database the warehouse is, from an Airflow connection.

Resolution order of :func:`warehouse_engine` (first match wins):

1. ``SOCIALOPS_WAREHOUSE_URL`` (see :mod:`socialops.warehouse.engine`): it wins over the
   Airflow connection on purpose, since tests and benchmarks set it and must never write to
   a warehouse configured for real in the same environment.
2. The Airflow connection ``socialops_warehouse`` (``postgres`` or ``sqlite`` type), looked
   up with :meth:`airflow.sdk.BaseHook.get_connection`: inside a task every secrets backend
   including the metadata database; outside a task (scripts, the CLI) only
   ``AIRFLOW_CONN_SOCIALOPS_WAREHOUSE`` and configured external secrets backends.
3. SQLite at ``<data dir>/warehouse.db`` (``SOCIALOPS_DATA_DIR``, default ``./data``).
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowNotFoundException
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from socialops.warehouse.engine import (
    DEFAULT_CONN_ID,
    URL_ENV_VAR,
    WarehouseConfigError,
    default_url,
    explicit_url,
    get_engine,
)

log = logging.getLogger(__name__)

# libpq parameters an Airflow ``postgres`` connection may carry in its extras. Other extras
# (``cursor``, ``iam``, ``sqlalchemy_scheme``...) drive Airflow's PostgresHook, not libpq.
_LIBPQ_EXTRAS = frozenset(
    {
        "sslmode",
        "sslcert",
        "sslkey",
        "sslrootcert",
        "sslcrl",
        "sslpassword",
        "options",
        "connect_timeout",
        "application_name",
        "target_session_attrs",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "gssencmode",
        "channel_binding",
    }
)


class WarehouseHook(BaseHook):
    """The warehouse's engine from the Airflow connection ``conn_id`` (see the module doc)."""

    conn_name_attr = "conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = "postgres"
    hook_name = "socialops warehouse"

    def __init__(self, conn_id: str = DEFAULT_CONN_ID, **kwargs: Any):
        super().__init__(**kwargs)
        self.conn_id = conn_id

    def resolve_url(self) -> URL:
        """The SQLAlchemy URL :meth:`get_engine` uses, without connecting."""
        explicit = explicit_url()
        if explicit is not None:
            return explicit
        try:
            connection = self.get_connection(self.conn_id)
        except AirflowNotFoundException:
            url = default_url()
            log.info(
                "Warehouse: no %s and no Airflow connection %r, using SQLite at %s",
                URL_ENV_VAR,
                self.conn_id,
                url.database,
            )
            return url
        return url_from_connection(connection)

    def get_engine(self) -> Engine:
        return get_engine(self.resolve_url())

    def get_conn(self) -> Engine:
        return self.get_engine()


def warehouse_engine(conn_id: str = DEFAULT_CONN_ID) -> Engine:
    """The warehouse engine every task uses (cached per process and URL)."""
    return WarehouseHook(conn_id).get_engine()


def url_from_connection(connection: Any) -> URL:
    """Convert an Airflow ``Connection`` (postgres or sqlite type) to a SQLAlchemy URL."""
    conn_type = (connection.conn_type or "").lower()
    if conn_type in {"postgres", "postgresql"}:
        extras = connection.extra_dejson or {}
        return URL.create(
            "postgresql+psycopg",
            username=connection.login or None,
            password=connection.password or None,
            host=connection.host or None,
            port=connection.port or None,
            database=connection.schema or None,  # Airflow's "schema" is the database name
            query={key: str(value) for key, value in extras.items() if key in _LIBPQ_EXTRAS},
        )
    if conn_type == "sqlite":
        if not connection.host:
            raise WarehouseConfigError(
                f"Airflow connection {connection.conn_id!r} is of type sqlite but has no "
                "host: put the database file path in its host field"
            )
        return URL.create("sqlite", database=connection.host)
    raise WarehouseConfigError(
        f"Airflow connection {connection.conn_id!r} has type {connection.conn_type!r}; the "
        "warehouse supports 'postgres' (e.g. AIRFLOW_CONN_SOCIALOPS_WAREHOUSE="
        "postgres://user:password@host:5432/dbname) or 'sqlite'"
    )
