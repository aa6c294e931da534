"""The sandbox core: dispatch, admin API, faults, clock, and loading emulators."""

from __future__ import annotations

import http.client
import json
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests

import socialops.sandbox as sandbox_package
from socialops.sandbox import (
    Emulator,
    Refusal,
    Request,
    Response,
    Sandbox,
    SandboxServer,
    World,
    route,
)
from socialops.sandbox.world import SandboxAccount, SandboxPost

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


class NotesEmulator(Emulator):
    """A tiny network: list and create posts, answering faults in its own way."""

    network = "notes"
    conn_id = "notes_default"

    @route("GET", r"/posts")
    @route("PUT", r"/posts")
    def list_posts(self, request: Request) -> Response:
        return Response(200, {"data": [p.text for p in self.world.account_posts("notes", "1")]})

    @route("POST", r"/posts")
    def create_post(self, request: Request) -> Response:
        post = self.world.add_post(
            SandboxPost("notes", self.world.new_id(), "1", request.json()["text"], self.world.now())
        )
        return Response(201, {"id": post.id})

    @route("GET", r"/posts/(?P<id>\d+)")
    def get_post(self, request: Request) -> Response:
        return Response(200, {"text": self._post(request.params["id"]).text})

    def _post(self, post_id: str) -> SandboxPost:
        post = self.world.post("notes", post_id)
        if post is None:
            raise Refusal(Response(404, {"error": "no such post"}))
        return post

    def rate_limited(self, request, reset_at):
        return Response(
            429,
            {"title": "Too Many Requests"},
            {"x-rate-limit-reset": str(int(reset_at.timestamp()))},
        )


def _world() -> World:
    world = World(epoch=NOW, clock=lambda: NOW)
    world.add_account(SandboxAccount("notes", "1", "me", "Me", "owned", followers=10))
    world.add_post(SandboxPost("notes", "100", "1", "first", NOW))
    return world


@pytest.fixture
def server():
    with SandboxServer(Sandbox(_world, [NotesEmulator], seed=3)) as running:
        yield running


def _admin(server, method: str, path: str, body=None) -> requests.Response:
    return requests.request(method, f"{server.url}/_sandbox{path}", json=body, timeout=5)


def test_routes_requests_to_the_emulator_by_first_path_segment(server):
    response = requests.get(f"{server.url}/notes/posts", timeout=5)
    assert response.status_code == 200 and response.json() == {"data": ["first"]}
    assert requests.get(f"{server.url}/notes/posts/100", timeout=5).json() == {"text": "first"}


def test_unknown_network_and_unknown_path_are_404(server):
    response = requests.get(f"{server.url}/myspace/posts", timeout=5)
    assert response.status_code == 404
    assert "unknown sandbox network 'myspace'" in response.json()["error"]
    response = requests.delete(f"{server.url}/notes/posts", timeout=5)
    assert response.status_code == 404
    assert response.json() == {"error": "no sandbox endpoint DELETE /posts"}
    assert _admin(server, "GET", "/nothing").status_code == 404


def test_a_refusal_raised_inside_a_handler_is_its_answer(server):
    response = requests.get(f"{server.url}/notes/posts/999", timeout=5)
    assert response.status_code == 404 and response.json() == {"error": "no such post"}
    assert _admin(server, "GET", "/requests").json()[-1]["status"] == 404


def test_stacked_routes_serve_several_methods(server):
    assert requests.put(f"{server.url}/notes/posts", timeout=5).status_code == 200


def test_request_log_lists_and_filters_and_clears(server):
    requests.get(f"{server.url}/notes/posts?max_results=5&ids=1&ids=2", timeout=5)
    requests.get(f"{server.url}/other/thing", timeout=5)
    log = _admin(server, "GET", "/requests").json()
    seconds = log[0].pop("seconds")
    assert isinstance(seconds, float) and 0 < seconds < 5
    assert log[0] == {
        "network": "notes",
        "method": "GET",
        "path": "/posts",
        "query": {"max_results": "5", "ids": ["1", "2"]},
        "status": 200,
        "fault": None,
        "at": NOW.isoformat(),
    }
    assert [r["network"] for r in _admin(server, "GET", "/requests?network=notes").json()] == [
        "notes"
    ]
    assert _admin(server, "DELETE", "/requests").json() == {"ok": True}
    assert _admin(server, "GET", "/requests").json() == []


def test_fault_by_count_hits_the_next_matching_requests_only(server):
    created = _admin(
        server,
        "POST",
        "/faults",
        {
            "network": "notes",
            "kind": "rate_limit",
            "path": "/posts",
            "method": "GET",
            "count": 2,
            "reset_after": 60,
        },
    )
    assert created.status_code == 201
    assert created.json()[0] | {"id": 1} == created.json()[0] and created.json()[0]["count"] == 2
    # Another path or method does not match.
    assert requests.get(f"{server.url}/notes/posts/100", timeout=5).status_code == 200
    statuses = [requests.get(f"{server.url}/notes/posts", timeout=5) for _ in range(3)]
    assert [r.status_code for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["x-rate-limit-reset"] == str(int(NOW.timestamp()) + 60)
    faults = _admin(server, "GET", "/faults").json()
    assert faults[0]["hits"] == 2
    log = _admin(server, "GET", "/requests").json()
    assert [r["fault"] for r in log] == [None, "rate_limit", "rate_limit", None]


def _faulted_pattern(seed: int) -> list[bool]:
    sandbox = Sandbox(_world, [NotesEmulator], seed=seed)
    sandbox.add_fault({"network": "notes", "kind": "server_error", "rate": 0.5})
    request = Request("notes", "GET", "/posts", {}, {}, b"")
    return [sandbox.handle(request)[0].status == 500 for _ in range(40)]


def test_fault_by_rate_is_reproducible_from_the_seed():
    pattern = _faulted_pattern(3)
    assert pattern == _faulted_pattern(3)
    assert pattern != _faulted_pattern(4)
    assert 8 < sum(pattern) < 32


def test_default_fault_answers(server):
    _admin(
        server,
        "POST",
        "/faults",
        [
            {"network": "notes", "kind": "server_error"},
            {"network": "notes", "kind": "expired_token"},
        ],
    )
    first = requests.get(f"{server.url}/notes/posts", timeout=5)
    second = requests.get(f"{server.url}/notes/posts", timeout=5)
    assert (first.status_code, second.status_code) == (500, 401)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"network": "notes", "kind": "meltdown"}, "unknown fault kind 'meltdown'"),
        (
            {"network": "notes", "kind": "rate_limit", "colour": "red"},
            "unknown fault fields: colour",
        ),
        ({"network": "myspace", "kind": "rate_limit"}, "fault network must be one of notes"),
        (
            {"network": "notes", "kind": "rate_limit", "path": "("},
            "missing ), unterminated subpattern",
        ),
    ],
)
def test_invalid_faults_are_refused(server, spec, message):
    response = _admin(server, "POST", "/faults", spec)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert _admin(server, "GET", "/faults").json() == []


def test_delete_faults(server):
    _admin(server, "POST", "/faults", {"network": "notes", "kind": "server_error", "count": 5})
    assert _admin(server, "DELETE", "/faults").json() == {"ok": True}
    assert requests.get(f"{server.url}/notes/posts", timeout=5).status_code == 200


def test_timeout_after_apply_changes_the_world_then_closes_unanswered(server):
    _admin(
        server,
        "POST",
        "/faults",
        {"network": "notes", "kind": "timeout_after_apply", "method": "POST", "hold_seconds": 0.3},
    )
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    started = time.monotonic()
    connection.request(
        "POST",
        "/notes/posts",
        body=json.dumps({"text": "hello"}),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.getresponse()
    assert time.monotonic() - started >= 0.3
    connection.close()
    assert "hello" in requests.get(f"{server.url}/notes/posts", timeout=5).json()["data"]
    assert _admin(server, "GET", "/requests?network=notes").json()[0]["status"] is None


def test_timeout_after_apply_makes_a_client_time_out(server):
    _admin(
        server,
        "POST",
        "/faults",
        {"network": "notes", "kind": "timeout_after_apply", "hold_seconds": 2},
    )
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(f"{server.url}/notes/posts", json={"text": "slow"}, timeout=0.3)


def _post_in_background(server, text: str) -> tuple[threading.Thread, dict]:
    answer: dict = {}

    def post() -> None:
        response = requests.post(f"{server.url}/notes/posts", json={"text": text}, timeout=10)
        answer.update(status=response.status_code, body=response.json())

    thread = threading.Thread(target=post)
    thread.start()
    return thread, answer


def _wait_until_held(server, count: int = 1) -> dict:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        (fault,) = _admin(server, "GET", "/faults").json()
        if fault["held"] == count:
            return fault
        time.sleep(0.01)
    raise AssertionError(f"the sandbox never held {count} request(s): {fault}")


def test_hold_applies_the_request_and_keeps_its_answer_until_released(server):
    (fault,) = _admin(
        server,
        "POST",
        "/faults",
        {"network": "notes", "kind": "hold", "method": "POST", "hold_seconds": 30},
    ).json()
    thread, answer = _post_in_background(server, "in flight")
    assert _wait_until_held(server)["hits"] == 1
    # Applied already, and the sandbox goes on serving everyone else meanwhile.
    assert "in flight" in requests.get(f"{server.url}/notes/posts", timeout=5).json()["data"]
    assert answer == {}
    released = _admin(server, "POST", f"/faults/{fault['id']}/release")
    assert released.json() == {"released": 1}
    thread.join(timeout=5)
    assert answer["status"] == 201
    assert _admin(server, "GET", "/faults").json()[0]["held"] == 0
    # A released fault holds nothing more, even with count left.
    assert requests.post(f"{server.url}/notes/posts", json={"text": "b"}, timeout=2).ok


def test_hold_answers_by_itself_after_hold_seconds(server):
    _admin(server, "POST", "/faults", {"network": "notes", "kind": "hold", "hold_seconds": 0.3})
    started = time.monotonic()
    response = requests.post(f"{server.url}/notes/posts", json={"text": "slow"}, timeout=5)
    assert response.status_code == 201 and time.monotonic() - started >= 0.3


def test_a_client_gone_while_held_does_not_disturb_the_sandbox(server, capfd):
    (fault,) = _admin(
        server, "POST", "/faults", {"network": "notes", "kind": "hold", "hold_seconds": 30}
    ).json()
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("POST", "/notes/posts", body=json.dumps({"text": "orphan"}))
    _wait_until_held(server)
    connection.sock.shutdown(socket.SHUT_RDWR)  # the worker holding it was killed
    connection.close()
    assert _admin(server, "POST", f"/faults/{fault['id']}/release").json() == {"released": 1}
    _wait_until_held(server, 0)
    assert "orphan" in requests.get(f"{server.url}/notes/posts", timeout=5).json()["data"]
    assert "Traceback" not in capfd.readouterr().err


def test_releasing_an_unknown_fault_is_a_404(server):
    response = _admin(server, "POST", "/faults/7/release")
    assert (response.status_code, response.json()) == (404, {"error": "no fault 7"})


def test_deleting_the_faults_or_resetting_releases_held_requests(server):
    for admin_call in (("DELETE", "/faults"), ("POST", "/reset")):
        _admin(server, "POST", "/faults", {"network": "notes", "kind": "hold", "hold_seconds": 30})
        thread, answer = _post_in_background(server, "held")
        _wait_until_held(server)
        _admin(server, *admin_call)
        thread.join(timeout=5)
        assert answer["status"] == 201, admin_call


def test_reset_rebuilds_the_world_and_clears_log_and_faults(server):
    requests.post(f"{server.url}/notes/posts", json={"text": "second"}, timeout=5)
    _admin(
        server,
        "POST",
        "/faults",
        {"network": "notes", "kind": "server_error", "count": 9, "path": "/never"},
    )
    assert _admin(server, "GET", "/state").json()["posts"] == {"notes": {"me": 2}}
    assert _admin(server, "POST", "/reset").json() == {"ok": True}
    assert _admin(server, "GET", "/state").json()["posts"] == {"notes": {"me": 1}}
    assert _admin(server, "GET", "/faults").json() == []
    assert [r["path"] for r in _admin(server, "GET", "/requests").json()] == []


def test_state_reports_posts_mentions_and_slack(server):
    server.sandbox.world.post_slack("#cm-alertes", "hello")
    state = _admin(server, "GET", "/state").json()
    assert state["now"] == NOW.isoformat()
    assert state["mentions"] == 0
    assert state["slack"]["#cm-alertes"][0]["text"] == "hello"


def test_clock_freezes_and_unfreezes(server):
    frozen = _admin(server, "POST", "/clock", {"now": "2026-12-01T08:00:00Z"}).json()
    assert frozen == {"now": "2026-12-01T08:00:00+00:00"}
    requests.get(f"{server.url}/notes/posts", timeout=5)
    assert _admin(server, "GET", "/requests").json()[-1]["at"] == "2026-12-01T08:00:00+00:00"
    running = datetime.fromisoformat(_admin(server, "POST", "/clock", {"now": None}).json()["now"])
    assert abs((running - datetime.now(UTC)).total_seconds()) < 5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"now": "2026-12-01T08:00:00"}, "needs a time zone"),
        ({"now": "tomorrow"}, "is not an ISO 8601 date-time"),
        ([1], "expected"),
        ("{not json", "not JSON"),
    ],
)
def test_bad_admin_input_is_a_400_that_says_why(server, body, message):
    kwargs = {"data": body} if isinstance(body, str) else {"json": body}
    response = requests.post(f"{server.url}/_sandbox/clock", timeout=5, **kwargs)
    assert response.status_code == 400 and message in response.json()["error"]
    assert _admin(server, "GET", "/state").json()["now"] == NOW.isoformat()  # clock untouched


def test_an_emulator_crash_is_a_500_naming_the_error_not_a_dropped_connection(server, monkeypatch):
    def broken(request):
        raise KeyError("oops")

    for served in server.sandbox.emulators["notes"].routes:
        monkeypatch.setattr(served, "handler", broken)
    response = requests.get(f"{server.url}/notes/posts", timeout=5)
    assert response.status_code == 500 and response.json()["detail"] == "KeyError: 'oops'"
    assert _admin(server, "GET", "/requests").json()[-1]["status"] == 500


#: What the sandbox may read of the network layer: the registry that names each network's
#: emulator (plain data), never the clients' code.
_NETWORK_DESCRIPTIONS = ("socialops.networks.registry", "socialops.networks.spec")


def test_emulators_import_nothing_from_the_adapters():
    # An emulator that borrows the adapter's code (escaping, naming...) agrees with its bugs.
    import ast
    from pathlib import Path

    root = Path(sandbox_package.__file__).parent
    checked = 0
    for path in sorted(root.rglob("*.py")):
        checked += 1
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            borrowed = [
                n
                for n in names
                if n.startswith("socialops.networks") and n not in _NETWORK_DESCRIPTIONS
            ]
            assert not borrowed, f"{path.relative_to(root)} imports {borrowed}"
    assert checked > 10


def test_every_registered_emulator_loads():
    emulators = sandbox_package.emulator_types()
    assert [e.network for e in emulators] == list(sandbox_package.EMULATORS)


def test_unknown_emulator_is_named():
    with pytest.raises(
        ValueError, match="unknown sandbox emulator 'ghost'; expected one of x, youtube"
    ):
        sandbox_package.emulator_types(["ghost"])


def test_emulator_types_raises_an_import_error_inside_a_module(monkeypatch, tmp_path):
    (tmp_path / "broken_emulator_module.py").write_text("import package_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sandbox_package.EMULATORS, "broken", "broken_emulator_module:Broken")
    with pytest.raises(ModuleNotFoundError, match="package_that_does_not_exist"):
        sandbox_package.emulator_types(["broken"])
    sys.modules.pop("broken_emulator_module", None)


def test_airflow_connections_point_each_emulator_at_the_url(monkeypatch):
    monkeypatch.setattr(sandbox_package, "emulator_types", lambda names=None: [NotesEmulator])
    assert sandbox_package.airflow_connections("http://127.0.0.1:9") == {
        "AIRFLOW_CONN_NOTES_DEFAULT": json.dumps(
            {"conn_type": "http", "host": "http://127.0.0.1:9/notes", "password": "sandbox-token"}
        )
    }


def test_default_world_fixture_serves_the_default_scenario(sandbox):
    state = sandbox.state()
    assert state["now"] == "2026-11-21T10:00:00+00:00"
    assert state["posts"]["x"]["maisonlumiere"] > 0
    sandbox.world.post_slack("#cm-digest", "one")
    assert sandbox.requests() == []
    fault = sandbox.add_fault(network="slack", kind="rate_limit")
    assert fault["network"] == "slack" and fault["id"] == 1


def test_sandbox_fixture_starts_each_test_afresh(sandbox):
    assert sandbox.state()["slack"] == {}
    assert sandbox.sandbox.faults == []


def test_answers_go_out_without_waiting_for_nagle(server, monkeypatch):
    # Headers and body are two writes: with Nagle's algorithm the body would wait for the
    # client's delayed ACK (~40 ms a request). The accepted socket must have TCP_NODELAY.
    from socialops.sandbox import server as server_module

    seen: list[int] = []
    original = server_module._HTTPHandler.setup

    def setup(handler):
        original(handler)
        seen.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(server_module._HTTPHandler, "setup", setup)
    assert requests.get(f"{server.url}/notes/posts", timeout=5).status_code == 200
    assert seen and all(seen)


def test_request_log_times_the_whole_answer_held_included(server):
    # A request held by a fault waits after it was applied: its time is the client's wait.
    _admin(server, "POST", "/faults", {"network": "notes", "kind": "hold", "hold_seconds": 0.3})
    assert requests.get(f"{server.url}/notes/posts", timeout=5).status_code == 200
    requests.get(f"{server.url}/notes/posts/100", timeout=5)
    held, quick = _admin(server, "GET", "/requests").json()
    assert held["seconds"] >= 0.3
    assert 0 < quick["seconds"] < held["seconds"]
