"""The operator that publishes a chunk of planned publications, each exactly once, on any
network.

They are thin: the protocol lives in :func:`socialops.publishing.service.publish_chunk` and
the state in the warehouse's ``publications`` ledger, so a task retry, an overlapping run or
a rerun of an old run is safe by construction. Meant to be mapped over what the ``plan``
task returns::

    PublishOperator.partial(task_id="publish_x", network="x", pool="socialops_x")
    .expand_kwargs(plan["x"])  # [{"publication_ids": [...], "conn_id", "entries"}, ...]

One task instance publishes a chunk (``publication.chunk_size`` posts of one connection, with
one adapter). What its end state means (also in ``docs/exactly-once.md``), the worst of its
posts deciding:

* success: published, reconciled, already done by another run, missed (announced in
  Slack), paused, or **waiting for a rate-limit reset** (the publication stays ``pending``
  with its ``retry_at``; the next run after the reset publishes it — a worker never sleeps
  through a rate-limit window);
* ``AirflowException`` (Airflow retries): a transient error, or an answer that never came
  (``unconfirmed``; the retry reconciles with the network before posting again);
* ``NotifiedFailure``, an ``AirflowFailException`` (no retry): a person must act (token to
  renew, content refused); the generic task-failure alert stays quiet because
  the reason and the action are in Slack.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from socialops.operators.base import NetworkOperator

if TYPE_CHECKING:  # the service pulls in the warehouse: imported when a task runs
    from socialops.publishing.service import Outcome

log = logging.getLogger(__name__)


class PublishOperator(NetworkOperator):
    """Publish the publications ``publication_ids`` (rows of the ledger, one connection's)
    on ``network``, one after the other with one adapter.

    :param publication_ids: ids in the ``publications`` table (a chunk of the ``plan`` task).
    :param network: x, youtube, facebook, instagram or linkedin.
    :param conn_id: the network's Airflow connection (default ``<network>_default``).
    :param as_of: ISO time to act at instead of now (where the deployment allows it,
        see :func:`socialops.runtime.acting_time`).
    :param entries: the chunk's entries, to name the mapped task in the UI.
    """

    template_fields: Sequence[str] = ("publication_ids", "conn_id", "as_of", "entries")
    ui_color = "#d6eaf8"

    def __init__(
        self,
        *,
        publication_ids: Sequence[int | str],
        network: str,
        conn_id: str | None = None,
        as_of: str | None = None,
        entries: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(network=network, conn_id=conn_id, **kwargs)
        self.publication_ids = publication_ids
        self.as_of = as_of
        self.entries = entries

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowException

        from socialops.notifications.callbacks import NotifiedFailure
        from socialops.publishing import tasks
        from socialops.runtime import current_run

        ti = context["ti"]
        owner = f"{ti.dag_id}/{ti.run_id}/{ti.task_id}[{ti.map_index}]#{ti.try_number}"
        run = current_run({"as_of": self.as_of})
        ids = [int(publication_id) for publication_id in self.publication_ids]
        outcomes = tasks.publish(run, ids, self.hook.get_adapter, owner=owner)
        for outcome in outcomes:
            log.info(
                "Publication %s: %s (%s)", outcome.publication_id, outcome.state, outcome.detail
            )
        states = Counter(outcome.state for outcome in outcomes)
        log.info("Chunk of %d: %s", len(outcomes), dict(states))
        # A retry publishes what can still go out (the published ones are skipped); those
        # waiting for a person are settled and already announced.
        if retry := [o for o in outcomes if o.retryable]:
            raise AirflowException(_failure(retry, len(outcomes)))
        if notified := [o for o in outcomes if o.needs_person]:
            # publish_chunk queued the actionable notice (reason and fix) for each of them.
            raise NotifiedFailure(_failure(notified, len(outcomes)))
        return {"states": dict(states), "publications": [o.as_xcom() for o in outcomes]}


def _failure(outcomes: list[Outcome], chunk: int) -> str:
    first = outcomes[0]
    more = f" (and {len(outcomes) - 1} more of the chunk's {chunk})" if len(outcomes) > 1 else ""
    return f"publication {first.publication_id}: {first.detail}{more}"
