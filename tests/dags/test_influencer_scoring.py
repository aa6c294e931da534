"""influencer_scoring end to end: `airflow dags test` against the sandbox's default world.

One run (~15 s): the service has the full matrix in tests/influencers.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from tests.support.airflow import airflow_home, airflow_template, run_dag  # noqa: F401

from socialops.warehouse.engine import create_warehouse_engine
from socialops.warehouse.models import InfluencerScore

pytestmark = pytest.mark.integration

MONDAY_MORNING = "2026-11-23T08:00:00+01:00"


def test_influencer_scoring_week(run_dag, sandbox_connections, tmp_path):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"

    run = run_dag(
        "influencer_scoring",
        logical_date=MONDAY_MORNING,
        extra_env={"SOCIALOPS_WAREHOUSE_URL": url},
    )

    assert run.ok, run.tail()
    engine = create_warehouse_engine(url)
    with engine.connect() as connection:
        scores = {r.handle: r for r in connection.execute(select(InfluencerScore.__table__)).all()}
    engine.dispose()
    assert {"deco_claire", "hygge_home", "followers4ever", "slowliving.lea"} <= set(scores)
    assert scores["deco_claire"].score > scores["followers4ever"].score
    digest = [
        message["text"] + json.dumps(message["blocks"], ensure_ascii=False)
        for channel, messages in sandbox_connections.state()["slack"].items()
        for message in messages
        if "Influenceurs" in message["text"]
    ]
    assert len(digest) == 1, digest
