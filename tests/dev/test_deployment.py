import json

import pytest
import sqlalchemy as sa

from socialops.config import ConfigError, load_config
from socialops.config.loader import parse_config
from socialops.dev.deployment import airflow_pools, main, pool_name, queue_name, sandbox_env_file
from socialops.paths import PROJECT_ROOT
from socialops.sandbox import airflow_connections

# The sandbox skips, with a warning, an emulator it cannot import.
pytestmark = pytest.mark.filterwarnings("ignore:sandbox emulator")

SANDBOX_ENV = PROJECT_ROOT / "docker" / "sandbox-connections.env"
REGENERATE = (
    "PYTHONPATH=plugins .venv/bin/python -m socialops deployment sandbox-env "
    "> docker/sandbox-connections.env"
)


def _env_lines(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")


def test_one_pool_per_network_sized_by_the_configuration():
    config = load_config()
    pools = airflow_pools(config)
    assert {name: pool["slots"] for name, pool in pools.items()} == {
        pool_name(network): slots for network, slots in config.publication.pools.items()
    }
    # The format `airflow pools import` accepts: slots and description on every pool.
    assert all(set(pool) == {"slots", "description"} for pool in pools.values())


def with_queues(queues) -> object:
    text = load_config().model_dump_json()
    return parse_config(text.replace('"deployment":{"queues":false}', f'"deployment":{queues}'))


def test_queues_are_off_by_default_every_task_on_airflows_default_queue():
    config = load_config()
    assert {queue_name(network, config) for network in config.networks} == {"default"}


def test_queues_on_give_each_network_its_own_queue():
    config = with_queues('{"queues": true}')
    assert queue_name("x", config) == "socialops_x"
    assert queue_name("linkedin", config) == "socialops_linkedin"


def test_a_queue_mapping_routes_the_networks_it_names_only():
    config = with_queues('{"queues": {"x": "x-own-ip", "youtube": "video"}}')
    assert [queue_name(n, config) for n in ("x", "youtube", "facebook")] == [
        "x-own-ip",
        "video",
        "default",
    ]


def test_init_migrates_the_warehouse_and_writes_the_pools(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.db"
    monkeypatch.setenv("SOCIALOPS_WAREHOUSE_URL", f"sqlite:///{warehouse}")
    pools_file = tmp_path / "pools.json"

    for _ in range(2):  # airflow-init runs again after every upgrade
        assert main(["init", "--pools-file", str(pools_file)]) == 0

    assert json.loads(pools_file.read_text()) == airflow_pools(load_config())
    tables = sa.inspect(sa.create_engine(f"sqlite:///{warehouse}")).get_table_names()
    assert "alembic_version" in tables and len(tables) > 1


def test_init_names_a_missing_configuration_before_touching_the_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(tmp_path / "missing.yaml"))
    monkeypatch.setenv("SOCIALOPS_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'warehouse.db'}")
    with pytest.raises(ConfigError, match="missing.yaml not found"):
        main(["init", "--pools-file", str(tmp_path / "pools.json")])
    assert not (tmp_path / "warehouse.db").exists()


def test_sandbox_env_file_holds_the_sandboxs_own_connections():
    text = sandbox_env_file("http://sandbox:8800")
    lines = _env_lines(text)
    assert lines == {
        key: f"'{value}'" for key, value in airflow_connections("http://sandbox:8800").items()
    }
    assert all(json.loads(value.strip("'"))["conn_type"] for value in lines.values())


def test_committed_sandbox_env_file_is_up_to_date():
    committed = _env_lines(SANDBOX_ENV.read_text())
    for key, value in _env_lines(sandbox_env_file()).items():
        assert committed.get(key) == value, f"{SANDBOX_ENV.name} is stale for {key}: {REGENERATE}"


def test_sandbox_env_refuses_a_value_the_env_file_cannot_quote(monkeypatch):
    monkeypatch.setattr(
        "socialops.sandbox.airflow_connections", lambda base_url: {"AIRFLOW_CONN_X": "it's"}
    )
    with pytest.raises(ValueError, match="single quote"):
        sandbox_env_file()


def test_sandbox_env_command_prints_the_file(capsys):
    assert main(["sandbox-env", "--base-url", "http://127.0.0.1:9"]) == 0
    assert "http://127.0.0.1:9/" in capsys.readouterr().out
