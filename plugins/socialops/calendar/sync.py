"""Sync the parsed calendar into the warehouse: entries by id, and one publication per network.

The calendar is the source of truth for what *should* go out; the ``publications`` table is
the ledger of what *did*. The sync only moves publications that are not in flight:

* a new approved entry gets one ``pending`` publication per network;
* an edit before publication applies: the idempotency key follows the new text;
* a network with invalid content is held as ``rejected`` (with the problem as last error)
  until the row is fixed; a row that no longer parses holds all its networks;
* a cancelled entry, a network removed from a row, or a row deleted from the calendar
  cancels what has not been published; re-approving brings it back;
* a ``missed`` publication waits for a person: moving its time re-plans it.

Publications that are ``published``, ``publishing`` or ``unconfirmed`` are never touched here:
they belong to the publication service (:mod:`socialops.publishing`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialops.calendar.entries import CalendarEntry, ParsedCalendar, Problem
from socialops.networks.idempotency import idempotency_key
from socialops.warehouse.engine import lock_transaction
from socialops.warehouse.models import CalendarEntry as EntryRow
from socialops.warehouse.models import Publication

log = logging.getLogger(__name__)

IN_FLIGHT = ("published", "publishing", "unconfirmed")
#: Any constant: the same for every process syncing the calendar into one warehouse.
SYNC_LOCK_ID = 0x50C1A1CA1

#: Starts the last error of a publication held because its calendar row is invalid.
HOLD_PREFIX = "calendar: "


@dataclass
class SyncReport:
    entries: int = 0
    created: int = 0
    updated: int = 0
    publications: Counter[str] = field(default_factory=Counter)  # transition → count

    def as_dict(self) -> dict[str, object]:
        return {
            "entries": self.entries,
            "created": self.created,
            "updated": self.updated,
            "publications": dict(self.publications),
        }


def sync_calendar(session: Session, parsed: ParsedCalendar, *, now: datetime) -> SyncReport:
    """Upsert ``parsed`` into ``calendar_entries`` and plan ``publications``; caller commits."""
    report = SyncReport()
    # Overlapping runs sync the same calendar; one at a time, or both insert a new entry.
    lock_transaction(session.connection(), SYNC_LOCK_ID)
    held = parsed.held_entries()
    existing = {row.entry_id: row for row in session.scalars(select(EntryRow))}
    publications: dict[str, dict[str, Publication]] = {}
    # Locked so that a publication starting now (PublicationLedger.begin_attempt) either
    # commits before we look at it, or sees what we decided (e.g. a cancellation) after.
    for publication in session.scalars(select(Publication).with_for_update()):
        publications.setdefault(publication.entry_id, {})[publication.network] = publication

    for entry in parsed.entries:
        if entry.entry_id in held:
            continue
        report.entries += 1
        row = existing.get(entry.entry_id)
        rescheduled = row is not None and row.scheduled_at != entry.scheduled_at
        edited = row is not None and row.content_hash != entry.content_hash
        if row is None:
            row = EntryRow(entry_id=entry.entry_id)
            session.add(row)
            report.created += 1
        elif row.content_hash != entry.content_hash or row.status != entry.status:
            report.updated += 1
            row.updated_at = now
        _copy_entry(row, entry, now)
        session.flush()
        _plan_publications(
            session,
            entry,
            publications.setdefault(entry.entry_id, {}),
            rejected={p.network: p for p in parsed.problems_for(entry.entry_id) if p.network},
            rescheduled=rescheduled,
            edited=edited,
            report=report,
        )

    for entry_id, problem in held.items():
        for publication in publications.get(entry_id, {}).values():
            _move(publication, "rejected", report, reason=HOLD_PREFIX + str(problem))

    for entry_id, row in existing.items():
        # Entries of another calendar (the team switched from CSV to a sheet) are left alone.
        if entry_id not in parsed.seen_ids and row.source == parsed.source:
            for publication in publications.get(entry_id, {}).values():
                _move(
                    publication, "cancelled", report, reason="the row was removed from the calendar"
                )
    return report


def _copy_entry(row: EntryRow, entry: CalendarEntry, now: datetime) -> None:
    row.scheduled_at = entry.scheduled_at
    row.networks = list(entry.networks)
    # One handle per row in the warehouse; per-network handles are resolved again at publication.
    row.account = next(iter(entry.accounts.values()), None)
    row.text = entry.text
    row.variants = dict(entry.variants) or None
    row.link = entry.link
    row.media = list(entry.media) or None
    row.title = entry.title
    row.campaign = entry.campaign
    row.tags = list(entry.tags) or None
    row.status = entry.status
    row.approver = entry.approver
    row.content_hash = entry.content_hash
    row.source = entry.source
    row.source_row = entry.source_row
    row.synced_at = now


def _plan_publications(
    session: Session,
    entry: CalendarEntry,
    planned: dict[str, Publication],
    *,
    rejected: dict[str, Problem],
    rescheduled: bool,
    edited: bool,
    report: SyncReport,
) -> None:
    for network, publication in planned.items():
        if entry.status == "cancelled" or network not in entry.networks:
            reason = (
                "the entry is cancelled"
                if entry.status == "cancelled"
                else f"{network} was removed from the row"
            )
            _move(publication, "cancelled", report, reason=reason)
    if entry.status != "approved":
        return
    for network in entry.networks:
        key = idempotency_key(entry.entry_id, network, entry.text_for(network))
        publication = planned.get(network)
        if publication is None:
            publication = Publication(
                entry_id=entry.entry_id,
                network=network,
                account=entry.accounts.get(network),
                idempotency_key=key,
                state="pending",
                attempts=0,
            )
            session.add(publication)
            planned[network] = publication
            report.publications["created"] += 1
            if network in rejected:
                _move(publication, "rejected", report, reason=HOLD_PREFIX + str(rejected[network]))
            continue
        if publication.state in IN_FLIGHT:
            if publication.state == "published" and publication.idempotency_key != key:
                log.warning(
                    "Entry %s was edited after its %s post %s went out; the edit is not published",
                    entry.entry_id,
                    network,
                    publication.external_id,
                )
            continue
        publication.idempotency_key = key
        publication.account = entry.accounts.get(network)
        if network in rejected:
            _move(publication, "rejected", report, reason=HOLD_PREFIX + str(rejected[network]))
        elif _replan(publication, rescheduled=rescheduled, edited=edited):
            _move(publication, "pending", report, reason=None)


def _replan(publication: Publication, *, rescheduled: bool, edited: bool) -> bool:
    """Whether a settled publication of a valid, approved entry goes back to ``pending``."""
    if publication.state == "cancelled":
        return True  # re-approved, or its network added back to the row
    if publication.state == "rejected":
        # A calendar hold lifts as soon as the row is valid; a network's refusal only when
        # the content changes, or the same refused post would be sent every five minutes.
        return edited or (publication.last_error or "").startswith(HOLD_PREFIX)
    return publication.state == "missed" and rescheduled


def _move(publication: Publication, state: str, report: SyncReport, *, reason: str | None) -> None:
    if publication.state in IN_FLIGHT or (
        publication.state == state and publication.last_error == reason
    ):
        return
    report.publications[f"{publication.state}->{state}"] += 1
    log.info(
        "Publication %s/%s: %s -> %s (%s)",
        publication.entry_id,
        publication.network,
        publication.state,
        state,
        reason or "ready",
    )
    publication.state = state
    publication.last_error = reason
    if state == "pending":
        publication.lease_owner = publication.lease_until = None
