from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from tests.reports.conftest import TODAY, run_at
from tests.support.reports_world import TIMEZONE

from socialops.hooks.slack import SlackDeliveryError
from socialops.notifications.outbox import deliver_pending
from socialops.reports import tasks
from socialops.warehouse.models import NotificationOutbox, Post

PARIS = ZoneInfo(TIMEZONE)


class FakeSlack:
    def __init__(self):
        self.posted, self.updated = [], []

    def send(self, channel, message, *, thread_ts=None, key=None):
        self.posted.append((channel, message.text))
        return f"ts{len(self.posted)}"

    def update(self, channel, ts, message):
        self.updated.append((channel, ts, message.text))
        return ts


def test_the_asset_run_of_the_night_waits_for_the_digest_time(sqlite_engine, config):
    early = run_at(config, sqlite_engine, datetime(2026, 11, 24, 4, 10, tzinfo=PARIS))
    due = run_at(config, sqlite_engine, datetime(2026, 11, 24, 8, 0, tzinfo=PARIS))
    assert not tasks.digest_due(early)
    assert tasks.digest_due(due)
    assert tasks.digest_due(early, "2026-11-20")  # a past day, asked for by hand: at once


def test_a_rerun_adds_nothing_and_new_figures_edit_the_message(sqlite_engine, config, history):
    run = run_at(config, sqlite_engine, datetime(2026, 11, 24, 8, 0, tzinfo=PARIS))
    slack = FakeSlack()
    assert tasks.compose_digest(run)["queued"] == 1
    deliver_pending(sqlite_engine, slack, now=run.now)
    assert tasks.compose_digest(run)["queued"] == 0  # same content: nothing new
    # the night is reloaded: a post's text changed, so the digest's best post changes
    with sqlite_engine.begin() as connection:
        connection.execute(Post.__table__.update().values(text="Texte corrigé"))
    assert tasks.compose_digest(run)["queued"] == 1
    deliver_pending(sqlite_engine, slack, now=run.now)
    assert len(slack.posted) == 1 and len(slack.updated) == 1
    assert slack.updated[0][:2] == ("#cm-digest", "ts1")
    with sqlite_engine.connect() as connection:
        keys = connection.scalars(select(NotificationOutbox.updates_key)).all()
    assert keys == [f"reports:digest:{TODAY.isoformat()}"] * 2


def test_the_digest_day_is_the_brand_local_day(sqlite_engine, config):
    # 23:30 UTC on the 23rd is already the 24th in Paris
    run = run_at(config, sqlite_engine, datetime(2026, 11, 23, 23, 30, tzinfo=ZoneInfo("UTC")))
    assert tasks.digest_day(run) == TODAY
    assert tasks.digest_day(run, "2026-11-01").isoformat() == "2026-11-01"


def test_slack_down_keeps_the_digest_for_the_next_delivery(sqlite_engine, config, history):
    run = run_at(config, sqlite_engine, datetime(2026, 11, 24, 8, 0, tzinfo=PARIS))
    tasks.compose_digest(run)

    class Down(FakeSlack):
        def send(self, channel, message, *, thread_ts=None, key=None):
            raise SlackDeliveryError("unreachable", retryable=True)

    down = deliver_pending(sqlite_engine, Down(), now=run.now)
    assert down.sent == 0 and down.waiting == 1 and down.stopped_by is not None
    slack = FakeSlack()
    assert deliver_pending(sqlite_engine, slack, now=run.now).sent == 1
    assert len(slack.posted) == 1


def test_the_weekly_run_reports_on_the_week_before_its_day(sqlite_engine, config):
    import pytest

    monday = run_at(config, sqlite_engine, datetime(2026, 11, 23, 8, 0, tzinfo=PARIS))
    assert tasks.report_week(monday) == "2026-W47"
    # new year: Monday 4 January 2027 reports on 2026-W53
    january = run_at(config, sqlite_engine, datetime(2027, 1, 4, 8, 0, tzinfo=PARIS))
    assert tasks.report_week(january) == "2026-W53"
    assert tasks.report_week(monday, "2026-W40") == "2026-W40"
    with pytest.raises(ValueError, match="ISO week"):
        tasks.report_week(monday, "last week")
