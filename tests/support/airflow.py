"""Pytest fixtures that run the project's DAGs with ``airflow dags test``.

``airflow_env`` migrates a throwaway metadata database once per session (a template copied
per test is cheaper than a migration each time), with the sandbox's connections, a SQLite or
PostgreSQL warehouse and the per-network pools. Use::

    def test_my_dag(run_dag):
        result = run_dag("publish_posts")
        assert result.ok, result.tail()
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from socialops.config import load_config
from socialops.dev.deployment import airflow_pools
from socialops.dev.localenv import (
    FAST_RETRIES,
    airflow_env,
    dags_test,
    migrate,
    register_dags,
    set_pools,
)


@pytest.fixture(scope="session")
def airflow_template(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("airflow-template")
    env = airflow_env(home)
    migrate(home, env)
    set_pools(airflow_pools(load_config()), env)
    register_dags(env)
    return home


@pytest.fixture
def airflow_home(airflow_template, tmp_path) -> Path:
    home = tmp_path / "airflow"
    shutil.copytree(airflow_template, home, ignore=shutil.ignore_patterns("logs", "*.cfg"))
    return home


@pytest.fixture
def run_dag(airflow_home, tmp_path, monkeypatch):
    """Run a DAG against whatever the test set in os.environ (sandbox connections, warehouse URL).

    The warehouse defaults to a SQLite file of this test unless ``SOCIALOPS_WAREHOUSE_URL`` is set.
    """
    monkeypatch.setenv("SOCIALOPS_DATA_DIR", str(tmp_path / "data"))

    def run(
        dag_id: str,
        *,
        logical_date: str | None = None,
        extra_env: dict[str, str] | None = None,
        conf=None,
    ):
        env = airflow_env(airflow_home, {**FAST_RETRIES, **(extra_env or {})})
        return dags_test(dag_id, env, logical_date=logical_date, conf=conf)

    return run
