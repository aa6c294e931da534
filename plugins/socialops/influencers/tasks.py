"""The task bodies of ``influencer_scoring``: one function per task, each a plain function of
a :class:`~socialops.runtime.Run` returning a small dict for XCom.

:func:`prepare_warehouse` → :func:`score_network` for each network (the operator of
:mod:`socialops.operators.watch`) → :func:`shortlist` (the weekly message to the outbox) →
the outbox's delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from socialops.networks.base import NetworkAdapter
from socialops.runtime import Run

log = logging.getLogger(__name__)


def run_day(run: Run, data_interval_end: datetime | None, day: str | None = None) -> date:
    """The day a run scores: ``day`` when given, else the brand-local day its data interval
    ends on (the Monday run scores that Monday, over the weeks before)."""
    from socialops.runtime import interval_day

    return interval_day(run, data_interval_end, day)


def prepare_warehouse(run: Run) -> dict[str, str]:
    """Migrate the warehouse if needed (the scoring reads and writes tables, no view)."""
    from socialops.warehouse.engine import ensure_schema

    ensure_schema(run.engine)
    return {"warehouse": "up to date"}


def score_network(
    run: Run, network: str, day: date, adapter: Callable[[], NetworkAdapter]
) -> dict[str, Any]:
    """Score the network's candidates of ``day`` into ``influencer_scores``."""
    from socialops.influencers.service import NetworkScoring, candidates_from

    config = run.config
    candidates = candidates_from(config, run.engine, network, day)
    if not candidates:
        return {"network": network, "day": day.isoformat(), "scored": [], "unscored": []}
    client = adapter()
    try:
        scoring = NetworkScoring(
            client, run.engine, config, retry_days=config.competitor_watch.retry_unreadable_days
        )
        summary = scoring.run(candidates, day).summary()
    finally:
        client.close()
    log.info("influencer scoring %s %s: %s", network, day, summary)
    return summary


def shortlist(run: Run, day: date, summaries: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """The weekly shortlist to the digest channel."""
    from socialops.influencers.service import announce_shortlist
    from socialops.notifications.catalogue import Reader

    unscored = [
        {**item, "network": summary["network"]}
        for summary in summaries
        if summary
        for item in summary.get("unscored", [])
    ]
    return announce_shortlist(
        run.config,
        run.engine,
        day,
        unscored,
        reader=Reader.for_brand(run.config),
        channel=run.config.slack.channels.digest,
    )
