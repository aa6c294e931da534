"""The community manager's morning digest in Slack, once the night's metrics are in.

See docs/dags/daily_digest.md and docs/reports.md.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task

from socialops.assets import DAILY_METRICS
from socialops.dag_defaults import (
    dag_settings,
    default_args,
    deliver_notifications,
    fail_run_if_a_task_failed,
    tags,
)

DOC = """
### Daily digest

One message a day in the digest channel (`slack.channels.digest`), in the brand's language:
yesterday per network against the day before and the same day last week, the best post, what
is scheduled today, comments waiting for a reply, open alerts, live campaigns' budgets and the
best times to post this week. Each part appears only when it has something.

Runs **at `reports.digest_time`** (brand-local) and **whenever the daily metrics Asset is
updated** (`x-socialops://warehouse/daily_metrics`, by `nightly_metrics`):

1. **wait_for_digest_time** lets an Asset run of 04:00 wait until the digest time (a run
   after it goes on at once).
2. **compose_digest** reads the warehouse and writes the digest to the outbox as a version of
   that day's message: the same content adds nothing, new content (the night's figures came
   in after the digest time, a rerun) **edits** the message already posted (`chat.update`).
3. **deliver_notifications** sends it; **run_outcome** fails the run if a task failed.

Params: `day` (a past day's digest, `YYYY-MM-DD`, at once), `as_of` (act as if it were that
ISO time: sandbox only).
"""

_settings = dag_settings()  # the digest time and time zone, read without the schema


@dag(
    dag_id="daily_digest",
    description="Post the community manager's morning digest once the night's metrics are in",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(_settings.digest_cron, timezone=_settings.timezone),
        assets=[DAILY_METRICS],
    ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags("reports"),
    doc_md=DOC,
    params={
        "day": Param(None, type=["null", "string"], description="the digest of this day"),
        "as_of": Param(None, type=["null", "string"], description="act as if it were this time"),
    },
)
def daily_digest():
    @task.sensor(
        poke_interval=300,
        timeout=timedelta(hours=20).total_seconds(),
        mode="reschedule",
        execution_timeout=timedelta(minutes=5),
    )
    def wait_for_digest_time(params=None) -> bool:
        from socialops.reports import tasks
        from socialops.runtime import current_run

        return tasks.digest_due(current_run(params), (params or {}).get("day"))

    @task(execution_timeout=timedelta(minutes=10))
    def compose_digest(params=None) -> dict:
        from socialops.reports import tasks
        from socialops.runtime import current_run

        return tasks.compose_digest(current_run(params), (params or {}).get("day"))

    waited = wait_for_digest_time()
    composed = compose_digest()
    delivered = deliver_notifications()
    waited >> composed >> delivered
    outcome = fail_run_if_a_task_failed("daily_digest")
    [waited, composed, delivered] >> outcome


dag_daily_digest = daily_digest()
