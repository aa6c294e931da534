"""Which day a run loads, and which posts are inside its lookback window.

A ``nightly_metrics`` run never asks the clock: its day comes from its data interval, so a
rerun or a backfill of a past run loads the same day again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def metrics_day(data_interval_start: datetime, timezone: str) -> date:
    """The day a run owns: the brand-local date on which its data interval starts.

    With the nightly schedule (``30 3 * * *`` in Europe/Paris) the run at 03:30 on the 21st
    has the interval [20th 03:30, 21st 03:30) and loads the 20th: "yesterday".
    """
    if data_interval_start.tzinfo is None:
        raise ValueError(
            f"data interval start {data_interval_start!r} has no time zone; Airflow passes "
            "aware datetimes, a caller must too"
        )
    return data_interval_start.astimezone(ZoneInfo(timezone)).date()


def local_midnight(day: date, timezone: str) -> datetime:
    """The instant (UTC) the brand-local ``day`` starts."""
    return datetime.combine(day, time.min, ZoneInfo(timezone)).astimezone(UTC)


@dataclass(frozen=True)
class LookbackWindow:
    """Posts created in [``since``, ``until``) are re-read: the ``days`` days ending on ``day``.

    Networks keep updating a post's counters for days or weeks (and YouTube Analytics lags),
    so each night re-reads every post of the window and the latest value overwrites the older.
    """

    day: date
    days: int
    since: datetime  # UTC, inclusive
    until: datetime  # UTC, exclusive: the end of ``day`` in the brand's time zone

    @classmethod
    def ending_on(cls, day: date, days: int, timezone: str) -> LookbackWindow:
        if days < 1:
            raise ValueError(f"a lookback window needs at least 1 day, got {days}")
        return cls(
            day=day,
            days=days,
            since=local_midnight(day - timedelta(days=days - 1), timezone),
            until=local_midnight(day + timedelta(days=1), timezone),
        )

    def __contains__(self, when: datetime) -> bool:
        return self.since <= when < self.until
