from __future__ import annotations

import pytest
from pydantic import ValidationError

from socialops.config.rules import clock_time_problem
from socialops.config.schema import Reports


def test_defaults():
    reports = Reports()
    assert (reports.digest_time, reports.weekly_schedule) == ("08:00", "0 8 * * 1")
    assert reports.directory is None and reports.formats == ["html", "pdf"]


@pytest.mark.parametrize("value", ["07:30", "7:05", "23:59"])
def test_clock_times(value):
    assert clock_time_problem(value) is None


@pytest.mark.parametrize("value", ["24:00", "8h", "480", "08:60"])
def test_not_a_clock_time(value):
    assert "write it HH:MM" in clock_time_problem(value)
    with pytest.raises(ValidationError, match="not a time of day"):
        Reports(digest_time=value)


def test_bad_weekly_schedule_and_format():
    with pytest.raises(ValidationError):
        Reports(weekly_schedule="every monday")
    with pytest.raises(ValidationError):
        Reports(formats=["docx"])
