"""The operator that publishes one planned publication exactly once, on any network.

They are thin: the protocol lives in :func:`socialops.publishing.publish_one` and the state
in the warehouse's ``publications`` ledger, so a task retry, an overlapping run or a rerun of
an old run is safe by construction. Meant to be mapped over what the ``plan`` task returns::

    PublishOperator.partial(task_id="publish_x", network="x", pool="socialops_x")
    .expand_kwargs(plan["x"])

What the task's end state means (also in ``docs/exactly-once.md``):

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
from collections.abc import Sequence
from typing import Any

from socialops.operators.base import NetworkOperator

log = logging.getLogger(__name__)


class PublishOperator(NetworkOperator):
    """Publish the publication ``publication_id`` (a row of the ledger) on ``network``.

    :param publication_id: id in the ``publications`` table (from the ``plan`` task).
    :param network: x, youtube, facebook, instagram or linkedin.
    :param conn_id: the network's Airflow connection (default ``<network>_default``).
    :param as_of: ISO time to act at instead of now (where the deployment allows it,
        see :func:`socialops.runtime.acting_time`).
    :param entry_id: the calendar entry, to name the mapped task in the UI.
    """

    template_fields: Sequence[str] = ("publication_id", "conn_id", "as_of", "entry_id")
    ui_color = "#d6eaf8"

    def __init__(
        self,
        *,
        publication_id: int | str,
        network: str,
        conn_id: str | None = None,
        as_of: str | None = None,
        entry_id: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(network=network, conn_id=conn_id, **kwargs)
        self.publication_id = publication_id
        self.as_of = as_of
        self.entry_id = entry_id

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowException

        from socialops.notifications.callbacks import NotifiedFailure
        from socialops.publishing import tasks
        from socialops.runtime import current_run

        ti = context["ti"]
        owner = f"{ti.dag_id}/{ti.run_id}/{ti.task_id}[{ti.map_index}]#{ti.try_number}"
        run = current_run({"as_of": self.as_of})
        outcome = tasks.publish(run, int(self.publication_id), self.hook.get_adapter, owner=owner)
        log.info("Publication %s: %s (%s)", outcome.publication_id, outcome.state, outcome.detail)
        if outcome.needs_person:
            # publish_one queued the actionable notice (reason and fix) for this publication.
            raise NotifiedFailure(f"publication {outcome.publication_id}: {outcome.detail}")
        if outcome.retryable:
            raise AirflowException(f"publication {outcome.publication_id}: {outcome.detail}")
        return outcome.as_xcom()
