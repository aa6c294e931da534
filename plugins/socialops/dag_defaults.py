"""What every socialops DAG shares: owner, retry policy, failure alert, tags.

DAG files stay thin: ``@dag(default_args=default_args(), tags=tags("publication"), ...)``.

``SOCIALOPS_TASK_RETRIES`` and ``SOCIALOPS_RETRY_DELAY_SECONDS`` override the retry policy of
every task: the demo and the tests run ``airflow dags test``, which really waits between retries.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

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
