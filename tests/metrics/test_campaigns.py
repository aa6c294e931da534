"""Campaign budgets from the configuration; daily results from the Meta ads API or the CSV
export."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from tests.support.ads_world import build_ads_world, world_row
from tests.support.metrics_world import adapter_for, running_sandbox

from socialops.config import load_config
from socialops.metrics.campaigns import (
    CampaignFileError,
    CampaignSpendUnavailable,
    load_campaigns,
    read_spend_csv,
)
from socialops.metrics.report import build_report
from socialops.notifications.catalogue import Reader
from socialops.warehouse.models import Alert, Campaign, CampaignSpendDaily

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


DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def server():
    with running_sandbox(build_ads_world, ("facebook", "instagram")) as running:
        yield running


@pytest.fixture
def sandbox(server):
    server.sandbox.reset()
    return server.sandbox


@pytest.fixture
def connect(server, sandbox):
    """``connect(network, conn_id)`` against the sandbox; ``connect.calls`` lists the networks."""
    made = []

    def build(network, conn_id):
        build.calls.append(network)
        made.append(adapter_for(server, network))
        return made[-1]

    build.calls = []
    build.made = made
    yield build
    for adapter in made:
        adapter.close()


def example_config(**lookback):
    """The example brand; ``lookback`` shortens networks' windows so the CSV fills older days."""
    config = load_config()
    days = {**config.metrics.lookback_days, **lookback}
    return config.model_copy(
        update={"metrics": config.metrics.model_copy(update={"lookback_days": days})}
    )


def spend_rows(engine):
    with engine.connect() as connection:
        rows = connection.execute(select(*CampaignSpendDaily.__table__.c)).all()
    return {(r.campaign_id, r.day): r for r in rows}


def test_load_is_idempotent(warehouse_engine, connect):
    config = load_config()
    first = load_campaigns(warehouse_engine, config, DAY, connect=connect)
    again = load_campaigns(warehouse_engine, config, DAY, connect=connect)
    assert first.spend.inserted == first.spend.received > 0
    assert again.spend.inserted == again.spend.updated == 0
    assert first.unknown_campaigns == ()
    with warehouse_engine.connect() as connection:
        budgets = dict(connection.execute(select(Campaign.id, Campaign.budget)).all())
        days = connection.execute(select(func.max(CampaignSpendDaily.day))).scalar()
    assert budgets == {"noel-2026": Decimal("3000.00"), "launch-ambre": Decimal("1500.00")}
    assert days == date(2026, 11, 20)
    assert first.sources == {"noel-2026": "api", "launch-ambre": "api"}


def test_api_rows_win_over_the_csv_and_the_csv_fills_older_days(warehouse_engine, connect, sandbox):
    config = example_config(facebook=7, instagram=7)
    loaded = load_campaigns(warehouse_engine, config, DAY, connect=connect)
    rows = spend_rows(warehouse_engine)
    window = {DAY - timedelta(days=n) for n in range(7)}
    exported = read_spend_csv(config.metrics.campaigns_csv, through=DAY)
    expected_keys = {(r["campaign_id"], r["day"]) for r in exported}
    assert set(rows) == expected_keys  # each campaign-day once: nothing double-counted
    for (campaign, day), row in rows.items():
        assert row.source == ("api" if day in window else "csv"), (campaign, day)
        if row.source == "api":
            source = world_row(sandbox.world, campaign, day)
            assert row.spend == Decimal(f"{source['spend']:.2f}")
            assert (row.clicks, row.conversions) == (source["clicks"], source["conversions"])
    summary = loaded.summary()
    assert summary["api_rows"] == 7 + 6  # launch-ambre 14-20, noel-2026 from its start, the 15th
    assert summary["csv_rows"] + summary["csv_rows_superseded"] == len(exported)
    assert summary["csv_rows_superseded"] == 7 + 6
    # Both connections name the same Meta ad account: one request serves both networks.
    assert summary["api_calls"] == {"facebook": 1}
    assert connect.calls == ["facebook", "instagram"]
    assert [r["network"] for r in sandbox.requests if r["path"].endswith("/insights")] == [
        "facebook"
    ]


def test_a_later_csv_import_does_not_overwrite_days_the_api_gave(
    warehouse_engine, connect, sandbox
):
    config = example_config(facebook=7, instagram=7)
    load_campaigns(warehouse_engine, config, DAY, connect=connect)
    from_api = {k: (r.spend, r.source) for k, r in spend_rows(warehouse_engine).items()}

    def without_ads(network, conn_id):  # e.g. the ad account was removed from the connection
        settings = connect(network, conn_id).settings
        extras = {k: v for k, v in settings.extras.items() if k != "ad_account_id"}
        return type(connect.made[-1])(replace(settings, extras=extras))

    later = load_campaigns(warehouse_engine, config, DAY, connect=without_ads)
    assert later.sources == {"noel-2026": "csv", "launch-ambre": "csv"}
    assert later.spend.updated == 0
    assert {k: (r.spend, r.source) for k, r in spend_rows(warehouse_engine).items()} == from_api


def test_one_failing_ads_api_is_reported_and_the_rest_still_loads(
    warehouse_engine, connect, sandbox
):
    config = example_config(facebook=7, instagram=7)
    sandbox.add_fault({"network": "instagram", "kind": "expired_token"})

    def own_ad_account(network, conn_id):  # Instagram campaigns in an ad account of their own
        adapter = connect(network, conn_id)
        if network != "instagram":
            return adapter
        extras = {**adapter.settings.extras, "ad_account_id": "555"}
        return type(adapter)(replace(adapter.settings, extras=extras))

    with pytest.raises(CampaignSpendUnavailable, match="instagram.*code 190") as failed:
        load_campaigns(warehouse_engine, config, DAY, connect=own_ad_account)
    assert failed.value.load.api_calls == {"facebook": 1, "instagram": 1}
    assert failed.value.load.sources == {"noel-2026": "csv", "launch-ambre": "api"}
    assert failed.value.retryable is False  # an expired token needs a person, not a retry
    rows = spend_rows(warehouse_engine)
    assert rows[("noel-2026", DAY)].source == "csv"  # the CSV row still loads
    assert rows[("launch-ambre", DAY)].source == "api"
    report = build_report(warehouse_engine, DAY)
    [failure] = report.failures
    assert failure["fingerprint"] == "extraction_failure:instagram:campaigns:2026-11-20"
    [message, ops] = report.notices(Reader("en"), "#cm-alertes", ops_channel="#ops")
    assert "paid campaign results" in message.text and message.channel == "#cm-alertes"
    assert "airflow tasks clear" not in str(message)  # engineer details: ops channel and log
    assert ops.channel == "#ops" and "-t '^load_campaigns$' -s 2026-11-20T00:00:00" in str(ops)

    sandbox.faults.clear()
    again = load_campaigns(warehouse_engine, config, DAY, connect=connect)
    assert again.sources == {"noel-2026": "api", "launch-ambre": "api"}
    assert spend_rows(warehouse_engine)[("noel-2026", DAY)].source == "api"
    with warehouse_engine.connect() as connection:
        state = connection.execute(select(Alert.state).where(Alert.kind == "extraction_failure"))
        assert state.scalar_one() == "resolved"


def test_a_shared_ad_account_failing_fails_every_network_it_serves(
    warehouse_engine, connect, sandbox
):
    config = example_config(facebook=7, instagram=7)
    sandbox.add_fault({"network": "facebook", "kind": "expired_token"})
    with pytest.raises(CampaignSpendUnavailable, match="facebook.*code 190") as failed:
        load_campaigns(warehouse_engine, config, DAY, connect=connect)
    assert failed.value.load.sources == {"noel-2026": "csv", "launch-ambre": "csv"}
    assert set(failed.value.load.failures) == {"facebook", "instagram"}
    assert {r.source for r in spend_rows(warehouse_engine).values()} == {"csv"}
    assert sorted(f["fingerprint"] for f in build_report(warehouse_engine, DAY).failures) == [
        "extraction_failure:facebook:campaigns:2026-11-20",
        "extraction_failure:instagram:campaigns:2026-11-20",
    ]


def test_networks_without_ads_reporting_or_owned_account_are_not_asked(warehouse_engine, connect):
    config = example_config()
    campaigns = [
        c.model_copy(update={"network": "linkedin" if c.network == "facebook" else c.network})
        for c in config.campaigns
    ]
    config = config.model_copy(
        update={
            "campaigns": campaigns,
            "accounts": [a for a in config.accounts if a.network != "instagram"],
        }
    )
    loaded = load_campaigns(warehouse_engine, config, DAY, connect=connect)
    assert connect.calls == []
    assert loaded.sources == {"noel-2026": "csv", "launch-ambre": "csv"}
    assert {r.source for r in spend_rows(warehouse_engine).values()} == {"csv"}
