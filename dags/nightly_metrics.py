"""Extract every owned account's metrics of yesterday into the warehouse, every night.

See docs/dags/nightly_metrics.md and docs/kpis.md.
"""

from __future__ import annotations

import logging

from airflow.sdk import CronDataIntervalTimetable, dag, task

from socialops.assets import DAILY_METRICS
from socialops.config import NETWORKS, load_config
from socialops.dag_defaults import default_args, tags
from socialops.deployment import pool_name, queue_name
from socialops.operators.extract import METRICS_OPERATORS

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
5. **report** (always runs) posts failed extractions and data-quality issues of the day to
   the alerts channel, once per problem.
6. **publish_asset** updates the `socialops://warehouse/daily_metrics` Asset when every
   extraction succeeded; otherwise the run is failed and the Asset waits for the rerun of the
   failed tasks.

Backfill: `airflow backfill create --dag-id nightly_metrics --from-date 2026-11-18
--to-date 2026-11-20`, or one day with `airflow dags test nightly_metrics
2026-11-21T05:00:00+01:00` (the interval ending on the 21st's 03:30 loads the 20th).
"""

log = logging.getLogger(__name__)
_config = load_config()  # one local YAML file, cached: the schedule and its time zone


@dag(
    dag_id="nightly_metrics",
    schedule=CronDataIntervalTimetable(_config.metrics.schedule, timezone=_config.brand.timezone),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags("metrics"),
    doc_md=DOC,
)
def nightly_metrics():
    @task
    def prepare_warehouse() -> list[str]:
        from socialops.warehouse.engine import ensure_schema, get_engine
        from socialops.warehouse.views import create_kpi_views

        engine = get_engine()
        ensure_schema(engine)
        return create_kpi_views(engine)

    @task
    def plan(network: str, data_interval_start=None) -> list[dict]:
        from socialops.extraction import metrics_day, targets_from_config

        config = load_config()
        day = metrics_day(data_interval_start, config.brand.timezone).isoformat()
        return [
            {
                "account": target.handle,
                "conn_id": target.conn_id,
                "day": day,
                "lookback_days": target.lookback_days,
            }
            for target in targets_from_config(config)
            if target.network == network
        ]

    @task
    def load_campaigns(data_interval_start=None) -> dict:
        from socialops.extraction import CampaignSpendUnavailable, metrics_day
        from socialops.extraction import load_campaigns as load
        from socialops.notifications.callbacks import NotifiedFailure, NotifiedRetry
        from socialops.warehouse.engine import get_engine

        config = load_config()
        day = metrics_day(data_interval_start, config.brand.timezone)
        try:
            return load(get_engine(), config, day).summary()
        except CampaignSpendUnavailable as exc:
            # Recorded as an alert that the report task announces.
            raise (NotifiedRetry if exc.retryable else NotifiedFailure)(str(exc)) from exc

    @task(trigger_rule="all_done")
    def report(data_interval_start=None, ti=None) -> dict:
        from socialops.extraction import metrics_day
        from socialops.extraction.report import announce, build_report
        from socialops.notifications import SlackSender
        from socialops.warehouse.engine import get_engine

        config = load_config()
        engine = get_engine()
        summaries = ti.xcom_pull(task_ids=[f"extract_{network}" for network in NETWORKS])
        nightly = build_report(
            engine, metrics_day(data_interval_start, config.brand.timezone), summaries
        )
        log.info("API calls of this run per network: %s", nightly.api_calls or "none")
        sender = SlackSender(config.slack.conn_id)
        sent = announce(
            engine,
            nightly,
            lambda message: sender.send(config.slack.channels.alerts, message),
            locale=config.brand.locale,
        )
        return {**nightly.summary(), "slack_messages": sent}

    @task(trigger_rule="none_failed", outlets=[DAILY_METRICS])
    def publish_asset(data_interval_start=None, outlet_events=None) -> str:
        from socialops.extraction import metrics_day

        day = metrics_day(data_interval_start, load_config().brand.timezone).isoformat()
        outlet_events[DAILY_METRICS].extra = {"day": day}
        return day

    prepared = prepare_warehouse()
    campaigns = load_campaigns()
    prepared >> campaigns
    done = [report(), publish_asset()]
    campaigns >> done
    for network in NETWORKS:
        accounts = plan.override(task_id=f"plan_{network}")(network)
        prepared >> accounts
        extracted = (
            METRICS_OPERATORS[network]
            .partial(
                task_id=f"extract_{network}",
                pool=pool_name(network),
                queue=queue_name(network, _config),
            )
            .expand_kwargs(accounts)
        )
        extracted >> done


dag_nightly_metrics = nightly_metrics()
