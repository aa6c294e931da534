"""What the adapter tests of every network share: fake clocks, a sandbox served over real
HTTP, settings that point a real adapter at an emulator, the sandbox's request log, and a
web server for media URLs."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from socialops.networks import ConnectionSettings
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.world import World


class Sleeps(list):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Clock(Sleeps):
    """An adapter's clock: starts at ``start`` and each (recorded) sleep moves it forward."""

    def __init__(self, start: datetime):
        super().__init__()
        self.current = start

    def __call__(self, seconds: float) -> None:
        super().__call__(seconds)
        self.current += timedelta(seconds=seconds)

    def now(self) -> datetime:
        return self.current


def sandbox_fixtures(world: Callable[[], World], *emulators: type) -> tuple[Any, Any]:
    """The ``server`` and ``sandbox`` fixtures of a package's conftest: ``world``'s sandbox
    with ``emulators``, served over real HTTP for one test.

    >>> server, sandbox = sandbox_fixtures(build_x_world, XEmulator)
    """

    def server() -> Iterator[SandboxServer]:
        with SandboxServer(Sandbox(world, list(emulators))) as running:
            yield running

    def sandbox(server: SandboxServer) -> Sandbox:
        return server.sandbox

    return pytest.fixture(server, name="server"), pytest.fixture(sandbox, name="sandbox")


def adapter_fixtures(make: Callable[..., Any]) -> tuple[Any, Any]:
    """The ``adapter`` fixture (``make(server)``, closed after the test) and the
    ``make_adapter`` fixture (``make`` itself, for tests that need other extras or clocks).

    >>> adapter, make_adapter = adapter_fixtures(x_adapter)
    """

    def adapter(server: SandboxServer) -> Iterator[Any]:
        made = make(server)
        yield made
        made.close()

    def make_adapter() -> Callable[..., Any]:
        return make

    return pytest.fixture(adapter, name="adapter"), pytest.fixture(
        make_adapter, name="make_adapter"
    )


def sandbox_settings(emulator: Any, url: str, **extras: Any) -> ConnectionSettings:
    """The settings of ``emulator``'s sandbox connection on the server at ``url``, with fast
    backoff (``backoff_base`` 0.01 s) and ``extras`` on top."""
    connection = emulator.connection(url)
    fast = {**connection.get("extra", {}), "backoff_base": 0.01, **extras}
    return ConnectionSettings.from_json({**connection, "extra": fast}, emulator.conn_id)


def logged(
    sandbox: Sandbox, network: str | None = None, method: str | None = None, path: str | None = None
) -> list[dict[str, Any]]:
    """The requests the sandbox received, optionally only one network's, method's or path's."""
    return [
        r
        for r in sandbox.requests
        if (network is None or r["network"] == network)
        and (method is None or r["method"] == method)
        and (path is None or r["path"] == path)
    ]


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


class _FileServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client hanging up mid-file (a download over a size limit) is what tests want


@contextmanager
def serving_files(directory: Path) -> Iterator[str]:
    """A plain web server for ``directory`` (the media URLs of a calendar); yields its base URL."""
    handler = functools.partial(_QuietFiles, directory=str(directory))
    with _FileServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            thread.join()
