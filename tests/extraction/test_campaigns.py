"""Campaign budgets from the configuration and daily spend from the CSV export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from socialops.config import load_config
from socialops.extraction.campaigns import CampaignFileError, load_campaigns, read_spend_csv
from socialops.warehouse.models import Campaign, CampaignSpendDaily

HEADER = "campaign_id,day,spend,impressions,clicks,conversions,revenue\n"


def test_the_example_export_matches_the_example_campaigns():
    config = load_config()
    rows = read_spend_csv(config.metrics.campaigns_csv)
    assert {r["campaign_id"] for r in rows} == {c.id for c in config.campaigns}
    for row in rows:
        campaign = next(c for c in config.campaigns if c.id == row["campaign_id"])
        assert campaign.start <= row["day"] <= campaign.end


def test_rows_are_parsed_and_cut_at_the_run_day(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text(HEADER + "c1,2026-11-19,10.50,1000,20,2,60\nc1,2026-11-20,5,,,,\n")
    [row] = read_spend_csv(path, through=date(2026, 11, 19))
    assert row == {
        "campaign_id": "c1",
        "day": date(2026, 11, 19),
        "spend": Decimal("10.50"),
        "impressions": 1000,
        "clicks": 20,
        "conversions": 2,
        "revenue": Decimal("60"),
        "source": "csv",
    }
    assert read_spend_csv(path)[1]["clicks"] is None  # empty is unknown, not 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("campaign_id,day,spend\n", "missing column(s) impressions, clicks"),
        (HEADER + "c1,20/11/2026,1,1,1,1,1\n", "line 2, column 'day': '20/11/2026' is not a date"),
        (HEADER + "c1,2026-11-20,1,1,-4,1,1\n", "line 2, column 'clicks': -4 is negative"),
        (HEADER + "c1,2026-11-20,12€,1,1,1,1\n", "column 'spend': '12€' is not an amount"),
        (HEADER + ",2026-11-20,1,1,1,1,1\n", "column 'campaign_id': empty"),
    ],
)
def test_a_broken_export_names_the_line_and_column(tmp_path, content, message):
    path = tmp_path / "spend.csv"
    path.write_text(content)
    with pytest.raises(CampaignFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_spend_csv(path)


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(CampaignFileError, match="export it from the ads manager"):
        read_spend_csv(tmp_path / "nope.csv")


def test_load_is_idempotent(warehouse_engine):
    config = load_config()
    first = load_campaigns(warehouse_engine, config, date(2026, 11, 20))
    again = load_campaigns(warehouse_engine, config, date(2026, 11, 20))
    assert first.spend.inserted == first.spend.received > 0
    assert again.spend.inserted == again.spend.updated == 0
    assert first.unknown_campaigns == ()
    with warehouse_engine.connect() as connection:
        budgets = dict(connection.execute(select(Campaign.id, Campaign.budget)).all())
        days = connection.execute(select(func.max(CampaignSpendDaily.day))).scalar()
    assert budgets == {"noel-2026": Decimal("3000.00"), "launch-ambre": Decimal("1500.00")}
    assert days == date(2026, 11, 20)
