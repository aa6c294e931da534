"""Checks shared by the schema and the DAG files (which must not import the schema).

Each returns why a value is unusable, in words a person can act on, or None.
"""

from __future__ import annotations

import re

#: Airflow's cron presets (airflow.utils.dates.cron_presets).
CRON_PRESETS = ("@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly")


def schedule_problem(value: object) -> str | None:
    """Why ``value`` is not a schedule Airflow accepts (a 5-field cron or a preset such as
    ``@daily``), or None."""
    from croniter import croniter

    text = str(value).strip()
    if text in CRON_PRESETS:
        return None
    if len(text.split()) == 5 and croniter.is_valid(text):
        return None
    return (
        f"{text!r} is not a 5-field cron expression Airflow accepts; write one such as "
        "'*/5 * * * *' (minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6) or a "
        f"preset ({', '.join(CRON_PRESETS)})"
    )


def timezone_problem(value: object) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}; use an IANA name such as 'Europe/Paris' or 'UTC'"
    return None


def clock_time_problem(value: object) -> str | None:
    """Why ``value`` is not a time of day written ``HH:MM`` (24-hour clock), or None."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", str(value).strip())
    if match:
        return None
    return (
        f"{value!r} is not a time of day; write it HH:MM on a 24-hour clock, in quotes "
        "(YAML reads 8:00 as a number), e.g. '08:00'"
    )


def queues_problem(value: object, networks: tuple[str, ...]) -> str | None:
    """Why ``value`` is not a ``deployment.queues`` setting: true, false, or a mapping
    network → Celery queue name."""
    if isinstance(value, bool):
        return None
    if not isinstance(value, dict):
        return (
            f"got {value!r}; write true, false or a mapping network: queue, e.g. {{x: socialops_x}}"
        )
    for network, queue in value.items():
        if network not in networks:
            return f"unknown network {network!r}; expected one of {', '.join(networks)}"
        # `airflow celery worker --queues a,b` splits on commas: a name must survive that.
        if not isinstance(queue, str) or not re.fullmatch(r"[A-Za-z0-9_.\-]{1,100}", queue):
            return (
                f"{network}: {queue!r} is not a Celery queue name; use letters, digits, "
                "'_', '-' or '.', e.g. 'socialops_x'"
            )
    return None


def queue_of(queues: bool | dict[str, str], network: str) -> str | None:
    """The Celery queue of ``network``'s tasks under ``deployment.queues``; None: the default
    queue (Airflow's ``[operators] default_queue``)."""
    if queues is True:
        return f"socialops_{network}"
    if isinstance(queues, dict):
        return queues.get(network)
    return None
