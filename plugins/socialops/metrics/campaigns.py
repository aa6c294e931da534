"""Paid campaigns: budgets from the configuration, daily results from the ads APIs or a CSV.

Each configured campaign's daily spend, impressions, clicks, conversions and revenue come
from its network's ads reporting when the adapter offers it (``campaign_spend``: Meta's
Marketing API for Facebook and Instagram), loaded with ``source='api'``; otherwise from a
CSV file exported from the ads manager (``metrics.campaigns_csv`` in the configuration), one
row per campaign and day, loaded with ``source='csv'``::

    campaign_id,day,spend,impressions,clicks,conversions,revenue
    noel-2026,2026-11-15,84.12,11683,171,6,262.40

The API is asked for the network's lookback window (``metrics.lookback_days``) up to the
run's day, because Meta keeps attributing conversions to past days. A campaign-day is
loaded once: when the API gave it (in this run or an earlier one) the API row wins and the
CSV row of that day is ignored; the CSV fills every other day (days before the window,
networks without ads reporting, a network whose API failed tonight). A failed ads API is
recorded as an ``extraction_failure`` alert for the Slack report, the rest still loads, and
:class:`CampaignSpendUnavailable` is raised after the commit so that the task is retried.

Rows are upserted up to the run's day, so a corrected past row overwrites the old one and a
rerun changes nothing.
"""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from socialops.metrics import store
from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import NotSupported
from socialops.networks.records import CampaignSpend
from socialops.paths import PROJECT_ROOT
from socialops.warehouse.models import Campaign, CampaignSpendDaily
from socialops.warehouse.upsert import UpsertResult, upsert

log = logging.getLogger(__name__)

#: How a network's ads reporting appears in alerts ("facebook campaigns: ... not extracted").
ADS_ACCOUNT = "campaigns"
#: The nightly task that loads campaigns (named in the rerun hint of a failure).
TASK_ID = "load_campaigns"
Connect = Callable[[str, str | None], NetworkAdapter]

CSV_COLUMNS = ("campaign_id", "day", "spend", "impressions", "clicks", "conversions", "revenue")
_MONEY = ("spend", "revenue")
_COUNTS = ("impressions", "clicks", "conversions")


class CampaignFileError(ValueError):
    """The spend CSV cannot be read as given; the message names the file, row and column."""


@dataclass
class AdsResults:
    """What the networks' ads APIs returned for the configured campaigns."""

    rows: list[dict[str, Any]] = field(default_factory=list)  # campaign_spend_daily rows
    served: list[str] = field(default_factory=list)  # networks whose ads API answered
    campaigns: set[str] = field(default_factory=set)  # campaigns those networks were asked for
    failures: dict[str, Exception] = field(default_factory=dict)  # network → error
    api_calls: dict[str, int] = field(default_factory=dict)  # network → requests made


@dataclass(frozen=True)
class CampaignLoad:
    campaigns: UpsertResult
    spend: UpsertResult
    unknown_campaigns: tuple[str, ...]  # ids in the CSV that the configuration does not declare
    sources: dict[str, str]  # campaign id → "api" or "csv"
    api_rows: int
    csv_rows: int
    csv_rows_superseded: int  # CSV campaign-days the API gave (now or earlier): not loaded
    failures: dict[str, str]  # network → why its ads API gave nothing tonight
    api_calls: dict[str, int]

    def summary(self) -> dict[str, Any]:
        return {
            "campaigns": self.campaigns.received,
            "spend_rows": self.spend.received,
            "api_rows": self.api_rows,
            "csv_rows": self.csv_rows,
            "csv_rows_superseded": self.csv_rows_superseded,
            "inserted": self.spend.inserted,
            "updated": self.spend.updated,
            "sources": self.sources,
            "unknown_campaigns": list(self.unknown_campaigns),
            "failed_networks": self.failures,
            "api_calls": self.api_calls,
        }


class CampaignSpendUnavailable(RuntimeError):
    """An ads API failed; everything else was loaded. ``load`` says what was."""

    def __init__(self, load: CampaignLoad, *, retryable: bool = True):
        self.load = load
        #: False when every failure needs a person (expired token, missing ad account).
        self.retryable = retryable
        failed = "; ".join(f"{network}: {error}" for network, error in load.failures.items())
        super().__init__(
            f"campaign results not read from the ads API of {', '.join(load.failures)} ({failed}); "
            "their CSV rows, if any, and the other networks were loaded. Rerun the task once "
            "the cause is fixed."
        )


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


def supports_campaign_spend(network: str) -> bool:
    """Whether the network's adapter implements ads reporting (no connection needed to know)."""
    from socialops.networks import adapter_class

    return adapter_class(network).campaign_spend is not NetworkAdapter.campaign_spend


def _conn_id(config: Any, network: str) -> str | None:
    """The connection of the brand's first owned account on ``network`` (None: the default)."""
    return config.owned(network)[0].conn_id


def _spend_row(spend: CampaignSpend) -> dict[str, Any]:
    return {
        "campaign_id": spend.campaign_id,
        "day": spend.day,
        "spend": spend.spend,
        "impressions": spend.impressions,
        "clicks": spend.clicks,
        "conversions": spend.conversions,
        "revenue": spend.revenue,
        "source": "api",
    }


@dataclass
class _AdsRequest:
    """One network's share of an ads reporting request: its running campaigns and window."""

    network: str
    adapter: NetworkAdapter
    campaigns: dict[str, Any]  # campaign id → its configuration
    since: date


def _ads_source(adapter: NetworkAdapter) -> str:
    """What the adapter's ads reporting reads. Networks whose connections name the same
    source (Facebook and Instagram connections naming one Meta ad account) share one request.
    """
    return getattr(adapter, "ad_account", None) or adapter.network


def fetch_ads_results(config: Any, day: date, connect: Connect) -> AdsResults:
    """Ask each ads account, once, for its campaigns' days in the networks' lookback windows.

    The ads API is read through the connection of the brand's (first) owned account on the
    campaign's network; a network without an owned account is left to the CSV, and so is one
    that cannot serve ads reporting (``NotSupported``, e.g. a connection without
    ``ad_account_id``). Networks whose connections name the same ad account are served by one
    request (and its pages), made through the first of them. A request failing (expired
    token, rate limit, missing connection) is kept in ``failures`` for every network it
    served and does not stop the others.
    """
    by_network: dict[str, list[Any]] = defaultdict(list)
    for campaign in config.campaigns:
        by_network[campaign.network].append(campaign)
    results = AdsResults()
    by_source: dict[str, list[_AdsRequest]] = defaultdict(list)
    try:
        for network, campaigns in sorted(by_network.items()):
            if not config.owned(network):
                log.info(
                    "%s campaigns: no owned %s account to read ads with; CSV only", network, network
                )
                continue
            if not supports_campaign_spend(network):
                continue
            lookback = config.metrics.lookback_days.get(network, 1)
            since = day - timedelta(days=lookback - 1)
            running = {c.id: c for c in campaigns if c.start <= day and c.end >= since}
            if not running:
                continue
            since = max(since, min(c.start for c in running.values()))
            connected = _connect_ads(network, _conn_id(config, network), connect, results)
            if connected is None:
                continue
            adapter, source = connected
            by_source[source].append(_AdsRequest(network, adapter, running, since))
        for requests in by_source.values():
            _fetch_shared(requests, day, results)
    finally:
        for requests in by_source.values():
            for request in requests:
                request.adapter.close()
    return results


def _connect_ads(
    network: str, conn_id: str | None, connect: Connect, results: AdsResults
) -> tuple[NetworkAdapter, str] | None:
    """The network's adapter and ads source; None when the CSV must do (failure recorded)."""
    adapter = None
    try:
        adapter = connect(network, conn_id)
        return adapter, _ads_source(adapter)
    except NotSupported as exc:
        log.info("%s campaigns: no ads reporting (%s); the CSV import is used", network, exc)
    except Exception as exc:  # reported with the other extraction failures, see module doc
        log.warning("%s campaigns: no ads API, the CSV rows still load: %s", network, exc)
        results.failures[network] = exc
    if adapter is not None:
        adapter.close()
    return None


def _fetch_shared(requests: list[_AdsRequest], day: date, results: AdsResults) -> None:
    """One ads reporting request serving every network of ``requests`` (same ad account)."""
    asking = requests[0]
    wanted = [campaign for request in requests for campaign in request.campaigns]
    networks = [request.network for request in requests]
    try:
        try:
            found = asking.adapter.campaign_spend(
                day, wanted, since=min(request.since for request in requests)
            )
        finally:
            results.api_calls[asking.network] = sum(asking.adapter.api_calls.values())
    except NotSupported as exc:
        log.info("%s campaigns: no ads reporting (%s); the CSV import is used", networks, exc)
        return
    except Exception as exc:  # reported with the other extraction failures, see module doc
        log.warning("%s campaigns: ads API failed, the CSV rows still load: %s", networks, exc)
        for network in networks:
            results.failures[network] = exc
        return
    for request in requests:
        mine = [s for s in found if s.campaign_id in request.campaigns]
        for spend in mine:
            campaign = request.campaigns[spend.campaign_id]
            if spend.currency and spend.currency != campaign.currency:
                log.warning(
                    "campaign %s: the ad account reports in %s but the budget is in %s; "
                    "budget consumed compares different currencies",
                    campaign.id,
                    spend.currency,
                    campaign.currency,
                )
        results.rows += [_spend_row(s) for s in mine if request.since <= s.day <= day]
        results.served.append(request.network)
        results.campaigns |= set(request.campaigns)


def load_campaigns(
    engine: Engine, config: Any, day: date, *, connect: Connect | None = None
) -> CampaignLoad:
    """Upsert the configured campaigns and their results up to ``day``, in one transaction.

    ``connect(network, conn_id)`` builds an adapter (default :func:`socialops.networks.connect`,
    through the Airflow connection). See the module documentation for which source wins.

    :raises CampaignSpendUnavailable: after the commit, when a network's ads API failed.
    """
    from socialops.hooks import connect as connect_network

    declared = campaign_rows(config)
    exported = (
        read_spend_csv(config.metrics.campaigns_csv, through=day)
        if config.metrics.campaigns_csv
        else []
    )
    ads = fetch_ads_results(config, day, connect or connect_network)
    known = {c["id"] for c in declared}
    unknown = tuple(sorted({r["campaign_id"] for r in exported} - known))
    with engine.begin() as connection:
        campaigns = upsert(connection, Campaign, declared)
        from_api = {(r["campaign_id"], r["day"]) for r in ads.rows}
        from_api |= store.api_spend_days(connection, {r["campaign_id"] for r in exported})
        from_csv = [r for r in exported if (r["campaign_id"], r["day"]) not in from_api]
        loaded = upsert(connection, CampaignSpendDaily, [*ads.rows, *from_csv])
        for network in ads.served:
            store.resolve_alerts(
                connection,
                kind=store.EXTRACTION_FAILURE,
                network=network,
                account=ADS_ACCOUNT,
                day=day,
            )
    for network, error in ads.failures.items():
        store.record_failure(engine, network, ADS_ACCOUNT, day, error, task=TASK_ID)
    result = CampaignLoad(
        campaigns=campaigns,
        spend=loaded,
        unknown_campaigns=unknown,
        sources={c["id"]: "api" if c["id"] in ads.campaigns else "csv" for c in declared},
        api_rows=len(ads.rows),
        csv_rows=len(from_csv),
        csv_rows_superseded=len(exported) - len(from_csv),
        failures={network: str(error) for network, error in ads.failures.items()},
        api_calls=ads.api_calls,
    )
    log.info("campaign results of %s: %s", day.isoformat(), result.summary())
    if ads.failures:
        retryable = any(getattr(e, "retryable", True) for e in ads.failures.values())
        raise CampaignSpendUnavailable(result, retryable=retryable)
    return result
