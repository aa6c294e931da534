"""The time a run acts at: the wall clock, or ``as_of`` only where the deployment allows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialops.runtime import ALLOW_AS_OF_VAR, AsOfRefused, acting_time, parse_as_of

NOW = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)


def test_without_as_of_a_run_acts_now(monkeypatch):
    monkeypatch.delenv(ALLOW_AS_OF_VAR, raising=False)
    assert acting_time(None, NOW) == NOW


@pytest.mark.parametrize("offset", [timedelta(days=3), timedelta(days=-2), timedelta(minutes=6)])
def test_production_refuses_as_of_away_from_the_clock(monkeypatch, offset):
    monkeypatch.delenv(ALLOW_AS_OF_VAR, raising=False)
    with pytest.raises(AsOfRefused, match=f"set {ALLOW_AS_OF_VAR}=true"):
        acting_time(NOW + offset, NOW)


def test_production_tolerates_a_few_minutes_and_then_acts_on_the_clock(monkeypatch):
    monkeypatch.delenv(ALLOW_AS_OF_VAR, raising=False)
    assert acting_time(NOW + timedelta(minutes=4), NOW) == NOW


def test_the_sandbox_may_act_at_any_time(monkeypatch):
    monkeypatch.setenv(ALLOW_AS_OF_VAR, "true")
    assert acting_time(NOW + timedelta(days=3), NOW) == NOW + timedelta(days=3)


def test_as_of_parsing():
    assert parse_as_of("2026-11-24T10:05:00Z") == NOW
    assert parse_as_of("2026-11-24T10:05:00") == NOW  # no zone means UTC
    assert parse_as_of("None") is None and parse_as_of("") is None


def test_interval_day_is_the_brand_local_date_of_the_interval_edge():
    from datetime import date
    from types import SimpleNamespace

    from socialops.runtime import interval_day

    run = SimpleNamespace(config=SimpleNamespace(brand=SimpleNamespace(timezone="Europe/Paris")))
    # 23:30 UTC on the 20th is 00:30 on the 21st in Paris.
    assert interval_day(run, datetime(2026, 11, 20, 23, 30, tzinfo=UTC)) == date(2026, 11, 21)
    assert interval_day(run, None, "2026-11-02") == date(2026, 11, 2)
    with pytest.raises(ValueError, match="no data interval"):
        interval_day(run, None)
    with pytest.raises(ValueError, match="no time zone"):
        interval_day(run, datetime(2026, 11, 20, 23, 30))
