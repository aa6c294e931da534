"""A scripted network and a planned calendar, for the tests of publication (the service,
the ledger, the operators)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from socialops.calendar.entries import parse_rows
from socialops.calendar.sync import sync_calendar
from socialops.networks.base import ConnectionSettings, NetworkAdapter
from socialops.networks.errors import NotSupported, OutcomeUnknown
from socialops.networks.idempotency import draft_content, matches
from socialops.networks.records import Draft, Receipt
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import Publication

NOW = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)


class ScriptedNetwork(NetworkAdapter):
    """An in-memory network. ``script`` holds what the next publish calls do:
    "ok", "apply-then-timeout" (applied, answer lost), or an exception to raise unapplied."""

    network = "x"
    #: Only ``find_published``'s single answer, as an adapter without the full listing: the
    #: ledger's fallback (socialops.publishing.reconcile); ``ListingNetwork`` lists them all.
    find_published_candidates = None

    def __init__(self) -> None:
        super().__init__(ConnectionSettings(conn_id="x_default"))
        self.posts: list[tuple[str, Draft, datetime]] = []
        self.script: list[object] = []
        self.lock = threading.Lock()
        self.searchable = True

    def publish(self, draft: Draft, idempotency_key: str) -> Receipt:
        self.count_call("publish")
        with self.lock:
            step = self.script.pop(0) if self.script else "ok"
            if isinstance(step, Exception):
                raise step
            post_id = str(len(self.posts) + 1)
            self.posts.append((post_id, draft, NOW))
        if step == "apply-then-timeout":
            raise OutcomeUnknown("x", "no answer to POST /2/tweets within 30s")
        return self._receipt(post_id)

    def find_published(self, idempotency_key: str, account: str, since: datetime) -> Receipt | None:
        self.count_call("find_published")
        if not self.searchable:
            raise NotSupported("x", "cannot search posts")
        for post_id, draft, when in self.posts:
            if (
                draft.account == account
                and when >= since
                and matches(idempotency_key, draft_content("x", draft))
            ):
                return self._receipt(post_id)
        return None

    def _receipt(self, post_id: str) -> Receipt:
        return Receipt("x", post_id, f"https://x.com/maisonlumiere/status/{post_id}", NOW)


def plan_ids(engine, *rows: dict[str, str], now: datetime = NOW) -> list[int]:
    """Sync calendar rows (approved X posts due 5 minutes before NOW by default) into
    ``engine``; the ids of all publications, oldest first."""
    base = {
        "scheduled_at": (NOW - timedelta(minutes=5)).isoformat(),
        "networks": "x",
        "status": "approved",
    }
    parsed = parse_rows(
        [{**base, **row} for row in rows],
        timezone="UTC",
        owned_accounts={
            "x": ["maisonlumiere"],
            "linkedin": ["maison-lumiere"],
            "youtube": ["maisonlumiere"],
        },
        source="csv:test",
    )
    with session_scope(engine) as session:
        sync_calendar(session, parsed, now=now)
    with session_scope(engine) as session:
        return list(session.scalars(select(Publication.id).order_by(Publication.id)))
