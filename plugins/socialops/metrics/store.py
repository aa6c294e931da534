"""What the extraction reads from and writes to the warehouse besides the bulk loads.

Small, indexed queries (one account's posts in a window, one account's previous day) and
the ``alerts`` rows through which quarantined data and failed extractions are reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select, update

from socialops.analytics.quality import QualityIssue
from socialops.metrics.window import LookbackWindow
from socialops.warehouse.engine import transaction
from socialops.warehouse.models import (
    AccountMetricsDaily,
    Alert,
    CalendarEntry,
    CampaignSpendDaily,
    Post,
    Publication,
)
from socialops.warehouse.upsert import upsert

DATA_QUALITY = "data_quality"
EXTRACTION_FAILURE = "extraction_failure"
#: Alert kinds the nightly report announces.
REPORTED_KINDS = (DATA_QUALITY, EXTRACTION_FAILURE)


def known_post_ids(
    connection: Engine | Connection, network: str, account_id: str, window: LookbackWindow
) -> list[str]:
    """Ids of the account's posts already in the warehouse and created inside ``window``."""
    query = select(Post.external_id).where(
        Post.network == network,
        Post.account_id == account_id,
        Post.created_at >= window.since,
        Post.created_at < window.until,
    )
    with transaction(connection) as conn:
        return list(conn.execute(query).scalars())


def previous_account_row(
    connection: Engine | Connection, network: str, account_id: str, day: date
) -> dict[str, Any] | None:
    """The account's latest loaded metrics row before ``day`` (day, followers), if any."""
    query = (
        select(AccountMetricsDaily.day, AccountMetricsDaily.followers)
        .where(
            AccountMetricsDaily.network == network,
            AccountMetricsDaily.account_id == account_id,
            AccountMetricsDaily.day < day,
        )
        .order_by(AccountMetricsDaily.day.desc())
        .limit(1)
    )
    with transaction(connection) as conn:
        row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def link_publications(connection: Connection, network: str, account_id: str) -> int:
    """Set ``entry_id`` and ``campaign_id`` of the account's posts published from the calendar.

    A post published by ``publish_posts`` has a ``publications`` row (its external id) whose
    calendar entry names the campaign: linking them here is what makes KPIs per campaign
    possible. Only posts not linked yet are touched, so a rerun changes nothing.
    """
    publication = (
        select(Publication.entry_id)
        .where(Publication.network == Post.network, Publication.external_id == Post.external_id)
        .limit(1)
        .scalar_subquery()
    )
    campaign = (
        select(CalendarEntry.campaign)
        .join(Publication, Publication.entry_id == CalendarEntry.entry_id)
        .where(Publication.network == Post.network, Publication.external_id == Post.external_id)
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        update(Post)
        .where(
            Post.network == network,
            Post.account_id == account_id,
            Post.entry_id.is_(None),
            publication.is_not(None),
        )
        .values(entry_id=publication, campaign_id=campaign)
    )
    return connection.execute(statement).rowcount


def record_issues(
    connection: Connection, issues: Iterable[QualityIssue], details: dict[str, Any]
) -> int:
    """Upsert one open ``alerts`` row per issue; ``details[fingerprint]`` adds withheld rows."""
    now = datetime.now(UTC)
    rows = [
        {
            "fingerprint": issue.fingerprint,
            "kind": DATA_QUALITY,
            "severity": issue.severity,
            "state": "open",
            "title": issue.message,
            "details": {**issue.as_dict(), **details.get(issue.fingerprint, {})},
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for issue in issues
    ]
    if not rows:
        return 0
    upsert(
        connection,
        Alert,
        rows,
        key=["fingerprint"],
        update=["severity", "title", "details", "last_seen_at"],
        # A rerun finding the same values is not a change: the alert is not re-announced.
        compare=["severity", "title", "details"],
    )
    return len(rows)


def resolve_alerts(
    connection: Connection,
    *,
    kind: str,
    network: str,
    account: str,
    day: date,
    keep: Iterable[str] = (),
) -> int:
    """Resolve the open ``kind`` alerts about this account and day, except those in ``keep``.

    A rerun that no longer finds a problem (the network corrected a count, the quota came
    back) closes the alert an earlier run opened.
    """
    kept = set(keep)
    candidates = connection.execute(
        select(Alert.id, Alert.fingerprint, Alert.details).where(
            Alert.kind == kind,
            Alert.state == "open",
            Alert.fingerprint.endswith(f":{day.isoformat()}", autoescape=True),
        )
    ).all()
    ids = [
        row.id
        for row in candidates
        if row.fingerprint not in kept
        and (row.details or {}).get("network") == network
        and (row.details or {}).get("account") == account
    ]
    if not ids:
        return 0
    connection.execute(
        update(Alert)
        .where(Alert.id.in_(ids))
        .values(state="resolved", resolved_at=datetime.now(UTC))
    )
    return len(ids)


def failure_fingerprint(network: str, account: str, day: date) -> str:
    return f"{EXTRACTION_FAILURE}:{network}:{account}:{day.isoformat()}"


def record_failure(
    engine: Engine,
    network: str,
    account: str,
    day: date,
    error: BaseException,
    *,
    task: str | None = None,
) -> None:
    """Open (or refresh) the alert saying this account's extraction failed for ``day``.

    ``task`` is the nightly task to clear for a rerun when it is not ``extract_<network>``.
    """
    now = datetime.now(UTC)
    details: dict[str, Any] = {
        "network": network,
        "account": account,
        "day": day.isoformat(),
        "error": type(error).__name__,
        "message": str(error),
    }
    if task:
        details["task"] = task
    retry_at = getattr(error, "retry_at", None)
    if retry_at is not None:
        details["retry_at"] = retry_at.isoformat()
    with engine.begin() as connection:
        upsert(
            connection,
            Alert,
            [
                {
                    "fingerprint": failure_fingerprint(network, account, day),
                    "kind": EXTRACTION_FAILURE,
                    "severity": "critical",
                    "state": "open",
                    "title": (
                        f"{network} {account}: metrics of {day.isoformat()} not extracted: {error}"
                    ),
                    "details": details,
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
            ],
            key=["fingerprint"],
            update=["state", "title", "details", "last_seen_at"],
            compare=["state", "title", "details"],
        )


def api_spend_days(connection: Connection, campaign_ids: Iterable[str]) -> set[tuple[str, date]]:
    """(campaign id, day) of the campaigns' spend rows loaded from an ads API."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return set()
    query = select(CampaignSpendDaily.campaign_id, CampaignSpendDaily.day).where(
        CampaignSpendDaily.campaign_id.in_(ids), CampaignSpendDaily.source == "api"
    )
    return {(row.campaign_id, row.day) for row in connection.execute(query)}


def unannounced_alerts(connection: Engine | Connection, day: date) -> list[dict[str, Any]]:
    """Open extraction and data-quality alerts about ``day`` not sent to Slack yet."""
    query = (
        select(Alert.id, Alert.fingerprint, Alert.kind, Alert.severity, Alert.title, Alert.details)
        .where(
            Alert.kind.in_(REPORTED_KINDS),
            Alert.state == "open",
            Alert.last_sent_at.is_(None),
            Alert.fingerprint.endswith(f":{day.isoformat()}", autoescape=True),
        )
        .order_by(Alert.kind, Alert.fingerprint)
    )
    with transaction(connection) as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def mark_announced(connection: Engine | Connection, alert_ids: Iterable[int]) -> None:
    ids = list(alert_ids)
    if not ids:
        return
    statement = (
        update(Alert)
        .where(and_(Alert.id.in_(ids), Alert.last_sent_at.is_(None)))
        .values(last_sent_at=func.now())
    )
    with transaction(connection) as conn:
        conn.execute(statement)
