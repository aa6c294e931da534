"""The marketing lead's weekly report: one ISO week, KPIs against the objectives, trends,
top posts, campaigns, competitor benchmark and share of voice, sentiment, incidents, best
times and three suggestions.

:func:`build_weekly` computes it with the KPI functions (``kpis.account_daily``,
``kpis.rollup``, ``kpis.top_posts``, ``kpis.campaign_summary``: the formulas of the SQL
views; the competitors' tables from ``competitors.service.benchmark``); :func:`render_html`
writes a self-contained HTML file (charts as inline SVG) with the Jinja2 template
``include/reports/weekly.html.j2``; :func:`render_pdf` prints it with
headless Chromium; :func:`publish` stores both under ``reports.directory``;
:func:`announce` writes the reports channel's summary to the outbox, once per week.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from socialops.analytics import kpis
from socialops.i18n import N_, N_plural, Percent, Text
from socialops.networks.registry import display_name
from socialops.paths import INCLUDE_DIR, PROJECT_ROOT, data_dir
from socialops.reports import best_time, store
from socialops.reports.service import daily_figures, local_range, slots_for_week

log = logging.getLogger(__name__)

TEMPLATE = INCLUDE_DIR / "reports" / "weekly.html.j2"
#: The top posts shown.
TOP_POSTS = 5
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class IsoWeek:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


def parse_week(value: str) -> IsoWeek:
    """``2026-W47`` → that ISO week; anything else is refused with the expected form."""
    match = _WEEK.match(value.strip())
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, number, 1)
            return IsoWeek(year, number)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not an ISO week; write it like 2026-W47")


@dataclass(frozen=True)
class Kpi:
    """A KPI of the week against its objective (``target`` None: no objective set)."""

    name: str  # follower_growth_pct, engagement_rate_pct, posts_per_week, roas
    value: float | None
    target: float | None

    @property
    def on_target(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target


@dataclass
class CompetitorWeek:
    """The brand beside its competitors this week: the tables of
    :func:`socialops.competitors.service.benchmark` (``analytics.competitors``), as they are.

    ``benchmark``: the week's rows of ``weekly_benchmark`` (one per owner, network and
    account), each network's brand rows first; ``share_of_voice``: one row per owner, the
    brand first.
    """

    brand: str
    benchmark: pd.DataFrame
    share_of_voice: pd.DataFrame

    @property
    def has_benchmark(self) -> bool:
        """A competitor has a figure this week (the brand's rows alone compare nothing)."""
        return bool((self.benchmark["owner"] != self.brand).any())

    @property
    def has_voice(self) -> bool:
        return bool(self.share_of_voice["mentions"].sum() > 0)

    def networks(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The benchmark's rows per network (networks with a competitor's figure only)."""
        found = []
        for network, rows in self.benchmark.groupby("network", sort=False):
            if (rows["owner"] != self.brand).any():
                found.append((network, rows.to_dict("records")))
        return found


@dataclass
class WeeklyReport:
    week: IsoWeek
    brand: str
    networks: list[str]
    kpis: list[Kpi] = field(default_factory=list)
    per_network: pd.DataFrame = field(default_factory=pd.DataFrame)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_posts: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    #: None: no competitor in the configuration (``competitors``) yet.
    competitors: CompetitorWeek | None = None
    sentiment: dict[str, Any] | None = None
    incidents: list[dict[str, Any]] = field(default_factory=list)
    heatmaps: dict[str, pd.DataFrame] = field(default_factory=dict)
    suggestions: list[Text] = field(default_factory=list)
    #: Configured networks without a single figure in the week (down, or not loaded).
    missing_networks: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.per_network.empty and not self.top_posts


def _value(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _weekly_growth(rolled: pd.DataFrame) -> pd.Series:
    """Follower growth over a week, from the rollup: 100 × Σ net new / (followers − Σ net new)."""
    return kpis.percent(
        rolled["net_new_followers"], rolled["followers"] - rolled["net_new_followers"]
    )


def build_weekly(engine: Engine, config: Any, week: IsoWeek) -> WeeklyReport:
    timezone = config.brand.timezone
    report = WeeklyReport(week=week, brand=config.brand.name, networks=list(config.networks))
    first = week.monday - timedelta(weeks=config.reports.history_weeks - 1)
    daily, posts, snapshots = daily_figures(engine, first, week.sunday, timezone)
    daily = daily.assign(week=daily["day"] - pd.to_timedelta(daily["day"].dt.day_of_week, unit="D"))
    this_week = daily[daily["week"] == pd.Timestamp(week.monday)]
    if not this_week.empty:
        per_network = kpis.rollup(this_week, ["network"])
        per_network["follower_growth_week_pct"] = _weekly_growth(per_network)
        report.per_network = per_network
        brand = kpis.rollup(this_week.assign(brand=config.brand.name), ["brand"]).iloc[0]
        growth = _value(_weekly_growth(brand.to_frame().T).iloc[0])
        rate = _value(brand["engagement_rate_reach_pct"])
        published = float(brand["posts_published"])
    else:
        growth = rate = None
        published = 0.0
    if not daily.empty:
        trends = kpis.rollup(daily, ["network", "week"])
        trends["follower_growth_week_pct"] = _weekly_growth(trends)
        report.trends = trends
    report.missing_networks = [
        n
        for n in config.networks
        if report.per_network.empty or n not in set(report.per_network["network"])
    ]
    report.campaigns = _campaigns(engine, week)
    spend = sum(c["spend"] or 0.0 for c in report.campaigns)
    revenue = sum(c["revenue"] or 0.0 for c in report.campaigns)
    roas = kpis.ratio(revenue, spend) if report.campaigns else None
    objectives = config.objectives
    report.kpis = [
        Kpi("follower_growth_pct", growth, objectives.follower_growth_pct),
        Kpi("engagement_rate_pct", rate, objectives.engagement_rate_pct),
        Kpi("posts_per_week", published, objectives.posts_per_week),
        Kpi("roas", _value(roas), objectives.roas),
    ]
    report.top_posts = _top_posts(posts, snapshots, week, timezone)
    report.competitors = _competitors(engine, config, week)
    report.sentiment = _sentiment(engine, week, timezone)
    since, until = local_range(week.monday, week.sunday, timezone)
    report.incidents = store.alerts_opened(engine, since, until)
    slots, scores = slots_for_week(engine, week.monday + timedelta(weeks=1), timezone)
    report.heatmaps = {n: best_time.heatmap(scores, n) for n in config.networks}
    report.suggestions = suggestions(report, slots, objectives)
    return report


def _top_posts(posts: pd.DataFrame, snapshots: pd.DataFrame, week: IsoWeek, timezone: str):
    if snapshots.empty:
        return []
    performance = kpis.post_performance(
        snapshots[pd.to_datetime(snapshots["day"]) <= pd.Timestamp(week.sunday)], posts
    )
    created = kpis.local_days(performance["created_at"], timezone)
    of_week = performance[
        (created >= pd.Timestamp(week.monday)) & (created <= pd.Timestamp(week.sunday))
    ]
    if of_week.empty:
        return []
    ranked = kpis.top_posts(of_week, n=TOP_POSTS)
    info = posts.rename(columns={"external_id": "post_id"})[["network", "post_id", "url", "text"]]
    ranked = ranked.merge(info, on=["network", "post_id"], how="left")
    return [
        {
            "network": row["network"],
            "url": row["url"],
            "text": row["text"] or row["post_id"],
            "engagements": _value(row["engagements"]),
            "reach": _value(row["reach"]),
            "rate": _value(row["engagement_rate_reach_pct"]),
        }
        for _, row in ranked.iterrows()
    ]


def _campaigns(engine: Engine, week: IsoWeek) -> list[dict[str, Any]]:
    declared, spend = store.campaigns(engine)
    if declared.empty:
        return []
    running = declared[
        (pd.to_datetime(declared["start_date"]) <= pd.Timestamp(week.sunday))
        & (pd.to_datetime(declared["end_date"]) >= pd.Timestamp(week.monday))
    ]
    if running.empty:
        return []
    summary = kpis.campaign_summary(spend, running, through=week.sunday)
    return [
        {
            "name": row["name"],
            "currency": row["currency"] or "EUR",
            "spend": _value(row["spend"]),
            "revenue": _value(row["revenue"]),
            "budget": _value(row["budget"]),
            "burn_pct": _value(row["budget_consumed_pct"]),
            "roas": _value(row["roas"]),
            "cpa": _value(row["cpa"]),
        }
        for _, row in summary.iterrows()
    ]


def _competitors(engine: Engine, config: Any, week: IsoWeek) -> CompetitorWeek | None:
    """The week's benchmark and share of voice, from the competitor watch's own tables
    (:func:`socialops.competitors.service.benchmark`: no second computation)."""
    if not config.competitors:
        return None
    from socialops.competitors.service import benchmark

    brand = config.brand.name
    tables = benchmark(config, engine, week.monday, week.sunday)
    rows = tables.weekly[tables.weekly["week"] == week.monday]
    networks = {network: index for index, network in enumerate(config.networks)}
    order = rows.assign(
        _network=rows["network"].map(networks).fillna(len(networks)),
        _rival=rows["owner"] != brand,
    )
    rows = order.sort_values(["_network", "network", "_rival", "owner", "handle"]).drop(
        columns=["_network", "_rival"]
    )
    voice = tables.share_of_voice
    voice = voice.assign(_rival=voice["owner"] != brand).sort_values("_rival", kind="stable")
    return CompetitorWeek(
        brand=brand,
        benchmark=rows.reset_index(drop=True),
        share_of_voice=voice.drop(columns="_rival").reset_index(drop=True),
    )


def _sentiment(engine: Engine, week: IsoWeek, timezone: str) -> dict[str, Any] | None:
    if not store.listening_has_data(engine):
        return None
    since, until = local_range(week.monday, week.sunday, timezone)
    found = store.mentions(engine, since, until)
    scored = found[found["sentiment"].notna()]
    return {
        "mentions": int(len(found)),
        "negative_share": kpis.ratio(
            float((scored["sentiment"] < -0.05).sum()), float(len(scored))
        ),
        "positive_share": kpis.ratio(float((scored["sentiment"] > 0.05).sum()), float(len(scored))),
    }


def suggestions(report: WeeklyReport, slots: list[best_time.Slot], objectives: Any) -> list[Text]:
    """Up to three suggestions for next week, each with the numbers behind it."""
    found: list[Text] = []
    if slots:
        rank = {"low": 0, "medium": 1, "high": 2}
        slot = max(slots, key=lambda s: (rank[s.confidence], s.score, s.posts + s.network_posts))
        found.append(
            N_plural(
                "Post on {network} on {weekday} around {hour}:00: the posts there did {lift} × "
                "the usual engagement ({count} post behind it).",
                "Post on {network} on {weekday} around {hour}:00: the posts there did {lift} × "
                "the usual engagement ({count} posts behind it).",
                slot.posts + slot.network_posts if slot.network_pattern else slot.posts,
                network=display_name(slot.network),
                weekday=WEEKDAYS[slot.weekday],
                hour=f"{slot.hour:02d}",
                lift=round(slot.score, 1),
            )
        )
    rated = (
        report.per_network.dropna(subset=["engagement_rate_reach_pct"])
        if not report.per_network.empty
        else report.per_network
    )
    if len(rated) >= 2:
        best = rated.sort_values("engagement_rate_reach_pct", ascending=False).iloc[0]
        others = rated[rated["network"] != best["network"]]
        found.append(
            N_(
                "{network} had the best engagement rate this week ({rate} against {others} "
                "elsewhere): give it more of next week's posts.",
                network=display_name(best["network"]),
                rate=Percent(best["engagement_rate_reach_pct"] / 100),
                others=Percent(float(others["engagement_rate_reach_pct"].mean()) / 100),
            )
        )
    posted = next(k for k in report.kpis if k.name == "posts_per_week")
    if posted.target is not None and posted.value is not None and posted.value < posted.target:
        missing = int(posted.target - posted.value)
        found.append(
            N_plural(
                "{posted} posts this week against {target} planned: schedule {count} more post "
                "next week to reach the target.",
                "{posted} posts this week against {target} planned: schedule {count} more posts "
                "next week to reach the target.",
                missing,
                posted=int(posted.value),
                target=int(posted.target),
            )
        )
    growth = next(k for k in report.kpis if k.name == "follower_growth_pct")
    grown = report.per_network.dropna(subset=["follower_growth_week_pct"]) if len(rated) else rated
    if growth.on_target is False and len(grown) and len(found) < 3:
        best = grown.sort_values("follower_growth_week_pct", ascending=False).iloc[0]
        found.append(
            N_(
                "Follower growth was {growth} against the {target} objective; {network} grew "
                "fastest ({best}): look at what it posted this week.",
                growth=Percent(growth.value / 100),
                target=Percent(growth.target / 100),
                network=display_name(best["network"]),
                best=Percent(best["follower_growth_week_pct"] / 100),
            )
        )
    return found[:3]


#: Weekday names of the suggestions (translated), Monday first.
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


# -- storage -------------------------------------------------------------------------------


def reports_root(config: Any):
    """Where reports are stored: ``reports.directory`` (a folder, relative to the project,
    or an ObjectStoragePath URL), by default ``<data dir>/reports``."""
    directory = config.reports.directory
    if directory and "://" in directory:
        from airflow.sdk import ObjectStoragePath

        return ObjectStoragePath(directory)
    if directory:
        path = Path(directory)
        return path if path.is_absolute() else PROJECT_ROOT / path
    return data_dir() / "reports"


@dataclass(frozen=True)
class StoredReport:
    week: str
    files: dict[str, str]  # format → where it is stored
    replaced: bool  # a report of that week was stored before
    content: str  # a hash of the HTML: a rerun that changes nothing announces nothing
    summary_lines: tuple[Text, ...] = ()
    empty: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "files": self.files,
            "replaced": self.replaced,
            "content": self.content,
        }


def render_files(
    report: WeeklyReport, reader: Any, out: Path, formats: list[str]
) -> dict[str, Path]:
    """Write the report's HTML (always: the PDF is printed from it) and PDF into ``out``."""
    from socialops.reports.render import render_html, render_pdf

    out.mkdir(parents=True, exist_ok=True)
    html = out / f"weekly-{report.week.label}.html"
    html.write_text(render_html(report, reader.locale, reader.timezone), encoding="utf-8")
    written = {"html": html}
    if "pdf" in formats:
        written["pdf"] = render_pdf(html, out / f"weekly-{report.week.label}.pdf")
    if "html" not in formats:
        html.unlink()
        del written["html"]
    return written


def publish(engine: Engine, config: Any, label: str) -> StoredReport:
    """Render the week's report and store it (replacing an earlier one of the same week)."""
    from socialops.notifications.catalogue import Reader

    week = parse_week(label)
    report = build_weekly(engine, config, week)
    root = reports_root(config)
    with tempfile.TemporaryDirectory() as scratch:
        reader = Reader.for_brand(config)
        written = render_files(report, reader, Path(scratch), config.reports.formats)
        files, replaced = {}, False
        html = (Path(scratch) / f"weekly-{label}.html").read_bytes()
        for kind, path in written.items():
            target = root / path.name
            replaced = replaced or target.exists()
            if isinstance(target, Path):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
            files[kind] = str(target)
    log.info("weekly report %s stored: %s%s", label, files, " (replaced)" if replaced else "")
    return StoredReport(
        week=label,
        files=files,
        replaced=replaced,
        content=hashlib.sha256(html).hexdigest()[:16],
        summary_lines=tuple(summary_lines(report)),
        empty=report.empty,
    )


def summary_lines(report: WeeklyReport) -> list[Text]:
    """The KPIs against their objectives, one line each, for the Slack summary."""
    from socialops.reports.render import KPI_NAMES, kpi_value_text

    lines = []
    for kpi in report.kpis:
        if kpi.value is None and kpi.target is None:
            continue
        mark = {True: "✅", False: "❌", None: "•"}[kpi.on_target]
        if kpi.target is None:
            lines.append(
                N_(
                    "{mark} {kpi}: {value}",
                    mark=mark,
                    kpi=KPI_NAMES[kpi.name],
                    value=kpi_value_text(kpi.name, kpi.value),
                )
            )
        else:
            lines.append(
                N_(
                    "{mark} {kpi}: {value} (objective {target})",
                    mark=mark,
                    kpi=KPI_NAMES[kpi.name],
                    value=kpi_value_text(kpi.name, kpi.value),
                    target=kpi_value_text(kpi.name, kpi.target),
                )
            )
    if report.missing_networks:
        lines.append(
            N_(
                "No figures this week for {networks}.",
                networks=[display_name(n) for n in report.missing_networks],
            )
        )
    return lines


def announce(engine: Engine, config: Any, stored: StoredReport) -> int:
    """The reports channel's summary, once per week: a rerun edits it (the report was
    replaced) instead of posting again."""
    from socialops.notifications.catalogue import Reader
    from socialops.notifications.outbox import Notice, add_notices
    from socialops.reports.messages import weekly_message

    reader = Reader.for_brand(config)
    message = weekly_message(reader, stored)
    key = f"reports:weekly:{stored.week}"
    notice = Notice.of(
        f"{key}:{stored.content}", config.slack.channels.reports, message, updates=key
    )
    return add_notices(engine, [notice])


class SummaryNotPosted(RuntimeError):
    """The week's summary is not in Slack yet: its files wait for it (they go in its thread)."""


def upload(
    engine: Engine,
    config: Any,
    summary: dict[str, Any],
    sender: Any,
    *,
    now: Any,
) -> list[str]:
    """Upload the stored files of a report version (:meth:`StoredReport.summary`) in the
    thread of the week's summary, once per version; returns the Slack file ids this call
    uploaded (none when this version is in Slack already).

    Exactly once, like the outbox: the upload is recorded before Slack is called
    (``attempted_at``) and completed after (``file_ids``, ``uploaded_at``). A record left
    incomplete (the task crashed, or Slack's answer was lost) makes the next run look for
    the version's files in the thread first (their names carry the version:
    :func:`upload_name`); they are uploaded again only if they are not there.
    """
    from sqlalchemy import select

    from socialops.notifications.catalogue import Reader
    from socialops.reports.messages import upload_comment
    from socialops.warehouse.models import NotificationOutbox, ReportUpload

    week, content = summary["week"], summary["content"]
    channel = config.slack.channels.reports
    with engine.connect() as connection:
        record = connection.execute(
            select(
                ReportUpload.attempted_at, ReportUpload.uploaded_at, ReportUpload.thread_ts
            ).where(ReportUpload.week == week, ReportUpload.content == content)
        ).first()
        earlier = connection.scalar(
            select(ReportUpload.week)
            .where(
                ReportUpload.week == week,
                ReportUpload.content != content,
                ReportUpload.uploaded_at.is_not(None),
            )
            .limit(1)
        )
        thread = connection.scalar(
            select(NotificationOutbox.slack_ts)
            .where(
                NotificationOutbox.updates_key == f"reports:weekly:{week}",
                NotificationOutbox.channel == channel,
                NotificationOutbox.slack_ts.is_not(None),
            )
            .order_by(NotificationOutbox.id)
            .limit(1)
        )
    if record is not None and record.uploaded_at is not None:
        log.info("weekly report %s (%s) already uploaded", week, content)
        return []
    if thread is None:
        raise SummaryNotPosted(
            f"the summary of the weekly report {week} is not in {channel} yet (its delivery "
            "failed or is pending): the files are uploaded in its thread once it is posted; "
            "clear this task after deliver_notifications succeeded"
        )
    files = sorted(summary["files"].items())
    names = [upload_name(where, content) for _, where in files]
    row = {
        "week": week,
        "content": content,
        "channel": channel,
        "thread_ts": thread,
        "file_ids": None,
        "attempted_at": now,
        "uploaded_at": None,
    }
    if record is None:
        _record_upload(engine, row, update=["channel", "thread_ts", "attempted_at"])
    else:  # in doubt: an earlier attempt may have reached Slack
        found = sender.find_upload(
            channel, names, since=record.attempted_at or now, thread_ts=record.thread_ts or thread
        )
        if found is not None:
            log.info(
                "weekly report %s (%s) was uploaded already (files %s): not uploaded again",
                week,
                content,
                ", ".join(found),
            )
            _record_upload(engine, row | {"file_ids": found, "uploaded_at": now})
            return []
    comment = upload_comment(Reader.for_brand(config), week, replaced=earlier is not None)
    with tempfile.TemporaryDirectory() as scratch:
        local = [
            (_local_copy(where, Path(scratch) / name), kind.upper())
            for (kind, where), name in zip(files, names, strict=True)
        ]
        ids = sender.upload(
            channel,
            [(str(path), title) for path, title in local],
            comment=comment,
            thread_ts=thread,
        )
    _record_upload(engine, row | {"file_ids": ids, "uploaded_at": now})
    return ids


def upload_name(where: str, content: str) -> str:
    """The name a stored report file gets in Slack: its own name with the version's
    content hash (``weekly-2026-W47-3fa9c1d2e4b5.pdf``), so that an upload in doubt is
    recognised in the thread, apart from another version's files."""
    name = Path(where.rsplit("/", 1)[-1])
    return f"{name.stem}-{content[:12]}{name.suffix}"


def _record_upload(engine: Engine, row: dict[str, Any], *, update: list[str] | None = None) -> None:
    from socialops.warehouse.models import ReportUpload
    from socialops.warehouse.upsert import upsert

    # The first attempt's time stays: the thread is searched from it.
    upsert(engine, ReportUpload, [row], update=update or ["file_ids", "uploaded_at", "thread_ts"])


def _local_copy(where: str, target: Path) -> Path:
    """``target``: a copy of a stored file (an ObjectStoragePath URL is downloaded)."""
    if "://" not in where:
        shutil.copyfile(where, target)
        return target
    from airflow.sdk import ObjectStoragePath

    target.write_bytes(ObjectStoragePath(where).read_bytes())
    return target
