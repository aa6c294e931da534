"""The failure callback every socialops DAG uses: an alert in Slack when a task fails.

>>> from socialops.notifications.callbacks import task_failure_alert
>>> @dag(..., default_args={"on_failure_callback": task_failure_alert})

The channels, the Slack connection and the language come from the brand configuration
(``slack.channels.alerts`` and ``ops``, ``slack.conn_id``, ``brand.locale``), read when a
task fails, not when the DAG file is parsed. With an ops channel, the engineer's alert (DAG,
task, run, exception) goes there and the community managers read one plain line in the
alerts channel; without one, the alerts channel gets the engineer's alert. Each message is
posted by the Slack provider's :class:`SlackNotifier`. A missing connection or a refusal is
logged, never raised: the callback must not hide the task's own failure behind a second one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseNotifier
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from socialops.i18n import N_, Text
from socialops.networks.errors import failure

if TYPE_CHECKING:  # Block Kit and the catalogues load when a task fails, not at parse time
    from socialops.notifications.blocks import Message
    from socialops.notifications.catalogue import Reader

#: What a failed task of each DAG means for the community managers.
CONSEQUENCES: dict[str, Text] = {
    "publish_posts": N_("Posts due now may wait until it is fixed."),
    "nightly_metrics": N_("This night's metrics may be missing until it is fixed."),
}


def task_failure(
    reader: Reader,
    *,
    dag_id: str,
    task_id: str,
    run_id: str,
    error: str,
    log_url: str | None = None,
) -> Message:
    """The engineer's alert: which task of which run, the exception, the log."""
    from socialops.notifications.blocks import Message, context, section
    from socialops.notifications.mrkdwn import code

    headline = reader.render(
        N_(
            ":red_circle: *Task failed* {task} (run {run}): {error}",
            task=code(f"{dag_id}.{task_id}"),
            run=code(run_id),
            error=error,
        )
    )
    blocks = [section(headline)]
    if log_url:
        log = reader.link(log_url, N_("open"))
        blocks.append(context(reader.render(N_("Task log: {link}", link=log))))
    return Message(headline, blocks)


def task_failure_notice(
    reader: Reader, *, dag_id: str, task_id: str, ops_channel: str, log_url: str | None = None
) -> Message:
    """The community managers' line when the engineer's alert went to the ops channel."""
    from socialops.notifications.blocks import Message, context, section
    from socialops.notifications.mrkdwn import code

    headline = reader.render(
        N_(
            ":red_circle: *A socialops task failed*: {task}. Whoever runs socialops has the "
            "details in {channel}.",
            task=code(f"{dag_id}.{task_id}"),
            channel=ops_channel,
        )
    )
    notes = [reader.render(CONSEQUENCES[dag_id])] if dag_id in CONSEQUENCES else []
    if log_url:
        log = reader.link(log_url, N_("open"))
        notes.append(reader.render(N_("Task log: {link}", link=log)))
    return Message(headline, [section(headline), *([context(" ".join(notes))] if notes else [])])


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
        ops_channel: str | None = None,
    ):
        super().__init__()
        self.channel = channel
        self.slack_conn_id = slack_conn_id
        self.locale = locale
        self.ops_channel = ops_channel

    def _settings(self) -> tuple[str | None, str, Reader, str | None]:
        """(alerts channel, connection, reader, ops channel): the arguments, else the brand's."""
        from socialops.notifications.catalogue import Reader

        if self.channel and self.slack_conn_id and self.locale:
            return self.channel, self.slack_conn_id, Reader(self.locale), self.ops_channel
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
                Reader(self.locale or (locale if locale in ("fr", "en") else "en")),
                self.ops_channel,
            )
        return (
            self.channel or config.slack.channels.alerts,
            self.slack_conn_id or config.slack.conn_id,
            Reader(self.locale or config.brand.locale, config.brand.timezone),
            self.ops_channel or config.slack.channels.ops,
        )

    def messages(
        self, context: dict[str, Any], reader: Reader, channel: str | None, ops_channel: str | None
    ) -> list[tuple[str | None, Message]]:
        """(channel, message) to post for the failure in ``context``."""
        ti = context.get("ti") or context.get("task_instance")
        dag = context.get("dag")
        exception = context.get("exception")
        # Any exception, not only the network layer's: redacted by the same rule.
        error = failure(exception) if exception else None
        dag_id = getattr(ti, "dag_id", None) or getattr(dag, "dag_id", "?")
        task_id = getattr(ti, "task_id", "?")
        log_url = getattr(ti, "log_url", None)
        details = task_failure(
            reader,
            dag_id=dag_id,
            task_id=task_id,
            run_id=context.get("run_id") or getattr(ti, "run_id", "?"),
            error=error or N_("(no exception in the context)"),
            log_url=log_url,
        )
        if not ops_channel:
            return [(channel, details)]
        short = task_failure_notice(
            reader, dag_id=dag_id, task_id=task_id, ops_channel=ops_channel, log_url=log_url
        )
        return [(ops_channel, details), (channel, short)]

    def notify(self, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), AlreadyReported):
            self.log.info("No generic alert: the failure was already reported in Slack.")
            return
        channel, conn_id, reader, ops_channel = self._settings()
        for target, message in self.messages(context, reader, channel, ops_channel):
            if target is None:
                self.log.error(
                    "Slack alert not sent: the configuration names no alerts channel "
                    "(slack.channels.alerts). The alert was: %s",
                    message.text,
                )
                continue
            self._post(conn_id, target, message, context)

    def _post(self, conn_id: str, channel: str, message: Message, context: dict[str, Any]) -> None:
        """Post with the provider's notifier; log (never raise) when Slack is unusable."""
        from airflow.exceptions import AirflowNotFoundException
        from airflow.providers.slack.notifications.slack import SlackNotifier
        from slack_sdk.errors import SlackApiError, SlackClientError

        from socialops.hooks.slack import _hint, _rate_limit_handler

        notifier = SlackNotifier(
            slack_conn_id=conn_id,
            channel=channel,
            text=message.text,
            blocks=message.block_dicts(),
            unfurl_links=False,
            unfurl_media=False,
            retry_handlers=[_rate_limit_handler(3, 30)],
        )
        where = f"Slack channel {channel} (connection '{conn_id}')"
        try:
            notifier.notify(context)
        except AirflowNotFoundException as exc:
            self.log.warning(
                "Slack alert to %s not sent (%s). Create the Airflow connection '%s' (conn_type "
                "slack, the bot token as password). The alert was: %s",
                where,
                exc,
                conn_id,
                message.text,
            )
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            self.log.error(
                "Slack alert to %s not sent: %s. %s The alert was: %s",
                where,
                error,
                _hint(error, conn_id, channel),
                message.text,
            )
        except (SlackClientError, OSError) as exc:
            self.log.error(
                "Slack alert to %s not sent: %s. The alert was: %s", where, exc, message.text
            )


#: The ``on_failure_callback`` of every socialops DAG.
task_failure_alert = TaskFailureNotifier()
