"""Publish exactly once: claim, reconcile, commit intent, call, record.

:func:`publish_chunk` is the whole protocol for a chunk of (entry, network) publications of
one connection, one adapter for all (:func:`publish_one`: a chunk of one); the Airflow
operator is a thin wrapper around it and tests drive it directly with a fake or sandboxed
adapter. What each network error becomes is a table (:func:`_attempt`'s ``except``
clauses), and ``docs/exactly-once.md`` explains why.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from socialops.calendar.entries import ParsedCalendar
from socialops.calendar.sources import media_root as calendar_media_root
from socialops.calendar.sources import parse_calendar, read_source
from socialops.calendar.sync import SyncReport, sync_calendar
from socialops.calendar.validation import resolve_media
from socialops.config.schema import BrandConfig
from socialops.networks.base import ConnectionSettings, NetworkAdapter
from socialops.networks.errors import (
    AuthError,
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    NotSupported,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from socialops.networks.idempotency import idempotency_key
from socialops.networks.records import Receipt
from socialops.networks.registry import NETWORKS
from socialops.notifications.outbox import add_notice, add_notices
from socialops.publishing.messages import (
    AUTH_BACKOFF,
    MissedPost,
    PublicationNotices,
    error_text,
    problems_digest,
)
from socialops.publishing.pause import Pause
from socialops.publishing.reconcile import Choice, choose, published_candidates
from socialops.publishing.store import (
    Claim,
    ExternalIdTaken,
    PublicationLedger,
    Stopped,
    missed_reason,
    track_condition,
)
from socialops.warehouse.engine import session_scope

log = logging.getLogger(__name__)

#: When a quota error carries no reset time, try again after this long.
QUOTA_BACKOFF = timedelta(hours=1)
# AUTH_BACKOFF (how long after a refused token before trying again) is defined beside the
# message that tells it (publishing/messages.py), so the advice cannot drift from it.
#: A back-off longer than this is announced at once, with the time of the retry.
ANNOUNCED_BACK_OFF = timedelta(minutes=30)
#: An ambiguous reconciliation waits this long for a person before it is looked at again.
AMBIGUITY_RECHECK = timedelta(hours=1)


@dataclass(frozen=True)
class Outcome:
    """What happened to one publication in this attempt (small: it goes to XCom)."""

    publication_id: int
    state: str  # the publication's state afterwards, or "skipped"
    detail: str
    external_id: str | None = None
    url: str | None = None
    retry_at: datetime | None = None
    #: True when Airflow should retry the task (the publication is safe to claim again).
    retryable: bool = False
    #: True when the task should fail without retrying (a person must act).
    needs_person: bool = False
    #: The network's "not now" (rate limit, quota) this attempt got: the rest of its chunk
    #: waits for the same reset.
    limited_by: RateLimited | QuotaExceeded | None = field(default=None, compare=False)

    def as_xcom(self) -> dict[str, object]:
        return {
            "publication_id": self.publication_id,
            "state": self.state,
            "detail": self.detail,
            "external_id": self.external_id,
            "url": self.url,
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


def publish_one(
    ledger: PublicationLedger,
    publication_id: int,
    adapter: Callable[[], NetworkAdapter],
    *,
    owner: str,
    now: datetime,
    grace: timedelta,
    notices: PublicationNotices,
    media_root: Path,
) -> Outcome:
    """Run the exactly-once protocol for one publication (see the module docstring).

    ``adapter`` is a factory so that no connection is opened for a publication another run
    already holds. ``now`` is the time of the attempt.
    """
    (outcome,) = publish_chunk(
        ledger,
        [publication_id],
        adapter,
        owner=owner,
        clock=lambda: now,
        grace=grace,
        notices=notices,
        media_root=media_root,
    )
    return outcome


def publish_chunk(
    ledger: PublicationLedger,
    publication_ids: Sequence[int],
    adapter: Callable[[], NetworkAdapter],
    *,
    owner: str,
    clock: Callable[[], datetime],
    grace: timedelta,
    notices: PublicationNotices,
    media_root: Path,
    paused: Callable[[], str | None] | None = None,
) -> list[Outcome]:
    """:func:`publish_one` for each of ``publication_ids`` (one account's), in order, with
    one claim for all of them and one adapter (one token refresh, one Page lookup).

    ``clock()`` is the time of each attempt. Once the network answers "not now" (a rate
    limit, a quota), the chunk's remaining posts are not sent: each backs off until the
    same reset, as if it had been told itself. ``paused()`` (the kill switch) is asked
    before each post: once it gives a reason, the rest is released, not attempted. A bug
    (an unexpected exception) stops the
    chunk: the posts not attempted are released for the next run, or the task's retry.
    Returns one :class:`Outcome` per id, in order.
    """
    claims = ledger.claim_many(publication_ids, owner, clock())
    outcomes = {
        publication_id: Outcome(
            publication_id, "skipped", "already published, cancelled, or held by another run"
        )
        for publication_id in publication_ids
    }
    if not claims:
        return list(outcomes.values())
    try:
        client = adapter()
    except NetworkError as exc:
        # The connection cannot even be built (an unusable extra, a missing token): nothing
        # was sent, each publication keeps its state, and a person is told what to fix.
        now = clock()
        for claim in claims:
            ledger.settle(
                claim,
                claim.state,
                error=error_text(exc),
                not_before=now + AUTH_BACKOFF,
                announce=notices.failed(claim, exc),
            )
            outcomes[claim.publication_id] = Outcome(
                claim.publication_id, claim.state, str(exc), needs_person=True
            )
        return list(outcomes.values())
    except BaseException:
        for claim in claims:
            ledger.settle(claim, claim.state, error="the network's connection could not be built")
        raise
    limited: RateLimited | QuotaExceeded | None = None
    for done, claim in enumerate(claims):
        if paused is not None and (reason := paused()):
            rest = claims[done:]
            ledger.release(rest)
            log.warning(
                "Publication paused (%s): %d posts of the chunk not attempted", reason, len(rest)
            )
            for held in rest:
                outcomes[held.publication_id] = Outcome(held.publication_id, "paused", reason)
            break
        try:
            outcome = _attempt(
                ledger,
                claim,
                client,
                now=clock(),
                grace=grace,
                notices=notices,
                media_root=media_root,
                limited=limited,
            )
        except BaseException:
            rest = claims[done + 1 :]
            try:
                ledger.release(rest)
            except Exception:  # the warehouse failing: the leases expire, or the retry takes them
                log.exception("The chunk's %d posts not attempted could not be released", len(rest))
            else:
                log.error(
                    "Chunk stopped at %s; %d posts released, not attempted", claim.label, len(rest)
                )
            raise
        outcomes[claim.publication_id] = outcome
        limited = limited or outcome.limited_by
    return list(outcomes.values())


def _attempt(
    ledger: PublicationLedger,
    claim: Claim,
    client: NetworkAdapter,
    *,
    now: datetime,
    grace: timedelta,
    notices: PublicationNotices,
    media_root: Path,
    limited: RateLimited | QuotaExceeded | None,
) -> Outcome:
    """Steps 2 to 6 of the protocol for a claimed publication. ``limited``: the network
    already said "not now" in this chunk; nothing is sent, the post waits like the one told.
    """
    publication_id = claim.publication_id
    if claim.needs_reconcile:
        outcome = _reconcile(ledger, claim, client, notices, now)
        if outcome is not None:
            return outcome

    if now - claim.scheduled_at > grace and claim.withdrawn is None:
        missed = MissedPost(
            claim.entry_id, claim.network, claim.scheduled_at, claim.attempts, claim.last_error
        )
        ledger.settle(
            claim,
            "missed",
            error=missed_reason(claim.scheduled_at, grace),
            announce=notices.missed([missed]),
        )
        return Outcome(publication_id, "missed", f"{claim.label} is past its grace window")

    if limited is not None:
        retry_at = limited.retry_at or now + QUOTA_BACKOFF
        return _back_off(ledger, claim, limited, retry_at, notices, now=now, grace=grace)
    key = idempotency_key(claim.entry_id, claim.network, claim.draft)
    started = ledger.begin_attempt(claim, key, now, notices)
    if isinstance(started, Stopped):
        return Outcome(publication_id, "skipped", started.detail)
    claim = started
    draft = replace(
        claim.draft, media=tuple(str(resolve_media(m, media_root) or m) for m in claim.draft.media)
    )
    log.info("Publishing %s with key %s (attempt %d)", claim.label, key, claim.attempts)
    try:
        receipt = client.publish(draft, key)
    except OutcomeUnknown as exc:
        ledger.settle(claim, "unconfirmed", error=error_text(exc))
        return Outcome(
            publication_id,
            "unconfirmed",
            f"{exc}; the next attempt will look for it first",
            retryable=True,
        )
    except RateLimited as exc:
        return _back_off(ledger, claim, exc, exc.retry_at, notices, now=now, grace=grace)
    except QuotaExceeded as exc:
        retry_at = exc.retry_at or now + QUOTA_BACKOFF
        return _back_off(ledger, claim, exc, retry_at, notices, now=now, grace=grace)
    except DuplicateContent as exc:
        # X refuses a text it saw recently: it may be ours from an attempt we lost track of.
        choice = _choose(ledger, claim, client)
        if choice.ambiguous:
            return _ambiguous(ledger, claim, choice, notices, now)
        if choice.receipt is not None:
            return _published(
                ledger,
                claim,
                choice.receipt,
                notices,
                how="reconciliation after a duplicate refusal",
            )
        return _refused(ledger, claim, exc, notices)
    except InvalidRequest as exc:
        return _refused(ledger, claim, exc, notices)
    except AuthError as exc:
        # Retried once the token may have been renewed, not every five minutes: each failed
        # task would raise another alert while nobody has had time to act.
        ledger.settle(
            claim,
            "failed",
            error=error_text(exc),
            not_before=now + AUTH_BACKOFF,
            announce=notices.failed(claim, exc),
        )
        return Outcome(publication_id, "failed", str(exc), needs_person=True)
    except NotSupported as exc:
        ledger.settle(claim, "rejected", error=error_text(exc), announce=notices.failed(claim, exc))
        return Outcome(publication_id, "rejected", str(exc), needs_person=True)
    except TransientError as exc:
        ledger.settle(claim, "failed", error=error_text(exc))
        return Outcome(publication_id, "failed", str(exc), retryable=True)
    except Exception as exc:
        # Not a network answer (a bug, a killed connection pool...): the post may be out.
        ledger.settle(claim, "unconfirmed", error=f"unexpected {type(exc).__name__}: {exc}")
        raise
    try:
        return _published(ledger, claim, receipt, notices, how="published")
    except ExternalIdTaken as exc:
        # The network answered with a post another entry already owns: recording it twice
        # would confirm a post that is not this entry's. A person looks.
        ledger.settle(
            claim, "rejected", error=error_text(exc), announce=notices.id_taken(claim, exc)
        )
        return Outcome(publication_id, "rejected", str(exc), needs_person=True)


def _reconcile(
    ledger: PublicationLedger,
    claim: Claim,
    client: NetworkAdapter,
    notices: PublicationNotices,
    now: datetime,
) -> Outcome | None:
    """Ask the network whether an earlier attempt went out. None: it did not, go ahead."""
    log.info(
        "Reconciling %s (state %s): looking for key %s",
        claim.label,
        claim.state,
        claim.idempotency_key,
    )
    try:
        choice = _choose(ledger, claim, client)
    except NotSupported as exc:
        # Without a way to check, posting again could duplicate: a person must look.
        ledger.settle(
            claim, "unconfirmed", error=error_text(exc), announce=notices.unverifiable(claim, exc)
        )
        return Outcome(claim.publication_id, "unconfirmed", str(exc), needs_person=True)
    except RateLimited as exc:
        ledger.settle(claim, "unconfirmed", error=error_text(exc), not_before=exc.retry_at)
        return Outcome(claim.publication_id, "unconfirmed", str(exc), retry_at=exc.retry_at)
    except NetworkError as exc:
        # A person must act when retrying cannot help: say so (the task then fails quietly
        # as "already reported", so the message must exist).
        ledger.settle(
            claim,
            "unconfirmed",
            error=error_text(exc),
            announce=() if exc.retryable else notices.unverifiable(claim, exc),
        )
        return Outcome(
            claim.publication_id,
            "unconfirmed",
            str(exc),
            retryable=exc.retryable,
            needs_person=not exc.retryable,
        )
    if choice.ambiguous:
        return _ambiguous(ledger, claim, choice, notices, now)
    if choice.receipt is not None:
        try:
            return _published(ledger, claim, choice.receipt, notices, how="reconciliation")
        except ExternalIdTaken as exc:
            # A twin recorded that post in the meantime: reconcile again, knowing it is taken.
            ledger.settle(claim, "unconfirmed", error=error_text(exc))
            return Outcome(claim.publication_id, "unconfirmed", str(exc), retryable=True)
    log.info("%s was not published by the earlier attempt", claim.label)
    return None


def _choose(ledger: PublicationLedger, claim: Claim, client: NetworkAdapter) -> Choice:
    found = published_candidates(
        client, claim.idempotency_key, claim.account, claim.reconcile_since
    )
    if not found.receipts:
        return Choice()
    twins = ledger.twins(claim)
    taken = ledger.taken(claim, [r.external_id for r in found.receipts])
    return choose(found, taken=taken, rank=twins.rank, twins=twins.count)


def _ambiguous(
    ledger: PublicationLedger,
    claim: Claim,
    choice: Choice,
    notices: PublicationNotices,
    now: datetime,
) -> Outcome:
    # Neither recorded nor posted again: a person tells which post is whose.
    twins = ledger.twins(claim)
    found = ", ".join(r.external_id for r in choice.seen)
    detail = (
        f"the only match found ({found}) is recorded for another entry: ours may be hidden"
        if choice.hidden
        else f"posts found: {found}, for {twins.count} attempts in doubt with the same "
        f"content ({', '.join(twins.entry_ids)})"
    ) + "; not recorded, not sent again: a person decides"
    ledger.settle(
        claim,
        "unconfirmed",
        error=detail,
        not_before=now + AMBIGUITY_RECHECK,
        announce=notices.ambiguous(claim, twins.entry_ids, choice, detail),
    )
    return Outcome(claim.publication_id, "unconfirmed", detail, needs_person=True)


def _published(
    ledger: PublicationLedger,
    claim: Claim,
    receipt: Receipt,
    notices: PublicationNotices,
    *,
    how: str,
) -> Outcome:
    withdrawn = ledger.record_published(claim, receipt, notices, how=how)
    if withdrawn:
        log.warning("%s is live although %s: %s (%s)", claim.label, withdrawn, receipt.url, how)
    else:
        log.info("%s is published: %s (%s)", claim.label, receipt.url, how)
    return Outcome(
        claim.publication_id, "published", how, external_id=receipt.external_id, url=receipt.url
    )


def _back_off(
    ledger: PublicationLedger,
    claim: Claim,
    exc: NetworkError,
    retry_at: datetime,
    notices: PublicationNotices,
    *,
    now: datetime,
    grace: timedelta,
) -> Outcome:
    # The network answered "not now": nothing was applied, so the publication is simply
    # pending again, and no run may claim it before the reset.
    limit = exc if isinstance(exc, RateLimited | QuotaExceeded) else None
    deadline = claim.scheduled_at + grace
    if retry_at > deadline:
        # It could only go out late, which we never do: missed now, with the real reason.
        missed = MissedPost(
            claim.entry_id,
            claim.network,
            claim.scheduled_at,
            claim.attempts,
            error_text(exc),
            retry_at=retry_at,
        )
        ledger.settle(
            claim,
            "missed",
            error=f"{error_text(exc)}; the network accepts it again at {retry_at.isoformat()}, "
            f"after the end of its grace window ({deadline.isoformat()})",
            announce=notices.missed([missed]),
        )
        log.warning("%s missed: %s until %s, after %s", claim.label, exc, retry_at, deadline)
        return Outcome(
            claim.publication_id, "missed", str(exc), retry_at=retry_at, limited_by=limit
        )
    long_wait = retry_at - now > ANNOUNCED_BACK_OFF
    ledger.settle(
        claim,
        "pending",
        error=error_text(exc),
        not_before=retry_at,
        announce=notices.backed_off(claim, retry_at, deadline) if long_wait else (),
    )
    log.warning("%s waits until %s: %s", claim.label, retry_at.isoformat(), exc)
    return Outcome(claim.publication_id, "pending", str(exc), retry_at=retry_at, limited_by=limit)


def _refused(
    ledger: PublicationLedger, claim: Claim, exc: NetworkError, notices: PublicationNotices
) -> Outcome:
    ledger.settle(claim, "rejected", error=error_text(exc), announce=notices.failed(claim, exc))
    return Outcome(claim.publication_id, "rejected", str(exc), needs_person=True)


# -- the run's other steps ------------------------------------------------------------------


def media_root(config: BrandConfig) -> Path:
    """The folder relative media paths in the calendar are in (see :func:`calendar_media_root`)."""
    return calendar_media_root(config.publication.calendar)


#: The Airflow Variable through which a person confirms a held removal of calendar rows:
#: set it to the code the Slack alert gives (see docs/exactly-once.md).
REMOVAL_CONFIRMATION_VARIABLE = "socialops_calendar_removal_confirmed"
PROBLEMS_KIND = "calendar_problems"
HELD_REMOVAL_KIND = "calendar_removal_held"


@dataclass(frozen=True)
class SyncSummary:
    entries: int
    problems: int
    rejected_rows: int
    announced: bool  # the rejected rows were announced by this sync
    removed_rows: int = 0
    held_removal: str | None = None  # the code to confirm it with
    edited_after_publication: int = 0
    weak_slots: int = 0  # advice notices written (entries planned in a weak slot)

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


def sync(
    config: BrandConfig,
    engine: Engine,
    *,
    now: datetime,
    sheet_settings: Callable[[str], ConnectionSettings] | None = None,
    confirmed_removal: str | None = None,
) -> SyncSummary:
    """Read the calendar, sync it, and put what the CM must hear in the outbox, in the same
    transaction: ONE summary of the rejected rows (again when they return after a fix), the
    rows removed from the file, a held removal, entries edited after their post went out,
    and advice for entries newly planned or moved into a weak slot (:func:`advise_weak_slots`).

    ``confirmed_removal``: the value of :data:`REMOVAL_CONFIRMATION_VARIABLE`.
    """
    source = config.publication.calendar
    settings = (
        sheet_settings(source.conn_id)
        if source.source == "google_sheets" and sheet_settings
        else None
    )
    raw = read_source(source, sheet_settings=settings)
    parsed = parse_calendar(raw, config)
    notices = PublicationNotices.for_brand(config)
    with session_scope(engine) as session:
        report = sync_calendar(
            session,
            parsed,
            now=now,
            vanished_hold_pct=config.publication.vanished_rows_hold_pct,
            confirmed_removal=confirmed_removal,
        )
        announced = _announce(session, report, parsed, raw.source, notices, now)
        advised = advise_weak_slots(session, report, config, notices, now)
    log.info("Calendar %s synced: %s", raw.source, report.as_dict())
    if parsed.problems and not announced:
        log.info("The %d calendar problems were already announced in Slack", len(parsed.problems))
    return SyncSummary(
        entries=len(parsed.entries),
        problems=len(parsed.problems),
        rejected_rows=len({(p.row, p.entry_id) for p in parsed.problems}),
        announced=announced,
        removed_rows=len(report.removed),
        held_removal=report.held_removal.code if report.held_removal else None,
        edited_after_publication=len(report.edited_after_publication),
        weak_slots=advised,
    )


def advise_weak_slots(
    session: Session,
    report: SyncReport,
    config: BrandConfig,
    notices: PublicationNotices,
    now: datetime,
) -> int:
    """Advice for the entries this sync planned or moved (:attr:`SyncReport.planned`) into a
    weak slot (:func:`socialops.reports.best_time.weak_slot`); how many notices were written.

    The brand's history (the :data:`~socialops.reports.service.BEST_TIME_WEEKS` weeks before
    this week, as the digest's best times) is read once, in the sync's transaction, and only
    when some entry was planned or moved: an unchanged calendar reads nothing.
    """
    ahead = [entry for entry in report.planned if entry.scheduled_at > now]
    if not ahead:
        return 0
    # pandas only here: the publication DAG's other tasks never pay for it.
    from zoneinfo import ZoneInfo

    from socialops.reports import best_time
    from socialops.reports import store as report_store
    from socialops.reports.service import BEST_TIME_WEEKS, slots_for_week

    timezone = config.brand.timezone
    today = now.astimezone(ZoneInfo(timezone)).date()
    connection = session.connection()
    _, scores = slots_for_week(connection, today - timedelta(days=today.weekday()), timezone)
    if scores.empty:
        return 0
    handles = {
        (network, str(handle).lstrip("@").casefold()): account_id
        for network, account_id, handle in report_store.owned_accounts(connection).itertuples(
            index=False
        )
        if handle
    }
    scored = scores[["network", "account_id"]].drop_duplicates()
    written = 0
    for entry in ahead:
        found = []
        for network, handle in entry.accounts:
            account_id = handles.get((network, (handle or "").lstrip("@").casefold()))
            if account_id is None:
                # No handle known: the network's only scored account, if it has one only.
                ids = scored.loc[scored["network"] == network, "account_id"].tolist()
                account_id = ids[0] if len(ids) == 1 else None
            if account_id is None:
                continue
            slot = best_time.weak_slot(
                scores,
                network=network,
                account_id=str(account_id),
                planned_at=entry.scheduled_at,
                timezone=timezone,
                now=now,
            )
            if slot is not None:
                log.info(
                    "Entry %s on %s is planned in a weak slot: %s", entry.entry_id, network, slot
                )
                found.append((slot, handle))
        for notice in notices.weak_slot(
            entry.entry_id, entry.scheduled_at, found, weeks=BEST_TIME_WEEKS
        ):
            written += add_notice(session, notice)
    return written


def _announce(
    session: Session,
    report: SyncReport,
    parsed: ParsedCalendar,
    source: str,
    notices: PublicationNotices,
    now: datetime,
) -> bool:
    """Write the sync's notices; True when the rejected rows were announced."""
    scope = f"{hashlib.sha256(source.encode()).hexdigest()[:12]}:"
    problems = parsed.problems
    occurrence = track_condition(
        session,
        kind=PROBLEMS_KIND,
        scope=scope,
        digest=problems_digest(problems) if problems else None,
        title=f"calendar problems in {source}: {len(problems)}",
        now=now,
    )
    announced = False
    if occurrence is not None:
        for notice in notices.rejected_rows(parsed, source, occurrence=occurrence):
            announced |= add_notice(session, notice)
    held = report.held_removal
    occurrence = track_condition(
        session,
        kind=HELD_REMOVAL_KIND,
        scope=scope,
        digest=held.code if held else None,
        title=f"planned rows missing from {source}: {len(held.rows) if held else 0}",
        now=now,
    )
    announce = []
    if held is not None and occurrence is not None:
        announce += notices.removal_held(
            held, source, variable=REMOVAL_CONFIRMATION_VARIABLE, occurrence=occurrence
        )
    if report.removed:
        announce += notices.rows_removed(report.removed, source, now)
    for edit in report.edited_after_publication:
        announce += notices.edited_after_publication(edit)
    for notice in announce:
        add_notice(session, notice)
    return announced


#: Airflow's ``[core] max_map_length`` default: a mapping over more items fails the task.
MAX_MAPPED_TASKS = 1024


def plan_due(
    config: BrandConfig, engine: Engine, *, now: datetime, paused: Pause | None
) -> dict[str, list[dict]]:
    """What each network's publish task maps over: ``{network: [chunk]}``, a chunk being
    ``{"publication_ids": [...], "conn_id", "entries"}``: up to ``publication.chunk_size``
    due publications of one connection, in publication order, published by one mapped task
    with one adapter (:func:`publish_chunk`).

    At most :data:`MAX_MAPPED_TASKS` chunks per network: what does not fit is carried to
    the next run (it stays due), and the log says how many.

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
            add_notices(engine, notices.paused(waiting, paused))
        return plans
    missed = ledger.mark_missed(now, grace, notices)
    if missed:
        log.warning("%d publication(s) missed their grace window of %s", len(missed), grace)
    size = config.publication.chunk_size
    open_chunks: dict[tuple[str, str], dict] = {}
    carried: Counter[str] = Counter()
    for publication_id, network, account, entry_id in ledger.due_publications(now):
        conn_id = _conn_id(config, network, account)
        chunk = open_chunks.get((network, conn_id))
        if chunk is None or len(chunk["publication_ids"]) >= size:
            if len(plans[network]) >= MAX_MAPPED_TASKS:
                carried[network] += 1
                continue
            chunk = {"publication_ids": [], "conn_id": conn_id, "entry_ids": []}
            plans[network].append(chunk)
            open_chunks[network, conn_id] = chunk
        chunk["publication_ids"].append(publication_id)
        chunk["entry_ids"].append(entry_id)
    for chunks in plans.values():
        for chunk in chunks:
            chunk["entries"] = _chunk_label(chunk.pop("entry_ids"))
    log.info(
        "Due now: %s",
        {
            network: f"{sum(len(c['publication_ids']) for c in chunks)} in {len(chunks)} chunks"
            for network, chunks in plans.items()
            if chunks
        },
    )
    for network, count in carried.items():
        log.warning(
            "%d due %s publications carried to the next run: this run maps %d chunks of %d "
            "(Airflow's limit on mapped tasks)",
            count,
            network,
            MAX_MAPPED_TASKS,
            size,
        )
    return plans


def _chunk_label(entry_ids: list[str]) -> str:
    """How a chunk's mapped task is named in the Airflow UI: its entries."""
    if len(entry_ids) == 1:
        return entry_ids[0]
    return f"{entry_ids[0]} … {entry_ids[-1]} ({len(entry_ids)})"


def _conn_id(config: BrandConfig, network: str, handle: str | None) -> str:
    for account in config.owned(network):
        if account.handle == handle and account.conn_id:
            return account.conn_id
    return f"{network}_default"
