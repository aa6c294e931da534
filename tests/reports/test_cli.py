from __future__ import annotations

import json
from datetime import timedelta

import pytest
import yaml
from tests.support.reports_world import seed_history

from socialops.cli import EXIT_BAD_INPUT, main
from socialops.config.loader import DEFAULT_PATH
from socialops.reports.weekly import parse_week

WEEK = parse_week("2026-W47")


@pytest.fixture
def brand_file(tmp_path):
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["accounts"] = [{"network": "x", "handle": "maisonlumiere"}]
    raw["reports"] = {"directory": str(tmp_path / "stored")}
    path = tmp_path / "brand.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_report_weekly_writes_the_week_into_out(use_warehouse, brand_file, tmp_path, capsys):
    seed_history(use_warehouse, last=WEEK.sunday + timedelta(days=1), networks=("x",), days=30)
    out = tmp_path / "out"
    code = main(
        [
            "report",
            "weekly",
            "--week",
            "2026-W47",
            "--format",
            "html",
            "--out",
            str(out),
            "--config",
            str(brand_file),
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"week": "2026-W47", "files": {"html": str(out / "weekly-2026-W47.html")}}
    page = (out / "weekly-2026-W47.html").read_text(encoding="utf-8")
    assert "Rapport hebdomadaire" in page  # the brand's locale (fr)
    assert not (tmp_path / "stored").exists()  # --out: the configured store is left alone


def test_without_out_the_report_is_stored_where_the_dag_stores_it(
    use_warehouse, brand_file, tmp_path, capsys
):
    assert (
        main(
            [
                "report",
                "weekly",
                "--week",
                "2026-W47",
                "--format",
                "html",
                "--config",
                str(brand_file),
            ]
        )
        == 0
    )
    assert (tmp_path / "stored" / "weekly-2026-W47.html").is_file()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--week", "2026-47"], "is not an ISO week; write it like 2026-W47"),
        (["--format", "docx"], "--format 'docx': write html, pdf or html,pdf"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(use_warehouse, brand_file, capsys, args, error):
    assert main(["report", "weekly", *args, "--config", str(brand_file)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and error in captured.err
