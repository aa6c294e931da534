"""Airflow hooks: the only place that reads Airflow connections.

* :class:`NetworkHook` (``NetworkHook("x", conn_id)``): connection → network adapter;
  :func:`connect` is the one-liner.
* :mod:`.warehouse`: the warehouse's engine; :mod:`.slack`: sending to Slack.

Imported on first use, so that a DAG file importing an operator does not load the network
layer at parse time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialops.registry import lazy_exports

if TYPE_CHECKING:
    from socialops.hooks.network import NetworkHook, connect, settings_from_connection

__getattr__ = lazy_exports(
    __name__,
    {
        "NetworkHook": "socialops.hooks.network",
        "connect": "socialops.hooks.network",
        "settings_from_connection": "socialops.hooks.network",
    },
)

__all__ = ["NetworkHook", "connect", "settings_from_connection"]
