"""Choose the neutral band of the sentiment scorer on the development halves of the
evaluation sets (never on their test halves):

    PYTHONPATH=plugins .venv/bin/python scripts/sentiment/calibrate.py

For each pair of thresholds (score >= positive → "positive", score <= -negative →
"negative") it computes the macro-F1 of every development set and their weighted mean: the
real tweets count 1 (VADER's English set twice: as its raters labelled it, and re-weighted so
that neutral tweets are half of it, since it has 19 % and real mention streams more), the
texts written for socialops 0.5 (small, and written by the author of the lexicon). Pairs are
ranked by that mean averaged with their grid neighbours', so that the winner sits in a
plateau rather than on a spike of one set. The winner is copied by hand into
``socialops.analytics.sentiment.scorer.THRESHOLDS`` (docs/sentiment.md records the run).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "plugins"))

from socialops.analytics.sentiment.metrics import f1_per_label  # noqa: E402
from socialops.analytics.sentiment.scorer import LABELS, polarity  # noqa: E402

#: (file in include/sentiment, language, weight)
SETS = (
    ("vader_tweets_en.tsv", "en", 1.0),
    ("handwritten_en.tsv", "en", 0.5),
    ("vader_tweets_fr.tsv", "fr", 1.0),
    ("handwritten_fr.tsv", "fr", 0.5),
)
NEUTRAL_SHARE = 0.5
GRID = [round(0.05 + 0.025 * step, 3) for step in range(23)]  # 0.05 .. 0.60


def read_split(name: str, split: str) -> list[dict[str, str]]:
    with open(ROOT / "include" / "sentiment" / name, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row for row in rows if row["split"] == split]


def weighted_macro_f1(gold, scores, positive, negative, weights) -> float:
    matrix = {g: dict.fromkeys(LABELS, 0.0) for g in LABELS}
    for label, value in zip(gold, scores, strict=True):
        predicted = (
            "positive" if value >= positive else "negative" if value <= -negative else "neutral"
        )
        matrix[label][predicted] += weights[label]
    per_label = f1_per_label(matrix)
    return sum(per_label.values()) / len(per_label)


def main() -> int:
    sets = []
    for name, lang, weight in SETS:
        rows = read_split(name, "dev")
        gold = [row["label"] for row in rows]
        scores = [polarity(row["text"], lang) for row in rows]
        natural = dict.fromkeys(LABELS, 1.0)
        sets.append((name, gold, scores, natural, weight))
        if name.startswith("vader_tweets_en"):
            share = {label: gold.count(label) / len(gold) for label in LABELS}
            rest = (1 - NEUTRAL_SHARE) / (1 - share["neutral"])
            reweighted = {
                label: (NEUTRAL_SHARE / share[label] if label == "neutral" else rest)
                for label in LABELS
            }
            sets.append((f"{name} ({NEUTRAL_SHARE:.0%} neutral)", gold, scores, reweighted, weight))
    means, f1s_of = {}, {}
    total_weight = sum(weight for *_, weight in sets)
    for positive in GRID:
        for negative in GRID:
            f1s = [
                weighted_macro_f1(gold, scores, positive, negative, label_weights)
                for _, gold, scores, label_weights, _ in sets
            ]
            f1s_of[positive, negative] = f1s
            means[positive, negative] = (
                sum(f1 * weight for f1, (*_, weight) in zip(f1s, sets, strict=True)) / total_weight
            )
    step = GRID[1] - GRID[0]
    smoothed = {}
    for (positive, negative), mean in means.items():
        around = [
            means[key]
            for key in (
                (round(positive + dp * step, 3), round(negative + dn * step, 3))
                for dp in (-1, 0, 1)
                for dn in (-1, 0, 1)
            )
            if key in means
        ]
        smoothed[positive, negative] = (mean + sum(around) / len(around)) / 2
    ranked = sorted(smoothed, key=smoothed.get, reverse=True)
    print("smoothed  mean   pos    neg    " + "  ".join(name for name, *_ in sets))
    for key in ranked[:10]:
        print(
            f"{smoothed[key]:.3f}     {means[key]:.3f}  {key[0]:.3f}  {key[1]:.3f}  "
            + "  ".join(f"{f1:.3f}" for f1 in f1s_of[key])
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
