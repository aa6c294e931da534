"""The task bodies of ``nightly_metrics``: one function per task, each a plain function of a
:class:`~socialops.runtime.Run` (and the day the run owns) returning a small dict for XCom.

The order of a run: :func:`prepare_warehouse` → :func:`plan` (the owned accounts per
network) → :func:`extract_account` for each account (the operator) and
:func:`load_campaigns` → :func:`report` (failures and data-quality issues to the outbox)
→ the outbox's delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from socialops.metrics.window import metrics_day
from socialops.networks.base import NetworkAdapter
from socialops.runtime import Run

log = logging.getLogger(__name__)


def run_day(run: Run, data_interval_start: datetime | None, day: str | None = None) -> date:
    """The day a run owns: ``day`` when given, else the brand-local day its data interval
    starts on (the run at 03:30 on the 21st loads the 20th)."""
    if day and day != "None":
        return date.fromisoformat(day)
    if data_interval_start is None:
        raise ValueError(
            "this run has no data interval (a manual run without a logical date): pass "
            "the day to load, or trigger it with a logical date"
        )
    return metrics_day(data_interval_start, run.config.brand.timezone)


def prepare_warehouse(run: Run) -> list[str]:
    """Migrate the warehouse if needed and (re)create the KPI views."""
    from socialops.warehouse.engine import ensure_schema
    from socialops.warehouse.views import create_kpi_views

    ensure_schema(run.engine)
    return create_kpi_views(run.engine, timezone=run.config.brand.timezone)


def plan(run: Run, network: str, day: date) -> list[dict[str, Any]]:
    """What the network's extraction maps over: its owned accounts, with their lookback."""
    from socialops.metrics.service import targets_from_config

    return [
        {
            "account": target.handle,
            "conn_id": target.conn_id,
            "day": day.isoformat(),
            "lookback_days": target.lookback_days,
            "account_id": target.account_id,
        }
        for target in targets_from_config(run.config)
        if target.network == network
    ]


def extract_account(
    run: Run,
    network: str,
    account: str,
    day: date,
    adapter: Callable[[], NetworkAdapter],
    *,
    conn_id: str | None = None,
    lookback_days: int | None = None,
    account_id: str | None = None,
) -> dict[str, Any]:
    """Extract, check and load one owned account's metrics of ``day`` (asked of the network
    by ``account_id`` when the configuration gives it, else by handle).

    Any failure is recorded as an ``extraction_failure`` alert for the run's report before
    it is raised again (the operator decides whether Airflow retries).
    """
    from socialops.metrics.service import AccountExtraction, AccountTarget
    from socialops.metrics.store import record_failure

    config = run.config
    lookback = lookback_days or config.metrics.lookback_days.get(network)
    if not lookback:
        raise ValueError(
            f"no lookback window for {network}: set metrics.lookback_days.{network} in the "
            "configuration"
        )
    target = AccountTarget(network, account, int(lookback), conn_id, account_id)
    try:
        client = adapter()
        try:
            service = AccountExtraction(
                client,
                run.engine,
                timezone=config.brand.timezone,
                follower_change_pct=config.thresholds.data_quality.follower_change_pct,
            )
            return service.run(target, day).summary()
        finally:
            client.close()
    except Exception as exc:
        record_failure(run.engine, network, account, day, exc)
        raise


def load_campaigns(run: Run, day: date) -> dict[str, Any]:
    """Budgets from the configuration, paid results from the ads APIs or the CSV export."""
    from socialops.hooks import connect
    from socialops.metrics.campaigns import load_campaigns as load

    return load(run.engine, run.config, day, connect=connect).summary()


def report(run: Run, day: date, summaries: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """Failed extractions and data-quality issues of ``day`` to the outbox, once each."""
    from socialops.metrics.report import announce, build_report

    nightly = build_report(run.engine, day, summaries)
    log.info("API calls of this run per network: %s", nightly.api_calls or "none")
    channels = run.config.slack.channels
    queued = announce(
        run.engine,
        nightly,
        channels.alerts,
        locale=run.config.brand.locale,
        timezone=run.config.brand.timezone,
        ops_channel=channels.ops,
    )
    return {**nightly.summary(), "slack_messages": queued}
