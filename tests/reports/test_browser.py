"""The weekly report as a person sees it: in a real browser (both languages) and as PDF pages.

Needs Chromium and pdftoppm (``make browsers``); under CI=true they are installed or the
tests fail, never skipped silently (tests/support/browser.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.reports.conftest import brand_config
from tests.support.browser import ink, open_page, pdf_pages, require_tools
from tests.support.competitor_week import seed_competitors
from tests.support.reports_world import TIMEZONE, seed_history, seed_today

from socialops.notifications.catalogue import Reader
from socialops.reports import weekly

WEEK = weekly.parse_week("2026-W47")

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tools():
    return require_tools()


@pytest.fixture
def demo_week(sqlite_engine):
    seed_history(sqlite_engine, last=WEEK.sunday + timedelta(days=1))
    seed_today(sqlite_engine, WEEK.sunday, text="Bougie « Ambre » & <b>cire</b> très longue " * 8)
    return weekly.build_weekly(sqlite_engine, brand_config(), WEEK)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_report_opens_cleanly_in_chromium(tools, demo_week, tmp_path, locale):
    chromium, _ = tools
    files = weekly.render_files(demo_week, Reader(locale, TIMEZONE), tmp_path, ["html"])
    check = open_page(chromium, files["html"], tmp_path / f"weekly-{locale}.png")
    assert check.console_errors == []
    assert check.overflowing == [], f"wider than the page: {check.overflowing}"
    networks = len(demo_week.heatmaps)
    assert check.charts == 5 + networks  # five trends and one heatmap per network
    assert check.screenshot.stat().st_size > 10_000


def test_the_competitor_benchmark_opens_cleanly(tools, sqlite_engine, tmp_path):
    chromium, _ = tools
    seed_history(sqlite_engine, last=WEEK.sunday + timedelta(days=1))
    seed_competitors(sqlite_engine)
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    files = weekly.render_files(report, Reader("fr", TIMEZONE), tmp_path, ["html"])
    check = open_page(chromium, files["html"], tmp_path / "weekly-benchmark.png")
    assert check.console_errors == []
    assert check.overflowing == [], f"wider than the page: {check.overflowing}"
    # the benchmark's and the share of voice's charts besides the trends and heatmaps
    assert check.charts == 5 + len(report.heatmaps) + 2


def test_the_pdf_has_pages_and_none_is_blank(tools, demo_week, tmp_path):
    _, pdftoppm = tools
    files = weekly.render_files(demo_week, Reader("fr", TIMEZONE), tmp_path, ["html", "pdf"])
    pages = pdf_pages(pdftoppm, files["pdf"], tmp_path)
    assert 2 <= len(pages) <= 8
    for page in pages:
        assert ink(page) > 0.001, f"{page.name} is blank"


def test_an_empty_week_prints_too(tools, sqlite_engine, tmp_path):
    _, pdftoppm = tools
    report = weekly.build_weekly(sqlite_engine, brand_config(), WEEK)
    files = weekly.render_files(report, Reader("en", TIMEZONE), tmp_path, ["pdf"])
    assert set(files) == {"pdf"} and not (tmp_path / "weekly-2026-W47.html").exists()
    pages = pdf_pages(pdftoppm, files["pdf"], tmp_path)
    assert pages and all(ink(page) > 0.001 for page in pages)
