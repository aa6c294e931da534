"""The lexicons of ``resources/``, loaded once, and the word lists of the rules.

Valences are on VADER's scale, -4 (very negative) to +4 (very positive). Keys are folded:
lower case, apostrophes straightened, accents removed ("Déçu", "deçu" and "decu" are one
key), so French typed without accents matches. A language's lexicon is its third-party
lexicons (averaged where several give a term) overridden by the one written for socialops.
Sources and licences: ``resources/README.md``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "resources"

#: Third-party lexicons of each language (averaged), then socialops' own (overrides).
SOURCES: dict[str, tuple[tuple[str, ...], str]] = {
    "en": (("vader_en.tsv",), "social_en.tsv"),
    "fr": (("vader_fr.tsv", "pattern_fr.tsv"), "social_fr.tsv"),
}
EMOJI_FILE = "emoji.tsv"
#: third-party French valences weaker than this are dropped (see lexicon())
WEAKEST_FR = 0.5


def fold(text: str) -> str:
    """Lower case, straight apostrophes, no accents (``"Déçu’"`` → ``"decu'"``)."""
    text = text.lower().replace("’", "'")
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def read_tsv(name: str) -> dict[str, float]:
    """``term<TAB>valence`` lines of ``resources/<name>``; ``#`` lines are comments."""
    entries: dict[str, float] = {}
    for number, line in enumerate((DATA / name).read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("# "):
            continue
        term, sep, value = line.rpartition("\t")
        if not sep:
            raise ValueError(f"{name} line {number}: expected term<TAB>valence, got {line!r}")
        entries[term.strip()] = float(value)
    return entries


@dataclass(frozen=True)
class Lexicon:
    words: dict[str, float]  # folded single words
    phrases: dict[str, float]  # folded multi-word terms, words joined by one space


@cache
def lexicon(lang: str) -> Lexicon:
    base_files, own_file = SOURCES[lang]
    sums: dict[str, list[float]] = {}
    for name in base_files:
        for term, value in read_tsv(name).items():
            sums.setdefault(fold(term), []).append(value)
    neutral = _neutral_words(lang)
    merged = {
        term: sum(values) / len(values)
        for term, values in sums.items()
        if term not in GRAMMATICAL_BOOSTERS and term not in neutral
    }
    if lang == "fr":
        # vader-fr's weakest entries are mostly translation noise ("petit" +0.3)
        merged = {term: value for term, value in merged.items() if abs(value) >= WEAKEST_FR}
    merged.update({fold(term): value for term, value in read_tsv(own_file).items()})
    words = {term: value for term, value in merged.items() if " " not in term}
    phrases = {term: value for term, value in merged.items() if " " in term}
    return Lexicon(words, phrases)


def _neutral_words(lang: str) -> frozenset[str]:
    path = DATA / f"neutral_{lang}.txt"
    if not path.exists():
        return frozenset()
    lines = path.read_text("utf-8").splitlines()
    return frozenset(
        fold(word) for line in lines if not line.startswith("#") for word in line.split()
    )


@lru_cache(maxsize=1)
def emoji() -> dict[str, float]:
    """Emoji (without variation selectors) and emoticons (folded) → valence."""
    return {fold(term): value for term, value in read_tsv(EMOJI_FILE).items()}


#: Words that scale the valence of the sentiment word they precede (up to 3 words before):
#: +0.3 is "very", -0.4 "a bit". The value multiplies: valence x (1 + value).
BOOSTERS: dict[str, float] = {
    # French
    "tres": 0.3, "trop": 0.3, "super": 0.3, "vraiment": 0.3, "tellement": 0.3,
    "grave": 0.3, "hyper": 0.3, "ultra": 0.3, "mega": 0.3, "archi": 0.3, "si": 0.2,
    "extremement": 0.4, "carrement": 0.25, "totalement": 0.25, "completement": 0.25,
    "absolument": 0.3, "vachement": 0.3, "franchement": 0.15, "sacrement": 0.3,
    "particulierement": 0.2, "bien": 0.15, "tout": 0.1, "peu": -0.4, "plutot": -0.15,
    "legerement": -0.4, "moyennement": -0.4, "assez": -0.1, "presque": -0.3,
    # English
    "very": 0.3, "so": 0.3, "really": 0.3, "extremely": 0.4, "totally": 0.25,
    "absolutely": 0.3, "completely": 0.25, "incredibly": 0.35, "too": 0.2, "such": 0.2,
    "truly": 0.25, "damn": 0.3, "freaking": 0.3, "fucking": 0.35, "hella": 0.3,
    "sooo": 0.4, "mad": 0.2, "highly": 0.3, "utterly": 0.35, "most": 0.2,
    "slightly": -0.4, "somewhat": -0.3, "kinda": -0.3, "kind": -0.3, "sorta": -0.3,
    "barely": -0.5, "hardly": -0.5, "fairly": -0.15, "quite": 0.1, "pretty": 0.1,
    "little": -0.3, "bit": -0.3, "almost": -0.3,
}  # fmt: skip

#: Boosters that are grammar, not sentiment: a third-party valence of theirs (pattern rates
#: "tout" +0.66, "trop" -0.75) is dropped. Others keep theirs when they boost nothing
#: ("pretty dress", "I'm mad", "kind people").
GRAMMATICAL_BOOSTERS = frozenset(
    "tout tres trop si peu totalement absolument vraiment plutot assez completement "
    "so too very really quite most".split()
)

#: Words that negate the sentiment words after them (up to 3 words, not across a clause).
#: English "don't"/"isn't" are tokenised as "don'"/"isn'": any token ending in "n'" negates.
NEGATORS: dict[str, frozenset[str]] = {
    "fr": frozenset("pas ne n' jamais rien aucun aucune ni sans nullement guere non".split()),
    "en": frozenset(
        "not no never nothing nobody none neither nor without cannot cant dont doesnt "
        "didnt isnt wasnt arent werent wont wouldnt couldnt shouldnt havent hasnt aint".split()
    ),
}
#: Events a customer expects: no valence of their own, negative when negated ("jamais reçu",
#: "toujours pas de réponse", "it doesn't work", "never arrived").
EXPECTED: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "recu recue recus arrive arrivee arrives livre livree livres repondu reponse "
        "reponses nouvelles marche marchent fonctionne fonctionnent rembourse remboursee "
        "rappele resolu regle eu disponible joignable".split()
    ),
    "en": frozenset(
        "received arrived delivered answered replied responded response reply answer "
        "works working work worked refunded resolved fixed got showed heard shipped "
        "available".split()
    ),
}
NEGATED_EXPECTATION = -2.0
#: A negated word keeps this share of its valence, reversed (VADER's 0.74 for positives;
#: a negated negative, "pas mauvais", "not bad", is only mildly positive).
NEGATED_POSITIVE = -0.74
NEGATED_NEGATIVE = -0.5
#: "but"-like words: the clause before weighs half, the one after 1.5 times (as VADER).
CONTRASTS = frozenset("but however mais cependant pourtant sauf".split())
#: Words of the other language never read through its lexicon: false friends of mixed
#: texts ("pain" is bread in French, "sale" is dirty).
FALSE_FRIENDS: dict[str, frozenset[str]] = {
    "fr": frozenset(  # English words not to read in a French text
        "pain sale coin four chat pour lit dire main figure rose ride court crane "
        "bride fit miss pet blesser mode an la les des me sort fin".split()
    ),
    "en": frozenset(  # French words not to read in an English text
        "sale sort fin me pour ride miss mode grave fou pas plus".split()
    ),
}

__all__ = [
    "BOOSTERS",
    "CONTRASTS",
    "EXPECTED",
    "FALSE_FRIENDS",
    "GRAMMATICAL_BOOSTERS",
    "NEGATED_EXPECTATION",
    "NEGATED_NEGATIVE",
    "NEGATED_POSITIVE",
    "NEGATORS",
    "Lexicon",
    "emoji",
    "fold",
    "lexicon",
    "read_tsv",
]
