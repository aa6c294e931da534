"""The task bodies of ``daily_digest`` and ``weekly_report``: plain functions of a
:class:`~socialops.runtime.Run` returning a small dict for XCom."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from socialops.runtime import Run

log = logging.getLogger(__name__)


def _given_day(value: object) -> date | None:
    if value in (None, "", "None"):
        return None
    return date.fromisoformat(str(value))


def digest_day(run: Run, day: object = None) -> date:
    """The brand-local day whose digest a run writes: the ``day`` param, else today."""
    return _given_day(day) or run.now.astimezone(ZoneInfo(run.config.brand.timezone)).date()


def digest_due_at(run: Run, day: date) -> datetime:
    """When the digest of ``day`` may go out: ``reports.digest_time`` on that day, brand-local."""
    hour, minute = (int(part) for part in run.config.reports.digest_time.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(run.config.brand.timezone))


def digest_due(run: Run, day: object = None) -> bool:
    """True once the digest may go out (a past day's digest, asked for by hand, at once).

    The asset-triggered run of a night that finished at 04:00 waits here until the digest
    time; the time-triggered run at the digest time goes on at once."""
    if _given_day(day) is not None:
        return True
    due = digest_due_at(run, digest_day(run))
    if run.now < due:
        log.info("the digest goes out at %s (now %s)", due.isoformat(), run.now.isoformat())
        return False
    return True


def compose_digest(run: Run, day: object = None) -> dict[str, Any]:
    """Write the digest of the day to the outbox (a new version when its content changed)."""
    from socialops.notifications.catalogue import Reader
    from socialops.notifications.outbox import add_notices
    from socialops.reports.messages import digest_message, digest_notice
    from socialops.reports.service import build_digest

    today = digest_day(run, day)
    digest = build_digest(run.engine, run.config, today)
    message = digest_message(Reader.for_brand(run.config), digest)
    notice = digest_notice(run.config.slack.channels.digest, message, today)
    queued = add_notices(run.engine, [notice])
    log.info("digest of %s: %s", today, "queued" if queued else "unchanged, not sent again")
    return {
        "day": today.isoformat(),
        "queued": queued,
        "networks": [n.network for n in digest.networks],
        "missing_networks": digest.missing_networks,
        "blocks": len(message.blocks),
    }


def report_week(run: Run, week: object = None) -> str:
    """The ISO week a weekly run reports on (``2026-W47``): the ``week`` param, else the
    week before the brand-local day the run acts on."""
    if week not in (None, "", "None"):
        from socialops.reports.weekly import parse_week

        return parse_week(str(week)).label
    today = run.now.astimezone(ZoneInfo(run.config.brand.timezone)).date()
    year, number, _ = (today - timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def weekly_report(run: Run, week: object = None) -> dict[str, Any]:
    """Render the week's report (HTML, PDF), store it, announce it in the reports channel."""
    from socialops.reports.weekly import announce, publish

    label = report_week(run, week)
    stored = publish(run.engine, run.config, label)
    queued = announce(run.engine, run.config, stored)
    return {**stored.summary(), "queued": queued}


def upload_report(run: Run, summary: dict[str, Any] | None) -> dict[str, Any]:
    """Upload the rendered report's files in the thread of its summary (once per version)."""
    from socialops.hooks.slack import SlackSender
    from socialops.reports.weekly import upload

    if not summary:
        raise ValueError("render_report returned nothing: there is no report to upload")
    sender = SlackSender(run.config.slack.conn_id)
    ids = upload(run.engine, run.config, summary, sender, now=run.now)
    return {"week": summary["week"], "uploaded": ids}
