"""``python -m socialops report``: render a weekly report from the warehouse.

    python -m socialops report weekly [--week 2026-W47] [--format html,pdf] [--out DIR]
                                      [--config BRAND.yaml]

Without ``--week``, the ISO week before today's (brand-local). Without ``--out``, the files
go where the ``weekly_report`` DAG stores them (``reports.directory``), replacing that
week's. Nothing is posted to Slack. Standard output is the JSON of the files written; the
warehouse is the usual one (``SOCIALOPS_WAREHOUSE_URL``, else ``<data dir>/warehouse.db``).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from socialops.cli import UsageError

FORMATS = ("html", "pdf")


def configure(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="kind", required=True)
    weekly = kinds.add_parser(
        "weekly", help="render a weekly report (HTML, PDF)", description=__doc__.split("\n\n")[2]
    )
    weekly.add_argument("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W47")
    weekly.add_argument(
        "--format", default="html,pdf", metavar="html,pdf", help="comma-separated formats"
    )
    weekly.add_argument("--out", metavar="DIR", help="write the files into DIR")
    weekly.add_argument("--config", metavar="BRAND.yaml", help="the brand configuration")


def _formats(value: str) -> list[str]:
    formats = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"--format {value!r}: write html, pdf or html,pdf")
    return formats


def run(args: argparse.Namespace) -> int:
    from socialops.config import ConfigError, load_config
    from socialops.notifications.catalogue import Reader
    from socialops.reports import weekly
    from socialops.reports.render import PdfUnavailable
    from socialops.warehouse.engine import get_engine

    formats = _formats(args.format)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    if args.week:
        try:
            week = weekly.parse_week(args.week)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
    else:
        today = datetime.now(UTC).astimezone(ZoneInfo(config.brand.timezone)).date()
        year, number, _ = (today - timedelta(days=7)).isocalendar()
        week = weekly.IsoWeek(year, number)
    engine = get_engine()
    try:
        if args.out:
            report = weekly.build_weekly(engine, config, week)
            written = weekly.render_files(report, Reader.for_brand(config), Path(args.out), formats)
            files = {kind: str(path) for kind, path in written.items()}
        else:
            config = config.model_copy(
                update={"reports": config.reports.model_copy(update={"formats": formats})}
            )
            files = weekly.publish(engine, config, week.label).files
    except PdfUnavailable as exc:
        raise UsageError(str(exc)) from exc
    print(json.dumps({"week": week.label, "files": files}, indent=2))
    return 0
