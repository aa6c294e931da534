"""One local HTTP server that emulates the networks' APIs and Slack.

The first path segment names the emulator (``/x/2/tweets``, ``/youtube/youtube/v3/videos``,
``/slack/api/chat.postMessage``...): a connection whose host is ``http://127.0.0.1:PORT/x``
makes the unchanged adapter talk to the sandbox. ``/_sandbox/...`` is the admin API:

* ``GET /_sandbox/requests[?network=x]``: every request served (network, method, path, query,
  status, and ``seconds``: the time the sandbox spent on it, from the parsed request to the last
  byte of its answer, so a benchmark can tell its client's time from the time it waited);
* ``POST /_sandbox/faults``: inject 429 / 500 / timeout-after-apply / expired token / hold (see
  :class:`Fault`); ``GET`` lists them, ``DELETE`` removes them all (releasing held requests);
* ``POST /_sandbox/faults/<id>/release``: answers the requests that fault ``hold`` holds;
* ``POST /_sandbox/reset``: rebuild the world from its seed or scenario, clear log and faults;
* ``GET /_sandbox/state``: posts per account, Slack messages per channel;
* ``POST /_sandbox/clock`` ``{"now": "2026-11-20T08:00:00Z"}`` freezes the clock (``null``
  unfreezes).
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from socialops.sandbox.world import World

Handler = Callable[["Request"], "Response"]


def parse_instant(raw: str) -> datetime:
    """An ISO 8601 date-time with a time zone (``Z`` allowed), in UTC.

    A naive time is refused: the world's clock is compared with aware datetimes everywhere.
    """
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        raise ValueError(f"{raw!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise ValueError(f"{raw!r} needs a time zone, e.g. 2026-11-21T10:00:00Z")
    return value.astimezone(UTC)


@dataclass
class Request:
    network: str
    method: str
    path: str  # below the network prefix, e.g. /2/tweets
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route pattern
    #: its entry in the request log, once served (the HTTP server adds its full time to it)
    log: dict[str, Any] | None = field(default=None, repr=False)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list → JSON, str/bytes as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, default=str).encode()


class Refusal(Exception):
    """Raised anywhere inside a handler: the request is answered with ``response`` (an error in
    the network's own shape) instead, so helpers deep in a handler can refuse without every
    caller passing error responses back up."""

    def __init__(self, response: Response):
        super().__init__(f"{response.status} {response.body}")
        self.response = response


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Mark an emulator method as serving ``method`` on paths fully matching ``pattern``."""

    def mark(func: Handler) -> Handler:
        # A list, so that stacked decorators serve one handler on several methods.
        routes = func.__dict__.setdefault("__sandbox_routes__", [])
        routes.append((method.upper(), re.compile(pattern)))
        return func

    return mark


class Emulator:
    """One network's API. Subclasses set ``network`` and decorate handlers with :func:`route`.

    They also say how this network answers the injected faults, since a 429 from X carries
    ``x-rate-limit-reset`` and a 429 from Slack ``Retry-After``. A handler, or any helper it
    calls, refuses a request by raising :class:`Refusal` (or a subclass building the network's
    error body).
    """

    network: str = ""
    #: The Airflow connection that points the adapter at this emulator.
    conn_id: str = ""

    def __init__(self, world: World):
        self.world = world
        self.routes = [
            Route(method, pattern, member)
            for member in (getattr(self, name) for name in dir(self))
            for method, pattern in getattr(member, "__sandbox_routes__", [])
        ]

    @classmethod
    def connection(cls, base_url: str) -> dict[str, Any]:
        """The connection (Airflow JSON form) that makes the real adapter use this emulator."""
        return {
            "conn_type": "http",
            "host": f"{base_url}/{cls.network}",
            "password": "sandbox-token",
        }

    def rate_limited(self, request: Request, reset_at: datetime) -> Response:
        seconds = max(1, int((reset_at - self.world.now()).total_seconds()))
        return Response(429, {"error": "rate limited"}, {"Retry-After": str(seconds)})

    def server_error(self, request: Request) -> Response:
        return Response(500, {"error": "internal error"})

    def expired_token(self, request: Request) -> Response:
        return Response(401, {"error": "token expired"})

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": f"no sandbox endpoint {request.method} {request.path}"})


FAULT_KINDS = ("rate_limit", "server_error", "timeout_after_apply", "expired_token", "hold")


@dataclass
class Fault:
    """A fault applied to the requests matching ``network``, ``method`` and ``path`` (a regex).

    ``count`` faults the next N matching requests; ``rate`` (0..1) faults that share of them,
    drawn from a seeded generator so a run is reproducible. ``timeout_after_apply`` lets the
    request change the world, then holds the connection ``hold_seconds`` and closes it unanswered.
    ``hold`` lets the request change the world, then holds its answer until the fault is
    released (:meth:`Sandbox.release`) or ``hold_seconds`` passed, and sends it: a request in
    flight, for as long as a test needs (``held`` counts the requests waiting now).
    """

    network: str
    kind: str
    path: str = ".*"
    method: str | None = None
    count: int | None = 1
    rate: float | None = None
    reset_after: int = 900  # seconds until the rate-limit window resets
    hold_seconds: float = 2.0
    id: int = 0
    hits: int = 0
    held: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}"
            )
        if self.rate is not None:
            self.count = None
        re.compile(self.path)

    def matches(self, request: Request, rng: random.Random) -> bool:
        if request.network != self.network or (
            self.method and self.method.upper() != request.method
        ):
            return False
        if not re.fullmatch(self.path, request.path):
            return False
        if self.count is not None:
            return self.hits < self.count
        return rng.random() < (self.rate or 0)


class Sandbox:
    """The dispatcher, independent of HTTP so that it can be driven directly in tests."""

    def __init__(
        self, world_factory: Callable[[], World], emulators: list[type[Emulator]], *, seed: int = 0
    ):
        self._world_factory = world_factory
        self._emulator_types = emulators
        self._seed = seed
        self.lock = threading.RLock()
        #: fault id → set once the ``hold`` fault is released (or removed, or the sandbox reset)
        self._releases: dict[int, threading.Event] = {}
        self.reset()

    @property
    def seed(self) -> int:
        return self._seed

    def reset(self) -> None:
        with self.lock:
            self.world = self._world_factory()
            self.emulators = {e.network: e(self.world) for e in self._emulator_types}
            self.requests: list[dict[str, Any]] = []
            self._release_all()
            self.faults: list[Fault] = []
            self._fault_ids = 0
            self._rng = random.Random(self._seed)

    def add_fault(self, spec: dict[str, Any]) -> Fault:
        allowed = {
            "network",
            "kind",
            "path",
            "method",
            "count",
            "rate",
            "reset_after",
            "hold_seconds",
        }
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        if spec.get("network") not in self.emulators:
            raise ValueError(f"fault network must be one of {', '.join(self.emulators)}")
        with self.lock:
            self._fault_ids += 1
            fault = Fault(**spec, id=self._fault_ids)
            self.faults.append(fault)
            self._releases[fault.id] = threading.Event()
            return fault

    def release(self, fault_id: int) -> int:
        """Answer the requests the ``hold`` fault ``fault_id`` holds (and let later matches
        through unheld); how many were waiting. KeyError for an unknown fault."""
        with self.lock:
            fault = next((f for f in self.faults if f.id == fault_id), None)
            if fault is None:
                raise KeyError(fault_id)
            self._releases[fault_id].set()
            return fault.held

    def _release_all(self) -> None:
        for event in self._releases.values():
            event.set()
        self._releases = {}

    def handle(self, request: Request) -> tuple[Response | None, float]:
        """Serve one request. Returns the response (None: close unanswered) and a hold delay.

        A request a ``hold`` fault matches is applied, then this call waits (outside the lock,
        so other requests go on) until the fault is released or its ``hold_seconds`` passed.
        """
        response, hold, held = self._serve(request)
        if held is None:
            return response, hold
        fault, released = held
        try:
            released.wait(fault.hold_seconds)
        finally:
            with self.lock:
                fault.held -= 1
        return response, 0.0

    def served_in(self, request: Request, seconds: float) -> None:
        """Record the full time ``request`` took to serve (the HTTP server's measure, which
        includes encoding and writing the answer) in its request log entry."""
        if request.log is not None:
            with self.lock:
                request.log["seconds"] = round(seconds, 6)

    def _serve(
        self, request: Request
    ) -> tuple[Response | None, float, tuple[Fault, threading.Event] | None]:
        started = time.perf_counter()
        with self.lock:
            emulator = self.emulators.get(request.network)
            if emulator is None:
                return (
                    Response(404, {"error": f"unknown sandbox network {request.network!r}"}),
                    0,
                    None,
                )
            fault = next((f for f in self.faults if f.matches(request, self._rng)), None)
            if fault:
                fault.hits += 1
            response: Response | None
            hold = 0.0
            held = None
            if fault and fault.kind == "rate_limit":
                response = emulator.rate_limited(
                    request, self.world.now() + timedelta(seconds=fault.reset_after)
                )
            elif fault and fault.kind == "server_error":
                response = emulator.server_error(request)
            elif fault and fault.kind == "expired_token":
                response = emulator.expired_token(request)
            else:
                try:
                    response = self._dispatch(emulator, request)
                except Exception as exc:  # noqa: BLE001 - an emulator bug must not look like a dropped connection
                    traceback.print_exc()
                    detail = f"{type(exc).__name__}: {exc}"
                    response = Response(
                        500, {"error": "sandbox emulator crashed", "detail": detail}
                    )
                if fault and fault.kind == "timeout_after_apply":
                    response, hold = None, fault.hold_seconds
                if fault and fault.kind == "hold" and not self._releases[fault.id].is_set():
                    fault.held += 1
                    held = fault, self._releases[fault.id]
            request.log = {
                "network": request.network,
                "method": request.method,
                "path": request.path,
                "query": {k: v if len(v) > 1 else v[0] for k, v in request.query.items()},
                "status": response.status if response else None,
                "fault": fault.kind if fault else None,
                "at": self.world.now().isoformat(),
                "seconds": round(time.perf_counter() - started, 6),
            }
            self.requests.append(request.log)
            return response, hold, held

    def _dispatch(self, emulator: Emulator, request: Request) -> Response:
        for candidate in emulator.routes:
            if candidate.method != request.method:
                continue
            match = candidate.pattern.fullmatch(request.path)
            if match:
                request.params = {k: v for k, v in match.groupdict().items() if v is not None}
                try:
                    return candidate.handler(request)
                except Refusal as refusal:
                    return refusal.response
        return emulator.not_found(request)

    # -- admin -------------------------------------------------------------------------
    def admin(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Response:
        try:
            payload = json.loads(body) if body else {}
        except ValueError as exc:
            return Response(400, {"error": f"the body is not JSON: {exc}"})
        with self.lock:
            if path == "/requests" and method == "GET":
                network = query.get("network", [None])[0]
                # Copies: the answer is encoded outside the lock, while served_in may write.
                return Response(
                    200, [dict(r) for r in self.requests if not network or r["network"] == network]
                )
            if path == "/requests" and method == "DELETE":
                self.requests.clear()
                return Response(200, {"ok": True})
            if path == "/faults" and method == "POST":
                specs = payload if isinstance(payload, list) else [payload]
                try:
                    faults = [self.add_fault(spec) for spec in specs]
                except (TypeError, ValueError, re.error) as exc:
                    return Response(400, {"error": str(exc)})
                return Response(201, [asdict(f) for f in faults])
            if path == "/faults" and method == "GET":
                return Response(200, [asdict(f) for f in self.faults])
            if path == "/faults" and method == "DELETE":
                self._release_all()
                self.faults.clear()
                return Response(200, {"ok": True})
            release = re.fullmatch(r"/faults/(\d+)/release", path)
            if release and method == "POST":
                try:
                    return Response(200, {"released": self.release(int(release[1]))})
                except KeyError:
                    return Response(404, {"error": f"no fault {release[1]}"})
            if path == "/reset" and method == "POST":
                self.reset()
                return Response(200, {"ok": True})
            if path == "/state" and method == "GET":
                return Response(200, self.world.summary())
            if path == "/clock" and method == "POST":
                if not isinstance(payload, dict) or "now" not in payload:
                    return Response(
                        400,
                        {"error": 'expected {"now": "<ISO time with a zone>"} or {"now": null}'},
                    )
                try:
                    self.world.freeze(parse_instant(payload["now"]) if payload["now"] else None)
                except ValueError as exc:
                    return Response(400, {"error": str(exc)})
                return Response(200, {"now": self.world.now().isoformat()})
        return Response(404, {"error": f"no admin endpoint {method} /_sandbox{path}"})


class _HTTPHandler(BaseHTTPRequestHandler):
    server: _SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: an answer goes out as two writes (headers, then body); with Nagle on, the
    # body waits for the client's delayed ACK of the headers, ~40 ms per request on Linux.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def _serve(self) -> None:
        started = time.perf_counter()
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = parse_qs(parts.query, keep_blank_values=True)
        segments = parts.path.split("/", 2)
        network = segments[1] if len(segments) > 1 else ""
        rest = "/" + segments[2] if len(segments) > 2 else "/"
        sandbox = self.server.sandbox
        request = None
        if network == "_sandbox":
            response, hold = sandbox.admin(self.command, rest, query, body), 0.0
        else:
            request = Request(
                network=network,
                method=self.command,
                path=rest,
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            response, hold = sandbox.handle(request)
        try:
            self._answer(response, hold)
        finally:
            if request is not None:
                sandbox.served_in(request, time.perf_counter() - started)

    def _answer(self, response: Response | None, hold: float) -> None:
        if response is None:
            time.sleep(hold)
            self.close_connection = True
            return
        data = response.encoded()
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client went away while its answer was held (a killed worker): nobody to tell.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class _SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox, verbose: bool = False):
        super().__init__(address, _HTTPHandler)
        self.sandbox = sandbox
        self.verbose = verbose


class SandboxServer:
    """Runs a :class:`Sandbox` over HTTP in a background thread
    (``with SandboxServer(...) as s``)."""

    def __init__(
        self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0, verbose: bool = False
    ):
        self.sandbox = sandbox
        self._httpd = _SandboxHTTPServer((host, port), sandbox, verbose)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SandboxServer:
        # A short poll interval keeps stop() fast: test fixtures start and stop many servers.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="socialops-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
