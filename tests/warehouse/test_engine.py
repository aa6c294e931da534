from __future__ import annotations

import json
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from socialops.warehouse.engine import (
    URL_ENV_VAR,
    WarehouseConfigError,
    create_warehouse_engine,
    dispose_engines,
    get_engine,
    resolve_url,
    session_scope,
    transaction,
)
from socialops.warehouse.models import Campaign
from socialops.warehouse.upsert import upsert

CONN_ENV_VAR = "AIRFLOW_CONN_SOCIALOPS_WAREHOUSE"


@pytest.fixture(autouse=True)
def isolated_resolution(monkeypatch, tmp_path):
    """No warehouse configured, and a private data folder."""
    monkeypatch.delenv(URL_ENV_VAR, raising=False)
    monkeypatch.delenv(CONN_ENV_VAR, raising=False)
    monkeypatch.setenv("SOCIALOPS_DATA_DIR", str(tmp_path / "data"))
    dispose_engines()
    yield
    dispose_engines()


def test_without_configuration_the_warehouse_is_sqlite_in_the_data_folder(tmp_path):
    assert resolve_url() == make_url(f"sqlite:///{tmp_path / 'data' / 'warehouse.db'}")


def test_the_airflow_connection_is_converted_for_psycopg(monkeypatch):
    monkeypatch.setenv(
        CONN_ENV_VAR,
        json.dumps(
            {
                "conn_type": "postgres",
                "host": "db.internal",
                "port": 6432,
                "login": "socialops",
                "password": "s3cr/t",
                "schema": "warehouse",
                # libpq options pass through; PostgresHook-only extras are dropped.
                "extra": {"sslmode": "require", "cursor": "dictcursor", "connect_timeout": 10},
            }
        ),
    )
    url = resolve_url()
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.username, url.password, url.database) == (
        "db.internal",
        6432,
        "socialops",
        "s3cr/t",
        "warehouse",
    )
    assert dict(url.query) == {"sslmode": "require", "connect_timeout": "10"}


def test_a_uri_airflow_connection_works_too(monkeypatch):
    monkeypatch.setenv(CONN_ENV_VAR, "postgres://postgres@127.0.0.1:5432/test")
    assert resolve_url().render_as_string() == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_a_sqlite_airflow_connection_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv(CONN_ENV_VAR, json.dumps({"conn_type": "sqlite", "host": "/srv/w.db"}))
    assert resolve_url() == make_url("sqlite:////srv/w.db")


def test_the_url_environment_variable_wins_over_the_connection(monkeypatch):
    monkeypatch.setenv(CONN_ENV_VAR, "postgres://prod@warehouse:5432/prod")
    monkeypatch.setenv(URL_ENV_VAR, "sqlite:////tmp/test-warehouse.db")
    assert resolve_url() == make_url("sqlite:////tmp/test-warehouse.db")


def test_without_airflow_installed_the_connection_is_skipped(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "airflow.sdk", None)  # makes the import fail
    monkeypatch.setenv(CONN_ENV_VAR, "postgres://prod@warehouse:5432/prod")
    assert resolve_url().get_backend_name() == "sqlite"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (URL_ENV_VAR, "not a url", r"SOCIALOPS_WAREHOUSE_URL is not a valid SQLAlchemy URL"),
        (CONN_ENV_VAR, "http://example.com", r"has type 'http'; the warehouse supports 'postgres'"),
        (CONN_ENV_VAR, json.dumps({"conn_type": "sqlite"}), r"type sqlite but has no host"),
        (URL_ENV_VAR, "mysql://u@h/db", r"unsupported warehouse database 'mysql'"),
    ],
)
def test_unusable_configuration_is_explained(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(WarehouseConfigError, match=message):
        get_engine()


def test_engines_are_cached_per_url(monkeypatch, tmp_path):
    first = get_engine()
    assert get_engine() is first
    monkeypatch.setenv(URL_ENV_VAR, f"sqlite:///{tmp_path / 'other.db'}")
    assert get_engine() is not first


def test_bare_postgresql_urls_use_psycopg_3():
    # SQLAlchemy's default PostgreSQL driver is psycopg2, which is not installed.
    engine = create_warehouse_engine("postgresql://u@h/db")
    assert engine.url.drivername == "postgresql+psycopg"


def test_sqlite_connections_enforce_foreign_keys_and_wait_for_locks(sqlite_engine):
    with sqlite_engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}


@pytest.mark.postgres
def test_postgres_sessions_run_in_utc_and_keep_url_options(pg_engine):
    # pg_engine's URL already carries options=-csearch_path=...: both must apply.
    with pg_engine.connect() as connection:
        assert connection.execute(text("SHOW timezone")).scalar() == "UTC"
        assert (
            connection.execute(text("SELECT current_schema()"))
            .scalar()
            .startswith("socialops_test_")
        )


def test_session_scope_commits_on_success_and_rolls_back_on_error(warehouse_engine):
    with session_scope(warehouse_engine) as session:
        session.add(Campaign(id="spring", name="Spring sale"))
    with pytest.raises(RuntimeError):
        with session_scope(warehouse_engine) as session:
            session.add(Campaign(id="summer", name="Summer sale"))
            session.flush()
            raise RuntimeError("boom")
    with session_scope(warehouse_engine) as session:
        assert session.scalars(select(Campaign.id)).all() == ["spring"]


def test_use_warehouse_points_get_engine_at_the_test_database(use_warehouse):
    upsert(use_warehouse, "campaigns", [{"id": "spring", "name": "Spring sale"}])
    with get_engine().connect() as connection:
        assert connection.execute(select(Campaign.name)).scalars().all() == ["Spring sale"]


def test_transaction_commits_on_an_engine_and_defers_to_a_callers_connection(sqlite_engine):
    insert = text("INSERT INTO campaigns (id, name) VALUES (:id, :id)")
    with transaction(sqlite_engine) as connection:
        connection.execute(insert, {"id": "committed"})
    with pytest.raises(RuntimeError), transaction(sqlite_engine) as connection:
        connection.execute(insert, {"id": "rolled-back"})
        raise RuntimeError("boom")
    with sqlite_engine.connect() as outer:
        with transaction(outer) as connection:
            assert connection is outer
            connection.execute(insert, {"id": "not-committed-by-transaction"})
        outer.rollback()
    with sqlite_engine.connect() as connection:
        ids = connection.execute(text("SELECT id FROM campaigns")).scalars().all()
    assert ids == ["committed"]
