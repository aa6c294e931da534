"""The layers hold without exceptions (docs/architecture.md): read from the imports.

DAG → operator → hook → network adapter → SDK; features call shared packages, never the
other way round; no package imports one that imports it back.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from socialops.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "plugins" / "socialops"
DAGS = PROJECT_ROOT / "dags"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _package_of(path: Path) -> str:
    """``socialops.<top package>`` of a file (``socialops.cli`` for top-level modules)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:2]) if len(parts) > 2 else ".".join(parts)


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        source = _package_of(path)
        for module in _imports(path):
            if module.startswith("socialops."):
                target = ".".join(module.split(".")[:2])
                if target != source:
                    edges[source].add(target)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_packages():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


#: package → what it must never import (prefixes).
FORBIDDEN = {
    "socialops.networks": ("airflow", "socialops.hooks", "socialops.operators"),
    "socialops.analytics": ("airflow", "socialops.hooks", "socialops.operators"),
    "socialops.warehouse": ("airflow", "socialops.hooks"),
    "socialops.calendar": ("airflow", "socialops.hooks", "tweepy", "googleapiclient"),
    "socialops.config": ("airflow", "socialops.hooks"),
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_pure_layers_import_no_airflow_and_no_hook(package):
    root = PACKAGE / package.split(".")[1]
    for path in root.rglob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(FORBIDDEN[package])}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_services_open_no_airflow_connection():
    """A feature's service and store take what they need (adapters, engines) as arguments."""
    for path in [*PACKAGE.rglob("service.py"), *PACKAGE.rglob("store.py")]:
        bad = {m for m in _imports(path) if m.startswith(("airflow", "socialops.hooks"))}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_dag_files_build_no_connection_settings():
    for path in DAGS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("BaseHook", "settings_from_connection", "ConnectionSettings", "get_engine"):
            assert name not in text, f"dags/{path.name} uses {name}: let the feature's tasks do it"
