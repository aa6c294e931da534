"""Fixtures of the publication tests (the network and the calendar: tests/support/publishing.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tests.support.publishing import NOW, ScriptedNetwork, plan_ids

from socialops.networks.base import NetworkAdapter
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
def publisher(warehouse_engine, notices) -> Callable:
    """``publisher(network, now=...)``: a ``publish`` (below) through another network."""
    from socialops.publishing import publish_one

    def make(network: NetworkAdapter, *, now: datetime = NOW) -> Callable:
        ledger = PublicationLedger(warehouse_engine)

        def run(
            publication_id: int,
            *,
            owner: str = "run-1",
            now: datetime = now,
            grace=timedelta(hours=2),
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

    return make


@pytest.fixture
def publish(publisher, network) -> Callable:
    """``publish(publication_id, owner=..., now=...)`` through the real service."""
    return publisher(network)
