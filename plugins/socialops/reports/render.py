"""The weekly report as files: HTML from the Jinja2 template, PDF printed by headless Chromium.

Words come from the gettext catalogues (:class:`~socialops.i18n.Text` rendered with the
brand's locale), numbers and dates from Babel; every value is HTML-escaped by Jinja2's
autoescape. The charts are inline SVG, so the HTML file is self-contained.
"""

from __future__ import annotations

import os
import shutil
import string
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from socialops.i18n import N_, Percent, Text
from socialops.networks.registry import display_name
from socialops.notifications.catalogue import Reader
from socialops.reports import charts
from socialops.reports.messages import percent_text

_FORMATTER = string.Formatter()
#: How long Chromium may take to print a report.
PDF_TIMEOUT_SECONDS = 120

KPI_NAMES: dict[str, Text] = {
    "follower_growth_pct": N_("Follower growth"),
    "engagement_rate_pct": N_("Engagement rate (by reach)"),
    "posts_per_week": N_("Posts published"),
    "roas": N_("Return on ad spend (ROAS)"),
}

LABELS: dict[str, Text] = {
    "title": N_("Weekly report"),
    "objectives": N_("Objectives"),
    "kpi": N_("KPI"),
    "value": N_("This week"),
    "target": N_("Objective"),
    "status": N_("Status"),
    "on_target": N_("on target"),
    "off_target": N_("off target"),
    "no_target": N_("no objective set"),
    "per_network": N_("Per network"),
    "network": N_("Network"),
    "followers": N_("Followers"),
    "growth": N_("Growth"),
    "reach": N_("Reach"),
    "engagements": N_("Engagements"),
    "rate": N_("Engagement rate"),
    "posts": N_("Posts"),
    "trends": N_("Trends"),
    "top_posts": N_("Top posts"),
    "post": N_("Post"),
    "campaigns": N_("Paid campaigns"),
    "campaign": N_("Campaign"),
    "spend": N_("Spend"),
    "budget": N_("Budget"),
    "burn": N_("Budget used"),
    "cpa": N_("Cost per conversion"),
    "competitors": N_("Competitor benchmark"),
    "benchmark_note": N_(
        "Public figures only, the same for the brand and its competitors: engagements are "
        "likes, comments and shares of the posts published this week (their latest counts); "
        "growth is against the previous week's last count."
    ),
    "account": N_("Account"),
    "new_followers": N_("New followers"),
    "engagements_per_post": N_("Engagements per post"),
    "rate_followers": N_("Engagement rate (by followers)"),
    "share_of_voice": N_("Share of voice"),
    "share_of_voice_note": N_(
        "Mentions found by the listening this week that name the brand or a competitor "
        "(a mention naming two counts for both)."
    ),
    "share": N_("Share"),
    "neutral": N_("Neutral"),
    "no_competitor_data": N_("No competitor data this week."),
    "sentiment": N_("Sentiment and incidents"),
    "mentions": N_("Mentions"),
    "negative": N_("Negative"),
    "positive": N_("Positive"),
    "incidents": N_("Incidents of the week"),
    "no_incident": N_("No incident this week."),
    "best_time": N_("Best times to post"),
    "best_time_note": N_(
        "Score by weekday and hour (brand time): 1 is the account's usual post, green does "
        "better, red worse; blank: no post there yet."
    ),
    "suggestions": N_("Suggestions for next week"),
    "no_suggestion": N_("Not enough data for a suggestion yet."),
    "not_configured": N_("Not configured yet."),
    "no_data": N_("No data"),
    "empty_week": N_(
        "No data this week: no figures were loaded for any network and no post was published."
    ),
    "missing": N_("No figures this week for:"),
    "none": N_("None this week."),
    "unknown": N_("unknown"),
    "objective_line": N_("objective"),
}

TREND_TITLES: dict[str, Text] = {
    "followers": N_("Followers"),
    "follower_growth_week_pct": N_("Follower growth per week (%)"),
    "reach": N_("Reach per week"),
    "engagement_rate_reach_pct": N_("Engagement rate by reach (%)"),
    "posts_published": N_("Posts per week"),
}
#: The trend each objective is drawn on.
TREND_TARGETS = {
    "follower_growth_week_pct": "follower_growth_pct",
    "engagement_rate_reach_pct": "engagement_rate_pct",
}


class HtmlReader:
    """Renders catalogue text for HTML: the reader's words, numbers and dates, escaped."""

    def __init__(self, locale: str, timezone: str):
        self.reader = Reader(locale, timezone)

    def __call__(self, text: object) -> Markup:
        if isinstance(text, Markup):
            return text
        if not isinstance(text, Text):
            return self.value(text)
        parts: list[str] = []
        for literal, name, _spec, _conversion in _FORMATTER.parse(self.reader.template(text)):
            parts.append(str(escape(literal)))
            if name is not None:
                parts.append(str(self.value(text.values[name])))
        return Markup("".join(parts))

    def value(self, value: object) -> Markup:
        from datetime import date, datetime

        reader = self.reader
        if isinstance(value, Text):
            return self(value)
        if value is None:
            return self(LABELS["unknown"])
        if isinstance(value, Percent):
            return escape(percent_text(reader.babel_locale, value))
        if isinstance(value, bool):
            return escape(str(value))
        if isinstance(value, int | float):
            return escape(reader.number(value))
        if isinstance(value, datetime):
            local = reader.local(value)
            return escape(f"{reader.day(local.date())} {local:%H:%M}")
        if isinstance(value, date):
            return escape(reader.day(value))
        if isinstance(value, list | tuple):
            return Markup(reader.names([str(self.value(item)) for item in value]))
        return escape(str(value))

    def percent_kpi(self, value: float | None) -> Markup:
        """A ``_pct`` KPI (3.2 means 3.2 %)."""
        return self.value(None if value is None else Percent(value / 100))

    def money(self, value: float | None, currency: str) -> Markup:
        from babel.numbers import format_currency

        if value is None:
            return self.value(None)
        return escape(format_currency(value, currency, locale=self.reader.babel_locale))


def kpi_value_text(name: str, value: float | None) -> object:
    """A KPI's value as a catalogue value (a percentage, a count or a multiple)."""
    if value is None:
        return LABELS["unknown"]
    if name.endswith("_pct"):
        return Percent(value / 100)
    if name == "posts_per_week":
        return int(value)
    return round(value, 2)


def _week_labels(reader: Reader, weeks) -> list[str]:
    from babel.dates import format_skeleton

    return [format_skeleton("MMMd", week, locale=reader.babel_locale) for week in weeks]


def _charts(report: Any, html: HtmlReader, objectives: dict[str, float | None]) -> list[str]:
    reader = html.reader
    trends = report.trends
    if trends.empty:
        return []
    weeks = sorted(trends["week"].unique())
    labels = _week_labels(reader, [w.date() for w in map(_timestamp, weeks)])
    names = {n: display_name(n) for n in trends["network"].unique()}
    found = []
    for measure, title in TREND_TITLES.items():
        target_key = TREND_TARGETS.get(measure)
        target = objectives.get(target_key) if target_key else None
        if measure == "posts_published" and objectives.get("posts_per_week") is not None:
            target = objectives["posts_per_week"] / max(len(names), 1)
        found.append(
            charts.trend_chart(
                trends,
                measure,
                title=str(html(title)),
                names=names,
                week_labels=labels,
                target=target,
                target_label=str(html(LABELS["objective_line"])),
            )
        )
    return found


BENCHMARK_CHART_TITLE = N_("Engagement rate by followers this week (%)")
VOICE_CHART_TITLE = N_("Mentions this week by sentiment")


def _competitor_charts(report: Any, html: HtmlReader) -> dict[str, str]:
    """The benchmark's and the share of voice's charts, when they have figures."""
    week = report.competitors
    found: dict[str, str] = {}
    if week is None:
        return found
    if week.has_benchmark:
        shown = week.benchmark[week.benchmark["network"].isin([n for n, _ in week.networks()])]
        found["benchmark"] = charts.benchmark_chart(
            shown,
            "engagement_rate_followers_pct",
            title=str(html(BENCHMARK_CHART_TITLE)),
            brand=week.brand,
            names={n: display_name(n) for n in shown["network"].unique()},
        )
    if week.has_voice:
        found["voice"] = charts.voice_chart(
            week.share_of_voice,
            title=str(html(VOICE_CHART_TITLE)),
            tones=[str(html(LABELS[k])) for k in ("positive", "neutral", "negative")],
        )
    return found


def _nan_none(value):
    """NaN (pandas' unknown) as None, which the report shows as "unknown"."""
    return None if value is None or value != value else value


def _timestamp(value):
    import pandas as pd

    return pd.Timestamp(value)


def render_html(report: Any, locale: str, timezone: str = "UTC") -> str:
    """The report as one self-contained HTML page in ``locale``."""
    from babel.dates import get_day_names
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from socialops.reports.weekly import TEMPLATE

    html = HtmlReader(locale, timezone)
    objectives = {k.name: k.target for k in report.kpis}
    day_names = [get_day_names("abbreviated", locale=html.reader.babel_locale)[i] for i in range(7)]
    heatmaps = [
        (
            display_name(network),
            charts.heatmap_chart(
                grid,
                title=display_name(network),
                day_names=day_names,
                no_data=str(html(LABELS["no_data"])),
            ),
        )
        for network, grid in report.heatmaps.items()
    ]
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE.parent),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["nan_none"] = _nan_none
    environment.filters["network_name"] = display_name
    environment.filters["percent"] = lambda share: None if share is None else Percent(share)
    template = environment.get_template(TEMPLATE.name)
    return template.render(
        lang=locale,
        t={key: html(text) for key, text in LABELS.items()},
        kpi_names={key: html(text) for key, text in KPI_NAMES.items()},
        r=report,
        h=html,
        display_name=display_name,
        kpi_value=lambda name, value: html(kpi_value_text(name, value)),
        week_title=html(
            N_(
                "{brand}, week {week} ({monday} to {sunday})",
                brand=report.brand,
                week=report.week.label,
                monday=report.week.monday,
                sunday=report.week.sunday,
            )
        ),
        trend_charts=[Markup(svg) for svg in _charts(report, html, objectives)],
        heatmaps=[(name, Markup(svg)) for name, svg in heatmaps],
        competitor_charts={k: Markup(svg) for k, svg in _competitor_charts(report, html).items()},
        suggestions=[html(s) for s in report.suggestions],
    )


def chromium() -> str | None:
    """The Chromium executable: ``$SOCIALOPS_CHROMIUM``, else ``chromium`` on the PATH."""
    found = os.environ.get("SOCIALOPS_CHROMIUM") or shutil.which("chromium")
    return found or shutil.which("chromium-browser") or shutil.which("google-chrome")


class PdfUnavailable(RuntimeError):
    """Chromium is missing or failed: the HTML report is still there."""


def chromium_args(executable: str, profile: str) -> list[str]:
    """Headless Chromium for a server: no sandbox as root (containers), no GPU, a
    throwaway profile."""
    args = [executable, "--headless", "--disable-gpu", "--no-first-run"]
    args += [f"--user-data-dir={profile}", "--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


def render_pdf(html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (A4 from the page's CSS)."""
    executable = chromium()
    if executable is None:
        raise PdfUnavailable(
            "cannot make the PDF: Chromium is not installed. Run `make browsers` (Debian: "
            "apt-get install chromium), or set reports.formats to [html]"
        )
    with tempfile.TemporaryDirectory() as profile:
        command = chromium_args(executable, profile) + [
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=PDF_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(
                f"Chromium took over {PDF_TIMEOUT_SECONDS} s to print {html}"
            ) from exc
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise PdfUnavailable(
            f"Chromium could not print {html} (exit {done.returncode}): {done.stderr[-500:]}"
        )
    return pdf
