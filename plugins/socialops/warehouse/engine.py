"""How to open the warehouse, migrate it and write to it; no Airflow here.

Which database it is, first match wins (the Airflow part is the warehouse hook's,
:mod:`socialops.hooks.warehouse`):

1. ``SOCIALOPS_WAREHOUSE_URL``: an explicit SQLAlchemy URL for this process. It wins over
   the Airflow connection on purpose: tests and benchmarks set it, and must never write
   to a warehouse configured for real in the same environment.
2. The Airflow connection ``socialops_warehouse`` (``postgres`` or ``sqlite`` type), read by
   the hook.
3. SQLite at ``<data dir>/warehouse.db`` (``SOCIALOPS_DATA_DIR``, default ``./data``).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from socialops.paths import data_dir

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

DEFAULT_CONN_ID = "socialops_warehouse"
URL_ENV_VAR = "SOCIALOPS_WAREHOUSE_URL"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: How long a SQLite writer waits for another process's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Any constant works: it only has to be the same for every process migrating a database.
MIGRATION_LOCK_ID = 0x50C1A10B5

_engines: dict[tuple[int, str], Engine] = {}
_engines_lock = threading.Lock()
_alembic_lock = threading.Lock()


class WarehouseConfigError(ValueError):
    """The warehouse location is configured in a way socialops cannot use."""


def get_engine(url: str | URL | None = None) -> Engine:
    """The warehouse engine of ``url`` (default :func:`resolve_url`), cached per process."""
    url = make_url(url) if url is not None else resolve_url()
    # The process id is part of the key because pooled connections must not cross a fork
    # (Airflow's task runner forks from its supervisor).
    cache_key = (os.getpid(), url.render_as_string(hide_password=False))
    with _engines_lock:
        engine = _engines.get(cache_key)
        if engine is None:
            engine = _engines[cache_key] = create_warehouse_engine(url)
    return engine


def dispose_engines() -> None:
    """Close and forget every engine :func:`get_engine` cached (tests switching databases)."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()


def explicit_url() -> URL | None:
    """``SOCIALOPS_WAREHOUSE_URL`` as a URL, or None when it is not set."""
    explicit = os.environ.get(URL_ENV_VAR, "").strip()
    if not explicit:
        return None
    try:
        return make_url(explicit)
    except ArgumentError as exc:
        raise WarehouseConfigError(
            f"{URL_ENV_VAR} is not a valid SQLAlchemy URL ({exc}); expected e.g. "
            "postgresql+psycopg://user:password@host:5432/dbname or sqlite:////path/warehouse.db"
        ) from exc


def default_url() -> URL:
    """SQLite at ``<data dir>/warehouse.db``: the embedded default."""
    return URL.create("sqlite", database=str(data_dir() / "warehouse.db"))


def resolve_url() -> URL:
    """The URL :func:`get_engine` uses without an Airflow connection: the explicit one, else
    the embedded SQLite. Inside Airflow, :func:`socialops.hooks.warehouse.warehouse_engine`
    also looks at the connection ``socialops_warehouse``."""
    return explicit_url() or default_url()


def create_warehouse_engine(url: str | URL) -> Engine:
    """A new, uncached engine with the warehouse's per-backend settings.

    Prefer :func:`get_engine`; this is for tests and tools that manage engines themselves.
    """
    url = make_url(url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _create_sqlite_engine(url)
    if backend == "postgresql":
        if url.drivername == "postgresql":
            # Bare postgresql:// would pick psycopg2, which is not installed.
            url = url.set(drivername="postgresql+psycopg")
        return create_engine(url, pool_pre_ping=True, connect_args=_postgres_connect_args(url))
    raise WarehouseConfigError(
        f"unsupported warehouse database {url.drivername!r} "
        f"({url.render_as_string(hide_password=True)}): use PostgreSQL or SQLite"
    )


def _postgres_connect_args(url: URL) -> dict[str, str]:
    # Day boundaries computed in SQL (date_trunc, ::date) follow the session time zone;
    # the warehouse stores UTC and means UTC days.
    options = str(url.query.get("options", ""))
    if "timezone" in options.lower():
        return {}
    return {"options": f"{options} -c timezone=UTC".strip()}


def _create_sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        # Sorted keys make equal documents serialise to equal text, which the upsert's
        # change detection compares on SQLite.
        json_serializer=lambda value: json.dumps(value, sort_keys=True, ensure_ascii=False),
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _begin_immediate) instead of the sqlite3
        # module's legacy implicit transactions, which skip BEGIN before SELECT and DDL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        _enable_wal(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Connection) -> None:
        # Take the write lock up front: a deferred transaction that reads and then writes
        # fails at once with "database is locked" when another process wrote in between,
        # without waiting for busy_timeout. Serialising writers is what SQLite does anyway.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _enable_wal(dbapi_connection: Any) -> None:
    """Switch the database to write-ahead logging, so readers never block the writer.

    The mode is stored in the file, so this only does work once per database, but that
    switch needs an exclusive lock and SQLite reports "database is locked" at once instead
    of waiting for busy_timeout when another process holds one: retry until it is free.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = dbapi_connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            continue
        if mode.lower() != "wal" and mode.lower() != "memory":
            log.warning("SQLite warehouse could not switch to WAL (journal mode %s)", mode)
        return


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """An ORM session committed on success and rolled back on error.

    Objects stay usable after the commit (``expire_on_commit=False``) so callers can read
    ids and values they just wrote without another round trip.
    """
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def transaction(target: Engine | Connection) -> Iterator[Connection]:
    """A connection in a transaction: ``target`` itself (the caller owns its transaction and
    commits it) or, for an engine, a new transaction committed on exit, rolled back on error.

    Lets a helper accept either, so callers can group several writes atomically.
    """
    if isinstance(target, Connection):
        yield target
    else:
        with target.begin() as connection:
            yield connection


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the warehouse migrations.

    With ``connection``, commands run on it inside its current transaction; without, the
    migration environment resolves the database like :func:`get_engine`.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def ensure_schema(engine: Engine | None = None) -> None:
    """Migrate the warehouse to the latest revision; a no-op when it is already there.

    Safe to call from several processes at once: migrations run in one transaction under
    a lock (an advisory lock on PostgreSQL, the write lock on SQLite), so the second caller
    waits, then finds the schema current.
    """
    _run_alembic(engine or get_engine(), "upgrade", "head")


def downgrade_schema(engine: Engine, revision: str = "base") -> None:
    """Downgrade ``engine``'s schema to ``revision``; "base" drops every warehouse table."""
    _run_alembic(engine, "downgrade", revision)


def _run_alembic(engine: Engine, direction: str, revision: str) -> None:
    from alembic import command

    # Alembic keeps the running environment in module globals (alembic.context), so two
    # threads cannot run commands at once; processes are serialised by the database lock.
    with _alembic_lock, engine.begin() as connection:
        getattr(command, direction)(alembic_config(connection), revision)


def lock_transaction(connection: Connection, key: int) -> None:
    """Serialise ``connection``'s transaction with every other one locking ``key``, in any
    process, until it ends (migrations, the calendar sync...).

    PostgreSQL: a transaction-scoped advisory lock. SQLite: nothing to do, the engine opens
    every transaction with BEGIN IMMEDIATE, which already admits one writer at a time.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
