"""Influencer scoring: the speed of ``score_candidates`` on a million candidates, and how
well ``authenticity`` separates fake from genuine accounts (ROC AUC) next to the plain
following/followers ratio.

* **Speed**: :func:`synthetic_candidates` builds 1,000,000 candidates with every column
  (bios in French and English, engagement, creation dates) in one process and pickles
  them; a fresh process loads them and scores them once with
  :func:`socialops.analytics.influence.score_candidates`, and reports the wall and CPU
  seconds of that call, the load average of the machine meanwhile, and the process's RSS
  before and at its peak (``ru_maxrss``: the frame, the interpreter and the scoring). The
  target is under 10 s.
* **Separation**: the AUC of ``1 − authenticity`` for "fake" on the labelled synthetic
  accounts of :func:`synthetic_candidates` (its assumptions are in its docstring and in
  docs/influencers.md; the weights of the model were *not* fitted on it), and on every
  labelled CSV named in ``SOCIALOPS_BENCH_LABELLED`` (``path[,path...]``, audit columns
  plus ``label`` = fake/genuine or 1/0), e.g. public research data sets that may not be
  redistributed and so are not in the repository.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import machine_line, table

AS_OF = date(2026, 11, 20)
SPEED_ROWS = 1_000_000
QUICK_SPEED_ROWS = 50_000
LABELLED_ROWS = 20_000
FAKE_SHARE = 0.3
SEED = 13
PROJECT = Path(__file__).resolve().parents[1]

_FR = (
    "déco bougie maison cosy parfum lumière artisanal fait main intérieur automne "
    "recette voyage paris lyon mode beauté famille et de la le pour avec dans mon ma"
).split()
_EN = (
    "home decor candle cosy scent handmade interior autumn recipe travel london style "
    "beauty family and the a for with in my of to"
).split()
_TAGS = ["#bougieparfumee", "#maisonlumiere", "#homedecor", "#slowliving", "#ootd"]
_NAMES = "lea claire marie hugo tom emma lucas julie paul anna sarah home deco".split()


def synthetic_candidates(rows: int, *, seed: int = SEED, fake_share: float = FAKE_SHARE) -> Any:
    """``rows`` labelled candidates (``label`` 1 = fake) with every audit column.

    Assumptions (each a direction reported by the fake-account literature cited in
    docs/influencers.md, with magnitudes chosen by us; the scoring weights were set
    independently and never fitted on this data):

    * genuine: followers log-normal around 600 (σ 1.8 in ln), following around 400,
      posts around 150, 98 % with a profile picture, 75 % with a bio, 15 % with digits in
      the handle (a third of them a 4-digit year), accounts 1–12 years old, engagement
      log-normal around the norm of their network and tier, 2 % verified (more above 100k);
    * fake: followers around 40, following around 1,500 (capped at 7,500), 60 % without any
      post, 45 % with a picture, 20 % with a bio, 60 % with digits (35 % with 4 or more),
      half of them younger than six months, engagement a tenth of the norm (10 % pods at
      ten times the norm), never verified.
    """
    import numpy as np
    import pandas as pd

    from socialops.analytics import influence

    rng = np.random.default_rng(seed)
    fake = rng.random(rows) < fake_share
    genuine = ~fake

    def lognormal(median_genuine, sigma_genuine, median_fake, sigma_fake):
        values = np.where(
            fake,
            rng.lognormal(np.log(median_fake), sigma_fake, rows),
            rng.lognormal(np.log(median_genuine), sigma_genuine, rows),
        )
        return np.floor(values)

    followers = lognormal(600, 1.8, 40, 1.3)
    following = np.minimum(lognormal(400, 0.9, 1500, 1.0), 7500)
    posts = lognormal(150, 1.2, 5, 1.0)
    posts[fake & (rng.random(rows) < 0.6)] = 0
    networks = rng.choice(influence.NETWORKS, rows, p=[0.25, 0.1, 0.1, 0.45, 0.1])

    picture = np.where(fake, rng.random(rows) < 0.45, rng.random(rows) < 0.98)
    has_bio = np.where(fake, rng.random(rows) < 0.2, rng.random(rows) < 0.75)
    private = rng.random(rows) < np.where(fake, 0.25, 0.3)
    verified = genuine & (rng.random(rows) < np.where(followers > 100_000, 0.3, 0.02))
    age_days = np.where(
        fake & (rng.random(rows) < 0.5),
        rng.integers(1, 180, rows),
        rng.integers(365, 4380, rows),
    )
    created = pd.Timestamp(AS_OF) - pd.to_timedelta(age_days, unit="D")

    digits = np.where(
        fake,
        np.where(rng.random(rows) < 0.35, rng.integers(4, 9, rows), 0),
        np.where(rng.random(rows) < 0.05, 4, 0),
    )
    some = np.where(fake, rng.random(rows) < 0.25, rng.random(rows) < 0.10)
    digits = np.where((digits == 0) & some, rng.integers(1, 3, rows), digits)
    names = rng.choice(_NAMES, rows)
    handles = [
        f"{name}{'' if n == 0 else rng.integers(10 ** (n - 1), 10**n)}"
        for name, n in zip(names, digits, strict=True)
    ]

    french = rng.random(rows) < 0.6
    words = np.where(
        french[:, None], rng.choice(_FR, (rows, 6)), rng.choice(_EN, (rows, 6))
    ).tolist()
    tags = rng.choice(_TAGS, rows)
    bios = [
        " ".join(w) + f" {t}" if keep else ""
        for w, t, keep in zip(words, tags, has_bio, strict=True)
    ]

    frame = pd.DataFrame(
        {
            "network": networks,
            "handle": handles,
            "followers": followers,
            "following": following,
            "posts_count": posts,
            "has_profile_picture": picture,
            "private": private,
            "verified": verified,
            "created_at": created,
            "bio": bios,
        }
    )
    norm = influence.engagement_norm(frame["network"], influence.tier(frame["followers"]))
    factor = np.where(fake, np.where(rng.random(rows) < 0.1, 10.0, 0.1), 1.0)
    rate = norm.to_numpy() * factor * rng.lognormal(0, 0.6, rows)
    frame["avg_likes"] = np.round(followers * rate * 0.95, 1)
    frame["avg_comments"] = np.round(followers * rate * 0.05, 1)
    frame["label"] = fake.astype(int)
    return frame


def roc_auc(scores: Any, labels: Any) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    import numpy as np
    import pandas as pd

    ranks = pd.Series(np.asarray(scores, dtype="float64")).rank().to_numpy()
    positive = np.asarray(labels).astype(bool)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def separation(frame: Any, name: str) -> dict[str, Any]:
    import numpy as np

    from socialops.analytics import influence

    labels = frame["label"].astype(str).str.strip().str.lower().map(_LABELS)
    if labels.isna().any():
        raise ValueError(f"{name}: label must be fake/genuine or 1/0")
    candidates = frame.drop(columns=["label"])
    authenticity = influence.authenticity(candidates, as_of=AS_OF)
    clean = influence.candidates(candidates)
    ratio = clean["following"] / np.maximum(clean["followers"], 1)
    optional = [c for c in influence.OPTIONAL_COLUMNS if c in candidates.columns]
    return {
        "name": name,
        "rows": len(frame),
        "fake": int(labels.sum()),
        "optional_columns": optional,
        "auc_authenticity": round(roc_auc(1 - authenticity, labels), 4),
        "auc_required_columns_only": round(
            roc_auc(
                1
                - influence.authenticity(candidates[list(influence.REQUIRED_COLUMNS)], as_of=AS_OF),
                labels,
            ),
            4,
        ),
        "auc_following_followers_ratio": round(roc_auc(ratio.fillna(np.inf), labels), 4),
    }


_LABELS = {"fake": 1, "1": 1, "true": 1, "genuine": 0, "0": 0, "false": 0}


def _speed(path: str) -> dict[str, Any]:
    """Scores the pickled candidates at ``path``; runs in a fresh process (see :func:`run`)
    that only loaded them, so its peak RSS is the input frame plus the scoring."""
    import pandas as pd

    from socialops.analytics import influence

    frame = pd.read_pickle(path)
    brand = influence.BrandProfile(
        keywords=("maison lumière", "bougie"),
        hashtags=("#maisonlumiere", "#bougieparfumee"),
        locale="fr",
        names=("Maison Lumière", "@maisonlumiere"),
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    scores = influence.score_candidates(frame, brand, as_of=AS_OF)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    return {
        "rows": len(frame),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "load_average": round((load + os.getloadavg()[0]) / 2, 1),
        "rows_per_second": round(len(frame) / seconds),
        "rss_before_scoring_mb": round(before, 1),
        "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "scored": int(scores["score"].notna().sum()),
    }


def _child(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT / "plugins"), str(PROJECT)])}
    child = subprocess.run(
        [sys.executable, "-m", "bench.influencers", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
        env=env,
    )
    return child.stdout.strip().splitlines()[-1] if child.stdout.strip() else ""


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    import pandas as pd

    rows = QUICK_SPEED_ROWS if quick else SPEED_ROWS
    with tempfile.TemporaryDirectory() as workdir:
        path = str(Path(workdir) / "candidates.pickle")
        _child("--generate", str(rows), path)
        speed = json.loads(_child("--speed", path))
    labelled = [separation(synthetic_candidates(LABELLED_ROWS, seed=SEED + 1), "synthetic")]
    for path in filter(None, os.environ.get("SOCIALOPS_BENCH_LABELLED", "").split(",")):
        frame = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""])
        if "bio" in frame.columns:
            frame["bio"] = frame["bio"].fillna("")
        labelled.append(separation(frame, Path(path).stem))
    return {"speed": speed, "separation": labelled, "as_of": AS_OF.isoformat()}


def report(data: dict[str, Any]) -> list[str]:
    results = data["results"]
    speed = results["speed"]
    lines = [
        "## Influencer scoring",
        "",
        machine_line(data["machine"]),
        "",
        f"`score_candidates` on {speed['rows']:,} synthetic candidates with every column, "
        "once, in a fresh process that only loaded them (`bench/influencers.py`); the RSS "
        "before scoring is the loaded frame, the peak includes it. Measured on a machine "
        "shared with other work: the wall time depends on its load (load average during the "
        "run in the table); the CPU time is what the scoring itself costs.",
        "",
    ]
    lines += table(
        [
            "candidates",
            "wall time",
            "CPU time",
            "load average",
            "candidates/s (wall)",
            "RSS before scoring",
            "peak RSS",
        ],
        [
            [
                f"{speed['rows']:,}",
                f"{speed['seconds']:.2f} s",
                f"{speed['cpu_seconds']:.2f} s",
                f"{speed['load_average']:.1f}",
                f"{speed['rows_per_second']:,}",
                f"{speed['rss_before_scoring_mb']:.0f} MB",
                f"{speed['rss_peak_mb']:.0f} MB",
            ]
        ],
    )
    lines += [
        "",
        "ROC AUC of `1 − authenticity` for fake accounts (all columns given, then the "
        "required columns only) against the plain following/followers ratio. `synthetic` "
        "is `synthetic_candidates` (not used to set the weights); other rows are labelled "
        "files named in `SOCIALOPS_BENCH_LABELLED` (docs/influencers.md says which).",
        "",
    ]
    rows = [
        [
            item["name"],
            f"{item['rows']:,}",
            f"{item['fake']:,}",
            ", ".join(item["optional_columns"]) or "–",
            f"{item['auc_authenticity']:.3f}",
            f"{item['auc_required_columns_only']:.3f}",
            f"{item['auc_following_followers_ratio']:.3f}",
        ]
        for item in results["separation"]
    ]
    lines += table(
        ["data", "accounts", "fake", "optional columns", "AUC", "AUC required only", "ratio AUC"],
        rows,
    )
    return lines


if __name__ == "__main__":  # the child processes of run()
    if sys.argv[1] == "--generate":  # --generate ROWS PATH
        synthetic_candidates(int(sys.argv[2])).drop(columns=["label"]).to_pickle(sys.argv[3])
    elif sys.argv[1] == "--speed":  # --speed PATH
        print(json.dumps(_speed(sys.argv[2])))
