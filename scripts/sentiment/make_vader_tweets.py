"""Regenerate ``vader_tweets_en.tsv`` from VADER's published tweet ratings.

    .venv/bin/pip download --no-deps --no-binary :all: vaderSentiment==3.3.2 -d /tmp/vader
    tar xzf /tmp/vader/vaderSentiment-3.3.2.tar.gz -C /tmp/vader
    tar xzf /tmp/vader/vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz \
        -C /tmp/vader
    .venv/bin/python scripts/sentiment/make_vader_tweets.py \
        /tmp/vader/hutto_ICWSM_2014/tweets_GroundTruth.txt

Input: ``id<TAB>mean rating<TAB>tweet``, the mean of the ratings of at least 20 people on
-4..4 (Hutto & Gilbert, ICWSM 2014; MIT License, in the vaderSentiment 3.3.2 sdist). A
tweet is "positive" above +0.5, "negative" below -0.5, "neutral" in between (the raters'
mean is within half a point of 0). ``split`` is "dev" for odd ids and "test" for even ids: the
model is trained on "dev" only (scripts/sentiment/train.py).

``--sample`` prints, instead, the 100 tweets per split (random, seed 2026) that were
translated by hand into ``vader_tweets_fr.tsv``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

BAND = 0.5
TARGET = Path(__file__).resolve().parents[2] / "include/sentiment/vader_tweets_en.tsv"


def label(mean: float) -> str:
    if mean > BAND:
        return "positive"
    if mean < -BAND:
        return "negative"
    return "neutral"


SAMPLE_SEED = 2026
SAMPLE_SIZE = 100


def sample(target: Path) -> None:
    rows = [line.split("\t") for line in target.read_text("utf-8").splitlines()[1:]]
    chooser = random.Random(SAMPLE_SEED)
    for split in ("dev", "test"):
        for row in chooser.sample([row for row in rows if row[0] == split], SAMPLE_SIZE):
            print("\t".join(row))


def main(source: str) -> int:
    if source == "--sample":
        sample(TARGET)
        return 0
    target = TARGET
    out = ["split\tlabel\tmean\ttext"]
    for line in Path(source).read_text("utf-8").splitlines():
        number, mean, text = line.split("\t", 2)
        text = " ".join(text.split())
        split = "dev" if int(number) % 2 else "test"
        out.append(f"{split}\t{label(float(mean))}\t{float(mean):.3f}\t{text}")
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{target}: {len(out) - 1} tweets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
