"""RestClient: statuses and transport failures → our errors, retries only where safe, call
counts."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.adapters import Sleeps

from socialops.networks import (
    AuthError,
    ConnectionSettings,
    InvalidRequest,
    NetworkAdapter,
    OutcomeUnknown,
    RateLimited,
    TransientError,
)
from socialops.networks.transport.http import RestClient, api_root, media_download
from socialops.sandbox import Emulator, Request, Response, Sandbox, SandboxServer, route
from socialops.sandbox.world import World

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class StatusEmulator(Emulator):
    """``/echo/status/<code>`` answers that code; ``POST /echo/items`` counts creations."""

    network = "echo"

    def __init__(self, world):
        super().__init__(world)
        self.created = 0

    @route("GET", r"/status/(?P<code>\d{3})")
    def status(self, request: Request) -> Response:
        return Response(int(request.params["code"]), {"status": request.params["code"]})

    @route("GET", r"/ok")
    def ok(self, request: Request) -> Response:
        return Response(200, {"ok": True})

    @route("GET", r"/html")
    def html(self, request: Request) -> Response:
        return Response(200, "<html>captive portal</html>", content_type="text/html")

    @route("POST", r"/status/(?P<code>\d{3})")
    def post_status(self, request: Request) -> Response:
        return self.status(request)

    @route("POST", r"/items")
    def create(self, request: Request) -> Response:
        self.created += 1
        return Response(201, {"id": self.created})


class EchoAdapter(NetworkAdapter):
    network = "echo"


@pytest.fixture
def server():
    world = lambda: World(epoch=NOW, clock=lambda: NOW)  # noqa: E731
    with SandboxServer(Sandbox(world, [StatusEmulator])) as running:
        yield running


def make_client(host: str, **extras) -> RestClient:
    settings = ConnectionSettings(
        conn_id="echo_default",
        host=host,
        password="secret",
        extras={"backoff_base": 0.01, **extras},
    )
    adapter = EchoAdapter(settings)
    client = RestClient(
        adapter, api_root(settings, "https://api.example.com"), sleep=Sleeps(), now=lambda: NOW
    )
    client.renew = "the echo token"
    return client


@pytest.fixture
def client(server):
    client = make_client(f"{server.url}/echo")
    yield client
    client.close()


def test_api_root_prefers_the_connection_host():
    assert (
        api_root(ConnectionSettings(host="http://127.0.0.1:9/x/"), "https://real")
        == "http://127.0.0.1:9/x"
    )
    assert api_root(ConnectionSettings(), "https://real/") == "https://real"


def test_every_request_is_counted_under_its_endpoint_name(client):
    assert client.get("/ok", endpoint="GET /ok") == {"ok": True}
    client.get("/ok", endpoint="GET /ok")
    assert client.adapter.api_calls == {"GET /ok": 2}


def test_401_is_an_auth_error_naming_the_connection_and_what_to_renew(client):
    with pytest.raises(AuthError) as caught:
        client.get("/status/401", endpoint="GET /status")
    assert caught.value.conn_id == "echo_default"
    assert "renew the echo token in Airflow connection 'echo_default'" in str(caught.value)
    assert "secret" not in str(caught.value)
    assert not caught.value.retryable


def test_429_with_retry_after_beyond_max_sleep_is_raised_with_its_reset(server, client):
    server.sandbox.add_fault(
        {"network": "echo", "kind": "rate_limit", "path": "/ok", "reset_after": 600}
    )
    with pytest.raises(RateLimited) as caught:
        client.get("/ok", endpoint="GET /ok")
    assert caught.value.retry_at == NOW + timedelta(seconds=600)
    assert client.adapter.api_calls["GET /ok"] == 1


def test_short_429_is_waited_out_then_retried(server, client):
    server.sandbox.add_fault(
        {"network": "echo", "kind": "rate_limit", "path": "/ok", "reset_after": 5}
    )
    assert client.get("/ok", endpoint="GET /ok") == {"ok": True}
    assert 5 <= client.sleep[0] <= 6
    assert client.adapter.api_calls["GET /ok"] == 2


def test_5xx_on_a_read_is_retried_with_bounded_attempts(server, client):
    server.sandbox.add_fault({"network": "echo", "kind": "server_error", "path": "/ok", "count": 2})
    assert client.get("/ok", endpoint="GET /ok") == {"ok": True}
    assert client.adapter.api_calls["GET /ok"] == 3
    with pytest.raises(TransientError, match="GET /status answered 503"):
        client.get("/status/503", endpoint="GET /status")
    assert client.adapter.api_calls["GET /status"] == 4  # the policy's max_attempts


def test_a_server_error_on_a_write_is_outcome_unknown_and_never_retried(server, client):
    server.sandbox.add_fault({"network": "echo", "kind": "server_error", "path": "/items"})
    with pytest.raises(OutcomeUnknown, match="POST /items answered 500") as caught:
        client.request("POST", "/items", endpoint="POST /items")
    assert "reconcile with find_published" in str(caught.value) and caught.value.status == 500
    assert client.adapter.api_calls["POST /items"] == 1


def test_a_client_error_on_a_write_stays_an_invalid_request(client):
    with pytest.raises(InvalidRequest):
        client.request("POST", "/status/404", endpoint="POST /status")


def test_a_write_without_answer_is_outcome_unknown_and_was_applied(server):
    client = make_client(f"{server.url}/echo", timeout=0.3)
    server.sandbox.add_fault(
        {"network": "echo", "kind": "timeout_after_apply", "path": "/items", "hold_seconds": 0.6}
    )
    with pytest.raises(OutcomeUnknown, match="reconcile"):
        client.request("POST", "/items", endpoint="POST /items")
    assert client.adapter.api_calls["POST /items"] == 1
    assert server.sandbox.emulators["echo"].created == 1


def test_an_idempotent_post_may_be_retried_after_a_lost_answer(server):
    client = make_client(f"{server.url}/echo", timeout=0.3)
    server.sandbox.add_fault(
        {"network": "echo", "kind": "timeout_after_apply", "path": "/items", "hold_seconds": 0.6}
    )
    assert client.request("POST", "/items", endpoint="POST /items", idempotent=True).json() == {
        "id": 2
    }


def test_a_write_that_never_left_is_transient_not_unknown():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block exits: nothing listens there
    client = make_client(f"http://127.0.0.1:{port}")
    with pytest.raises(TransientError) as caught:
        client.request("POST", "/items", endpoint="POST /items")
    assert not isinstance(caught.value, OutcomeUnknown)


def test_other_4xx_are_invalid_requests(client):
    with pytest.raises(InvalidRequest, match="answered 404"):
        client.get("/status/404", endpoint="GET /status")
    assert client.adapter.api_calls["GET /status"] == 1


def test_a_read_without_json_is_transient(client):
    with pytest.raises(
        TransientError, match="GET /html answered 200 without JSON: <html>captive portal"
    ):
        client.get("/html", endpoint="GET /html")


@pytest.mark.parametrize(
    ("code", "error"), [("404", InvalidRequest), ("429", TransientError), ("503", TransientError)]
)
def test_a_media_host_error_may_pass_only_when_the_host_says_so(server, code, error):
    adapter = EchoAdapter(ConnectionSettings(conn_id="echo_default"))
    with pytest.raises(error, match=f"downloading image .* answered {code}") as caught:
        with media_download(adapter, f"{server.url}/echo/status/{code}", "post e1", "image"):
            pass
    assert type(caught.value) is error and caught.value.status == int(code)
    assert adapter.api_calls == {"GET media source": 1}


def test_a_media_download_gives_the_body_or_a_transient_error_when_the_host_is_down(server):
    adapter = EchoAdapter(ConnectionSettings(conn_id="echo_default"))
    with media_download(adapter, f"{server.url}/echo/ok", "post e1", "image") as response:
        assert response.json() == {"ok": True}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/photo.jpg"
    with pytest.raises(TransientError, match="cannot download image .*photo.jpg"):
        with media_download(adapter, closed, "post e1", "image"):
            pass
