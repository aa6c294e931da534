"""Airflow hooks: the only place that reads Airflow connections.

* :class:`NetworkHook` (``NetworkHook("x", conn_id)``): connection → network adapter;
  :func:`connect` is the one-liner.
"""

from __future__ import annotations

from socialops.hooks.network import NetworkHook, connect, settings_from_connection

__all__ = ["NetworkHook", "connect", "settings_from_connection"]
