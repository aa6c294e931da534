"""Macro-F1 and the confusion matrix, checked against hand-computed numbers."""

from __future__ import annotations

import pytest

from socialops.analytics.sentiment.metrics import confusion, f1_per_label, macro_f1


def test_confusion_counts_gold_by_predicted():
    matrix = confusion(
        ["positive", "positive", "neutral", "negative"],
        ["positive", "neutral", "neutral", "positive"],
    )
    assert matrix["positive"] == {"negative": 0, "neutral": 1, "positive": 1}
    assert matrix["neutral"] == {"negative": 0, "neutral": 1, "positive": 0}
    assert matrix["negative"] == {"negative": 0, "neutral": 0, "positive": 1}


def test_macro_f1_by_hand():
    gold = ["positive", "positive", "neutral", "negative"]
    predicted = ["positive", "neutral", "neutral", "positive"]
    # positive: tp 1, predicted 2, actual 2 -> 2*1/4 = 0.5
    # neutral:  tp 1, predicted 2, actual 1 -> 2*1/3
    # negative: tp 0 -> 0
    assert f1_per_label(confusion(gold, predicted)) == pytest.approx(
        {"positive": 0.5, "neutral": 2 / 3, "negative": 0.0}
    )
    assert macro_f1(gold, predicted) == pytest.approx((0.5 + 2 / 3) / 3)


def test_a_class_absent_from_gold_and_predictions_scores_zero():
    assert macro_f1(["positive"], ["positive"]) == pytest.approx(1 / 3)


def test_lengths_and_labels_are_checked():
    with pytest.raises(ValueError, match="2 gold labels but 1 predictions"):
        macro_f1(["positive", "neutral"], ["positive"])
    with pytest.raises(ValueError, match="unknown label 'pos'"):
        macro_f1(["pos"], ["positive"])
