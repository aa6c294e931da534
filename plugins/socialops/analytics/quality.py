"""Data-quality checks run on extracted metrics before they are loaded (pure functions).

Three checks, each returning :class:`QualityIssue` records that name the account, the day
and the values involved:

* :func:`negative_counts`: a counter below zero (no network can have -3 likes): the row is
  **quarantined**, i.e. not loaded.
* :func:`follower_changes`: followers moving by more than ``threshold_pct`` % from the
  previous known day (a bought-followers wave, a purge, or an API returning another
  account's figures): the account row is **quarantined**.
* :func:`missing_days`: days without account metrics between the last loaded day and the
  day being loaded (a night that failed): a **warning**, nothing is withheld, the fix is a
  backfill of those days.

:func:`split_quarantined` separates the rows to load from the rows to withhold. The caller
(``socialops.metrics``) records quarantined rows with their values in the ``alerts``
table and reports every issue in Slack; ``docs/dags/nightly_metrics.md`` explains how to
release them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

NEGATIVE_COUNT = "negative_count"
FOLLOWER_CHANGE = "follower_change"
MISSING_DAYS = "missing_days"


@dataclass(frozen=True)
class QualityIssue:
    """One failed check. ``quarantine`` rows are withheld from the load."""

    check: str
    network: str
    account: str  # the account's handle when known, else its id
    day: date
    subject: str  # what the values belong to: "account" or "post <id>"
    message: str
    values: dict[str, Any] = field(default_factory=dict)
    quarantine: bool = True

    @property
    def severity(self) -> str:
        return "critical" if self.quarantine else "warning"

    @property
    def fingerprint(self) -> str:
        """Stable identity of the issue: the same problem found by a rerun is the same alert."""
        return f"data_quality:{self.check}:{self.network}:{self.account}:{self.subject}:{self.day.isoformat()}"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["severity"] = self.severity
        return data


def plain_value(value: Any) -> Any:
    """A JSON-able Python value (numpy scalars → int/float, NaN → None)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_date(value: Any) -> date:
    return pd.Timestamp(value).date()


def negative_counts(
    frame: pd.DataFrame,
    counters: Sequence[str],
    *,
    subject: str,
    account: str | None = None,
    account_column: str = "account_handle",
) -> list[QualityIssue]:
    """One issue per row having a counter below zero.

    :param subject: ``"account"`` for account rows, ``"post"`` for post rows (the post id is
        then read from ``post_id``).
    :param account: the account the rows belong to; default: read from ``account_column``
        (falling back to ``account_id``) of each row.
    """
    present = [c for c in counters if c in frame.columns]
    if frame.empty or not present:
        return []
    values = frame[present].apply(pd.to_numeric, errors="coerce")
    issues = []
    for index in frame.index[(values < 0).any(axis=1)]:
        row = frame.loc[index]
        negative = {c: plain_value(row[c]) for c in present if values.at[index, c] < 0}
        what = "account" if subject == "account" else f"post {row['post_id']}"
        name = account or _account_name(row, account_column)
        listed = ", ".join(f"{name}={value}" for name, value in negative.items())
        issues.append(
            QualityIssue(
                check=NEGATIVE_COUNT,
                network=row["network"],
                account=name,
                day=_as_date(row["day"]),
                subject=what,
                message=f"{row['network']} {name} {what} on {_as_date(row['day'])}: negative counts ({listed})",
                values=negative,
            )
        )
    return issues


def _account_name(row: pd.Series, account_column: str) -> str:
    name = row.get(account_column)
    if name is None or (isinstance(name, float) and name != name):
        name = row.get("account_id")
    return str(name)


def follower_changes(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    threshold_pct: float,
    account_column: str = "account_handle",
) -> list[QualityIssue]:
    """Accounts whose followers moved by more than ``threshold_pct`` % since their previous day.

    ``current`` holds the rows being loaded; ``previous`` the latest loaded row of each
    account *before* its day (network, account_id, day, followers). An account without a
    previous value, or with 0 followers before, is not judged (no base to compare with).
    """
    if current.empty or previous.empty:
        return []
    merged = current.merge(
        previous[["network", "account_id", "day", "followers"]],
        on=["network", "account_id"],
        how="inner",
        suffixes=("", "_previous"),
    )
    issues = []
    for _, row in merged.iterrows():
        now, before = plain_value(row["followers"]), plain_value(row["followers_previous"])
        if now is None or before is None or before <= 0:
            continue
        change_pct = (now - before) / before * 100
        if abs(change_pct) <= threshold_pct:
            continue
        account = _account_name(row, account_column)
        day = _as_date(row["day"])
        previous_day = _as_date(row["day_previous"])
        direction = "jumped" if change_pct > 0 else "dropped"
        issues.append(
            QualityIssue(
                check=FOLLOWER_CHANGE,
                network=row["network"],
                account=account,
                day=day,
                subject="account",
                message=(
                    f"{row['network']} {account}: followers {direction} from {before} on "
                    f"{previous_day} to {now} on {day} ({change_pct:+.1f} %, threshold "
                    f"±{threshold_pct:g} %)"
                ),
                values={
                    "followers": now,
                    "followers_previous": before,
                    "previous_day": previous_day.isoformat(),
                    "change_pct": round(change_pct, 2),
                    "threshold_pct": threshold_pct,
                },
            )
        )
    return issues


def missing_days(
    network: str,
    account: str,
    day: date,
    last_loaded: date | None,
) -> list[QualityIssue]:
    """A warning when days are missing between ``last_loaded`` and ``day``.

    ``last_loaded`` is the latest day before ``day`` that the account has metrics for (None
    for a new account: nothing can be missing yet).
    """
    if last_loaded is None or last_loaded >= day - timedelta(days=1):
        return []
    gap = [last_loaded + timedelta(days=n) for n in range(1, (day - last_loaded).days)]
    first, last = gap[0].isoformat(), gap[-1].isoformat()
    span = first if first == last else f"{first} to {last}"
    return [
        QualityIssue(
            check=MISSING_DAYS,
            network=network,
            account=account,
            day=day,
            subject="account",
            message=(
                f"{network} {account}: no metrics for {span} ({len(gap)} day(s)); backfill "
                f"them with `airflow backfill create --dag-id nightly_metrics --from-date "
                f"{first} --to-date {last}`"
            ),
            values={
                "missing": [d.isoformat() for d in gap],
                "last_loaded": last_loaded.isoformat(),
            },
            quarantine=False,
        )
    ]


def split_quarantined(
    frame: pd.DataFrame, issues: Iterable[QualityIssue], *, subject: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows to load, rows withheld) of ``frame`` given the quarantining ``issues``.

    ``subject`` is ``"account"`` (rows matched on network + account + day) or ``"post"``
    (matched on network + post id + day).
    """
    flagged: set[tuple[str, str, date]] = set()
    for issue in issues:
        if not issue.quarantine:
            continue
        if subject == "post" and issue.subject.startswith("post "):
            flagged.add((issue.network, issue.subject.removeprefix("post "), issue.day))
        elif subject == "account" and issue.subject == "account":
            flagged.add((issue.network, issue.account, issue.day))
    if frame.empty or not flagged:
        return frame, frame.iloc[0:0]
    if subject == "post":
        ids = frame["post_id"].astype(str)
    else:
        names = frame["account_handle"] if "account_handle" in frame else frame["account_id"]
        ids = names.where(names.notna(), frame["account_id"]).astype(str)
    keys = list(zip(frame["network"], ids, frame["day"].map(_as_date), strict=True))
    withheld = pd.Series([key in flagged for key in keys], index=frame.index)
    return frame[~withheld], frame[withheld]
