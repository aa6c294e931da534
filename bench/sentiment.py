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
import resource
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


def _reweighted_macro_f1(gold: list[str], predicted: list[str], neutral_share: float) -> float:
    """Macro-F1 as if neutral texts were ``neutral_share`` of the set (the others keeping
    their proportions): each text counts with the weight of its gold class."""
    from socialops.analytics.sentiment.metrics import f1_per_label

    labels = ("negative", "neutral", "positive")
    share = {label: gold.count(label) / len(gold) for label in labels}
    rest = (1 - neutral_share) / (1 - share["neutral"])
    weight = {
        label: neutral_share / share[label] if label == "neutral" else rest for label in labels
    }
    matrix = {g: dict.fromkeys(labels, 0.0) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        matrix[g][p] += weight[g]
    scores = f1_per_label(matrix)
    return sum(scores.values()) / len(scores)


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
        entry["macro_f1_half_neutral"] = round(_reweighted_macro_f1(gold, predicted, 0.5), 3)
        reference = _reference(lang)
        if reference is not None:
            references = [reference(row["text"]) for row in rows]
            entry["reference_macro_f1"] = round(macro_f1(gold, references), 3)
            entry["reference_macro_f1_half_neutral"] = round(
                _reweighted_macro_f1(gold, references, 0.5), 3
            )
        figures[name] = entry
    return figures


def _pipe(lines: list[str], pin: list[str]) -> dict[str, Any]:
    """Pipe ``lines`` through the CLI: wall time, CPU time of the child, texts per second."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    with tempfile.TemporaryFile() as source:
        source.write(data)
        source.seek(0)
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(
            [*pin, sys.executable, "-m", "socialops", "sentiment"],
            stdin=source,
            capture_output=True,
            env=env,
            check=True,
        )
        seconds = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    answered = result.stdout.count(b"\n")
    if answered != len(lines):
        raise RuntimeError(f"the CLI answered {answered} lines for {len(lines)}")
    return {
        "lines": len(lines),
        "bytes": len(data),
        "seconds": round(seconds, 2),
        "texts_per_second": round(len(lines) / seconds),
        "cpu_seconds": round(cpu, 2),
        "texts_per_cpu_second": round(len(lines) / cpu),
    }


def throughput(lines: int) -> dict[str, Any]:
    texts = list(dict.fromkeys(row["text"] for name in SETS for row in _rows(name)))
    chooser = random.Random(11)
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    stream = _pipe([chooser.choice(texts) for _ in range(lines)], pin)
    distinct = _pipe(texts, pin)
    started = time.perf_counter()
    subprocess.run(
        [*pin, sys.executable, "-c", "import socialops.analytics.sentiment.cli"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
        check=True,
    )
    return {
        **stream,
        "distinct_texts": distinct,
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
        reference = entry.get("reference_macro_f1")
        reference_half = entry.get("reference_macro_f1_half_neutral")
        rows.append(
            [
                f"`{name}`",
                entry["lang"],
                f"{entry['texts']:,} ({gold['negative']}/{gold['neutral']}/{gold['positive']})",
                f"{entry['detected_as_lang']:.0%}",
                f"**{entry['macro_f1']:.3f}**",
                "–" if reference is None else f"{reference:.3f}",
                f"{entry['macro_f1_half_neutral']:.3f}",
                "–" if reference_half is None else f"{reference_half:.3f}",
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
            "socialops, ½ neutral",
            "reference, ½ neutral",
        ],
        rows,
    )
    lines += [
        "",
        "“½ neutral”: the same predictions, each text weighted so that neutral texts are half "
        "of the set, as in real mention streams (VADER's tweets are a fifth neutral).",
    ]
    speed = results["throughput"]
    core = "pinned to one core (`taskset -c 0`)" if speed["one_core"] else "not pinned"
    lines += [
        "",
        f"Throughput of `python -m socialops sentiment` (auto language), {core}: "
        f"{speed['lines']:,} lines ({speed['bytes'] / 1e6:.1f} MB) in {speed['seconds']:.2f} s,"
        f" **{speed['texts_per_second']:,} texts/s**, start-up included (Python and the "
        f"command's imports alone: {speed['python_start_seconds']:.2f} s). The machine's 2 "
        "cores were shared with other work while measuring, so the wall time is the pessimistic "
        f"figure: the command used {speed['cpu_seconds']:.2f} s of CPU, "
        f"{speed['texts_per_cpu_second']:,} texts per CPU second. Those lines repeat the "
        f"sets' {speed['distinct_texts']['lines']:,} distinct texts, which helps the caches of "
        "words; the distinct texts once, caches cold: "
        f"{speed['distinct_texts']['texts_per_second']:,} texts/s "
        f"({speed['distinct_texts']['texts_per_cpu_second']:,} per CPU second), start-up "
        "included.",
    ]
    return lines
