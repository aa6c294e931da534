"""``python -m socialops sandbox``: run the sandbox, or print the connections that point at it.

    python -m socialops sandbox serve [--host 127.0.0.1] [--port 8800] [--scenario FILE]
                                      [--seed N] [--now ISO] [--verbose]
    python -m socialops sandbox connections --url http://127.0.0.1:8800

``serve`` prints ``export AIRFLOW_CONN_...='...'`` lines (eval them in a shell, or copy them
into an env file) and serves until SIGINT or SIGTERM. Exit codes: 0 after a clean stop,
2 for bad arguments or an invalid scenario file, 3 when the port cannot be bound.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import datetime

EXIT_BAD_INPUT = 2
EXIT_PORT_UNAVAILABLE = 3


def export_lines(url: str) -> list[str]:
    from socialops.sandbox import airflow_connections

    return [
        f"export {name}={shlex.quote(value)}"
        for name, value in sorted(airflow_connections(url).items())
    ]


def _aware_datetime(raw: str) -> datetime:
    from socialops.sandbox.server import parse_instant

    try:
        return parse_instant(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def configure(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sandbox HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8800, help="0 picks a free port")
    serve.add_argument("--scenario", help="scenario YAML (default: include/scenarios/default.yaml)")
    serve.add_argument("--seed", type=int, help="overrides the scenario's seed")
    serve.add_argument(
        "--now", type=_aware_datetime, help="freeze the clock, e.g. 2026-11-21T10:00:00Z"
    )
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    connections = commands.add_parser(
        "connections", help="print AIRFLOW_CONN_* export lines for a running sandbox"
    )
    connections.add_argument(
        "--url", required=True, help="the sandbox's base URL, e.g. http://127.0.0.1:8800"
    )


def _serve(args: argparse.Namespace) -> int:
    from socialops.sandbox import SandboxServer, create_sandbox
    from socialops.sandbox.scenario import ScenarioError

    try:
        sandbox = create_sandbox(args.scenario, args.seed, args.now)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        server = SandboxServer(sandbox, host=args.host, port=args.port, verbose=args.verbose)
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); "
            "is another sandbox running? Stop it or pass --port (0 picks a free one).",
            file=sys.stderr,
        )
        return EXIT_PORT_UNAVAILABLE
    print(f"# socialops sandbox on {server.url} (seed {sandbox.seed}); Ctrl-C to stop", flush=True)
    print("\n".join(export_lines(server.url)), flush=True)

    # serve_forever runs in a thread so that the main thread can wait for signals and stop it.
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    server.start()
    stop.wait()
    server.stop()
    print("# sandbox stopped", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.command == "connections":
        if not args.url.startswith(("http://", "https://")):
            print(f"error: --url must be an http(s) URL, got {args.url!r}", file=sys.stderr)
            return EXIT_BAD_INPUT
        print("\n".join(export_lines(args.url.rstrip("/"))))
        return 0
    return _serve(args)


def main(argv: Sequence[str] | None = None) -> int:
    from socialops.cli import main as cli_main

    return cli_main(["sandbox", *(sys.argv[1:] if argv is None else argv)])
