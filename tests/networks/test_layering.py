"""The network layer's boundaries, read from its source (every module, recursively).

* It imports nothing of Airflow, of the layers above it (hooks, operators) nor of any feature
  (warehouse, publishing, calendar, metrics, notifications, sandbox...): within socialops it
  may import only ``socialops.networks``, the lazy loader ``socialops.registry`` and
  ``socialops.i18n`` (sentences for people, importing nothing).
* Only ``base.py`` reads ``settings.extras``: adapters read their typed extras, once.
* Importing the package, its registry or X's content limits loads no SDK (DAG files and the
  calendar import them at parse time).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import socialops.networks

NETWORKS = Path(socialops.networks.__file__).parent
#: What the network layer may import from socialops.
ALLOWED = ("socialops.networks", "socialops.registry", "socialops.i18n")
#: Named in the failure message: the layers and features it must never reach.
FORBIDDEN = (
    "airflow",
    "socialops.hooks",
    "socialops.operators",
    "socialops.warehouse",
    "socialops.publishing",
)


def imported_modules(tree: ast.AST, module: str) -> list[str]:
    """The modules an AST imports, relative imports resolved against ``module``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                found.append(".".join(base + ([node.module] if node.module else [])))
            else:
                found.append(node.module or "")
    return found


def layer_violations(root: Path, package: str) -> list[str]:
    """``path imports module`` for every import under ``root`` that leaves the layer."""
    violations = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).with_suffix("")
        module = ".".join([package, *relative.parts])
        for name in imported_modules(ast.parse(path.read_text()), module):
            outside_socialops = not name.startswith("socialops") and name.split(".")[0] != "airflow"
            allowed = any(name == a or name.startswith(a + ".") for a in ALLOWED)
            if not (outside_socialops or allowed):
                violations.append(f"{path.relative_to(root)} imports {name}")
    return violations


def extras_readers(root: Path) -> list[str]:
    """``path:line`` of every ``<x>.settings.extras`` / ``settings.extras`` / ``.secret()`` read
    outside ``base.py``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root) == Path("base.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Attribute) or node.attr not in ("extras", "secret"):
                continue
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "settings":
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return sorted(found)


def test_the_network_layer_imports_no_airflow_no_upper_layer_and_no_feature():
    assert layer_violations(NETWORKS, "socialops.networks") == []
    assert len(list(NETWORKS.rglob("*.py"))) > 20  # every module, sub-packages included


def test_a_forbidden_import_is_found_at_any_depth(tmp_path):
    deep = tmp_path / "meta" / "sub"
    deep.mkdir(parents=True)
    (tmp_path / "base.py").write_text("import airflow.sdk\nfrom socialops.networks import x\n")
    (deep / "mod.py").write_text(
        "from socialops.hooks import connect\n"
        "def f():\n"
        "    from socialops.warehouse.engine import session_scope\n"
        "    from socialops.calendar import sources\n"
        "from ... import records\n"
        "import requests, socialops.registry\n"
    )
    assert layer_violations(tmp_path, "socialops.networks") == [
        "base.py imports airflow.sdk",
        "meta/sub/mod.py imports socialops.hooks",
        "meta/sub/mod.py imports socialops.warehouse.engine",
        "meta/sub/mod.py imports socialops.calendar",
    ]
    features = ("socialops.metrics", "socialops.notifications")
    (tmp_path / "base.py").write_text("".join(f"import {m}\n" for m in FORBIDDEN + features))
    (deep / "mod.py").unlink()
    assert layer_violations(tmp_path, "socialops.networks") == [
        f"base.py imports {m}" for m in FORBIDDEN + features
    ]


def test_only_the_base_reads_the_connection_extras():
    assert extras_readers(NETWORKS) == []


def test_a_deeper_extras_read_is_found(tmp_path):
    (tmp_path / "base.py").write_text("v = self.settings.extras['a']\n")
    (tmp_path / "x.py").write_text(
        "a = self.settings.extras.get('timeout')\n"
        "b = settings.secret('token')\n"
        "c = self.extras.timeout\n"
    )
    assert extras_readers(tmp_path) == ["x.py:1", "x.py:2"]


def test_the_package_registry_and_x_limits_load_no_sdk():
    code = (
        "import sys, socialops.networks, socialops.networks.registry, socialops.networks.x.limits\n"
        "import socialops.networks.meta, socialops.networks.youtube, socialops.networks.linkedin\n"
        "loaded = [m for m in ('tweepy', 'googleapiclient', 'google.oauth2', 'requests')"
        " if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    plugins = str(NETWORKS.parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": plugins},
    )
    assert result.stdout.strip() == ""
