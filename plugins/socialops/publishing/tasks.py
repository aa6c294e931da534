"""The task bodies of ``publish_posts``: one function per task, each a plain function of a
:class:`~socialops.runtime.Run` returning a small dict for XCom.

The order of a run: :func:`sync_calendar` → :func:`plan` (the pause, missed posts, what is
due per network) → :func:`publish` for each chunk of due publications (the operator) → the outbox's
delivery (:func:`socialops.notifications.tasks.deliver_outbox`). The logic is in
:mod:`.service`; this module only wires the run's configuration, warehouse and Airflow
lookups into it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from socialops.networks.base import NetworkAdapter
from socialops.publishing.messages import PublicationNotices
from socialops.publishing.pause import pause_reason, pause_state
from socialops.publishing.service import (
    REMOVAL_CONFIRMATION_VARIABLE,
    Outcome,
    media_root,
    plan_due,
    publish_chunk,
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
    run: Run, publication_ids: list[int], adapter: Callable[[], NetworkAdapter], *, owner: str
) -> list[Outcome]:
    """Publish a chunk of publications exactly once each, with one adapter
    (:func:`.service.publish_chunk`), unless someone paused publication since the plan was
    made, or while the chunk is published (asked again every :data:`PAUSE_CHECK`). Each
    attempt acts at the run's time plus the time the chunk has taken so far."""
    paused = pause_reason(run.config, run.variable)
    if paused:
        log.warning("Publications %s not attempted: %s", publication_ids, paused)
        return [Outcome(publication_id, "paused", paused) for publication_id in publication_ids]
    started = time.monotonic()
    return publish_chunk(
        PublicationLedger(run.engine),
        publication_ids,
        adapter,
        owner=owner,
        clock=lambda: run.now + timedelta(seconds=time.monotonic() - started),
        grace=timedelta(minutes=run.config.publication.grace_minutes),
        notices=PublicationNotices.for_brand(run.config),
        media_root=media_root(run.config),
        paused=_pause_checker(run),
    )


#: How often a chunk asks the kill switch again (an Airflow Variable read) between posts.
PAUSE_CHECK = timedelta(seconds=5)


def _pause_checker(run: Run) -> Callable[[], str | None]:
    """``paused()``: the kill switch's reason, read at most every :data:`PAUSE_CHECK`."""
    last: dict[str, Any] = {"at": time.monotonic(), "reason": None}

    def paused() -> str | None:
        if last["reason"] is None and time.monotonic() - last["at"] >= PAUSE_CHECK.total_seconds():
            last["at"] = time.monotonic()
            last["reason"] = pause_reason(run.config, run.variable)
        return last["reason"]

    return paused
