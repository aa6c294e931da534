from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import yaml
from tests.support.reports_world import TIMEZONE, seed_history, seed_today

from socialops.config.loader import DEFAULT_PATH
from socialops.config.schema import BrandConfig
from socialops.runtime import Run

#: A Tuesday: the digest of the 24th is about Monday the 23rd.
TODAY = date(2026, 11, 24)


def brand_config(**changes) -> BrandConfig:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["brand"]["timezone"] = TIMEZONE
    raw["accounts"] = [
        {"network": n, "handle": "maisonlumiere"} for n in ("x", "instagram", "youtube")
    ]
    raw["campaigns"] = []
    for section, values in changes.items():
        raw[section] = {**raw.get(section, {}), **values}
    return BrandConfig.model_validate(raw)


@pytest.fixture
def config() -> BrandConfig:
    return brand_config()


@pytest.fixture
def history(sqlite_engine):
    return seed_history(sqlite_engine, last=TODAY.replace(day=23))


@pytest.fixture
def busy_day(sqlite_engine, history):
    seed_today(sqlite_engine, TODAY)
    return history


def run_at(config, engine, moment: datetime) -> Run:
    return Run(config, engine, moment.astimezone(UTC), variable=lambda name: None)
