"""The sender against the sandbox's Slack (escaping and limits: tests/notifications)."""

from __future__ import annotations

import time

import pytest

from socialops.hooks.slack import SlackConnectionMissing, SlackDeliveryError, SlackSender
from socialops.notifications.blocks import Message, section
from socialops.notifications.mrkdwn import escape

# -- the sender against the sandbox --------------------------------------------------------


def test_send_posts_to_the_sandbox_and_returns_the_ts(sandbox_connections):
    message = Message(escape("<!channel> hello"), [section(escape("<@U1> & co"))])
    ts = SlackSender().send("#cm-alertes", message)
    [posted] = sandbox_connections.world.slack["#cm-alertes"]
    assert posted.ts == ts
    assert posted.text == "&lt;!channel&gt; hello"
    assert posted.blocks == [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "&lt;@U1&gt; &amp; co", "verbatim": True},
        }
    ]


def test_send_in_thread_and_update(sandbox_connections):
    sender = SlackSender()
    parent = sender.send("#cm-digest", Message("parent"))
    sender.send("#cm-digest", Message("reply"), thread_ts=parent)
    assert sender.update("#cm-digest", parent, Message("edited")) == parent
    messages = sandbox_connections.world.slack["#cm-digest"]
    assert [(m.text, m.thread_ts) for m in messages] == [("edited", None), ("reply", parent)]


def test_rate_limit_is_retried_after_retry_after_then_succeeds(sandbox_connections):
    sandbox_connections.add_fault(
        network="slack", kind="rate_limit", path="/api/chat.postMessage", reset_after=1
    )
    started = time.monotonic()
    ts = SlackSender().send("#cm-alertes", Message("après le 429"))
    assert time.monotonic() - started >= 1
    assert [r["status"] for r in sandbox_connections.requests("slack")] == [429, 200]
    assert sandbox_connections.world.slack["#cm-alertes"][0].ts == ts


def test_rate_limit_longer_than_the_bound_is_not_slept(sandbox_connections):
    sandbox_connections.add_fault(network="slack", kind="rate_limit", reset_after=600)
    with pytest.raises(SlackDeliveryError) as caught:
        SlackSender(max_wait_seconds=30).send("#cm-alertes", Message("plus tard"))
    assert caught.value.code == "ratelimited" and caught.value.retryable
    assert "rate limiting" in str(caught.value)
    assert len(sandbox_connections.requests("slack")) == 1


def test_rate_limit_retries_are_bounded(sandbox_connections):
    sandbox_connections.add_fault(network="slack", kind="rate_limit", reset_after=0, count=5)
    with pytest.raises(SlackDeliveryError, match="ratelimited"):
        SlackSender(max_rate_limit_retries=1).send("#cm-alertes", Message("x"))
    assert len(sandbox_connections.requests("slack")) == 2


@pytest.mark.parametrize(
    ("retry_after", "retried"), [("2", True), ("31", False), ("1.5", False), ("soon", False)]
)
def test_rate_limit_handler_retries_only_waits_it_can_read_and_bound(retry_after, retried):
    # slack_sdk sleeps int(Retry-After): a value it cannot parse must not be retried (it would
    # raise ValueError inside slack_sdk instead of a SlackDeliveryError).
    from slack_sdk.http_retry.request import HttpRequest
    from slack_sdk.http_retry.response import HttpResponse
    from slack_sdk.http_retry.state import RetryState

    from socialops.hooks.slack import _rate_limit_handler

    handler = _rate_limit_handler(max_retries=3, max_wait_seconds=30)
    response = HttpResponse(status_code=429, headers={"Retry-After": [retry_after]})
    request = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})
    assert handler.can_retry(state=RetryState(), request=request, response=response) is retried


def test_expired_token_names_the_connection_to_renew(sandbox_connections):
    sandbox_connections.add_fault(network="slack", kind="expired_token")
    with pytest.raises(SlackDeliveryError) as caught:
        SlackSender().send("#cm-alertes", Message("x"))
    assert caught.value.code == "token_expired" and not caught.value.retryable
    assert "Renew the Slack bot token in the Airflow connection 'slack_default'" in str(
        caught.value
    )


def test_unknown_channel_id_is_reported(sandbox_connections):
    with pytest.raises(SlackDeliveryError, match="channel_not_found.*invite the bot to C0NOPE0000"):
        SlackSender().send("C0NOPE0000", Message("x"))


def test_server_error_is_retryable(sandbox_connections):
    sandbox_connections.add_fault(network="slack", kind="server_error")
    with pytest.raises(SlackDeliveryError) as caught:
        SlackSender().send("#cm-alertes", Message("x"))
    assert caught.value.retryable


def test_missing_connection(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_SLACK_MISSING", raising=False)
    with pytest.raises(
        SlackConnectionMissing, match="Create the Airflow connection 'slack_missing'"
    ):
        SlackSender("slack_missing").send("#cm-alertes", Message("x"))


def test_unreachable_slack_is_retryable(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_DOWN",
        '{"conn_type": "slack", "password": "xoxb-x", '
        '"extra": {"base_url": "http://127.0.0.1:9/api/", "timeout": 2}}',
    )
    with pytest.raises(SlackDeliveryError, match="could not reach Slack") as caught:
        SlackSender("slack_down").send("#cm-alertes", Message("x"))
    assert caught.value.retryable
