"""The marketing lead's weekly report of the past ISO week: HTML and PDF, announced in Slack.

See docs/dags/weekly_report.md and docs/reports.md.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, Param, dag, task

from socialops.dag_defaults import (
    dag_settings,
    default_args,
    deliver_notifications,
    fail_run_if_a_task_failed,
    tags,
)

DOC = """
### Weekly report

Every Monday (`reports.weekly_schedule`, brand-local) for the **previous ISO week**, or for
any past week with the param `week` (`2026-W47`):

1. **render_report** computes the week with the KPI functions (the formulas of the KPI
   views), renders the HTML (charts inline) and the PDF (headless Chromium), and stores both
   under `reports.directory` (a folder, or an ObjectStoragePath URL), replacing the files of
   an earlier run of the same week; then writes the reports channel's summary (the KPIs
   against `objectives`, where the files are) to the outbox, once per week: a rerun that
   changed the report edits the summary and says the files were replaced.
2. **deliver_notifications** sends it.
3. **upload_files** uploads the HTML and the PDF (`files_upload_v2`) in the thread of the
   week's summary, once per version of the report (`report_uploads`); a changed rerun's
   files come with "generated again: these files replace the earlier ones".
4. **run_outcome** fails the run if a task failed.
"""

_settings = dag_settings()  # the weekly schedule and time zone, read without the schema


@dag(
    dag_id="weekly_report",
    description="Render last week's report (HTML, PDF) and announce it in the reports channel",
    schedule=CronTriggerTimetable(_settings.weekly_schedule, timezone=_settings.timezone),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags("reports"),
    doc_md=DOC,
    params={
        "week": Param(None, type=["null", "string"], description="ISO week, e.g. 2026-W47"),
        "as_of": Param(None, type=["null", "string"], description="act as if it were this time"),
    },
)
def weekly_report():
    @task(execution_timeout=timedelta(minutes=20))
    def render_report(params=None) -> dict:
        from socialops.reports import tasks
        from socialops.runtime import current_run

        return tasks.weekly_report(current_run(params), (params or {}).get("week"))

    @task(execution_timeout=timedelta(minutes=10))
    def upload_files(summary: dict, params=None) -> dict:
        from socialops.reports import tasks
        from socialops.runtime import current_run

        return tasks.upload_report(current_run(params), summary)

    rendered = render_report()
    delivered = deliver_notifications()
    rendered >> delivered
    uploaded = upload_files(rendered)
    delivered >> uploaded
    outcome = fail_run_if_a_task_failed("weekly_report")
    [rendered, delivered, uploaded] >> outcome


dag_weekly_report = weekly_report()
