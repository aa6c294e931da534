"""The steps of one ``publish_posts`` run, as plain functions of (config, engine, now).

The DAG's tasks are one-line calls into here, so the whole run can be tested without
Airflow, and the order is explicit: sync the calendar → plan (kill switch, missed posts,
what is due per network) → publish each publication (:func:`publish_one`) → deliver Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from socialops.calendar.sources import media_root as calendar_media_root
from socialops.calendar.sources import parse_calendar, read_source
from socialops.calendar.sync import sync_calendar
from socialops.config.schema import NETWORKS, BrandConfig
from socialops.networks.base import ConnectionSettings
from socialops.notifications.outbox import add_notices
from socialops.publishing.messages import PublicationNotices
from socialops.publishing.store import PublicationLedger
from socialops.warehouse.engine import session_scope

log = logging.getLogger(__name__)


def media_root(config: BrandConfig) -> Path:
    """The folder relative media paths in the calendar are in (see :func:`calendar_media_root`)."""
    return calendar_media_root(config.publication.calendar)


@dataclass(frozen=True)
class SyncSummary:
    entries: int
    problems: int
    rejected_rows: int
    announced: bool

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


def sync(
    config: BrandConfig,
    engine: Engine,
    *,
    now: datetime,
    sheet_settings: Callable[[str], ConnectionSettings] | None = None,
) -> SyncSummary:
    """Read the calendar, sync it, and put ONE summary of the rejected rows in the outbox."""
    source = config.publication.calendar
    settings = (
        sheet_settings(source.conn_id)
        if source.source == "google_sheets" and sheet_settings
        else None
    )
    raw = read_source(source, sheet_settings=settings)
    parsed = parse_calendar(raw, config)
    with session_scope(engine) as session:
        report = sync_calendar(session, parsed, now=now)
    log.info("Calendar %s synced: %s", raw.source, report.as_dict())
    announced = False
    if parsed.problems:
        notice = PublicationNotices.for_brand(config).rejected_rows(parsed.problems, raw.source)
        announced = add_notices(engine, [notice]) > 0
        if not announced:
            log.info(
                "The %d calendar problem(s) were already announced in Slack", len(parsed.problems)
            )
    return SyncSummary(
        entries=len(parsed.entries),
        problems=len(parsed.problems),
        rejected_rows=len({(p.row, p.entry_id) for p in parsed.problems}),
        announced=announced,
    )


def plan(
    config: BrandConfig, engine: Engine, *, now: datetime, paused: str | None
) -> dict[str, list[dict]]:
    """What each network's publish task maps over: ``{network: [{"publication_id", "conn_id"}]}``.

    Past-grace posts are marked missed first. When paused, nothing is planned and the waiting
    posts are listed in Slack (once per distinct list).
    """
    ledger = PublicationLedger(engine)
    notices = PublicationNotices.for_brand(config)
    grace = timedelta(minutes=config.publication.grace_minutes)
    plans: dict[str, list[dict]] = {network: [] for network in NETWORKS}
    if paused:
        waiting = ledger.waiting(now)
        log.warning("Publication paused (%s): %d due post(s) wait", paused, len(waiting))
        if waiting:
            add_notices(engine, [notices.paused(waiting, paused)])
        return plans
    missed = ledger.mark_missed(now, grace, notices)
    if missed:
        log.warning("%d publication(s) missed their grace window of %s", len(missed), grace)
    for publication_id, network, account in ledger.due_publications(now):
        plans[network].append(
            {"publication_id": publication_id, "conn_id": _conn_id(config, network, account)}
        )
    log.info("Due now: %s", {network: len(items) for network, items in plans.items() if items})
    return plans


def _conn_id(config: BrandConfig, network: str, handle: str | None) -> str:
    for account in config.owned(network):
        if account.handle == handle and account.conn_id:
            return account.conn_id
    return f"{network}_default"
