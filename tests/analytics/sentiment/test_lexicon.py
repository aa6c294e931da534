"""The lexicons: folding, merging order, file format errors."""

from __future__ import annotations

import pytest

from socialops.analytics.sentiment import lexicon as lexicon_module
from socialops.analytics.sentiment.lexicon import emoji, fold, lexicon, read_tsv


def test_fold_removes_case_accents_and_curly_apostrophes():
    assert fold("Déçu") == fold("deçu") == fold("DECU") == "decu"
    assert fold("J’adore") == "j'adore"
    assert fold("Génial") == "genial"


def test_socialops_own_lexicon_overrides_the_third_party_ones():
    # vader-fr rates "nul" -0.5 and pattern -0.6: far too mild for a French mention
    assert read_tsv("vader_fr.tsv")["nul"] == pytest.approx(-0.5)
    assert lexicon("fr").words["nul"] == pytest.approx(-2.6)
    # "grave" is slang for "totally" in French, not "serious"
    assert lexicon("fr").words["grave"] == 0.0


def test_third_party_terms_are_averaged_across_sources():
    vader, pattern = read_tsv("vader_fr.tsv"), read_tsv("pattern_fr.tsv")
    both = sorted(set(vader) & set(pattern) - set(read_tsv("social_fr.tsv")))
    term = next(t for t in both if " " not in t and fold(t) == t and abs(vader[t] + pattern[t]) > 2)
    assert lexicon("fr").words[term] == pytest.approx((vader[term] + pattern[term]) / 2)


def test_french_translation_noise_is_dropped():
    # "sûr" folds to "sur" (on); vader-fr rates "prix" +2.3 (from "prize"); pattern's
    # "petit" +0.3 is too weak to mean anything
    assert read_tsv("vader_fr.tsv")["prix"] > 2 and read_tsv("pattern_fr.tsv")["petit"] > 0
    for word in ("sur", "prix", "petit", "de"):
        assert word not in lexicon("fr").words, word
    assert lexicon("fr").words["genial"] > 2  # social_fr.tsv is not filtered


def test_grammatical_boosters_lose_their_third_party_valence():
    assert read_tsv("pattern_fr.tsv")["tout"] > 0
    assert "tout" not in lexicon("fr").words


def test_phrases_are_kept_apart_from_words():
    assert lexicon("fr").phrases["pas terrible"] < 0
    assert "pas terrible" not in lexicon("fr").words


def test_emoji_and_emoticons():
    assert emoji()["😍"] > 2 and emoji()["😡"] < -2
    assert emoji()[":)"] > 0 and emoji()[":("] < 0


def test_a_malformed_line_names_the_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "bad.tsv").write_text("# comment\ngood\t1.0\nno tab here\n", encoding="utf-8")
    monkeypatch.setattr(lexicon_module, "DATA", tmp_path)
    with pytest.raises(ValueError, match=r"bad.tsv line 3: expected term<TAB>valence"):
        read_tsv("bad.tsv")


def test_other_boosters_keep_their_valence():
    assert lexicon("en").words["pretty"] > 0  # "pretty dress"; "pretty good" boosts instead
