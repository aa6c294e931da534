"""The weekly report's files in the thread of its summary, through the sandbox's Slack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from tests.reports.conftest import brand_config
from tests.support.reports_world import seed_history

from socialops.hooks.slack import SlackSender
from socialops.notifications.outbox import deliver_pending
from socialops.reports import weekly
from socialops.warehouse.models import PostMetricsDaily, ReportUpload

WEEK = weekly.parse_week("2026-W47")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path):
    return brand_config(reports={"formats": ["html"], "directory": str(tmp_path)})


def publish_and_deliver(engine, config):
    stored = weekly.publish(engine, config, WEEK.label)
    weekly.announce(engine, config, stored)
    deliver_pending(engine, SlackSender(), now=NOW)
    return stored.summary()


def test_files_go_in_the_summary_thread_once_per_version(
    sqlite_engine, sandbox_connections, config
):
    seed_history(sqlite_engine, last=WEEK.sunday + timedelta(days=1), networks=("x",), days=30)
    summary = publish_and_deliver(sqlite_engine, config)
    ids = weekly.upload(sqlite_engine, config, summary, SlackSender(), now=NOW)
    channel = sandbox_connections.world.slack["#marketing-reports"]
    parent, files = channel
    assert files.thread_ts == parent.ts and [f["id"] for f in files.files] == ids
    assert "Rapport de la semaine" in parent.text
    assert files.text == "Le rapport hebdomadaire 2026-W47, à lire ou à transférer."
    stored = sandbox_connections.world.slack_files[ids[0]]
    assert stored["content"] == (config_dir(config) / "weekly-2026-W47.html").read_bytes()

    # the same version again: nothing uploaded
    assert weekly.upload(sqlite_engine, config, summary, SlackSender(), now=NOW) == []
    assert len(sandbox_connections.world.slack["#marketing-reports"]) == 2

    # the night is reloaded: a new version, its files in the same thread, said to replace
    with sqlite_engine.begin() as connection:
        connection.execute(
            PostMetricsDaily.__table__.update().values(likes=PostMetricsDaily.likes + 7)
        )
    changed = publish_and_deliver(sqlite_engine, config)
    assert changed["content"] != summary["content"]
    weekly.upload(sqlite_engine, config, changed, SlackSender(), now=NOW)
    messages = sandbox_connections.world.slack["#marketing-reports"]
    assert len(messages) == 3 and messages[2].thread_ts == parent.ts
    assert (
        "regénéré" in messages[2].text
        and "regénéré" in messages[0].blocks[-1]["elements"][0]["text"]
    )
    with sqlite_engine.connect() as connection:
        uploaded = set(connection.execute(select(ReportUpload.content)).scalars())
    assert uploaded == {summary["content"], changed["content"]}


class CrashAfterUpload(SlackSender):
    """Slack takes the files, then the worker dies before the upload is recorded."""

    def upload(self, *args, **kwargs):
        super().upload(*args, **kwargs)
        raise ConnectionResetError("the worker lost Slack's answer")


class RefusedBeforeUpload(SlackSender):
    """The call never reaches Slack."""

    def upload(self, *args, **kwargs):
        raise ConnectionRefusedError("no route to Slack")


def file_messages(sandbox):
    return [m for m in sandbox.world.slack["#marketing-reports"] if m.files]


def upload_record(engine, content):
    with engine.connect() as connection:
        return connection.execute(select(ReportUpload).where(ReportUpload.content == content)).one()


def test_an_upload_whose_answer_was_lost_is_found_in_the_thread_not_made_again(
    sqlite_engine, sandbox_connections, config
):
    seed_history(sqlite_engine, last=WEEK.sunday + timedelta(days=1), networks=("x",), days=30)
    summary = publish_and_deliver(sqlite_engine, config)
    now = sandbox_connections.world.now()  # the thread is searched on Slack's clock
    with pytest.raises(ConnectionResetError):
        weekly.upload(sqlite_engine, config, summary, CrashAfterUpload(), now=now)
    in_doubt = upload_record(sqlite_engine, summary["content"])
    assert in_doubt.attempted_at == now and in_doubt.uploaded_at is None
    [shared] = file_messages(sandbox_connections)

    later = now + timedelta(minutes=5)
    assert weekly.upload(sqlite_engine, config, summary, SlackSender(), now=later) == []
    assert file_messages(sandbox_connections) == [shared]  # not uploaded twice
    done = upload_record(sqlite_engine, summary["content"])
    assert done.file_ids == [f["id"] for f in shared.files] and done.uploaded_at == later
    assert done.attempted_at == now
    # and recorded: the next run does not even look
    assert weekly.upload(sqlite_engine, config, summary, SlackSender(), now=later) == []


def test_an_upload_in_doubt_that_never_reached_slack_is_made_once(
    sqlite_engine, sandbox_connections, config
):
    seed_history(sqlite_engine, last=WEEK.sunday + timedelta(days=1), networks=("x",), days=30)
    summary = publish_and_deliver(sqlite_engine, config)
    with pytest.raises(ConnectionRefusedError):
        weekly.upload(sqlite_engine, config, summary, RefusedBeforeUpload(), now=NOW)
    assert upload_record(sqlite_engine, summary["content"]).uploaded_at is None
    ids = weekly.upload(sqlite_engine, config, summary, SlackSender(), now=NOW)
    [shared] = file_messages(sandbox_connections)
    assert [f["id"] for f in shared.files] == ids
    assert [f["name"] for f in shared.files] == [
        weekly.upload_name(summary["files"]["html"], summary["content"])
    ]


def test_another_versions_files_are_not_taken_for_the_one_in_doubt(
    sqlite_engine, sandbox_connections, config
):
    seed_history(sqlite_engine, last=WEEK.sunday + timedelta(days=1), networks=("x",), days=30)
    first = publish_and_deliver(sqlite_engine, config)
    weekly.upload(sqlite_engine, config, first, SlackSender(), now=NOW)
    with sqlite_engine.begin() as connection:
        connection.execute(
            PostMetricsDaily.__table__.update().values(likes=PostMetricsDaily.likes + 7)
        )
    changed = publish_and_deliver(sqlite_engine, config)
    with pytest.raises(ConnectionRefusedError):
        weekly.upload(sqlite_engine, config, changed, RefusedBeforeUpload(), now=NOW)
    # The thread holds the first version's files (same week, same kinds): not this one's.
    ids = weekly.upload(sqlite_engine, config, changed, SlackSender(), now=NOW)
    assert ids and len(file_messages(sandbox_connections)) == 2


def test_no_summary_in_slack_yet_the_files_wait(sqlite_engine, sandbox_connections, config):
    stored = weekly.publish(sqlite_engine, config, WEEK.label)
    weekly.announce(sqlite_engine, config, stored)  # not delivered
    with pytest.raises(weekly.SummaryNotPosted, match="not in #marketing-reports yet"):
        weekly.upload(sqlite_engine, config, stored.summary(), SlackSender(), now=NOW)
    assert "#marketing-reports" not in sandbox_connections.world.slack


def config_dir(config):
    from pathlib import Path

    return Path(config.reports.directory)
