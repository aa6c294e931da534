"""The task bodies of ``publish_posts``: one function per task, each a plain function of a
:class:`~socialops.runtime.Run` returning a small dict for XCom.

The order of a run: :func:`sync_calendar` → :func:`plan` (the pause, missed posts, what is
due per network) → :func:`publish` for each due publication (the operator) → the outbox's
delivery (:func:`socialops.notifications.tasks.deliver_outbox`). The logic is in
:mod:`.service`; this module only wires the run's configuration, warehouse and Airflow
lookups into it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from socialops.networks.base import NetworkAdapter
from socialops.publishing.messages import PublicationNotices
from socialops.publishing.pause import pause_reason, pause_state
from socialops.publishing.service import (
    REMOVAL_CONFIRMATION_VARIABLE,
    Outcome,
    media_root,
    plan_due,
    publish_one,
    sync,
)
from socialops.publishing.store import PublicationLedger
from socialops.runtime import Run

log = logging.getLogger(__name__)


def sync_calendar(run: Run) -> dict[str, object]:
    """Read the calendar (CSV or Google Sheet), validate it, sync it into the ledger.

    The warehouse is migrated first if needed (about 0.3 s when it is up to date), so that
    a new deployment publishes without a separate set-up step.
    """
    from socialops.warehouse.engine import ensure_schema

    ensure_schema(run.engine)
    return sync(
        run.config,
        run.engine,
        now=run.now,
        sheet_settings=run.connection,
        confirmed_removal=run.variable(REMOVAL_CONFIRMATION_VARIABLE),
    ).as_dict()


def plan(run: Run, network: str) -> list[dict]:
    """What the network's publish task maps over (see :func:`.service.plan_due`).

    Each network's plan task also does the run's shared steps, which are idempotent: the
    first to run marks every past-grace post missed, and the pause notice (one for all
    networks) is written once whichever task writes it.
    """
    paused = pause_state(run.config, run.variable)
    return plan_due(run.config, run.engine, now=run.now, paused=paused)[network]


def publish(
    run: Run, publication_id: int, adapter: Callable[[], NetworkAdapter], *, owner: str
) -> Outcome:
    """Publish one publication exactly once (:func:`.service.publish_one`), unless someone
    paused publication since the plan was made."""
    paused = pause_reason(run.config, run.variable)
    if paused:
        log.warning("Publication %s not attempted: %s", publication_id, paused)
        return Outcome(publication_id, "paused", paused)
    return publish_one(
        PublicationLedger(run.engine),
        publication_id,
        adapter,
        owner=owner,
        now=run.now,
        grace=timedelta(minutes=run.config.publication.grace_minutes),
        notices=PublicationNotices.for_brand(run.config),
        media_root=media_root(run.config),
    )
