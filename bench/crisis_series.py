"""Labelled mention-volume series for the crisis detector, generated (seeded) here.

    python -m bench.crisis_series --daily 3000 --step 5min --weeks 5 --seed 7 --out FILE.csv

Each series imitates a brand's mention counts per interval (``timestamp``, ``mentions``,
``negative``) and comes with its labelled incidents. What is in it, and why:

* a daily rhythm (quiet nights, a peak in the afternoon or evening, its depth and hour drawn
  per series) and a weekly one (weekends lower, their peak later);
* a level that drifts (a mean-reverting random walk) and jumps once or twice for good
  (×0.65–×1.5, not labelled: a brand that grows or loses attention is no crisis);
* over-dispersion at two scales: a log-normal latent rate moving every 15 minutes and a
  gamma-Poisson (negative binomial) count per interval;
* nuisance bursts, not labelled, about 3 a week: a retweet wave or a news mention lifting
  volume ×1.3–×3.5 for 5 minutes to 3 hours, decaying; and about 0.7 a week a sharper one
  (×3–×6 decaying to a tenth within 10 to 40 minutes);
* labelled incidents, the first after day 8, at least 3 days apart, of four shapes:
  ``spike`` (a jump ×4–×15 decaying with a half-life of 30 min to 4 h), ``ramp`` (a linear
  rise to ×3–×8 over 2–8 h, held 1–3 h), ``plateau`` (×2.5–×5 for 4–24 h, sharp edges) and
  ``negative`` (volume as usual, the negative share rising to 50–80 % for 3–12 h). The
  first three also raise the negative share (to 30–70 %): real crises are negative.

An incident's label window runs from its start to the end of its excess (a spike: 3
half-lives, at least 2 hours) plus one hour. It is all made up: no real brand, no real
data, free to redistribute with the code (Apache-2.0).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHAPES = ("spike", "ramp", "plateau", "negative")
MIN_PEAK_PER_HOUR = 30
START = pd.Timestamp("2026-01-05", tz="UTC")  # a Monday


@dataclass(frozen=True)
class LabelledIncident:
    shape: str
    start: pd.Timestamp
    end: pd.Timestamp  # end of the label window
    peak_ratio: float  # the peak's multiple of the usual volume (1 for "negative")


def generate(
    seed: int,
    *,
    daily: float = 1000,
    step: str = "5min",
    weeks: float = 5,
    shapes: tuple[str, ...] | None = None,
) -> tuple[pd.DataFrame, list[LabelledIncident]]:
    """One series of ``weeks`` weeks at ``step`` with about ``daily`` mentions a day."""
    rng = np.random.default_rng(seed)
    step_td = pd.Timedelta(step)
    times = pd.date_range(START, START + pd.Timedelta(weeks=weeks), freq=step_td, inclusive="left")
    hours = ((times - START) / pd.Timedelta(hours=1)).to_numpy()
    n = len(times)

    # rhythm
    night = rng.uniform(0.05, 0.4)
    peak_hour = rng.uniform(12, 20)
    sharpness = rng.uniform(1, 3)
    weekend = times.day_of_week.to_numpy() >= 5
    weekend_factor = rng.uniform(0.5, 0.95)
    hour_of_day = hours % 24
    shifted = np.where(weekend, hour_of_day - rng.uniform(0.5, 2.5), hour_of_day)
    wave = (0.5 + 0.5 * np.cos(2 * np.pi * (shifted - peak_hour) / 24)) ** sharpness
    rhythm = night + (1 - night) * wave
    rhythm = rhythm * np.where(weekend, weekend_factor, 1.0)
    rhythm /= rhythm.mean()

    # level: drift and lasting jumps
    per_hour = daily / 24
    drift = _ar1(rng.normal(0, 0.015, int(np.ceil(hours[-1])) + 2), 0.995)
    level = np.exp(np.interp(hours, np.arange(len(drift)), drift))
    for _ in range(rng.integers(1, 3)):
        at = rng.uniform(2 * 24, hours[-1])
        level = level * np.where(
            hours >= at, rng.choice([rng.uniform(0.65, 0.9), rng.uniform(1.1, 1.5)]), 1.0
        )

    # latent noise every 15 minutes
    quarter = np.floor(hours * 4).astype(int)
    sigma = rng.uniform(0.08, 0.2)
    latent = _ar1(rng.normal(0, sigma, quarter.max() + 1), 0.8)
    noise = np.exp(latent[quarter] - sigma**2 / (2 * (1 - 0.64)))

    multiplier = np.ones(n)
    # nuisance bursts
    for _ in range(rng.poisson(3 * weeks)):
        at = rng.uniform(0, hours[-1])
        duration = np.exp(rng.uniform(np.log(5 / 60), np.log(3)))
        cap = 3.5 if duration <= 0.25 else 2.5
        amplitude = min(cap, 1.3 + rng.pareto(2.5) * 0.5)
        multiplier += _decay(hours, at, duration, amplitude - 1)
    # and a rarer, sharper one: a celebrity's retweet, ×3–×6 for 10 to 40 minutes
    for _ in range(rng.poisson(0.7 * weeks)):
        at = rng.uniform(0, hours[-1])
        multiplier += _decay(hours, at, rng.uniform(10, 40) / 60, rng.uniform(2, 5))

    # incidents
    usual_share = rng.uniform(0.08, 0.25)
    share = np.clip(usual_share + 0.03 * np.sin(2 * np.pi * hours / (24 * 9)), 0.02, 0.5)
    incidents: list[LabelledIncident] = []
    shapes = shapes or tuple(rng.permutation(SHAPES))
    at = 8 * 24 + rng.uniform(0, 24)
    for shape in shapes:
        if at > hours[-1] - 30:
            break
        excess, end = _incident(rng, shape, hours, at)
        # a crisis is many people talking: at least 30 mentions an hour at its peak
        usual = per_hour * np.interp(at, hours, rhythm * level)
        if shape != "negative" and usual * (1 + excess.max()) < MIN_PEAK_PER_HOUR:
            excess = excess * (MIN_PEAK_PER_HOUR / usual - 1) / excess.max()
        multiplier += excess
        negative_share = rng.uniform(0.5, 0.8) if shape == "negative" else rng.uniform(0.3, 0.7)
        inside = (hours >= at) & (hours <= end)
        weight = np.clip(excess / max(excess.max(), 1e-9), 0, 1) if shape != "negative" else 1
        share = np.where(inside, share + (negative_share - share) * weight, share)
        incidents.append(
            LabelledIncident(
                shape=shape,
                start=START + pd.Timedelta(hours=at),
                end=START + pd.Timedelta(hours=end + 1),
                peak_ratio=round(float(1 + excess.max()), 2),
            )
        )
        at = end + rng.uniform(3 * 24, 6 * 24)

    rate = per_hour * step_td / pd.Timedelta(hours=1) * rhythm * level * noise * multiplier
    shape_k = rng.uniform(5, 50)
    mentions = rng.poisson(rng.gamma(shape_k, rate / shape_k))
    negative = rng.binomial(mentions, np.clip(share, 0, 1))
    frame = pd.DataFrame({"timestamp": times, "mentions": mentions, "negative": negative})
    return frame, incidents


def _ar1(innovations: np.ndarray, coefficient: float) -> np.ndarray:
    """x[0] = 0, x[i] = coefficient · x[i-1] + innovations[i]."""
    from scipy.signal import lfilter

    innovations = innovations.copy()
    innovations[0] = 0.0
    return lfilter([1.0], [1.0, -coefficient], innovations)


def _decay(hours: np.ndarray, at: float, duration: float, amplitude: float) -> np.ndarray:
    """A burst starting at ``at`` (hours), decaying to a tenth after ``duration`` hours."""
    since = hours - at
    return np.where(since >= 0, amplitude * np.exp(-np.abs(since) * np.log(10) / duration), 0.0)


def _incident(
    rng: np.random.Generator, shape: str, hours: np.ndarray, at: float
) -> tuple[np.ndarray, float]:
    """The excess multiplier of one incident over the series, and its end (hours)."""
    since = hours - at
    if shape == "spike":
        half_life = np.exp(rng.uniform(np.log(0.5), np.log(4)))
        peak = rng.uniform(4, 15) - 1
        excess = np.where(since >= 0, peak * 0.5 ** (np.abs(since) / half_life), 0.0)
        return excess, at + max(2.0, 3 * half_life)
    if shape == "ramp":
        rise, hold = rng.uniform(2, 8), rng.uniform(1, 3)
        peak = rng.uniform(3, 8) - 1
        up = np.clip(since / rise, 0, 1) * peak
        down = peak * np.exp(-np.clip(since - rise - hold, 0, None) * np.log(10) / 2)
        excess = np.where(since < 0, 0.0, np.where(since <= rise + hold, up, down))
        return excess, at + rise + hold
    if shape == "plateau":
        length = rng.uniform(4, 24)
        peak = rng.uniform(2.5, 5) - 1
        return np.where((since >= 0) & (since <= length), peak, 0.0), at + length
    length = rng.uniform(3, 12)
    return np.zeros_like(hours), at + length


#: The labelled set of the benchmark: every volume at every step, 5 weeks each.
VOLUMES = (20, 100, 1_000, 10_000, 50_000)
STEPS = ("1min", "5min", "15min", "1h")


def labelled_set(weeks: float = 5, seed: int = 0):
    """[(name, frame, incidents)] for every volume × step."""
    out = []
    for v, daily in enumerate(VOLUMES):
        for s, step in enumerate(STEPS):
            series_seed = seed * 1000 + v * 10 + s
            frame, incidents = generate(series_seed, daily=daily, step=step, weeks=weeks)
            out.append((f"{daily}/day at {step} (seed {series_seed})", frame, incidents))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crisis_series", description=__doc__)
    parser.add_argument("--daily", type=float, default=1000)
    parser.add_argument("--step", default="5min")
    parser.add_argument("--weeks", type=float, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-negative", action="store_true", help="mentions only")
    parser.add_argument("--out", required=True, help="CSV to write")
    args = parser.parse_args(argv)
    frame, incidents = generate(args.seed, daily=args.daily, step=args.step, weeks=args.weeks)
    if args.no_negative:
        frame = frame.drop(columns="negative")
    frame.assign(timestamp=frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        args.out, index=False
    )
    for incident in incidents:
        print(
            f"{incident.shape}: {incident.start.isoformat()} .. {incident.end.isoformat()} "
            f"(peak ×{incident.peak_ratio})",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
