"""The nightly extraction of one account: API → data-quality checks → one warehouse transaction.

For one owned account on one network and one day (see :mod:`.window`):

1. ``account_metrics(handle, day)``: the audience row. Called first because it resolves the
   account (X: the user lookup; YouTube: the channel) and adapters cache that, so the
   timeline call that follows does not look the account up again.
2. ``recent_posts(handle, since)``: posts created inside the lookback window, new ones
   included (they are upserted into ``posts``); posts created after the day are ignored,
   so a backfill of a past day reads the posts that existed then.
3. The metrics of every post of the window, whether just listed or already in the
   warehouse, each id once. Listings that take the same fields as the id lookup (X's
   timeline, Facebook's feed, Instagram's media edge) carry them (``recent_posts(...,
   metrics=True)``); ``post_metrics(ids)`` reads only the others (known posts the listing
   missed, every post of YouTube and LinkedIn), batched at the API's maximum (X 100,
   YouTube 50, Graph 50, LinkedIn 50).
4. Data-quality checks (:mod:`socialops.analytics.quality`) on the extracted rows, with
   the warehouse's other snapshots of the same posts for the checks that compare days.
5. One transaction: upsert ``accounts``, ``posts``, ``post_metrics_daily`` and
   ``account_metrics_daily`` (minus quarantined rows) and the ``alerts`` of the issues; posts
   published from the calendar get their ``entry_id`` and ``campaign_id`` (KPIs per campaign).

Rerunning the same day rewrites nothing unless the network changed a value, in which case
the new value wins (the upsert compares every column but the ``extracted_at`` stamp). API
calls of the run are counted from ``adapter.api_calls`` and logged.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from socialops.analytics import quality
from socialops.analytics.kpis import POST_COUNTERS
from socialops.metrics import store
from socialops.metrics.window import LookbackWindow
from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import NotSupported
from socialops.networks.records import AccountMetrics, Post, PostMetrics
from socialops.warehouse.models import Account, AccountMetricsDaily, PostMetricsDaily
from socialops.warehouse.models import Post as PostRow
from socialops.warehouse.upsert import UpsertResult, upsert

log = logging.getLogger(__name__)

#: The audience counters of an :class:`AccountMetrics`, as stored in ``account_metrics_daily``.
ACCOUNT_COUNTERS = tuple(
    f.name for f in fields(AccountMetrics) if f.name not in {"network", "account_id", "day"}
)
POST_METRIC_COLUMNS = ["network", "post_id", "day", *POST_COUNTERS, "extracted_at"]
ACCOUNT_METRIC_COLUMNS = [
    "network",
    "account_id",
    "day",
    "account_handle",
    *ACCOUNT_COUNTERS,
    "extracted_at",
]
POST_COLUMNS = [
    "network",
    "external_id",
    "account_id",
    "account_handle",
    "created_at",
    "text",
    "url",
    "kind",
]
#: Columns of ``posts`` the extraction owns; campaign_id and entry_id belong to publication.
POST_UPDATE = [c for c in POST_COLUMNS if c not in {"network", "external_id"}]


@dataclass(frozen=True)
class AccountTarget:
    """One owned account to extract: which network, which handle, through which connection.

    ``account_id`` is the network's id of the account when the configuration gives it
    (``accounts[].id``): the adapter is asked by id, which spares resolving the handle where
    that costs a call of its own (LinkedIn's vanity name → organization URN).
    """

    network: str
    handle: str
    lookback_days: int
    conn_id: str | None = None
    account_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.network} {self.handle}"

    @property
    def reference(self) -> str:
        """How the adapter is asked for the account: its id when configured, else its handle."""
        return self.account_id or self.handle


def targets_from_config(config: Any) -> list[AccountTarget]:
    """Every owned account of a :class:`~socialops.config.BrandConfig`, with its lookback."""
    lookback = config.metrics.lookback_days
    missing = sorted({a.network for a in config.accounts} - set(lookback))
    if missing:
        raise ValueError(
            f"metrics.lookback_days has no value for {', '.join(missing)}; add one per network "
            "with an owned account (e.g. {x: 7, youtube: 3})"
        )
    return [
        AccountTarget(a.network, a.handle, lookback[a.network], a.conn_id, a.id)
        for a in config.accounts
    ]


@dataclass
class Extracted:
    """What the API returned for one account and day, as warehouse rows (before checks)."""

    target: AccountTarget
    window: LookbackWindow
    account_id: str | None
    posts: pd.DataFrame
    post_metrics: pd.DataFrame
    account_metrics: pd.DataFrame
    posts_discovered: int  # listed by recent_posts inside the window
    posts_known: int  # already in the warehouse inside the window


@dataclass
class ExtractionResult:
    """What one account's run did; :meth:`summary` is the task's small XCom."""

    target: AccountTarget
    day: date
    account_id: str | None
    posts_discovered: int
    posts_known: int
    posts_in_window: int
    loaded: dict[str, UpsertResult]
    issues: list[quality.QualityIssue]
    quarantined: int
    api_calls: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        return {
            "network": self.target.network,
            "account": self.target.handle,
            "account_id": self.account_id,
            "day": self.day.isoformat(),
            "posts_discovered": self.posts_discovered,
            "posts_known": self.posts_known,
            "posts_in_window": self.posts_in_window,
            "rows": {table: result.received for table, result in self.loaded.items()},
            "inserted": sum(r.inserted for r in self.loaded.values()),
            "updated": sum(r.updated for r in self.loaded.values()),
            "quarantined": self.quarantined,
            "issues": [issue.message for issue in self.issues],
            "api_calls": dict(sorted(self.api_calls.items())),
            "api_calls_total": sum(self.api_calls.values()),
        }


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns).astype(object)


class AccountExtraction:
    """Extract, check and load one account's day. The adapter is the only API access.

    :param follower_change_pct: the data-quality threshold on day-over-day follower change
        (``thresholds.data_quality.follower_change_pct`` in the configuration).
    """

    def __init__(
        self,
        adapter: NetworkAdapter,
        engine: Engine,
        *,
        timezone: str,
        follower_change_pct: float,
    ):
        self.adapter = adapter
        self.engine = engine
        self.timezone = timezone
        self.follower_change_pct = follower_change_pct

    def run(self, target: AccountTarget, day: date) -> ExtractionResult:
        if target.network != self.adapter.network:
            raise ValueError(
                f"account {target.label} cannot be extracted with the "
                f"{self.adapter.network} adapter"
            )
        window = LookbackWindow.ending_on(day, target.lookback_days, self.timezone)
        calls_before = Counter(self.adapter.api_calls)
        extracted = self.extract(target, window)
        calls = Counter(self.adapter.api_calls)
        calls.subtract(calls_before)
        calls = +calls  # drop endpoints not called in this run
        issues = self.check(extracted)
        loaded, quarantined = self.load(extracted, issues)
        result = ExtractionResult(
            target=target,
            day=day,
            account_id=extracted.account_id,
            posts_discovered=extracted.posts_discovered,
            posts_known=extracted.posts_known,
            posts_in_window=len(extracted.post_metrics),
            loaded=loaded,
            issues=issues,
            quarantined=quarantined,
            api_calls=calls,
        )
        self._log(result)
        return result

    # -- 1-3: the API ----------------------------------------------------------------------
    def extract(self, target: AccountTarget, window: LookbackWindow) -> Extracted:
        stamp = datetime.now(UTC)  # bookkeeping only: the upsert ignores it when comparing
        account = self._account_metrics(target, window.day)
        listed = [post for post in self._recent_posts(target, window) if post.created_at in window]
        account_id = account.account_id if account else (listed[0].account_id if listed else None)
        known = (
            store.known_post_ids(self.engine, target.network, account_id, window)
            if account_id
            else []
        )
        ids = list(dict.fromkeys([*(p.post_id for p in listed), *sorted(known)]))
        metrics = self._window_metrics(target, listed, ids)
        return Extracted(
            target=target,
            window=window,
            account_id=account_id,
            posts=_frame([self._post_row(target, p) for p in listed], POST_COLUMNS),
            post_metrics=_frame(
                [self._post_metrics_row(m, window.day, stamp) for m in metrics],
                POST_METRIC_COLUMNS,
            ),
            account_metrics=_frame(
                [self._account_row(target, account, window.day, stamp)] if account else [],
                ACCOUNT_METRIC_COLUMNS,
            ),
            posts_discovered=len(listed),
            posts_known=len(known),
        )

    def _account_metrics(self, target: AccountTarget, day: date) -> AccountMetrics | None:
        try:
            return self.adapter.account_metrics(target.reference, day)
        except NotSupported as exc:
            log.info("%s: no account metrics on this network (%s)", target.label, exc)
            return None

    def _recent_posts(self, target: AccountTarget, window: LookbackWindow) -> list[Post]:
        try:
            return self.adapter.recent_posts(target.reference, window.since, metrics=True)
        except NotSupported as exc:
            log.info("%s: cannot list recent posts (%s); known posts only", target.label, exc)
            return []

    def _window_metrics(
        self, target: AccountTarget, listed: list[Post], ids: list[str]
    ) -> list[PostMetrics]:
        """The metrics of ``ids``: those the listing carried, the others looked up by id
        (known posts the listing missed, and every post where listings carry no metrics)."""
        found = {post.post_id: post.metrics for post in listed if post.metrics is not None}
        missing = [post_id for post_id in ids if post_id not in found]
        found.update((m.post_id, m) for m in self._post_metrics(target, missing))
        return [found[post_id] for post_id in ids if post_id in found]

    def _post_metrics(self, target: AccountTarget, ids: list[str]) -> list[PostMetrics]:
        if not ids:
            return []
        metrics = self.adapter.post_metrics(ids)
        missing = len(ids) - len({m.post_id for m in metrics})
        if missing:
            # Deleted or hidden posts: nothing to load for them, and nothing to retry.
            log.warning("%s: %d of %d posts returned no metrics", target.label, missing, len(ids))
        return metrics

    @staticmethod
    def _post_row(target: AccountTarget, post: Post) -> dict[str, Any]:
        return {
            "network": post.network,
            "external_id": post.post_id,
            "account_id": post.account_id,
            "account_handle": target.handle,
            "created_at": post.created_at,
            "text": post.text,
            "url": post.url,
            "kind": post.kind,
        }

    @staticmethod
    def _post_metrics_row(metrics: PostMetrics, day: date, stamp: datetime) -> dict[str, Any]:
        row: dict[str, Any] = {"network": metrics.network, "post_id": metrics.post_id, "day": day}
        row.update({name: getattr(metrics, name) for name in POST_COUNTERS})
        row["extracted_at"] = stamp
        return row

    @staticmethod
    def _account_row(
        target: AccountTarget, metrics: AccountMetrics, day: date, stamp: datetime
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "network": metrics.network,
            "account_id": metrics.account_id,
            # The run's day, not the adapter's label: a snapshot belongs to the run's day.
            "day": day,
            "account_handle": target.handle,
        }
        row.update({name: getattr(metrics, name) for name in ACCOUNT_COUNTERS})
        row["extracted_at"] = stamp
        return row

    # -- 4: checks -------------------------------------------------------------------------
    def check(self, extracted: Extracted) -> list[quality.QualityIssue]:
        target, day = extracted.target, extracted.window.day
        issues = quality.negative_counts(
            extracted.post_metrics, POST_COUNTERS, subject="post", account=target.handle
        )
        issues += quality.negative_counts(
            extracted.account_metrics, ACCOUNT_COUNTERS, subject="account", account=target.handle
        )
        if extracted.account_id:
            previous = store.previous_account_row(
                self.engine, target.network, extracted.account_id, day
            )
            if previous:
                issues += quality.follower_changes(
                    extracted.account_metrics,
                    pd.DataFrame(
                        [
                            {
                                "network": target.network,
                                "account_id": extracted.account_id,
                                **previous,
                            }
                        ]
                    ),
                    threshold_pct=self.follower_change_pct,
                )
            issues += quality.missing_days(
                target.network, target.handle, day, previous["day"] if previous else None
            )
        issues += quality.snapshot_invariants(
            extracted.post_metrics,
            extracted.account_metrics,
            stored_post_metrics=self._stored_snapshots(extracted),
            posts=extracted.posts,
            account=target.handle,
            timezone=self.timezone,
        )
        return issues

    def _stored_snapshots(self, extracted: Extracted) -> pd.DataFrame:
        """The warehouse's snapshots of the extracted posts on the other days."""
        ids = extracted.post_metrics["post_id"].astype(str).tolist()
        columns = [PostMetricsDaily.network, PostMetricsDaily.post_id, PostMetricsDaily.day]
        query = select(*columns, *(getattr(PostMetricsDaily, c) for c in POST_COUNTERS)).where(
            PostMetricsDaily.network == extracted.target.network,
            PostMetricsDaily.post_id.in_(ids),
            PostMetricsDaily.day != extracted.window.day,
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all() if ids else []
        return pd.DataFrame(rows, columns=["network", "post_id", "day", *POST_COUNTERS])

    # -- 5: the load -----------------------------------------------------------------------
    def load(
        self, extracted: Extracted, issues: list[quality.QualityIssue]
    ) -> tuple[dict[str, UpsertResult], int]:
        post_metrics, withheld_posts = quality.split_quarantined(
            extracted.post_metrics, issues, subject="post"
        )
        account_metrics, withheld_account = quality.split_quarantined(
            extracted.account_metrics, issues, subject="account"
        )
        withheld = _withheld_details(issues, withheld_posts, withheld_account)
        target, day = extracted.target, extracted.window.day
        loaded: dict[str, UpsertResult] = {}
        with self.engine.begin() as connection:
            if extracted.account_id:
                loaded["accounts"] = upsert(
                    connection,
                    Account,
                    [
                        {
                            "network": target.network,
                            "handle": target.handle,
                            "external_id": extracted.account_id,
                            "role": "owned",
                        }
                    ],
                    key=["network", "handle"],
                )
            loaded["posts"] = upsert(connection, PostRow, extracted.posts, update=POST_UPDATE)
            if extracted.account_id:
                store.link_publications(connection, target.network, extracted.account_id)
            loaded["post_metrics_daily"] = upsert(connection, PostMetricsDaily, post_metrics)
            loaded["account_metrics_daily"] = upsert(
                connection, AccountMetricsDaily, account_metrics
            )
            store.record_issues(connection, issues, withheld)
            about = {"network": target.network, "account": target.handle, "day": day}
            store.resolve_alerts(
                connection, kind=store.DATA_QUALITY, keep=[i.fingerprint for i in issues], **about
            )
            store.resolve_alerts(connection, kind=store.EXTRACTION_FAILURE, **about)
        return loaded, len(withheld_posts) + len(withheld_account)

    def _log(self, result: ExtractionResult) -> None:
        calls = ", ".join(f"{name} ×{count}" for name, count in sorted(result.api_calls.items()))
        log.info(
            "%s %s: %d posts in the window (%d listed), %d rows quarantined, %d API calls (%s)",
            result.target.label,
            result.day,
            result.posts_in_window,
            result.posts_discovered,
            result.quarantined,
            sum(result.api_calls.values()),
            calls or "none",
        )
        for issue in result.issues:
            log.warning("data quality: %s", issue.message)


def _withheld_details(
    issues: list[quality.QualityIssue], posts: pd.DataFrame, accounts: pd.DataFrame
) -> dict[str, dict[str, Any]]:
    """The withheld rows' values per issue fingerprint, kept in the alert to release them."""
    details: dict[str, dict[str, Any]] = {}
    for issue in issues:
        if not issue.quarantine:
            continue
        if issue.subject == "account":
            rows = accounts
        else:
            rows = posts[posts["post_id"].astype(str) == issue.subject.removeprefix("post ")]
        details[issue.fingerprint] = {
            "withheld": [
                {k: _json_value(v) for k, v in row.items() if k != "extracted_at"}
                for row in rows.to_dict("records")
            ]
        }
    return details


def _json_value(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return quality.plain_value(value)
