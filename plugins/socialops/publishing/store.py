"""The publication ledger: every state change of a publication, each in its own transaction.

The rows live in ``publications`` (one per calendar entry and network, with a unique
idempotency key). What makes "exactly once" hold is the order of the commits, see
``docs/exactly-once.md``:

1. :meth:`PublicationLedger.claim` takes a lease with one conditional ``UPDATE`` (only if
   nobody holds an unexpired lease and the entry is still approved). Two overlapping runs,
   a retry and a rerun race on that statement; exactly one wins.
2. :meth:`PublicationLedger.begin_attempt` commits ``publishing`` + the idempotency key
   *before* the network is called.
3. After the call: ``published`` with the external id, or ``unconfirmed`` when the answer
   never came, or back to ``pending``/``failed``/``rejected`` when the network said no.

A worker that dies between 2 and 3 leaves ``publishing`` with a lease that expires; whoever
claims it next finds ``publishing``/``unconfirmed`` and must reconcile (``find_published``)
before any new attempt. A later try of the same task instance need not wait for the expiry:
it takes over the lease of its earlier tries (:func:`earlier_tries`). A lease with no owner
is a back-off: ``lease_until`` is the time before which nobody may claim the publication (a
rate limit's reset).

A publication in doubt stays claimable whatever the calendar says, so that it is always
reconciled; the calendar is read again under the row lock before any new attempt
(:meth:`PublicationLedger.begin_attempt`): one the calendar no longer asks for is settled
without being sent. One post is recorded for one publication only
(:meth:`PublicationLedger.record_published` raises :class:`ExternalIdTaken`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialops.calendar.sync import BACK_TO, ENTRY_CANCELLED, HOLD_PREFIX, NETWORK_REMOVED
from socialops.networks.idempotency import fingerprint_of
from socialops.networks.records import Draft, Receipt
from socialops.notifications.outbox import Notice, add_notice, insert_notices
from socialops.publishing.messages import MissedPost, NetworkStatus, PublicationNotices
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import Alert, CalendarEntry, Publication

log = logging.getLogger(__name__)

#: States a run may claim. ``publishing`` is only claimable once its lease expired (a crash).
CLAIMABLE = ("pending", "failed", "unconfirmed", "publishing")
#: States whose last attempt may have reached the network: reconcile before posting again.
UNCERTAIN = ("publishing", "unconfirmed")
DEFAULT_LEASE = timedelta(minutes=30)
#: find_published looks this far before the first possible attempt (clock skew, slow APIs).
RECONCILE_MARGIN = timedelta(minutes=10)
#: A lease owner names one try of one Airflow task instance: ``dag/run/task[map_index]#try``.
_TRY_OF_TASK_INSTANCE = re.compile(r"(?P<task_instance>.+)#(?P<try_number>[1-9][0-9]*)")


class LeaseLost(RuntimeError):
    """Our lease was taken over (it expired while we were working); we must not write."""


class ExternalIdTaken(RuntimeError):
    """The post is already recorded for another publication: it is not ours to record."""

    def __init__(self, claim: Claim, receipt: Receipt, owner_entry: str):
        self.receipt = receipt
        self.owner_entry = owner_entry
        super().__init__(
            f"{receipt.network} post {receipt.external_id} is already recorded for entry "
            f"{owner_entry}; not recording it for {claim.label}"
        )


@dataclass(frozen=True)
class Stopped:
    """An attempt that did not start: the publication's state afterwards, and why."""

    state: str
    detail: str


@dataclass(frozen=True)
class Twins:
    """The attempts in doubt with the same content on the same account as a claim's."""

    entry_ids: tuple[str, ...]  # oldest attempt first, the claim's own entry included
    rank: int  # how many of them attempted before the claim

    @property
    def count(self) -> int:
        return len(self.entry_ids)


@dataclass(frozen=True)
class Claim:
    """A publication this run holds the lease on, with what it needs to publish it."""

    publication_id: int
    owner: str
    entry_id: str
    network: str
    account: str
    idempotency_key: str
    state: str  # the state when claimed
    attempts: int
    scheduled_at: datetime
    last_attempt_at: datetime | None
    draft: Draft
    last_error: str | None = None
    #: Why the calendar no longer asks for this publication (None: it does), when claimed.
    withdrawn: str | None = None

    @property
    def needs_reconcile(self) -> bool:
        return self.state in UNCERTAIN

    @property
    def reconcile_since(self) -> datetime:
        """No attempt can be older than the schedule or the last attempt, minus a margin."""
        earliest = min(filter(None, [self.scheduled_at, self.last_attempt_at]))
        return earliest - RECONCILE_MARGIN

    @property
    def label(self) -> str:
        return f"{self.entry_id} on {self.network} (@{self.account})"


class PublicationLedger:
    """Reads and writes ``publications``; every method is one committed transaction."""

    def __init__(self, engine: Engine, *, lease: timedelta = DEFAULT_LEASE):
        self.engine = engine
        self.lease = lease

    # -- planning -------------------------------------------------------------------------
    def due(self, now: datetime) -> list[int]:
        """Ids of approved publications whose time has come and that a run may claim now."""
        return [publication_id for publication_id, *_ in self.due_publications(now)]

    def due_publications(self, now: datetime) -> list[tuple[int, str, str | None, str]]:
        """(id, network, account, entry id) of what :meth:`due` lists, in publication order."""
        query = _due(
            now, Publication.id, Publication.network, Publication.account, Publication.entry_id
        ).where(_unleased(now))
        with session_scope(self.engine) as session:
            return [tuple(row) for row in session.execute(query)]

    def waiting(self, now: datetime) -> list[tuple[int, str, str, datetime]]:
        """(id, entry, network, scheduled_at) of due approved publications, claimable or not:
        what a pause holds back."""
        query = _due(
            now,
            Publication.id,
            Publication.entry_id,
            Publication.network,
            CalendarEntry.scheduled_at,
        )
        with session_scope(self.engine) as session:
            return [tuple(row) for row in session.execute(query)]

    def mark_missed(
        self, now: datetime, grace: timedelta, notices: PublicationNotices
    ) -> list[int]:
        """Turn due publications older than ``grace`` that no attempt is holding (never
        tried, failed, or waiting out a back-off) into ``missed``, announced together in
        one ``notices.missed`` message.

        Uncertain ones are not touched here: they are reconciled first (they may be out).
        """
        cutoff = now - grace
        missed = []
        with session_scope(self.engine) as session:
            rows = session.execute(
                select(Publication, CalendarEntry)
                .join(CalendarEntry, CalendarEntry.entry_id == Publication.entry_id)
                .where(
                    CalendarEntry.status == "approved",
                    CalendarEntry.scheduled_at < cutoff,
                    Publication.state.in_(("pending", "failed")),
                    _unleased(now),
                )
                .with_for_update(of=Publication, skip_locked=True)
            ).all()
            posts = []
            for publication, entry in rows:
                posts.append(missed_post(publication, entry))  # with why the last try failed
                publication.state = "missed"
                publication.lease_owner = publication.lease_until = None
                publication.last_error = missed_reason(entry.scheduled_at, grace)
                missed.append(publication.id)
            for notice in notices.missed(posts):
                add_notice(session, notice)
        return missed

    # -- one publication ------------------------------------------------------------------
    def claim(self, publication_id: int, owner: str, now: datetime) -> Claim | None:
        """Take the lease on a publication, or None if someone else holds it or it is settled.

        A lease held by an earlier try of ``owner``'s task instance is taken over before it
        expires (:func:`earlier_tries`); the claim then finds the state that try left.
        """
        claims = self.claim_many([publication_id], owner, now)
        return claims[0] if claims else None

    def claim_many(self, publication_ids: Sequence[int], owner: str, now: datetime) -> list[Claim]:
        """:meth:`claim` for a chunk, in two statements: the ones won, in the given order.

        The conditional ``UPDATE`` is the same for one row or many (each row is re-checked
        by PostgreSQL after a concurrent update), so it is as exclusive as one claim each.
        The lease is taken for the whole chunk now and renewed by :meth:`begin_attempt`:
        the publish task's timeout is shorter than the lease, so every lease of the chunk
        lasts until the task is over.
        """
        if not publication_ids:
            return []
        approved = select(CalendarEntry.entry_id).where(CalendarEntry.status == "approved")
        free = _unleased(now)
        if predecessors := earlier_tries(owner):
            free = or_(free, Publication.lease_owner.in_(predecessors))
        with session_scope(self.engine) as session:
            result = session.execute(
                update(Publication)
                .where(
                    Publication.id.in_(publication_ids),
                    Publication.state.in_(CLAIMABLE),
                    free,
                    # In doubt, whatever the calendar says now: it is reconciled first.
                    or_(Publication.entry_id.in_(approved), Publication.state.in_(UNCERTAIN)),
                )
                .values(lease_owner=owner, lease_until=now + self.lease)
                .returning(Publication.id)
                .execution_options(synchronize_session=False)
            )
            won_ids = list(result.scalars())
            if not won_ids:
                return []
            rows = session.execute(
                select(Publication, CalendarEntry)
                .join(CalendarEntry, CalendarEntry.entry_id == Publication.entry_id)
                .where(Publication.id.in_(won_ids))
            ).all()
        won = {publication.id: _claim_of(publication, entry, owner) for publication, entry in rows}
        return [won[i] for i in publication_ids if i in won]

    def release(self, claims: Sequence[Claim], *, not_before: datetime | None = None) -> None:
        """Give back the leases of ``claims`` not attempted, in one statement; their state is
        unchanged. ``not_before`` keeps everyone away until then (a rate limit's reset)."""
        if not claims:
            return
        with session_scope(self.engine) as session:
            for owner in {claim.owner for claim in claims}:
                session.execute(
                    update(Publication)
                    .where(
                        Publication.id.in_([c.publication_id for c in claims if c.owner == owner]),
                        Publication.lease_owner == owner,
                    )
                    .values(lease_owner=None, lease_until=not_before)
                    .execution_options(synchronize_session=False)
                )

    def begin_attempt(
        self, claim: Claim, idempotency_key: str, now: datetime, notices: PublicationNotices
    ) -> Claim | Stopped:
        """Commit ``publishing`` and the key the post is sent with, before the call.

        The calendar is read again under the row lock first. When it no longer asks for the
        publication (cancelled, back to draft, network or row removed, held by the sync):
        nothing is sent, and :class:`Stopped` says what became of it. One that was in doubt
        (reconciled just before, and not found) is settled and the CM told: ``cancelled``,
        ``rejected`` while its row is invalid, or ``pending`` while its entry is a draft.
        Otherwise the lease is released (the sync has already settled it).
        """
        with session_scope(self.engine) as session:
            entry, publication = self._held_with_entry(session, claim)
            withdrawn = _withdrawal(entry, publication)
            if withdrawn is not None or publication.state not in CLAIMABLE:
                log.info(
                    "%s is %s / %s since it was claimed; not publishing (%s)",
                    claim.label,
                    entry.status,
                    publication.state,
                    withdrawn,
                )
                if publication.state in UNCERTAIN and withdrawn is not None:
                    return self._settle_withdrawn(session, claim, publication, withdrawn, notices)
                publication.lease_owner = publication.lease_until = None
                return Stopped(
                    publication.state, f"{claim.label} was cancelled or held since it was claimed"
                )
            publication.state = "publishing"
            publication.idempotency_key = idempotency_key
            publication.attempts = (publication.attempts or 0) + 1
            publication.last_attempt_at = now
            publication.last_error = None
            publication.lease_until = now + self.lease  # a chunk's lease lasts per attempt
        return replace(
            claim,
            state="publishing",
            idempotency_key=idempotency_key,
            attempts=claim.attempts + 1,
            last_attempt_at=now,
        )

    @staticmethod
    def _settle_withdrawn(
        session: Session,
        claim: Claim,
        publication: Publication,
        withdrawn: str,
        notices: PublicationNotices,
    ) -> Stopped:
        if withdrawn.startswith(HOLD_PREFIX):
            state = "rejected"  # the sync lifts it once the row is valid again
        elif withdrawn.startswith(BACK_TO):
            state = "pending"  # it waits for approval, like the entry's other posts
        else:
            state = "cancelled"
        publication.state = state
        publication.last_error = (
            withdrawn
            if state == "rejected"
            else f"{withdrawn}; no post found after the attempt in doubt: not published"
        )
        publication.withdrawn = None
        publication.lease_owner = publication.lease_until = None
        for notice in notices.withdrawn_not_found(claim, withdrawn, state):
            add_notice(session, notice)
        return Stopped(state, f"{claim.label}: {withdrawn}; not found on the network, not sent")

    def record_published(
        self, claim: Claim, receipt: Receipt, notices: PublicationNotices | None, *, how: str
    ) -> str | None:
        """Store the external id (written even if the lease was lost: the post exists) and
        announce it: the new version of the entry's confirmation, listing each of its
        networks, and, when the calendar no longer asks for the post, that it is live anyway.

        Returns why the calendar no longer asks for the post, if it does not. Raises
        :class:`ExternalIdTaken`, writing nothing, when the post is already recorded for
        another publication.
        """
        try:
            with session_scope(self.engine) as session:
                # One statement locks the entry and reads (and locks) all its publications:
                # ours, and the others its confirmation lists.
                entry, publications = _entry_with_publications(session, claim.entry_id)
                publication = next(p for p in publications if p.id == claim.publication_id)
                if publication.lease_owner != claim.owner:
                    log.warning(
                        "Lease on %s was lost before its receipt was stored; storing it anyway",
                        claim.label,
                    )
                withdrawn = _withdrawal(entry, publication)
                publication.state = "published"
                publication.external_id = receipt.external_id
                publication.url = receipt.url
                publication.published_at = receipt.published_at
                publication.last_error = None if how == "published" else f"confirmed by {how}"
                publication.lease_owner = publication.lease_until = None
                publication.withdrawn = None
                if withdrawn is not None:
                    publication.last_error = f"live although {withdrawn} ({how})"
                # A post another publication holds fails here (unique network, external_id)
                # and nothing is written; the except clause says whose it is.
                session.flush()
                announce: list[Notice] = []
                if notices is not None:
                    # The confirmation tells the truth (the post is out) even when the
                    # calendar withdrew it; the alert says so and what to do.
                    announce += notices.entry_published(*_statuses(entry, publications))
                    if withdrawn is not None:
                        announce += notices.live_although_withdrawn(claim, receipt, withdrawn)
                insert_notices(session, announce)
        except IntegrityError:
            with session_scope(self.engine) as session:
                self._refuse_taken(session, claim, receipt)
            raise
        return withdrawn

    @staticmethod
    def _refuse_taken(session: Session, claim: Claim, receipt: Receipt) -> None:
        owner = session.scalar(
            select(Publication.entry_id).where(
                Publication.network == receipt.network,
                Publication.external_id == receipt.external_id,
                Publication.id != claim.publication_id,
            )
        )
        if owner is not None:
            raise ExternalIdTaken(claim, receipt, owner)

    def taken(self, claim: Claim, external_ids: list[str]) -> set[str]:
        """Which of ``external_ids`` are recorded for another publication on the network."""
        if not external_ids:
            return set()
        with session_scope(self.engine) as session:
            return set(
                session.scalars(
                    select(Publication.external_id).where(
                        Publication.network == claim.network,
                        Publication.external_id.in_(external_ids),
                        Publication.id != claim.publication_id,
                    )
                )
            )

    def twins(self, claim: Claim) -> Twins:
        """The attempts in doubt whose posts ``claim``'s reconciliation may find as well:
        same network and account, same content (text sent, link, media, title), attempted
        recently enough for their post to be listed since ``claim.reconcile_since``."""
        ours = _content(claim.idempotency_key, claim.draft)
        rows = []
        with session_scope(self.engine) as session:
            candidates = session.execute(
                select(Publication, CalendarEntry)
                .join(CalendarEntry, CalendarEntry.entry_id == Publication.entry_id)
                .where(
                    Publication.network == claim.network,
                    Publication.state.in_(UNCERTAIN),
                    Publication.id != claim.publication_id,
                    Publication.last_attempt_at >= claim.reconcile_since - self.lease,
                )
            ).all()
            for publication, entry in candidates:
                other = _claim_of(publication, entry, owner="")
                if (
                    other.account == claim.account
                    and _content(other.idempotency_key, other.draft) == ours
                ):
                    rows.append((other.last_attempt_at, other.publication_id, other.entry_id))
        mine = (claim.last_attempt_at, claim.publication_id, claim.entry_id)
        ordered = sorted([*rows, mine], key=lambda row: (row[0] or claim.scheduled_at, row[1]))
        return Twins(tuple(row[2] for row in ordered), rank=ordered.index(mine))

    def settle(
        self,
        claim: Claim,
        state: str,
        *,
        error: str | None,
        not_before: datetime | None = None,
        announce: Sequence[Notice] = (),
    ) -> None:
        """Release the lease leaving ``state``; ``not_before`` keeps everyone away until then;
        ``announce``: the notices written with it."""
        with session_scope(self.engine) as session:
            publication = self._held(session, claim)
            publication.state = state
            publication.last_error = error
            publication.lease_owner = None
            publication.lease_until = not_before
            for notice in announce:
                add_notice(session, notice)

    def _held_with_entry(self, session: Session, claim: Claim) -> tuple[CalendarEntry, Publication]:
        """Our publication and its entry, both locked in one statement (the entry first,
        as every locking statement of the ledger and the sync does, so none waits for
        another in a cycle); raises :class:`LeaseLost` when the lease is no longer ours."""
        entry, publication = session.execute(
            select(CalendarEntry, Publication)
            .join(Publication, Publication.entry_id == CalendarEntry.entry_id)
            .where(Publication.id == claim.publication_id)
            .with_for_update()
        ).one()
        self._check_lease(publication, claim)
        return entry, publication

    def _held(self, session: Session, claim: Claim) -> Publication:
        publication = session.scalars(
            select(Publication).where(Publication.id == claim.publication_id).with_for_update()
        ).one()
        self._check_lease(publication, claim)
        return publication

    def _check_lease(self, publication: Publication, claim: Claim) -> None:
        if publication.lease_owner != claim.owner:
            raise LeaseLost(
                f"publication {claim.label} is now held by {publication.lease_owner!r}, not "
                f"{claim.owner!r}: this attempt ran longer than the {self.lease} lease; stopping"
            )


def earlier_tries(owner: str) -> list[str]:
    """The owners of the earlier tries of the task instance that ``owner`` names.

    Airflow starts try *n* of a task instance only once try *n - 1* is over: it finished, or
    its worker stopped heartbeating and Airflow failed it (a killed worker). So a lease still
    held by an earlier try is dead, and its successor may take it over at once instead of
    waiting for ``DEFAULT_LEASE`` to expire. Another task instance (another run, another map
    index) never qualifies. An owner that names no try (``run-1``) has no predecessor.
    """
    match = _TRY_OF_TASK_INSTANCE.fullmatch(owner)
    if match is None:
        return []
    task_instance = match["task_instance"]
    return [f"{task_instance}#{number}" for number in range(1, int(match["try_number"]))]


def track_condition(
    session: Session, *, kind: str, scope: str, digest: str | None, title: str, now: datetime
) -> int | None:
    """Record that the condition ``digest`` (of ``kind``, within ``scope``) holds now, in
    ``alerts``; return its occurrence: 1 the first time, one more each time it comes back
    after it was gone. The other open conditions of the scope are resolved (they were
    fixed). ``digest`` None: nothing holds, everything open in the scope is resolved.

    Notices keyed on the occurrence are written once per appearance, so a problem that
    returns after being fixed is announced again.
    """
    open_alerts = session.scalars(
        select(Alert).where(
            Alert.kind == kind, Alert.state == "open", Alert.fingerprint.startswith(scope)
        )
    )
    for alert in open_alerts:
        if digest is None or alert.fingerprint != scope + digest:
            alert.state = "resolved"
            alert.resolved_at = now
    if digest is None:
        return None
    alert = session.scalar(select(Alert).where(Alert.fingerprint == scope + digest))
    if alert is None:
        alert = Alert(
            fingerprint=scope + digest,
            kind=kind,
            severity="warning",
            state="open",
            title=title,
            first_seen_at=now,
            last_seen_at=now,
            occurrences=1,
        )
        session.add(alert)
        session.flush()
    elif alert.state != "open":
        alert.state = "open"
        alert.occurrences = (alert.occurrences or 0) + 1
        alert.resolved_at = None
    alert.last_seen_at = now
    return alert.occurrences


def missed_reason(scheduled_at: datetime, grace: timedelta) -> str:
    """The last error of a publication that missed its slot."""
    return (
        f"due at {scheduled_at.isoformat()}, more than {grace} ago; "
        "change its time in the calendar to publish it"
    )


def _due(now: datetime, *columns: Any) -> Select[Any]:
    """``columns`` of the approved, unsettled publications whose time has come, and of those
    in doubt, in order."""
    return (
        select(*columns)
        .join(CalendarEntry, CalendarEntry.entry_id == Publication.entry_id)
        .where(
            or_(
                and_(CalendarEntry.status == "approved", CalendarEntry.scheduled_at <= now),
                # Whatever the calendar says now: it may be out, it must be reconciled.
                Publication.state.in_(UNCERTAIN),
            ),
            Publication.state.in_(CLAIMABLE),
        )
        .order_by(CalendarEntry.scheduled_at, Publication.id)
    )


def _unleased(now: datetime) -> ColumnElement[bool]:
    """Nobody holds the publication: no lease, or one that expired (or a back-off that ended)."""
    return or_(Publication.lease_until.is_(None), Publication.lease_until <= now)


def _withdrawal(entry: CalendarEntry, publication: Publication) -> str | None:
    """Why the calendar, as last synced, no longer asks for ``publication`` (None: it does)."""
    if publication.withdrawn:
        return publication.withdrawn
    if entry.status == "cancelled":
        return ENTRY_CANCELLED
    if entry.status != "approved":
        return BACK_TO + entry.status
    if publication.network not in (entry.networks or ()):
        return publication.network + NETWORK_REMOVED
    return None


def _content(key: str, draft: Draft) -> tuple[object, ...]:
    """What tells two posts apart: the text sent (the key's fingerprint), link, media, title."""
    return (fingerprint_of(key), draft.link, draft.media, draft.title)


def _claim_of(publication: Publication, entry: CalendarEntry, owner: str) -> Claim:
    network = publication.network
    account = publication.account or entry.account or ""
    return Claim(
        publication_id=publication.id,
        owner=owner,
        entry_id=entry.entry_id,
        network=network,
        account=account,
        idempotency_key=publication.idempotency_key,
        state=publication.state,
        attempts=publication.attempts or 0,
        scheduled_at=entry.scheduled_at,
        last_attempt_at=publication.last_attempt_at,
        last_error=publication.last_error,
        draft=Draft(
            account=account,
            text=(entry.variants or {}).get(network) or entry.text,
            link=entry.link,
            media=tuple(entry.media or ()),
            title=entry.title,
        ),
        withdrawn=_withdrawal(entry, publication),
    )


def _entry_with_publications(
    session: Session, entry_id: str
) -> tuple[CalendarEntry, list[Publication]]:
    """The entry and all its publications, locked, in one statement.

    The entry's row is locked first: two networks of one entry finishing at once then write
    their versions one after the other, the second seeing the first (on PostgreSQL, a
    locked row is read again once the other transaction committed).
    """
    rows = session.execute(
        select(CalendarEntry, Publication)
        .join(Publication, Publication.entry_id == CalendarEntry.entry_id)
        .where(CalendarEntry.entry_id == entry_id)
        .order_by(Publication.id)
        .with_for_update()
    ).all()
    return rows[0][0], [publication for _, publication in rows]


def _statuses(
    entry: CalendarEntry, publications: list[Publication]
) -> tuple[str, datetime, list[NetworkStatus]]:
    """(entry id, its time, the status of each of its networks) for its confirmation."""
    by_network = {p.network: p for p in publications}
    order = [n for n in (entry.networks or []) if n in by_network]
    order += sorted(set(by_network) - set(order))
    statuses = [
        NetworkStatus(n, by_network[n].account, by_network[n].state, by_network[n].url)
        for n in order
    ]
    return entry.entry_id, entry.scheduled_at, statuses


def missed_post(publication: Publication, entry: CalendarEntry) -> MissedPost:
    """What a missed message says about ``publication`` (before it is marked missed)."""
    return MissedPost(
        entry_id=publication.entry_id,
        network=publication.network,
        scheduled_at=entry.scheduled_at,
        attempts=publication.attempts or 0,
        last_error=publication.last_error,
    )
