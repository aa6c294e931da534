"""socialops as an Airflow provider: the connection types Airflow registers, and their form
fields, which must be exactly the extras each adapter reads."""

from __future__ import annotations

import dataclasses
import json
import types
from importlib.metadata import entry_points
from pathlib import Path
from typing import get_type_hints

import airflow
import jsonschema
import pytest

from socialops.networks.base import ConnectionExtras
from socialops.networks.linkedin.client import LinkedInExtras
from socialops.networks.meta.client import MetaExtras
from socialops.networks.registry import NETWORKS, SPECS
from socialops.networks.x.client import XExtras
from socialops.networks.youtube.adapter import YouTubeExtras
from socialops.provider import get_provider_info

EXTRAS = {
    "x": XExtras,
    "youtube": YouTubeExtras,
    "facebook": MetaExtras,
    "instagram": MetaExtras,
    "linkedin": LinkedInExtras,
}
AIRFLOW_DIR = Path(airflow.__file__).parent
KINDS = {str: "string", int: "integer", float: "number"}


def _flat_fields(cls) -> dict[str, tuple[str, object, bool]]:
    """extra name → (JSON type, default, secret) of an extras dataclass, nested ones flattened."""
    hints = get_type_hints(cls)
    found = {}
    for field in dataclasses.fields(cls):
        kind = hints[field.name]
        if dataclasses.is_dataclass(kind):
            found.update(_flat_fields(kind))
            continue
        if isinstance(kind, types.UnionType):
            kind = next(arg for arg in kind.__args__ if arg is not type(None))
        found[field.name] = (KINDS[kind], field.default, not field.repr)
    return found


def test_the_provider_info_is_what_airflow_accepts():
    schema = json.loads((AIRFLOW_DIR / "provider_info.schema.json").read_text())
    info = get_provider_info()
    jsonschema.validate(info, schema)
    yaml_schema = json.loads((AIRFLOW_DIR / "provider.yaml.schema.json").read_text())
    item = yaml_schema["properties"]["connection-types"]["items"]["properties"]
    for connection in info["connection-types"]:
        jsonschema.validate(connection["conn-fields"], item["conn-fields"])
        jsonschema.validate(connection["ui-field-behaviour"], item["ui-field-behaviour"])
    assert [c["connection-type"] for c in info["connection-types"]] == [
        SPECS[n].conn_type for n in NETWORKS
    ]


@pytest.mark.parametrize("network", NETWORKS)
def test_the_form_fields_are_the_extras_the_adapter_reads(network):
    (connection,) = [
        c
        for c in get_provider_info()["connection-types"]
        if c["connection-type"] == SPECS[network].conn_type
    ]
    form = {
        name: (
            field["schema"]["type"],
            field["schema"].get("default"),
            field["schema"].get("format") == "password",
        )
        for name, field in connection["conn-fields"].items()
    }
    read = _flat_fields(EXTRAS[network])
    assert set(form) == set(read), f"{network}: form vs extras differ"
    for name, (kind, default, secret) in read.items():
        assert form[name][0] == kind, f"{network}.{name}: type"
        assert form[name][1] == (None if default is dataclasses.MISSING else default), name
        assert form[name][2] == secret, f"{network}.{name}: a secret must be a password field"
    assert set(_flat_fields(ConnectionExtras)) <= set(form)


def test_each_connection_type_has_its_own_hook_class():
    from airflow.sdk import BaseHook

    from socialops.hooks.network import NETWORK_HOOKS

    for connection in get_provider_info()["connection-types"]:
        module, _, name = connection["hook-class-name"].rpartition(".")
        hook_class = getattr(__import__(module, fromlist=[name]), name)
        assert issubclass(hook_class, BaseHook)
        assert hook_class.conn_type == connection["connection-type"]
        assert hook_class.hook_name == connection["hook-name"]
        network = next(n for n in NETWORKS if SPECS[n].conn_type == hook_class.conn_type)
        assert NETWORK_HOOKS[network] is hook_class
        hook = hook_class(conn_id="brand_account")  # how the UI's "Test" button builds it
        assert (hook.network, hook.conn_id) == (network, "brand_account")
        assert hook_class().conn_id == SPECS[network].default_conn_id


def test_airflow_discovers_socialops_as_an_installed_provider():
    names = {e.value for e in entry_points(group="apache_airflow_provider")}
    assert "socialops.provider:get_provider_info" in names, (
        "socialops is not installed as a distribution: run `make venv` (it installs it editable)"
    )
    from airflow.providers_manager import ProvidersManager
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    manager = ProvidersManager()  # what the API server's connection form reads
    assert "socialops" in manager.providers
    runtime = ProvidersManagerTaskRuntime()  # what a task resolves a connection type with
    for network in NETWORKS:
        hook = runtime.hooks.get(SPECS[network].conn_type)
        assert hook is not None and hook.hook_name == f"{SPECS[network].display_name} (socialops)"
    widgets = manager.connection_form_widgets
    assert "extra__facebook__page_id" in widgets
    assert widgets["extra__x__consumer_secret"].is_sensitive
