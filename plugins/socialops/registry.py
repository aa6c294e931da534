"""Lazy registries: a name maps to ``"module:Attribute"``, imported on first use.

The adapters, hooks and sandbox emulators are registered this way so that importing
``socialops`` (as every DAG file does) never pays for tweepy or googleapiclient.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
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
