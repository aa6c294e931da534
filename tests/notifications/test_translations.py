"""The catalogues are complete and the French is French.

Every sentence of the code (``N_`` / ``N_plural``) is in both ``.po`` files; every French
entry is translated, keeps the English fields and follows French typography; no French
message shows catalogue text left in English.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from tests.support.messages import EVIL, examples

from socialops.calendar.entries import parse_rows
from socialops.calendar.validation import validate_entry
from socialops.notifications.catalogue import LOCALE_DIR, Reader, catalogue_path
from socialops.paths import PROJECT_ROOT
from socialops.publishing.messages import rejected_rows

NB, NNB = "\u00a0", "\u202f"
#: Catalogue texts that read the same in French (no words: a layout of fields).
SAME_IN_FRENCH = {
    "{column} ({network})",
    "{counter} {before} ({from_day}) → {after} ({to_day})",
    "Budget",
    "Mentions",
}
#: Words that betray English left in a French message (user values and code spans aside).
ENGLISH = re.compile(
    r"\b(the|and|is|are|was|not|of|to|with|has|have|for|this|that|post|posts|row|rows|"
    r"network|networks|failed|published|missed|waiting|reason|what|due|token|run|renew|"
    r"check|entry|will|cannot|refused|error|metrics|day|days|alert|view|open|link|"
    r"later|first|wait|until|fix|remove|write|add|give|use|empty)\b",
    re.IGNORECASE,
)


def code_msgids() -> set[str]:
    """The message ids ``make messages`` extracts from the code (singular ids)."""
    keywords = {**DEFAULT_KEYWORDS, "N_plural": (1, 2)}
    method_map = [("**.py", "python")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(PROJECT_ROOT / "plugins" / "socialops"), method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(locale: str):
    with catalogue_path(locale).open("rb") as source:
        return read_po(source, locale=locale)


def entries(locale: str):
    return [message for message in catalogue(locale) if message.id]


def singular(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_catalogues_hold_every_sentence_of_the_code_and_nothing_else(locale):
    in_code = code_msgids()
    in_po = {singular(m) for m in entries(locale)}
    assert in_code - in_po == set(), "new sentences: run `make messages` and translate them"
    assert in_po - in_code == set(), "sentences no longer in the code: run `make messages`"
    template = {singular(m) for m in read_po((LOCALE_DIR / "socialops.pot").open("rb")) if m.id}
    assert template == in_code, "the template is stale: run `make messages`"


def test_every_french_entry_is_translated_and_keeps_the_fields():
    for message in entries("fr"):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert "fuzzy" not in message.flags, f"review the fuzzy translation of {ids[0]!r}"
        assert all(strings), f"no French for {ids[0]!r}"
        expected = set().union(*(fields(i) for i in ids))
        for text in strings:
            assert fields(text) <= expected, (ids[0], text)
            assert fields(text) >= fields(ids[0]) - {"count"}, (ids[0], text)
            assert not re.search(r"\{\w+[!:][^}]*\}", text), "no format in templates"


def test_the_french_differs_from_the_english():
    for message in entries("fr"):
        if singular(message) in SAME_IN_FRENCH:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert singular(message) not in strings, f"{singular(message)!r} is not translated"


def _prose(text: str) -> str:
    """``text`` without what is not French prose: fields, code spans, emoji codes, links."""
    text = re.sub(r"`[^`]*`", "X", text)
    text = re.sub(r"\{\w+\}", "X", text)
    text = re.sub(r":[a-z_]+:", "", text)
    return re.sub(r"<[^>|]*\|", "<", text)


def test_french_typography():
    """A no-break space before « : » and inside « », a narrow one before ; ! ?"""
    for message in entries("fr"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            prose = _prose(text)
            assert not re.search(r"[ \w)*]:", prose.replace(f"{NB}:", "")), text
            assert not re.search(r"[ \w)][;!?]", prose.replace(f"{NNB};", "")), text
            assert prose.count("«") == prose.count(f"«{NB}"), text
            assert prose.count("»") == prose.count(f"{NB}»"), text


def test_english_has_no_space_before_a_colon():
    for message in entries("en"):
        assert not re.search(r" [:;]", _prose(singular(message))), message.id


def _french_prose(message) -> str:
    parts = []
    for block in message.block_dicts():
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [element["text"] for element in block.get("elements", [])]
    text = "\n".join([message.text, *parts])
    shown_evil = re.escape("&lt;!channel&gt;") + r".*?fin"
    text = re.sub(shown_evil, "", text)  # what a person wrote is theirs
    text = re.sub(r"<https?://[^|>]*\|", "<", text)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`]*`", "", text)


def test_no_french_message_shows_english_catalogue_text():
    fr = examples(Reader("fr", "Europe/Paris"))
    en = examples(Reader("en", "Europe/Paris"))
    for name, message in fr.items():
        prose = _french_prose(message)
        found = ENGLISH.findall(prose)
        assert not found, (name, found, prose)
        assert message.text != en[name].text, name
        assert message.block_dicts() != en[name].block_dicts(), name


def test_x_media_problems_are_translated(tmp_path):
    for name in ("clip.mov", "a.jpg", "b.jpg", "c.jpg", "d.jpg"):
        (tmp_path / name).write_bytes(b"0")  # present: only X's own rules speak
    parsed = parse_rows(
        [
            {
                "entry_id": "e1",
                "scheduled_at": "2026-11-24 18:30",
                "networks": "x",
                "text": "a",
                "media": "clip.mov|a.jpg|b.jpg|c.jpg|d.jpg",
            }
        ],
        timezone="Europe/Paris",
        owned_accounts={"x": ["m"]},
        source="csv:test",
    )
    for entry in parsed.entries:
        parsed.problems.extend(validate_entry(entry, Path(tmp_path)))
    assert parsed.problems
    message = rejected_rows(Reader("fr"), parsed, source="csv:test")
    assert not ENGLISH.findall(_french_prose(message))


def test_french_plurals_count_zero_and_one_as_singular():
    def headline(locale: str, rows: int) -> str:
        parsed = parse_rows(
            [
                {"entry_id": f"e{i}", "scheduled_at": "x", "networks": "x", "text": EVIL}
                for i in range(rows)
            ],
            timezone="UTC",
            owned_accounts={"x": ["m"]},
            source="csv:test",
        )
        return rejected_rows(Reader(locale), parsed, source="csv:test").text

    assert headline("fr", 1).startswith(":warning: 1 ligne du calendrier a un problème")
    assert headline("fr", 3).startswith(":warning: 3 lignes du calendrier ont des problèmes")
    assert headline("en", 1).startswith(":warning: 1 calendar row has a problem")
    assert headline("en", 3).startswith(":warning: 3 calendar rows have problems")
