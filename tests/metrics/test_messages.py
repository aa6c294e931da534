"""The nightly messages say what a person must do, and that is what reloads the day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from socialops.metrics.messages import (
    ExtractionFailure,
    QualityProblem,
    clear_command,
    data_quality_failure,
    extraction_failure,
)
from socialops.metrics.tasks import run_day
from socialops.metrics.window import metrics_day
from socialops.notifications.catalogue import Reader

DAY = date(2026, 11, 20)
EN = Reader("en", "Europe/Paris")


def shown(message) -> str:
    return "\n".join(
        [message.text]
        + [b["text"]["text"] for b in message.block_dicts() if "text" in b]
        + [e["text"] for b in message.block_dicts() for e in b.get("elements", [])]
    )


@pytest.mark.parametrize(
    "error, retry_at, first_step",
    [
        ("QuotaExceeded", None, "First wait until the daily quota resets."),
        ("RateLimited", datetime(2026, 11, 21, 9, tzinfo=UTC), "First wait until Sat, 21 Nov"),
        ("AuthError", None, "First renew the YouTube token in its Airflow connection."),
        ("TransientError", None, None),
    ],
)
def test_the_extraction_alert_says_to_reload_the_day_never_that_a_later_night_will(
    error, retry_at, first_step
):
    text = shown(
        extraction_failure(
            EN, ExtractionFailure("youtube", "maisonlumiere", DAY, error, "raw", retry_at)
        )
    )
    assert "next run" not in text and "picked up" not in text
    assert "Later nights do not load this day: each night loads only its own." in text
    assert (
        "clear the failed task `extract_youtube` in the `nightly_metrics` run that loads " in text
    )
    assert "airflow tasks clear" not in text and "raw" not in text  # ops and log only
    if first_step:
        assert first_step in text
    else:
        assert "First" not in text


def test_later_nights_really_load_their_own_day_only():
    """What the alert says: the next night's run owns the next day, not the failed one."""
    run = SimpleNamespace(config=SimpleNamespace(brand=SimpleNamespace(timezone="Europe/Paris")))
    failed_run = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)  # data interval start, 04:30 Paris
    next_run = datetime(2026, 11, 21, 3, 30, tzinfo=UTC)
    assert run_day(run, failed_run) == DAY
    assert run_day(run, next_run) == date(2026, 11, 21)


def test_the_clear_command_covers_the_logical_date_of_the_run_that_loads_the_day():
    command = clear_command("extract_youtube", DAY, "Europe/Paris")
    assert command == (
        "airflow tasks clear nightly_metrics -t '^extract_youtube$' "
        "-s 2026-11-20T00:00:00+01:00 -e 2026-11-20T23:59:59+01:00 --only-failed --downstream --yes"
    )
    start = datetime.fromisoformat(command.split(" -s ")[1].split()[0])
    end = datetime.fromisoformat(command.split(" -e ")[1].split()[0])
    for logical_date in (
        datetime(2026, 11, 20, 2, 30, tzinfo=UTC),  # 03:30 Paris, the default schedule
        datetime(2026, 11, 20, 22, 59, tzinfo=UTC),  # 23:59 Paris
    ):
        assert metrics_day(logical_date, "Europe/Paris") == DAY
        assert start <= logical_date <= end


def test_campaign_failures_name_the_campaigns_not_an_account():
    text = shown(
        extraction_failure(
            EN,
            ExtractionFailure(
                "instagram", "campaigns", DAY, "AuthError", "raw", task="load_campaigns"
            ),
        )
    )
    assert "Instagram paid campaign results of Fri, 20 Nov 2026 not loaded" in text
    assert "`load_campaigns`" in text


def test_data_quality_lines_show_values_the_readers_way():
    problem = QualityProblem(
        7,
        "follower_change",
        "instagram",
        "maisonlumiere",
        DAY,
        "account",
        "english sentence",
        {
            "followers": 1500,
            "followers_previous": 1200,
            "previous_day": "2026-11-19",
            "change_pct": -25.0,
            "threshold_pct": 20.0,
        },
        True,
    )
    fr = shown(
        data_quality_failure(Reader("fr"), check="follower_change", day=DAY, problems=[problem])
    )
    en = shown(data_quality_failure(EN, check="follower_change", day=DAY, problems=[problem]))
    assert "abonnés tombés de 1\u202f200 (jeu. 19 nov. 2026) à 1\u202f500 (−25\u00a0%" in fr
    assert "non chargé, conservé dans l'alerte n°\u00a07" in fr
    assert "followers fell from 1,200 (Thu, 19 Nov 2026) to 1,500 (−25%, threshold ±20%)" in en
    assert "english sentence" not in en
    assert "are held until it is fixed" not in en  # no report holds anything
    assert "The flagged rows are not loaded; their values are kept in the alert." in en
