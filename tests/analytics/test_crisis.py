"""The crisis detector: mention counting, baseline, alerts, no look-ahead, live == backtest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from socialops.analytics.crisis import (
    HISTORY,
    CrisisSettings,
    DetectorState,
    detect,
    incidents_frame,
    mention_series,
)
from socialops.config.schema import CrisisThresholds

START = pd.Timestamp("2026-03-02", tz="UTC")  # a Monday


def make_series(
    *,
    days: float = 10,
    step: str = "15min",
    daily: float = 2000,
    bursts: tuple[tuple[float, float, float], ...] = (),
    negative_share: float | None = None,
    negative_bursts: tuple[tuple[float, float, float], ...] = (),
    seed: int = 1,
) -> pd.DataFrame:
    """Poisson counts with a daily rhythm (peak 15:00 UTC, nights at a fifth of it).

    ``bursts``: (start hour since START, duration in hours, multiplier of the rate);
    ``negative_bursts``: (start hour, duration, negative share during it)."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(START, START + pd.Timedelta(days=days), freq=step, inclusive="left")
    hours = ((times - START) / pd.Timedelta(hours=1)).to_numpy()
    rhythm = 0.2 + 0.8 * (0.5 + 0.5 * np.cos(2 * np.pi * (hours % 24 - 15) / 24))
    rate = daily / 24 * pd.Timedelta(step) / pd.Timedelta(hours=1) * rhythm / rhythm.mean()
    for at, duration, multiplier in bursts:
        rate = np.where((hours >= at) & (hours < at + duration), rate * multiplier, rate)
    mentions = rng.poisson(rate)
    frame = pd.DataFrame({"timestamp": times, "mentions": mentions})
    if negative_share is not None:
        share = np.full(len(times), negative_share)
        for at, duration, value in negative_bursts:
            share = np.where((hours >= at) & (hours < at + duration), value, share)
        frame["negative"] = rng.binomial(mentions, share)
    return frame


def at(hour: float) -> datetime:
    return (START + pd.Timedelta(hours=hour)).to_pydatetime()


# -- mention_series ---------------------------------------------------------------------------


def test_mention_series_counts_per_interval_with_zeros_filled():
    mentions = pd.DataFrame(
        {
            "created_at": ["2026-03-02T10:01:00Z", "2026-03-02T10:14:59Z", "2026-03-02T10:40:00Z"],
            "network": ["x", "facebook", "x"],
            "sentiment_label": ["negative", "positive", None],
        }
    )
    series = mention_series(mentions, step="15min")
    assert series["timestamp"].tolist() == [at(10), at(10.25), at(10.5)]
    assert series["mentions"].tolist() == [2, 0, 1]
    assert series["negative"].tolist() == [1, 0, 0]

    bounded = mention_series(
        mentions, step="15min", start="2026-03-02T09:30:00Z", end="2026-03-02T11:00:00Z"
    )
    assert bounded["mentions"].tolist() == [0, 0, 2, 0, 1, 0]

    by_network = mention_series(mentions, step="15min", by="network")
    assert sorted(by_network["network"].unique()) == ["facebook", "x"]
    x = by_network[by_network["network"] == "x"]
    assert x["mentions"].tolist() == [1, 0, 1] and x["negative"].tolist() == [1, 0, 0]
    assert by_network[by_network["network"] == "facebook"]["mentions"].tolist() == [1, 0, 0]


def test_mention_series_refuses_an_unknown_grouping():
    with pytest.raises(ValueError, match="by must be"):
        mention_series(pd.DataFrame(columns=["created_at"]), step="5min", by="lang")


# -- alerts -----------------------------------------------------------------------------------


def test_a_quiet_series_raises_nothing_at_low_and_high_volume():
    for daily in (10, 10_000):
        detection = detect(make_series(daily=daily, days=12))
        assert detection.incidents == [], daily


@pytest.mark.parametrize("daily", [300, 10_000])
def test_a_sustained_surge_alerts_at_low_and_high_volume(daily):
    # day 8 (a Tuesday), 10:00-14:00: ×6 (at 300/day: ~12 → ~75 mentions an hour)
    series = make_series(daily=daily, days=10, bursts=((8 * 24 + 10, 4, 6),))
    (incident,) = detect(series).incidents
    assert at(8 * 24 + 10) <= incident.start <= at(8 * 24 + 11)
    assert incident.severity == "crisis"
    assert incident.end is not None and incident.end > at(8 * 24 + 14)
    figures = incident.figures
    assert figures.ratio == pytest.approx(figures.observed / figures.expected)
    assert figures.ratio >= 4
    assert f"({figures.observed} in the last " in incident.reason
    assert incident.reason.startswith(f"mentions ×{figures.ratio:.1f} over the usual")


def test_the_all_clear_comes_after_clear_after_of_calm():
    series = make_series(daily=5000, days=10, bursts=((8 * 24 + 10, 2, 8),))
    settings = CrisisSettings(clear_after=timedelta(hours=2))
    (incident,) = detect(series, settings).incidents
    cleared = incident.events[-1]
    assert cleared.kind == "cleared" and cleared.time == incident.end
    frame = detect(series, settings).frame.set_index("timestamp")
    elevated = frame.index[frame["level"] > 0]
    # calm began at the first quiet row after the last elevated one; 2 h later: all-clear
    calm_since = elevated[elevated < incident.end][-1] + pd.Timedelta("15min")
    assert incident.end == (calm_since + pd.Timedelta(hours=2)).to_pydatetime()
    shorter = detect(series, CrisisSettings(clear_after=timedelta(minutes=30))).incidents[0]
    assert shorter.end == (calm_since + pd.Timedelta(minutes=30)).to_pydatetime()


def test_a_new_surge_within_the_cooldown_reopens_the_incident():
    two = ((8 * 24 + 10, 2, 8), (8 * 24 + 14, 2, 8))  # 2 h apart
    series = make_series(daily=5000, days=10, bursts=two)
    short_clear = timedelta(minutes=30)
    (incident,) = detect(series, CrisisSettings(clear_after=short_clear)).incidents
    kinds = [e.kind for e in incident.events]
    assert kinds[0] == "opened" and "cleared" in kinds and "reopened" in kinds
    separate = detect(
        series, CrisisSettings(clear_after=short_clear, cooldown=timedelta(0))
    ).incidents
    assert len(separate) == 2
    assert separate[1].start >= at(8 * 24 + 14)


def test_min_mentions_keeps_tiny_counts_quiet():
    # 15 mentions a day, ×6 for 3 hours around the daily peak: about 6 an hour
    series = make_series(daily=15, days=10, step="5min", bursts=((8 * 24 + 12, 3, 6),), seed=3)
    assert detect(series).incidents == []  # min_mentions 10 an hour
    loud = detect(series, CrisisSettings(min_mentions=3)).incidents
    assert len(loud) == 1 and loud[0].start >= at(8 * 24 + 12)


def test_one_noisy_interval_does_not_alert_unless_extreme():
    base = make_series(daily=5000, days=10, step="5min")
    i = int(base.index[base["timestamp"] == START + pd.Timedelta(hours=8 * 24 + 11)][0])
    noisy = base.copy()
    noisy.loc[i, "mentions"] *= 4  # one interval ×4: not persistent, not extreme
    assert detect(noisy).incidents == []
    extreme = base.copy()
    extreme.loc[i, "mentions"] *= 30
    (incident,) = detect(extreme).incidents
    assert incident.start == at(8 * 24 + 11)


def test_sensitivity_orders_the_alerts():
    # ×2.6 for 3 hours: a warning at high and medium sensitivity, nothing at low
    series = make_series(daily=5000, days=10, bursts=((8 * 24 + 10, 3, 2.6),))
    found = {s: detect(series, CrisisSettings(sensitivity=s)).incidents for s in ("low", "high")}
    assert found["low"] == []
    assert [i.severity for i in found["high"]] == ["warning"]


def test_a_negative_share_rise_at_constant_volume_alerts_with_its_figures():
    series = make_series(
        daily=3000, days=10, negative_share=0.15, negative_bursts=((8 * 24 + 10, 4, 0.6),)
    )
    (incident,) = detect(series).incidents
    assert at(8 * 24 + 10) <= incident.start <= at(8 * 24 + 11)
    figures = incident.figures
    assert figures.usual_negative_share == pytest.approx(0.15, abs=0.02)
    assert figures.negative_share == pytest.approx(figures.negative / figures.observed)
    assert figures.negative_share > 0.45 and figures.ratio < 1.5
    assert incident.reason.startswith(
        f"negative share {figures.negative_share * 100:.0f} % vs "
        f"{figures.usual_negative_share * 100:.0f} % usually"
    )
    assert incident.severity == "crisis"  # ≥ 40 % and ≥ 20 negative an hour
    strict = CrisisSettings(negative_mentions_per_hour=1000)
    assert detect(series, strict).incidents[0].severity == "warning"
    without = detect(series.drop(columns="negative")).incidents
    assert without == []


def test_an_escalation_is_an_event():
    bursts = ((8 * 24 + 10, 2, 2.8), (8 * 24 + 12, 2, 8))
    series = make_series(daily=8000, days=10, bursts=bursts)
    (incident,) = detect(series, CrisisSettings(sensitivity="high")).incidents
    kinds = [(e.kind, e.severity) for e in incident.events]
    assert kinds[0] == ("opened", "warning")
    assert ("escalated", "crisis") in kinds
    escalated = next(e for e in incident.events if e.kind == "escalated")
    assert escalated.time >= at(8 * 24 + 12)
    assert incident.severity == "crisis" and incident.figures == escalated.figures


def test_incidents_frame_exposes_the_figures_as_numbers():
    series = make_series(daily=5000, days=10, bursts=((8 * 24 + 10, 3, 6),))
    frame = incidents_frame(detect(series).incidents)
    assert list(frame.columns[:4]) == ["start", "end", "severity", "reason"]
    row = frame.iloc[0]
    assert row["ratio"] == pytest.approx(row["observed"] / row["expected"])
    assert row["window_minutes"] == 30


# -- no look-ahead, live == backtest -----------------------------------------------------------

BURSTS = ((8 * 24 + 10, 3, 6), (9 * 24 + 2, 1, 10), (11 * 24 + 14, 5, 2.5), (12 * 24 + 20, 2, 5))


def _events(incidents):
    return sorted(
        (e.time, e.kind, e.severity, e.reason) for incident in incidents for e in incident.events
    )


def test_appending_future_rows_never_changes_past_alerts():
    full = make_series(daily=3000, days=14, bursts=BURSTS, negative_share=0.2)
    everything = _events(detect(full).incidents)
    assert len({e[0] for e in everything if e[1] == "opened"}) >= 3
    for cut_hours in (8 * 24 + 11, 9 * 24 + 2.5, 11 * 24 + 16, 13 * 24):
        cut = START + pd.Timedelta(hours=cut_hours)
        prefix = full[full["timestamp"] <= cut]
        assert _events(detect(prefix).incidents) == [e for e in everything if e[0] <= cut]


def test_interval_by_interval_from_stored_state_equals_the_backtest():
    full = make_series(daily=3000, days=14, bursts=BURSTS, negative_share=0.2)
    settings = CrisisSettings(cooldown=timedelta(hours=1))
    backtest = detect(full, settings)
    first = detect(full.iloc[: 7 * 96], settings)  # a week, then every hour (4 rows)
    state, events = first.state, list(first.events)
    for end in range(7 * 96 + 4, len(full) + 1, 4):
        stored = json.loads(json.dumps(state.as_dict()))  # what the DAG would keep
        run = detect(full.iloc[:end], settings, state=DetectorState.from_dict(stored))
        state = run.state
        events += run.events
    key = lambda e: (e.time, e.kind, e.severity, e.reason)  # noqa: E731
    assert [key(e) for e in events] == [key(e) for e in backtest.events]
    assert state.as_dict() == backtest.state.as_dict()


def test_resuming_needs_only_the_last_history_rows():
    days = HISTORY / timedelta(days=1) + 5
    full = make_series(daily=3000, days=days, step="1h", bursts=((days * 24 - 60, 4, 6),))
    backtest = detect(full)
    cut = len(full) - 72
    head = detect(full.iloc[:cut])
    window_start = full["timestamp"].iloc[cut] - HISTORY
    window = full[full["timestamp"] >= window_start]
    resumed = detect(window, state=head.state)
    later = [e for e in backtest.events if e.time > head.state.last_timestamp]
    assert resumed.events and resumed.events == later
    too_short = full[full["timestamp"] >= window_start + pd.Timedelta(hours=2)]
    with pytest.raises(ValueError, match="needs the rows since"):
        detect(too_short, state=head.state)


# -- input and configuration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(index=[5]), "not regular"),
        (lambda f: f.assign(mentions=f["mentions"] - 10_000), "cannot be negative"),
        (lambda f: f.drop(columns="mentions"), "lacks the column"),
        (lambda f: f.iloc[::8], "outside the supported"),
    ],
)
def test_bad_series_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        detect(change(make_series(days=4)))


def test_the_state_survives_json():
    series = make_series(daily=5000, days=10, bursts=((8 * 24 + 10, 40, 6),))
    state = detect(series).state
    assert state.incident is not None and state.incident.end is None  # still open
    again = DetectorState.from_dict(json.loads(json.dumps(state.as_dict())))
    assert again == state


def test_settings_come_from_the_configuration_including_the_first_models_keys():
    thresholds = CrisisThresholds.model_validate(
        {"negative_mentions_per_hour": 15, "negative_share": 0.5, "cooldown": "30min"}
    )
    settings = CrisisSettings.from_thresholds(thresholds, timezone="Europe/Paris")
    assert settings.negative_mentions_per_hour == 15 and settings.negative_share == 0.5
    assert settings.cooldown == timedelta(minutes=30) and settings.sensitivity == "medium"
    assert settings.timezone == "Europe/Paris"
    with pytest.raises(ValueError, match="unknown sensitivity"):
        CrisisSettings(sensitivity="paranoid")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"cooldown": 30}, "has no unit"),
        ({"clear_after": "2 hours"}, "is not a duration"),
        ({"clear_after": "0s"}, "between 1min and 7d"),
        ({"sensitivity": "max"}, "'low', 'medium' or 'high'"),
    ],
)
def test_bad_crisis_thresholds_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        CrisisThresholds.model_validate(raw)


def test_timestamps_are_utc_datetimes():
    detection = detect(make_series(daily=5000, days=10, bursts=((8 * 24 + 10, 3, 6),)))
    assert detection.incidents[0].start.tzinfo == UTC
