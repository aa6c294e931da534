"""What every socialops DAG shares: owner, retry policy, failure alert, tags, schedules.

DAG files stay thin: ``@dag(schedule=dag_settings().publication_schedule,
default_args=default_args(), tags=tags("publication"), ...)``.

A broken brand configuration never makes a DAG disappear: :func:`dag_settings` reads only
the schedules and the time zone from the YAML, falls back to the defaults for any value it
cannot use (logging why), and the runs then fail at their first task with the
configuration's full error (field, value, fix), which the failure callback sends to Slack.

``SOCIALOPS_TASK_RETRIES`` and ``SOCIALOPS_RETRY_DELAY_SECONDS`` override the retry policy of
every task: the demo and the tests run ``airflow dags test``, which really waits between retries.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from socialops.config import defaults
from socialops.config.rules import (
    clock_time_problem,
    queue_of,
    queues_problem,
    schedule_problem,
    timezone_problem,
)

log = logging.getLogger(__name__)

OWNER = "socialops"


def default_args(**overrides: Any) -> dict[str, Any]:
    from socialops.notifications.callbacks import task_failure_alert

    args: dict[str, Any] = {
        "owner": OWNER,
        "retries": int(os.environ.get("SOCIALOPS_TASK_RETRIES", 2)),
        "retry_delay": timedelta(
            seconds=float(os.environ.get("SOCIALOPS_RETRY_DELAY_SECONDS", 120))
        ),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
        "on_failure_callback": task_failure_alert,
    }
    args.update(overrides)
    return args


def tags(*extra: str) -> list[str]:
    return ["socialops", *extra]


def deliver_notifications():
    """The delivery task of a DAG, ``deliver_notifications``: sends the outbox to Slack
    (:func:`socialops.notifications.tasks.deliver_outbox`) whatever became of the tasks
    before it (trigger rule ``all_done``), so what they reported goes out even when they
    failed. Wire it downstream of the tasks that write notices."""
    from airflow.sdk import task

    @task(
        task_id="deliver_notifications",
        trigger_rule="all_done",
        execution_timeout=timedelta(minutes=10),
    )
    def deliver_notifications() -> dict:
        from socialops.notifications.tasks import deliver_outbox
        from socialops.runtime import current_run

        return deliver_outbox(current_run())

    return deliver_notifications()


def fail_run_if_a_task_failed(dag_id: str):
    """The last task of a DAG: it runs only when a task of the run failed, and fails itself,
    so the run ends failed. Without it a run whose notifications went out (a leaf that
    succeeds even after failures, trigger rule ``all_done``) looks green while its
    publications or extractions failed. Wire it downstream of every other task."""
    from airflow.sdk import task

    @task(
        task_id="run_outcome",
        trigger_rule="one_failed",
        retries=0,
        execution_timeout=timedelta(minutes=1),
    )
    def run_outcome() -> None:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(
            f"a task of this {dag_id} run failed (see the failed tasks of the run); what "
            "it reported was delivered to Slack, and the run is marked failed so that it "
            "shows as such"
        )

    return run_outcome()


@dataclass(frozen=True)
class DagSettings:
    """The few configuration values a DAG file needs to build its structure."""

    publication_schedule: str = defaults.PUBLICATION_SCHEDULE
    metrics_schedule: str = defaults.METRICS_SCHEDULE
    listening_schedule: str = defaults.LISTENING_SCHEDULE
    competitor_watch_schedule: str = defaults.COMPETITOR_WATCH_SCHEDULE
    influencer_scoring_schedule: str = defaults.INFLUENCER_SCORING_SCHEDULE
    timezone: str = defaults.TIMEZONE
    digest_time: str = defaults.DIGEST_TIME
    weekly_schedule: str = defaults.WEEKLY_SCHEDULE
    #: ``deployment.queues``: false, true, or network → Celery queue.
    queues: bool | dict[str, str] = False
    #: Why a value fell back to its default (None: the configuration was read as written).
    problem: str | None = None

    def queue(self, network: str) -> str:
        """The Celery queue of ``network``'s tasks (Airflow's default queue unless
        ``deployment.queues`` routes the network)."""
        from airflow.sdk import BaseOperator

        return queue_of(self.queues, network) or BaseOperator.queue

    @property
    def digest_cron(self) -> str:
        """``reports.digest_time`` as a daily cron expression (brand-local)."""
        hour, minute = self.digest_time.split(":")
        return f"{int(minute)} {int(hour)} * * *"


def dag_settings() -> DagSettings:
    """The schedules and time zone of the brand configuration, or their defaults."""
    from socialops.config.loader import config_path

    path = config_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _settings(path, stamp)


def _queues(raw: dict, problems: list[str]) -> bool | dict[str, str]:
    from socialops.networks.registry import NETWORKS

    section = raw.get("deployment")
    value = section.get("queues", False) if isinstance(section, dict) else False
    problem = queues_problem(value, NETWORKS)
    if problem:
        problems.append(f"deployment.queues: {problem}")
        return False
    return value


@lru_cache(maxsize=8)
def _settings(path: Path, stamp: int | None) -> DagSettings:
    import yaml

    problems: list[str] = []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if stamp is not None else None
    except (OSError, yaml.YAMLError) as exc:
        raw, problems = None, [f"{path} cannot be read ({exc.__class__.__name__})"]
    if raw is None and not problems:
        problems.append(f"{path} not found")
    raw = raw if isinstance(raw, dict) else {}

    def value(section: str, key: str, default: str, check) -> str:
        found = (raw.get(section) or {}).get(key) if isinstance(raw.get(section), dict) else None
        if found is None:
            return default
        problem = check(found)
        if problem:
            problems.append(f"{section}.{key}: {problem}")
            return default
        return str(found)

    settings = DagSettings(
        publication_schedule=value(
            "publication", "schedule", defaults.PUBLICATION_SCHEDULE, schedule_problem
        ),
        metrics_schedule=value("metrics", "schedule", defaults.METRICS_SCHEDULE, schedule_problem),
        listening_schedule=value(
            "listening", "schedule", defaults.LISTENING_SCHEDULE, schedule_problem
        ),
        competitor_watch_schedule=value(
            "competitor_watch", "schedule", defaults.COMPETITOR_WATCH_SCHEDULE, schedule_problem
        ),
        influencer_scoring_schedule=value(
            "influencers", "schedule", defaults.INFLUENCER_SCORING_SCHEDULE, schedule_problem
        ),
        timezone=value("brand", "timezone", defaults.TIMEZONE, timezone_problem),
        digest_time=value("reports", "digest_time", defaults.DIGEST_TIME, clock_time_problem),
        weekly_schedule=value(
            "reports", "weekly_schedule", defaults.WEEKLY_SCHEDULE, schedule_problem
        ),
        queues=_queues(raw, problems),
        problem="; ".join(problems) or None,
    )
    if settings.problem:
        log.warning(
            "socialops DAGs use default schedules (%s); their runs will fail until the "
            "configuration is fixed",
            settings.problem,
        )
    return settings
