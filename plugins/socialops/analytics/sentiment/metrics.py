"""Accuracy of sentiment labels: confusion matrix and macro-F1 (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

from socialops.analytics.sentiment.scorer import LABELS


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    """``matrix[gold][predicted]`` counts over :data:`LABELS`."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    matrix = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        if g not in matrix or p not in matrix:
            raise ValueError(f"unknown label {g!r} or {p!r}: expected one of {LABELS}")
        matrix[g][p] += 1
    return matrix


def f1_per_label(matrix: dict[str, dict[str, int]]) -> dict[str, float]:
    scores = {}
    for label in LABELS:
        true_positive = matrix[label][label]
        predicted = sum(matrix[g][label] for g in LABELS)
        actual = sum(matrix[label].values())
        denominator = predicted + actual
        scores[label] = 2 * true_positive / denominator if denominator else 0.0
    return scores


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Mean of the F1 of negative, neutral and positive (each class weighs the same)."""
    scores = f1_per_label(confusion(gold, predicted))
    return sum(scores.values()) / len(scores)


__all__ = ["confusion", "f1_per_label", "macro_f1"]
