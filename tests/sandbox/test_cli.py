"""``python -m socialops.sandbox``: exports, serving, and clear failures."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys

import pytest
import requests

from socialops.paths import PROJECT_ROOT
from socialops.sandbox.cli import EXIT_BAD_INPUT, EXIT_PORT_UNAVAILABLE, main


def _exports(text: str) -> dict[str, dict]:
    found = {}
    for line in text.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            found[name] = json.loads(shlex.split(value)[0])
    return found


def test_connections_prints_export_lines(capsys):
    assert main(["connections", "--url", "http://127.0.0.1:8800/"]) == 0
    exports = _exports(capsys.readouterr().out)
    assert (
        exports["AIRFLOW_CONN_SLACK_DEFAULT"]["extra"]["base_url"]
        == "http://127.0.0.1:8800/slack/api/"
    )
    assert exports["AIRFLOW_CONN_GOOGLE_SHEETS_DEFAULT"]["host"] == "http://127.0.0.1:8800/sheets"


def test_connections_refuses_a_non_url(capsys):
    assert main(["connections", "--url", "127.0.0.1:8800"]) == EXIT_BAD_INPUT
    assert "--url must be an http(s) URL" in capsys.readouterr().err


def test_invalid_scenario_exits_2_naming_the_field(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "brand: {name: B, keywords: [b], products: [p]}\n"
        "accounts: [{network: x, handle: a, role: boss, followers: 1}]\n"
    )
    assert main(["serve", "--scenario", str(bad), "--port", "0"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"{bad} is invalid" in err and "accounts[0].role" in err


def test_missing_scenario_exits_2(tmp_path, capsys):
    assert main(["serve", "--scenario", str(tmp_path / "none.yaml")]) == EXIT_BAD_INPUT
    assert "not found" in capsys.readouterr().err


def test_port_in_use_exits_3(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == EXIT_PORT_UNAVAILABLE
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err


def test_naive_now_is_refused(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["serve", "--now", "2026-11-21T10:00:00"])
    assert caught.value.code == 2
    assert "needs a time zone" in capsys.readouterr().err


def test_serve_prints_connections_serves_and_stops_on_sigterm():
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "plugins")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "socialops.sandbox",
            "serve",
            "--port",
            "0",
            "--seed",
            "3",
            "--now",
            "2026-11-21T10:00:00Z",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    try:
        banner = process.stdout.readline()
        assert (
            banner.startswith("# socialops sandbox on http://127.0.0.1:") and "(seed 3)" in banner
        )
        url = banner.split()[4]
        lines = []
        while not any(line.startswith("export AIRFLOW_CONN_SLACK_DEFAULT") for line in lines):
            lines.append(process.stdout.readline())
        assert (
            _exports("".join(lines))["AIRFLOW_CONN_SLACK_DEFAULT"]["extra"]["base_url"]
            == f"{url}/slack/api/"
        )
        state = requests.get(f"{url}/_sandbox/state", timeout=5).json()
        assert (
            state["now"] == "2026-11-21T10:00:00+00:00" and state["posts"]["x"]["maisonlumiere"] > 0
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
