import json

import pytest
import sqlalchemy as sa

from socialops.config import ConfigError, load_config
from socialops.deployment import airflow_pools, main, pool_name


def test_one_pool_per_network_sized_by_the_configuration():
    config = load_config()
    pools = airflow_pools(config)
    assert {name: pool["slots"] for name, pool in pools.items()} == {
        pool_name(network): slots for network, slots in config.publication.pools.items()
    }
    # The format `airflow pools import` accepts: slots and description on every pool.
    assert all(set(pool) == {"slots", "description"} for pool in pools.values())


def test_main_migrates_the_warehouse_and_writes_the_pools(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.db"
    monkeypatch.setenv("SOCIALOPS_WAREHOUSE_URL", f"sqlite:///{warehouse}")
    pools_file = tmp_path / "pools.json"

    for _ in range(2):  # airflow-init runs again after every upgrade
        assert main(["--pools-file", str(pools_file)]) == 0

    assert json.loads(pools_file.read_text()) == airflow_pools(load_config())
    tables = sa.inspect(sa.create_engine(f"sqlite:///{warehouse}")).get_table_names()
    assert "alembic_version" in tables and len(tables) > 1


def test_main_names_a_missing_configuration_before_touching_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(tmp_path / "missing.yaml"))
    monkeypatch.setenv("SOCIALOPS_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'warehouse.db'}")
    with pytest.raises(ConfigError, match="missing.yaml not found"):
        main(["--pools-file", str(tmp_path / "pools.json")])
    assert not (tmp_path / "warehouse.db").exists()
