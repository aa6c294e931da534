"""Crisis detection over mention volumes: pure functions over DataFrames (no I/O, no Airflow).

Two steps, both documented with a worked example in ``docs/crisis.md``:

* :func:`mention_series` turns stored mentions (``created_at``, ``network``,
  ``sentiment_label``) into a regular series of ``mentions`` and ``negative`` counts per
  interval, zeros filled.
* :func:`detect` runs the detector over such a series (``timestamp``, ``mentions``, optional
  ``negative``) and returns its incidents, with start, end, severity, the escalation events
  and the figures behind each decision.

The baseline of an interval (its *expected* count) is computed from earlier rows only:

1. **the usual for this time of day**: the mean count per interval in the hour around the
   same time on each of the last (up to 7, within 14 days) days of the same kind (weekday or
   weekend day, in the brand's time zone), a winsorized mean: an analog above twice the
   median analog plus 3 mentions counts as that cap, so past spikes barely move it;
2. **times the current level**: the ratio of the last 24 hours' mentions (each interval
   capped at twice its usual plus 3) to their usual, so that a brand that grew or shrank is
   followed within a day.

The detection windows (the last 30 minutes, 2 hours and 6 hours, each at least 2 intervals)
are compared with their expected sums under a negative binomial whose over-dispersion is
estimated from the series itself (daily, over the previous 7 days). A window is elevated
when it is significant *and* its ratio is above the sensitivity's, both with and without
its largest interval (one noisy interval does not make a window); the longer windows count
only while the last 30 minutes are above the warning ratio too. The incident opens once an
elevation lasts the sensitivity's persistence, or at once on an extreme single interval; it
ends (all-clear) when nothing has been elevated for ``clear_after``; an elevation within
``cooldown`` of the end reopens the same incident instead of raising a new alert.

No look-ahead: every figure of row ``t`` is computed from rows up to ``t`` (the baseline
from rows before ``t``), and the state machine only moves forward. Running :func:`detect`
on the whole history, on each prefix of it, or interval by interval from a stored
:class:`DetectorState` gives the same incidents (``tests/analytics/test_crisis.py``).
Resuming needs the rows of the last :data:`HISTORY` before the first new row (or since the
series' start).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

WARNING = "warning"
CRISIS = "crisis"
#: Level numbers used in the per-row arrays: 0 is "as usual".
SEVERITIES = (None, WARNING, CRISIS)

NEGATIVE_LABEL = "negative"


@dataclass(frozen=True)
class Sensitivity:
    """How much excess, for how long, makes an alert. Chosen by name in the configuration."""

    name: str
    persistence: timedelta  # how long the window must stay elevated before the alert
    p_value: float  # the window's negative-binomial tail probability must be at most this
    warning_ratio: float  # observed / expected of the window for a warning
    crisis_ratio: float  # ... for a crisis
    extreme_ratio: float  # a single interval this far above its usual alerts at once
    extreme_p_value: float  # ... if its tail probability is at most this


SENSITIVITIES: dict[str, Sensitivity] = {
    "low": Sensitivity("low", timedelta(minutes=30), 1e-7, 3.0, 6.0, 12.0, 1e-10),
    "medium": Sensitivity("medium", timedelta(minutes=15), 1e-5, 2.2, 4.0, 8.0, 1e-8),
    "high": Sensitivity("high", timedelta(minutes=0), 1e-4, 1.7, 3.0, 5.0, 1e-6),
}


@dataclass(frozen=True)
class CrisisSettings:
    """The detector's settings: ``thresholds.crisis`` of the brand configuration (without
    ``pause_publication``) and the brand's time zone (for weekdays and weekends)."""

    sensitivity: str = "medium"
    min_mentions: int = 10  # fewer mentions than this in the last hour never alert
    cooldown: timedelta = timedelta(hours=2)
    clear_after: timedelta = timedelta(hours=1)
    negative_share_rise: float = 0.15  # share rise over the usual for a negative warning
    negative_share: float = 0.4  # a negative rise reaching this share ...
    negative_mentions_per_hour: int = 20  # ... with this many negatives in the last hour: crisis
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.sensitivity not in SENSITIVITIES:
            raise ValueError(
                f"unknown sensitivity {self.sensitivity!r}; use one of {', '.join(SENSITIVITIES)}"
            )

    @property
    def profile(self) -> Sensitivity:
        return SENSITIVITIES[self.sensitivity]

    @classmethod
    def from_thresholds(cls, thresholds: Any, *, timezone: str = "UTC") -> CrisisSettings:
        """From a ``CrisisThresholds`` of the configuration (any object with its fields)."""
        names = [f for f in cls.__dataclass_fields__ if f != "timezone"]
        return cls(**{name: getattr(thresholds, name) for name in names}, timezone=timezone)


# -- the baseline's constants (not settings: the detector is tuned with them) -------------

ANALOG_HALF_WIDTH = timedelta(minutes=30)  # an analog is the hour around the same time
ANALOG_DAYS = 14  # analogs are looked for in the last 14 days ...
ANALOGS = 7  # ... the most recent 7 of the same kind of day
MIN_ANALOGS = 3  # fewer analogs (the first 3 days of a series): no baseline, no alert
LEVEL_WINDOW = timedelta(hours=24)  # the current level is read over the last 24 hours
LEVEL_PSEUDO_COUNT = 10.0  # shrinks the level towards 1 when few mentions were seen
LEVEL_RANGE = (1 / 3, 3.0)
DISPERSION_WINDOW = timedelta(days=7)
DISPERSION_SAMPLES = 300  # windows a week the dispersion is estimated on, at most
DEFAULT_DISPERSION = 0.1  # before 30 windows with an expected count of 1 or more were seen
DISPERSION_RANGE = (0.01, 2.0)
SHARE_DAYS = 7  # the usual negative share: median of the last 7 daily shares
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
#: Rows a resumed run needs before its first new row: analogs (14 days) of the rows of the
#: level window (1 day) of the rows the dispersion is estimated on (7 days before the day).
HISTORY = ANALOG_DAYS * DAY + LEVEL_WINDOW + DISPERSION_WINDOW + 2 * DAY
#: The detection windows: each is compared with its usual; the shortest elevated one reports.
WINDOWS = (timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
MIN_STEP, MAX_STEP = timedelta(minutes=1), timedelta(hours=1)


# -- figures, events, incidents, state ----------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The numbers behind a decision, for the reason and the Slack alert."""

    time: datetime
    window_minutes: float
    observed: int  # mentions in the detection window
    expected: float  # their usual
    ratio: float  # observed / expected
    mentions_last_hour: int
    negative: int | None = None  # negative mentions in the window
    negative_share: float | None = None  # 0..1, in the window
    usual_negative_share: float | None = None  # 0..1


@dataclass(frozen=True)
class IncidentEvent:
    time: datetime
    kind: str  # opened, escalated, de-escalated, cleared, reopened
    severity: str | None  # the severity from then on (None once cleared)
    reason: str
    figures: Figures


@dataclass
class Incident:
    """An alert: ``end`` is None while open; ``severity`` is the highest reached, ``reason``
    and ``figures`` those of the moment it was first reached."""

    start: datetime
    severity: str
    reason: str
    figures: Figures
    end: datetime | None = None
    current: str | None = None  # the severity now (None once cleared)
    events: list[IncidentEvent] = field(default_factory=list)

    def as_alert(self) -> dict[str, Any]:
        """The CLI's JSON form."""
        return {
            "start": _iso(self.start),
            "end": _iso(self.end) if self.end else None,
            "severity": self.severity,
            "reason": self.reason,
        }


@dataclass
class DetectorState:
    """Everything the detector remembers between runs; JSON-able with :meth:`as_dict`.

    The baseline is not in it: it is recomputed from the rows of the last :data:`HISTORY`,
    which the caller reads again from the warehouse.
    """

    series_start: datetime
    step: timedelta
    last_timestamp: datetime
    incident: Incident | None = None  # open, or closed and still within its cooldown
    cooldown_until: datetime | None = None
    streak_since: datetime | None = None  # an elevation not yet persistent enough
    calm_since: datetime | None = None  # the open incident's calm began
    below_since: datetime | None = None  # the open incident is below its current severity

    def as_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectorState:
        incident = data.get("incident")
        return cls(
            series_start=_instant(data["series_start"]),
            step=timedelta(seconds=data["step"]),
            last_timestamp=_instant(data["last_timestamp"]),
            incident=_incident_from_dict(incident) if incident else None,
            cooldown_until=_instant(data.get("cooldown_until")),
            streak_since=_instant(data.get("streak_since")),
            calm_since=_instant(data.get("calm_since")),
            below_since=_instant(data.get("below_since")),
        )


@dataclass
class Detection:
    """What :func:`detect` found: the incidents touched by the rows it processed (all of
    them for a whole history), the events it raised, its state, and per-row figures."""

    incidents: list[Incident]
    events: list[IncidentEvent]
    state: DetectorState | None
    frame: pd.DataFrame  # timestamp, mentions, expected, observed/expected of the window, ...

    def alerts(self) -> list[dict[str, Any]]:
        return [incident.as_alert() for incident in self.incidents]


def incidents_frame(incidents: Iterable[Incident]) -> pd.DataFrame:
    """One row per incident with its figures as numbers (for Slack, reports, tests)."""
    rows = [
        {
            "start": i.start,
            "end": i.end,
            "severity": i.severity,
            "reason": i.reason,
            **{k: v for k, v in asdict(i.figures).items() if k != "time"},
        }
        for i in incidents
    ]
    columns = ["start", "end", "severity", "reason", *[f for f in Figures.__dataclass_fields__]]
    return pd.DataFrame(rows, columns=[c for c in columns if c != "time"])


def warning_threshold(frame: pd.DataFrame, settings: CrisisSettings) -> pd.Series:
    """Per row of :attr:`Detection.frame`, the smallest count of the shortest window that is
    a warning (ratio and tail probability; the window without its largest interval, the
    longer windows and ``min_mentions`` also count): for charts."""
    from scipy import stats

    profile = settings.profile
    expected = frame["window_expected"].to_numpy()
    size = 1 / frame["dispersion"].to_numpy()
    known = np.isfinite(expected)
    quantile = np.full(len(frame), np.nan)
    quantile[known] = stats.nbinom.isf(
        profile.p_value, size[known], size[known] / (size[known] + expected[known])
    )
    return pd.Series(
        np.maximum(np.ceil(profile.warning_ratio * expected), quantile + 1), index=frame.index
    )


# -- mentions → series ----------------------------------------------------------------------


def mention_series(
    mentions: pd.DataFrame,
    *,
    step: timedelta | str,
    by: str | None = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
) -> pd.DataFrame:
    """A regular series of ``mentions`` and ``negative`` counts per interval of ``step``.

    ``mentions`` has ``created_at`` (UTC), ``network`` and ``sentiment_label`` (a mention is
    negative when its label is ``"negative"``). Intervals are aligned on multiples of
    ``step`` since 1970-01-01 UTC; ``timestamp`` is an interval's start. The series covers
    ``[start, end)`` (default: from the first to the last mention), zeros filled. With
    ``by="network"`` there is one series per network (a ``network`` column), each over the
    same intervals, for the networks present in ``mentions``.
    """
    if by not in (None, "network"):
        raise ValueError(f"by must be None or 'network', got {by!r}")
    step = _step(step)
    step_ns = _ns(step)
    created = pd.to_datetime(mentions["created_at"], utc=True)
    if start is None and created.empty:
        columns = ["timestamp", *(["network"] if by else []), "mentions", "negative"]
        return pd.DataFrame({c: [] for c in columns})
    first = _floor_ns(_instant_ns(start) if start is not None else created.min().value, step_ns)
    last = (
        _floor_ns(_instant_ns(end) - 1, step_ns)
        if end is not None
        else _floor_ns(created.max().value, step_ns)
    )
    slots = (_ns_array(created) // step_ns) * step_ns
    inside = (slots >= first) & (slots <= last)
    negative = (mentions["sentiment_label"] == NEGATIVE_LABEL).to_numpy()
    counts = pd.DataFrame(
        {"slot": slots[inside], "mentions": 1, "negative": negative[inside].astype(int)}
    )
    keys = ["slot"]
    if by:
        counts["network"] = mentions[by].to_numpy()[inside]
        keys = ["network", "slot"]
    summed = counts.groupby(keys)[["mentions", "negative"]].sum()
    grid = np.arange(first, last + 1, step_ns, dtype="int64")
    if by:
        networks = sorted(mentions[by].dropna().unique())
        index = pd.MultiIndex.from_product([networks, grid], names=keys)
    else:
        index = pd.Index(grid, name="slot")
    out = summed.reindex(index, fill_value=0).reset_index()
    out.insert(0, "timestamp", pd.to_datetime(out.pop("slot"), utc=True))
    return out.astype({"mentions": "int64", "negative": "int64"})


# -- the detector ---------------------------------------------------------------------------


def detect(
    series: pd.DataFrame,
    settings: CrisisSettings | None = None,
    *,
    state: DetectorState | None = None,
) -> Detection:
    """Run the detector over a regular series (``timestamp``, ``mentions``, optional
    ``negative``), from its start, or after ``state.last_timestamp`` when resuming.

    :raises ValueError: the series is not regular, has a step outside 1 minute – 1 hour,
        negative counts, or (when resuming) lacks the history the baseline needs.
    """
    settings = settings or CrisisSettings()
    times, mentions, negative = _columns(series)
    step = state.step if state else infer_step(times)
    step_ns = _ns(step)
    if len(times) > 1 and not np.all(np.diff(times) == step_ns):
        raise ValueError(f"the series is not regular at a step of {_duration(step)}")
    if state is None:
        series_start = times[0] if len(times) else 0
        first = 0
    else:
        series_start = _instant_ns(state.series_start)
        first = int(np.searchsorted(times, _instant_ns(state.last_timestamp), "right"))
        if first < len(times):
            needed = max(series_start, times[first] - _ns(HISTORY))
            if times[0] > needed:
                raise ValueError(
                    f"resuming at {_iso_ns(times[first])} needs the rows since "
                    f"{_iso_ns(needed)}; the series starts at {_iso_ns(times[0])}"
                )
    rows = _RowFigures(times, mentions, negative, step, series_start, settings)
    machine = _Machine(settings, rows, state, step)
    machine.run(first)
    frame = rows.frame(first)
    return Detection(
        incidents=machine.touched(),
        events=machine.events,
        state=machine.state(),
        frame=frame,
    )


def infer_step(times: np.ndarray) -> timedelta:
    """The series' step: the smallest gap between timestamps (nanoseconds since epoch)."""
    if len(times) < 2:
        raise ValueError("a series needs at least 2 rows to tell its step")
    gaps = np.diff(times)
    step = timedelta(microseconds=int(gaps.min()) // 1000)
    if not MIN_STEP <= step <= MAX_STEP:
        raise ValueError(f"the step {_duration(step)} is outside the supported 1 minute to 1 hour")
    return step


class _Window:
    """The figures of one detection window length at every row."""

    def __init__(self, rows: _RowFigures, length: timedelta, step: timedelta, stats: Any) -> None:
        profile = rows.settings.profile
        self.n = n = max(2, round(length / step))
        self.minutes = n * step / timedelta(minutes=1)
        y = rows.y
        self.observed = _rolling_sum(y, n)
        self.expected = _rolling_sum(rows.expected, n)
        # about 300 windows a week: overlapping for long windows, sparser at fine steps
        spacing = max(1, n // 4, round(DISPERSION_WINDOW / step / DISPERSION_SAMPLES))
        self.dispersion = _dispersion(rows.times, self.observed, self.expected, spacing)
        rest_observed = self.observed - _rolling_max(y, n)
        rest_expected = self.expected * (n - 1) / n
        with np.errstate(invalid="ignore", divide="ignore"):
            self.ratio = self.observed / self.expected
            rest_ratio = rest_observed / rest_expected
        ok = np.isfinite(self.ratio) & rows.floor
        low = min(profile.warning_ratio, profile.crisis_ratio)
        p = _nb_tail(stats, self.observed, self.expected, self.dispersion, ok & (self.ratio >= low))
        p_rest = _nb_tail(
            stats, rest_observed, rest_expected, self.dispersion, ok & (rest_ratio >= low)
        )

        def sustained(ratio: float) -> np.ndarray:
            # the excess holds without the window's largest interval too
            return (
                ok
                & (self.ratio >= ratio)
                & (rest_ratio >= ratio)
                & (p <= profile.p_value)
                & (p_rest <= profile.p_value)
            )

        warning = sustained(profile.warning_ratio)
        self.volume_level = np.where(sustained(profile.crisis_ratio), 2, warning.astype(int))
        self.negative = self.share = None
        self.negative_level = np.zeros(len(y), dtype=int)
        if rows.neg is not None:
            self._negative(rows, stats, ok)

    def level(self, volume_now: np.ndarray, negative_now: np.ndarray) -> np.ndarray:
        """0, 1 (warning) or 2 (crisis) per row, counting only the signals still seen in the
        shortest window (``*_now``): a long window's sum outlives the excess it holds."""
        volume = np.where(volume_now, self.volume_level, 0)
        negative = np.where(negative_now, self.negative_level, 0)
        # a negative rise with a volume warning is a crisis
        return np.where((volume >= 1) & (negative >= 1), 2, np.maximum(volume, negative))

    def _negative(self, rows: _RowFigures, stats: Any, ok: np.ndarray) -> None:
        settings = rows.settings
        self.negative = _rolling_sum(rows.neg, self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.share = share = self.negative / self.observed
        usual = rows.usual_share
        rising = ok & np.isfinite(usual) & (share >= usual + settings.negative_share_rise)
        p = np.ones(len(share))
        if rising.any():
            p[rising] = stats.binom.sf(
                self.negative[rising] - 1, self.observed[rising], np.clip(usual[rising], 1e-3, 1)
            )
        negative_warning = rising & (p <= settings.profile.p_value)
        negative_crisis = (
            negative_warning
            & (share >= settings.negative_share)
            & (rows.hour_negative >= settings.negative_mentions_per_hour)
        )
        self.negative_level = np.where(negative_crisis, 2, negative_warning.astype(int))


class _RowFigures:
    """The per-row arrays: baseline, windows, levels."""

    def __init__(
        self,
        times: np.ndarray,
        mentions: np.ndarray,
        negative: np.ndarray | None,
        step: timedelta,
        series_start: int,
        settings: CrisisSettings,
    ) -> None:
        from scipy import stats

        self.times, self.y = times, mentions.astype(float)
        self.neg = None if negative is None else negative.astype(float)
        self.settings, self.series_start = settings, series_start
        profile = settings.profile
        per_hour = max(1, round(HOUR / step))
        self.expected = self._expected(step)
        self.hour_count = _rolling_sum(self.y, per_hour)
        self.floor = self.hour_count >= settings.min_mentions
        self.usual_share = np.full(len(times), np.nan)
        if self.neg is not None:
            self.usual_share = self._usual_share()
            self.hour_negative = _rolling_sum(self.neg, per_hour)
        self.windows = [_Window(self, length, step, stats) for length in WINDOWS]
        shortest = self.windows[0]
        volume_now = shortest.ratio >= profile.warning_ratio
        negative_now = np.zeros(len(times), dtype=bool)
        if self.neg is not None:
            negative_now = shortest.share >= self.usual_share + settings.negative_share_rise
        everything = np.ones(len(times), dtype=bool)
        levels = np.stack(
            [shortest.level(everything, everything)]
            + [w.level(volume_now, negative_now) for w in self.windows[1:]]
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            single_ratio = self.y / self.expected
        ok = np.isfinite(single_ratio) & self.floor
        p_single = _nb_tail(
            stats, self.y, self.expected, shortest.dispersion, ok & (single_ratio >= 2)
        )
        self.extreme = (
            ok & (single_ratio >= profile.extreme_ratio) & (p_single <= profile.extreme_p_value)
        )
        level = np.maximum(levels.max(axis=0), self.extreme.astype(int))
        self.level = level.astype(np.int8)
        # the window the figures come from: the shortest at the row's level
        self.chosen = np.argmax(levels == level[None, :], axis=0)

    # -- baseline

    def _expected(self, step: timedelta) -> np.ndarray:
        """The usual of each row (analogs) times the current level (last 24 complete hours)."""
        times, y = self.times, self.y
        n = len(times)
        cumulative = np.concatenate([[0.0], np.cumsum(y)])
        half, day = _ns(ANALOG_HALF_WIDTH), _ns(DAY)
        zone = self.settings.timezone
        weekend = _weekend(times, zone)
        analogs = np.full((n, ANALOG_DAYS), np.nan)
        same_kind = np.zeros((n, ANALOG_DAYS), dtype=bool)
        for k in range(1, ANALOG_DAYS + 1):
            centre = times - k * day
            lo = np.searchsorted(times, centre - half, "left")
            hi = np.searchsorted(times, centre + half, "left")
            count = hi - lo
            valid = (centre - half >= self.series_start) & (count > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                analogs[:, k - 1] = np.where(
                    valid, (cumulative[hi] - cumulative[lo]) / count, np.nan
                )
            same_kind[:, k - 1] = valid & (_weekend(centre, zone) == weekend)
        valid = np.isfinite(analogs)
        chosen = same_kind & (np.cumsum(same_kind, axis=1) <= ANALOGS)
        few_of_kind = same_kind.sum(axis=1) < 2
        chosen[few_of_kind] = (valid & (np.cumsum(valid, axis=1) <= ANALOGS))[few_of_kind]
        chosen[valid.sum(axis=1) < MIN_ANALOGS] = False
        picked = np.where(chosen, analogs, np.nan)
        rows_per_analog = max(1.0, 2 * ANALOG_HALF_WIDTH / step)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # rows without analogs: NaN
            median = _row_median(picked)
            cap = 2 * median + 3 / rows_per_analog
            usual = np.nanmean(np.minimum(picked, cap[:, None]), axis=1)
        return np.maximum(usual * self._level(usual), 1e-4)

    def _level(self, usual: np.ndarray) -> np.ndarray:
        """Observed / usual over the 24 clock hours before the row's hour, each hour's count
        capped at twice its usual plus 3, shrunk towards 1 by a pseudo-count."""
        hour = self.times // _ns(HOUR)
        blocks, row_block = np.unique(hour, return_inverse=True)
        known = np.isfinite(usual)
        observed = np.bincount(row_block, weights=np.where(known, self.y, 0.0))
        expected = np.bincount(row_block, weights=np.where(known, usual, 0.0))
        capped = np.minimum(observed, 2 * expected + 3)
        hours = round(LEVEL_WINDOW / HOUR)
        # sums over the 24 blocks before each block (a window sum, not a difference of
        # cumulative sums: the same rows give the same figure whatever the series' start)
        level = (_trailing_sum(capped, hours) + LEVEL_PSEUDO_COUNT) / (
            _trailing_sum(expected, hours) + LEVEL_PSEUDO_COUNT
        )
        return np.clip(level, *LEVEL_RANGE)[row_block]

    def _usual_share(self) -> np.ndarray:
        """The median of the negative shares of the 7 days (24-hour spans) before the row."""
        times = self.times
        n = len(times)
        cum_y = np.concatenate([[0.0], np.cumsum(self.y)])
        cum_n = np.concatenate([[0.0], np.cumsum(self.neg)])
        shares = np.full((n, SHARE_DAYS), np.nan)
        day = _ns(DAY)
        for k in range(SHARE_DAYS):
            hi = np.searchsorted(times, times - k * day, "left")
            lo = np.searchsorted(times, times - (k + 1) * day, "left")
            full = times - (k + 1) * day >= self.series_start
            total = cum_y[hi] - cum_y[lo]
            with np.errstate(invalid="ignore", divide="ignore"):
                shares[:, k] = np.where(
                    full & (total >= 5), (cum_n[hi] - cum_n[lo]) / total, np.nan
                )
        return _row_median(shares)

    # -- output

    def figures(self, i: int) -> Figures:
        window = self.windows[self.chosen[i]]
        observed = int(window.observed[i])
        negative = window.negative
        return Figures(
            time=_datetime(self.times[i]),
            window_minutes=window.minutes,
            observed=observed,
            expected=float(window.expected[i]),
            ratio=float(window.ratio[i]),
            mentions_last_hour=int(self.hour_count[i]),
            negative=None if negative is None else int(negative[i]),
            negative_share=(
                float(negative[i] / observed) if negative is not None and observed else None
            ),
            usual_negative_share=(
                float(self.usual_share[i]) if np.isfinite(self.usual_share[i]) else None
            ),
        )

    def frame(self, first: int) -> pd.DataFrame:
        part = slice(first, None)
        shortest = self.windows[0]
        return pd.DataFrame(
            {
                "timestamp": pd.to_datetime(self.times[part], utc=True),
                "mentions": self.y[part],
                "expected": self.expected[part],
                "window_minutes": shortest.minutes,
                "window_observed": shortest.observed[part],
                "window_expected": shortest.expected[part],
                "dispersion": shortest.dispersion[part],
                "level": self.level[part],
            }
        )


def _dispersion(
    times: np.ndarray, observed: np.ndarray, expected: np.ndarray, spacing: int
) -> np.ndarray:
    """Per row, the negative binomial's φ (variance = μ + φμ²) of a window's sums, estimated
    on the windows ending in the 7 days before the row's UTC day (one every ``spacing``
    intervals, fixed in time): the φ for which the median of (observed − expected)² /
    (expected + φ·expected²) is that of a χ²₁."""
    step_ns = int(times[1] - times[0]) if len(times) > 1 else 1
    aligned = (times // step_ns) % spacing == 0
    usable = aligned & np.isfinite(expected) & (expected >= 1)
    pair_times = times[usable]
    observed, expected = observed[usable], expected[usable]
    day_ns = _ns(DAY)
    days = np.unique(times // day_ns)
    lo = np.searchsorted(pair_times, days * day_ns - _ns(DISPERSION_WINDOW), "left")
    hi = np.searchsorted(pair_times, days * day_ns, "left")
    per_day = np.full(len(days), DEFAULT_DISPERSION)
    enough = (hi - lo) >= 30
    if enough.any():
        width = int((hi - lo)[enough].max())
        index = lo[enough, None] + np.arange(width)[None, :]
        inside = index < hi[enough, None]
        index = np.minimum(index, len(pair_times) - 1)
        o = np.where(inside, observed[index], np.nan)
        e = np.where(inside, expected[index], np.nan)
        per_day[enough] = _median_chi2_dispersion(o, e)
    return per_day[np.searchsorted(days, times // day_ns)]


def _median_chi2_dispersion(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Row-wise φ ≥ 0 with median((o − e)² / (e + φe²)) = 0.455 (χ²₁'s median), by
    bisection on log φ; rows are days, NaN pads them."""
    target = 0.4549
    squared = (observed - expected) ** 2
    lo = np.full(len(observed), math.log(DISPERSION_RANGE[0]))
    hi = np.full(len(observed), math.log(DISPERSION_RANGE[1]))
    for _ in range(20):
        mid = (lo + hi) / 2
        phi = np.exp(mid)[:, None]
        median = _row_median(squared / (expected + phi * expected**2))
        too_small = median > target  # φ too small: residuals look too large
        lo = np.where(too_small, mid, lo)
        hi = np.where(too_small, hi, mid)
    return np.exp((lo + hi) / 2)


def _nb_tail(stats: Any, observed, expected, dispersion, where: np.ndarray) -> np.ndarray:
    """P(X ≥ observed) for X negative binomial of mean ``expected`` and φ ``dispersion``,
    computed where ``where`` holds (1 elsewhere)."""
    p = np.ones(len(observed))
    if where.any():
        size = 1 / dispersion[where]
        p[where] = stats.nbinom.sf(observed[where] - 1, size, size / (size + expected[where]))
    return p


class _Machine:
    """The incident state machine, moved forward row by row (quiet stretches skipped)."""

    def __init__(
        self,
        settings: CrisisSettings,
        rows: _RowFigures,
        state: DetectorState | None,
        step: timedelta,
    ) -> None:
        self.settings, self.rows, self.step = settings, rows, step
        self.events: list[IncidentEvent] = []
        self._touched: list[Incident] = []
        self.incident: Incident | None = None
        self.series_start = state.series_start if state else _datetime(rows.times[0])
        self.last: datetime | None = state.last_timestamp if state else None
        ns = lambda value: None if value is None else _instant_ns(value)  # noqa: E731
        self.cooldown_until = ns(state.cooldown_until) if state else None
        self.streak_since = ns(state.streak_since) if state else None
        self.calm_since = ns(state.calm_since) if state else None
        self.below_since = ns(state.below_since) if state else None
        if state and state.incident:
            self.incident = _copy_incident(state.incident)
            if self.incident.end is None:
                self._touched.append(self.incident)

    def run(self, first: int) -> None:
        rows = self.rows
        times, level = rows.times, rows.level
        n = len(times)
        if first >= n:
            return
        elevated = np.flatnonzero(level[first:] > 0) + first
        clear_after = _ns(self.settings.clear_after)
        i = first
        for j in [*elevated.tolist(), n]:
            if j > i:  # quiet rows i .. j-1
                self.streak_since = None
                if self._open:
                    if self.calm_since is None:
                        self.calm_since = int(times[i])
                    if self.below_since is None:
                        self.below_since = int(times[i])
                    close = max(i, int(np.searchsorted(times, self.calm_since + clear_after)))
                    if close < j:
                        self._close(close)
            if j < n:
                self._elevated(j, int(level[j]))
            i = j + 1
        self.last = _datetime(times[-1])

    @property
    def _open(self) -> bool:
        return self.incident is not None and self.incident.end is None

    def _elevated(self, i: int, level: int) -> None:
        t = int(self.rows.times[i])
        if self._open:
            self.calm_since = None
            current = SEVERITIES.index(self.incident.current)
            if level > current:
                self._event(i, "escalated", level)
                self.below_since = None
            elif level < current:
                if self.below_since is None:
                    self.below_since = t
                if t - self.below_since >= _ns(self.settings.clear_after):
                    self._event(i, "de-escalated", level)
                    self.below_since = None
            else:
                self.below_since = None
            return
        if self.streak_since is None:
            self.streak_since = t
        # the elevated intervals since the streak began cover the persistence
        lasted = t - self.streak_since + _ns(self.step)
        persistent = lasted >= _ns(self.settings.profile.persistence)
        if not (persistent or self.rows.extreme[i]):
            return
        self.streak_since = None
        if self.incident is not None and t <= self.cooldown_until:
            self.incident.end = None
            self._event(i, "reopened", level)
            if self.incident not in self._touched:
                self._touched.append(self.incident)
        else:
            figures = self.rows.figures(i)
            severity = SEVERITIES[level]
            self.incident = Incident(
                start=figures.time,
                severity=severity,
                reason=_reason(figures, self.settings),
                figures=figures,
                current=severity,
            )
            self._touched.append(self.incident)
            self._record(i, "opened", severity, figures)
        self.calm_since = self.below_since = None

    def _close(self, i: int) -> None:
        self.incident.end = _datetime(self.rows.times[i])
        self._event(i, "cleared", 0)
        self.cooldown_until = int(self.rows.times[i]) + _ns(self.settings.cooldown)
        self.calm_since = self.below_since = None

    def _event(self, i: int, kind: str, level: int) -> None:
        figures = self.rows.figures(i)
        severity = SEVERITIES[level]
        incident = self.incident
        incident.current = severity
        if severity and SEVERITIES.index(severity) > SEVERITIES.index(incident.severity):
            incident.severity = severity
            incident.reason = _reason(figures, self.settings)
            incident.figures = figures
        self._record(i, kind, severity, figures)

    def _record(self, i: int, kind: str, severity: str | None, figures: Figures) -> None:
        event = IncidentEvent(
            time=figures.time,
            kind=kind,
            severity=severity,
            reason=_reason(figures, self.settings),
            figures=figures,
        )
        self.incident.events.append(event)
        self.events.append(event)

    def touched(self) -> list[Incident]:
        return [_copy_incident(i) for i in self._touched]

    def state(self) -> DetectorState | None:
        if self.last is None:
            return None
        keep = self.incident
        if keep is not None and keep.end is not None:
            if self.cooldown_until is None or _instant_ns(self.last) > self.cooldown_until:
                keep = None
        dt = lambda value: None if value is None else _datetime(value)  # noqa: E731
        return DetectorState(
            series_start=self.series_start,
            step=self.step,
            last_timestamp=self.last,
            incident=_copy_incident(keep) if keep else None,
            cooldown_until=dt(self.cooldown_until) if keep else None,
            streak_since=dt(self.streak_since),
            calm_since=dt(self.calm_since),
            below_since=dt(self.below_since),
        )


# -- reasons --------------------------------------------------------------------------------


def _reason(figures: Figures, settings: CrisisSettings) -> str:
    """The figures in plain words, e.g. "mentions ×4.2 over the usual for this time of day
    (310 in the last 30 min vs 74 expected); negative share 61 % vs 18 % usually"."""
    window = _duration(timedelta(minutes=figures.window_minutes))
    volume = (
        f"mentions ×{figures.ratio:.1f} over the usual for this time of day "
        f"({figures.observed} in the last {window} vs {figures.expected:.0f} expected)"
    )
    if figures.negative_share is None:
        return volume
    usual = figures.usual_negative_share
    usual_text = f"{usual * 100:.0f} % usually" if usual is not None else "no usual share yet"
    negative = (
        f"negative share {figures.negative_share * 100:.0f} % vs {usual_text} "
        f"({figures.negative} of {figures.observed} mentions in the last {window})"
    )
    if figures.ratio < settings.profile.warning_ratio:  # the negative share raised it
        return (
            f"{negative}; mentions ×{figures.ratio:.1f} the usual for this time of day "
            f"({figures.observed} vs {figures.expected:.0f} expected)"
        )
    return f"{volume}; {negative}"


# -- helpers --------------------------------------------------------------------------------


def _columns(series: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    missing = [c for c in ("timestamp", "mentions") if c not in series.columns]
    if missing:
        raise ValueError(f"the series lacks the column(s) {', '.join(missing)}")
    times = _ns_array(series["timestamp"])
    mentions = pd.to_numeric(series["mentions"]).to_numpy(dtype=float)
    negative = (
        pd.to_numeric(series["negative"]).to_numpy(dtype=float)
        if "negative" in series.columns
        else None
    )
    if (mentions < 0).any() or (negative is not None and (negative < 0).any()):
        raise ValueError("counts cannot be negative")
    if negative is not None and (negative > mentions).any():
        raise ValueError("negative cannot exceed mentions")
    if len(times) > 1 and (np.diff(times) <= 0).any():
        raise ValueError("timestamps must be strictly increasing")
    return times, mentions, negative


def _ns_array(values: pd.Series) -> np.ndarray:
    """Instants as int64 nanoseconds since epoch (naive values are UTC)."""
    return pd.to_datetime(values, utc=True).dt.as_unit("ns").astype("int64").to_numpy()


def _rolling_sum(values: np.ndarray, width: int) -> np.ndarray:
    out = np.full(len(values), np.nan)
    if len(values) >= width:
        out[width - 1 :] = np.lib.stride_tricks.sliding_window_view(values, width).sum(axis=1)
    return out


def _trailing_sum(values: np.ndarray, width: int) -> np.ndarray:
    """Per position, the sum of the ``width`` values before it (fewer at the start)."""
    padded = np.concatenate([np.zeros(width), values])
    return np.lib.stride_tricks.sliding_window_view(padded[:-1], width).sum(axis=1)


def _rolling_max(values: np.ndarray, width: int) -> np.ndarray:
    out = np.full(len(values), np.nan)
    if len(values) >= width:
        out[width - 1 :] = np.lib.stride_tricks.sliding_window_view(values, width).max(axis=1)
    return out


def _weekend(times_ns: np.ndarray, zone: str) -> np.ndarray:
    """Saturday or Sunday in ``zone``."""
    utc = pd.DatetimeIndex(np.asarray(times_ns, dtype="int64").view("datetime64[ns]"), tz=UTC)
    return np.asarray(utc.tz_convert(zone).day_of_week >= 5)


def _row_median(values: np.ndarray) -> np.ndarray:
    """The median of each row, ignoring NaN (NaN for a row of NaN); np.nanmedian is slow
    on many short rows."""
    ordered = np.sort(values, axis=1)  # NaN last
    count = np.isfinite(values).sum(axis=1)
    lo = np.clip((count - 1) // 2, 0, None)[:, None]
    hi = np.clip(count // 2, 0, values.shape[1] - 1)[:, None]
    median = (np.take_along_axis(ordered, lo, 1) + np.take_along_axis(ordered, hi, 1)) / 2
    return np.where(count > 0, median[:, 0], np.nan)


def _step(step: timedelta | str) -> timedelta:
    return pd.Timedelta(step).to_pytimedelta()


def _ns(value: timedelta) -> int:
    return int(pd.Timedelta(value).value)


def _floor_ns(value: int, step_ns: int) -> int:
    return (value // step_ns) * step_ns


def _instant_ns(value: Any) -> int:
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)
    return int(stamp.value)


def _instant(value: Any) -> datetime | None:
    return None if value is None else _datetime(_instant_ns(value))


def _datetime(ns: int) -> datetime:
    return pd.Timestamp(int(ns), tz=UTC).to_pydatetime()


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _iso_ns(ns: int) -> str:
    return _iso(_datetime(ns))


def _duration(value: timedelta) -> str:
    minutes = value / timedelta(minutes=1)
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes / 60:g} h"
    return f"{minutes:g} min"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _figures_from_dict(data: dict[str, Any]) -> Figures:
    return Figures(**{**data, "time": _instant(data["time"])})


def _incident_from_dict(data: dict[str, Any]) -> Incident:
    return Incident(
        start=_instant(data["start"]),
        severity=data["severity"],
        reason=data["reason"],
        figures=_figures_from_dict(data["figures"]),
        end=_instant(data.get("end")),
        current=data.get("current"),
        events=[
            IncidentEvent(
                time=_instant(e["time"]),
                kind=e["kind"],
                severity=e["severity"],
                reason=e["reason"],
                figures=_figures_from_dict(e["figures"]),
            )
            for e in data.get("events", [])
        ],
    )


def _copy_incident(incident: Incident) -> Incident:
    return replace(incident, events=list(incident.events))


__all__ = [
    "CRISIS",
    "HISTORY",
    "SENSITIVITIES",
    "WARNING",
    "CrisisSettings",
    "Detection",
    "DetectorState",
    "Figures",
    "Incident",
    "IncidentEvent",
    "Sensitivity",
    "detect",
    "incidents_frame",
    "infer_step",
    "mention_series",
    "warning_threshold",
]
