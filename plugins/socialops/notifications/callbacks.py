"""The failure callback every socialops DAG uses: a short alert in the alerts channel.

>>> from socialops.notifications.callbacks import task_failure_alert
>>> @dag(..., default_args={"on_failure_callback": task_failure_alert})

The channel, the Slack connection and the language come from the brand configuration
(``slack.channels.alerts``, ``slack.conn_id``, ``brand.locale``), read when a task fails,
not when the DAG file is parsed. A missing Slack connection is logged, never raised: the
callback must not hide the task's own failure behind a second one.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseNotifier
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from socialops.hooks.slack import SlackConnectionMissing, SlackDeliveryError, SlackSender
from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import (
    Locale,
    render,
)
from socialops.notifications.mrkdwn import link


def task_failure(
    locale: Locale,
    *,
    dag_id: str,
    task_id: str,
    run_id: str,
    error: str,
    log_url: str | None = None,
) -> Message:
    """The short alert of the failure callback: which task of which run, and the error message."""
    headline = render(
        "task_failure", locale, dag_id=dag_id, task_id=task_id, run_id=run_id, error=error
    )
    blocks = [section(headline)]
    if log_url:
        blocks.append(
            context(
                render(
                    "task_failure_log",
                    locale,
                    link=link(log_url, render("task_failure_log_label", locale)),
                )
            )
        )
    return Message(headline, blocks)


class AlreadyReported:
    """Mixed into task errors whose specific Slack message (what failed, what to do) was already
    sent or queued, or will be by the DAG's report task: the generic task-failure alert stays
    quiet so that nobody reads the same failure twice."""


class NotifiedFailure(AlreadyReported, AirflowFailException):
    """Already reported, and retrying will not help: a person must act."""


class NotifiedRetry(AlreadyReported, AirflowException):
    """Already reported, and Airflow should retry the task."""


class TaskFailureNotifier(BaseNotifier):
    """Posts the DAG, task, run and exception message of a failed task instance to Slack."""

    def __init__(
        self,
        *,
        channel: str | None = None,
        slack_conn_id: str | None = None,
        locale: str | None = None,
    ):
        super().__init__()
        self.channel = channel
        self.slack_conn_id = slack_conn_id
        self.locale = locale

    def _settings(self) -> tuple[str | None, str, str]:
        if self.channel and self.slack_conn_id and self.locale:
            return self.channel, self.slack_conn_id, self.locale
        from socialops.config import ConfigError, load_config
        from socialops.config.loader import raw_value

        try:
            config = load_config()
        except ConfigError:
            # The failure may be the configuration itself: still alert, with what of it is
            # readable (a channel that is not a string is no channel).
            channel = raw_value("slack", "channels", "alerts")
            conn_id = raw_value("slack", "conn_id")
            locale = raw_value("brand", "locale")
            return (
                self.channel or (channel if isinstance(channel, str) else None),
                self.slack_conn_id or (conn_id if isinstance(conn_id, str) else "slack_default"),
                self.locale or (locale if locale in ("fr", "en") else "en"),
            )
        return (
            self.channel or config.slack.channels.alerts,
            self.slack_conn_id or config.slack.conn_id,
            self.locale or config.brand.locale,
        )

    def message(self, context: dict[str, Any], locale: str) -> Message:
        ti = context.get("ti") or context.get("task_instance")
        dag = context.get("dag")
        exception = context.get("exception")
        error = (
            f"{type(exception).__name__}: {exception}"
            if exception
            else "(no exception in the context)"
        )
        return task_failure(
            locale,
            dag_id=getattr(ti, "dag_id", None) or getattr(dag, "dag_id", "?"),
            task_id=getattr(ti, "task_id", "?"),
            run_id=context.get("run_id") or getattr(ti, "run_id", "?"),
            error=error,
            log_url=getattr(ti, "log_url", None),
        )

    def notify(self, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), AlreadyReported):
            self.log.info("No generic alert: the failure was already reported in Slack.")
            return
        channel, conn_id, locale = self._settings()
        message = self.message(context, locale)
        if channel is None:
            self.log.error(
                "Slack alert not sent: the configuration names no alerts channel "
                "(slack.channels.alerts). The alert was: %s",
                message.text,
            )
            return
        try:
            SlackSender(conn_id).send(channel, message)
        except SlackConnectionMissing as exc:
            self.log.warning("Slack alert not sent (%s). The alert was: %s", exc, message.text)
        except SlackDeliveryError as exc:
            self.log.error(
                "Slack alert to %s not sent: %s. The alert was: %s", channel, exc, message.text
            )


#: The ``on_failure_callback`` of every socialops DAG.
task_failure_alert = TaskFailureNotifier()
