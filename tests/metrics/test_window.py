from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from socialops.metrics.window import LookbackWindow, metrics_day


def test_the_run_owns_the_local_day_its_interval_starts_on():
    # 03:30 in Paris is 02:30 UTC in winter: the interval [20th 03:30, 21st 03:30) → the 20th.
    assert metrics_day(datetime(2026, 11, 20, 2, 30, tzinfo=UTC), "Europe/Paris") == date(
        2026, 11, 20
    )
    # 23:30 UTC on the 19th is already the 20th in Paris.
    assert metrics_day(datetime(2026, 11, 19, 23, 30, tzinfo=UTC), "Europe/Paris") == date(
        2026, 11, 20
    )
    with pytest.raises(ValueError, match="no time zone"):
        metrics_day(datetime(2026, 11, 20), "UTC")


def test_lookback_window_covers_whole_local_days():
    window = LookbackWindow.ending_on(date(2026, 11, 20), 7, "Europe/Paris")
    assert window.since == datetime(2026, 11, 13, 23, 0, tzinfo=UTC)  # 14th 00:00 Paris
    assert window.until == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # 21st 00:00 Paris
    assert datetime(2026, 11, 20, 22, 59, tzinfo=UTC) in window
    assert datetime(2026, 11, 20, 23, 0, tzinfo=UTC) not in window
    one_day = LookbackWindow.ending_on(date(2026, 3, 29), 1, "Europe/Paris")  # DST starts
    assert (one_day.until - one_day.since).total_seconds() == 23 * 3600
    with pytest.raises(ValueError, match="at least 1 day"):
        LookbackWindow.ending_on(date(2026, 11, 20), 0, "UTC")
