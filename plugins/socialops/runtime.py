"""What every task body starts from: the brand configuration, the warehouse, and the time.

A DAG's ``@task`` is one line: ``return tasks.sync_calendar(current_run(params))``. The
feature's ``tasks.py`` receives a :class:`Run` and never looks Airflow up itself, so a test
builds a ``Run`` from a configuration, an engine and a frozen time (and fakes for the two
Airflow lookups) and calls the same function the DAG calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from socialops.config.schema import BrandConfig
    from socialops.networks.base import ConnectionSettings


def airflow_variable(name: str) -> str | None:
    """An Airflow Variable's value, or None when it is not set."""
    from airflow.sdk import Variable

    return Variable.get(name, default=None)


def airflow_connection_settings(conn_id: str) -> ConnectionSettings:
    """An Airflow connection as adapter settings (see :mod:`socialops.hooks`)."""
    from airflow.sdk import BaseHook

    from socialops.hooks import settings_from_connection

    return settings_from_connection(BaseHook.get_connection(conn_id))


@dataclass(frozen=True)
class Run:
    """One task's world: the configuration, the warehouse, the time it acts at."""

    config: BrandConfig
    engine: Engine
    now: datetime
    #: ``variable(name)``: an Airflow Variable (the publication pause).
    variable: Callable[[str], str | None] = field(default=airflow_variable, repr=False)
    #: ``connection(conn_id)``: an Airflow connection as adapter settings.
    connection: Callable[[str], ConnectionSettings] = field(
        default=airflow_connection_settings, repr=False
    )


def parse_as_of(value: str | None) -> datetime | None:
    """The ``as_of`` param as an aware time (no zone means UTC); None when not given."""
    if value in (None, "", "None"):
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def current_run(params: Mapping[str, Any] | None = None) -> Run:
    """The :class:`Run` of the task being executed: ``$SOCIALOPS_CONFIG``, the warehouse of
    the connection ``socialops_warehouse``, and the wall clock (or the ``as_of`` param)."""
    from socialops.config import load_config
    from socialops.hooks.warehouse import warehouse_engine

    as_of = parse_as_of((params or {}).get("as_of"))
    return Run(load_config(), warehouse_engine(), as_of or datetime.now(UTC))


__all__ = [
    "Run",
    "airflow_connection_settings",
    "airflow_variable",
    "current_run",
    "parse_as_of",
]
