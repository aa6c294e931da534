"""Airflow Assets shared by the DAGs: the producer declares them as outlets, consumers
schedule on them (``@dag(schedule=[DAILY_METRICS])``)."""

from __future__ import annotations

from airflow.sdk import Asset

#: The warehouse's daily metric tables (``post_metrics_daily``, ``account_metrics_daily``,
#: ``campaign_spend_daily``) and their KPI views, updated by ``nightly_metrics`` when a run
#: loaded every account. The event's ``extra`` holds the day loaded (``{"day": "2026-11-20"}``).
#: The scheme starts with ``x-``, Airflow's convention for schemes no provider handles: Airflow
#: then leaves the URI as it is instead of loading every provider's URI normaliser (about
#: 60 ms of every DAG file's parse time).
DAILY_METRICS = Asset("x-socialops://warehouse/daily_metrics")
