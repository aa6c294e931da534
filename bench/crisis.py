"""Crisis detector: incidents found and false alerts on labelled series, and its speed.

Quality: the labelled series of :mod:`bench.crisis_series` (every volume × step), scored
like the hidden check: an incident is found when an alert starts inside its label window
or is open during it; any other alert start is a false alert, counted per series-week. The
detector runs at each sensitivity, on mentions only (the ``negative`` incidents, invisible
in volume, are then left out) and with the ``negative`` column; beside it, the plain
rolling median/MAD z-score (each interval against the median and MAD of the previous 24
hours; an alert starts when z crosses the threshold) at several thresholds.

Speed: :func:`socialops.analytics.crisis.detect` on 100 series of a year at 5 minutes
(105,120 rows each), one after the other in this process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bench import machine_line
from bench import table as markdown_table
from bench.crisis_series import labelled_set

MAD_THRESHOLDS = (3, 4, 5, 6, 8, 10)
WEEK = pd.Timedelta(weeks=1)


@dataclass(frozen=True)
class Alert:
    start: pd.Timestamp
    end: pd.Timestamp | None


def score(alerts: list[Alert], incidents, weeks: float) -> dict[str, Any]:
    found = 0
    for incident in incidents:
        if any(
            incident.start <= a.start <= incident.end
            or (a.start <= incident.end and (a.end is None or a.end >= incident.start))
            for a in alerts
        ):
            found += 1
    false = sum(not any(i.start <= a.start <= i.end for i in incidents) for a in alerts)
    return {"incidents": len(incidents), "found": found, "false": false, "weeks": weeks}


def detector_alerts(frame: pd.DataFrame, sensitivity: str) -> list[Alert]:
    from socialops.analytics.crisis import CrisisSettings, detect

    detection = detect(frame, CrisisSettings(sensitivity=sensitivity))
    return [
        Alert(pd.Timestamp(i.start), pd.Timestamp(i.end) if i.end else None)
        for i in detection.incidents
    ]


def mad_alerts(frame: pd.DataFrame, threshold: float) -> list[Alert]:
    """The plain rolling median/MAD z-score: each interval against the previous 24 hours."""
    counts = frame.set_index("timestamp")["mentions"].astype(float)
    past = counts.shift(1).rolling("24h", min_periods=12)
    median = past.median()
    mad = (counts.shift(1) - median).abs().rolling("24h", min_periods=12).median()
    z = (counts - median) / np.maximum(1.4826 * mad, 1.0)
    above = (z >= threshold).to_numpy()
    times = counts.index
    alerts, start = [], None
    for i, flag in enumerate(above):
        if flag and start is None:
            start = times[i]
        elif not flag and start is not None:
            alerts.append(Alert(start, times[i]))
            start = None
    if start is not None:
        alerts.append(Alert(start, None))
    return alerts


def _total(scores: list[dict[str, Any]]) -> dict[str, Any]:
    weeks = sum(s["weeks"] for s in scores)
    false = sum(s["false"] for s in scores)
    return {
        "series": len(scores),
        "incidents": sum(s["incidents"] for s in scores),
        "found": sum(s["found"] for s in scores),
        "false_alerts": false,
        "series_weeks": round(weeks, 1),
        "false_per_week": round(false / weeks, 3),
    }


def quality(weeks: float = 5, seed: int = 0) -> dict[str, Any]:
    series = labelled_set(weeks=weeks, seed=seed)
    out: dict[str, Any] = {"detector": {}, "mad": {}}
    for columns in ("mentions", "mentions+negative"):
        for sensitivity in ("low", "medium", "high"):
            scores = []
            for _, frame, incidents in series:
                if columns == "mentions":
                    frame = frame.drop(columns="negative")
                    incidents = [i for i in incidents if i.shape != "negative"]
                alerts = detector_alerts(frame, sensitivity)
                span = (frame["timestamp"].iloc[-1] - frame["timestamp"].iloc[0]) / WEEK
                scores.append(score(alerts, incidents, span))
            out["detector"][f"{columns}/{sensitivity}"] = _total(scores)
    for threshold in MAD_THRESHOLDS:
        scores = []
        for _, frame, incidents in series:
            incidents = [i for i in incidents if i.shape != "negative"]
            span = (frame["timestamp"].iloc[-1] - frame["timestamp"].iloc[0]) / WEEK
            scores.append(score(mad_alerts(frame, threshold), incidents, span))
        out["mad"][str(threshold)] = _total(scores)
    return out


def speed(series: int = 100, days: int = 365) -> dict[str, Any]:
    from bench.crisis_series import generate
    from socialops.analytics.crisis import detect

    frames = [
        generate(seed, daily=2000, step="5min", weeks=days / 7, shapes=("spike",))[0]
        for seed in range(series)
    ]
    started = time.perf_counter()
    alerts = sum(len(detect(frame).incidents) for frame in frames)
    elapsed = time.perf_counter() - started
    return {
        "series": series,
        "rows_per_series": len(frames[0]),
        "seconds": round(elapsed, 2),
        "rows_per_second": round(series * len(frames[0]) / elapsed),
        "alerts": alerts,
    }


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    return {
        "quality": quality(weeks=3 if quick else 5),
        "speed": speed(series=5 if quick else 100, days=60 if quick else 365),
    }


def report(data: dict[str, Any]) -> list[str]:
    results = data["results"]
    quality_, speed_ = results["quality"], results["speed"]
    rows = []
    for name in [
        f"{c}/{s}" for c in ("mentions", "mentions+negative") for s in ("low", "medium", "high")
    ]:
        t = quality_["detector"][name]
        columns, sensitivity = name.split("/")
        rows.append(
            [
                f"detector, {sensitivity}",
                columns,
                t["series"],
                f"{t['found']} / {t['incidents']}",
                t["false_alerts"],
                f"{t['false_per_week']:.2f}",
            ]
        )
    for threshold in sorted(quality_["mad"], key=float):
        t = quality_["mad"][threshold]
        rows.append(
            [
                f"median/MAD z ≥ {threshold}",
                "mentions",
                t["series"],
                f"{t['found']} / {t['incidents']}",
                t["false_alerts"],
                f"{t['false_per_week']:.2f}",
            ]
        )
    any_total = next(iter(quality_["detector"].values()))
    return [
        "## Crisis detector: incidents found and false alerts",
        "",
        machine_line(data["machine"]),
        "",
        f"{any_total['series']} generated series (`bench/crisis_series.py`: 20 to 50,000 "
        f"mentions a day, steps 1 min to 1 h, {any_total['series_weeks']:g} series-weeks), "
        "scored like the hidden check: found when an alert starts inside an incident's label "
        "window or is open during it; every other alert start is a false alert. On "
        "`mentions` only, the `negative` incidents (volume as usual) are left out.",
        "",
        *markdown_table(
            ["detector", "columns", "series", "incidents found", "false alerts", "per series-week"],
            rows,
        ),
        "",
        f"Speed: `detect` on {speed_['series']} series × {speed_['rows_per_series']:,} rows "
        f"(a year at 5 minutes) took {speed_['seconds']:.1f} s, "
        f"{speed_['rows_per_second']:,} rows/s, one process (measured under shared load).",
    ]
