"""Train the sentiment model (``resources/model.json``) on the development halves of the
evaluation sets, never on their test halves:

    PYTHONPATH=plugins .venv/bin/python scripts/sentiment/train.py

The model is a multinomial logistic regression over the thirteen numbers the rules find in
a text (``socialops.analytics.sentiment.scorer.FEATURES``: the rules' compound score, the
positive and negative sums and counts, emoji apart, exclamation marks, link, question,
length, reply, and whether it was read as French), standardised. It is fitted here with
numpy by full-batch gradient descent (L2 penalty, deterministic: same data, same weights),
each text weighted so that the three labels weigh the same within its set and each set
weighs its ``weight`` in :data:`SETS` (real tweets 1, texts written for socialops 0.5): the
neutral band is learned from data where neutral texts count as much as opinions. Texts
without evidence are left out (they are neutral whatever the model says). Runtime scoring
does not need numpy for it: the weights are applied in plain Python.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "plugins"))

from socialops.analytics.sentiment.metrics import macro_f1  # noqa: E402
from socialops.analytics.sentiment.scorer import (  # noqa: E402
    DATA,
    FEATURES,
    LABELS,
    MODEL_FILE,
    evidence,
)

#: (file in include/sentiment, language, weight of the set)
SETS = (
    ("vader_tweets_en.tsv", "en", 1.0),
    ("vader_tweets_fr.tsv", "fr", 1.0),
    ("handwritten_en.tsv", "en", 0.5),
    ("handwritten_fr.tsv", "fr", 0.5),
)
L2 = 0.01
STEPS = 4000
LEARNING_RATE = 0.1


def read_split(name: str, split: str) -> list[dict[str, str]]:
    with open(ROOT / "include" / "sentiment" / name, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row for row in rows if row["split"] == split]


def examples(split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Features, label indexes, weights and set names of the texts that have evidence (the
    others are neutral whatever the model says, so they are not used to fit it)."""
    vectors, labels, weights, names = [], [], [], []
    for name, lang, set_weight in SETS:
        rows = read_split(name, split)
        found = [(row, evidence(row["text"], lang)) for row in rows]
        found = [(row, e) for row, e in found if e is not None]
        counts = {label: sum(row["label"] == label for row, _ in found) for label in LABELS}
        for row, e in found:
            vectors.append(e.vector())
            labels.append(LABELS.index(row["label"]))
            # each label of the set weighs a third of the set's weight
            weights.append(set_weight * len(found) / (len(LABELS) * counts[row["label"]]))
            names.append(name)
    return np.array(vectors), np.array(labels), np.array(weights), names


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    weights = np.zeros((x.shape[1], len(LABELS)))
    bias = np.zeros(len(LABELS))
    onehot = np.eye(len(LABELS))[y]
    share = w / w.sum()
    for _ in range(STEPS):
        logits = x @ weights + bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        gradient = (p - onehot) * share[:, None]
        weights -= LEARNING_RATE * (x.T @ gradient + L2 * weights)
        bias -= LEARNING_RATE * gradient.sum(axis=0)
    return weights, bias


def main() -> int:
    x, y, w, _ = examples("dev")
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    weights, bias = fit((x - mean) / scale, y, w)
    spec = {
        "about": "socialops sentiment model: multinomial logistic regression over "
        "standardised rule features; trained by scripts/sentiment/train.py on the dev "
        "halves of include/sentiment/*.tsv",
        "features": list(FEATURES),
        "labels": list(LABELS),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "low": [round(float(v), 6) for v in x.min(axis=0)],
        "high": [round(float(v), 6) for v in x.max(axis=0)],
        "weights": [[round(float(v), 6) for v in row] for row in weights],
        "bias": [round(float(v), 6) for v in bias],
        "trained_on": {name: len(read_split(name, "dev")) for name, _, _ in SETS},
    }
    (DATA / MODEL_FILE).write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    print(f"{MODEL_FILE}: {len(y)} texts with evidence; dev macro-F1 (labels from the model):")
    from socialops.analytics.sentiment import scorer

    scorer.model.cache_clear()
    for name, lang, _ in SETS:
        rows = read_split(name, "dev")
        predicted = [scorer.classify(row["text"], lang)[0] for row in rows]
        print(f"  {name}: {macro_f1([row['label'] for row in rows], predicted):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
