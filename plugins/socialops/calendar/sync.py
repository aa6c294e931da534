"""Sync the parsed calendar into the warehouse: entries by id, and one publication per network.

The calendar is the source of truth for what *should* go out; the ``publications`` table is
the ledger of what *did*. The sync only moves publications that are not in flight:

* a new approved entry gets one ``pending`` publication per network;
* an edit before publication applies: the idempotency key follows the new text;
* a network with invalid content is held as ``rejected`` (with the problem as last error)
  until the row is fixed; a row that no longer parses holds all its networks; a row that
  repeats an earlier row's ``entry_id`` is ignored and holds nothing (the earlier row is
  the entry);
* a cancelled entry, a network removed from a row, or a row deleted from the calendar
  cancels what has not been published; re-approving brings it back;
* a ``missed`` publication waits for a person: moving its time re-plans it.

Publications that are ``published``, ``publishing`` or ``unconfirmed`` are never moved here:
they belong to the publication service (:mod:`socialops.publishing`). When the calendar
stops asking for one that is in doubt (``publishing``/``unconfirmed``: it may be out), the
sync writes why in ``publications.withdrawn`` instead; the ledger reconciles it and never
sends it again (see ``docs/exactly-once.md``).

What a person must hear about comes back in the :class:`SyncReport`, for the caller to put
in the outbox in the same transaction: rows removed from the file (:attr:`SyncReport.removed`),
a removal held because too many planned rows vanished at once
(:attr:`SyncReport.held_removal`), entries changed after their post went out
(:attr:`SyncReport.edited_after_publication`), and the entries newly planned or moved to
another time (:attr:`SyncReport.planned`: the caller checks their slot, see
:func:`socialops.reports.best_time.weak_slot`). An unchanged entry is in none of these.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from socialops.calendar.entries import CalendarEntry, ParsedCalendar, Problem
from socialops.networks.idempotency import idempotency_key
from socialops.networks.records import Draft
from socialops.warehouse.engine import lock_transaction
from socialops.warehouse.models import CalendarEntry as EntryRow
from socialops.warehouse.models import Publication

log = logging.getLogger(__name__)

IN_DOUBT = ("publishing", "unconfirmed")
IN_FLIGHT = ("published", *IN_DOUBT)
#: States of a publication that may still go out: a row with one of them is "planned".
PLANNED = ("pending", "failed", *IN_DOUBT)
#: Any constant: the same for every process syncing the calendar into one warehouse.
SYNC_LOCK_ID = 0x50C1A1CA1

#: Why the calendar stopped asking for a publication, as ``last_error`` and ``withdrawn``
#: store it (English, for ops); the ledger and the Slack messages read these back.
HOLD_PREFIX = "calendar: "  # then the problem that makes the row invalid
ROW_REMOVED = "the row was removed from the calendar"
ENTRY_CANCELLED = "the entry is cancelled"
BACK_TO = "the entry is back to "  # then its status
NETWORK_REMOVED = " was removed from the row"  # after the network's name


@dataclass(frozen=True)
class RemovedRow:
    """A row gone from the calendar file, and the networks of its posts that this cancels."""

    entry_id: str
    scheduled_at: datetime
    networks: tuple[str, ...]


@dataclass(frozen=True)
class HeldRemoval:
    """More than ``threshold_pct`` % of the ``planned`` rows vanished at once: none of their
    posts was cancelled. ``code`` names this set of rows: a person confirms the removal by
    handing it back (``confirmed_removal``)."""

    code: str
    rows: tuple[RemovedRow, ...]
    planned: int
    threshold_pct: float


@dataclass(frozen=True)
class EditedAfterPublication:
    """An entry whose content changed after its post went out: the change is not published."""

    publication_id: int
    entry_id: str
    network: str
    external_id: str | None
    url: str | None
    content: str  # a digest of the new content, so each further change is told again


@dataclass(frozen=True)
class PlannedEntry:
    """An approved entry this sync planned for the first time (new, or approved again) or
    moved to another time; ``accounts``: (network, owned handle) of its valid networks."""

    entry_id: str
    scheduled_at: datetime
    accounts: tuple[tuple[str, str | None], ...]


@dataclass
class SyncReport:
    entries: int = 0
    created: int = 0
    updated: int = 0
    publications: Counter[str] = field(default_factory=Counter)  # transition → count
    removed: list[RemovedRow] = field(default_factory=list)
    held_removal: HeldRemoval | None = None
    edited_after_publication: list[EditedAfterPublication] = field(default_factory=list)
    planned: list[PlannedEntry] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "entries": self.entries,
            "created": self.created,
            "updated": self.updated,
            "publications": dict(self.publications),
            "removed_rows": len(self.removed),
            "held_removal": self.held_removal.code if self.held_removal else None,
            "edited_after_publication": len(self.edited_after_publication),
            "planned": len(self.planned),
        }


def sync_calendar(
    session: Session,
    parsed: ParsedCalendar,
    *,
    now: datetime,
    vanished_hold_pct: float | None = None,
    confirmed_removal: str | None = None,
) -> SyncReport:
    """Upsert ``parsed`` into ``calendar_entries`` and plan ``publications``; caller commits.

    When more than ``vanished_hold_pct`` % of the planned rows (rows with a post that may
    still go out) are missing from ``parsed`` at once, and ``confirmed_removal`` is not the
    code of exactly those rows, they are taken for a partial export: their posts stay as
    planned and :attr:`SyncReport.held_removal` says so. The rows present are synced as
    usual. None never holds.

    Only what changed is locked and written. The calendar is compared with the warehouse
    without locking anything (an unchanged calendar writes nothing); the publications to
    move are then locked, and if one of them moved meanwhile (a run claimed it), the sync
    is done again with every publication locked, so that it never undoes a run's decision.
    """
    # Overlapping runs sync the same calendar; one at a time, or both insert a new entry.
    lock_transaction(session.connection(), SYNC_LOCK_ID)
    for lock_all in (False, True):
        attempt = session.begin_nested()
        with session.no_autoflush:
            report = _sync(session, parsed, now, vanished_hold_pct, confirmed_removal, lock_all)
        if report is not None:
            attempt.commit()
            return report
        attempt.rollback()
        log.info("A publication moved while the calendar was compared; syncing with all locked")
    raise AssertionError("the sync with every publication locked cannot be overtaken")


#: What a run may change in a publication while the sync compares the calendar with it.
_LEDGER_COLUMNS = (
    "state",
    "lease_owner",
    "lease_until",
    "withdrawn",
    "attempts",
    "last_error",
    "idempotency_key",
    "external_id",
)


def _ledger_state(publication: Publication) -> tuple[object, ...]:
    return tuple(getattr(publication, name) for name in _LEDGER_COLUMNS)


def _sync(
    session: Session,
    parsed: ParsedCalendar,
    now: datetime,
    vanished_hold_pct: float | None,
    confirmed_removal: str | None,
    lock_all: bool,
) -> SyncReport | None:
    """One pass of :func:`sync_calendar`, nothing flushed yet; None when a publication it
    would move changed since it was read (only when not ``lock_all``)."""
    report = SyncReport()
    existing = {row.entry_id: row for row in session.scalars(select(EntryRow))}
    query = select(Publication).order_by(Publication.id).execution_options(populate_existing=True)
    # Locked (every one, or those to move below) so that a publication starting now
    # (PublicationLedger.begin_attempt) either commits before we look at it, or sees what
    # we decided (e.g. a cancellation) after.
    if lock_all:
        query = query.with_for_update()
    publications: dict[str, dict[str, Publication]] = {}
    read: dict[int, tuple[object, ...]] = {}
    for publication in session.scalars(query):
        publications.setdefault(publication.entry_id, {})[publication.network] = publication
        read[publication.id] = _ledger_state(publication)
    _apply(
        session, parsed, existing, publications, now, report, vanished_hold_pct, confirmed_removal
    )
    if lock_all:
        return report
    moved = [
        p
        for by_network in publications.values()
        for p in by_network.values()
        if p.id is not None and session.is_modified(p)
    ]
    if moved:
        # The entry first, as the ledger locks them (no two transactions wait in a cycle).
        current = session.execute(
            select(
                EntryRow.entry_id,
                Publication.id,
                *map(Publication.__table__.c.get, _LEDGER_COLUMNS),
            )
            .join(Publication, Publication.entry_id == EntryRow.entry_id)
            .where(Publication.id.in_([p.id for p in moved]))
            .with_for_update()
        ).all()
        if any(tuple(row[2:]) != read[row[1]] for row in current):
            return None
    return report


def _apply(
    session: Session,
    parsed: ParsedCalendar,
    existing: dict[str, EntryRow],
    publications: dict[str, dict[str, Publication]],
    now: datetime,
    report: SyncReport,
    vanished_hold_pct: float | None,
    confirmed_removal: str | None,
) -> None:
    held = parsed.held_entries()
    removal = _removal(parsed, existing, publications, vanished_hold_pct, confirmed_removal)

    for entry in parsed.entries:
        if entry.entry_id in held:
            continue
        report.entries += 1
        row = existing.get(entry.entry_id)
        rescheduled = row is not None and row.scheduled_at != entry.scheduled_at
        edited = row is not None and row.content_hash != entry.content_hash
        newly_approved = row is None or row.status != "approved"
        published_before = {
            network: _published_content(row, network) for network in entry.networks if row
        }
        if row is None:
            row = EntryRow(entry_id=entry.entry_id)
            session.add(row)
            report.created += 1
        elif row.content_hash != entry.content_hash or row.status != entry.status:
            report.updated += 1
            row.updated_at = now
        _copy_entry(row, entry, now)
        _plan_publications(
            session,
            entry,
            publications.setdefault(entry.entry_id, {}),
            rejected={p.network: p for p in parsed.problems_for(entry.entry_id) if p.network},
            rescheduled=rescheduled,
            edited=edited,
            report=report,
        )
        if entry.status == "approved":
            _edits_after_publication(entry, published_before, publications, report)
            if newly_approved or rescheduled:
                _planned(entry, publications[entry.entry_id], report)

    for entry_id, problem in held.items():
        for publication in publications.get(entry_id, {}).values():
            _move(publication, "rejected", report, reason=HOLD_PREFIX + str(problem))

    if isinstance(removal, HeldRemoval):
        report.held_removal = removal
        log.warning(
            "Calendar %s: %d of %d planned rows are missing at once; nothing cancelled (code %s)",
            parsed.source,
            len(removal.rows),
            removal.planned,
            removal.code,
        )
        return
    for entry_id in removal:
        row = existing[entry_id]
        moved = [
            network
            for network, publication in publications.get(entry_id, {}).items()
            if _move(publication, "cancelled", report, reason=ROW_REMOVED)
        ]
        if moved:
            report.removed.append(RemovedRow(entry_id, row.scheduled_at, tuple(moved)))


def _removal(
    parsed: ParsedCalendar,
    existing: dict[str, EntryRow],
    publications: dict[str, dict[str, Publication]],
    hold_pct: float | None,
    confirmed: str | None,
) -> list[str] | HeldRemoval:
    """The entries whose rows left the calendar, or a :class:`HeldRemoval` of them."""
    # Entries of another calendar (the team switched from CSV to a sheet) are left alone.
    ours = {entry_id for entry_id, row in existing.items() if row.source == parsed.source}
    vanished = sorted(ours - parsed.seen_ids)
    planned = {
        entry_id
        for entry_id in ours
        if any(p.state in PLANNED for p in publications.get(entry_id, {}).values())
    }
    gone = [entry_id for entry_id in vanished if entry_id in planned]
    if hold_pct is None or not gone or len(gone) * 100 <= hold_pct * len(planned):
        return vanished
    code = removal_code(parsed.source, gone)
    if confirmed is not None and confirmed.strip() == code:
        log.info("Removal of %d planned rows confirmed (code %s)", len(gone), code)
        return vanished
    rows = tuple(
        RemovedRow(
            entry_id,
            existing[entry_id].scheduled_at,
            tuple(n for n, p in publications[entry_id].items() if p.state in PLANNED),
        )
        for entry_id in gone
    )
    return HeldRemoval(code, rows, planned=len(planned), threshold_pct=hold_pct)


def removal_code(source: str | None, entry_ids: list[str]) -> str:
    """The short code naming the removal of these rows of ``source`` (what a person confirms)."""
    content = "\n".join([source or "", *sorted(entry_ids)])
    return hashlib.sha256(content.encode()).hexdigest()[:10]


def _published_content(row: EntryRow, network: str) -> tuple[object, ...]:
    """What a post of ``row`` on ``network`` shows: its text, link, media and title."""
    text = (row.variants or {}).get(network) or row.text
    return (text, row.link, tuple(row.media or ()), row.title)


def _edits_after_publication(
    entry: CalendarEntry,
    before: dict[str, tuple[object, ...]],
    publications: dict[str, dict[str, Publication]],
    report: SyncReport,
) -> None:
    for network, publication in publications.get(entry.entry_id, {}).items():
        now_shown = (entry.text_for(network), entry.link, tuple(entry.media), entry.title)
        if publication.state != "published" or before.get(network, now_shown) == now_shown:
            continue
        log.warning(
            "Entry %s was edited after its %s post %s went out; the edit is not published",
            entry.entry_id,
            network,
            publication.external_id,
        )
        report.edited_after_publication.append(
            EditedAfterPublication(
                publication.id,
                entry.entry_id,
                network,
                publication.external_id,
                publication.url,
                content=hashlib.sha256(repr(now_shown).encode()).hexdigest()[:16],
            )
        )


def _planned(entry: CalendarEntry, planned: dict[str, Publication], report: SyncReport) -> None:
    """Add the entry to :attr:`SyncReport.planned` with its networks still to go out."""
    accounts = tuple(
        (network, entry.accounts.get(network))
        for network in entry.networks
        if network in planned and planned[network].state == "pending"
    )
    if accounts:
        report.planned.append(PlannedEntry(entry.entry_id, entry.scheduled_at, accounts))


def _copy_entry(row: EntryRow, entry: CalendarEntry, now: datetime) -> None:
    """Write the entry's fields that differ from ``row``'s (none: the row is not written)."""
    values = {
        "scheduled_at": entry.scheduled_at,
        "networks": list(entry.networks),
        # One handle per row in the warehouse; per-network handles are resolved again at
        # publication.
        "account": next(iter(entry.accounts.values()), None),
        "text": entry.text,
        "variants": dict(entry.variants) or None,
        "link": entry.link,
        "media": list(entry.media) or None,
        "title": entry.title,
        "campaign": entry.campaign,
        "tags": list(entry.tags) or None,
        "status": entry.status,
        "approver": entry.approver,
        "content_hash": entry.content_hash,
        "source": entry.source,
        "source_row": entry.source_row,
    }
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    if not changed:
        return
    for name, value in changed.items():
        setattr(row, name, value)
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
            reason = ENTRY_CANCELLED if entry.status == "cancelled" else network + NETWORK_REMOVED
            _move(publication, "cancelled", report, reason=reason)
    if entry.status != "approved":
        return
    for network in entry.networks:
        draft = Draft("", entry.text_for(network), entry.link, entry.media, entry.title)
        key = idempotency_key(entry.entry_id, network, draft)
        hold = HOLD_PREFIX + str(rejected[network]) if network in rejected else None
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
        elif publication.state in IN_FLIGHT:
            # In doubt: a hold withdraws it, a valid row lifts a withdrawal (see _move).
            _move(publication, "rejected" if hold else "pending", report, reason=hold)
            continue
        else:
            publication.idempotency_key = key
            publication.account = entry.accounts.get(network)
        if hold:
            _move(publication, "rejected", report, reason=hold)
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


def _move(publication: Publication, state: str, report: SyncReport, *, reason: str | None) -> bool:
    """Move a settled publication to ``state``; True when something changed.

    A published one is never moved. One in doubt is not moved either (it may be out): a
    cancellation or a hold is written as its ``withdrawn`` reason, for the ledger.
    """
    if publication.state == "published":
        return False
    if publication.state in IN_DOUBT:
        withdrawn = reason if state in ("cancelled", "rejected") else None
        if publication.withdrawn == withdrawn:
            return False
        report.publications[f"{publication.state}->{'withdrawn' if withdrawn else 'wanted'}"] += 1
        log.info(
            "Publication %s/%s is in doubt (%s): %s",
            publication.entry_id,
            publication.network,
            publication.state,
            f"withdrawn, {withdrawn}" if withdrawn else "wanted again",
        )
        publication.withdrawn = withdrawn
        return True
    if publication.state == state and publication.last_error == reason:
        return False
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
    return True
