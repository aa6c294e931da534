"""The crisis watch: one alert per incident, edited as it changes, the pause, the history."""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.listening.conftest import NOW

from socialops.listening import service
from socialops.notifications.catalogue import Reader
from socialops.publishing.pause import PAUSE_VARIABLE
from socialops.warehouse.models import CrisisIncident, Mention, NotificationOutbox
from socialops.warehouse.upsert import upsert

BURST = NOW - timedelta(minutes=40)
HOSTILE = "Bougie qui fume noire, dangereux, remboursement ! @channel <!here> *gras*"


def ordinary_week(engine, *, until=BURST, seed=1):
    """Six days of one mention every 5 to 15 minutes, 10 % negative."""
    rng = random.Random(seed)
    rows, at, number = [], NOW - timedelta(days=6), 0
    while at < until:
        number += 1
        negative = rng.random() < 0.1
        rows.append(row(f"b{number}", at, "une jolie bougie", negative, reach=None))
        at += timedelta(minutes=rng.uniform(5, 15))
    upsert(engine, Mention, rows)


def burst(engine, count=160):
    upsert(
        engine,
        Mention,
        [
            row(
                f"c{k}",
                BURST + timedelta(seconds=k * 15),
                HOSTILE,
                True,
                reach=k * 10,
                network="x" if k % 3 else "instagram",
            )
            for k in range(count)
        ],
    )


def row(mention_id, at, text, negative, *, reach, network="x"):
    return {
        "network": network,
        "mention_id": mention_id,
        "kind": "mention",
        "text": text,
        "created_at": at,
        "sentiment_label": "negative" if negative else "neutral",
        "sentiment": -0.8 if negative else 0.0,
        "author_handle": f"user_{mention_id}",
        "author_reach": reach,
        "url": f"https://x.com/user/status/{mention_id}",
    }


def messages(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(
                NotificationOutbox.dedup_key,
                NotificationOutbox.updates_key,
                NotificationOutbox.thread_key,
                NotificationOutbox.text,
                NotificationOutbox.blocks,
            ).order_by(NotificationOutbox.id)
        ).all()


@pytest.fixture
def variables():
    written = {}
    return written


def watch(run, when, variables):
    return service.watch(run.engine, run.config, when, set_variable=variables.__setitem__).summary()


def test_a_crisis_is_announced_once_pauses_and_its_all_clear_edits_it_and_replies(run, variables):
    ordinary_week(run.engine)
    burst(run.engine)
    first = watch(run, NOW - timedelta(minutes=20), variables)
    assert [e["kind"] for e in first["events"]] == ["opened"]
    assert first["paused"] and PAUSE_VARIABLE in variables
    for when in (NOW - timedelta(minutes=20), NOW, NOW + timedelta(minutes=5)):
        assert watch(run, when, variables)["notices"] == 0  # never repeated while it lasts
    cleared = watch(run, NOW + timedelta(hours=3), variables)
    assert [e["kind"] for e in cleared["events"]] == ["cleared"]
    alert, all_clear, reply = messages(run.engine)
    assert alert.updates_key == all_clear.updates_key  # one Slack message, edited
    assert alert.dedup_key != all_clear.dedup_key
    # ... and the all-clear is also a reply in the alert's thread
    assert reply.thread_key == alert.updates_key and reply.updates_key is None
    assert reply.text == all_clear.text
    body = json.dumps(alert.blocks, ensure_ascii=False)
    assert "airflow variables delete socialops_publication_paused" in body
    assert "<!here>" not in body and "@channel" not in body and "*gras*" not in body
    # The top negatives by reach among those of the incident so far, linked.
    assert re.search(r"<https://x\.com/user/status/c(\d+)\|", body)
    shown = [int(n) for n in re.findall(r"status/c(\d+)\|", body)]
    assert shown == sorted(shown, reverse=True) and len(shown) == 3
    assert "X (" in body and "Instagram (" in body
    with run.engine.connect() as connection:
        incident = connection.execute(select(CrisisIncident)).one()
    assert incident.severity == "crisis" and incident.ended_at is not None
    assert incident.paused_publication
    assert "publication is still paused" in json.dumps(all_clear.blocks).casefold() or (
        run.config.brand.locale == "fr"
    )


def test_without_pause_publication_the_alert_says_nothing_about_a_pause(run, variables):
    thresholds = run.config.thresholds.model_copy(
        update={
            "crisis": run.config.thresholds.crisis.model_copy(update={"pause_publication": False})
        }
    )
    config = run.config.model_copy(update={"thresholds": thresholds})
    ordinary_week(run.engine)
    burst(run.engine)
    service.watch(run.engine, config, NOW, set_variable=variables.__setitem__)
    assert variables == {}
    (alert,) = messages(run.engine)
    assert "socialops_publication_paused" not in json.dumps(alert.blocks)


def test_an_ordinary_week_raises_nothing(run, variables):
    ordinary_week(run.engine, until=NOW)
    assert watch(run, NOW, variables) == {"events": [], "notices": 0, "paused": False}
    assert messages(run.engine) == []


def test_an_old_incident_found_on_the_first_run_is_recorded_not_announced(run, variables):
    ordinary_week(run.engine)
    burst(run.engine)
    summary = watch(run, NOW + timedelta(hours=6), variables)
    assert [e["kind"] for e in summary["events"]] == ["opened", "cleared"]
    assert messages(run.engine) == [] and variables == {}
    with run.engine.connect() as connection:
        assert connection.execute(select(CrisisIncident.severity)).scalars().all() == ["crisis"]


def test_the_end_of_an_incident_nobody_was_told_about_is_not_announced(run, variables):
    ordinary_week(run.engine)
    burst(run.engine)
    # The watch was down for the first hour of the incident: its opening is history.
    late = watch(run, NOW + timedelta(minutes=75), variables)
    assert [e["kind"] for e in late["events"]][:1] == ["opened"]
    assert "cleared" not in [e["kind"] for e in late["events"]]
    cleared = watch(run, NOW + timedelta(minutes=100), variables)  # the end, seen live
    assert "cleared" in [e["kind"] for e in cleared["events"]]
    assert messages(run.engine) == []  # no all-clear for an alert never sent
    with run.engine.connect() as connection:
        assert connection.execute(select(CrisisIncident.ended_at)).scalar() is not None


def test_live_runs_resumed_from_the_state_find_what_one_run_over_the_history_finds(run, variables):
    ordinary_week(run.engine)
    burst(run.engine)
    step_by_step = []
    at = NOW - timedelta(hours=2)
    while at <= NOW + timedelta(hours=3):
        step_by_step += watch(run, at, variables)["events"]
        at += timedelta(minutes=15)
    from socialops.analytics.crisis import HISTORY, CrisisSettings, detect, mention_series
    from socialops.listening.store import mentions_since

    settings = CrisisSettings.from_thresholds(
        run.config.thresholds.crisis, timezone=run.config.brand.timezone
    )
    end = NOW + timedelta(hours=3)
    series = mention_series(
        mentions_since(run.engine, end - timedelta(days=30)),
        step=service.STEP,
        start=NOW - timedelta(hours=2) - HISTORY,  # where the first live run started
        end=end,
    )
    backtest = [(e.time.isoformat(), e.kind) for e in detect(series, settings).events]
    assert [(e["time"], e["kind"]) for e in step_by_step] == backtest


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_alert_reads_in_the_brand_language(run, variables, locale):
    brand = run.config.brand.model_copy(update={"locale": locale})
    config = run.config.model_copy(update={"brand": brand})
    ordinary_week(run.engine)
    burst(run.engine)
    service.watch(run.engine, config, NOW, set_variable=variables.__setitem__)
    (alert,) = messages(run.engine)
    body = json.dumps(alert.blocks, ensure_ascii=False)
    words = {
        "fr": ("À faire", "La publication est en pause", "abonnés"),
        "en": ("What to do", "Publication is paused", "followers"),
    }[locale]
    for word in words:
        assert word in body
    assert Reader(locale).percent(0.5) in body or "%" in body


class FlakySlack:
    """Slack that is down for the first ``down`` calls, then posts and edits."""

    def __init__(self, down: int):
        self.down = down
        self.posted: list[str] = []
        self.updated: list[tuple[str, str]] = []
        self.replies: list[tuple[str, str]] = []

    def _check(self):
        from socialops.hooks.slack import SlackDeliveryError

        if self.down:
            self.down -= 1
            raise SlackDeliveryError("Slack is down", code="service_unavailable", retryable=True)

    def send(self, channel, message, *, key=None, thread_ts=None):
        self._check()
        if thread_ts is not None:
            self.replies.append((thread_ts, message.text))
            return f"2.{len(self.replies)}"
        self.posted.append(message.text)
        return f"1.{len(self.posted)}"

    def update(self, channel, ts, message):
        self._check()
        self.updated.append((ts, message.text))
        return ts


def test_through_a_slack_outage_the_alert_is_posted_once_and_its_all_clear_edits_it_and_replies(
    run, variables
):
    from socialops.notifications.outbox import deliver_pending

    ordinary_week(run.engine)
    burst(run.engine)
    watch(run, NOW, variables)
    slack = FlakySlack(down=2)
    for _ in range(2):  # two delivery runs while Slack is down: nothing lost, nothing sent
        assert deliver_pending(run.engine, slack, now=NOW).sent == 0
    assert deliver_pending(run.engine, slack, now=NOW).sent == 1
    assert deliver_pending(run.engine, slack, now=NOW).sent == 0  # never twice
    watch(run, NOW + timedelta(hours=3), variables)
    assert deliver_pending(run.engine, slack, now=NOW).sent == 2
    assert len(slack.posted) == 1
    assert [ts for ts, _ in slack.updated] == ["1.1"]  # the all-clear edits the alert
    assert [ts for ts, _ in slack.replies] == ["1.1"]  # and answers it in its thread


def test_the_stored_series_replayed_by_the_cli_gives_the_live_alerts(
    run, variables, use_warehouse, tmp_path, capsys
):
    from socialops.analytics.crisis import HISTORY
    from socialops.cli import main

    ordinary_week(run.engine)
    burst(run.engine)
    live = watch(run, NOW + timedelta(hours=4), variables)["events"]
    days = str(HISTORY / timedelta(days=1))
    assert main(["crisis", "series", "--until", (NOW + timedelta(hours=4)).isoformat(),
                 "--days", days]) == 0  # fmt: skip
    out, err = capsys.readouterr()
    assert out.startswith("timestamp,mentions,negative\n") and "intervals" in err
    path = tmp_path / "series.csv"
    path.write_text(out, encoding="utf-8")
    assert (
        main(["crisis", "backtest", str(path), "--config", str(_config_file(run, tmp_path))]) == 0
    )
    alerts = json.loads(capsys.readouterr().out)
    opened = [e["time"] for e in live if e["kind"] == "opened"]
    assert [a["start"] for a in alerts] == opened and alerts[0]["severity"] == "crisis"
    cleared = [e["time"] for e in live if e["kind"] == "cleared"]
    assert [a["end"] for a in alerts] == cleared


def _config_file(run, tmp_path):
    import yaml

    from socialops.config.loader import DEFAULT_PATH

    path = tmp_path / "brand.yaml"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["brand"]["timezone"] == (
        run.config.brand.timezone
    )
    return path
