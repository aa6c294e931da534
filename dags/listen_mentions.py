"""Read every mention of the brand, score it, and watch for a crisis, every 15 minutes.

See docs/dags/listen_mentions.md and docs/listening.md.
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
from socialops.operators.listen import ListenOperator

WEB = "web"  # the feeds' pseudo-network (socialops.listening.sources.WEB)

DOC = """
### Listen to mentions

Every run (`listening.schedule`, every 15 minutes by default):

1. **prepare_warehouse** migrates the warehouse if needed.
2. **plan_&lt;network&gt;** (and **plan_web**) lists the sources of the brand configuration: \
X recent search
   (`listening.keywords`, `hashtags`, `languages`; no retweets, no own posts), the comments
   on each owned account's recent posts (all five networks), the posts tagging the brand
   (Facebook, Instagram), Instagram hashtag search (30 hashtags a week), YouTube keyword search \
(`listening.youtube_search_per_day`) and
   each RSS/Atom feed of `listening.feeds`.
3. **listen_&lt;network&gt;** (in the pool `socialops_<network>`) and **listen_web** are
   mapped over them. Each reads from its cursor, scores the mentions (language
   fr/en/other, sentiment) and stores them with the new cursor in one transaction: a rerun
   reads nothing twice, a crash loses nothing. A failing source is announced in the alerts
   channel and fails alone; the others are read.
4. **watch_crisis** (always runs) runs the crisis detector over the mentions per 5 minutes
   and announces each incident once; escalation, calm and all-clear edit the same message.
   A `crisis` pauses publication when `thresholds.crisis.pause_publication` is true.
5. **deliver_notifications** sends the outbox; **run_outcome** fails the run if a task failed.

Param `as_of` (ISO time) makes a run act as if it were that time (sandbox only).
"""

_settings = dag_settings()


@dag(
    dag_id="listen_mentions",
    description="Read mentions and comments of the brand, score them, and alert on a crisis",
    schedule=_settings.listening_schedule,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags("listening"),
    doc_md=DOC,
    params={
        "as_of": Param(None, type=["null", "string"], description="act as if it were this ISO time")
    },
)
def listen_mentions():
    @task(execution_timeout=timedelta(minutes=5))
    def prepare_warehouse() -> None:
        from socialops.listening import tasks
        from socialops.runtime import current_run

        tasks.prepare_warehouse(current_run())

    @task(execution_timeout=timedelta(minutes=2))
    def plan(network: str, params=None) -> list[dict]:
        from socialops.listening import tasks
        from socialops.runtime import current_run

        return tasks.plan(current_run(params), network)

    # The next run reads a failed feed from its cursor: one retry is enough.
    @task(execution_timeout=timedelta(minutes=5), retries=1, map_index_template="{{ feed }}")
    def listen_web(source: dict, params=None) -> dict:
        from airflow.sdk import get_current_context

        from socialops.listening import tasks
        from socialops.listening.sources import FeedError
        from socialops.notifications.callbacks import NotifiedRetry
        from socialops.runtime import current_run

        get_current_context()["feed"] = source["url"]
        try:
            return tasks.listen(current_run(params), source)
        except FeedError as exc:  # announced by tasks.listen: no second message
            raise NotifiedRetry(f"listening {source['key']}: {exc}") from exc

    @task(trigger_rule="all_done", execution_timeout=timedelta(minutes=10))
    def watch_crisis(params=None) -> dict:
        from socialops.listening import tasks
        from socialops.runtime import current_run

        return tasks.watch(current_run(params))

    prepared = prepare_warehouse()
    watched = watch_crisis()
    delivered = deliver_notifications()
    watched >> delivered
    outcome = fail_run_if_a_task_failed("listen_mentions")
    [prepared, watched, delivered] >> outcome
    for network in [*NETWORKS, WEB]:
        planned = plan.override(task_id=f"plan_{network}")(network)
        prepared >> planned
        if network == WEB:
            listened = listen_web.expand_kwargs(planned)
        else:
            listened = ListenOperator.partial(
                task_id=f"listen_{network}",
                network=network,
                pool=SPECS[network].pool,
                queue=_settings.queue(network),
                as_of="{{ params.as_of }}",
                retries=1,
                execution_timeout=timedelta(minutes=10),
                map_index_template="{{ task.source.key }}",
            ).expand_kwargs(planned)
        [planned, listened] >> outcome
        listened >> watched


dag_listen_mentions = listen_mentions()
