"""``python -m socialops crisis``: replay the crisis detector over a mention-count series.

    python -m socialops crisis backtest SERIES.csv [--config BRAND.yaml] [--plot FILE.png]

``SERIES.csv`` has a ``timestamp`` column (ISO 8601; no zone means UTC), ``mentions`` (the
count of the interval starting then) and optionally ``negative``, at any regular step from
1 minute to 1 hour. Standard output carries only the JSON array of the alerts the live
detector would have raised; a summary goes to standard error. The detector itself is
:mod:`socialops.analytics.crisis` (``docs/crisis.md``).

It lives here rather than in ``socialops.analytics`` because it reads files and draws a
chart, and analytics do no I/O.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from socialops.cli import UsageError

_COUNT = re.compile(r"^\s*\d+(?:\.0*)?\s*$")
COLUMNS = ("timestamp", "mentions")


def configure(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="action", required=True)
    backtest = commands.add_parser(
        "backtest",
        help="print the alerts the live detector would have raised over a series (JSON)",
        description=__doc__.split("\n\n")[2],
    )
    backtest.add_argument("series", metavar="SERIES.csv", help="timestamp,mentions[,negative]")
    backtest.add_argument(
        "--config", metavar="BRAND.yaml", help="read thresholds.crisis and the time zone from it"
    )
    backtest.add_argument(
        "--sensitivity",
        choices=["low", "medium", "high"],
        help="overrides thresholds.crisis.sensitivity",
    )
    backtest.add_argument("--plot", metavar="FILE.png", help="draw the series and its alerts")
    series = commands.add_parser(
        "series",
        help="write the brand's stored mentions per 5 minutes as SERIES.csv (for backtest)",
        description="The series listen_mentions' crisis watch reads: the stored mentions of "
        "the warehouse (SOCIALOPS_WAREHOUSE_URL) counted per 5 minutes, as CSV on standard "
        "output (timestamp, mentions, negative); `crisis backtest` on it replays the alerts.",
    )
    series.add_argument("--days", type=float, default=24.0, help="how far back (default 24)")
    series.add_argument(
        "--until", metavar="ISO", help="end (exclusive; default now, floored to 5 minutes)"
    )


def run(args: argparse.Namespace) -> int:
    if args.action == "series":
        return write_stored_series(args)
    return backtest(args)


def write_stored_series(args: argparse.Namespace) -> int:
    """The stored mentions per 5 minutes, as the live watch counts them, to standard output."""
    from datetime import UTC, datetime, timedelta

    from socialops.analytics.crisis import mention_series
    from socialops.listening.service import STEP, floor_time
    from socialops.listening.store import mentions_since
    from socialops.runtime import parse_as_of
    from socialops.warehouse.engine import get_engine

    try:
        until = parse_as_of(args.until) or datetime.now(UTC)
    except ValueError as exc:
        raise UsageError(f"--until: {exc}") from exc
    if args.days <= 0:
        raise UsageError("--days must be positive")
    end = floor_time(until, STEP)
    start = floor_time(end - timedelta(days=args.days), STEP)
    mentions = mentions_since(get_engine(), start)
    frame = mention_series(mentions, step=STEP, start=start, end=end)
    frame["timestamp"] = frame["timestamp"].map(lambda t: t.isoformat())
    frame.to_csv(sys.stdout, index=False, columns=["timestamp", "mentions", "negative"])
    print(
        f"{len(frame)} intervals of 5 minutes, {int(frame['mentions'].sum())} mentions",
        file=sys.stderr,
    )
    return 0


def backtest(args: argparse.Namespace) -> int:
    from socialops.analytics.crisis import CrisisSettings, detect

    settings = _settings(args.config)
    if args.sensitivity:
        settings = CrisisSettings(**{**settings.__dict__, "sensitivity": args.sensitivity})
    series = read_series(Path(args.series))
    detection = detect(series, settings)
    print(json.dumps(detection.alerts(), ensure_ascii=False, indent=2))
    crises = sum(i.severity == "crisis" for i in detection.incidents)
    print(
        f"{len(detection.incidents)} alert(s), {crises} crisis, over {len(series)} rows from "
        f"{series['timestamp'].iloc[0].isoformat()} to {series['timestamp'].iloc[-1].isoformat()} "
        f"(sensitivity {settings.sensitivity})",
        file=sys.stderr,
    )
    if args.plot:
        plot(detection, settings, Path(args.plot), title=Path(args.series).name)
        print(f"chart written to {args.plot}", file=sys.stderr)
    return 0


def _settings(path: str | None):
    from socialops.analytics.crisis import CrisisSettings

    if not path:
        return CrisisSettings()
    from socialops.config import load_config
    from socialops.config.loader import ConfigError

    try:
        config = load_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return CrisisSettings.from_thresholds(config.thresholds.crisis, timezone=config.brand.timezone)


def read_series(path: Path):
    """The series of ``path``, checked row by row; :class:`UsageError` names the line."""
    import pandas as pd

    from socialops.analytics.crisis import MAX_STEP, MIN_STEP

    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise UsageError(
            f"{path} is empty; write a header 'timestamp,mentions' and one row per interval"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not a readable CSV file ({exc})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise UsageError(
            f"{path}, line 1: missing column {' and '.join(repr(c) for c in missing)} (the "
            f"header has {', '.join(repr(c) for c in raw.columns)}); the file needs "
            "'timestamp' and 'mentions', and may have 'negative'"
        )
    if len(raw) < 2:
        raise UsageError(f"{path} has {len(raw)} row(s); a series needs at least 2 rows")
    line = pd.Series(range(2, len(raw) + 2), index=raw.index)  # the header is line 1
    # utc=True: naive values are taken as UTC, others converted to it
    stamps = pd.to_datetime(
        raw["timestamp"].str.strip(), format="ISO8601", utc=True, errors="coerce"
    )
    if stamps.isna().any():
        bad = stamps.isna().idxmax()
        raise UsageError(
            f"{path}, line {line[bad]}: timestamp {raw.at[bad, 'timestamp']!r} is not an ISO "
            "8601 date and time; write it like 2026-01-31T14:05:00Z (no zone means UTC)"
        )
    frame = pd.DataFrame({"timestamp": stamps})
    for column in ("mentions", "negative"):
        if column not in raw.columns:
            continue
        values = raw[column]
        wrong = ~values.str.match(_COUNT)
        if wrong.any():
            bad = wrong.idxmax()
            raise UsageError(
                f"{path}, line {line[bad]}: {column} {values[bad]!r} is not a count; write a "
                "whole number of 0 or more"
            )
        frame[column] = values.astype(float).astype("int64")
    if "negative" in frame:
        over = frame["negative"] > frame["mentions"]
        if over.any():
            bad = over.idxmax()
            raise UsageError(
                f"{path}, line {line[bad]}: negative {frame.at[bad, 'negative']} is more than "
                f"mentions {frame.at[bad, 'mentions']}; negative counts the negative mentions "
                "among them"
            )
    order = frame["timestamp"].sort_values(kind="stable").index
    frame, line = frame.loc[order], line[order]
    times = frame["timestamp"]
    repeated = times.duplicated()
    if repeated.any():
        bad = repeated.to_numpy().argmax()
        first = line.iloc[int((times == times.iloc[bad]).to_numpy().argmax())]
        raise UsageError(
            f"{path}, line {line.iloc[bad]}: timestamp {times.iloc[bad].isoformat()} repeats "
            f"line {first}; keep one row per interval (add their counts)"
        )
    gaps = times.diff().iloc[1:]
    step = gaps.min()
    if not MIN_STEP <= step <= MAX_STEP:
        raise UsageError(
            f"{path}: the step between rows is {_minutes(step)}; the detector takes a regular "
            "step from 1 min to 1 h (aggregate or resample the counts)"
        )
    irregular = gaps != step
    if irregular.any():
        bad = int(irregular.to_numpy().argmax()) + 1
        raise UsageError(
            f"{path}, line {line.iloc[bad]}: {times.iloc[bad].isoformat()} comes "
            f"{_minutes(gaps.iloc[bad - 1])} after the previous row (line {line.iloc[bad - 1]}) "
            f"while the step is {_minutes(step)}; add the missing intervals with their counts "
            "(0 when nothing was said)"
        )
    return frame.reset_index(drop=True)


def _minutes(delta: Any) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes / 60:g} h" if minutes >= 60 and minutes % 60 == 0 else f"{minutes:g} min"


def plot(detection, settings, path: Path, *, title: str) -> None:
    """The series (mentions per hour over the detection window), its usual and the warning
    threshold, incidents shaded by severity."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from socialops.analytics.crisis import warning_threshold

    frame = detection.frame
    per_hour = 60 / frame["window_minutes"]
    times = frame["timestamp"].dt.tz_convert(settings.timezone).dt.tz_localize(None)
    figure, axis = plt.subplots(figsize=(12, 4.5), dpi=110)
    axis.plot(
        times,
        frame["window_observed"] * per_hour,
        color="#1f4e79",
        lw=0.8,
        label="mentions per hour (last 30 min)",
    )
    axis.plot(
        times,
        frame["window_expected"] * per_hour,
        color="#2e8b57",
        lw=1.2,
        label="usual for this time (baseline)",
    )
    axis.plot(
        times,
        warning_threshold(frame, settings) * per_hour,
        color="#b8860b",
        lw=0.9,
        ls="--",
        label=f"warning threshold ({settings.sensitivity})",
    )
    colours = {"warning": "#f4a261", "crisis": "#d62828"}
    last = frame["timestamp"].iloc[-1]
    for incident in detection.incidents:
        start = _local(incident.start, settings.timezone)
        end = _local(incident.end or last, settings.timezone)
        axis.axvspan(start, end, color=colours[incident.severity], alpha=0.3, lw=0)
    handles, _ = axis.get_legend_handles_labels()
    handles += [
        Patch(color=c, alpha=0.3, label=f"{s} (alert to all-clear)") for s, c in colours.items()
    ]
    axis.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    locator = mdates.AutoDateLocator()
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axis.set_ylabel("mentions per hour")
    axis.set_xlabel(f"time ({settings.timezone})")
    axis.set_ylim(bottom=0)
    axis.grid(alpha=0.3)
    axis.set_title(
        f"{title}: {len(detection.incidents)} alert(s), sensitivity {settings.sensitivity}"
    )
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _local(value, zone: str):
    import pandas as pd

    return pd.Timestamp(value).tz_convert(zone).tz_localize(None)
