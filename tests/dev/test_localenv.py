"""The project-local Airflow's helpers."""

from __future__ import annotations

from socialops.dev.localenv import DagTestResult, save_task_logs


def _output() -> str:
    run = "manual__2026-12-02T00:44:26.510843+00:00"
    lines = []
    for task, index in [
        ("sync_calendar", -1),
        ("publish_x", 0),
        ("publish_x", 1),
        ("publish_x", 0),
    ]:
        lines += [
            f"2026-12-02T00:44:27Z [info] [DAG TEST] starting task_id={task} map_index={index} [x]",
            f"2026-12-02T00:44:27Z [info] [DAG TEST] running task <TaskInstance: publish_posts."
            f"{task} {run} [TaskInstanceState.SCHEDULED]> [x]",
            f"log line of {task} {index}",
            f"2026-12-02T00:44:28Z [info] [DAG TEST] end task task_id={task} map_index={index} [x]",
            "a scheduler line between tasks",
        ]
    return "\n".join(lines)


def test_dags_test_output_becomes_the_task_logs_the_ui_reads(tmp_path):
    result = DagTestResult("publish_posts", 0, "success", _output())
    written = save_task_logs(result, tmp_path)
    run = tmp_path / "dag_id=publish_posts" / "run_id=manual__2026-12-02T00:44:26.510843+00:00"
    assert sorted(p.relative_to(run).as_posix() for p in written) == [
        "task_id=publish_x/map_index=0/attempt=1.log",
        "task_id=publish_x/map_index=0/attempt=2.log",
        "task_id=publish_x/map_index=1/attempt=1.log",
        "task_id=sync_calendar/attempt=1.log",
    ]
    text = (run / "task_id=sync_calendar" / "attempt=1.log").read_text()
    assert "log line of sync_calendar -1" in text and "publish_x" not in text
    assert "between tasks" not in text
