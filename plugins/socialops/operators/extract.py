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
from datetime import date
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
        **kwargs: Any,
    ):
        super().__init__(network=network, conn_id=conn_id, **kwargs)
        self.account = account
        self.day = day
        self.lookback_days = lookback_days

    def run_day(self, context: Any, timezone: str) -> date:
        from socialops.metrics import metrics_day

        if self.day and self.day != "None":
            return date.fromisoformat(self.day)
        return metrics_day(context["data_interval_start"], timezone)

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from socialops.config import load_config
        from socialops.metrics import AccountExtraction, AccountTarget
        from socialops.metrics.store import record_failure
        from socialops.networks.errors import NetworkError
        from socialops.notifications.callbacks import NotifiedFailure, NotifiedRetry
        from socialops.warehouse.engine import get_engine

        config = load_config()
        day = self.run_day(context, config.brand.timezone)
        lookback = self.lookback_days or config.metrics.lookback_days.get(self.network_name)
        if not lookback:
            raise AirflowFailException(
                f"no lookback window for {self.network_name}: set metrics.lookback_days."
                f"{self.network_name} in the configuration"
            )
        target = AccountTarget(self.network_name, self.account, int(lookback), self.conn_id)
        engine = get_engine()
        try:
            adapter = self.hook.get_adapter()
            try:
                service = AccountExtraction(
                    adapter,
                    engine,
                    timezone=config.brand.timezone,
                    follower_change_pct=config.thresholds.data_quality.follower_change_pct,
                )
                result = service.run(target, day)
            finally:
                adapter.close()
        except Exception as exc:
            # Recorded for the run's Slack report whatever the error, then Airflow decides.
            record_failure(engine, self.network_name, self.account, day, exc)
            if isinstance(exc, NetworkError):
                # The run's report task announces the recorded failure in Slack.
                message = f"{target.label}, {day.isoformat()}: {exc}"
                if exc.retryable:
                    raise NotifiedRetry(message) from exc
                raise NotifiedFailure(message) from exc
            raise
        return result.summary()
