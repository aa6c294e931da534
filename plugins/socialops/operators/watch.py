"""The operator that watches one network's competitor accounts for one day.

A thin wrapper of :class:`socialops.competitors.service.NetworkWatch`: the hook gives the
adapter; the task returns a small summary (accounts watched, unreadable, API calls).

* success: the day's figures are loaded; accounts the network does not show are recorded
  and announced once (not a failure: retrying will not make them readable);
* ``AirflowException`` (Airflow retries): the network is down or rate limited;
* ``AirflowFailException``: a person must act (an expired token).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialops.operators.base import NetworkOperator


class CompetitorWatchOperator(NetworkOperator):
    """Look up the competitor accounts of ``network`` and their posts of the window.

    :param network: x, youtube, facebook, instagram or linkedin.
    :param conn_id: the network's Airflow connection (default ``<network>_default``).
    :param day: ISO date to watch; default the brand-local day the run's data interval
        starts on.
    """

    template_fields: Sequence[str] = ("conn_id", "day")
    ui_color = "#fdf2e9"

    def __init__(self, *, network: str, conn_id: str | None = None, day: str | None = None,
                 **kwargs: Any):  # fmt: skip
        super().__init__(network=network, conn_id=conn_id, **kwargs)
        self.day = day

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        from socialops.competitors import tasks
        from socialops.networks.errors import NetworkError
        from socialops.runtime import current_run

        run = current_run()
        day = tasks.run_day(run, context.get("data_interval_start"), self.day)
        try:
            return tasks.watch_network(run, self.network_name, day, self.hook.get_adapter)
        except NetworkError as exc:
            message = f"competitor watch {self.network_name}, {day.isoformat()}: {exc}"
            if exc.retryable:
                raise AirflowException(message) from exc
            raise AirflowFailException(message) from exc
