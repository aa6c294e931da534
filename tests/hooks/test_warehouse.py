"""The warehouse hook: SOCIALOPS_WAREHOUSE_URL, else the Airflow connection, else SQLite."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import make_url

from socialops.hooks.warehouse import WarehouseHook, warehouse_engine
from socialops.warehouse.engine import URL_ENV_VAR, WarehouseConfigError

CONN_ENV_VAR = "AIRFLOW_CONN_SOCIALOPS_WAREHOUSE"

#: No warehouse configured, and a private data folder.
pytestmark = pytest.mark.usefixtures("no_configured_warehouse")


def test_without_configuration_the_warehouse_is_sqlite_in_the_data_folder(tmp_path):
    expected = make_url(f"sqlite:///{tmp_path / 'data' / 'warehouse.db'}")
    assert WarehouseHook().resolve_url() == expected


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
    url = WarehouseHook().resolve_url()
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
    assert (
        WarehouseHook().resolve_url().render_as_string()
        == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


def test_a_sqlite_airflow_connection_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv(CONN_ENV_VAR, json.dumps({"conn_type": "sqlite", "host": "/srv/w.db"}))
    assert WarehouseHook().resolve_url() == make_url("sqlite:////srv/w.db")


def test_the_url_environment_variable_wins_over_the_connection(monkeypatch):
    monkeypatch.setenv(CONN_ENV_VAR, "postgres://prod@warehouse:5432/prod")
    monkeypatch.setenv(URL_ENV_VAR, "sqlite:////tmp/test-warehouse.db")
    assert WarehouseHook().resolve_url() == make_url("sqlite:////tmp/test-warehouse.db")


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
        warehouse_engine()
