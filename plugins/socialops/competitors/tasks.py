"""The task bodies of ``competitor_watch``: one function per task, each a plain function of a
:class:`~socialops.runtime.Run` (and the day the run owns) returning a small dict for XCom.

:func:`prepare_warehouse` → :func:`watch_network` for each network with competitors (the
operator of :mod:`socialops.operators.watch`) → :func:`report` (the moves of the day to the
outbox) → the outbox's delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from socialops.networks.base import NetworkAdapter
from socialops.runtime import Run

log = logging.getLogger(__name__)


def run_day(run: Run, data_interval_start: datetime | None, day: str | None = None) -> date:
    """The day a run owns: ``day`` when given, else the brand-local day its data interval
    starts on (the run at 06:30 on the 21st watches the 20th, as the nightly metrics)."""
    from socialops.runtime import interval_day

    return interval_day(run, data_interval_start, day)


def prepare_warehouse(run: Run) -> list[str]:
    """Migrate the warehouse if needed and (re)create the KPI views."""
    from socialops.warehouse.engine import ensure_schema
    from socialops.warehouse.views import create_kpi_views

    ensure_schema(run.engine)
    return create_kpi_views(run.engine, timezone=run.config.brand.timezone)


def watch_network(
    run: Run, network: str, day: date, adapter: Callable[[], NetworkAdapter]
) -> dict[str, Any]:
    """The day's profile figures and posts of the network's competitor accounts."""
    from socialops.competitors.service import NetworkWatch, targets_from_config
    from socialops.notifications.catalogue import Reader

    config = run.config
    targets = targets_from_config(config, network)
    if not targets:
        return {"network": network, "day": day.isoformat(), "watched": []}
    client = adapter()
    try:
        watch = NetworkWatch(
            client,
            run.engine,
            reader=Reader.for_brand(config),
            channel=config.slack.channels.digest,
            window_days=config.competitor_watch.window_days,
            retry_days=config.competitor_watch.retry_unreadable_days,
        )
        summary = watch.run(targets, day).summary()
    finally:
        client.close()
    log.info("competitor watch %s %s: %s", network, day, summary)
    return summary


def report(run: Run, day: date, summaries: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """The day's new moves to the digest channel, in one message; the API calls of the run."""
    from socialops.competitors.service import announce_moves
    from socialops.notifications.catalogue import Reader

    done = [s for s in summaries if s]
    calls = {s["network"]: s.get("api_calls_total", 0) for s in done}
    log.info("API calls of this run per network: %s", calls or "none")
    result = announce_moves(
        run.config,
        run.engine,
        day,
        now=run.now,
        reader=Reader.for_brand(run.config),
        channel=run.config.slack.channels.digest,
    )
    return {**result, "api_calls": calls}


def networks_watched(config: Any) -> list[str]:
    """The networks with at least one competitor account, in the registry's order."""
    from socialops.networks.registry import NETWORKS

    used = {a.network for c in config.competitors for a in c.accounts}
    return [n for n in NETWORKS if n in used]
