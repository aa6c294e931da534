"""The publication notices added by the ledger and the sync: both locales, escaped values."""

import re
import string

import pytest

from socialops.calendar.sync import HOLD_PREFIX, ROW_REMOVED
from socialops.publishing.messages import TEXTS, text, withdrawal


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
