"""Lazy registries: a name maps to ``"module:Attribute"``, imported on first use.

The adapters, hooks and sandbox emulators are registered this way so that importing
``socialops`` (as every DAG file does) never pays for tweepy or googleapiclient.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def load(registry: Mapping[str, str], name: str, what: str) -> Any:
    """The object registered under ``name``; ``what`` names the registry in the error."""
    try:
        target = registry[name]
    except KeyError:
        raise ValueError(
            f"unknown {what} {name!r}; expected one of {', '.join(registry)}"
        ) from None
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def lazy_exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` (PEP 562) that imports each exported name from its module on
    first use: ``__getattr__ = lazy_exports(__name__, {"Name": "package.module"})``.

    DAG files import small modules of packages whose ``__init__`` would otherwise pull in
    pydantic, the network records or the SDKs at parse time.
    """

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
