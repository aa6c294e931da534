"""A minimal DAG using the same airflow.sdk features as socialops's DAG files: the baseline of
bench/parse.py and tests/dags/test_parse_cost.py."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import BaseOperator, CronDataIntervalTimetable, Param, dag, task


class Op(BaseOperator):
    def execute(self, context):
        return None


@dag(
    dag_id="minimal",
    schedule=CronDataIntervalTimetable("30 3 * * *", timezone="Europe/Paris"),
    catchup=False,
    params={"as_of": Param(None, type=["null", "string"])},
)
def minimal():
    @task(execution_timeout=timedelta(minutes=5))
    def a(network: str) -> list:
        return []

    for n in ["x", "y"]:
        Op.partial(task_id=f"op_{n}", pool="p").expand_kwargs(a.override(task_id=f"a_{n}")(n))


minimal()


@dag(dag_id="minimal_cron", schedule="*/5 * * * *", catchup=False)
def minimal_cron():
    @task(trigger_rule="one_failed")
    def b() -> None:
        return None

    b()


minimal_cron()
