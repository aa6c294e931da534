"""competitor_watch end to end: `airflow dags test` against the sandbox's default world.

One run and its rerun (each costs ~15 s): the service has the full matrix in
tests/competitors.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from tests.support.airflow import airflow_home, airflow_template, run_dag  # noqa: F401

from socialops.warehouse.engine import create_warehouse_engine
from socialops.warehouse.models import CompetitorPost, CompetitorSnapshot, UnreadableAccount

pytestmark = pytest.mark.integration

MORNING_OF_THE_21ST = "2026-11-21T07:30:00+01:00"


def counts(url):
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as connection:
            snapshots = dict(
                connection.execute(
                    select(CompetitorSnapshot.network, func.count()).group_by(
                        CompetitorSnapshot.network
                    )
                ).all()
            )
            posts = connection.execute(select(func.count()).select_from(CompetitorPost)).scalar()
            unreadable = connection.execute(select(UnreadableAccount.handle)).scalars().all()
        return snapshots, posts, unreadable
    finally:
        engine.dispose()


def digest_texts(sandbox) -> list[str]:
    return [
        message["text"] + json.dumps(message["blocks"], ensure_ascii=False)
        for channel, messages in sandbox.state()["slack"].items()
        for message in messages
    ]


def test_competitor_watch_day_and_rerun(run_dag, sandbox_connections, tmp_path):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    env = {"SOCIALOPS_WAREHOUSE_URL": url}

    first = run_dag("competitor_watch", logical_date=MORNING_OF_THE_21ST, extra_env=env)

    assert first.ok, first.tail()
    snapshots, posts, unreadable = counts(url)
    assert snapshots == {"x": 2, "instagram": 1, "youtube": 1, "facebook": 1}
    assert posts > 0
    # Facebook posts without Page Public Content Access, an Instagram personal account,
    # LinkedIn: each recorded (and told once), not a failure of the run.
    assert sorted(unreadable) == ["atelier-cire", "ateliercire.perso", "bougiessoleil"]
    digest = digest_texts(sandbox_connections)
    assert sum("ne peut pas être suivi" in t for t in digest) == 2, digest
    assert sum("ne peuvent pas être lues" in t for t in digest) == 1, digest
    (moves,) = [t for t in digest if "à connaître" in t]
    assert "Bougies Soleil" in moves and "voir la publication" in moves
    rerun = run_dag("competitor_watch", logical_date=MORNING_OF_THE_21ST, extra_env=env)
    assert rerun.ok, rerun.tail()
    assert counts(url) == (snapshots, posts, unreadable)
    assert "'inserted': 0, 'updated': 0" in rerun.output
    assert digest_texts(sandbox_connections) == digest  # nothing told twice
