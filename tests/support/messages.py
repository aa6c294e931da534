"""Every Slack message socialops builds, with hostile text in every value a person wrote.

The tests of the notifications (both languages, escaping, limits, translations) run over
:func:`examples`; a test fails when a message builder is added without an example here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from socialops.calendar.entries import parse_rows
from socialops.calendar.sync import HOLD_PREFIX, ROW_REMOVED, HeldRemoval, RemovedRow
from socialops.calendar.validation import validate_entry
from socialops.i18n import N_, Percent
from socialops.metrics import messages as metrics_messages
from socialops.metrics.messages import ExtractionFailure, QualityProblem
from socialops.networks.errors import (
    AuthError,
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    NotSupported,
)
from socialops.networks.records import Receipt
from socialops.notifications import callbacks, ops
from socialops.notifications import messages as outbox_messages
from socialops.notifications.blocks import Message
from socialops.notifications.catalogue import Reader
from socialops.notifications.mrkdwn import escape, link
from socialops.notifications.outbox import ExpiredMessage
from socialops.publishing import messages as publishing_messages
from socialops.publishing.messages import MissedPost, NetworkStatus, PausedEntry
from socialops.publishing.pause import Pause
from socialops.reports import messages as reports_messages
from socialops.reports.best_time import BetterSlot, Slot, WeakSlot
from socialops.reports.service import CampaignBurn, Digest, Figures, NetworkDay
from socialops.reports.weekly import StoredReport

#: Pings, markup, a disguised link, an entity and a new line: what must never act in Slack.
EVIL = "<!channel> @here *gras* _it_ ~barré~ `code` <@U123> <https://evil.example|ok> & co\nfin"
#: What the escaped EVIL must contain, whatever the message (it is shown, not acted on).
EVIL_SHOWN = "&lt;!channel&gt;"
WHEN = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
#: What makes a value too long for a line (after EVIL, so the escaped EVIL is kept whole).
LONG = " lorem ipsum" * 300
DAY = date(2026, 11, 20)

#: A post found on the network, with a URL as hostile as a URL can be.
RECEIPT = Receipt("linkedin", EVIL, "https://linkedin.com/p/1?a=1&b=<2>", WHEN)
#: What ``publications.withdrawn`` may hold (docs/exactly-once.md).
WITHDRAWALS = {
    "cancelled": "the entry is cancelled",
    "draft": "the entry is back to draft",
    "network_removed": "linkedin was removed from the row",
    "row_removed": ROW_REMOVED,
    "held": HOLD_PREFIX + "row 2 (e1), text: " + EVIL,
}

#: Every module that builds messages a person reads.
MESSAGE_MODULES = (
    publishing_messages,
    metrics_messages,
    callbacks,
    ops,
    outbox_messages,
    reports_messages,
)


def hostile_calendar():
    """A calendar whose rows have every kind of problem, with hostile cell values."""
    rows = [
        {"entry_id": "e1", "scheduled_at": "2026-11-24 18:30", "networks": "x", "text": "ok"},
        {"entry_id": "e1", "scheduled_at": "2026-11-24 18:30", "networks": "x", "text": EVIL},
        {"entry_id": "", "scheduled_at": EVIL, "networks": EVIL, "text": ""},
        {"entry_id": EVIL, "scheduled_at": "2026-11-24 18:30", "networks": "x", "status": EVIL},
        {
            "entry_id": "e4",
            "scheduled_at": "2026-11-24 18:30",
            "networks": "x|instagram",
            "account": EVIL,
            "text": "ok",
        },
        {
            "entry_id": "e5",
            "scheduled_at": "2026-11-24 18:30",
            # Not X: X's own media rule still speaks English (see test_translations.py).
            "networks": "instagram|youtube",
            "text": "#a " * 200,
            "title": "<" * 120,
            "media": EVIL,
        },
    ]
    parsed = parse_rows(
        rows,
        timezone="Europe/Paris",
        owned_accounts={"x": ["maisonlumiere"], "instagram": ["maisonlumiere"], "youtube": ["m"]},
        source="csv:test",
    )
    for entry in parsed.entries:
        parsed.problems.extend(validate_entry(entry, media_root=_nowhere()))
    return parsed


def _nowhere():
    from pathlib import Path

    return Path("/nonexistent-media")


class MisconfiguredConnection(NetworkError):
    """As ``networks.errors.MisconfiguredConnection`` on main (matched by name)."""

    def __init__(self, network: str, message: str, *, conn_id: str | None, extra: str):
        self.conn_id, self.extra = conn_id, extra
        super().__init__(network, message)


def _errors() -> dict[str, NetworkError]:
    return {
        "misconfigured": MisconfiguredConnection("x", EVIL, conn_id=EVIL, extra=EVIL),
        "auth": AuthError("x", EVIL, conn_id=EVIL, renew="the token"),
        "invalid": InvalidRequest("x", EVIL),
        "duplicate": DuplicateContent("x", EVIL),
        "not_supported": NotSupported("x", EVIL),
        "other": NetworkError("x", EVIL),
    }


def examples(reader: Reader) -> dict[str, Message]:
    """name → message, for every builder and every branch of its advice."""
    pm, mm = publishing_messages, metrics_messages
    grace = timedelta(minutes=120)
    found: dict[str, Message] = {
        "entry_published": pm.entry_published(
            reader,
            entry_id=EVIL,
            scheduled_at=WHEN,
            networks=[
                NetworkStatus("x", EVIL, "published", "https://x.com/m/status/1?a=1&b=<2>"),
                NetworkStatus("linkedin", None, "published", None),
                NetworkStatus("facebook", EVIL, "pending"),
                NetworkStatus("instagram", EVIL, "failed"),
                NetworkStatus("youtube", EVIL, "cancelled"),
            ],
            alerts_channel="#cm-alertes",
        ),
        "entry_published_all": pm.entry_published(
            reader,
            entry_id="e1",
            scheduled_at=WHEN,
            networks=[NetworkStatus("x", "m", "published", "https://x.com/m/status/1")],
            alerts_channel="#cm-alertes",
        ),
        "rejected_rows": pm.rejected_rows(reader, hostile_calendar(), source=EVIL),
        "publication_paused_variable": pm.publication_paused(
            reader, [PausedEntry(EVIL, "instagram", WHEN)], pause=Pause(variable=EVIL), grace=grace
        ),
        "publication_paused_configuration": pm.publication_paused(
            reader, [PausedEntry("e1", "x", WHEN)], pause=Pause(in_configuration=True), grace=grace
        ),
        "publication_paused_both": pm.publication_paused(
            reader,
            [PausedEntry("e1", "x", WHEN), PausedEntry("e2", "x", WHEN)],
            pause=Pause(in_configuration=True, variable="true"),
            grace=grace,
        ),
        "publications_missed": pm.publications_missed(
            reader,
            [
                MissedPost(EVIL, "x", WHEN),
                MissedPost("e2", "linkedin", WHEN, 1, "AuthError: [linkedin] " + EVIL),
                MissedPost("e3", "youtube", WHEN, 2, "QuotaExceeded: [youtube] " + EVIL),
                MissedPost("e4", "facebook", WHEN, 3, "TransientError: [facebook] " + EVIL),
                MissedPost("e5", "x", WHEN, 1, "MisconfiguredConnection: [x] " + EVIL),
            ],
            grace=grace,
        ),
        "publications_missed_one": pm.publications_missed(
            reader, [MissedPost("e1", "x", WHEN, 1, "RateLimited: [x] slow down")], grace=grace
        ),
        "publication_failed_unverifiable": pm.publication_failed(
            reader,
            network="x",
            entry_id=EVIL,
            reason=pm.unverifiable_advice("x", EVIL, grace)[0],
            action=pm.unverifiable_advice("x", EVIL, grace)[1],
        ),
        "publication_failed_reconcile_auth": pm.publication_failed(
            reader,
            network="x",
            entry_id="e1",
            reason=pm.reconcile_auth_advice(_errors()["auth"], "x")[0],
            action=pm.reconcile_auth_advice(_errors()["auth"], "x")[1],
        ),
    }
    found.update(_ledger_examples(reader, grace))
    found.update(_reports_examples(reader))
    for kind, error in _errors().items():
        reason, action = pm.failure_advice(error, network="x", deadline=WHEN + grace, grace=grace)
        found[f"publication_failed_{kind}"] = pm.publication_failed(
            reader, network="x", entry_id=EVIL, reason=reason, action=action
        )
    for kind in (
        "AuthError",
        "QuotaExceeded",
        "RateLimited",
        "InvalidRequest",
        "NotSupported",
        "TransientError",
        "KeyError",
    ):
        retry_at = WHEN if kind == "RateLimited" else None
        found[f"extraction_failure_{kind}"] = mm.extraction_failure(
            reader, ExtractionFailure("youtube", EVIL, DAY, kind, EVIL, retry_at=retry_at)
        )
    found["extraction_failure_campaigns"] = mm.extraction_failure(
        reader,
        ExtractionFailure("instagram", "campaigns", DAY, "AuthError", EVIL, task="load_campaigns"),
    )
    quality = {
        "negative_count": QualityProblem(
            1, "negative_count", "x", EVIL, DAY, "post 9", EVIL, {"likes": -3}, True
        ),
        "follower_change": QualityProblem(
            2,
            "follower_change",
            "instagram",
            EVIL,
            DAY,
            "account",
            EVIL,
            {
                "followers": 1500,
                "followers_previous": 1000,
                "previous_day": "2026-11-19",
                "change_pct": 50.0,
                "threshold_pct": 20.0,
            },
            True,
        ),
        "missing_days": QualityProblem(
            3,
            "missing_days",
            "x",
            EVIL,
            DAY,
            "account",
            EVIL,
            {"missing": ["2026-11-18", "2026-11-19"]},
        ),
    }
    quality["reach_above_impressions"] = QualityProblem(
        5,
        "reach_above_impressions",
        "facebook",
        EVIL,
        DAY,
        "post 3",
        EVIL,
        {"reach": 9000, "impressions": 4000},
    )
    quality["engagement_rate_above_100"] = QualityProblem(
        6,
        "engagement_rate_above_100",
        "facebook",
        EVIL,
        DAY,
        "account",
        EVIL,
        {"engagements": 1200, "reach": 1000, "engagement_rate_reach_pct": 120.0},
    )
    quality["counter_decrease"] = QualityProblem(
        7,
        "counter_decrease",
        "x",
        EVIL,
        DAY,
        "post 8",
        EVIL,
        {
            "decreases": [
                {
                    "counter": "likes",
                    "from_day": "2026-11-19",
                    "from": 120,
                    "to_day": "2026-11-20",
                    "to": 80,
                },
            ],
            "tolerance_count": 10,
            "tolerance_pct": 2.0,
        },
    )
    for check, problem in quality.items():
        found[f"data_quality_failure_{check}"] = mm.data_quality_failure(
            reader, check=check, day=DAY, problems=[problem]
        )
    found["data_quality_failure_unknown_check"] = mm.data_quality_failure(
        reader,
        check=EVIL,
        day=DAY,
        problems=[QualityProblem(4, EVIL, "x", EVIL, DAY, "account", EVIL)],
    )
    found["task_failure"] = callbacks.task_failure(
        reader,
        dag_id=EVIL,
        task_id="t",
        run_id=EVIL,
        error=EVIL,
        log_url="https://airflow.example/log?a=1&b=2",
    )
    found["task_failure_notice"] = callbacks.task_failure_notice(
        reader,
        dag_id="publish_posts",
        task_id=EVIL,
        ops_channel="#ops",
        log_url="https://airflow.example/log",
    )
    title = N_(
        "`publish_posts`: publication {id}, {entry} on {network}", id=7, entry=EVIL, network="X"
    )
    found["ops_details"] = ops.ops_details(reader, title, [EVIL, EVIL])
    stored = f"*{escape(EVIL)}* {link('https://x.com/m/1', EVIL)} "  # as a builder stores it
    expired = [ExpiredMessage(f"k{n}", "#cm-digest", stored * 3, WHEN) for n in range(80)]
    found["outbox_expired"] = outbox_messages.outbox_expired(
        reader, expired, max_age=timedelta(days=2)
    )
    found["outbox_expired_one"] = outbox_messages.outbox_expired(
        reader, expired[:1], max_age=timedelta(hours=12)
    )
    return found


def _ledger_examples(reader: Reader, grace: timedelta) -> dict[str, Message]:
    """The ledger's and the calendar sync's messages (docs/exactly-once.md)."""
    pm = publishing_messages
    found: dict[str, Message] = {}
    for kind, withdrawn in WITHDRAWALS.items():
        reason = pm.withdrawal_reason(withdrawn, "linkedin")
        found[f"live_although_withdrawn_{kind}"] = pm.live_although_withdrawn(
            reader,
            network="linkedin",
            account=EVIL,
            entry_id=EVIL,
            url=RECEIPT.url,
            withdrawn=reason,
        )
        for state in pm.WITHDRAWN_OUTCOMES:
            found[f"withdrawn_not_found_{kind}_{state}"] = pm.withdrawn_not_found(
                reader,
                network="linkedin",
                account=EVIL,
                entry_id=EVIL,
                withdrawn=reason,
                state=state,
            )
    found["live_although_withdrawn_no_link"] = pm.live_although_withdrawn(
        reader,
        network="x",
        account="m",
        entry_id="e1",
        url=None,
        withdrawn=pm.withdrawal_reason("the entry is cancelled", "x"),
    )
    found["publication_backed_off"] = pm.publication_backed_off(
        reader,
        network="linkedin",
        account=EVIL,
        entry_id=EVIL,
        retry_at=WHEN + timedelta(hours=1),
        deadline=WHEN + grace,
    )
    found["publications_missed_back_off"] = pm.publications_missed(
        reader,
        [MissedPost(EVIL, "linkedin", WHEN, 1, "RateLimited: " + EVIL, WHEN + grace * 3)],
        grace=grace,
    )
    found["edited_after_publication"] = pm.edited_after_publication(
        reader, network="x", entry_id=EVIL, url="https://x.com/m/status/1?a=<b>"
    )
    found["edited_after_publication_no_link"] = pm.edited_after_publication(
        reader, network="x", entry_id="e1", url=None
    )
    row = RemovedRow(EVIL, WHEN, ("x", "linkedin"))
    found["rows_removed"] = pm.rows_removed(reader, [row] * 3000, source=EVIL)
    found["rows_removed_one"] = pm.rows_removed(
        reader, [RemovedRow("e1", WHEN, ("x",))], source="csv:calendar.csv"
    )
    found["removal_held"] = pm.removal_held(
        reader,
        HeldRemoval(EVIL, (row,) * 2, planned=3, threshold_pct=50),
        source=EVIL,
        variable=EVIL,
    )
    found["removal_held_one"] = pm.removal_held(
        reader,
        HeldRemoval("0123456789", (row,), planned=1, threshold_pct=12.5),
        source="csv:calendar.csv",
        variable="socialops_calendar_removal_confirmed",
    )
    weak = WeakSlot(
        "x",
        "1",
        WHEN,
        0.62,
        9,
        "high",
        1,
        6,
        (BetterSlot(WHEN - timedelta(days=1), 1.4, 9, 12), BetterSlot(WHEN, 1.12, 4, 6)),
    )
    alone = WeakSlot("linkedin", "2", WHEN, 0.8, 1, "medium", 2, 9, (BetterSlot(WHEN, 1.3, 3, 3),))
    found["weak_slot"] = pm.weak_slot(
        reader, entry_id=EVIL, scheduled_at=WHEN, slots=[(weak, EVIL), (alone, None)], weeks=12
    )
    found["weak_slot_many"] = pm.weak_slot(
        reader, entry_id="e1", scheduled_at=WHEN, slots=[(weak, EVIL)] * 300, weeks=12
    )
    twins = pm.ambiguous_advice(
        "linkedin", EVIL, entry_ids=[EVIL, "b", "c"], seen=[RECEIPT, RECEIPT], hidden=False
    )
    one = pm.ambiguous_advice("x", "m", entry_ids=["a", "b"], seen=[RECEIPT], hidden=False)
    hidden = pm.ambiguous_advice("linkedin", EVIL, entry_ids=[EVIL], seen=[RECEIPT], hidden=True)
    taken = pm.id_taken_advice("linkedin", EVIL, entry_id=EVIL, owner_entry=EVIL, grace=grace)
    no_url = Receipt("x", EVIL, None, WHEN)
    unlinked = pm.ambiguous_advice("x", "m", entry_ids=["a"], seen=[no_url], hidden=True)
    for kind, (reason, action) in {
        "ambiguous": twins,
        "ambiguous_one_post": one,
        "ambiguous_hidden": hidden,
        "ambiguous_no_url": unlinked,
        "id_taken": taken,
    }.items():
        found[f"publication_failed_{kind}"] = pm.publication_failed(
            reader, network="linkedin", entry_id=EVIL, reason=reason, action=action
        )
    return found


#: The builder each example exercises (the test of coverage reads it).
BUILDERS = {
    "entry_published",
    "live_although_withdrawn",
    "withdrawn_not_found",
    "publication_backed_off",
    "edited_after_publication",
    "rows_removed",
    "removal_held",
    "weak_slot",
    "publication_failed",
    "rejected_rows",
    "publication_paused",
    "publications_missed",
    "extraction_failure",
    "data_quality_failure",
    "task_failure",
    "task_failure_notice",
    "ops_details",
    "outbox_expired",
    "digest_message",
    "weekly_message",
}


def hostile_digest(items: int = 3) -> Digest:
    """A digest with every part, ``items`` lines in each list, hostile text everywhere."""
    figures = Figures(12345, 12, 0.1, 5600, 180, 3.2, 1)
    before = Figures(12333, 3, 0.02, 5000, 150, 3.0, 0)
    return Digest(
        today=date(2026, 11, 24),
        day=date(2026, 11, 23),
        networks=[
            NetworkDay("x", figures, before, None),
            NetworkDay("youtube", Figures(800, -2, -0.25, None, 40, None), None, before),
        ],
        missing_networks=["linkedin"],
        best_post={
            "network": "instagram",
            "post_id": EVIL,
            "engagements": 321,
            "reach": 4000,
            "url": "https://instagram.com/p/1?a=1&b=<2>",
            "text": EVIL,
            "handle": EVIL,
        },
        scheduled=[
            {
                "entry_id": EVIL,
                "scheduled_at": WHEN,
                "network": "x",
                "text": EVIL + LONG,
                "title": None,
                "state": "pending",
                "url": None,
            }
        ]
        * items,
        comments=[
            {
                "network": "x",
                "mention_id": "c",
                "author_handle": EVIL,
                "text": EVIL + LONG,
                "created_at": WHEN,
                "url": "https://x.com/a/status/2?a=1&b=<2>",
            }
        ]
        * items,
        alerts=[{"severity": "critical", "title": EVIL + LONG, "first_seen_at": WHEN}] * items,
        campaigns=[
            CampaignBurn("c1", EVIL, "EUR", 3000, 1500, 1200, 2.5),
            CampaignBurn("c2", EVIL, "EUR", None, 80, None, None),
        ],
        slots=[
            Slot("x", "1", 1, 18, 1.42, 9, 12, "high", False),
            Slot("x", "1", 3, 12, 1.1, 3, 5, "medium", False),
            Slot("youtube", "2", 5, 9, 1.2, 0, 4, "low", True),
        ],
        handles={("x", "1"): EVIL},
    )


def _reports_examples(reader: Reader) -> dict[str, Message]:
    """The morning digest: every part with hostile values, one with lists far beyond what
    Slack takes, and the digest of a brand without any data."""
    rm = reports_messages
    return {
        "digest_message": rm.digest_message(reader, hostile_digest()),
        "digest_message_long": rm.digest_message(reader, hostile_digest(items=200)),
        "digest_message_empty": rm.digest_message(
            reader, Digest(today=date(2026, 11, 24), day=date(2026, 11, 23))
        ),
        "weekly_message": rm.weekly_message(reader, _stored_report(replaced=False)),
        "weekly_message_replaced": rm.weekly_message(reader, _stored_report(replaced=True)),
        "weekly_message_empty": rm.weekly_message(
            reader, StoredReport("2026-W47", {"html": "/r/w.html"}, False, "c", (), empty=True)
        ),
    }


def _stored_report(*, replaced: bool) -> StoredReport:
    lines = (
        N_(
            "{mark} {kpi}: {value} (objective {target})",
            mark="✅",
            kpi=N_("Follower growth"),
            value=Percent(0.018),
            target=Percent(0.015),
        ),
        N_("No figures this week for {networks}.", networks=["LinkedIn"]),
    )
    files = {"html": f"/reports/{EVIL}.html", "pdf": "s3://bucket/reports/weekly-2026-W47.pdf"}
    return StoredReport("2026-W47", files, replaced, "c0ffee", lines)
