"""``python -m socialops``: every command a person runs by hand, as subcommands of one CLI.

    python -m socialops --help
    python -m socialops <command> --help

Each command lives in its feature's package as a module with two functions:
``configure(parser)`` adds its arguments (and sub-commands) to an ``argparse`` parser, and
``run(args) -> int`` does the work and returns the exit code. :data:`COMMANDS` names that
module; only the module of the command being run is imported, so a command starts without
paying for the others (pandas, Airflow, the network SDKs).

Output rules shared by every command: data goes to standard output and nothing else does;
logs, warnings and progress go to standard error; bad input is a one-line ``error: ...`` on
standard error naming what to fix, with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Command:
    module: str  # defines configure(parser) and run(args) -> int
    help: str


#: command name → where it lives. A feature adds its command here, nothing else.
COMMANDS: dict[str, Command] = {
    "sandbox": Command(
        "socialops.sandbox.cli", "run the local sandbox of every API, or print its connections"
    ),
    "deployment": Command(
        "socialops.dev.deployment", "docker-compose helpers: migrate the warehouse, write the pools"
    ),
    "crisis": Command("socialops.crisis_cli", "replay the crisis detector over a mention series"),
    "influencers": Command("socialops.analytics.influence_cli", "audit influencer candidates"),
    "sentiment": Command("socialops.analytics.sentiment.cli", "fr/en sentiment of stdin lines"),
    "report": Command(
        "socialops.reports.cli", "render a weekly report (HTML, PDF) from the warehouse"
    ),
}


class UsageError(Exception):
    """Bad input a person can fix: printed as one ``error: ...`` line, exit code 2."""


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m socialops",
        description="socialops: a community manager's routine as plain Airflow.",
        epilog="Run 'python -m socialops <command> --help' for a command's options.",
    )
    commands = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for name, command in COMMANDS.items():
        commands.add_parser(name, help=command.help, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not argv or argv[0] not in COMMANDS:
        # --help, no command or an unknown one: argparse prints the list (or the error).
        _top_parser().parse_args(argv)
        return EXIT_BAD_INPUT
    name, rest = argv[0], argv[1:]
    command = COMMANDS[name]
    module = importlib.import_module(command.module)
    parser = argparse.ArgumentParser(prog=f"python -m socialops {name}", description=command.help)
    module.configure(parser)
    args = parser.parse_args(rest)
    try:
        return int(module.run(args) or 0)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # `... | head`: the reader left; not an error of ours.
        sys.stderr.close()
        return 0


__all__ = ["COMMANDS", "EXIT_BAD_INPUT", "Command", "UsageError", "main"]
