"""Parsing a DAG file loads no heavy module: the schema, the network records, the SDKs.

Which modules load is deterministic (unlike their time, measured by bench/parse.py): a DAG
file that starts importing pydantic models or pandas at parse time fails here.
"""

from __future__ import annotations

import pytest
from bench.parse import MINIMAL, extra_modules, imported

from socialops.paths import PROJECT_ROOT

DAG_FILES = sorted((PROJECT_ROOT / "dags").glob("*.py"))

#: Prefixes of modules a DAG file must not load while it is parsed.
HEAVY = (
    "pydantic",
    "socialops.config.schema",
    "socialops.networks.records",
    "socialops.networks.base",
    "socialops.warehouse",
    "pandas",
    "numpy",
    "tweepy",
    "googleapiclient",
    "requests",
    "slack_sdk",
    "matplotlib",
    "jinja2",
    "babel",
    "airflow.models.asset",
    "airflow.providers.slack",
)


@pytest.fixture(scope="module")
def baseline():
    return imported(MINIMAL)


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_a_dag_file_loads_no_heavy_module(path, baseline):
    extra = extra_modules(path, baseline)
    heavy = sorted(name for name in extra if name.startswith(HEAVY))
    assert not heavy, f"{path.name} loads at parse time: {heavy[:10]}"
