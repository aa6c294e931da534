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


# Token kinds
WORD, EMOJI, BANG, STOP, CONTRAST, PHRASE_PART = range(6)


def _hashtag_words(body: str) -> list[str]:
    """``CustomerServiceFail`` → customer service fail; ``fail`` → fail."""
    parts = [part for part in _CAMEL.findall(body) if not part.isdigit()]
    return parts or [body]


#: word as written → (folded key, kind, ALL CAPS, elongated); social texts repeat words
_WORD_CACHE: dict[str, tuple[str, int, bool, bool]] = {}


def _word(value: str) -> tuple[str, int, bool, bool]:
    known = _WORD_CACHE.get(value)
    if known is None:
        key = fold(value)
        caps = len(value) > 1 and value.isupper()
        elongated = _ELONGATED.search(key) is not None
        known = (key, CONTRAST if key in CONTRASTS else WORD, caps, elongated)
        if len(_WORD_CACHE) > 200_000:
            _WORD_CACHE.clear()
        _WORD_CACHE[value] = known
    return known


def tokenize(text: str) -> list[tuple[str, int, bool, bool]]:
    """(folded key, kind, ALL CAPS, elongated) of each token; URLs and @handles dropped."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "word":
            tokens.append(_word(value))
        elif kind == "tag":
            tokens.extend(_word(word) for word in _hashtag_words(value))
        elif kind == "emoji" or kind == "emoticon":
            tokens.append((fold(value), EMOJI, False, False))
        elif kind == "bang":
            tokens.append(("!" * min(len(value), 4), BANG, False, False))
        elif kind == "stop":
            tokens.append((value, STOP, False, False))
    return tokens


class _Resolver:
    """Valence of a folded word in a language, memoised (social texts repeat their words)."""

    def __init__(self, lang: str) -> None:
        other = "en" if lang == "fr" else "fr"
        self.primary = lexicon(lang)
        self.secondary = lexicon(other)
        self.blocked = FALSE_FRIENDS[lang]
        self.negators = NEGATORS[lang]
        self.expected = EXPECTED[lang]
        self.longest_phrase = max(self.primary.longest_phrase, self.secondary.longest_phrase)
        self.phrase_starts = {
            phrase.split(" ", 1)[0] for phrase in (*self.primary.phrases, *self.secondary.phrases)
        }
        self.cache: dict[str, float] = {}

    def __call__(self, key: str) -> float:
        value = self.cache.get(key)
        if value is None:
            value = self._lookup(key)
            if value is None and _ELONGATED.search(key):
                value = self._lookup(_ELONGATED.sub(r"\1\1", key))
                if value is None:
                    value = self._lookup(_ELONGATED.sub(r"\1", key))
            if len(self.cache) > 200_000:
                self.cache.clear()
            value = self.cache[key] = value or 0.0
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

    def is_negator(self, key: str) -> bool:
        return key in self.negators or key.endswith("n'")


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
    emoji_valences = emoji()
    if lang not in ("fr", "en"):
        total = sum(emoji_valences.get(key, 0.0) for key, kind, _, _ in tokens if kind == EMOJI)
        return round(_squash(total), 4)
    resolve = _resolver(lang)
    kinds = [token[1] for token in tokens]
    valences = [0.0] * len(tokens)
    immune = [False] * len(tokens)  # emoji, phrases holding their own negation
    for i, (key, _, _, _) in enumerate(tokens):
        kind = kinds[i]  # a phrase turns the words after its first into PHRASE_PART
        if kind == EMOJI:
            valences[i] = emoji_valences.get(key, 0.0)
            immune[i] = True
        elif kind == WORD:
            if key in resolve.phrase_starts and _phrase_at(tokens, kinds, i, resolve, valences, immune):
                continue
            valences[i] = resolve(key)
    if not any(valences) and not any(
        kind == WORD and token[0] in resolve.expected
        for token, kind in zip(tokens, kinds, strict=True)
    ):
        return 0.0

    shouting = sum(token[2] for token in tokens) * 2 > kinds.count(WORD)
    total = 0.0
    contrast_seen = False
    exclamations = 0
    for i, (key, _, caps, elongated) in enumerate(tokens):
        kind = kinds[i]
        if kind == BANG:
            exclamations += len(key)
            continue
        if kind == CONTRAST:
            total *= 0.5
            contrast_seen = True
            continue
        value = valences[i]
        if kind == WORD:
            if not value:
                if key in resolve.expected and _negated(tokens, kinds, i, resolve):
                    value = NEGATED_EXPECTATION
                else:
                    continue
            elif key in BOOSTERS and _precedes_sentiment(kinds, valences, i):
                continue  # "super bien": super lends its force to bien, not its valence
            else:
                value *= _boost(tokens, kinds, i)
                if caps and not shouting:
                    value += math.copysign(CAPS_BOOST, value)
                if elongated:
                    value *= 1 + ELONGATION_BOOST
                if not immune[i] and _negated(tokens, kinds, i, resolve):
                    value *= NEGATED_POSITIVE if value > 0 else NEGATED_NEGATIVE
        elif not value:
            continue
        if contrast_seen:
            value *= 1.5
        total += value
    if total:
        total += math.copysign(min(exclamations, 4) * EXCLAMATION_BOOST, total)
    return round(_squash(total), 4)


def _phrase_at(tokens, kinds, i, resolve, valences, immune) -> bool:
    """The longest phrase starting at ``i`` ("pas terrible", "merci pour rien"), if any,
    takes the place of its words."""
    for size in range(min(resolve.longest_phrase, len(tokens) - i), 1, -1):
        if any(kind != WORD for kind in kinds[i : i + size]):
            continue
        keys = [token[0] for token in tokens[i : i + size]]
        value = resolve.phrase(keys)
        if value is not None:
            valences[i] = value
            immune[i] = any(resolve.is_negator(key) for key in keys)
            for j in range(i + 1, i + size):
                kinds[j] = PHRASE_PART
            return True
    return False


def _precedes_sentiment(kinds: list[int], valences: list[float], i: int) -> bool:
    return any(kinds[j] == WORD and valences[j] for j in range(i + 1, min(i + 3, len(kinds))))


def _negated(tokens, kinds, i: int, resolve: _Resolver) -> bool:
    for j in range(i - 1, max(i - 1 - NEGATION_WINDOW, -1), -1):
        if kinds[j] == STOP or kinds[j] == CONTRAST:
            return False
        if kinds[j] == WORD and resolve.is_negator(tokens[j][0]):
            return True
    return False


def _boost(tokens, kinds, i: int) -> float:
    factor = 1.0
    for distance, j in enumerate(range(i - 1, max(i - 4, -1), -1)):
        if kinds[j] != WORD:
            if kinds[j] == PHRASE_PART:
                continue
            break
        key, _, _, elongated = tokens[j]
        scale = BOOSTERS.get(key)
        if scale is None and elongated:
            scale = BOOSTERS.get(_ELONGATED.sub(r"\1", key))
        if scale is not None:
            factor *= 1 + scale * (1.0 - 0.1 * distance)
    return factor


__all__ = ["LABELS", "NEUTRAL_EMPTY", "THRESHOLDS", "Sentiment", "label_of", "polarity", "tokenize"]
