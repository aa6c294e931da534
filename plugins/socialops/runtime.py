"""What every task body starts from: the brand configuration, the warehouse, and the time.

A DAG's ``@task`` is one line: ``return tasks.sync_calendar(current_run(params))``. The
feature's ``tasks.py`` receives a :class:`Run` and never looks Airflow up itself, so a test
builds a ``Run`` from a configuration, an engine and a frozen time (and fakes for the two
Airflow lookups) and calls the same function the DAG calls.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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


def interval_day(run: Run, moment: datetime | None, day: str | None = None) -> date:
    """The day a run owns: ``day`` when given (an ISO date, e.g. an operator's ``day``),
    else the brand-local date of ``moment``, the edge of its data interval the DAG counts
    from (never the clock, so a rerun owns the same day)."""
    from zoneinfo import ZoneInfo

    if day and day != "None":
        return date.fromisoformat(day)
    if moment is None:
        raise ValueError(
            "this run has no data interval (a manual run without a logical date): pass "
            "the day, or trigger it with a logical date"
        )
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone; Airflow passes aware datetimes")
    return moment.astimezone(ZoneInfo(run.config.brand.timezone)).date()


def parse_as_of(value: str | None) -> datetime | None:
    """The ``as_of`` param as an aware time (no zone means UTC); None when not given."""
    if value in (None, "", "None"):
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


#: The deployment setting that lets a run act at another time than the wall clock (``as_of``):
#: set by the local sandbox environment (demo, tests), never in production.
ALLOW_AS_OF_VAR = "SOCIALOPS_ALLOW_AS_OF"
#: Without that setting, how far ``as_of`` may be from the wall clock (a run triggered with
#: "now" written by hand, or a clock a little ahead).
AS_OF_TOLERANCE = timedelta(minutes=5)


class AsOfRefused(ValueError):
    """``as_of`` would make a production run act at another time than now."""


def acting_time(as_of: datetime | None, now: datetime) -> datetime:
    """The time a run acts at: ``now``, or ``as_of`` where the deployment allows it.

    Publication is about real time (is it due, is it too late): with ``as_of`` three days
    ahead anybody allowed to trigger the DAG could publish early and mark the posts in
    between missed, and rerunning an old run would act in the past. So outside the sandbox
    ``as_of`` is refused unless it is within a few minutes of the wall clock.
    """
    if as_of is None:
        return now
    if os.environ.get(ALLOW_AS_OF_VAR, "").strip().lower() in {"1", "true", "yes", "on"}:
        return as_of
    if abs(as_of - now) <= AS_OF_TOLERANCE:
        return now
    raise AsOfRefused(
        f"as_of={as_of.isoformat()} is {abs(as_of - now)} away from the wall clock "
        f"({now.isoformat(timespec='seconds')}); as_of is for the sandbox (demos, tests). "
        f"Trigger the run without as_of, or set {ALLOW_AS_OF_VAR}=true in a deployment that "
        "talks to the sandbox only."
    )


def current_run(params: Mapping[str, Any] | None = None) -> Run:
    """The :class:`Run` of the task being executed: ``$SOCIALOPS_CONFIG``, the warehouse of
    the connection ``socialops_warehouse``, and the wall clock (or the ``as_of`` param where
    the deployment allows it, see :func:`acting_time`)."""
    from airflow.sdk.exceptions import AirflowFailException

    from socialops.config import ConfigError, load_config
    from socialops.hooks.warehouse import warehouse_engine

    try:
        config = load_config()
        now = acting_time(parse_as_of((params or {}).get("as_of")), datetime.now(UTC))
    except (ConfigError, AsOfRefused) as exc:
        # Retrying cannot help: fail now, with the error that says what to fix.
        raise AirflowFailException(str(exc)) from exc
    return Run(config, warehouse_engine(), now)


__all__ = [
    "ALLOW_AS_OF_VAR",
    "AsOfRefused",
    "Run",
    "acting_time",
    "airflow_connection_settings",
    "airflow_variable",
    "current_run",
    "interval_day",
    "parse_as_of",
]
