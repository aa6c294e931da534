"""The rules of the scorer, one phenomenon of social texts at a time."""

from __future__ import annotations

import pytest

from socialops.analytics.sentiment import score
from socialops.analytics.sentiment.scorer import (
    FEATURES,
    LABELS,
    classify,
    evidence,
    model,
    polarity,
    tokenize,
)


def fr(text: str) -> float:
    return polarity(text, "fr")


def en(text: str) -> float:
    return polarity(text, "en")


def test_negation_flips_polarity():
    assert en("this is good") > 0 > en("this is not good")
    assert fr("c'est bien") > 0 > fr("c'est pas bien")
    assert fr("je suis content") > 0 > fr("je ne suis pas content")
    assert en("I don't like it") < 0 < en("I like it")


def test_a_negated_negative_is_mildly_positive():
    assert 0 < en("not bad") < en("good")
    assert 0 < fr("pas mal") < fr("génial")


def test_french_negation_idioms():
    assert score("pas terrible", "fr").label == "negative"
    assert score("pas top du tout", "fr").label == "negative"
    assert score("c'est pas mal du tout", "fr").label == "positive"


def test_an_expected_event_that_did_not_happen_is_negative():
    assert score("jamais reçu ma commande", "fr").label == "negative"
    assert score("toujours pas de réponse", "fr").label == "negative"
    assert score("never received my order", "en").label == "negative"
    assert score("it doesn't work", "en").label == "negative"
    # the same events, happening, are not complaints
    assert score("j'ai reçu ma commande", "fr").label == "neutral"
    assert score("it works", "en").label == "neutral"


def test_negation_stops_at_a_clause_boundary():
    assert fr("je ne sais pas. c'est génial") == fr("c'est génial") > 0


def test_emoji_and_emoticons():
    assert score("😍", "en").label == "positive"
    assert score("😡😡", "fr").label == "negative"
    assert score("la commande 🙄", "fr").label == "negative"
    assert en("ok :)") > 0 > en("ok :(")
    assert en("love it ❤️") > en("love it")  # a variation selector does not hide the heart


def test_intensifiers_and_diminishers():
    assert fr("très bien") > fr("bien") > fr("un peu bien") > 0
    assert fr("trop déçu") < fr("déçu") < fr("un peu déçu") < 0
    assert en("so good") > en("good") > en("a bit good") > 0
    assert en("really bad") < en("bad")


def test_a_booster_that_is_also_a_word_boosts_instead_of_counting_twice():
    # "super" alone is positive; in "super déçu" it makes déçu stronger, not milder
    assert fr("super") > 0
    assert fr("super déçu") < fr("déçu") < 0


def test_elongations_are_read_and_intensify():
    assert fr("trooop bien") > fr("trop bien") > 0
    assert en("sooo goooood") > en("so good") > 0
    assert fr("nuuuul") < fr("nul") < 0
    assert fr("merciiii") > 0


def test_exclamation_marks_intensify():
    assert en("great!!!") > en("great!") > en("great") > 0
    assert en("great!!!!!!!!") == en("great!!!!")  # at most four count


def test_all_caps_words_intensify_unless_the_whole_text_shouts():
    assert fr("c'est NUL") < fr("c'est nul") < 0
    assert en("I LOVE it") > en("I love it") > 0
    assert en("I LOVE IT") == en("i love it")


def test_hashtags_are_read_as_words():
    assert score("#fail", "en").label == "negative"
    assert score("Encore en panne #CustomerServiceFail", "fr").label == "negative"
    assert [token.key for token in tokenize("#CustomerServiceFail", "en")] == [
        "customer",
        "service",
        "fail",
    ]


def test_urls_and_handles_carry_no_sentiment():
    assert en("@happy_user https://good.example/love") == 0.0


def test_french_without_accents_reads_like_with_them():
    assert fr("déçu") == fr("decu") == fr("deçu") < 0
    assert fr("génial") == fr("genial") > 0


def test_french_social_slang():
    for word in ("mdr", "ptdr", "trop bien", "ouf", "grave bien", "kiffe", "au top"):
        assert fr(word) > 0, word
    for word in ("nul", "bof", "chelou", "relou", "naze", "galère", "j'en ai marre"):
        assert fr(word) < 0, word
    assert fr("grave") == 0.0  # "totally": a booster, not "serious"


def test_mixed_french_and_english():
    assert score("Love the new collection, trop belle 😍", "en").label == "positive"
    assert score("franchement the worst service ever", "fr").label == "negative"
    # an English word that is a French word is read in French: "pain" is bread
    assert fr("du pain") == 0.0 and en("pain") < 0


def test_contrast_weighs_the_clause_after_but():
    assert score("I love the product but the delivery was terrible", "en").label == "negative"
    assert score("livraison lente mais produit génial", "fr").label == "positive"


def test_sarcastic_thanks_are_negative():
    assert score("merci pour rien @sncf", "fr").label == "negative"
    assert score("thanks for nothing", "en").label == "negative"


def test_a_phrase_holding_its_negation_is_not_negated_twice():
    assert fr("je ne commanderai plus jamais") < 0
    assert fr("plus jamais") < 0


def test_other_languages_are_read_through_emoji_only():
    assert polarity("Me encanta", "other") == 0.0
    assert polarity("Me encanta 😍", "other") > 0


def test_scores_are_bounded():
    text = "trop trop trop génial " * 50 + "😍" * 50 + "!!!!"
    assert 0.99 < fr(text) <= 1.0
    assert -1.0 <= fr("nul " * 200) < -0.99
    for text in ("trop génial", "nul", "bof", "ok", "merci pour rien"):
        assert -1.0 <= classify(text, "fr")[1] <= 1.0


@pytest.mark.parametrize(
    "text",
    ["trop bien 😍", "nul", "bof", "merci", "le magasin ouvre samedi", "jamais reçu", "pas mal"],
)
def test_the_score_has_the_sign_of_the_label(text):
    label, value = classify(text, "fr")
    if label == "positive":
        assert value > 0
    elif label == "negative":
        assert value < 0


def test_the_label_is_the_models_most_probable_one():
    found = evidence("franchement déçu", "fr")
    probabilities = model().probabilities(found.vector())
    assert sum(probabilities) == pytest.approx(1.0)
    label, value = classify("franchement déçu", "fr")
    assert label == LABELS[probabilities.index(max(probabilities))] == "negative"
    assert value == pytest.approx(probabilities[2] - probabilities[0], abs=1e-4)


def test_evidence_splits_positive_negative_and_emoji():
    found = evidence("Génial mais livraison nulle 😡 https://t.co/x ?", "fr")
    assert found.positive > 0 and found.negative > 0
    assert found.positive_words == 1 and found.negative_words == 1
    assert found.emoji_negative > 0 and found.emoji_positive == 0
    assert found.link and found.question and found.french and not found.reply
    assert len(found.vector()) == len(FEATURES)


def test_a_model_trained_on_other_features_is_refused(tmp_path, monkeypatch):
    import json

    from socialops.analytics.sentiment import scorer

    spec = json.loads((scorer.DATA / scorer.MODEL_FILE).read_text("utf-8"))
    spec["features"] = spec["features"][:-1]
    (tmp_path / scorer.MODEL_FILE).write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setattr(scorer, "DATA", tmp_path)
    scorer.model.cache_clear()
    try:
        with pytest.raises(ValueError, match="retrain it with scripts/sentiment/train.py"):
            scorer.model()
    finally:
        monkeypatch.undo()
        scorer.model.cache_clear()


def test_no_evidence_is_neutral_zero():
    assert evidence("le magasin ouvre samedi à 10h", "fr") is None
    assert classify("le magasin ouvre samedi à 10h", "fr") == ("neutral", 0.0)


@pytest.mark.parametrize("text", ["", "   ", "\t", "... ???", "12 34"])
def test_texts_without_words_are_neutral_zero(text):
    assert fr(text) == 0.0 and en(text) == 0.0


def test_a_link_damps_the_sentiment_of_what_is_shared():
    assert 0 < en("great news https://t.co/x") < en("great news")
    assert fr("nul https://t.co/x") > fr("nul")
