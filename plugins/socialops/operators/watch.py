"""The operators that read other accounts' public figures on one network for one day:
:class:`CompetitorWatchOperator` (competitor watch) and :class:`InfluencerScoringOperator`
(influencer scoring).

Thin wrappers of :class:`socialops.competitors.service.NetworkWatch` and
:class:`socialops.influencers.service.NetworkScoring`: the hook gives the adapter; the task
returns a small summary (accounts read, unreadable, API calls).

* success: the day's figures are loaded; accounts the network does not show are recorded
  and announced once (not a failure: retrying will not make them readable);
* ``AirflowException`` (Airflow retries): the network is down or rate limited;
* ``AirflowFailException``: a person must act (an expired token).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from socialops.operators.base import NetworkOperator


class _PublicLookupOperator(NetworkOperator):
    """One network, one day: the task body ``function`` of the feature's ``tasks`` module
    (which also says, with ``run_day``, which day a run owns)."""

    template_fields: Sequence[str] = ("conn_id", "day")
    ui_color = "#fdf2e9"
    what: str
    tasks_module: str
    function: str
    interval_edge: str

    def __init__(self, *, network: str, conn_id: str | None = None, day: str | None = None,
                 **kwargs: Any):  # fmt: skip
        super().__init__(network=network, conn_id=conn_id, **kwargs)
        self.day = day

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        from socialops.networks.errors import NetworkError
        from socialops.runtime import current_run

        tasks = importlib.import_module(self.tasks_module)
        run = current_run()
        day = tasks.run_day(run, context.get(self.interval_edge), self.day)
        try:
            body = getattr(tasks, self.function)
            return body(run, self.network_name, day, self.hook.get_adapter)
        except NetworkError as exc:
            message = f"{self.what} {self.network_name}, {day.isoformat()}: {exc}"
            if exc.retryable:
                raise AirflowException(message) from exc
            raise AirflowFailException(message) from exc


class CompetitorWatchOperator(_PublicLookupOperator):
    """Look up the competitor accounts of ``network`` and their posts of the window.

    :param network: x, youtube, facebook, instagram or linkedin.
    :param conn_id: the network's Airflow connection (default ``<network>_default``).
    :param day: ISO date to watch; default the brand-local day the run's data interval
        starts on.
    """

    what = "competitor watch"
    tasks_module, function = "socialops.competitors.tasks", "watch_network"
    interval_edge = "data_interval_start"


class InfluencerScoringOperator(_PublicLookupOperator):
    """Score the influencer candidates of ``network`` (profiles, recent posts, mentions).

    :param network: x, youtube, facebook, instagram or linkedin.
    :param conn_id: the network's Airflow connection (default ``<network>_default``).
    :param day: ISO date of the scoring; default the brand-local day the run's data
        interval ends on.
    """

    what = "influencer scoring"
    tasks_module, function = "socialops.influencers.tasks", "score_network"
    interval_edge = "data_interval_end"
