"""Every DAG file imports cleanly, fast and offline, and carries what operators need to run it.

Modelled on the Astro template's DAG-integrity test: a DAG added without docs, tags, an
owner, a retry policy or a failure callback fails here; so does one that touches the network,
a database or an Airflow Variable while being parsed.
"""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest
import yaml
from airflow.sdk import DAG

from socialops.config import NETWORKS
from socialops.config.loader import DEFAULT_PATH
from socialops.operators.base import NetworkOperator
from socialops.paths import PROJECT_ROOT

DAG_FILES = sorted((PROJECT_ROOT / "dags").glob("*.py"))


class ParseTimeIO(AssertionError):
    pass


def _forbid(what: str):
    def refuse(*args, **kwargs):
        raise ParseTimeIO(f"{what} while parsing a DAG file: move it inside a task")

    return refuse


def load_dags(path: Path, monkeypatch) -> list[DAG]:
    monkeypatch.setattr(socket.socket, "connect", _forbid("network connection"))
    monkeypatch.setattr("sqlalchemy.create_engine", _forbid("database engine"))
    monkeypatch.setattr("airflow.sdk.Variable.get", _forbid("Variable.get"))
    monkeypatch.setattr("airflow.sdk.Connection.get", _forbid("Connection.get"))
    spec = importlib.util.spec_from_file_location(f"dagfile_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [value for value in vars(module).values() if isinstance(value, DAG)]


def test_there_are_dags():
    assert DAG_FILES, "dags/ holds no DAG file"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_is_complete(path, monkeypatch):
    dags = load_dags(path, monkeypatch)
    assert len(dags) == 1, f"{path.name} must define exactly one DAG, found {len(dags)}"
    dag = dags[0]
    assert dag.dag_id == path.stem, f"{path.name}: the dag_id should be the file name ({path.stem})"
    assert dag.doc_md and len(dag.doc_md.strip()) > 80, (
        f"{dag.dag_id}: doc_md must say what the DAG does"
    )
    assert "socialops" in dag.tags and len(dag.tags) >= 2, (
        f"{dag.dag_id}: tag it 'socialops' and its domain"
    )
    assert dag.description and len(dag.description) < 120, f"{dag.dag_id}: a one-line description"
    for task in dag.tasks:
        name = f"{dag.dag_id}.{task.task_id}"
        assert task.owner and task.owner != "airflow", f"{name}: set an owner"
        assert task.on_failure_callback, f"{name}: set the failure callback"
        assert task.execution_timeout, f"{name}: set an execution_timeout that fits its work"
        if task.task_id != "run_outcome":
            assert task.retries >= 1, f"{name}: set a retry policy"
        if getattr(task, "map_index_template", None) is None and hasattr(task, "expand_input"):
            raise AssertionError(f"{name}: name its mapped instances (map_index_template)")


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_a_run_where_a_task_failed_ends_failed(path, monkeypatch):
    """Every task but the watcher is upstream of it: a failure anywhere fails the run."""
    (dag,) = load_dags(path, monkeypatch)
    watcher = dag.get_task("run_outcome")
    assert watcher.trigger_rule == "one_failed"
    ancestors = watcher.get_flat_relative_ids(upstream=True)
    leaves = {t.task_id for t in dag.tasks if not t.downstream_task_ids}
    assert leaves <= {"run_outcome", "publish_asset"}, f"{dag.dag_id}: leaves {leaves}"
    missing = {t.task_id for t in dag.tasks} - ancestors - {"run_outcome", "publish_asset"}
    assert not missing, f"{dag.dag_id}: a failure of {sorted(missing)} would not fail the run"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_a_broken_configuration_never_hides_a_dag(path, monkeypatch, tmp_path):
    broken = tmp_path / "socialops.yaml"
    broken.write_text(
        "brand: {name: B, timezone: Mars/Olympus}\n"
        "competitors: [{name: Rival, accounts: [{network: x}]}]\n"
        "metrics: {schedule: '30 25 * * *'}\n"
    )
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(broken))
    (dag,) = load_dags(path, monkeypatch)  # still parses, on the default schedule
    assert dag.dag_id == path.stem


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_has_its_documentation_page(path):
    page = PROJECT_ROOT / "docs" / "dags" / f"{path.stem}.md"
    assert page.is_file(), (
        f"docs/dags/{path.stem}.md is missing: one page per DAG (reads, writes, schedule, alerts)"
    )


def test_parse_time_guard_catches_network_access(tmp_path, monkeypatch):
    bad = tmp_path / "bad_dag.py"
    bad.write_text("import socket\nsocket.create_connection(('127.0.0.1', 9))\n")
    with pytest.raises(ParseTimeIO):
        load_dags(bad, monkeypatch)


def _network_of(task) -> str | None:
    """The network a task calls: the ``network=`` of a network operator (mapped tasks carry
    their operator's class and partial arguments), else None."""
    operator = getattr(task, "operator_class", type(task))
    if not (isinstance(operator, type) and issubclass(operator, NetworkOperator)):
        return None
    partial = getattr(task, "partial_kwargs", None)
    return partial["network"] if partial is not None else task.network_name


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_network_tasks_run_in_their_networks_pool_and_queue(path, monkeypatch, tmp_path):
    routed = {"x": "x_own_ip", "linkedin": "socialops_linkedin"}
    config = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    config["deployment"] = {"queues": routed}
    config_file = tmp_path / "socialops.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(config_file))
    (dag,) = load_dags(path, monkeypatch)
    networks_called = set()
    for task in dag.tasks:
        where = f"{dag.dag_id}.{task.task_id}"
        network = _network_of(task)
        if network is None:
            assert task.queue == "default", f"{where} calls no network: the default queue"
            continue
        networks_called.add(network)
        assert task.pool == f"socialops_{network}", where
        assert task.queue == routed.get(network, "default"), where
    # A DAG that calls networks calls every one of them; the reports' DAGs call none.
    assert networks_called in (set(), set(NETWORKS)), dag.dag_id
