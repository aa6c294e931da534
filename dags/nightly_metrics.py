"""Extract every owned account's metrics of yesterday into the warehouse, every night.

See docs/dags/nightly_metrics.md and docs/kpis.md.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronDataIntervalTimetable, dag, task

from socialops.assets import DAILY_METRICS
from socialops.dag_defaults import (
    dag_settings,
    default_args,
    deliver_notifications,
    fail_run_if_a_task_failed,
    tags,
)
from socialops.networks.registry import NETWORKS, SPECS
from socialops.operators.extract import MetricsExtractOperator

DOC = """
### Nightly metrics

Each run owns one day: the brand-local day its data interval starts on (the run at 03:30
on the 21st loads the 20th), so reruns and backfills reload exactly that day.

1. **prepare_warehouse** migrates the warehouse if needed and (re)creates the KPI views.
2. **plan_&lt;network&gt;** lists the network's owned accounts with their lookback window.
3. **extract_&lt;network&gt;** is mapped over that network's accounts (pool
   `socialops_<network>`): account metrics, posts of the lookback window (new ones added
   to `posts`), their metrics in batches at the API maximum, data-quality checks, then one
   upsert transaction. Suspicious rows (negative counts, follower jumps beyond
   `thresholds.data_quality.follower_change_pct`) are quarantined in `alerts`, not loaded.
   One failing account or network (e.g. YouTube `quotaExceeded`) does not stop the others.
4. **load_campaigns** loads budgets from the configuration and daily spend from the ads
   API of the campaign's network (Meta) or else from `metrics.campaigns_csv`; an API
   campaign-day wins over its CSV row.
5. **report** (always runs) writes failed extractions and data-quality issues of the day to
   the outbox, once per problem; **deliver_notifications** sends them to the alerts channel.
6. **publish_asset** updates the `x-socialops://warehouse/daily_metrics` Asset when every
   extraction succeeded; otherwise the run is failed and the Asset waits for the rerun of the
   failed tasks.

Backfill: `airflow backfill create --dag-id nightly_metrics --from-date 2026-11-18
--to-date 2026-11-20`, or one day with `airflow dags test nightly_metrics
2026-11-21T05:00:00+01:00` (the interval ending on the 21st's 03:30 loads the 20th).
"""

_settings = dag_settings()  # the schedule and time zone only, read without the schema


@dag(
    dag_id="nightly_metrics",
    description="Load yesterday's account, post and campaign metrics into the warehouse",
    schedule=CronDataIntervalTimetable(_settings.metrics_schedule, timezone=_settings.timezone),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags("metrics"),
    doc_md=DOC,
)
def nightly_metrics():
    @task(execution_timeout=timedelta(minutes=10))
    def prepare_warehouse() -> list[str]:
        from socialops.metrics import tasks
        from socialops.runtime import current_run

        return tasks.prepare_warehouse(current_run())

    @task(execution_timeout=timedelta(minutes=5))
    def plan(network: str, data_interval_start=None) -> list[dict]:
        from socialops.metrics import tasks
        from socialops.runtime import current_run

        run = current_run()
        return tasks.plan(run, network, tasks.run_day(run, data_interval_start))

    @task(execution_timeout=timedelta(minutes=15))
    def load_campaigns(data_interval_start=None) -> dict:
        from socialops.metrics import tasks
        from socialops.runtime import current_run

        run = current_run()
        return tasks.load_campaigns(run, tasks.run_day(run, data_interval_start))

    @task(trigger_rule="all_done", execution_timeout=timedelta(minutes=10))
    def report(data_interval_start=None, ti=None) -> dict:
        from socialops.metrics import tasks
        from socialops.runtime import current_run

        run = current_run()
        summaries = ti.xcom_pull(task_ids=[f"extract_{network}" for network in NETWORKS])
        return tasks.report(run, tasks.run_day(run, data_interval_start), summaries)

    @task(
        trigger_rule="none_failed",
        outlets=[DAILY_METRICS],
        execution_timeout=timedelta(minutes=5),
    )
    def publish_asset(data_interval_start=None, outlet_events=None) -> str:
        from socialops.metrics import tasks
        from socialops.runtime import current_run

        day = tasks.run_day(current_run(), data_interval_start).isoformat()
        outlet_events[DAILY_METRICS].extra = {"day": day}
        return day

    prepared = prepare_warehouse()
    campaigns = load_campaigns()
    prepared >> campaigns
    reported = report()
    done = [reported, publish_asset()]
    campaigns >> done
    delivered = deliver_notifications()
    reported >> delivered
    outcome = fail_run_if_a_task_failed("nightly_metrics")
    [prepared, campaigns, reported, delivered] >> outcome
    for network in NETWORKS:
        accounts = plan.override(task_id=f"plan_{network}")(network)
        prepared >> accounts
        extracted = MetricsExtractOperator.partial(
            task_id=f"extract_{network}",
            network=network,
            pool=SPECS[network].pool,
            queue=_settings.queue(network),
            execution_timeout=timedelta(hours=1),
            map_index_template="{{ task.account }}",
        ).expand_kwargs(accounts)
        extracted >> done
        extracted >> outcome


dag_nightly_metrics = nightly_metrics()
