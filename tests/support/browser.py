"""Open a report as a person would: headless Chromium (screenshots, the DOM after layout) and
pdftoppm (a PDF's pages as images).

:func:`require_tools` finds both, or installs them (``scripts/install_browsers.sh``, the
``make browsers`` target) when ``CI=true``, and fails there if that did not work: a CI run
never skips these checks silently. Elsewhere a missing tool skips, saying how to install it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from socialops.paths import PROJECT_ROOT
from socialops.reports.render import chromium, chromium_args

INSTALLER = PROJECT_ROOT / "scripts" / "install_browsers.sh"

#: Injected into a copy of the page: what a reader would notice, written into the DOM.
PROBE = """
<script>
window.addEventListener("load", () => {
  const width = document.documentElement.clientWidth;
  const overflowing = [...document.querySelectorAll("table, .chart, p, li")]
    .filter(e => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > e.clientWidth + 1)
    .map(e => e.id || e.tagName);
  const charts = [...document.querySelectorAll(".chart svg")]
    .filter(s => s.getBoundingClientRect().width > 100 && s.getBoundingClientRect().height > 50)
    .length;
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({overflowing, charts, width});
  document.body.appendChild(out);
});
</script>
"""


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_tools() -> tuple[str, str]:
    """(chromium, pdftoppm), installing them under CI=true."""
    found = chromium(), shutil.which("pdftoppm")
    if all(found):
        return found  # type: ignore[return-value]
    if _ci():
        done = subprocess.run(["bash", str(INSTALLER)], capture_output=True, text=True)
        found = chromium(), shutil.which("pdftoppm")
        if not all(found):
            pytest.fail(
                "CI=true: Chromium and pdftoppm are required by the report checks and "
                f"{INSTALLER.name} could not install them: {done.stderr[-800:]}"
            )
        return found  # type: ignore[return-value]
    pytest.skip("Chromium or pdftoppm missing: run `make browsers` to install them")


@dataclass(frozen=True)
class PageCheck:
    overflowing: list[str]
    charts: int
    console_errors: list[str]
    screenshot: Path


def open_page(executable: str, html: Path, screenshot: Path, *, width: int = 1000) -> PageCheck:
    """Load ``html`` (with :data:`PROBE`) in headless Chromium: the DOM after layout, the
    console errors of the load, and a screenshot of the first screen."""
    probed = html.with_name(html.stem + ".probe.html")
    page = html.read_text(encoding="utf-8")
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        base = chromium_args(executable, profile) + [
            f"--window-size={width},1800",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ]
        dom = subprocess.run(
            [*base, "--dump-dom", probed.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
        shot = subprocess.run(
            [*base, f"--screenshot={screenshot}", html.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert dom.returncode == 0 and shot.returncode == 0, (dom.stderr[-800:], shot.stderr[-800:])
    match = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert match, f"the probe did not run: {dom.stderr[-800:]}"
    probe = json.loads(match.group(1).replace("&quot;", '"'))
    console = [
        line
        for line in (dom.stderr + shot.stderr).splitlines()
        if "CONSOLE" in line and ("ERROR" in line or "Uncaught" in line)
    ]
    return PageCheck(probe["overflowing"], probe["charts"], console, screenshot)


def pdf_pages(pdftoppm: str, pdf: Path, out: Path) -> list[Path]:
    """The PDF's pages as PNG images (72 dpi)."""
    subprocess.run(
        [pdftoppm, "-r", "72", "-png", str(pdf), str(out / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return sorted(out.glob("page-*.png"))


def ink(png: Path) -> float:
    """The share of a page's pixels that are not (almost) white."""
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return sum(histogram[:245]) / sum(histogram)
