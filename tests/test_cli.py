"""``python -m socialops``: one CLI, each command imported only when it runs."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from socialops.cli import COMMANDS, main
from socialops.paths import PROJECT_ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "plugins")}
    return subprocess.run(
        [sys.executable, "-m", "socialops", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_help_lists_every_command():
    result = _run("--help")
    assert result.returncode == 0
    for name, command in COMMANDS.items():
        assert name in result.stdout
        assert command.help.split()[0] in result.stdout


def test_an_unknown_command_is_a_usage_error_on_stderr():
    result = _run("publsh")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "invalid choice: 'publsh'" in result.stderr


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_module_has_configure_and_run(name):
    module = importlib.import_module(COMMANDS[name].module)
    assert callable(module.configure) and callable(module.run)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_its_own_help(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    assert f"python -m socialops {name}" in capsys.readouterr().out
