"""Paid campaigns: budgets from the configuration, daily results from a CSV export.

The networks' ads reporting APIs (Meta Marketing API insights, X Ads analytics, LinkedIn
ad analytics) are not part of the adapter protocol yet; until they are, each campaign's daily
spend, impressions, clicks, conversions and revenue come from a CSV file exported from the
ads manager (``metrics.campaigns_csv`` in the configuration), one row per campaign and day::

    campaign_id,day,spend,impressions,clicks,conversions,revenue
    noel-2026,2026-11-15,84.12,11683,171,6,262.40

Rows are loaded into ``campaign_spend_daily`` with ``source='csv'`` up to the run's day, so a
corrected past row in a new export overwrites the old one and a rerun changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from socialops.paths import PROJECT_ROOT
from socialops.warehouse.models import Campaign, CampaignSpendDaily
from socialops.warehouse.upsert import UpsertResult, upsert

CSV_COLUMNS = ("campaign_id", "day", "spend", "impressions", "clicks", "conversions", "revenue")
_MONEY = ("spend", "revenue")
_COUNTS = ("impressions", "clicks", "conversions")


class CampaignFileError(ValueError):
    """The spend CSV cannot be read as given; the message names the file, row and column."""


@dataclass(frozen=True)
class CampaignLoad:
    campaigns: UpsertResult
    spend: UpsertResult
    unknown_campaigns: tuple[str, ...]  # ids in the CSV that the configuration does not declare

    def summary(self) -> dict[str, Any]:
        return {
            "campaigns": self.campaigns.received,
            "spend_rows": self.spend.received,
            "inserted": self.spend.inserted,
            "updated": self.spend.updated,
            "unknown_campaigns": list(self.unknown_campaigns),
        }


def campaign_rows(config: Any) -> list[dict[str, Any]]:
    """``campaigns`` rows (budgets, dates) of a :class:`~socialops.config.BrandConfig`."""
    return [
        {
            "id": c.id,
            "name": c.name,
            "network": c.network,
            "budget": Decimal(str(c.budget)),
            "currency": c.currency,
            "start_date": c.start,
            "end_date": c.end,
        }
        for c in config.campaigns
    ]


def resolve_csv_path(path: str | Path) -> Path:
    """A configured path, relative paths being relative to the project root."""
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def read_spend_csv(path: str | Path, *, through: date | None = None) -> list[dict[str, Any]]:
    """The spend rows of ``path`` (up to the day ``through`` when given), validated.

    Empty cells are unknown values (NULL), not zeros. Negative values are refused: a spend
    export never holds them, so they signal a broken file.
    """
    path = resolve_csv_path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise CampaignFileError(
            f"campaign spend file {path} does not exist; export it from the ads manager or set "
            "metrics.campaigns_csv to null in the configuration"
        ) from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CampaignFileError(
                f"{path}: missing column(s) {', '.join(missing)}; the header must be "
                f"{','.join(CSV_COLUMNS)}"
            )
        rows = []
        for line, raw in enumerate(reader, start=2):
            row = _parse_row(path, line, raw)
            if through is None or row["day"] <= through:
                rows.append(row)
    return rows


def _parse_row(path: Path, line: int, raw: dict[str, str]) -> dict[str, Any]:
    def fail(column: str, problem: str) -> CampaignFileError:
        return CampaignFileError(f"{path}, line {line}, column {column!r}: {problem}")

    campaign_id = (raw.get("campaign_id") or "").strip()
    if not campaign_id:
        raise fail("campaign_id", "empty; every row names its campaign")
    try:
        day = date.fromisoformat((raw.get("day") or "").strip())
    except ValueError:
        raise fail("day", f"{raw.get('day')!r} is not a date like 2026-11-15") from None
    row: dict[str, Any] = {"campaign_id": campaign_id, "day": day}
    for column in (*_MONEY, *_COUNTS):
        text = (raw.get(column) or "").strip()
        if not text:
            row[column] = None
            continue
        try:
            value = Decimal(text) if column in _MONEY else int(text)
        except (InvalidOperation, ValueError):
            kind = "an amount like 84.12" if column in _MONEY else "a whole number"
            raise fail(column, f"{text!r} is not {kind}") from None
        if value < 0:
            raise fail(column, f"{text} is negative")
        row[column] = value
    row["source"] = "csv"
    return row


def load_campaigns(engine: Engine, config: Any, day: date) -> CampaignLoad:
    """Upsert the configured campaigns and the CSV spend rows up to ``day``, in one transaction."""
    declared = campaign_rows(config)
    spend = (
        read_spend_csv(config.metrics.campaigns_csv, through=day)
        if config.metrics.campaigns_csv
        else []
    )
    known = {c["id"] for c in declared}
    unknown = tuple(sorted({r["campaign_id"] for r in spend} - known))
    with engine.begin() as connection:
        campaigns = upsert(connection, Campaign, declared)
        loaded = upsert(connection, CampaignSpendDaily, spend)
    return CampaignLoad(campaigns, loaded, unknown)
