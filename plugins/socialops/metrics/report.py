"""The nightly run's Slack report: failed extractions and data-quality issues of one day.

Reads the ``alerts`` opened for the day and not announced yet (see :mod:`.store`), so a
rerun that finds the same problem does not announce it twice, and a problem found by a
later rerun is announced then.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from socialops.metrics import messages, store
from socialops.notifications.blocks import Message
from socialops.notifications.outbox import Notice, add_notice
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import AccountMetricsDaily, PostMetricsDaily


@dataclass
class NightlyReport:
    day: date
    loaded: dict[str, dict[str, int]]  # network → rows of the day per table
    failures: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    alert_ids: list[int] = field(default_factory=list)
    api_calls: dict[str, int] = field(default_factory=dict)  # network → calls of this run

    def messages(self, locale: str) -> list[tuple[str, Message]]:
        """(dedup key, message): one per failed account, one per kind of data-quality check.

        A key names the alerts it announces, so a rerun that finds nothing new adds nothing.
        """
        found = [
            (
                f"metrics:{self.day.isoformat()}:alert:{f['id']}",
                messages.extraction_failure(
                    locale,
                    network=f["details"].get("network", "?"),
                    account=f["details"].get("account", "?"),
                    error=f["details"].get("message", f["title"]),
                    action=_rerun_hint(f["details"], self.day),
                ),
            )
            for f in self.failures
        ]
        by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for issue in self.issues:
            by_check[issue["details"].get("check", "data_quality")].append(issue)
        found += [
            (
                f"metrics:{self.day.isoformat()}:{check}:"
                + ",".join(str(issue["id"]) for issue in issues),
                messages.data_quality_failure(
                    locale,
                    check=f"{check} ({self.day.isoformat()})",
                    problems=[_issue_line(issue) for issue in issues],
                ),
            )
            for check, issues in sorted(by_check.items())
        ]
        return found

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


def _issue_line(issue: dict[str, Any]) -> str:
    details = issue["details"]
    withheld = details.get("withheld")
    note = " (not loaded, kept in alert #{id})".format(id=issue["id"]) if withheld else ""
    return f"{issue['title']}{note}"


def _rerun_hint(details: dict[str, Any], day: date) -> str:
    task = details.get("task") or f"extract_{details.get('network', '<network>')}"
    retry = f" after {details['retry_at']}" if details.get("retry_at") else ""
    return (
        f"Reload it{retry} by clearing the failed task: `airflow tasks clear nightly_metrics "
        f"-t {task} -s {day.isoformat()} -e {day.isoformat()}` "
        "(or rerun the day with a backfill)."
    )


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


def announce(engine: Engine, report: NightlyReport, channel: str, *, locale: str) -> int:
    """Write the report's messages to the outbox and mark its alerts announced, in one
    transaction: a crash leaves both undone, and the outbox delivers each message exactly
    once, through a Slack outage too. Returns how many messages were queued."""
    with session_scope(engine) as session:
        queued = sum(
            add_notice(session, Notice(key, channel, message.text, message.blocks))
            for key, message in report.messages(locale)
        )
        store.mark_announced(session.connection(), report.alert_ids)
    return queued
