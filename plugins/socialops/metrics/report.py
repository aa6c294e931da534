"""The nightly run's Slack report: failed extractions and data-quality issues of one day.

Reads the ``alerts`` opened for the day and not announced yet (see :mod:`.store`), so a
rerun that finds the same problem does not announce it twice, and a problem found by a
later rerun is announced then.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from socialops.i18n import N_
from socialops.metrics import messages, store
from socialops.notifications.catalogue import Reader, network_name
from socialops.notifications.mrkdwn import code
from socialops.notifications.ops import ops_notice
from socialops.notifications.outbox import Notice, add_notice
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import AccountMetricsDaily, PostMetricsDaily

log = logging.getLogger(__name__)


@dataclass
class NightlyReport:
    day: date
    loaded: dict[str, dict[str, int]]  # network → rows of the day per table
    failures: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    alert_ids: list[int] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)  # network → calls of this run

    def notices(
        self, reader: Reader, channel: str, *, ops_channel: str | None = None
    ) -> list[Notice]:
        """One notice per failed account, one per kind of data-quality check, in ``channel``
        (plus their engineer details in ``ops_channel`` when there is one).

        A key names the alerts it announces, so a rerun that finds nothing new adds nothing.
        """
        day = self.day.isoformat()
        found: list[Notice] = []
        for alert in self.failures:
            failure = messages.ExtractionFailure.from_details(alert["details"] or {}, self.day)
            key = f"metrics:{day}:alert:{alert['id']}"
            found.append(Notice.of(key, channel, messages.extraction_failure(reader, failure)))
            title = N_(
                "`nightly_metrics`: {network} {account}, {day}",
                network=network_name(failure.network),
                account=failure.account,
                day=self.day,
            )
            details = messages.extraction_details(failure, reader.timezone)
            found += ops_notice(ops_channel, key, reader, title, details)
        by_check: dict[str, list[messages.QualityProblem]] = defaultdict(list)
        for alert in self.issues:
            problem = messages.QualityProblem.from_alert(alert, self.day)
            by_check[problem.check].append(problem)
        for check, problems in sorted(by_check.items()):
            key = f"metrics:{day}:{check}:" + ",".join(str(p.alert_id) for p in problems)
            message = messages.data_quality_failure(
                reader, check=check, day=self.day, problems=problems
            )
            found.append(Notice.of(key, channel, message))
            title = N_(
                "`nightly_metrics`: data quality {check}, {day}", check=code(check), day=self.day
            )
            details = messages.quality_details(check, problems)
            found += ops_notice(ops_channel, key, reader, title, details)
        return found

    def log_details(self, timezone: str) -> None:
        """The engineer's side of what is announced (raw errors, commands), in the task log."""
        for alert in self.failures:
            failure = messages.ExtractionFailure.from_details(alert["details"] or {}, self.day)
            for line in messages.extraction_details(failure, timezone):
                log.warning("%s %s %s: %s", failure.network, failure.account, self.day, line)
        for alert in self.issues:
            problem = messages.QualityProblem.from_alert(alert, self.day)
            for line in messages.quality_details(problem.check, [problem]):
                log.warning("data quality %s: %s", problem.check, line)

    def summary(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "loaded": self.loaded,
            "failed_accounts": [
                f"{f['details'].get('network')} {f['details'].get('account')}"
                for f in self.failures
            ],
            "data_quality_issues": len(self.issues),
            "api_calls": self.api_calls,
        }


def calls_per_network(summaries: Iterable[dict[str, Any] | None]) -> dict[str, int]:
    """Total API calls per network from the extraction tasks' summaries (failed tasks: None)."""
    totals: Counter[str] = Counter()
    for summary in summaries:
        if summary:
            totals[summary["network"]] += summary.get("api_calls_total", 0)
    return dict(sorted(totals.items()))


def build_report(
    engine: Engine, day: date, summaries: Iterable[dict[str, Any] | None] = ()
) -> NightlyReport:
    """What the warehouse holds for ``day``, what is still to announce about it, and the API
    calls the run's extraction tasks made (their XCom ``summaries``)."""
    loaded: dict[str, dict[str, int]] = defaultdict(dict)
    with engine.connect() as connection:
        for table in (PostMetricsDaily, AccountMetricsDaily):
            counts = connection.execute(
                select(table.network, func.count()).where(table.day == day).group_by(table.network)
            )
            for network, count in counts:
                loaded[network][table.__tablename__] = count
    pending = store.unannounced_alerts(engine, day)
    return NightlyReport(
        day=day,
        loaded={network: dict(tables) for network, tables in sorted(loaded.items())},
        failures=[a for a in pending if a["kind"] == store.EXTRACTION_FAILURE],
        issues=[a for a in pending if a["kind"] == store.DATA_QUALITY],
        alert_ids=[a["id"] for a in pending],
        api_calls=calls_per_network(summaries),
    )


def announce(
    engine: Engine,
    report: NightlyReport,
    channel: str,
    *,
    locale: str,
    timezone: str = "UTC",
    ops_channel: str | None = None,
) -> int:
    """Write the report's messages to the outbox and mark its alerts announced, in one
    transaction: a crash leaves both undone, and the outbox delivers each message exactly
    once, through a Slack outage too. The engineer details go to the task log (and
    ``ops_channel``). Returns how many messages were queued."""
    reader = Reader(locale, timezone)
    report.log_details(timezone)
    with session_scope(engine) as session:
        queued = sum(
            add_notice(session, notice)
            for notice in report.notices(reader, channel, ops_channel=ops_channel)
        )
        store.mark_announced(session.connection(), report.alert_ids)
    return queued
