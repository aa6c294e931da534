"""Publish the editorial calendar: every approved, due entry goes out once per network.

See docs/dags/publish_posts.md and docs/exactly-once.md.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, task

from socialops.dag_defaults import (
    dag_settings,
    default_args,
    deliver_notifications,
    fail_run_if_a_task_failed,
    tags,
)
from socialops.networks.registry import NETWORKS, SPECS
from socialops.operators.publish import PublishOperator

DOC = """
### Publish the editorial calendar

Every run (`publication.schedule`, every 5 minutes by default):

1. **sync_calendar** reads the calendar (CSV or Google Sheet, `publication.calendar`),
   validates each row per network and syncs it into `calendar_entries` / `publications`.
   Rejected rows are summarised in **one** Slack message (not repeated while unchanged);
   every valid row still goes out.
2. **plan_&lt;network&gt;** checks the kill switch (`publication.paused` or the Variable
   `socialops_publication_paused`), marks posts past the grace window as missed (Slack),
   and lists what is due on its network.
3. **publish_&lt;network&gt;** is mapped over that network's due publications in chunks
   (`publication.chunk_size` of one connection, one adapter each), in the pool
   `socialops_<network>`. For each post it claims the publication in the ledger,
   reconciles any earlier uncertain attempt with the network, commits its intent,
   publishes, stores the post id. A rate limit holds the rest of the chunk back until
   the reset; more than 1,024 chunks on a network are carried to the next run.
4. **deliver_notifications** sends the outbox to Slack (confirmations with links, failures
   with what to do), even when a publish task failed.
5. **run_outcome** runs only when a task failed, and fails, so the run shows as failed
   although its notifications went out.

Runs may overlap and old runs may be rerun: the ledger makes each post go out exactly once.
Param `as_of` (ISO time) makes a run act as if it were that time (demos, tests).
"""

_settings = dag_settings()  # schedules, time zone, queues: read without the schema


@dag(
    dag_id="publish_posts",
    description="Publish the approved, due entries of the editorial calendar, once per network",
    schedule=_settings.publication_schedule,
    catchup=False,
    max_active_runs=2,
    default_args=default_args(),
    tags=tags("publication"),
    doc_md=DOC,
    params={
        "as_of": Param(None, type=["null", "string"], description="act as if it were this ISO time")
    },
)
def publish_posts():
    @task(execution_timeout=timedelta(minutes=5))
    def sync_calendar(params=None) -> dict:
        from socialops.publishing import tasks
        from socialops.runtime import current_run

        return tasks.sync_calendar(current_run(params))

    @task(execution_timeout=timedelta(minutes=5))
    def plan(network: str, params=None) -> list[dict]:
        from socialops.publishing import tasks
        from socialops.runtime import current_run

        return tasks.plan(current_run(params), network)

    synced = sync_calendar()
    delivered = deliver_notifications()
    outcome = fail_run_if_a_task_failed("publish_posts")
    for network in NETWORKS:
        planned = plan.override(task_id=f"plan_{network}")(network)
        synced >> planned
        published = PublishOperator.partial(
            task_id=f"publish_{network}",
            network=network,
            pool=SPECS[network].pool,
            queue=_settings.queue(network),
            as_of="{{ params.as_of }}",
            # Shorter than the ledger's 30-minute lease, so an attempt never outlives it.
            execution_timeout=timedelta(minutes=20),
            map_index_template="{{ task.entries }} · " + SPECS[network].display_name,
        ).expand_kwargs(planned)
        published >> delivered
        published >> outcome
    [synced, delivered] >> outcome


dag_publish_posts = publish_posts()
