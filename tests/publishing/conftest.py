"""Fixtures of the publication tests (the network and the calendar: tests/support/publishing.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tests.support.publishing import NOW, ScriptedNetwork, plan_ids

from socialops.publishing import PublicationLedger, PublicationNotices


@pytest.fixture
def network() -> ScriptedNetwork:
    return ScriptedNetwork()


@pytest.fixture
def notices() -> PublicationNotices:
    return PublicationNotices("#cm-alertes", locale="en", timezone="Europe/Paris")


@pytest.fixture
def plan_on() -> Callable:
    """``plan_on(engine, *rows)``: :func:`plan_ids` for tests choosing their own engine."""
    return plan_ids


@pytest.fixture
def planned(warehouse_engine) -> Callable:
    """``planned(*rows)``: sync the rows into ``warehouse_engine``; all publication ids."""
    return lambda *rows, now=NOW: plan_ids(warehouse_engine, *rows, now=now)


@pytest.fixture
def publish(warehouse_engine, network, notices) -> Callable:
    """``publish(publication_id, owner=..., now=...)`` through the real service."""
    from socialops.publishing import publish_one

    ledger = PublicationLedger(warehouse_engine)

    def run(
        publication_id: int, *, owner: str = "run-1", now: datetime = NOW, grace=timedelta(hours=2)
    ):
        return publish_one(
            ledger,
            publication_id,
            lambda: network,
            owner=owner,
            now=now,
            grace=grace,
            notices=notices,
            media_root=Path("."),
        )

    run.ledger = ledger
    run.notices = notices
    return run
