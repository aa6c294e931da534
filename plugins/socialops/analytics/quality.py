"""Data-quality checks run on extracted metrics before they are loaded (pure functions).

Each check returns :class:`QualityIssue` records that name the account, the day, the row
and the values involved, and say what a person can do:

* :func:`negative_counts`: a counter below zero (no network can have -3 likes): the row is
  **quarantined**, i.e. not loaded.
* :func:`follower_changes`: followers moving by more than ``threshold_pct`` % from the
  previous known day (a bought-followers wave, a purge, or an API returning another
  account's figures): the account row is **quarantined**.
* :func:`missing_days`: days without account metrics between the last loaded day and the
  day being loaded (a night that failed): a **warning**, nothing is withheld, the fix is a
  backfill of those days.

Invariants of plausible KPIs (all **warnings**: the row is loaded as the network reported
it, since withholding it would make the neighbouring days' increments unknown too), run by
:func:`snapshot_invariants`:

* :func:`reach_above_impressions`: reach (people) above impressions (displays), per post
  snapshot and per account-day;
* :func:`engagement_rate_above_100`: more engagements than people reached, per post
  snapshot (lifetime counters) and per account-day (the day's engagements of
  :func:`socialops.analytics.kpis.account_daily` over the day's reach);
* :func:`counter_decreases`: a post's lifetime counter lower than on an earlier snapshot
  (or higher than on a later one) by more than :data:`DECREASE_TOLERANCE_COUNT` or
  :data:`DECREASE_TOLERANCE_PCT` % of the earlier value, whichever is larger.

:func:`split_quarantined` separates the rows to load from the rows to withhold. The caller
(``socialops.metrics``) records every issue in the ``alerts`` table (quarantined rows with
their values) and reports it in Slack; ``docs/dags/nightly_metrics.md`` explains how to
release quarantined rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from socialops.analytics import kpis

NEGATIVE_COUNT = "negative_count"
FOLLOWER_CHANGE = "follower_change"
MISSING_DAYS = "missing_days"
REACH_ABOVE_IMPRESSIONS = "reach_above_impressions"
ENGAGEMENT_RATE_ABOVE_100 = "engagement_rate_above_100"
COUNTER_DECREASE = "counter_decrease"

#: How far a post's lifetime counter may fall between two snapshots without an issue: the
#: larger of this count and this share of the earlier value. Networks lower counters when
#: people unlike or delete a comment and when they purge spam interactions; a fall beyond
#: both is a stale or wrong read (or a day reloaded after the days following it).
DECREASE_TOLERANCE_COUNT = 10
DECREASE_TOLERANCE_PCT = 2.0


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
        about = f"{self.network}:{self.account}:{self.subject}:{self.day.isoformat()}"
        return f"data_quality:{self.check}:{about}"

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
        listed = ", ".join(f"{counter}={value}" for counter, value in negative.items())
        day = _as_date(row["day"])
        issues.append(
            QualityIssue(
                check=NEGATIVE_COUNT,
                network=row["network"],
                account=name,
                day=day,
                subject=what,
                message=f"{row['network']} {name} {what} on {day}: negative counts ({listed})",
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


# -- invariants of plausible KPIs (warnings) ----------------------------------------------


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(float("nan"), index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _about(row: pd.Series, subject: str, account: str | None, account_column: str):
    """(network, account name, day, subject label, "<network> <account> <what> on <day>")."""
    what = "account" if subject == "account" else f"post {row['post_id']}"
    name = account or _account_name(row, account_column)
    day = _as_date(row["day"])
    return row["network"], name, day, what, f"{row['network']} {name} {what} on {day}"


def reach_above_impressions(
    frame: pd.DataFrame,
    *,
    subject: str,
    account: str | None = None,
    account_column: str = "account_handle",
) -> list[QualityIssue]:
    """One warning per row whose reach is above its impressions (both known).

    Reach counts the people who saw the content, impressions every time it was displayed,
    so reach cannot exceed impressions. ``subject`` is ``"post"`` (lifetime counters of a
    snapshot; ``post_id`` names it) or ``"account"`` (an account-day).
    """
    if frame.empty:
        return []
    reach, impressions = _numbers(frame, "reach"), _numbers(frame, "impressions")
    issues = []
    for index in frame.index[reach > impressions]:
        network, name, day, what, about = _about(frame.loc[index], subject, account, account_column)
        values = {
            "reach": plain_value(reach[index]),
            "impressions": plain_value(impressions[index]),
        }
        issues.append(
            QualityIssue(
                check=REACH_ABOVE_IMPRESSIONS,
                network=network,
                account=name,
                day=day,
                subject=what,
                message=(
                    f"{about}: reach {values['reach']} above impressions "
                    f"{values['impressions']}, which counts every display of the people "
                    "reached, so one of the two is wrong or they were read at different "
                    "moments. Loaded as read: rerun the account's extraction of the day to "
                    "read them again, and if it persists compare them with the network's own "
                    "insights."
                ),
                values=values,
                quarantine=False,
            )
        )
    return issues


def engagement_rate_above_100(
    frame: pd.DataFrame,
    *,
    subject: str,
    account: str | None = None,
    account_column: str = "account_handle",
) -> list[QualityIssue]:
    """One warning per row with more engagements than people reached (reach above 0).

    ``frame`` has ``engagements`` and ``reach``: a post snapshot's lifetime counters
    (``subject="post"``, e.g. :func:`~socialops.analytics.kpis.post_performance`) or an
    account-day's engagements of the day over its reach (``subject="account"``,
    :func:`~socialops.analytics.kpis.account_daily`).
    """
    if frame.empty:
        return []
    engaged, reach = _numbers(frame, "engagements"), _numbers(frame, "reach")
    issues = []
    for index in frame.index[(reach > 0) & (engaged > reach)]:
        network, name, day, what, about = _about(frame.loc[index], subject, account, account_column)
        rate = round(float(engaged[index] / reach[index] * 100), 1)
        values = {
            "engagements": plain_value(engaged[index]),
            "reach": plain_value(reach[index]),
            "engagement_rate_reach_pct": rate,
        }
        if subject == "account":
            cause = (
                "the day's engagements are its posts' day-over-day increments (docs/kpis.md): "
                "look for a post whose counters jumped, or a reach the network under-reported."
            )
        else:
            cause = (
                "reach can lag behind interactions (Meta's insights by up to 48 hours) and "
                "people can interact several times (a giveaway asking for comments); "
                "otherwise a counter is wrong."
            )
        issues.append(
            QualityIssue(
                check=ENGAGEMENT_RATE_ABOVE_100,
                network=network,
                account=name,
                day=day,
                subject=what,
                message=(
                    f"{about}: {values['engagements']} engagements for a reach of "
                    f"{values['reach']} ({rate:g} % by reach, above 100 %); {cause} "
                    "Loaded as read: rerun the account's extraction of the day later to read "
                    "the counters again."
                ),
                values=values,
                quarantine=False,
            )
        )
    return issues


def _fall(counter: str, from_day: date, earlier: Any, to_day: date, later: Any) -> dict:
    return {
        "counter": counter,
        "from_day": from_day.isoformat(),
        "from": plain_value(earlier),
        "to_day": to_day.isoformat(),
        "to": plain_value(later),
    }


def counter_decreases(
    current: pd.DataFrame,
    stored: pd.DataFrame,
    *,
    counters: Sequence[str] = kpis.POST_COUNTERS,
    account: str | None = None,
    account_column: str = "account_handle",
    tolerance_count: float = DECREASE_TOLERANCE_COUNT,
    tolerance_pct: float = DECREASE_TOLERANCE_PCT,
) -> list[QualityIssue]:
    """One warning per post snapshot of ``current`` whose lifetime counters went down.

    Each row of ``current`` (network, post_id, day, counters) is compared with the post's
    latest snapshot before its day and its earliest one after it in ``stored`` (the
    warehouse's other snapshots of the same posts; rows of the same post and day are
    ignored, ``current`` replaces them). A fall of up to ``tolerance_count`` or
    ``tolerance_pct`` % of the earlier value, whichever is larger, is not an issue.
    """
    present = [c for c in counters if c in current.columns]
    if current.empty or not present:
        return []
    key = ["network", "post_id", "day"]
    mine = current.assign(_current=True, day=current["day"].map(_as_date))
    others = stored.assign(_current=False, day=stored["day"].map(_as_date))
    taken = set(zip(mine["network"], mine["post_id"].astype(str), mine["day"], strict=True))
    replaced = [
        (n, str(p), d) in taken
        for n, p, d in zip(others["network"], others["post_id"], others["day"], strict=True)
    ]
    others = others.loc[~pd.Series(replaced, index=others.index, dtype=bool)]
    columns = [*key, *present, "_current"]
    both = pd.concat([mine[columns], others.reindex(columns=columns)], ignore_index=True)
    both = both.sort_values(key, ignore_index=True)
    values = both[present].apply(pd.to_numeric, errors="coerce").astype("float64")
    by_post = [both["network"], both["post_id"].astype(str)]
    before, after = values.groupby(by_post).shift(1), values.groupby(by_post).shift(-1)
    before_day = both["day"].groupby(by_post).shift(1)
    after_day = both["day"].groupby(by_post).shift(-1)

    def fell(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
        allowed = (earlier * tolerance_pct / 100).clip(lower=tolerance_count)
        return (earlier - later) > allowed  # False where either is unknown

    fell_since_before, fell_until_after = fell(before, values), fell(values, after)
    flagged = both["_current"] & (fell_since_before | fell_until_after).any(axis=1)
    issues = []
    for index in both.index[flagged]:
        row = both.loc[index]
        falls = []
        for counter in present:
            now, day = values.at[index, counter], row["day"]
            if fell_since_before.at[index, counter]:
                earlier = before.at[index, counter]
                falls.append(_fall(counter, before_day[index], earlier, day, now))
            if fell_until_after.at[index, counter]:
                later = after.at[index, counter]
                falls.append(_fall(counter, day, now, after_day[index], later))
        network, name, day, what, about = _about(row, "post", account, account_column)
        listed = ", ".join(
            f"{f['counter']} {f['from']} on {f['from_day']} → {f['to']} on {f['to_day']}"
            for f in falls
        )
        issues.append(
            QualityIssue(
                check=COUNTER_DECREASE,
                network=network,
                account=name,
                day=day,
                subject=what,
                message=(
                    f"{about}: lifetime counters went down ({listed}), by more than networks "
                    "take back for removed interactions (tolerance: the larger of "
                    f"{tolerance_count:g} and {tolerance_pct:g} % of the earlier value); "
                    "between consecutive days the later day's increment is negative in the "
                    "KPIs. Loaded as read: rerun the "
                    "account's extraction of the day to read it again. If the network shows "
                    "the lower value, nothing to do; if this day was reloaded after the days "
                    "following it (X and YouTube return today's counters), reload those too."
                ),
                values={
                    "decreases": falls,
                    "tolerance_count": tolerance_count,
                    "tolerance_pct": tolerance_pct,
                },
                quarantine=False,
            )
        )
    return issues


def snapshot_invariants(
    post_metrics: pd.DataFrame,
    account_metrics: pd.DataFrame,
    *,
    stored_post_metrics: pd.DataFrame,
    posts: pd.DataFrame,
    account: str,
    timezone: str,
) -> list[QualityIssue]:
    """The plausibility invariants of one account's extracted day, before it is loaded.

    :param post_metrics: the post snapshots being loaded (``post_metrics_daily`` rows).
    :param account_metrics: the account row(s) being loaded (``account_metrics_daily``).
    :param stored_post_metrics: the warehouse's snapshots of the same posts on other days
        (the account-day's engagements need the day before; decreases compare neighbours).
    :param posts: ``posts`` rows with the posts' ``created_at`` (those not listed count as
        created before the day: their first snapshot's increment is unknown).
    :param timezone: the brand's, in which a post's creation day is counted.
    """
    issues = reach_above_impressions(post_metrics, subject="post", account=account)
    if len(post_metrics):
        lifetime = kpis.post_performance(post_metrics)
        issues += engagement_rate_above_100(lifetime, subject="post", account=account)
    issues += counter_decreases(post_metrics, stored_post_metrics, account=account)
    if account_metrics.empty:
        return issues
    snapshots = pd.concat([stored_post_metrics, post_metrics], ignore_index=True)
    snapshots["day"] = pd.to_datetime(snapshots["day"]).dt.normalize()
    snapshots = snapshots.drop_duplicates(["network", "post_id", "day"], keep="last")
    daily = kpis.account_daily(
        account_metrics,
        snapshots,
        _authors(snapshots, posts, account_metrics),
        timezone=timezone,
    )
    key = ["network", "account_id", "day"]
    own = account_metrics.reindex(columns=[*key, "reach", "impressions"])
    own = own.assign(
        day=pd.to_datetime(own["day"]).dt.normalize(),
        own_reach=_numbers(own, "reach"),
        own_impressions=_numbers(own, "impressions"),
    )
    daily = daily.merge(own[[*key, "own_reach", "own_impressions"]], on=key, how="left")
    issues += reach_above_impressions(_same_source(daily), subject="account", account=account)
    issues += engagement_rate_above_100(daily, subject="account", account=account)
    return issues


def _same_source(daily: pd.DataFrame) -> pd.DataFrame:
    """Account-days whose reach and impressions can be compared: both the account's own
    figures or both its posts' sums (an account's reach against its posts' impressions
    compares different populations). The others get NaN, which no check judges."""
    own = daily["own_reach"].notna() == daily["own_impressions"].notna()
    return daily.assign(reach=daily["reach"].where(own))


def _authors(
    snapshots: pd.DataFrame, posts: pd.DataFrame, account_metrics: pd.DataFrame
) -> pd.DataFrame:
    """(network, post_id, account_id, created_at) of every snapshot's post: the extracted
    account is the author of every post it extracts."""
    authors = snapshots[["network", "post_id"]].drop_duplicates()
    authors["account_id"] = account_metrics["account_id"].iloc[0]
    listed = posts.rename(columns={"external_id": "post_id"})
    if len(listed):
        created = listed[["network", "post_id", "created_at"]]
        authors = authors.merge(created, on=["network", "post_id"], how="left")
    else:
        authors["created_at"] = pd.NaT
    return authors
