"""Lexicon-and-rules sentiment of one short social text (VADER's method, rewritten for
French and English social texts).

A text is cut into tokens (words, hashtags split into words, emoji, emoticons, ``!``),
each sentiment-bearing token gets its valence from the lexicon of the text's language
(then of the other language, for mixed texts), adjusted by the words before it (boosters,
diminishers, negation), by its form (ALL CAPS, elongation) and by its clause (before or
after "mais"/"but"); the sum goes through VADER's normalisation ``s / sqrt(s² + 15)`` to a
score in -1..1, and calibrated thresholds (``THRESHOLDS``) give the label.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from socialops.analytics.sentiment.lexicon import (
    BOOSTERS,
    CONTRASTS,
    EXPECTED,
    FALSE_FRIENDS,
    NEGATED_EXPECTATION,
    NEGATED_NEGATIVE,
    NEGATED_POSITIVE,
    NEGATORS,
    emoji,
    fold,
    lexicon,
)

LABELS = ("negative", "neutral", "positive")
#: score >= positive → "positive", score <= -negative → "negative", else "neutral".
#: Calibrated on the development halves of the evaluation sets (docs/sentiment.md).
THRESHOLDS: dict[str, tuple[float, float]] = {
    "fr": (0.35, 0.30),
    "en": (0.35, 0.30),
    "other": (0.35, 0.30),
}
NORMALISATION = 15.0  # VADER's alpha
CAPS_BOOST = 0.733  # VADER's C_INCR, added to an ALL CAPS word's |valence|
ELONGATION_BOOST = 0.2  # "trooop", "sooo goooood": x 1.2
EXCLAMATION_BOOST = 0.292  # per "!" (at most 4), added to |sum|, as VADER
NEGATION_WINDOW = 3

_TOKEN = re.compile(
    r"""
    (?P<skip>https?://\S+|www\.\S+|@\w+|&\w+;)
    |\#(?P<tag>\w+)
    |(?P<emoticon>(?<![^\s(])(?:[:;=][-']?[)(\]\[dDpPoO/|]|[xX][dD]\b|<3|</3|\^_?\^|
        -_-|[tT]_[tT]|>:\(|\):|\(:)(?![^\s)!?.,]))
    |(?P<word>[^\W\d_]+(?:['’](?![^\W\d_]))?['’]?)
    |(?P<bang>!+)
    |(?P<stop>[.;,:?()\[\]"«»…]+|\s[-–—]\s)
    |(?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u2300-\u23FF])
    """,
    re.VERBOSE,
)
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_CAMEL = re.compile(r"[A-ZÀ-Ý]?[a-zà-ÿ]+|[A-ZÀ-Ý]+(?![a-zà-ÿ])|\d+")


@dataclass(frozen=True, slots=True)
class Sentiment:
    lang: str  # "fr" | "en" | "other"
    label: str  # "negative" | "neutral" | "positive"
    score: float  # -1..1


NEUTRAL_EMPTY = {lang: Sentiment(lang, "neutral", 0.0) for lang in THRESHOLDS}


@dataclass(slots=True)
class _Token:
    key: str  # folded
    kind: str  # "word" | "emoji" | "stop" | "contrast" | "bang"
    caps: bool = False
    elongated: bool = False


def _hashtag_words(body: str) -> list[str]:
    """``CustomerServiceFail`` → customer service fail; ``fail`` → fail."""
    parts = _CAMEL.findall(body)
    return [part for part in parts if not part.isdigit()] or [body]


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "word":
            tokens.append(_word_token(value))
        elif kind == "tag":
            tokens.extend(_word_token(word) for word in _hashtag_words(value))
        elif kind == "emoji" or kind == "emoticon":
            tokens.append(_Token(fold(value), "emoji"))
        elif kind == "bang":
            tokens.append(_Token("!", "bang", elongated=len(value) > 1))
            tokens[-1].key = "!" * min(len(value), 4)
        elif kind == "stop":
            tokens.append(_Token(value, "stop"))
    return tokens


def _word_token(value: str) -> _Token:
    key = fold(value)
    caps = len(value) > 1 and value.isupper()
    elongated = _ELONGATED.search(key) is not None
    kind = "contrast" if key in CONTRASTS else "word"
    return _Token(key, kind, caps, elongated)


class _Resolver:
    """Valence of a folded word in a language, memoised (social texts repeat their words)."""

    def __init__(self, lang: str) -> None:
        other = "en" if lang == "fr" else "fr"
        self.primary = lexicon(lang)
        self.secondary = lexicon(other)
        self.blocked = FALSE_FRIENDS[lang]
        self.cache: dict[str, float | None] = {}

    def __call__(self, key: str) -> float | None:
        try:
            return self.cache[key]
        except KeyError:
            pass
        value = self._lookup(key)
        if value is None and _ELONGATED.search(key):
            value = self._lookup(_ELONGATED.sub(r"\1\1", key))
            if value is None:
                value = self._lookup(_ELONGATED.sub(r"\1", key))
        if len(self.cache) > 200_000:
            self.cache.clear()
        self.cache[key] = value
        return value

    def _lookup(self, key: str) -> float | None:
        value = self.primary.words.get(key)
        if value is None and key not in self.blocked and len(key) > 2:
            value = self.secondary.words.get(key)
        return value

    def phrase(self, keys: list[str]) -> float | None:
        joined = " ".join(keys)
        value = self.primary.phrases.get(joined)
        if value is None:
            value = self.secondary.phrases.get(joined)
        return value


_RESOLVERS: dict[str, _Resolver] = {}


def _resolver(lang: str) -> _Resolver:
    if lang not in _RESOLVERS:
        _RESOLVERS[lang] = _Resolver(lang)
    return _RESOLVERS[lang]


def _squash(total: float) -> float:
    return total / math.sqrt(total * total + NORMALISATION)


def label_of(score: float, lang: str) -> str:
    positive, negative = THRESHOLDS[lang]
    if score >= positive:
        return "positive"
    if score <= -negative:
        return "negative"
    return "neutral"


def polarity(text: str, lang: str) -> float:
    """The score in -1..1 of ``text`` read as ``lang`` ("other": emoji and emoticons only)."""
    tokens = tokenize(text)
    if not tokens:
        return 0.0
    emoji_valences = emoji()
    if lang not in ("fr", "en"):
        total = sum(emoji_valences.get(token.key, 0.0) for token in tokens if token.kind == "emoji")
        return round(_squash(total), 4)
    resolve = _resolver(lang)
    negators = NEGATORS[lang]
    expected = EXPECTED[lang]
    shouting = sum(token.caps for token in tokens) * 2 > sum(t.kind == "word" for t in tokens)

    valences = [0.0] * len(tokens)
    negatable = [True] * len(tokens)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "emoji":
            valences[i] = emoji_valences.get(token.key, 0.0)
            negatable[i] = False
        elif token.kind == "word":
            # the longest phrase starting here ("pas terrible", "merci pour rien") wins
            for size in range(min(resolve.primary.longest_phrase, len(tokens) - i), 1, -1):
                window = tokens[i : i + size]
                if all(t.kind == "word" for t in window):
                    value = resolve.phrase([t.key for t in window])
                    if value is not None:
                        valences[i] = value
                        # a phrase that holds its own negation is not negated again
                        negatable[i] = not any(_is_negator(t.key, negators) for t in window)
                        for j in range(i + 1, i + size):
                            tokens[j].kind = "phrase-part"
                        break
            else:
                value = resolve(token.key)
                if value is not None:
                    valences[i] = value
        i += 1

    # boosters that precede a sentiment word lend it their force instead of their valence
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.key in BOOSTERS and valences[i]:
            after = next((j for j in range(i + 1, min(i + 3, len(tokens)))), None)
            if after is not None and valences[after] and tokens[after].kind == "word":
                valences[i] = 0.0

    total = 0.0
    contrast_seen = False
    exclamations = 0
    for i, token in enumerate(tokens):
        if token.kind == "bang":
            exclamations += len(token.key)
            continue
        if token.kind == "contrast":
            total *= 0.5
            contrast_seen = True
            continue
        value = valences[i]
        negated = _negated(tokens, i, negators)
        if not value and token.kind == "word" and token.key in expected and negated:
            value = NEGATED_EXPECTATION
            negated = False
        if not value:
            continue
        if token.kind == "word":
            value *= _boost(tokens, i)
            if token.caps and not shouting:
                value += math.copysign(CAPS_BOOST, value)
            if token.elongated:
                value *= 1 + ELONGATION_BOOST
            if negated and negatable[i]:
                value *= NEGATED_POSITIVE if value > 0 else NEGATED_NEGATIVE
        if contrast_seen:
            value *= 1.5
        total += value
    if total:
        total += math.copysign(min(exclamations, 4) * EXCLAMATION_BOOST, total)
    return round(_squash(total), 4)


def _is_negator(key: str, negators: frozenset[str]) -> bool:
    return key in negators or key.endswith("n'")


def _negated(tokens: list[_Token], i: int, negators: frozenset[str]) -> bool:
    for j in range(i - 1, max(i - 1 - NEGATION_WINDOW, -1), -1):
        token = tokens[j]
        if token.kind in ("stop", "contrast"):
            return False
        if token.kind == "word" and _is_negator(token.key, negators):
            return True
    return False


def _boost(tokens: list[_Token], i: int) -> float:
    factor = 1.0
    for distance, j in enumerate(range(i - 1, max(i - 4, -1), -1)):
        token = tokens[j]
        if token.kind in ("stop", "contrast", "emoji"):
            break
        scale = BOOSTERS.get(token.key)
        if scale is None and token.elongated:
            scale = BOOSTERS.get(_ELONGATED.sub(r"\1", token.key))
        if scale is not None:
            factor *= 1 + scale * (1.0 - 0.1 * distance)
    return factor


__all__ = ["LABELS", "NEUTRAL_EMPTY", "THRESHOLDS", "Sentiment", "label_of", "polarity", "tokenize"]
