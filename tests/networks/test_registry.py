"""Every network of the registry is complete: adapter, emulator, docs page, adapter tests and a
test world. A spec missing one of them fails here, with what is missing and where it goes.

The rules, for a spec whose adapter is ``socialops.networks.<package>.<module>:<Class>``:

* the adapter class imports, is a :class:`NetworkAdapter`, and its ``network`` is the spec's;
* the emulator (``load_attribute(name, "emulator")``) imports and serves the spec's network;
* ``docs/networks/<name>.md`` exists;
* the adapter's tests mirror its module, ``tests/networks/<package>/test_<module>.py``, and
  name the network (its adapter class, or its name in quotes);
* a test world ``tests/support/<package>_world.py`` holds accounts of the network (its name
  in quotes).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from socialops.networks import NetworkAdapter
from socialops.networks.registry import SPECS, X, load_attribute
from socialops.networks.spec import NetworkSpec

REPO = Path(__file__).resolve().parents[2]


def problems(spec: NetworkSpec, root: Path = REPO) -> list[str]:
    """What ``spec``'s network lacks, one sentence each; empty when it is complete."""
    found = []
    module, _, class_name = spec.adapter.partition(":")
    try:
        adapter = load_attribute(spec.name, "adapter")
    except (ImportError, AttributeError) as exc:
        found.append(f"adapter {spec.adapter} does not import: {exc}")
    else:
        if not (isinstance(adapter, type) and issubclass(adapter, NetworkAdapter)):
            found.append(f"adapter {spec.adapter} is not a NetworkAdapter")
        elif adapter.network != spec.name:
            found.append(f"adapter {spec.adapter} serves {adapter.network!r}, not {spec.name!r}")
    try:
        emulator = load_attribute(spec.name, "emulator")
    except (ImportError, AttributeError) as exc:
        found.append(f"emulator {spec.emulator} does not import: {exc}")
    else:
        if getattr(emulator, "network", None) != spec.name:
            served = getattr(emulator, "network", None)
            found.append(f"emulator {spec.emulator} serves {served!r}, not {spec.name!r}")
    if not (root / spec.docs).is_file():
        found.append(f"no docs page {spec.docs}")
    parts = module.split(".")
    package = parts[2] if len(parts) > 3 else ""
    tests = root / "tests" / "networks" / package / f"test_{parts[-1]}.py"
    named = (class_name, f'"{spec.name}"')
    if not package or not tests.is_file():
        found.append(f"no adapter tests {tests.relative_to(root)}")
    elif not any(name in tests.read_text() for name in named):
        found.append(f"{tests.relative_to(root)} names neither {class_name} nor {named[1]}")
    world = root / "tests" / "support" / f"{package}_world.py"
    if not world.is_file():
        found.append(f"no test world {world.relative_to(root)}")
    elif f'"{spec.name}"' not in world.read_text():
        found.append(f"{world.relative_to(root)} has no {spec.name} account")
    return found


@pytest.mark.parametrize("name", list(SPECS))
def test_every_network_has_its_adapter_emulator_docs_tests_and_world(name):
    assert problems(SPECS[name]) == []


@pytest.fixture
def registered(monkeypatch):
    """Registers a spec for the duration of a test."""

    def register(spec: NetworkSpec) -> NetworkSpec:
        monkeypatch.setitem(SPECS, spec.name, spec)
        return spec

    return register


def test_a_spec_naming_what_does_not_exist_lacks_everything(registered):
    spec = registered(
        dataclasses.replace(
            X,
            name="tiktok",
            adapter="socialops.networks.tiktok.adapter:TikTokAdapter",
            emulator="socialops.sandbox.tiktok_api:TikTokEmulator",
        )
    )
    assert problems(spec) == [
        "adapter socialops.networks.tiktok.adapter:TikTokAdapter does not import: "
        "No module named 'socialops.networks.tiktok'",
        "emulator socialops.sandbox.tiktok_api:TikTokEmulator does not import: "
        "No module named 'socialops.sandbox.tiktok_api'",
        "no docs page docs/networks/tiktok.md",
        "no adapter tests tests/networks/tiktok/test_adapter.py",
        "no test world tests/support/tiktok_world.py",
    ]


def test_a_spec_borrowing_another_networks_classes_is_caught(registered):
    spec = registered(dataclasses.replace(X, name="mastodon"))
    assert problems(spec) == [
        f"adapter {X.adapter} serves 'x', not 'mastodon'",
        f"emulator {X.emulator} serves 'x', not 'mastodon'",
        "no docs page docs/networks/mastodon.md",
        # (its tests are X's, which test XAdapter: the adapter line above says what is wrong)
        "tests/support/x_world.py has no mastodon account",
    ]


def test_a_class_that_is_no_adapter_is_caught(registered):
    spec = registered(dataclasses.replace(X, adapter="socialops.networks.spec:NetworkSpec"))
    assert (
        problems(spec)[0] == "adapter socialops.networks.spec:NetworkSpec is not a NetworkAdapter"
    )


def test_each_piece_is_checked_on_its_own(tmp_path):
    """The real X spec in an empty tree: only the files are missing."""
    assert problems(X, root=tmp_path) == [
        "no docs page docs/networks/x.md",
        "no adapter tests tests/networks/x/test_adapter.py",
        "no test world tests/support/x_world.py",
    ]
    (tmp_path / "docs" / "networks").mkdir(parents=True)
    (tmp_path / "docs" / "networks" / "x.md").write_text("# X\n")
    (tmp_path / "tests" / "networks" / "x").mkdir(parents=True)
    (tmp_path / "tests" / "networks" / "x" / "test_adapter.py").write_text("def test(): ...\n")
    (tmp_path / "tests" / "support").mkdir(parents=True)
    (tmp_path / "tests" / "support" / "x_world.py").write_text('ACCOUNT = "x"\n')
    assert problems(X, root=tmp_path) == [
        'tests/networks/x/test_adapter.py names neither XAdapter nor "x"'
    ]
