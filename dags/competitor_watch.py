"""Watch the competitors' public figures and posts every day, and tell the moves worth knowing.

See docs/dags/competitor_watch.md and docs/competitors.md.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronDataIntervalTimetable, dag, task

from socialops.dag_defaults import (
    dag_settings,
    default_args,
    deliver_notifications,
    fail_run_if_a_task_failed,
    tags,
)
from socialops.networks.registry import NETWORKS, SPECS
from socialops.operators.watch import CompetitorWatchOperator

DOC = """
### Competitor watch

Each run owns one brand-local day, as the nightly metrics (the run at 06:30 on the 21st
watches the 20th), and runs after them so the brand's own figures of the day are loaded.

1. **prepare_warehouse** migrates the warehouse if needed and (re)creates the KPI views
   (`kpi_competitor_weekly` among them).
2. **watch_&lt;network&gt;** (pool `socialops_<network>`) looks up the network's competitor
   accounts in batches (X 100 per call, YouTube 50, Facebook 50, Instagram one business
   discovery call per account that also brings its posts), then each account's posts of
   `competitor_watch.window_days` with their public engagement. An account the network does
   not show is recorded with the reason, announced once, and looked up again after
   `competitor_watch.retry_unreadable_days`. One transaction per network; a rerun writes
   nothing. A network that fails does not stop the others.
3. **report** (always runs) finds the moves worth knowing (a post far above its account's
   usual, a follower jump, a burst of posts) and writes the new ones in one message;
   **deliver_notifications** sends it to the digest channel.

Rerun a day: `airflow dags test competitor_watch 2026-11-21T07:30:00+01:00`.
"""

_settings = dag_settings()


@dag(
    dag_id="competitor_watch",
    description="Daily public figures, posts and moves of the brand's competitors",
    schedule=CronDataIntervalTimetable(
        _settings.competitor_watch_schedule, timezone=_settings.timezone
    ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags("competitors"),
    doc_md=DOC,
)
def competitor_watch():
    @task(execution_timeout=timedelta(minutes=10))
    def prepare_warehouse() -> list[str]:
        from socialops.competitors import tasks
        from socialops.runtime import current_run

        return tasks.prepare_warehouse(current_run())

    @task(trigger_rule="all_done", execution_timeout=timedelta(minutes=10))
    def report(data_interval_start=None, ti=None) -> dict:
        from socialops.competitors import tasks
        from socialops.runtime import current_run

        run = current_run()
        summaries = ti.xcom_pull(task_ids=[f"watch_{network}" for network in NETWORKS])
        return tasks.report(run, tasks.run_day(run, data_interval_start), summaries)

    prepared = prepare_warehouse()
    reported = report()
    delivered = deliver_notifications()
    outcome = fail_run_if_a_task_failed("competitor_watch")
    for network in NETWORKS:
        watched = CompetitorWatchOperator(
            task_id=f"watch_{network}",
            network=network,
            pool=SPECS[network].pool,
            queue=_settings.queue(network),
            execution_timeout=timedelta(minutes=30),
        )
        prepared >> watched >> reported
        watched >> outcome
    reported >> delivered
    [prepared, reported, delivered] >> outcome


dag_competitor_watch = competitor_watch()
