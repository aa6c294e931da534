from __future__ import annotations

import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from socialops.warehouse.engine import (
    URL_ENV_VAR,
    WarehouseConfigError,
    create_warehouse_engine,
    get_engine,
    resolve_url,
    session_scope,
    transaction,
)
from socialops.warehouse.models import Campaign
from socialops.warehouse.upsert import upsert

CONN_ENV_VAR = "AIRFLOW_CONN_SOCIALOPS_WAREHOUSE"

#: No warehouse configured, and a private data folder.
pytestmark = pytest.mark.usefixtures("no_configured_warehouse")


def test_without_configuration_the_warehouse_is_sqlite_in_the_data_folder(tmp_path):
    assert resolve_url() == make_url(f"sqlite:///{tmp_path / 'data' / 'warehouse.db'}")


def test_the_engine_module_alone_never_reads_an_airflow_connection(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "airflow.sdk", None)  # Airflow is not even importable
    monkeypatch.setenv(CONN_ENV_VAR, "postgres://prod@warehouse:5432/prod")
    assert resolve_url().get_backend_name() == "sqlite"


def test_an_invalid_url_variable_is_explained(monkeypatch):
    monkeypatch.setenv(URL_ENV_VAR, "not a url")
    with pytest.raises(WarehouseConfigError, match="SOCIALOPS_WAREHOUSE_URL is not a valid"):
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
