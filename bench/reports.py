"""Report rendering for a big brand: 5 networks × 4 accounts × one year of history.

:func:`tests.support.reports_world.seed_history` writes the year into a SQLite warehouse
(and PostgreSQL when available); then, timed once each: the morning digest
(``build_digest`` + its Slack message), the weekly report's figures (``build_weekly``), its
HTML (template + 5 trend charts + 5 heatmaps as SVG) and its PDF (headless Chromium, when
installed). ``--quick``: 90 days of history.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import machine_line, migrated_warehouse, table

NETWORKS = ("x", "youtube", "facebook", "instagram", "linkedin")
ACCOUNTS = 4
LAST = date(2026, 11, 23)  # a Monday's eve: the report of 2026-W47, the digest of the 24th


def _config():
    import yaml

    from socialops.config.loader import DEFAULT_PATH
    from socialops.config.schema import BrandConfig

    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["accounts"] = [
        {"network": n, "handle": "maisonlumiere" if i == 0 else f"maisonlumiere{i + 1}"}
        for n in NETWORKS
        for i in range(ACCOUNTS)
    ]
    raw["campaigns"] = []
    return BrandConfig.model_validate(raw)


def _timed(function, *args, **kwargs) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, round(time.perf_counter() - start, 3)


def _measure(engine, days: int) -> dict[str, Any]:
    from tests.support.reports_world import seed_history

    from socialops.notifications.catalogue import Reader
    from socialops.reports import weekly
    from socialops.reports.messages import digest_message
    from socialops.reports.render import PdfUnavailable, render_html, render_pdf
    from socialops.reports.service import build_digest

    config = _config()
    history, seeded = _timed(
        seed_history,
        engine,
        last=LAST,
        days=days,
        networks=NETWORKS,
        accounts_per_network=ACCOUNTS,
    )
    reader = Reader.for_brand(config)
    digest, build_seconds = _timed(build_digest, engine, config, LAST + timedelta(days=1))
    message, message_seconds = _timed(digest_message, reader, digest)
    report, weekly_seconds = _timed(
        weekly.build_weekly, engine, config, weekly.parse_week("2026-W47")
    )
    # The first render of a process also imports matplotlib and reads its fonts.
    _, html_first_seconds = _timed(render_html, report, reader.locale, reader.timezone)
    html, html_seconds = _timed(render_html, report, reader.locale, reader.timezone)
    figures = {
        "accounts": len(history.accounts),
        "days": days,
        "posts": history.posts,
        "seed_seconds": seeded,
        "digest_seconds": round(build_seconds + message_seconds, 3),
        "digest_blocks": len(message.blocks),
        "weekly_figures_seconds": weekly_seconds,
        "html_first_seconds": html_first_seconds,
        "html_seconds": html_seconds,
        "html_kb": round(len(html.encode()) / 1024),
        "pdf_seconds": None,
    }
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "weekly.html"
        page.write_text(html, encoding="utf-8")
        try:
            pdf, figures["pdf_seconds"] = _timed(render_pdf, page, Path(scratch) / "weekly.pdf")
            figures["pdf_kb"] = round(pdf.stat().st_size / 1024)
        except PdfUnavailable as exc:
            figures["pdf_error"] = str(exc)
    return figures


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    from socialops.warehouse.engine import create_warehouse_engine

    days = 90 if quick else 365
    results: dict[str, Any] = {}
    backends = ["sqlite"] + (["postgresql"] if pg_url else [])
    with tempfile.TemporaryDirectory() as scratch:
        for backend in backends:
            with migrated_warehouse(backend, pg_url=pg_url or "", workdir=scratch) as url:
                engine = create_warehouse_engine(url)
                try:
                    results[backend] = _measure(engine, days)
                finally:
                    engine.dispose()
    return results


def report(data: dict[str, Any]) -> list[str]:
    results = data["results"]
    lines = [
        "## Reports",
        "",
        machine_line(data["machine"]),
        "",
        "The morning digest and the weekly report of a brand with 5 networks × 4 accounts "
        "(`bench/reports.py`): the digest's figures and Slack message; the weekly report's "
        "figures (12 weeks of trends, top posts, campaigns, best times), its HTML (5 trend "
        "charts and 5 heatmaps as inline SVG) and its PDF (headless Chromium). One run each, "
        "on a machine shared with other work.",
        "",
    ]
    rows = []
    for backend, figures in results.items():
        pdf = figures.get("pdf_seconds")
        rows.append(
            [
                backend,
                f"{figures['accounts']} × {figures['days']} days",
                f"{figures['posts']:,}",
                f"{figures['digest_seconds']} s",
                f"{figures['weekly_figures_seconds']} s",
                f"{figures['html_seconds']} s, first in a process "
                f"{figures.get('html_first_seconds')} s ({figures['html_kb']} KB)",
                f"{pdf} s ({figures.get('pdf_kb')} KB)" if pdf is not None else "no Chromium",
            ]
        )
    lines += table(
        ["warehouse", "history", "posts", "digest", "weekly figures", "HTML", "PDF"], rows
    )
    return lines
