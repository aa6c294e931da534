"""The publication notices added by the ledger and the sync: both locales, escaped values."""

import json
import re
import string
from datetime import UTC, datetime, timedelta

import pytest

from socialops.calendar.sync import (
    HOLD_PREFIX,
    ROW_REMOVED,
    EditedAfterPublication,
    HeldRemoval,
    RemovedRow,
)
from socialops.networks.records import Draft, Receipt
from socialops.notifications.blocks import MAX_BLOCKS, MAX_SECTION_TEXT
from socialops.notifications.outbox import Notice
from socialops.publishing.messages import TEXTS, PublicationNotices, text, withdrawal
from socialops.publishing.reconcile import Choice
from socialops.publishing.store import Claim, ExternalIdTaken


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_each_text_has_french_and_english_with_the_same_values(key):
    assert set(TEXTS[key]) == {"fr", "en"}
    fields = {
        locale: {name for _, name, _, _ in string.Formatter().parse(template) if name}
        for locale, template in TEXTS[key].items()
    }
    assert fields["fr"] == fields["en"]


def test_values_are_escaped_and_templates_kept():
    rendered = text("removed_row", "en", entry_id="<!channel>", networks="X", when="now")
    assert "<!channel>" not in rendered and "&lt;!channel&gt;" in rendered
    assert rendered.startswith("`&lt;!channel&gt;`")


@pytest.mark.parametrize(
    ("reason", "english", "french"),
    [
        ("the entry is cancelled", "the entry was cancelled", "l'entrée a été annulée"),
        ("the entry is back to draft", "the entry went back to draft", "brouillon"),
        ("x was removed from the row", "X was removed from the row", "X a été retiré"),
        (ROW_REMOVED, "the row was removed from the calendar", "la ligne a été supprimée"),
        (HOLD_PREFIX + "row 2 (e1), text: is empty", "invalid (row 2 (e1), text", "invalide"),
    ],
)
def test_withdrawal_reasons_are_said_in_the_brand_locale(reason, english, french):
    assert english in withdrawal("en", reason, "x")
    assert french in withdrawal("fr", reason, "x")
    assert not re.search(r"\{\w+\}", withdrawal("fr", reason, "x"))


EVIL = "<!channel> & <@U123>"
WHEN = datetime(2026, 11, 24, 10, tzinfo=UTC)


def evil_notices(locale: str) -> dict[str, Notice]:
    """Every notice the ledger and the sync add, with hostile text in every user value."""
    notices = PublicationNotices("#cm", locale=locale, timezone="Europe/Paris")
    claim = Claim(
        publication_id=1,
        owner="run",
        entry_id=EVIL,
        network="linkedin",
        account=EVIL,
        idempotency_key="linkedin:e:abc",
        state="unconfirmed",
        attempts=1,
        scheduled_at=WHEN,
        last_attempt_at=WHEN,
        draft=Draft(account=EVIL, text=EVIL),
    )
    receipt = Receipt("linkedin", EVIL, "https://linkedin.com/p/1?a=1&b=<2>", WHEN)
    row = RemovedRow(EVIL, WHEN, ("x", "linkedin"))
    return {
        "live_although_withdrawn": notices.live_although_withdrawn(claim, receipt, EVIL),
        "withdrawn_not_found": notices.withdrawn_not_found(claim, HOLD_PREFIX + EVIL, "rejected"),
        "backed_off": notices.backed_off(claim, WHEN, WHEN),
        "missed_by_back_off": notices.missed_by_back_off(claim, WHEN, timedelta(hours=2)),
        "missed": notices.missed(EVIL, "x", WHEN, timedelta(hours=2), last_error=EVIL),
        "ambiguous": notices.ambiguous(claim, [EVIL, "b"], Choice(ambiguous=True, seen=(receipt,))),
        "hidden": notices.ambiguous(
            claim, [EVIL], Choice(ambiguous=True, seen=(receipt,), hidden=True)
        ),
        "id_taken": notices.id_taken(claim, ExternalIdTaken(claim, receipt, EVIL)),
        "edited_after_publication": notices.edited_after_publication(
            EditedAfterPublication(1, EVIL, "x", EVIL, "https://x.com/1", "c")
        ),
        "rows_removed": notices.rows_removed([row] * 3000, EVIL, WHEN),
        "removal_held": notices.removal_held(
            HeldRemoval(EVIL, (row,), planned=3, threshold_pct=50), EVIL, variable="v", occurrence=1
        ),
    }


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_new_notice_escapes_user_values_and_fits_slack(locale):
    for name, notice in evil_notices(locale).items():
        everything = notice.text + json.dumps(notice.blocks, ensure_ascii=False)
        assert "<!channel>" not in everything and "<@U123>" not in everything, name
        assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in everything, name
        assert not re.search(r"\{\w+\}", everything), name  # no template left unfilled
        assert notice.blocks and len(notice.blocks) <= MAX_BLOCKS, name
        assert all(
            len(b["text"]["text"]) <= MAX_SECTION_TEXT for b in notice.blocks if "text" in b
        ), name


def test_the_live_post_is_linked_and_long_lists_are_counted_not_dropped():
    notices = evil_notices("en")
    assert "<https://linkedin.com/p/1?a=1&amp;b=%3C2%3E|view the post>" in (
        notices["live_although_withdrawn"].text
    )
    rows_removed = json.dumps(notices["rows_removed"].blocks)
    assert "3000 row(s) removed" in notices["rows_removed"].text
    assert "more." in rows_removed  # "… and N more."
