"""Language detection: fr / en / other on short social texts."""

from __future__ import annotations

import csv

import pytest

from socialops.analytics.sentiment.language import (
    CANDIDATES,
    clean_for_identification,
    detect_language,
    detect_languages,
)
from socialops.paths import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "include" / "sentiment" / "langid_sample.tsv"


def _sample() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Franchement déçu par le service client #fail", "fr"),
        ("jpp de cette pub mdr", "fr"),
        ("pas terrible", "fr"),
        ("trooop bien 😂", "fr"),
        ("@Delta worst airline ever, 3 hours delay #fail", "en"),
        ("sooo goooood!!!", "en"),
        ("not bad at all tbh", "en"),
        ("¡Qué buena noticia! Me encanta 😍", "other"),
        ("Ich warte immer noch auf meine Bestellung", "other"),
        ("Non funziona niente, che schifo", "other"),
        ("Ainda não recebi minha encomenda", "other"),
        ("Ik wacht nog steeds op mijn pakket", "other"),
        ("Спасибо за помощь", "other"),
        ("شكرا جزيلا", "other"),
        ("😍😍😍", "other"),
        ("https://t.co/abc @user", "other"),
        ("", "other"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_accuracy_on_the_hand_labelled_sample():
    rows = _sample()
    found = detect_languages([row["text"] for row in rows])
    right = sum(lang == row["lang"] for lang, row in zip(found, rows, strict=True))
    assert right / len(rows) >= 0.97, [
        (row["text"], lang) for lang, row in zip(found, rows, strict=True) if lang != row["lang"]
    ]


def test_batch_and_one_by_one_agree():
    texts = [row["text"] for row in _sample()] * 2
    assert detect_languages(texts) == [detect_language(text) for text in texts]


def test_the_cut_model_classifies_as_py3langid_does():
    """resources/langid.npz is py3langid's model cut to CANDIDATES: same decisions."""
    langid = pytest.importorskip("py3langid.langid")
    reference = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    reference.set_languages(list(CANDIDATES))
    from socialops.analytics.sentiment.language import _identifier

    texts = [clean_for_identification(row["text"]) for row in _sample()]
    texts += ["Hola, ¿qué tal?", "Bonjour à tous", "Good morning", "Goeiemorgen", "Bon dia"]
    expected = [reference.classify(text)[0] for text in texts]
    assert _identifier().classify(texts) == expected  # batch walk
    assert [_identifier().classify([text])[0] for text in texts] == expected  # one by one


def test_cleaning_drops_what_carries_no_language():
    cleaned = clean_for_identification("@sncf trooop nul 😡 https://t.co/x #fail 2024")
    assert cleaned.split() == ["trop", "nul", "fail"]


def test_a_batch_without_any_feature():
    assert detect_languages(["x"] * 40) == [detect_language("x")] * 40


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("So annoyed", "en"),
        ("perfect!", "en"),
        ("Nervous as hell", "en"),
        ("c nul", "fr"),
        ("muy bien", "other"),
        ("grazie mille", "other"),
        ("buenas noches", "other"),
    ],
)
def test_very_short_texts_are_decided_by_their_vocabulary(text, lang):
    assert detect_language(text) == lang


def test_a_large_batch_is_walked_in_bounded_pieces(monkeypatch):
    from socialops.analytics.sentiment import language

    texts = [row["text"] for row in _sample()] * 3
    expected = detect_languages(texts)
    monkeypatch.setattr(language, "LARGE_BATCH", 50)
    assert detect_languages(texts) == expected
