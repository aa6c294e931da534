"""The failure callback: an alert in the configured channel, and a log when Slack is absent."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest

from socialops.notifications.callbacks import (
    NotifiedFailure,
    TaskFailureNotifier,
    task_failure_alert,
)


def _context():
    ti = SimpleNamespace(
        dag_id="publish_posts",
        task_id="publish_x",
        run_id="scheduled__2026-11-21T10:00:00+00:00",
        log_url=None,
    )
    return {
        "ti": ti,
        "run_id": ti.run_id,
        "exception": RuntimeError("X refused <!channel> the post"),
    }


def test_failure_alert_goes_to_the_alerts_channel_of_the_config(sandbox_connections):
    task_failure_alert(_context())
    [alert] = sandbox_connections.world.slack["#cm-alertes"]
    assert alert.text == (
        ":red_circle: *Tâche en échec* `publish_posts.publish_x` "
        "(exécution `scheduled__2026-11-21T10:00:00+00:00`)\u00a0: RuntimeError: X refused "
        "&lt;!channel&gt; the post"
    )
    # Posted by the Slack provider's notifier, its link previews off.
    [request] = [r for r in sandbox_connections.requests("slack") if "postMessage" in r["path"]]
    assert request["status"] == 200


def test_explicit_settings_override_the_config(sandbox_connections):
    TaskFailureNotifier(channel="#ops", slack_conn_id="slack_default", locale="en")(_context())
    assert sandbox_connections.world.slack["#ops"][0].text.startswith(":red_circle: *Task failed*")


def _logged(call) -> str:
    """The text of the log lines of ``call``'s (level, args)."""
    template, *args = call.args
    return template % tuple(str(a) for a in args)


def test_missing_slack_connection_logs_instead_of_raising(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_SLACK_NOWHERE", raising=False)
    notifier = TaskFailureNotifier(
        channel="#cm-alertes", slack_conn_id="slack_nowhere", locale="en"
    )
    notifier._log = mock.Mock()
    notifier(_context())
    [warning] = notifier._log.warning.call_args_list
    assert "Create the Airflow connection 'slack_nowhere'" in _logged(warning)
    assert "`publish_posts.publish_x`" in _logged(warning)


def test_slack_refusal_is_logged_not_raised(sandbox_connections):
    sandbox_connections.add_fault(network="slack", kind="expired_token")
    notifier = TaskFailureNotifier()
    notifier._log = mock.Mock()
    notifier(_context())
    [error] = notifier._log.error.call_args_list
    assert "token_expired. Renew the Slack bot token" in _logged(error)


def test_context_without_exception_still_alerts(sandbox_connections):
    context = _context()
    del context["exception"]
    TaskFailureNotifier(locale="en")(context)
    assert "(no exception in the context)" in sandbox_connections.world.slack["#cm-alertes"][0].text


def test_airflow_accepts_it_as_a_dags_failure_callback_and_calls_it(sandbox_connections):
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    with DAG(
        "callback_check", schedule=None, default_args={"on_failure_callback": task_failure_alert}
    ):
        failing = EmptyOperator(task_id="failing")
    [callback] = failing.on_failure_callback  # Airflow keeps callbacks as a list
    callback(_context())  # what Airflow does when the task fails
    [alert] = sandbox_connections.world.slack["#cm-alertes"]
    assert "`publish_posts.publish_x`" in alert.text


def test_failure_already_reported_in_slack_is_not_announced_twice(sandbox_connections):
    context = _context()
    context["exception"] = NotifiedFailure("publication 3: token expired")
    task_failure_alert(context)
    assert "#cm-alertes" not in sandbox_connections.world.slack
    # Any other failure of the same task is still announced.
    task_failure_alert(_context())
    assert len(sandbox_connections.world.slack["#cm-alertes"]) == 1


def test_with_an_ops_channel_the_details_go_there_and_the_cms_read_one_plain_line(
    sandbox_connections,
):
    context = _context()
    context["ti"].log_url = "https://airflow.example/log?try=1"
    TaskFailureNotifier(
        channel="#cm-alertes", slack_conn_id="slack_default", locale="fr", ops_channel="#ops"
    )(context)
    [details] = sandbox_connections.world.slack["#ops"]
    [short] = sandbox_connections.world.slack["#cm-alertes"]
    assert "RuntimeError" in details.text and "scheduled__" in details.text
    assert "RuntimeError" not in str(short.blocks) and "scheduled__" not in str(short.blocks)
    assert short.text.startswith(":red_circle: *Une tâche socialops a échoué*")
    assert "#ops" in short.text
    note = short.blocks[1]["elements"][0]["text"]
    assert note.startswith("Les publications prévues maintenant peuvent attendre")
    assert "<https://airflow.example/log?try=1|ouvrir>" in note


def test_the_ops_channel_comes_from_the_configuration(sandbox_connections, monkeypatch):
    from socialops.config.schema import SlackChannels

    notifier = TaskFailureNotifier()
    channels = SlackChannels(digest="#d", alerts="#a", reports="#r", ops="#ops")
    assert (
        channels.ops == "#ops" and SlackChannels(digest="#d", alerts="#a", reports="#r").ops is None
    )
    with pytest.raises(ValueError, match="is not a Slack channel"):
        SlackChannels(digest="#d", alerts="#a", reports="#r", ops="ops room")
    assert notifier._settings()[3] is None  # the example configuration has none


def test_a_broken_configuration_still_reaches_the_alerts_channel(
    sandbox_connections, tmp_path, monkeypatch
):
    from socialops.config import ConfigError, load_config

    broken = tmp_path / "socialops.yaml"
    broken.write_text(
        "brand: {name: B, locale: fr}\n"
        "competitors: [{name: Rival, accounts: [{network: x}]}]\n"
        "slack: {channels: {alerts: '#cm-alertes'}}\n"
    )
    monkeypatch.setenv("SOCIALOPS_CONFIG", str(broken))
    context = _context()
    try:
        load_config()
    except ConfigError as exc:  # what the run's first task fails with
        context["exception"] = exc
    task_failure_alert(context)
    [alert] = sandbox_connections.world.slack["#cm-alertes"]
    assert "competitors[0].accounts[0].handle: missing" in alert.text
