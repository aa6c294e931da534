"""Score the influencer candidates every week and post the shortlist, every part shown.

See docs/dags/influencer_scoring.md and docs/influencers.md.
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
from socialops.operators.watch import InfluencerScoringOperator

DOC = """
### Influencer scoring

Each run scores on the brand-local day its data interval ends on (the Monday of the
schedule), over the weeks before it.

1. **prepare_warehouse** migrates the warehouse if needed.
2. **score_&lt;network&gt;** (pool `socialops_<network>`): the candidates of
   `influencer_candidates` plus the authors of the last `influencers.discovery_weeks` weeks
   of mentions (above `influencers.reach_floor` followers; never the brand, a competitor or
   `influencers.excluded`), looked up in batches with their recent posts, scored 0-100 with
   stored components and flags into `influencer_scores` (a rerun writes nothing).
3. **shortlist** (always runs) writes the weekly shortlist (top candidates, flagged ones
   apart, new entrants, the unscored and why); **deliver_notifications** sends it to the
   digest channel.
"""

_settings = dag_settings()


@dag(
    dag_id="influencer_scoring",
    description="Weekly explainable scores of influencer candidates and their shortlist",
    schedule=CronDataIntervalTimetable(
        _settings.influencer_scoring_schedule, timezone=_settings.timezone
    ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags("influencers"),
    doc_md=DOC,
)
def influencer_scoring():
    @task(execution_timeout=timedelta(minutes=10))
    def prepare_warehouse() -> dict:
        from socialops.influencers import tasks
        from socialops.runtime import current_run

        return tasks.prepare_warehouse(current_run())

    @task(trigger_rule="all_done", execution_timeout=timedelta(minutes=10))
    def shortlist(data_interval_end=None, ti=None) -> dict:
        from socialops.influencers import tasks
        from socialops.runtime import current_run

        run = current_run()
        summaries = ti.xcom_pull(task_ids=[f"score_{network}" for network in NETWORKS])
        return tasks.shortlist(run, tasks.run_day(run, data_interval_end), summaries)

    prepared = prepare_warehouse()
    listed = shortlist()
    delivered = deliver_notifications()
    outcome = fail_run_if_a_task_failed("influencer_scoring")
    for network in NETWORKS:
        scored = InfluencerScoringOperator(
            task_id=f"score_{network}",
            network=network,
            pool=SPECS[network].pool,
            queue=_settings.queue(network),
            execution_timeout=timedelta(minutes=30),
        )
        prepared >> scored >> listed
        scored >> outcome
    listed >> delivered
    [prepared, listed, delivered] >> outcome


dag_influencer_scoring = influencer_scoring()
