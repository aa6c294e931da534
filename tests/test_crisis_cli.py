"""``python -m socialops crisis backtest``: JSON on stdout only, row-level errors, the chart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench.crisis_series import generate

from socialops.cli import main
from socialops.paths import PROJECT_ROOT

HEADER = "timestamp,mentions,negative\n"


@pytest.fixture(scope="module")
def series_csv(tmp_path_factory) -> Path:
    frame, _ = generate(5, daily=3000, step="15min", weeks=3, shapes=("spike", "plateau"))
    path = tmp_path_factory.mktemp("crisis") / "series.csv"
    frame.assign(timestamp=frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        path, index=False
    )
    return path


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "series.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_stdout_is_only_the_json_array_of_alerts(series_csv):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "plugins")}
    result = subprocess.run(
        [sys.executable, "-m", "socialops", "crisis", "backtest", str(series_csv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    alerts = json.loads(result.stdout)  # nothing else on stdout
    assert len(alerts) >= 2
    for alert in alerts:
        assert set(alert) == {"start", "end", "severity", "reason"}
        assert alert["start"].endswith("+00:00") and alert["severity"] in ("warning", "crisis")
        assert alert["end"] is None or alert["end"] > alert["start"]
    assert "alert(s)" in result.stderr


def test_the_plot_is_a_png_and_the_config_is_read(series_csv, tmp_path, capsys):
    config = tmp_path / "brand.yaml"
    example = (PROJECT_ROOT / "include" / "config" / "socialops.yaml").read_text()
    config.write_text(example.replace("    min_mentions: 10\n", "    min_mentions: 100000\n"))
    chart = tmp_path / "chart.png"
    code = main(["crisis", "backtest", str(series_csv), "--plot", str(chart)])
    assert code == 0
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 20_000
    assert json.loads(capsys.readouterr().out)
    # with an unreachable min_mentions from the brand's file, nothing alerts
    assert main(["crisis", "backtest", str(series_csv), "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_an_invalid_config_prints_its_error(series_csv, tmp_path, capsys):
    config = tmp_path / "brand.yaml"
    config.write_text("brand: {name: x}\nthresholds: {crisis: {sensitivity: max}}\n")
    assert main(["crisis", "backtest", str(series_csv), "--config", str(config)]) == 2
    err = capsys.readouterr()
    assert err.out == ""
    assert "thresholds.crisis.sensitivity" in err.err and err.err.startswith("error: ")


GOOD = "2026-01-05T00:00:00Z,10,1\n2026-01-05T00:05:00Z,12,2\n2026-01-05T00:10:00Z,9,0\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("timestamp,count\n2026-01-05T00:00:00Z,3\n", "line 1: missing column 'mentions'"),
        (HEADER + "2026-01-05T00:00:00Z,3,0\n", "1 row(s); a series needs at least 2"),
        (HEADER + GOOD + "yesterday,4,0\n", "line 5: timestamp 'yesterday' is not an ISO 8601"),
        (
            HEADER + GOOD + "2026-01-05T00:20:00Z,4,0\n",
            "line 5: 2026-01-05T00:20:00+00:00 comes 10",
        ),
        (
            HEADER + GOOD + "2026-01-05T00:10:00Z,4,0\n",
            "line 5: timestamp 2026-01-05T00:10:00+00:00 repeats line 4",
        ),
        (HEADER + GOOD + "2026-01-05T00:15:00Z,-4,0\n", "line 5: mentions '-4' is not a count"),
        (HEADER + GOOD + "2026-01-05T00:15:00Z,4.5,0\n", "line 5: mentions '4.5' is not a count"),
        (HEADER + GOOD + "2026-01-05T00:15:00Z,4,x\n", "line 5: negative 'x' is not a count"),
        (
            HEADER + GOOD + "2026-01-05T00:15:00Z,4,7\n",
            "line 5: negative 7 is more than mentions 4",
        ),
        (
            HEADER + "2026-01-05T00:00:00Z,3,0\n2026-01-05T00:00:30Z,3,0\n",
            "step between rows is 0.5 min",
        ),
        (
            HEADER + "2026-01-05T00:00:00Z,3,0\n2026-01-05T02:00:00Z,3,0\n",
            "step between rows is 2 h",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_row(tmp_path, capsys, text, message):
    path = _write(tmp_path, text)
    assert main(["crisis", "backtest", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and len(captured.err.strip().splitlines()) == 1
    assert message in captured.err


def test_no_zone_means_utc_and_offsets_are_converted(tmp_path):
    from socialops.crisis_cli import read_series

    text = HEADER + "2026-01-05T01:00:00+01:00,3,0\n2026-01-05 00:05:00,4,1\n"
    series = read_series(_write(tmp_path, text))
    assert [t.isoformat() for t in series["timestamp"]] == [
        "2026-01-05T00:00:00+00:00",
        "2026-01-05T00:05:00+00:00",
    ]
    assert series["mentions"].tolist() == [3, 4] and series["negative"].tolist() == [0, 1]
