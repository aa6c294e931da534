"""Sentiment: macro-F1 per language on the held-out halves of the evaluation sets
(``include/sentiment/``), with VADER and vader-fr on the same texts as references, and the
throughput of ``python -m socialops sentiment`` (language detection included) on one core.

Accuracy: each set's ``test`` rows, languages detected (``--lang auto``, as a listening run
would), labels compared with the gold ones. The references are VADER (vaderSentiment 3.3.2)
for English and vader-fr (vaderSentiment-fr 1.3.4) for French, with their documented
thresholds (compound >= 0.05 positive, <= -0.05 negative), when they are installed (dev
dependencies). Throughput: 50,000 lines (5,000 with ``--quick``) drawn with a fixed seed from
all the sets, piped through the CLI subprocess pinned to one core (``taskset -c 0`` when
available); the time includes starting Python and loading the resources.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import machine_line, table

ROOT = Path(__file__).resolve().parents[1]
SETS_DIR = ROOT / "include" / "sentiment"
#: file → language of its texts
SETS = {
    "vader_tweets_en.tsv": "en",
    "vader_tweets_fr.tsv": "fr",
    "handwritten_en.tsv": "en",
    "handwritten_fr.tsv": "fr",
}
THROUGHPUT_LINES = 50_000
QUICK_LINES = 5_000
REFERENCE_BAND = 0.05  # VADER's documented neutral band on its compound score


def _rows(name: str, split: str | None = None) -> list[dict[str, str]]:
    with (SETS_DIR / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row for row in rows if split is None or row["split"] == split]


def _reference(lang: str):
    """VADER's (en) or vader-fr's (fr) labeller, or None when not installed."""
    try:
        if lang == "en":
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        else:
            from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()

    def label(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        if compound >= REFERENCE_BAND:
            return "positive"
        return "negative" if compound <= -REFERENCE_BAND else "neutral"

    return label


def accuracy() -> dict[str, Any]:
    from socialops.analytics.sentiment import score_many
    from socialops.analytics.sentiment.metrics import confusion, macro_f1

    figures = {}
    for name, lang in SETS.items():
        rows = _rows(name, "test")
        gold = [row["label"] for row in rows]
        results = score_many([row["text"] for row in rows])
        predicted = [result.label for result in results]
        entry = {
            "lang": lang,
            "texts": len(rows),
            "gold": {label: gold.count(label) for label in ("negative", "neutral", "positive")},
            "detected_as_lang": sum(r.lang == lang for r in results) / len(results),
            "macro_f1": round(macro_f1(gold, predicted), 3),
            "confusion": confusion(gold, predicted),
        }
        reference = _reference(lang)
        if reference is not None:
            entry["reference_macro_f1"] = round(
                macro_f1(gold, [reference(row["text"]) for row in rows]), 3
            )
        figures[name] = entry
    return figures


def throughput(lines: int) -> dict[str, Any]:
    texts = [row["text"] for name in SETS for row in _rows(name)]
    chooser = random.Random(11)
    sample = "\n".join(chooser.choice(texts) for _ in range(lines)) + "\n"
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    with tempfile.TemporaryFile() as source:
        source.write(sample.encode("utf-8"))
        source.seek(0)
        started = time.perf_counter()
        result = subprocess.run(
            [*pin, sys.executable, "-m", "socialops", "sentiment"],
            stdin=source,
            capture_output=True,
            env=env,
            check=True,
        )
        seconds = time.perf_counter() - started
    answered = result.stdout.count(b"\n")
    if answered != lines:
        raise RuntimeError(f"the CLI answered {answered} lines for {lines}")
    started = time.perf_counter()
    subprocess.run(
        [*pin, sys.executable, "-c", "import socialops.analytics.sentiment.cli"],
        env=env,
        check=True,
    )
    return {
        "lines": lines,
        "bytes": len(sample.encode("utf-8")),
        "seconds": round(seconds, 2),
        "texts_per_second": round(lines / seconds),
        "python_start_seconds": round(time.perf_counter() - started, 2),
        "one_core": bool(pin),
    }


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    del pg_url  # no database involved
    return {
        "accuracy": accuracy(),
        "throughput": throughput(QUICK_LINES if quick else THROUGHPUT_LINES),
    }


def report(data: dict[str, Any]) -> list[str]:
    """The RESULTS.md section of a result file."""
    results = data["results"]
    lines = [
        "## Sentiment: accuracy per language and CLI throughput",
        "",
        machine_line(data["machine"]),
        "",
        "Macro-F1 over negative/neutral/positive on the held-out (`test`) halves of "
        "`include/sentiment/` (languages detected, as in a listening run), and on the same "
        "texts VADER (English) or vader-fr (French) with their ±0.05 band (`bench/sentiment.py`"
        "; sets and caveats: `docs/sentiment.md`).",
        "",
    ]
    rows = []
    for name, entry in results["accuracy"].items():
        gold = entry["gold"]
        rows.append(
            [
                f"`{name}`",
                entry["lang"],
                f"{entry['texts']:,} ({gold['negative']}/{gold['neutral']}/{gold['positive']})",
                f"{entry['detected_as_lang']:.0%}",
                f"**{entry['macro_f1']:.3f}**",
                f"{entry['reference_macro_f1']:.3f}" if "reference_macro_f1" in entry else "–",
            ]
        )
    lines += table(
        [
            "set (test half)",
            "lang",
            "texts (neg/neu/pos)",
            "detected",
            "socialops",
            "VADER / vader-fr",
        ],
        rows,
    )
    speed = results["throughput"]
    core = "pinned to one core (`taskset -c 0`)" if speed["one_core"] else "not pinned"
    lines += [
        "",
        f"Throughput of `python -m socialops sentiment` (auto language), {core}: "
        f"{speed['lines']:,} lines ({speed['bytes'] / 1e6:.1f} MB) in {speed['seconds']:.2f} s,"
        f" **{speed['texts_per_second']:,} texts/s**, start-up included (Python and the "
        f"command's imports alone: {speed['python_start_seconds']:.2f} s). The machine's 2 "
        "cores were shared with other work while measuring.",
    ]
    return lines
