"""The nightly Slack report: failures and data-quality issues of a day, announced once."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from socialops.analytics import quality
from socialops.metrics import store
from socialops.metrics.report import announce, build_report
from socialops.networks import QuotaExceeded
from socialops.warehouse.models import NotificationOutbox
from socialops.warehouse.upsert import upsert

DAY = date(2026, 11, 20)


@pytest.fixture
def problems(warehouse_engine):
    store.record_failure(
        warehouse_engine, "youtube", "maisonlumiere", DAY, QuotaExceeded("youtube", "quotaExceeded")
    )
    [jump] = quality.missing_days("x", "maisonlumiere", DAY, date(2026, 11, 17))
    with warehouse_engine.begin() as connection:
        store.record_issues(connection, [jump], {})
        upsert(
            connection,
            "account_metrics_daily",
            [{"network": "x", "account_id": "1", "day": DAY, "followers": 10}],
        )
    return warehouse_engine


def texts(messages):
    return [m.text + json.dumps(m.blocks, ensure_ascii=False) for _, m in messages]


def outbox(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(NotificationOutbox.dedup_key, NotificationOutbox.channel)
        ).all()


def test_report_lists_loaded_rows_failures_and_issues(problems):
    summaries = [
        {"network": "x", "api_calls_total": 3},
        None,
        {"network": "x", "api_calls_total": 4},
    ]
    report = build_report(problems, DAY, summaries)

    assert report.api_calls == {"x": 7}
    assert report.loaded == {"x": {"account_metrics_daily": 1}}
    assert report.summary()["failed_accounts"] == ["youtube maisonlumiere"]
    failure, issue = texts(report.messages("en"))
    assert "maisonlumiere" in failure and "quotaExceeded" in failure
    assert "extract_youtube -s 2026-11-20 -e 2026-11-20" in failure
    assert "missing_days (2026-11-20)" in issue and "2026-11-18 to 2026-11-19" in issue
    assert texts(report.messages("fr"))[0] != failure  # the brand's language


def test_announced_once_through_the_outbox(problems):
    assert announce(problems, build_report(problems, DAY), "#cm-alertes", locale="fr") == 2
    assert {channel for _, channel in outbox(problems)} == {"#cm-alertes"}
    assert announce(problems, build_report(problems, DAY), "#cm-alertes", locale="fr") == 0
    assert len(outbox(problems)) == 2


def test_a_crash_while_queueing_keeps_the_alerts_for_the_next_run(problems, monkeypatch):
    def broken(session, notice):
        raise RuntimeError("database gone")

    monkeypatch.setattr("socialops.metrics.report.add_notice", broken)
    with pytest.raises(RuntimeError):
        announce(problems, build_report(problems, DAY), "#cm-alertes", locale="en")
    assert len(build_report(problems, DAY).alert_ids) == 2 and outbox(problems) == []
