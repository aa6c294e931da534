"""French/English sentiment of social texts (mentions, comments), for listening.

    >>> score("Franchement déçu, jamais reçu ma commande #fail")
    Sentiment(lang='fr', label='negative', score=-0.98...)

* :func:`detect_language` → ``"fr"``, ``"en"`` or ``"other"`` (py3langid on a cleaned text);
* :func:`score` / :func:`score_many` → :class:`Sentiment` (lang, label in negative /
  neutral / positive, score in -1..1): lexicons and rules, then a linear model whose thirteen
  weights per label ship in ``resources/``; nothing downloaded, no I/O but reading the
  package's own resources once;
* :func:`score_frame` adds ``lang``, ``sentiment_label`` and ``sentiment_score`` to a
  DataFrame.

Pure functions: no Airflow, no network, no clock. Method, data and accuracy:
``docs/sentiment.md``. Command line: ``python -m socialops sentiment``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from socialops.analytics.sentiment.language import detect_language, detect_languages
from socialops.analytics.sentiment.scorer import LABELS, NEUTRAL_EMPTY, Sentiment, classify

if TYPE_CHECKING:
    import pandas as pd

LANGS = ("fr", "en")


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in LANGS:
        raise ValueError(f"lang must be 'fr', 'en' or None (detect), not {lang!r}")


def _scored(text: str, lang: str) -> Sentiment:
    if not text.strip():
        return NEUTRAL_EMPTY[lang]
    label, value = classify(text, lang)
    return Sentiment(lang, label, value)


def score(text: str, lang: str | None = None) -> Sentiment:
    """Sentiment of one text; ``lang`` "fr"/"en" skips detection (the text is read as it)."""
    _check_lang(lang)
    return _scored(text, lang or detect_language(text))


def score_many(texts: Iterable[str], lang: str | None = None) -> list[Sentiment]:
    """:func:`score` of each text, in order; detection runs on the whole batch at once."""
    _check_lang(lang)
    texts = list(texts)
    langs: Sequence[str] = detect_languages(texts) if lang is None else [lang] * len(texts)
    return [_scored(text, text_lang) for text, text_lang in zip(texts, langs, strict=True)]


def score_frame(df: pd.DataFrame, column: str, lang: str | None = None) -> pd.DataFrame:
    """A copy of ``df`` with ``lang``, ``sentiment_label`` and ``sentiment_score`` columns
    for the texts of ``column`` (a missing text, None or NaN, is scored as empty)."""
    if column not in df.columns:
        raise KeyError(f"no column {column!r} in the frame (columns: {list(df.columns)})")
    texts = ["" if not isinstance(text, str) else text for text in df[column].tolist()]
    results = score_many(texts, lang)
    out = df.copy()
    out["lang"] = [result.lang for result in results]
    out["sentiment_label"] = [result.label for result in results]
    out["sentiment_score"] = [result.score for result in results]
    return out


__all__ = [
    "LABELS",
    "LANGS",
    "Sentiment",
    "detect_language",
    "detect_languages",
    "score",
    "score_frame",
    "score_many",
]
