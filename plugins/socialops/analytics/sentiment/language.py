"""Language of a short social text: ``"fr"``, ``"en"`` or ``"other"``.

py3langid's classifier (a naive Bayes over byte n-grams, BSD-3-Clause), on its model cut to
French, English and the languages most often confused with them in European mentions
(Spanish, Italian, Portuguese, German, Dutch, Catalan): a text is "fr" or "en" only if it
beats those. Before classification the parts that carry no language are removed (URLs,
@handles, the ``#`` of hashtags, emoji, digits) and elongations are shortened ("trooop" →
"trop"); a text with no Latin letters left (emoji only, a URL, another script) is "other".
Texts of a few words, too short or too slangy for the classifier, are then decided by
French and English marker words, or by their words all being known words of one language.
Chosen over lingua-language-detector for speed and accuracy on short texts
(``docs/sentiment.md``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

LANGUAGES = ("fr", "en", "other")
#: Candidates given to the classifier; any winner but fr/en is reported as "other".
CANDIDATES = ("fr", "en", "es", "it", "pt", "de", "nl", "ca")

_NOISE = re.compile(
    r"https?://\S+|www\.\S+|@\w+|#|&\w+;|[\d_]+"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF\u2300-\u23FF\uFE0F\u200D]"
)
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")
_LATIN_LETTER = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_ASCII_LETTER = re.compile(r"[a-zA-Z]")
_OTHER_LETTER = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")
#: Words of French (resp. English) texts, slang and function words, that the other
#: candidate languages do not write: they decide texts too short or too slangy for the
#: classifier ("mdr", "jpp grave ouf", "pas terrible") when it found no French or English,
#: or when a text of at most SHORT_TEXT words has markers of one language only.
_MARKERS = {
    "fr": frozenset(
        "mdr ptdr jpp stp svp bcp tkt jsp chelou wesh ouf bof nul nulle relou oklm trkl "
        "c'est c' j'ai j' j'adore ça ca pas je est et les des une pour avec très tres trop "
        "sont suis merci déçu deçu decu déçue decue génial genial grave kiffe galère "
        "galere marre putain merde vraiment franchement toujours jamais rien".split()
    ),
    "en": frozenset(
        "lol lmao lmfao smh tbh idk imo omg wtf thx pls plz the it's i'm you my and "
        "not this that was to of for with but are be have just love great good bad worst "
        "best thanks really never as so very".split()
    ),
}
SHORT_TEXT = 3
_WORD = re.compile(r"[^\W\d_]+'?")


#: Bytes of a text the classifier reads: a tweet is far shorter; a longer text is decided
#: on its start (its language does not change midway often enough to pay for the rest).
MAX_BYTES = 400
SMALL_BATCH = 16
LARGE_BATCH = 2048  # texts walked at once: a grid of at most 2048 x MAX_BYTES bytes
MODEL = Path(__file__).resolve().parent / "resources" / "langid.npz"


class _Identifier:
    """py3langid's classifier on its own model cut to :data:`CANDIDATES` (``resources/langid.npz``,
    written by ``scripts/sentiment/build_data.py``): the same DFA walk over a text's UTF-8
    bytes and the same naive Bayes sums as ``py3langid.langid.LanguageIdentifier.classify``
    (``tests/analytics/sentiment/test_language.py`` checks they agree). A batch is walked
    with numpy, one array step per byte position for all its texts; a few texts one by one.
    """

    def __init__(self) -> None:
        import numpy as np

        with np.load(MODEL) as model:
            self.nextmove = model["nextmove"]
            self.rowbase = model["rows"].astype(np.int64) << 8
            self.output = model["output"].astype(np.int64)
            self.ptc = model["ptc"].astype(np.float32)
            self.pc = model["pc"].astype(np.float32)
            self.classes = [str(lang) for lang in model["classes"]]
        # for the walk of a single text, Python sequences index faster than numpy arrays
        self._nextmove_view = memoryview(self.nextmove)
        self._rowbase_list = self.rowbase.tolist()
        self._output_list = self.output.tolist()

    @staticmethod
    def encode(text: str) -> bytes:
        if text.isupper():
            text = text.lower()
        return unicodedata.normalize("NFC", text).encode("utf-8", "replace")[:MAX_BYTES]

    def classify(self, texts: list[str]) -> list[str]:
        encoded = [self.encode(text) for text in texts]
        if len(encoded) < SMALL_BATCH:  # array steps cost more than they save on a few texts
            return [self._classify_one(data) for data in encoded]
        found: list[str] = []
        for start in range(0, len(encoded), LARGE_BATCH):  # bounded memory for any frame
            found += self._classify_batch(encoded[start : start + LARGE_BATCH])
        return found

    def _classify_one(self, data: bytes) -> str:
        import numpy as np

        nextmove, rowbase, output = self._nextmove_view, self._rowbase_list, self._output_list
        state, counts = 0, {}
        for byte in data:
            state = nextmove[rowbase[state] + byte]
            feature = output[state]
            if feature >= 0:
                counts[feature] = counts.get(feature, 0) + 1
        scores = self.pc.copy()
        if counts:
            features = np.fromiter(counts, dtype=np.int64, count=len(counts))
            weights = np.log1p(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))
            scores += weights @ self.ptc[features]
        return self.classes[int(scores.argmax())]

    def _classify_batch(self, encoded: list[bytes]) -> list[str]:
        import numpy as np

        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        # longest first: the texts still being read at a byte position are a prefix
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        width = int(lengths[0])
        grid = np.zeros((len(encoded), width), dtype=np.uint8)
        flat = np.frombuffer(b"".join(encoded[i] for i in order.tolist()), dtype=np.uint8)
        row_of_byte = np.repeat(np.arange(len(encoded)), lengths)
        starts = np.cumsum(lengths) - lengths
        grid[row_of_byte, np.arange(len(flat)) - np.repeat(starts, lengths)] = flat
        reading = len(lengths) - np.searchsorted(lengths[::-1], np.arange(width), "right")
        state = np.zeros(len(encoded), dtype=np.int64)
        rows, features = [], []
        for column in range(width):
            active = int(reading[column])
            step = self.nextmove[self.rowbase[state[:active]] + grid[:active, column]]
            state[:active] = step
            found = self.output[step]
            hit = np.flatnonzero(found >= 0)
            rows.append(order[hit])
            features.append(found[hit])
        scores = np.tile(self.pc, (len(encoded), 1))
        n_features = len(self.ptc)
        keys = np.concatenate([*rows, np.empty(0, np.int64)]) * n_features
        keys += np.concatenate([*features, np.empty(0, np.int64)])
        if keys.size:
            keys, counts = np.unique(keys, return_counts=True)
            weights = np.log1p(counts.astype(np.float32))[:, None] * self.ptc[keys % n_features]
            texts = keys // n_features  # sorted, since keys are
            starts = np.flatnonzero(np.r_[True, texts[1:] != texts[:-1]])
            scores[texts[starts]] += np.add.reduceat(weights, starts, axis=0)
        return [self.classes[i] for i in scores.argmax(axis=1).tolist()]


@lru_cache(maxsize=1)
def _identifier() -> _Identifier:
    return _Identifier()


#: whitespace-separated chunk → the chunk cleaned (chunks repeat across social texts)
_CLEANED: dict[str, str] = {}


def _clean_chunk(chunk: str) -> str:
    cleaned = _CLEANED.get(chunk)
    if cleaned is None:
        if len(_CLEANED) > 200_000:
            _CLEANED.clear()
        cleaned = _NOISE.sub(" ", chunk.replace("’", "'"))
        cleaned = _CLEANED[chunk] = _ELONGATION.sub(r"\1", cleaned).strip()
    return cleaned


def clean_for_identification(text: str) -> str:
    """The text as the classifier sees it: no URLs, handles, digits, emoji or elongations."""
    return " ".join(filter(None, map(_clean_chunk, text.split())))


def _script_verdict(cleaned: str) -> str | None:
    """``"other"`` when no Latin letters decide (none, or mostly another script), else None."""
    if cleaned.isascii():
        return None if _ASCII_LETTER.search(cleaned) else "other"
    latin = len(_LATIN_LETTER.findall(cleaned))
    return None if latin and latin >= len(_OTHER_LETTER.findall(cleaned)) else "other"


def _with_markers(lang: str, text: str, cleaned: str) -> str:
    if lang in ("fr", "en") and len(cleaned.split()) > SHORT_TEXT:
        return lang
    # "goooood" is "god" once shortened for the classifier; its marker is "good"
    words = _WORD.findall((cleaned + " " + _ELONGATION.sub(r"\1\1", text)).lower())
    found = {name: sum(word in markers for word in words) for name, markers in _MARKERS.items()}
    if found["fr"] and not found["en"]:
        return "fr"
    if found["en"] and not found["fr"]:
        return "en"
    if not found["fr"] and not found["en"]:
        # "So annoyed", "sweet.", "Nervous as hell": every word a known word of one language
        known = _known_in(words)
        if known is not None:
            return known
    if lang in ("fr", "en"):
        return lang
    return "other" if found["fr"] == found["en"] else max(found, key=found.get)


def _known_in(words: list[str]) -> str | None:
    """The one language whose vocabulary (its sentiment lexicon, markers and negators)
    holds every word, if exactly one does."""
    from socialops.analytics.sentiment.lexicon import fold

    keys = {fold(word) for word in words}
    holding = [lang for lang in ("fr", "en") if keys and keys <= _vocabulary(lang)]
    return holding[0] if len(holding) == 1 else None


@cache
def _vocabulary(lang: str) -> frozenset[str]:
    from socialops.analytics.sentiment.lexicon import NEGATORS, fold, lexicon

    markers = {fold(word) for word in _MARKERS[lang]}
    return frozenset(lexicon(lang).words) | markers | NEGATORS[lang]


def detect_languages(texts: list[str]) -> list[str]:
    """``"fr"``, ``"en"`` or ``"other"`` for each text, classified as one batch."""
    cleaned = [clean_for_identification(text) for text in texts]
    verdicts = [_script_verdict(text) for text in cleaned]
    pending = [i for i, verdict in enumerate(verdicts) if verdict is None]
    if pending:
        found = _identifier().classify([cleaned[i] for i in pending])
        for i, lang in zip(pending, found, strict=True):
            verdicts[i] = _with_markers(lang, texts[i], cleaned[i])
    return verdicts


def detect_language(text: str) -> str:
    """``"fr"``, ``"en"`` or ``"other"`` for one text (any length; empty is "other")."""
    return detect_languages([text])[0]


__all__ = [
    "CANDIDATES",
    "LANGUAGES",
    "clean_for_identification",
    "detect_language",
    "detect_languages",
]
