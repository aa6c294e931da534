"""Influencer scoring: pure, vectorised functions over a frame of candidate accounts.

Every formula, threshold and source is in ``docs/influencers.md``; this module is its code.

Input: one row per candidate with the columns of :data:`REQUIRED_COLUMNS` and any of
:data:`OPTIONAL_COLUMNS` (what a profile lookup returns) and :data:`DAG_COLUMNS` (what the
``influencer_scoring`` DAG adds from recent posts and listening). A column may be absent
and any value may be missing: a missing value makes the term or component it feeds
*unknown* (NaN), never 0, and the others are computed without it.

* :func:`tier` — nano … mega from the follower count (:data:`TIERS`).
* Components, each 0–1: :func:`reach`, :func:`engagement` (against the norm of the
  network and tier, :data:`ENGAGEMENT_NORMS`), :func:`relevance` (to a
  :class:`BrandProfile`), :func:`authenticity` (1 = genuine) and :func:`brand_safety`.
* :func:`score_candidates` — all of them, the 0–100 ``score`` (weighted by
  :data:`SCORE_WEIGHTS`, gated by authenticity), ``top_components`` and ``flags``
  (:data:`FLAGS`).

Nothing here reads a clock: the account age needs ``as_of``, given by the caller.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import methodcaller
from typing import Any

import numpy as np
import pandas as pd

REQUIRED_COLUMNS = ("network", "handle", "followers", "following", "posts_count")
OPTIONAL_COLUMNS = (
    "has_profile_picture",
    "private",
    "verified",
    "created_at",
    "bio",
    "avg_likes",
    "avg_comments",
)
#: Added by the influencer_scoring DAG: ``recent_posts`` (texts: one string or a list of
#: strings, see :func:`summarise_recent_posts`), counts of the candidate's posts naming the
#: brand and of those that are negative about it, the follower count of the previous
#: snapshot, and the language of the account when the network reports it.
DAG_COLUMNS = (
    "recent_posts",
    "brand_mentions",
    "negative_brand_mentions",
    "previous_followers",
    "language",
)
COUNT_COLUMNS = (
    "followers",
    "following",
    "posts_count",
    "avg_likes",
    "avg_comments",
    "brand_mentions",
    "negative_brand_mentions",
    "previous_followers",
)
BOOLEAN_COLUMNS = ("has_profile_picture", "private", "verified")
TEXT_COLUMNS = ("network", "handle", "bio", "language", "recent_posts")
NETWORKS = ("x", "youtube", "facebook", "instagram", "linkedin")
#: Other names accepted for a network (any case).
NETWORK_ALIASES = {"twitter": "x"}

#: A count above this (more than there are people) is not believed: it is treated as
#: unknown and the row is flagged ``implausible_counts``.
MAX_PLAUSIBLE_COUNT = 10_000_000_000

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})

# -- tiers and norms -----------------------------------------------------------------------

#: (tier, lowest follower count of the tier); a tier runs up to the next one's bound,
#: excluded. Bands of the Later × Fohr and untapper benchmarks (docs/influencers.md).
TIERS: tuple[tuple[str, int], ...] = (
    ("below_nano", 0),
    ("nano", 1_000),
    ("micro", 10_000),
    ("mid", 50_000),
    ("macro", 500_000),
    ("mega", 1_000_000),
)
TIER_NAMES = tuple(name for name, _ in TIERS)

#: Typical engagement rate per post, (likes + comments) / followers, as a fraction, per
#: network and tier (sources in docs/influencers.md). ``below_nano`` uses the nano norm.
ENGAGEMENT_NORMS: dict[str, dict[str, float]] = {
    "instagram": {"nano": 0.040, "micro": 0.0275, "mid": 0.020, "macro": 0.014, "mega": 0.0095},
    "youtube": {"nano": 0.032, "micro": 0.021, "mid": 0.015, "macro": 0.012, "mega": 0.009},
    "x": dict.fromkeys(TIER_NAMES[1:], 0.0012),
    "facebook": dict.fromkeys(TIER_NAMES[1:], 0.0015),
    "linkedin": dict.fromkeys(TIER_NAMES[1:], 0.0385),
}


def tier(followers: Any) -> pd.Series:
    """The tier of each follower count (:data:`TIERS`); None where the count is unknown."""
    counts = parse_counts(followers if isinstance(followers, pd.Series) else pd.Series(followers))
    values = counts.to_numpy()
    bounds = np.array([bound for _, bound in TIERS[1:]], dtype="float64")
    codes = np.searchsorted(bounds, values, side="right")
    names = np.array(TIER_NAMES, dtype=object)[np.minimum(codes, len(TIER_NAMES) - 1)]
    names[np.isnan(values)] = None
    return pd.Series(names, index=counts.index, dtype=object, name="tier")


def engagement_norm(networks: pd.Series, tiers: pd.Series) -> pd.Series:
    """The norm of :data:`ENGAGEMENT_NORMS` for each (network, tier); NaN when unknown."""
    table = np.full((len(NETWORKS), len(TIER_NAMES)), np.nan)
    for row, network in enumerate(NETWORKS):
        for column, name in enumerate(TIER_NAMES):
            table[row, column] = ENGAGEMENT_NORMS[network].get(name, np.nan)
        table[row, 0] = ENGAGEMENT_NORMS[network]["nano"]
    network_codes = pd.Index(NETWORKS).get_indexer(networks.astype(object))
    tier_codes = pd.Index(TIER_NAMES).get_indexer(tiers.astype(object))
    known = (network_codes >= 0) & (tier_codes >= 0)
    values = np.full(len(networks), np.nan)
    values[known] = table[network_codes[known], tier_codes[known]]
    return pd.Series(values, index=networks.index, name="engagement_norm")


# -- parsing (shared with the CLI) ---------------------------------------------------------


def parse_counts(values: pd.Series) -> pd.Series:
    """Numbers as floats; NaN where missing, not a number, negative or above
    :data:`MAX_PLAUSIBLE_COUNT`."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    return numbers.where((numbers >= 0) & (numbers <= MAX_PLAUSIBLE_COUNT))


def parse_booleans(values: pd.Series) -> pd.Series:
    """1.0 / 0.0 from true/false, 1/0, yes/no (any case) or real booleans; NaN otherwise."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype("float64")
        return numbers.where(numbers.isin((0.0, 1.0)))
    text = values.astype("string").str.strip().str.lower()
    result = pd.Series(np.nan, index=values.index, dtype="float64")
    result[text.isin(TRUE_WORDS).fillna(False).to_numpy(bool)] = 1.0
    result[text.isin(FALSE_WORDS).fillna(False).to_numpy(bool)] = 0.0
    return result


def parse_timestamps(values: pd.Series) -> pd.Series:
    """ISO dates or datetimes as UTC timestamps (a naive one is taken as UTC); NaT otherwise."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize("UTC")
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    return parsed


def candidates(frame: pd.DataFrame) -> pd.DataFrame:
    """The candidates with typed values: counts as floats (see :func:`parse_counts`), booleans
    as 1.0/0.0, ``created_at`` as UTC timestamps, texts as ``str`` or None; every known
    column present (absent ones all unknown). Derived columns: ``handle_digits`` and
    ``handle_length`` (characters, a leading ``@`` removed), ``bio_length`` (characters
    without the surrounding blanks; NaN when the bio is unknown) and ``implausible_counts``
    (a count was above :data:`MAX_PLAUSIBLE_COUNT`)."""
    index, rows = frame.index, len(frame)
    columns: dict[str, Any] = {}
    network = _column(frame, "network")
    codes, uniques = pd.factorize(network, use_na_sentinel=True)
    names = np.array([network_name(name) for name in uniques] + [None], dtype=object)
    columns["network"] = names[codes]
    handles = _column(frame, "handle")
    known = handles != None  # noqa: E711 (elementwise on an object array)
    handles[known] = list(map(_WITHOUT_AT, map(str.strip, handles[known])))
    columns["handle"] = handles
    implausible = np.zeros(rows, dtype=bool)
    for column in COUNT_COLUMNS:
        if column in frame.columns:
            numbers = pd.to_numeric(frame[column], errors="coerce").astype("float64")
            implausible |= (numbers > MAX_PLAUSIBLE_COUNT).to_numpy()
            columns[column] = parse_counts(numbers).to_numpy()
        else:
            columns[column] = np.full(rows, np.nan)
    for column in BOOLEAN_COLUMNS:
        present = column in frame.columns
        columns[column] = parse_booleans(frame[column]).to_numpy() if present else np.nan
    if "created_at" in frame.columns:
        columns["created_at"] = parse_timestamps(frame["created_at"])
    else:
        columns["created_at"] = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    bio = _column(frame, "bio")
    columns["bio"] = bio
    language = _column(frame, "language")
    known = language != None  # noqa: E711
    language[known] = [value.strip().lower()[:2] for value in language[known]]
    columns["language"] = language
    columns["recent_posts"] = (
        _joined_texts(frame["recent_posts"])
        if "recent_posts" in frame.columns
        else _column(frame, "recent_posts")
    )
    columns["handle_digits"], columns["handle_length"] = _digits_and_length(handles)
    bio_length = np.full(rows, np.nan)
    known = bio != None  # noqa: E711
    bio_length[known] = np.fromiter(map(len, map(str.strip, bio[known])), dtype="float64")
    columns["bio_length"] = bio_length
    columns["implausible_counts"] = implausible
    clean = pd.DataFrame(columns, index=index)
    for column in TEXT_COLUMNS:  # kept as Python objects: no conversion to a string dtype
        clean[column] = pd.Series(columns[column], index=index, dtype=object)
    return clean


def _texts(values: pd.Series) -> np.ndarray:
    """A text column of a frame as an object array of ``str`` or None."""
    return values.to_numpy(dtype=object, na_value=None)


def network_name(value: Any) -> str:
    """The network as socialops names it: lower case, ``twitter`` → ``x``."""
    name = str(value).strip().lower()
    return NETWORK_ALIASES.get(name, name)


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A text column as an object array of ``str`` or None (None throughout when absent)."""
    if name not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    values = frame[name].to_numpy(dtype=object, na_value=None)
    if pd.api.types.is_string_dtype(frame[name].dtype) and frame[name].dtype != object:
        return values  # str or None already
    return np.array([v if isinstance(v, str) else None for v in values], dtype=object)


_WITHOUT_AT = methodcaller("removeprefix", "@")


def _digits_and_length(handles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Digits in each handle and its length in characters (NaN for an unknown handle)."""
    known = handles != None  # noqa: E711
    lengths, digits = np.full(len(handles), np.nan), np.full(len(handles), np.nan)
    lengths[known] = np.fromiter(map(len, handles[known]), dtype="float64")
    data = np.frombuffer("\x00".join(handles[known].tolist()).encode("utf-8"), dtype=np.uint8)
    row = np.searchsorted(np.flatnonzero(data == 0), np.flatnonzero((data >= 48) & (data <= 57)))
    digits[known] = np.bincount(row, minlength=int(known.sum()))
    return digits, lengths


def _joined_texts(values: pd.Series) -> np.ndarray:
    def join(value: Any) -> str | None:
        if isinstance(value, str):
            return value
        if isinstance(value, Iterable):
            return "\n".join(str(text) for text in value)
        return None

    return np.array([join(value) for value in values], dtype=object)


def summarise_recent_posts(posts: pd.DataFrame) -> pd.DataFrame:
    """Recent posts (``network, handle, text`` and optionally ``likes, comments``), one row
    a post, as candidate columns: ``recent_posts`` (the texts, one per line), ``avg_likes``
    and ``avg_comments`` (means over the posts whose counter is known)."""
    keys = ["network", "handle"]
    grouped = posts.groupby(keys, sort=False)
    summary = grouped["text"].agg(lambda texts: "\n".join(texts.dropna().astype(str)))
    out = summary.rename("recent_posts").to_frame()
    for counter, column in (("likes", "avg_likes"), ("comments", "avg_comments")):
        if counter in posts.columns:
            numbers = parse_counts(posts[counter])
            out[column] = numbers.groupby([posts[key] for key in keys], sort=False).mean()
    return out.reset_index()


# -- components ------------------------------------------------------------------------------

#: reach = 0 at 100 followers or fewer, 1 at 10 million or more, linear in log10 between.
REACH_FLOOR, REACH_CEILING = 100, 10_000_000


def reach(followers: Any) -> pd.Series:
    """``(log10(followers) − 2) / 5`` clipped to 0–1: 1k → 0.2, 10k → 0.4, 1M → 0.8."""
    counts = parse_counts(followers if isinstance(followers, pd.Series) else pd.Series(followers))
    low, high = np.log10(REACH_FLOOR), np.log10(REACH_CEILING)
    logs = np.log10(np.maximum(counts.to_numpy(), 1.0))
    values = np.clip((logs - low) / (high - low), 0.0, 1.0)
    return pd.Series(values, index=counts.index, name="reach")


def engagement_rate(frame: pd.DataFrame) -> pd.Series:
    """(avg_likes + avg_comments) / followers per post; a missing counter counts as 0 when
    the other is known; NaN when both are unknown or followers is 0 or unknown."""
    clean = _clean(frame)
    return _engagement_rate(clean)


def _engagement_rate(clean: pd.DataFrame) -> pd.Series:
    interactions = clean[["avg_likes", "avg_comments"]].sum(axis=1, min_count=1)
    followers = clean["followers"].where(clean["followers"] > 0)
    return (interactions / followers).rename("engagement_rate")


def engagement_vs_norm(frame: pd.DataFrame) -> pd.Series:
    """Engagement rate divided by the norm of the row's network and tier (1 = at the norm)."""
    return _prepared(frame)[1]


def _engagement_vs_norm(clean: pd.DataFrame, tiers: pd.Series) -> pd.Series:
    norm = engagement_norm(clean["network"], tiers)
    return (_engagement_rate(clean) / norm).rename("engagement_vs_norm")


def engagement(frame: pd.DataFrame) -> pd.Series:
    """``engagement_vs_norm / 2`` clipped to 0–1: 0.5 at the norm, 1 at twice the norm."""
    return _engagement_component(engagement_vs_norm(frame))


def _engagement_component(versus_norm: pd.Series) -> pd.Series:
    return (versus_norm / 2).clip(0.0, 1.0).rename("engagement")


@dataclass(frozen=True)
class BrandProfile:
    """What relevance is measured against: the brand's keywords and hashtags, its locale
    (``fr`` or ``en``) and the names that count as mentioning it (brand name, own handles)."""

    keywords: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    locale: str = "en"
    names: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Any) -> BrandProfile:
        """From a :class:`socialops.config.BrandConfig`: ``listening.keywords`` and
        ``listening.hashtags``, ``brand.locale``, ``brand.name`` and the ``accounts`` handles."""
        names = (config.brand.name, *(f"@{account.handle}" for account in config.accounts))
        return cls(
            keywords=tuple(config.listening.keywords),
            hashtags=tuple(config.listening.hashtags),
            locale=config.brand.locale,
            names=tuple(dict.fromkeys(names)),
        )

    def terms(self) -> tuple[str, ...]:
        """Keywords and hashtags folded (:func:`fold`: ``"#BougieParfumée"`` →
        ``"bougieparfumee"``), blanks collapsed, without duplicates."""
        words = [" ".join(fold(word).split()) for word in (*self.keywords, *self.hashtags)]
        return tuple(dict.fromkeys(word for word in words if word))


#: Keyword and hashtag matches (distinct terms) that make the topic part of relevance 1.
TOPIC_SATURATION = 2
#: Posts naming the brand that make the mentions part of relevance 1.
MENTIONS_SATURATION = 3
RELEVANCE_WEIGHTS = {"topic": 0.5, "language": 0.25, "mentions": 0.25}

#: Frequent function words that tell French from English in a bio or a post.
LANGUAGE_MARKERS = {
    "fr": (
        "le la les un une des du de et est pour avec dans sur pas je tu nous vous mon ma mes "
        "ton ta tes son sa ses qui que au aux ce cette chez tres mais ou"
    ).split(),
    "en": (
        "the a an and is are for with in on not i you we my your his her our of to at this "
        "that from by it be have has but or"
    ).split(),
}


def fold(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits made a space: what texts
    and brand terms are compared in (``"Maison Lumière!"`` → ``"maison lumiere "``)."""
    return _fold_bytes(text).decode("ascii")


# bytes.translate table: A–Z → a–z, letters and digits kept, every other byte a space.
_BYTE_FOLD = bytes(
    (c + 32 if 65 <= c <= 90 else c if (97 <= c <= 122 or 48 <= c <= 57 or c == 0) else 32)
    for c in range(256)
)
_WORD_BYTE = np.array([(97 <= c <= 122) or (48 <= c <= 57) for c in range(256)], dtype=bool)
_HASH_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant mixing the 8-byte parts
_HASHED_BYTES = 24  # words are told apart by their length and first 24 bytes
_TEXT_CHUNK = 100_000  # rows analysed at once (bounds the memory of the word index)


def _fold_bytes(text: str) -> bytes:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").translate(_BYTE_FOLD)


@dataclass(frozen=True)
class _Words:
    """Every word of a list of texts, in order: its 64-bit hash and the row it is in."""

    hashes: np.ndarray
    rows: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str | None] | np.ndarray) -> _Words:
        texts = np.asarray(texts, dtype=object)
        hashes, rows = [], []
        for first in range(0, len(texts), _TEXT_CHUNK):
            chunk_hashes, chunk_rows = _hash_words(texts[first : first + _TEXT_CHUNK])
            hashes.append(chunk_hashes)
            rows.append(chunk_rows + first)
        if not hashes:
            return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64))
        return cls(np.concatenate(hashes), np.concatenate(rows))

    def rows_with(self, phrase: Sequence[int], rows: int) -> np.ndarray:
        """Whether each row contains the words of ``phrase`` (hashes) one after the other."""
        present = np.zeros(rows, dtype=bool)
        if not phrase:
            return present
        last = len(self.hashes) - len(phrase) + 1
        found = np.flatnonzero(self.hashes[: max(last, 0)] == np.uint64(phrase[0]))
        for offset, word in enumerate(phrase[1:], start=1):
            follows = self.hashes[found + offset] == np.uint64(word)
            found = found[follows & (self.rows[found + offset] == self.rows[found])]
        present[self.rows[found]] = True
        return present

    def count_by_kind(self, vocabulary: pd.Index, kinds: np.ndarray, rows: int) -> np.ndarray:
        """Per row and kind, the words found in ``vocabulary`` (unique hashes) whose kind
        (``kinds``, aligned with it) is that kind; shape (rows, kinds.max() + 1)."""
        codes = vocabulary.get_indexer(self.hashes)
        found = codes >= 0
        kind = kinds[codes[found]]
        width = int(kinds.max()) + 1
        flat = np.bincount(self.rows[found] * width + kind, minlength=rows * width)
        return flat.reshape(rows, width)


def _hash_words(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of each word of the folded texts (its length and first 24 bytes, mixed)
    and the row of each word."""
    texts = np.asarray(texts, dtype=object)
    corpus = _fold_bytes("\x00".join(np.where(texts == None, "", texts).tolist()))  # noqa: E711
    data = np.frombuffer(corpus + bytes(_HASHED_BYTES + 8), dtype=np.uint8)
    body = data[: len(corpus)]
    in_word = _WORD_BYTE[body].view(np.int8)
    edges = np.diff(in_word, prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = ends - starts
    rows = np.searchsorted(np.flatnonzero(body == 0), starts).astype(np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(data, 8)
    hashes = lengths.astype(np.uint64)
    for offset in range(0, _HASHED_BYTES, 8):
        packed = np.ascontiguousarray(windows[starts + offset]).view("<u8").ravel()
        remaining = np.clip(lengths - offset, 0, 8).astype(np.uint64)
        partial = (np.uint64(1) << (np.uint64(8) * np.minimum(remaining, 7))) - np.uint64(1)
        mask = np.where(remaining >= 8, np.uint64(0xFFFFFFFFFFFFFFFF), partial)
        hashes = (hashes ^ (packed & mask)) * _HASH_MIX
    return hashes, rows


@lru_cache(maxsize=256)
def _phrase(text: str) -> tuple[int, ...]:
    return tuple(int(h) for h in _hash_words([text])[0])


def detected_language(texts: Sequence[str | None]) -> pd.Series:
    """``fr`` or ``en``, whichever has more marker words (:data:`LANGUAGE_MARKERS`) in the
    text; None on a tie (no marker at all included) and for a missing text."""
    texts = np.array(list(texts), dtype=object)
    words = _Words.of(texts)
    return _language(words, len(texts), pd.RangeIndex(len(texts)))


def _language(words: _Words, rows: int, index: pd.Index) -> pd.Series:
    vocabulary, kinds = _marker_vocabulary()
    counts = words.count_by_kind(vocabulary, kinds, rows)
    result = np.full(rows, None, dtype=object)
    result[counts[:, 0] > counts[:, 1]] = "fr"
    result[counts[:, 1] > counts[:, 0]] = "en"
    return pd.Series(result, index=index, name="language", dtype=object)


@lru_cache(maxsize=1)
def _marker_vocabulary() -> tuple[pd.Index, np.ndarray]:
    """The hashes of the marker words (a word of both languages is dropped) and their
    language: 0 for fr, 1 for en."""
    french, english = set(LANGUAGE_MARKERS["fr"]), set(LANGUAGE_MARKERS["en"])
    words = sorted(french ^ english)
    hashes = _hash_words(np.array(words, dtype=object))[0]
    return pd.Index(hashes), np.array([0 if word in french else 1 for word in words])


def relevance_parts(frame: pd.DataFrame, brand: BrandProfile) -> pd.DataFrame:
    """The three parts of relevance, each 0–1 or NaN when unknown:

    * ``topic`` = min(1, distinct keywords/hashtags of the brand found in the bio and recent
      posts / :data:`TOPIC_SATURATION`); known when the bio or the recent posts are;
    * ``language`` = 1 when the account's language (the ``language`` column, else the one
      detected in its texts) is the brand's locale, 0 when it is another; unknown otherwise;
    * ``mentions`` = min(1, (brand_mentions + 1 if a brand name appears in the texts) /
      :data:`MENTIONS_SATURATION`); known when ``brand_mentions`` or a text is.

    Texts are compared folded (:func:`fold`), word by word: a keyword of several words must
    appear as those words in that order.
    """
    return _relevance_parts(_clean(frame), brand)


def _texts_of(clean: pd.DataFrame) -> np.ndarray:
    """Bio and recent posts of each row, one text (None when both are unknown)."""
    texts = _texts(clean["bio"]).copy()
    posts = _texts(clean["recent_posts"])
    with_posts = np.flatnonzero(posts != None)  # noqa: E711
    texts[with_posts] = [
        posts[i] if texts[i] is None else f"{texts[i]}\n{posts[i]}" for i in with_posts
    ]
    return texts


def _relevance_parts(clean: pd.DataFrame, brand: BrandProfile) -> pd.DataFrame:
    rows = len(clean)
    texts = _texts_of(clean)
    text_known = texts != None  # noqa: E711
    words = _Words.of(texts)

    matches = np.zeros(rows)
    for term in brand.terms():
        matches += words.rows_with(_phrase(term), rows)
    topic = np.where(text_known, np.minimum(matches / TOPIC_SATURATION, 1.0), np.nan)

    language = _texts(clean["language"]).copy()
    missing = (language == None) & text_known  # noqa: E711
    if missing.any():
        language[missing] = _language(words, rows, clean.index).to_numpy()[missing]
    language_part = np.where(language == None, np.nan, language == brand.locale)  # noqa: E711

    named = np.zeros(rows)
    for name in brand.names:
        named[words.rows_with(_phrase(name), rows)] = 1.0
    mentions_known = clean["brand_mentions"].notna().to_numpy() | text_known
    mentions = (clean["brand_mentions"].fillna(0).to_numpy() + named) / MENTIONS_SATURATION
    mentions = np.where(mentions_known, np.minimum(mentions, 1.0), np.nan)
    return pd.DataFrame(
        {"topic": topic, "language": language_part, "mentions": mentions}, index=clean.index
    )


def relevance(frame: pd.DataFrame, brand: BrandProfile) -> pd.Series:
    """Weighted mean (:data:`RELEVANCE_WEIGHTS`) of the known parts of
    :func:`relevance_parts`; NaN when none is known."""
    return _relevance(_relevance_parts(_clean(frame), brand))


def _relevance(parts: pd.DataFrame) -> pd.Series:
    return _weighted_mean(parts, RELEVANCE_WEIGHTS).rename("relevance")


#: Negative posts about the brand that make brand safety 0.
NEGATIVE_SATURATION = 3


def brand_safety(frame: pd.DataFrame) -> pd.Series:
    """``1 − min(1, negative_brand_mentions / 3)``: 1 with no negative post about the brand,
    0 with three or more; NaN when the count is unknown."""
    clean = _clean(frame)
    return _brand_safety(clean)


def _brand_safety(clean: pd.DataFrame) -> pd.Series:
    negative = clean["negative_brand_mentions"] / NEGATIVE_SATURATION
    return (1.0 - negative.clip(upper=1.0)).rename("brand_safety")


# -- authenticity -------------------------------------------------------------------------

#: log-odds of "fake" before any evidence (a 27 % prior).
AUTHENTICITY_INTERCEPT = -1.0
#: Account ages (days) and their log-odds: younger than the first bound → its points, etc.
AGE_POINTS = ((30, 1.5), (90, 1.0), (365, 0.3), (730, 0.0))
AGE_POINTS_OLD = -0.5


def authenticity_terms(frame: pd.DataFrame, *, as_of: date | datetime | None) -> pd.DataFrame:
    """The log-odds that each account is fake, term by term (one column a piece of evidence,
    0 when that evidence is unknown); ``intercept`` included. Positive = towards fake.
    The table of terms and their sources is in docs/influencers.md."""
    return _authenticity_terms(*_prepared(frame), as_of)


def _authenticity_terms(
    clean: pd.DataFrame, versus_norm: pd.Series, as_of: date | datetime | None
) -> pd.DataFrame:
    followers = clean["followers"].to_numpy()
    following = clean["following"].to_numpy()
    posts = clean["posts_count"].to_numpy()
    terms: dict[str, np.ndarray] = {"intercept": np.full(len(clean), AUTHENTICITY_INTERCEPT)}

    # Following many more accounts than follow back: the signature of follow-for-follow and
    # bought-follower farms (Cresci et al. 2015; Akyon & Kalfaoglu 2019).
    ratio = np.log10((following + 1) / (followers + 1))
    terms["follow_ratio"] = 1.8 * np.clip(ratio, 0, 2) + 0.8 * np.clip(ratio, -1.5, 0)
    # Few followers: 0 at 100, +0.8 per decade below, −0.8 per decade above (to 10k).
    terms["followers"] = -0.8 * (np.clip(np.log10(followers + 1), 0, 4) - 2)
    # Few posts: 0 at 9 posts, +1.2 with none, −1.2 at 99, −2.4 at 999 or more.
    terms["posts"] = -1.2 * (np.clip(np.log10(posts + 1), 0, 3) - 1)
    terms["profile_picture"] = _points(clean["has_profile_picture"], yes=-0.5, no=2.5)
    terms["bio"] = _bio_points(clean["bio_length"].to_numpy())
    terms["handle_digits"] = _handle_digit_points(clean)
    terms["private"] = _points(clean["private"], yes=-0.3, no=0.0)
    terms["verified"] = _points(clean["verified"], yes=-3.0, no=0.0)
    terms["account_age"] = _age_points(clean["created_at"], as_of)
    terms["engagement"] = _engagement_points(versus_norm.to_numpy())
    terms["follower_jump"] = np.where(_follower_jump(clean), 1.0, 0.0)
    table = pd.DataFrame(terms, index=clean.index)
    return table.fillna(0.0)


def _points(flag: pd.Series, *, yes: float, no: float) -> np.ndarray:
    values = flag.to_numpy()
    return np.where(values == 1.0, yes, np.where(values == 0.0, no, 0.0))


def _bio_points(length: np.ndarray) -> np.ndarray:
    """Empty bio +0.7; under 20 characters −0.4; 20 or more −0.9; unknown 0."""
    points = np.where(length >= 20, -0.9, np.where(length > 0, -0.4, 0.7))
    return np.where(np.isnan(length), 0.0, points)


def _digit_share(clean: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    digits = clean["handle_digits"].to_numpy()
    length = clean["handle_length"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(length > 0, digits / length, np.nan)
    return digits, share


def _many_digits(digits: np.ndarray, share: np.ndarray) -> np.ndarray:
    return (digits >= 4) | (share >= 0.3)


def _handle_digit_points(clean: pd.DataFrame) -> np.ndarray:
    """No digit −0.6; some +1.0; four or more, or 30 % of the handle, +1.5 (generated names)."""
    digits, share = _digit_share(clean)
    points = np.where(_many_digits(digits, share), 1.5, np.where(digits > 0, 1.0, -0.6))
    return np.where(np.isnan(share), 0.0, points)


def account_age_days(created_at: pd.Series, as_of: date | datetime | None) -> pd.Series:
    """Days from ``created_at`` to ``as_of`` (a date means its midnight UTC); NaN when either
    is unknown. A creation after ``as_of`` (a clock or data error) is unknown too."""
    if as_of is None:
        return pd.Series(np.nan, index=created_at.index)
    reference = pd.Timestamp(as_of)
    reference = reference.tz_localize("UTC") if reference.tzinfo is None else reference
    days = (reference - created_at).dt.total_seconds() / 86_400
    return days.where(days >= 0).astype("float64")


def _age_points(created_at: pd.Series, as_of: date | datetime | None) -> np.ndarray:
    days = account_age_days(created_at, as_of).to_numpy()
    points = np.full(len(days), AGE_POINTS_OLD)
    for bound, value in reversed(AGE_POINTS):
        points = np.where(days < bound, value, points)
    return np.where(np.isnan(days), 0.0, points)


def _engagement_points(versus_norm: np.ndarray) -> np.ndarray:
    """Far below the norm (bought or dead followers): up to +1.0 at a tenth of the norm or
    less; far above (pods, bought likes): up to +0.7 from 5× to 50× the norm; −0.3 within
    half to twice the norm."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(np.where(versus_norm > 0, versus_norm, 1e-3))
    low = 1.0 * np.clip((-logs - np.log10(2)) / (1 - np.log10(2)), 0, 1)
    high = 0.7 * np.clip(logs - np.log10(5), 0, 1)
    typical = np.where((versus_norm >= 0.5) & (versus_norm <= 2), -0.3, 0.0)
    return np.where(np.isnan(versus_norm), 0.0, low + high + typical)


#: A follower jump: at least +20 % and +1,000 followers since the previous snapshot.
FOLLOWER_JUMP_SHARE, FOLLOWER_JUMP_MIN = 0.2, 1_000


def _follower_jump(clean: pd.DataFrame) -> np.ndarray:
    previous = clean["previous_followers"].to_numpy()
    gain = clean["followers"].to_numpy() - previous
    with np.errstate(invalid="ignore"):
        return (gain >= FOLLOWER_JUMP_MIN) & (gain >= FOLLOWER_JUMP_SHARE * previous)


def authenticity(frame: pd.DataFrame, *, as_of: date | datetime | None) -> pd.Series:
    """1 − P(fake), with P(fake) the logistic of the sum of :func:`authenticity_terms`."""
    return _authenticity(_authenticity_terms(*_prepared(frame), as_of))


def _authenticity(terms: pd.DataFrame) -> pd.Series:
    log_odds = terms.to_numpy().sum(axis=1)
    return pd.Series(1.0 / (1.0 + np.exp(log_odds)), index=terms.index, name="authenticity")


# -- flags ---------------------------------------------------------------------------------

#: Flag code → its rule, in the order they are written. docs/influencers.md explains each.
FLAGS: dict[str, str] = {
    "zero_followers": "followers = 0",
    "no_posts": "posts_count = 0",
    "mass_following": "following ≥ 5,000",
    "low_follower_ratio": "following ≥ 100 and followers < following / 10",
    "follower_jump": "followers − previous_followers ≥ 1,000 and ≥ 20 % of previous_followers",
    "low_engagement_for_size": "engagement rate < 0.2 × the norm of its network and tier",
    "high_engagement_for_size": "engagement rate > 5 × the norm of its network and tier",
    "no_profile_picture": "has_profile_picture is false",
    "private_account": "private is true",
    "young_account": "created_at less than 90 days before as_of",
    "digits_in_handle": "the handle has 4 digits or more, or digits make 30 % of it",
    "empty_bio": "bio is given and blank",
    "negative_about_brand": "negative_brand_mentions ≥ 1",
    "implausible_counts": f"a count above {MAX_PLAUSIBLE_COUNT:,} (treated as unknown)",
}


def flag_table(frame: pd.DataFrame, *, as_of: date | datetime | None) -> pd.DataFrame:
    """One boolean column per flag of :data:`FLAGS` (False where its inputs are unknown)."""
    return _flag_table(*_prepared(frame), as_of)


def _flag_table(
    clean: pd.DataFrame, versus_norm: pd.Series, as_of: date | datetime | None
) -> pd.DataFrame:
    followers = clean["followers"].to_numpy()
    following = clean["following"].to_numpy()
    digits, share = _digit_share(clean)
    with np.errstate(invalid="ignore"):
        table = {
            "zero_followers": followers == 0,
            "no_posts": clean["posts_count"].to_numpy() == 0,
            "mass_following": following >= 5_000,
            "low_follower_ratio": (following >= 100) & (followers * 10 < following),
            "follower_jump": _follower_jump(clean),
            "low_engagement_for_size": versus_norm.to_numpy() < 0.2,
            "high_engagement_for_size": versus_norm.to_numpy() > 5,
            "no_profile_picture": clean["has_profile_picture"].to_numpy() == 0.0,
            "private_account": clean["private"].to_numpy() == 1.0,
            "young_account": account_age_days(clean["created_at"], as_of).to_numpy() < 90,
            "digits_in_handle": _many_digits(digits, share),
            "empty_bio": clean["bio_length"].to_numpy() == 0,
            "negative_about_brand": clean["negative_brand_mentions"].to_numpy() >= 1,
            "implausible_counts": clean["implausible_counts"].to_numpy(bool),
        }
    return pd.DataFrame(table, index=clean.index)[list(FLAGS)]


def flags(frame: pd.DataFrame, *, as_of: date | datetime | None) -> pd.Series:
    """The raised flags of each row as ``"code;code"`` in :data:`FLAGS` order ("" for none)."""
    return _flag_strings(flag_table(frame, as_of=as_of))


def _flag_strings(table: pd.DataFrame) -> pd.Series:
    # Few distinct combinations: build each string once, not once per row.
    codes = np.zeros(len(table), dtype=np.int64)
    for bit, column in enumerate(table.columns):
        codes |= table[column].to_numpy(dtype=np.int64) << bit
    names = list(table.columns)
    labels = np.full(1 << len(names), None, dtype=object)
    for code in np.flatnonzero(np.bincount(codes, minlength=len(labels))):
        labels[code] = ";".join(n for i, n in enumerate(names) if code >> i & 1)
    return pd.Series(labels[codes], index=table.index, name="flags", dtype=object)


# -- the score -----------------------------------------------------------------------------

SCORE_WEIGHTS = {
    "reach": 0.20,
    "engagement": 0.25,
    "relevance": 0.25,
    "authenticity": 0.20,
    "brand_safety": 0.10,
}
COMPONENTS = tuple(SCORE_WEIGHTS)
#: Below this authenticity the score is scaled down linearly (to 0 at authenticity 0).
AUTHENTICITY_GATE = 0.5


def score_candidates(
    frame: pd.DataFrame,
    brand: BrandProfile,
    *,
    as_of: date | datetime | None,
) -> pd.DataFrame:
    """Every result for each candidate, indexed like ``frame``:

    ``tier``, ``engagement_rate``, the components of :data:`COMPONENTS` (0–1, NaN unknown),
    ``score`` (0–100, NaN when the engagement is unknown, see :func:`combine`),
    ``top_components`` (the two components that weigh most in the score, ``a;b``) and
    ``flags``.
    """
    clean = _clean(frame)
    tiers = tier(clean["followers"])
    versus_norm = _engagement_vs_norm(clean, tiers)
    components = pd.DataFrame(
        {
            "reach": reach(clean["followers"]),
            "engagement": _engagement_component(versus_norm),
            "relevance": _relevance(_relevance_parts(clean, brand)),
            "authenticity": _authenticity(_authenticity_terms(clean, versus_norm, as_of)),
            "brand_safety": _brand_safety(clean),
        },
        index=clean.index,
    )
    scores = combine(components)
    out = pd.DataFrame(index=clean.index)
    out["tier"] = tiers
    out["engagement_rate"] = _engagement_rate(clean)
    out = pd.concat([out, components, scores], axis=1)
    out["flags"] = _flag_strings(_flag_table(clean, versus_norm, as_of))
    return out


def combine(components: pd.DataFrame) -> pd.DataFrame:
    """``score`` and ``top_components`` from the components.

    score = 100 × gate × Σ wᵢ·cᵢ / Σ wᵢ over the known components (weights
    :data:`SCORE_WEIGHTS`), with gate = min(1, authenticity / :data:`AUTHENTICITY_GATE`):
    an account more likely fake than not cannot rank high. NaN unless ``reach`` and
    ``engagement`` are known (the score needs followers > 0 and avg_likes or avg_comments).
    """
    weights = pd.Series(SCORE_WEIGHTS)[list(components.columns)]
    values = components.to_numpy(dtype="float64")
    known = ~np.isnan(values)
    weighted = np.where(known, values * weights.to_numpy(), 0.0)
    total_weight = np.where(known, weights.to_numpy(), 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = weighted.sum(axis=1) / total_weight
    gate = np.clip(components["authenticity"].to_numpy() / AUTHENTICITY_GATE, 0.0, 1.0)
    scorable = components["reach"].notna() & components["engagement"].notna()
    score = np.where(scorable, np.round(100 * base * gate, 1), np.nan)

    share = np.where(known, weighted, -1.0)
    first = share.argmax(axis=1)  # the first of equal values, in SCORE_WEIGHTS order
    share[np.arange(len(share)), first] = -np.inf
    second = share.argmax(axis=1)
    names = list(components.columns)
    pairs = np.array([f"{a};{b}" for a in names for b in names] + [""], dtype=object)
    top = pairs[np.where(scorable, first * len(names) + second, len(names) ** 2)]
    return pd.DataFrame(
        {"score": score, "top_components": top.astype(object)}, index=components.index
    )


def top_components(components: pd.DataFrame) -> pd.Series:
    """The two components with the largest weighted value (wᵢ·cᵢ), as ``"first;second"``."""
    return combine(components)["top_components"]


# -- helpers ---------------------------------------------------------------------------------


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    return candidates(frame)


def _prepared(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The cleaned candidates and their engagement against the norm (what terms and flags
    both need)."""
    clean = _clean(frame)
    return clean, _engagement_vs_norm(clean, tier(clean["followers"]))


def _weighted_mean(parts: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    values = parts[list(weights)].to_numpy(dtype="float64")
    w = np.array(list(weights.values()))
    known = ~np.isnan(values)
    total = np.where(known, w, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(known, values * w, 0.0).sum(axis=1) / total
    return pd.Series(np.where(total > 0, mean, np.nan), index=parts.index)
