"""Publish the editorial calendar: every approved, due entry goes out once per network.

See docs/dags/publish_posts.md and docs/exactly-once.md.
"""

from __future__ import annotations

from airflow.sdk import Param, dag, task

from socialops.config import NETWORKS, load_config
from socialops.dag_defaults import default_args, tags
from socialops.deployment import pool_name, queue_name
from socialops.operators.publish import PUBLISH_OPERATORS

DOC = """
### Publish the editorial calendar

Every run (`publication.schedule`, every 5 minutes by default):

1. **sync_calendar** reads the calendar (CSV or Google Sheet, `publication.calendar`),
   validates each row per network and syncs it into `calendar_entries` / `publications`.
   Rejected rows are summarised in **one** Slack message (not repeated while unchanged);
   every valid row still goes out.
2. **plan** checks the kill switch (`publication.paused` or the Variable
   `socialops_publication_paused`), marks posts past the grace window as missed (Slack),
   and lists what is due per network.
3. **publish_&lt;network&gt;** is mapped over that network's due publications, in the pool
   `socialops_<network>`. Each claims its publication in the ledger, reconciles any earlier
   uncertain attempt with the network, commits its intent, publishes, stores the post id.
4. **deliver_notifications** sends the outbox to Slack (confirmations with links, failures
   with what to do), even when a publish task failed.

Runs may overlap and old runs may be rerun: the ledger makes each post go out exactly once.
Param `as_of` (ISO time) makes a run act as if it were that time (demos, tests).
"""

_config = load_config()  # one local YAML file, cached per version: only the schedule


@dag(
    dag_id="publish_posts",
    schedule=_config.publication.schedule,
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
    @task
    def sync_calendar(params=None) -> dict:
        from airflow.sdk import BaseHook

        from socialops.hooks.base import settings_from_connection
        from socialops.operators.publish import parse_as_of
        from socialops.publishing.run import sync
        from socialops.warehouse.engine import ensure_schema, get_engine

        engine = get_engine()
        ensure_schema(engine)
        summary = sync(
            load_config(),
            engine,
            now=parse_as_of(params.get("as_of")),
            sheet_settings=lambda conn_id: settings_from_connection(
                BaseHook.get_connection(conn_id)
            ),
        )
        return summary.as_dict()

    @task
    def plan(params=None) -> dict[str, list[dict]]:
        from airflow.sdk import Variable

        from socialops.operators.publish import parse_as_of
        from socialops.publishing.run import pause_reason
        from socialops.publishing.run import plan as plan_run
        from socialops.warehouse.engine import get_engine

        config = load_config()
        paused = pause_reason(config, lambda name: Variable.get(name, default=None))
        return plan_run(config, get_engine(), now=parse_as_of(params.get("as_of")), paused=paused)

    @task
    def due_on(plans: dict[str, list[dict]], network: str) -> list[dict]:
        # Airflow maps over a whole XCom only, not over one key of a dict.
        return plans[network]

    @task(trigger_rule="all_done")
    def deliver_notifications() -> dict:
        from datetime import UTC, datetime

        from socialops.notifications import SlackSender
        from socialops.publishing.outbox import deliver_pending
        from socialops.warehouse.engine import get_engine

        delivery = deliver_pending(
            get_engine(), SlackSender(load_config().slack.conn_id), now=datetime.now(UTC)
        )
        if delivery.errors:
            from airflow.sdk.exceptions import AirflowException

            raise AirflowException(
                f"{delivery.failed} Slack message(s) not delivered: {delivery.errors[0]}"
            )
        return {"sent": delivery.sent}

    planned = plan()
    sync_calendar() >> planned
    delivered = deliver_notifications()
    for network in NETWORKS:
        published = (
            PUBLISH_OPERATORS[network]
            .partial(
                task_id=f"publish_{network}",
                pool=pool_name(network),
                queue=queue_name(network, _config),
                as_of="{{ params.as_of }}",
            )
            .expand_kwargs(due_on.override(task_id=f"due_{network}")(planned, network))
        )
        published >> delivered


dag_publish_posts = publish_posts()
