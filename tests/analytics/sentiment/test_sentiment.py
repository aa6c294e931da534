"""The package's API (score, score_many, score_frame) and an accuracy floor on the held-out
halves of the committed evaluation sets, so that a regression fails."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from socialops.analytics.sentiment import Sentiment, score, score_frame, score_many
from socialops.analytics.sentiment.metrics import macro_f1
from socialops.paths import PROJECT_ROOT

SETS = PROJECT_ROOT / "include" / "sentiment"


def test_score_detects_the_language_and_returns_lang_label_score():
    result = score("Franchement déçu, jamais reçu ma commande #fail")
    assert isinstance(result, Sentiment)
    assert result.lang == "fr" and result.label == "negative" and -1 <= result.score < -0.5


def test_a_given_language_skips_detection():
    assert score("Me encanta", lang="fr").lang == "fr"
    assert score("trop bien", lang="en").label == "positive"  # French words still read


def test_empty_and_blank_texts_are_neutral_zero():
    assert score("") == Sentiment("other", "neutral", 0.0)
    assert score("   ", lang="en") == Sentiment("en", "neutral", 0.0)


def test_another_language_says_so():
    result = score("El servicio al cliente es terrible")
    assert result.lang == "other" and result.label == "neutral" and result.score == 0.0


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang must be 'fr', 'en' or None"):
        score("hello", lang="de")
    with pytest.raises(ValueError, match="lang must be"):
        score_many(["hello"], lang="auto")


def test_score_many_keeps_order_and_matches_score():
    texts = ["trop bien 😍", "", "never got my package", "Hola amigos", "bof"] * 5
    assert score_many(texts) == [score(text) for text in texts]
    assert score_many([]) == []


def test_score_frame_adds_three_columns_and_keeps_the_rest():
    df = pd.DataFrame(
        {"id": [3, 1, 2, 4], "text": ["nul", "génial 😍", None, float("nan")]},
        index=["a", "b", "c", "d"],
    )
    out = score_frame(df, "text")
    assert list(out.columns) == ["id", "text", "lang", "sentiment_label", "sentiment_score"]
    assert list(out.index) == ["a", "b", "c", "d"]
    assert out["sentiment_label"].tolist() == ["negative", "positive", "neutral", "neutral"]
    assert out.loc["c", "sentiment_score"] == 0.0
    assert "lang" not in df.columns  # the input frame is not modified


def test_score_frame_names_a_missing_column():
    with pytest.raises(KeyError, match="no column 'message'"):
        score_frame(pd.DataFrame({"text": ["a"]}), "message")


def _held_out(name: str) -> list[dict[str, str]]:
    with (SETS / name).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row for row in rows if row["split"] == "test"]


@pytest.mark.parametrize(
    ("name", "floor"),
    [
        # measured 0.72 / 0.64 / 0.87 / 0.89 when written (docs/sentiment.md); a floor a few
        # points under, so that a real regression fails and noise does not
        ("vader_tweets_en.tsv", 0.67),
        ("vader_tweets_fr.tsv", 0.58),
        ("handwritten_en.tsv", 0.80),
        ("handwritten_fr.tsv", 0.82),
    ],
)
def test_accuracy_floor_on_held_out_texts(name, floor):
    rows = _held_out(name)
    predicted = [result.label for result in score_many([row["text"] for row in rows])]
    assert macro_f1([row["label"] for row in rows], predicted) >= floor


def test_the_english_sets_are_detected_as_english_and_the_french_as_french():
    for name, lang in [("vader_tweets_en.tsv", "en"), ("vader_tweets_fr.tsv", "fr")]:
        found = [result.lang for result in score_many(r["text"] for r in _held_out(name))]
        assert found.count(lang) / len(found) >= 0.95, name
