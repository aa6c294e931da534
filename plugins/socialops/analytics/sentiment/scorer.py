"""Sentiment of one short social text: lexicons and rules (VADER's method, rewritten for
French and English social texts), then a small linear model over what the rules found.

A text is cut into tokens (words, hashtags split into words, emoji, emoticons, ``!``),
each sentiment-bearing token gets its valence from the lexicon of the text's language
(then of the other language, for mixed texts), adjusted by the words before it (boosters,
diminishers, negation), by its form (ALL CAPS, elongation) and by its clause (before or
after "mais"/"but"). :func:`evidence` sums them (positive, negative, emoji apart) with
VADER's normalisation ``s / sqrt(s² + 15)`` as ``compound``; :func:`classify` gives those
thirteen numbers to a multinomial logistic regression (``resources/model.json``, trained by
``scripts/sentiment/train.py``, run here in plain Python) whose most probable label is the
label, and P(positive) - P(negative) the score.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from socialops.analytics.sentiment.lexicon import (
    BOOSTERS,
    CONTRASTS,
    DATA,
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
MODEL_FILE = "model.json"
NORMALISATION = 15.0  # VADER's alpha
CAPS_BOOST = 0.733  # VADER's C_INCR, added to an ALL CAPS word's |valence|
ELONGATION_BOOST = 0.2  # "trooop", "sooo goooood": x 1.2
EXCLAMATION_BOOST = 0.292  # per "!" (at most 4), added to |sum|, as VADER
NEGATION_WINDOW = 3
#: A text with a link mostly shares something (news, a video, an offer): its sentiment words
#: often describe what it links to. Chosen on the development half of VADER's tweets.
LINK_DAMPING = 0.8

_TOKEN = re.compile(
    r"""
    https?://\S+|www\.\S+|@\w+|&\w+;           # dropped: URLs, @handles, HTML entities
    |\#\w+                                     # hashtags, split into their words
    |(?<![^\s(])(?:[:;=][-']?[)(\]\[dDpPoO/|]|[xX][dD]\b|<3|</3|\^_?\^|-_-|[tT]_[tT]
        |>:\(|\):|\(:)(?![^\s)!?.,])           # emoticons, alone between spaces
    |[^\W\d_]+['’]?                            # words; "j'", "n'", "don'" keep their '
    |!+
    |[.;,:?()\[\]"«»…]+                          # clause boundaries (a lone dash: _DASHES)
    |[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u2300-\u23FF]
    """,
    re.VERBOSE,
)
_BOUNDARIES = frozenset('.;,:?()[]"«»…-–—')
_DASHES = frozenset("-–—")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_CAMEL = re.compile(r"[A-ZÀ-Ý]?[a-zà-ÿ]+|[A-ZÀ-Ý]+(?![a-zà-ÿ])|\d+")


@dataclass(frozen=True, slots=True)
class Sentiment:
    lang: str  # "fr" | "en" | "other"
    label: str  # "negative" | "neutral" | "positive"
    score: float  # -1..1


NEUTRAL_EMPTY = {lang: Sentiment(lang, "neutral", 0.0) for lang in ("fr", "en", "other")}

# What a token is. A word is also a booster, a negator, an expected event... (flags).
WORD, EMOJI, BANG, STOP, CONTRAST, IGNORED = range(6)
NEGATOR, BOOSTER, EXPECTATION, PHRASE_START, CAPS, ELONGATED, RELEVANT, LINK = (
    1 << n for n in range(8)
)


@dataclass(frozen=True, slots=True)
class Token:
    """A token as read in one language: folded key, kind, flags and lexicon valence."""

    key: str
    kind: int
    flags: int = 0
    valence: float = 0.0


def _hashtag_words(body: str) -> list[str]:
    """``CustomerServiceFail`` → customer service fail; ``fail`` → fail."""
    parts = [part for part in _CAMEL.findall(body) if not part.isdigit()]
    return parts or [body]


class _Reader:
    """Reads texts in one language: tokens with their valences, memoised by whitespace chunk
    (social texts repeat their words, so most chunks are one dictionary look-up)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.emoji = emoji()
        if lang in ("fr", "en"):
            other = "en" if lang == "fr" else "fr"
            self.primary, self.secondary = lexicon(lang), lexicon(other)
            self.blocked = FALSE_FRIENDS[lang]
            self.negators = NEGATORS[lang]
            self.expected = EXPECTED[lang]
            # first word → second word → the phrases' lengths, longest first
            self.phrase_index: dict[str, dict[str, list[int]]] = {}
            for term in (*self.primary.phrases, *self.secondary.phrases):
                first, second, *rest = term.split(" ")
                sizes = self.phrase_index.setdefault(first, {}).setdefault(second, [])
                if len(rest) + 2 not in sizes:
                    sizes.append(len(rest) + 2)
                    sizes.sort(reverse=True)
        #: chunk → (its tokens, their flags' union, CAPS words, words)
        self.cache: dict[str, tuple[tuple[Token, ...], int, int, int]] = {}
        #: token as written → its tokens (a hashtag gives several)
        self.surfaces: dict[str, tuple[Token, ...]] = {}

    def tokens(self, text: str) -> list[Token]:
        return self.read(text)[0]

    def read(self, text: str) -> tuple[list[Token], int, int, int]:
        """The text's tokens, the union of their flags (with RELEVANT if any may carry
        sentiment), its CAPS words and its words."""
        out: list[Token] = []
        cache = self.cache
        flags, caps, words = 0, 0, 0
        # Tokens never span whitespace: each whitespace-separated chunk ("merci!!", "#fail",
        # ":)", "c'est") is tokenised once and remembered, so a text costs one split and a
        # dictionary look-up per chunk.
        for chunk in text.split():
            known = cache.get(chunk)
            if known is None:
                if len(cache) > 200_000:
                    cache.clear()
                known = cache[chunk] = self._summary(self._chunk(chunk))
            out.extend(known[0])
            flags |= known[1]
            caps += known[2]
            words += known[3]
        return out, flags, caps, words

    def _chunk(self, chunk: str) -> tuple[Token, ...]:
        if chunk in _DASHES:
            return (Token(chunk, STOP),)
        # a new chunk is mostly known words with new punctuation ("merci!!", "Merci,")
        surfaces = self.surfaces
        tokens: list[Token] = []
        for surface in _TOKEN.findall(chunk):
            known = surfaces.get(surface)
            if known is None:
                if len(surfaces) > 200_000:
                    surfaces.clear()
                known = surfaces[surface] = self._read(surface)
            tokens.extend(known)
        return tuple(tokens)

    @staticmethod
    def _summary(tokens: tuple[Token, ...]) -> tuple[tuple[Token, ...], int, int, int]:
        flags = 0
        for token in tokens:
            flags |= token.flags
            if token.valence and token.kind != BANG or token.flags & (EXPECTATION | PHRASE_START):
                flags |= RELEVANT
        caps = sum(1 for token in tokens if token.flags & CAPS)
        return tokens, flags, caps, sum(1 for token in tokens if token.kind == WORD)

    def _read(self, surface: str) -> tuple[Token, ...]:
        first = surface[0]
        if first == "#" and len(surface) > 1:
            return tuple(self._word(word) for word in _hashtag_words(surface[1:]))
        if first.isalpha() and not surface.startswith(("http", "www.")):
            return (self._word(surface),)
        if first == "!":
            return (Token("!", BANG, valence=min(len(surface), 4)),)
        key = fold(surface.strip())
        if key in self.emoji:
            return (Token(key, EMOJI, valence=self.emoji[key]),)
        if surface.startswith(("http", "www.")):
            return (Token("", IGNORED, LINK),)
        if first in "@&":
            return ()
        # what is left: clause boundaries, or emoji of no valence
        return (Token(key, STOP if key[:1] in _BOUNDARIES else IGNORED),)

    def _word(self, surface: str) -> Token:
        key = fold(surface)
        flags = 0
        if len(surface) > 1 and surface.isupper():
            flags |= CAPS
        if _ELONGATED.search(key):
            flags |= ELONGATED
        if self.lang not in ("fr", "en"):
            return Token(key, WORD, flags)
        if key in CONTRASTS:
            return Token(key, CONTRAST, flags)
        if key in self.negators or key.endswith("n'"):
            flags |= NEGATOR
        short = _ELONGATED.sub(r"\1", key) if flags & ELONGATED else key
        if key in self.phrase_index or short in self.phrase_index:
            flags |= PHRASE_START
        if key in self.expected:
            flags |= EXPECTATION
        if key in BOOSTERS or short in BOOSTERS:
            flags |= BOOSTER
        return Token(key, WORD, flags, self._valence(key))

    def _valence(self, key: str) -> float:
        value = self._lookup(key)
        if value is None and _ELONGATED.search(key):
            value = self._lookup(_ELONGATED.sub(r"\1\1", key))
            if value is None:
                value = self._lookup(_ELONGATED.sub(r"\1", key))
        return value or 0.0

    def _lookup(self, key: str) -> float | None:
        value = self.primary.words.get(key)
        if value is None and key not in self.blocked and len(key) > 2:
            value = self.secondary.words.get(key)
        return value

    def phrase(self, keys: list[str]) -> float | None:
        joined = " ".join(keys)
        value = self.primary.phrases.get(joined)
        return self.secondary.phrases.get(joined) if value is None else value


_READERS: dict[str, _Reader] = {}


def _reader(lang: str) -> _Reader:
    if lang not in _READERS:
        _READERS[lang] = _Reader(lang)
    return _READERS[lang]


def tokenize(text: str, lang: str) -> list[Token]:
    return _reader(lang).tokens(text)


def _squash(total: float) -> float:
    return total / math.sqrt(total * total + NORMALISATION)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules found in a text: the model's input (:data:`FEATURES`)."""

    compound: float  # the rules' score, VADER's normalised sum, -1..1
    positive: float  # sum of the positive valences, after boosters, negation, clauses
    negative: float  # sum of the negative valences (as a positive number)
    positive_words: int
    negative_words: int
    emoji_positive: float  # emoji and emoticons, apart
    emoji_negative: float
    exclamations: int  # at most 4
    link: bool
    question: bool
    words: int
    reply: bool  # starts with an @handle
    french: bool  # read as French: its lexicon's scale differs from the English one's

    def vector(self) -> list[float]:
        return [
            self.compound,
            self.positive,
            self.negative,
            self.positive_words,
            self.negative_words,
            self.emoji_positive,
            self.emoji_negative,
            self.exclamations,
            float(self.link),
            float(self.question),
            math.log1p(self.words),
            float(self.reply),
            float(self.french),
        ]


#: The model's features, in the order of :meth:`Evidence.vector`.
FEATURES = (
    "compound",
    "positive",
    "negative",
    "positive_words",
    "negative_words",
    "emoji_positive",
    "emoji_negative",
    "exclamations",
    "link",
    "question",
    "log_words",
    "reply",
    "french",
)


def evidence(text: str, lang: str) -> Evidence | None:
    """The rules applied to ``text`` read as ``lang`` ("other": emoji and emoticons only);
    None when nothing in it carries sentiment."""
    reader = _reader(lang)
    tokens, text_flags, caps, words = reader.read(text)
    if not text_flags & RELEVANT:
        return None
    kinds = [token.kind for token in tokens]
    valences = [token.valence if token.kind != BANG else 0.0 for token in tokens]
    immune = [token.kind == EMOJI for token in tokens]  # and phrases holding a negation
    if text_flags & PHRASE_START:
        _read_phrases(reader, tokens, kinds, valences, immune)

    shouting = caps * 2 > words
    may_negate = bool(text_flags & NEGATOR)
    may_boost = bool(text_flags & BOOSTER)
    positive = negative = emoji_positive = emoji_negative = 0.0
    positive_words = negative_words = exclamations = 0
    contrast_seen = False
    for i, token in enumerate(tokens):
        kind = kinds[i]
        if kind == BANG:
            exclamations += int(token.valence)
            continue
        if kind == CONTRAST:
            positive, negative = positive * 0.5, negative * 0.5
            contrast_seen = True
            continue
        value = valences[i]
        if kind == WORD:
            flags = token.flags
            if not value:
                if flags & EXPECTATION and may_negate and _negated(tokens, kinds, i):
                    value = NEGATED_EXPECTATION
                else:
                    continue
            elif flags & BOOSTER and _precedes_sentiment(kinds, valences, i):
                continue  # "super bien": super lends its force to bien, not its valence
            else:
                if may_boost:
                    value *= _boost(tokens, kinds, i)
                if flags & CAPS and not shouting:
                    value += math.copysign(CAPS_BOOST, value)
                if flags & ELONGATED:
                    value *= 1 + ELONGATION_BOOST
                if may_negate and not immune[i] and _negated(tokens, kinds, i):
                    value *= NEGATED_POSITIVE if value > 0 else NEGATED_NEGATIVE
        elif not value:
            continue
        if contrast_seen:
            value *= 1.5
        if kind == EMOJI:
            if value > 0:
                emoji_positive += value
            else:
                emoji_negative -= value
        elif value > 0:
            positive += value
            positive_words += 1
        else:
            negative -= value
            negative_words += 1
    if not (positive or negative or emoji_positive or emoji_negative):
        return None  # sentiment words cancelled out, or only a phrase's neutral words
    exclamations = min(exclamations, 4)
    total = positive - negative + emoji_positive - emoji_negative
    if total:
        total += math.copysign(exclamations * EXCLAMATION_BOOST, total)
    if text_flags & LINK:
        total *= LINK_DAMPING
    return Evidence(
        compound=round(_squash(total), 4),
        positive=positive,
        negative=negative,
        positive_words=positive_words,
        negative_words=negative_words,
        emoji_positive=emoji_positive,
        emoji_negative=emoji_negative,
        exclamations=exclamations,
        link=bool(text_flags & LINK),
        question="?" in text,
        words=words,
        reply=text.lstrip().startswith("@"),
        french=lang == "fr",
    )


def polarity(text: str, lang: str) -> float:
    """The rules' score of ``text`` in -1..1 (VADER's normalised sum; 0 without evidence)."""
    found = evidence(text, lang)
    return 0.0 if found is None else found.compound


@dataclass(frozen=True)
class Model:
    """Multinomial logistic regression over standardised :data:`FEATURES`, trained by
    ``scripts/sentiment/train.py`` (``resources/model.json``)."""

    mean: list[float]
    scale: list[float]
    low: list[float]  # each feature's range in the training texts: a text beyond it (a
    high: list[float]  # 2 MB line of "trop bien") is read at its edge, not extrapolated
    weights: list[list[float]]  # per feature, one weight per label of LABELS
    bias: list[float]

    def __post_init__(self) -> None:
        # standardisation folded into the weights once: logit = bias' + sum(x * weight')
        folded = [
            (low, high, *(w / scale for w in row))
            for low, high, scale, row in zip(
                self.low, self.high, self.scale, self.weights, strict=True
            )
        ]
        shift = [
            sum(
                mean / scale * row[k]
                for mean, scale, row in zip(self.mean, self.scale, self.weights, strict=True)
            )
            for k in range(len(self.bias))
        ]
        object.__setattr__(self, "_folded", folded)
        object.__setattr__(self, "_bias", [b - d for b, d in zip(self.bias, shift, strict=True)])

    def probabilities(self, vector: list[float]) -> list[float]:
        negative, neutral, positive = self._bias
        for x, (low, high, w_negative, w_neutral, w_positive) in zip(
            vector, self._folded, strict=True
        ):
            x = low if x < low else high if x > high else x
            negative += x * w_negative
            neutral += x * w_neutral
            positive += x * w_positive
        top = max(negative, neutral, positive)
        exps = [math.exp(negative - top), math.exp(neutral - top), math.exp(positive - top)]
        total = sum(exps)
        return [e / total for e in exps]


@lru_cache(maxsize=1)
def model() -> Model:
    spec = json.loads((DATA / MODEL_FILE).read_text("utf-8"))
    if spec["features"] != list(FEATURES) or spec["labels"] != list(LABELS):
        raise ValueError(
            f"{MODEL_FILE} was trained on features {spec['features']} and labels "
            f"{spec['labels']}; this code computes {list(FEATURES)} / {list(LABELS)}: "
            "retrain it with scripts/sentiment/train.py"
        )
    return Model(
        spec["mean"], spec["scale"], spec["low"], spec["high"], spec["weights"], spec["bias"]
    )


def classify(text: str, lang: str) -> tuple[str, float]:
    """(label, score) of ``text`` read as ``lang``: the model's most probable label, and
    P(positive) - P(negative) in -1..1 (so a positive text scores above 0, a negative one
    below). A text without evidence is ("neutral", 0.0)."""
    found = evidence(text, lang)
    if found is None:
        return "neutral", 0.0
    negative, _, positive = probabilities = model().probabilities(found.vector())
    best = max(range(len(LABELS)), key=probabilities.__getitem__)
    return LABELS[best], round(positive - negative, 4)


def _read_phrases(reader: _Reader, tokens, kinds, valences, immune) -> None:
    """The longest phrase starting at a word ("pas terrible", "merci pour rien") takes the
    place of its words: its valence on the first, the others no longer count."""
    index = reader.phrase_index
    last = len(tokens) - 1
    i = 0
    while i < last:
        if tokens[i].flags & PHRASE_START and kinds[i] == WORD and kinds[i + 1] == WORD:
            sizes = index.get(_base(tokens[i]), {}).get(_base(tokens[i + 1]), ())
            for size in sizes:
                if i + size > len(tokens) or any(k != WORD for k in kinds[i + 2 : i + size]):
                    continue
                window = tokens[i : i + size]
                value = reader.phrase([_base(token) for token in window])
                if value is not None:
                    valences[i] = value
                    immune[i] = any(token.flags & NEGATOR for token in window)
                    for j in range(i + 1, i + size):
                        kinds[j], valences[j] = IGNORED, 0.0
                    i += size - 1
                    break
        i += 1


def _base(token: Token) -> str:
    """The key without its elongation ("trooop" → "trop"), for phrases."""
    return _ELONGATED.sub(r"\1", token.key) if token.flags & ELONGATED else token.key


def _precedes_sentiment(kinds: list[int], valences: list[float], i: int) -> bool:
    return any(kinds[j] == WORD and valences[j] for j in range(i + 1, min(i + 3, len(kinds))))


def _negated(tokens: list[Token], kinds: list[int], i: int) -> bool:
    for j in range(i - 1, max(i - 1 - NEGATION_WINDOW, -1), -1):
        if kinds[j] == STOP or kinds[j] == CONTRAST:
            return False
        if kinds[j] == WORD and tokens[j].flags & NEGATOR:
            return True
    return False


def _boost(tokens: list[Token], kinds: list[int], i: int) -> float:
    factor = 1.0
    for distance, j in enumerate(range(i - 1, max(i - 4, -1), -1)):
        if kinds[j] != WORD:
            if kinds[j] == IGNORED:
                continue
            break
        token = tokens[j]
        if token.flags & BOOSTER:
            key = token.key
            scale = BOOSTERS.get(key)
            if scale is None:
                scale = BOOSTERS[_ELONGATED.sub(r"\1", key)]
            factor *= 1 + scale * (1.0 - 0.1 * distance)
    return factor


__all__ = [
    "FEATURES",
    "LABELS",
    "NEUTRAL_EMPTY",
    "Evidence",
    "Model",
    "Sentiment",
    "Token",
    "classify",
    "evidence",
    "model",
    "polarity",
    "tokenize",
]
