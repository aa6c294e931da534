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
from socialops.notifications.catalogue import Reader
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


def texts(notices):
    return [n.text + json.dumps(n.blocks, ensure_ascii=False) for n in notices]


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
    failure, issue = texts(report.notices(Reader("en", "Europe/Paris"), "#cm-alertes"))
    assert "YouTube metrics of Fri, 20 Nov 2026 not loaded* for maisonlumiere" in failure
    assert "YouTube's daily API quota is spent" in failure
    assert "quotaExceeded" not in failure  # the network's words: log and ops channel
    assert "clear the failed task `extract_youtube`" in failure
    assert "*Data quality: days without metrics* (Fri, 20 Nov 2026, 1 issue)" in issue
    assert "no metrics from Wed, 18 Nov 2026 to Thu, 19 Nov 2026 (2 days)" in issue
    french = texts(report.notices(Reader("fr", "Europe/Paris"), "#cm-alertes"))
    assert "Métriques YouTube du ven. 20 nov. 2026 non chargées" in french[0]


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


def test_engineer_details_go_to_the_log_and_the_ops_channel(problems, caplog):
    report = build_report(problems, DAY)
    with caplog.at_level("WARNING", logger="socialops.metrics.report"):
        queued = announce(
            problems,
            report,
            "#cm-alertes",
            locale="fr",
            timezone="Europe/Paris",
            ops_channel="#ops",
        )
    assert queued == 4  # two messages, each with its ops details
    assert {channel for _, channel in outbox(problems)} == {"#cm-alertes", "#ops"}
    logged = caplog.text
    assert "QuotaExceeded: [youtube] quotaExceeded" in logged
    assert "airflow tasks clear nightly_metrics -t '^extract_youtube$'" in logged
    assert "airflow backfill create --dag-id nightly_metrics --from-date 2026-11-18" in logged
