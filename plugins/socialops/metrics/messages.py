"""The Slack messages of the nightly metrics: failed extractions and data-quality issues.

What a community manager reads says what is missing and what a person must do; a night
never loads another night's day, so nothing here promises that a later run will. The
engineer's side (the raw error, the Airflow command) is built by :func:`extraction_details`
and :func:`quality_details` for the task log and the optional ops channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from socialops.analytics.quality import FOLLOWER_CHANGE, MISSING_DAYS, NEGATIVE_COUNT
from socialops.i18n import N_, N_plural, Percent, Text
from socialops.metrics.campaigns import ADS_ACCOUNT, TASK_ID
from socialops.networks.errors import (
    AuthError,
    InvalidRequest,
    NotSupported,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import Reader, network_name
from socialops.notifications.mrkdwn import code, join

DAG_ID = "nightly_metrics"
# The snapshot invariants of analytics.quality (merged on main with the KPI fix), named
# here so that their alerts read well in both languages whichever branch lands first.
REACH_ABOVE_IMPRESSIONS = "reach_above_impressions"
ENGAGEMENT_RATE_ABOVE_100 = "engagement_rate_above_100"
COUNTER_DECREASE = "counter_decrease"
#: Checks whose rows are loaded as read (a warning): only these words differ in the advice.
LOADED_AS_READ = (REACH_ABOVE_IMPRESSIONS, ENGAGEMENT_RATE_ABOVE_100, COUNTER_DECREASE)
#: How each data-quality check is named to a person.
CHECKS: dict[str, Text] = {
    NEGATIVE_COUNT: N_("negative counters"),
    FOLLOWER_CHANGE: N_("followers changing beyond the threshold"),
    MISSING_DAYS: N_("days without metrics"),
    REACH_ABOVE_IMPRESSIONS: N_("reach above impressions"),
    ENGAGEMENT_RATE_ABOVE_100: N_("more engagements than people reached"),
    COUNTER_DECREASE: N_("lifetime counters going down"),
}


@dataclass(frozen=True)
class ExtractionFailure:
    """What an ``extraction_failure`` alert holds (``alerts.details``)."""

    network: str
    account: str
    day: date
    error: str  # the exception's class name
    message: str  # the exception's text (English, for ops)
    retry_at: datetime | None = None
    task: str | None = None

    @classmethod
    def from_details(cls, details: dict[str, Any], day: date) -> ExtractionFailure:
        retry_at = details.get("retry_at")
        return cls(
            network=details.get("network", "?"),
            account=details.get("account", "?"),
            day=day,
            error=details.get("error", ""),
            message=details.get("message", ""),
            retry_at=datetime.fromisoformat(retry_at) if retry_at else None,
            task=details.get("task"),
        )

    @property
    def task_id(self) -> str:
        return self.task or f"extract_{self.network}"


@dataclass(frozen=True)
class QualityProblem:
    """What a ``data_quality`` alert holds (``alerts.details``: the issue and its values)."""

    alert_id: int
    check: str
    network: str
    account: str
    day: date
    subject: str
    message: str  # the check's English sentence
    values: dict[str, Any] = field(default_factory=dict)
    withheld: bool = False

    @classmethod
    def from_alert(cls, alert: dict[str, Any], day: date) -> QualityProblem:
        details = alert["details"] or {}
        return cls(
            alert_id=alert["id"],
            check=details.get("check", "data_quality"),
            network=details.get("network", "?"),
            account=details.get("account", "?"),
            day=day,
            subject=details.get("subject", "account"),
            message=details.get("message", alert.get("title", "")),
            values=details.get("values") or {},
            withheld=bool(details.get("withheld")),
        )


# -- extraction failures -------------------------------------------------------------------


def extraction_failure(reader: Reader, failure: ExtractionFailure) -> Message:
    """A network's metrics of one day that could not be extracted for an account, why, and
    what a person must do to load them."""
    name = network_name(failure.network)
    if failure.account == ADS_ACCOUNT and failure.task == TASK_ID:
        title = N_(
            ":satellite_antenna: *{network} paid campaign results of {day} not loaded*",
            network=name,
            day=failure.day,
        )
    else:
        title = N_(
            ":satellite_antenna: *{network} metrics of {day} not loaded* for {account}",
            network=name,
            day=failure.day,
            account=failure.account,
        )
    headline = reader.render(title)
    steps = [s for s in (_first_step(failure), _reload(failure)) if s is not None]
    blocks = [
        section(headline),
        section(reader.render(N_("*Reason:* {reason}", reason=extraction_reason(failure)))),
        section(
            reader.render(N_("*What to do:* {action}", action=join(map(reader.render, steps), " ")))
        ),
    ]
    return Message(headline, blocks)


def extraction_reason(failure: ExtractionFailure) -> Text:
    """Why, in the reader's words, from the error's class (its text is for ops)."""
    name = network_name(failure.network)
    reasons = {
        AuthError.__name__: N_(
            "{network} refused the token of the account's Airflow connection (expired, "
            "revoked or missing a permission)",
            network=name,
        ),
        QuotaExceeded.__name__: N_("{network}'s daily API quota is spent", network=name),
        RateLimited.__name__: N_("{network} asked socialops to wait (rate limit)", network=name),
        InvalidRequest.__name__: N_("{network} refused the request", network=name),
        NotSupported.__name__: N_(
            "{network} does not give these metrics for this account", network=name
        ),
    }
    if failure.error in reasons:
        return reasons[failure.error]
    if failure.error in (TransientError.__name__, "OutcomeUnknown"):
        return N_("{network} failed or did not answer, also on retries", network=name)
    return N_("an unexpected error (details in the task log)")


def _first_step(failure: ExtractionFailure) -> Text | None:
    if failure.error == AuthError.__name__:
        return N_(
            "First renew the {network} token in its Airflow connection.",
            network=network_name(failure.network),
        )
    if failure.error in (QuotaExceeded.__name__, RateLimited.__name__):
        if failure.retry_at:
            return N_("First wait until {when}.", when=failure.retry_at)
        return N_("First wait until the daily quota resets.")
    return None


def _reload(failure: ExtractionFailure) -> Text:
    return N_(
        "Later nights do not load this day: each night loads only its own. To load it, "
        "clear the failed task {task} in the {dag} run that loads {day} in Airflow (or ask "
        "whoever runs Airflow to); a backfill of that day works too.",
        task=code(failure.task_id),
        dag=code(DAG_ID),
        day=failure.day,
    )


def extraction_details(failure: ExtractionFailure, timezone: str) -> list[str]:
    """The engineer's lines: the raw error and the command that reloads the day."""
    return [
        f"{failure.error}: {failure.message}",
        clear_command(failure.task_id, failure.day, timezone),
    ]


def clear_command(task_id: str, day: date, timezone: str) -> str:
    """``airflow tasks clear`` for the failed instances of ``task_id`` (and what failed
    after them) in the run that loads ``day``: its logical date is in the brand-local day."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, zone)
    end = datetime.combine(day + timedelta(days=1), time.min, zone) - timedelta(seconds=1)
    return (
        f"airflow tasks clear {DAG_ID} -t '^{task_id}$' -s {start.isoformat()} "
        f"-e {end.isoformat()} --only-failed --downstream --yes"
    )


# -- data quality --------------------------------------------------------------------------


def data_quality_failure(
    reader: Reader, *, check: str, day: date, problems: Sequence[QualityProblem]
) -> Message:
    """The data-quality issues of one check and day, each with its values, and what happens
    to the rows (withheld or not) and what a person does about it."""
    headline = reader.render(
        N_plural(
            ":mag: *Data quality: {check}* ({day}, {count} issue)",
            ":mag: *Data quality: {check}* ({day}, {count} issues)",
            len(problems),
            check=CHECKS.get(check) or code(check),
            day=day,
        )
    )
    lines = [reader.render(quality_line(problem)) for problem in problems]
    note = reader.render(quality_action(check))
    return Message(headline, reader.with_list([section(headline), context(note)], lines))


def quality_line(problem: QualityProblem) -> str:
    """One issue, from its check's values (the English sentence when the check is unknown)."""
    name = network_name(problem.network)
    values = problem.values
    kept = (
        N_("not loaded, kept in alert #{id}", id=problem.alert_id)
        if problem.withheld
        else N_("alert #{id}", id=problem.alert_id)
    )
    subject = (
        N_("the account")
        if problem.subject == "account"
        else N_("post {id}", id=problem.subject.removeprefix("post "))
    )
    about = {"network": name, "account": problem.account, "subject": subject}
    if problem.check == REACH_ABOVE_IMPRESSIONS and {"reach", "impressions"} <= set(values):
        return N_(
            "{network} {account}, {subject}: reach {reach} above impressions {impressions}; {kept}",
            reach=values["reach"],
            kept=kept,
            impressions=values["impressions"],
            **about,
        )
    if problem.check == ENGAGEMENT_RATE_ABOVE_100 and {"engagements", "reach"} <= set(values):
        return N_(
            "{network} {account}, {subject}: {engagements} engagements for a reach of {reach}; "
            "{kept}",
            kept=kept,
            engagements=values["engagements"],
            reach=values["reach"],
            **about,
        )
    if problem.check == COUNTER_DECREASE and values.get("decreases"):
        falls = [
            N_(
                "{counter} {before} ({from_day}) → {after} ({to_day})",
                counter=fall["counter"],
                before=fall["from"],
                from_day=date.fromisoformat(fall["from_day"]),
                after=fall["to"],
                to_day=date.fromisoformat(fall["to_day"]),
            )
            for fall in values["decreases"]
        ]
        return N_(
            "{network} {account}, {subject}: counters went down ({falls}); {kept}",
            falls=falls,
            kept=kept,
            **about,
        )
    if problem.check == NEGATIVE_COUNT:
        counters = [N_("{name} = {value}", name=k, value=v) for k, v in values.items()]
        return N_(
            "{network} {account}, {subject}: negative counters ({counters}); {kept}",
            network=name,
            account=problem.account,
            subject=subject,
            counters=counters,
            kept=kept,
        )
    if problem.check == FOLLOWER_CHANGE and {"followers", "followers_previous"} <= set(values):
        change = float(values.get("change_pct") or 0)
        fields = {
            "network": name,
            "account": problem.account,
            "before": values["followers_previous"],
            "previous_day": date.fromisoformat(values["previous_day"]),
            "now": values["followers"],
            "change": Percent(abs(change) / 100),
            "threshold": Percent(float(values.get("threshold_pct") or 0) / 100),
            "kept": kept,
        }
        if change >= 0:
            return N_(
                "{network} {account}: followers rose from {before} ({previous_day}) to {now} "
                "(+{change}, threshold ±{threshold}); {kept}",
                **fields,
            )
        return N_(
            "{network} {account}: followers fell from {before} ({previous_day}) to {now} "
            "(−{change}, threshold ±{threshold}); {kept}",
            **fields,
        )
    if problem.check == MISSING_DAYS and values.get("missing"):
        missing = [date.fromisoformat(d) for d in values["missing"]]
        if len(missing) == 1:
            return N_(
                "{network} {account}: no metrics for {day}",
                network=name,
                account=problem.account,
                day=missing[0],
            )
        return N_(
            "{network} {account}: no metrics from {first} to {last} ({count} days)",
            network=name,
            account=problem.account,
            first=missing[0],
            last=missing[-1],
            count=len(missing),
        )
    return problem.message


def quality_action(check: str) -> Text:
    """What happens to the rows of ``check``'s issues and what a person does."""
    if check == MISSING_DAYS:
        return N_(
            "Nothing is withheld. Later nights do not fill these days: each night loads only "
            "its own. To load them, backfill {dag} for those days in Airflow (or ask whoever "
            "runs Airflow to).",
            dag=code(DAG_ID),
        )
    if check in LOADED_AS_READ:
        return N_(
            "Nothing is withheld: the values are loaded as read. To read them again, clear "
            "the account's extraction task in the {dag} run that loads the day; if the network "
            "shows the same values, nothing to do.",
            dag=code(DAG_ID),
        )
    if check not in (NEGATIVE_COUNT, FOLLOWER_CHANGE):
        return N_("See the alert for what the check found and what it means.")
    return N_(
        "The flagged rows are not loaded; their values are kept in the alert. If the network "
        "corrects them, reloading the day loads them; if they are genuine, whoever runs the "
        "warehouse releases them from the alert (see docs/dags/nightly_metrics.md)."
    )


def quality_details(check: str, problems: Sequence[QualityProblem]) -> list[str]:
    """The engineer's lines: each check's own sentence, and the backfill of missing days."""
    lines = [f"alert #{p.alert_id}: {p.message}" for p in problems]
    if check == MISSING_DAYS:
        for p in problems:
            missing = p.values.get("missing") or []
            if missing:
                lines.append(
                    f"airflow backfill create --dag-id {DAG_ID} --from-date {missing[0]} "
                    f"--to-date {missing[-1]}"
                )
    return lines
