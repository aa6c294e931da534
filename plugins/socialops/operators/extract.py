"""Operators that extract one owned account's metrics of one day into the warehouse.

Thin wrappers of :class:`socialops.metrics.AccountExtraction`: the hook gives the
adapter, the service reads the API, checks the rows and loads them; the task returns a small
summary (counts, API calls) for XCom. Meant to be mapped over the accounts of a network::

    MetricsExtractOperator.partial(task_id="extract_x", network="x", pool="socialops_x")
    .expand_kwargs(plan["x"])

What the task's end state means:

* success: the day is loaded (quarantined rows, if any, are in ``alerts`` and reported);
* ``AirflowException`` (Airflow retries): a transient network error or a rate limit;
* ``AirflowFailException`` (no retry): a person or the calendar must act: a spent daily
  quota (YouTube ``quotaExceeded``: rerun after the reset), an expired token, an account
  that does not exist. Either way the failure is also recorded as an ``extraction_failure``
  alert for the run's Slack report, and the other accounts and networks are unaffected.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from socialops.operators.base import NetworkOperator

log = logging.getLogger(__name__)


class MetricsExtractOperator(NetworkOperator):
    """Extract, check and load the metrics of ``account`` on ``network`` for one day.

    :param account: the owned account's handle, as in the brand configuration.
    :param network: x, youtube, facebook, instagram or linkedin.
    :param conn_id: the network's Airflow connection (default ``<network>_default``).
    :param day: ISO date to load; default the brand-local day the run's data interval
        starts on (the run at 03:30 on the 21st loads the 20th).
    :param lookback_days: how many days of posts to re-read; default
        ``metrics.lookback_days[network]`` of the configuration.
    :param account_id: the network's id of the account (``accounts[].id`` of the
        configuration), when known: the network is asked by id, not by handle.
    """

    template_fields: Sequence[str] = ("account", "conn_id", "day")
    ui_color = "#e8f6f3"

    def __init__(
        self,
        *,
        account: str,
        network: str,
        conn_id: str | None = None,
        day: str | None = None,
        lookback_days: int | None = None,
        account_id: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(network=network, conn_id=conn_id, **kwargs)
        self.account = account
        self.day = day
        self.lookback_days = lookback_days
        self.account_id = account_id

    def execute(self, context: Any) -> dict[str, Any]:
        from socialops.metrics import tasks
        from socialops.networks.errors import NetworkError
        from socialops.notifications.callbacks import NotifiedFailure, NotifiedRetry
        from socialops.runtime import current_run

        run = current_run()
        day = tasks.run_day(run, context.get("data_interval_start"), self.day)
        try:
            return tasks.extract_account(
                run,
                self.network_name,
                self.account,
                day,
                self.hook.get_adapter,
                conn_id=self.conn_id,
                lookback_days=self.lookback_days,
                account_id=self.account_id,
            )
        except NetworkError as exc:
            # Recorded as an alert: the run's report task announces it in Slack.
            message = f"{self.network_name} {self.account}, {day.isoformat()}: {exc}"
            if exc.retryable:
                raise NotifiedRetry(message) from exc
            raise NotifiedFailure(message) from exc
