"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from socialops.warehouse.engine import (
    URL_ENV_VAR,
    create_warehouse_engine,
    dispose_engines,
    ensure_schema,
)
from socialops.warehouse.models import Base

# sandbox_server, sandbox, sandbox_connections: see socialops/sandbox/pytest_plugin.py;
# no_real_network (autouse): see tests/support/network_guard.py.
pytest_plugins = ["socialops.sandbox.pytest_plugin", "tests.support.network_guard"]

# ---------------------------------------------------------------------------------------
# Warehouse: a migrated, empty warehouse per test, on SQLite and on PostgreSQL.
#
#   sqlite_engine        SQLite file in tmp_path
#   pg_engine            PostgreSQL, tables emptied after each test (mark: postgres)
#   warehouse_engine     both of the above, parametrized ("sqlite", "postgresql")
#   use_warehouse        warehouse_engine, and get_engine() resolves to it
#   pg_schema_factory    make(label) -> Engine on a new, empty, throwaway schema
#
# PostgreSQL is the machine's (SOCIALOPS_TEST_PG_URL, default below). Each session works
# in its own schemas (search_path set in the URL), dropped at the end, so parallel runs on
# one server do not collide. When the server is unreachable the tests skip, except under
# CI=true where they fail: CI must not go green without having run them.
# ---------------------------------------------------------------------------------------

PG_TEST_URL = make_url(
    os.environ.get("SOCIALOPS_TEST_PG_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test?connect_timeout=5"
)


def _postgres_unavailable(reason: object) -> None:
    message = (
        f"PostgreSQL at {PG_TEST_URL.render_as_string(hide_password=True)} is unreachable: {reason}"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: PostgreSQL tests must run, not skip)", pytrace=False)
    pytest.skip(message)


def _require_postgres_marker(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") is None:
        pytest.fail(
            f"{request.node.nodeid} uses PostgreSQL: mark it @pytest.mark.postgres "
            "(so `-m 'not postgres'` can deselect it)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def pg_schema_factory() -> Iterator[Callable[[str], Engine]]:
    """``make(label)``: an engine on a new empty schema of the test server, dropped at the
    end of the session. The schema is in the engine's URL (``options=-csearch_path=...``),
    so ``str(engine.url)`` reaches the same schema from another engine or process."""
    server = create_warehouse_engine(PG_TEST_URL)
    try:
        with server.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        server.dispose()
        _postgres_unavailable(exc.orig or exc)
    schemas: list[str] = []
    engines: list[Engine] = []

    def make(label: str) -> Engine:
        schema = f"socialops_test_{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with server.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        query = {**PG_TEST_URL.query, "options": f"-csearch_path={schema}"}
        engine = create_warehouse_engine(PG_TEST_URL.set(query=query))
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()
    with server.begin() as connection:
        for schema in schemas:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    server.dispose()


@pytest.fixture(scope="session")
def _pg_warehouse(pg_schema_factory: Callable[[str], Engine]) -> Engine:
    engine = pg_schema_factory("warehouse")
    ensure_schema(engine)
    return engine


@pytest.fixture
def pg_engine(request: pytest.FixtureRequest, _pg_warehouse: Engine) -> Iterator[Engine]:
    """A migrated PostgreSQL warehouse, emptied after the test. Needs the postgres mark."""
    _require_postgres_marker(request)
    yield _pg_warehouse
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with _pg_warehouse.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Copying a migrated file is cheaper than migrating a new database for every test.
    path = tmp_path_factory.mktemp("warehouse-template") / "warehouse.db"
    engine = create_warehouse_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_engine(_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite warehouse in the test's own file."""
    path = tmp_path / "warehouse.db"
    shutil.copyfile(_sqlite_template, path)
    engine = create_warehouse_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty warehouse; the test runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture
def use_warehouse(warehouse_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """``warehouse_engine``, with ``get_engine()`` resolving to it for the code under test."""
    monkeypatch.setenv(URL_ENV_VAR, warehouse_engine.url.render_as_string(hide_password=False))
    dispose_engines()
    yield warehouse_engine
    dispose_engines()


#: The Airflow connection the warehouse hook falls back to.
WAREHOUSE_CONN_ENV_VAR = "AIRFLOW_CONN_SOCIALOPS_WAREHOUSE"


@pytest.fixture
def no_configured_warehouse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No warehouse URL nor connection configured, and a private data folder (tmp_path/data)."""
    monkeypatch.delenv(URL_ENV_VAR, raising=False)
    monkeypatch.delenv(WAREHOUSE_CONN_ENV_VAR, raising=False)
    monkeypatch.setenv("SOCIALOPS_DATA_DIR", str(tmp_path / "data"))
    dispose_engines()
    yield
    dispose_engines()
