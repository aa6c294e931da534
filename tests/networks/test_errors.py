"""Secrets stay secret: one redaction rule for every network's errors.

The sweep runs each error path of every adapter (connection refused, timeout, 401, 403,
429, 5xx, malformed JSON) and of the Sheets reader against a server that echoes everything
it receives (URL, query, headers, body) into its error bodies, with connections full of
known secrets; then it searches the exception texts and tracebacks (what the task log
prints), every log record, and every Slack message written to the outbox for them.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import traceback
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from socialops.calendar.sources import CalendarSourceError, read_sheet
from socialops.networks import ConnectionSettings, build_adapter
from socialops.networks.errors import (
    REDACTED,
    NetworkError,
    failure,
    redact,
    register_secrets,
    secret_values,
)
from socialops.networks.records import Draft
from socialops.networks.registry import NETWORKS
from socialops.notifications.callbacks import TaskFailureNotifier
from socialops.notifications.catalogue import Reader
from socialops.notifications.outbox import add_notices
from socialops.publishing.messages import PublicationNotices
from socialops.publishing.store import Claim
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

#: One value per kind of connection secret; each long and unlike anything else.
SECRETS = {
    "password": "pw-SECRET-password-0001",
    "access_token": "at-SECRET-access-token-0002",
    "access_token_secret": "ats-SECRET-token-secret-0003",
    "consumer_key": "ck-SECRET-consumer-key-0004",
    "consumer_secret": "cs-SECRET-consumer-secret-0005",
    "app_secret": "as-SECRET-app-secret-0006",
    "client_secret": "cls-SECRET-client-secret-0007",
    "refresh_token": "rt-SECRET-refresh-token-0008",
    "token": "tk-SECRET-oauth-token-0009",
    "api_key": "ak-SECRET-api-key-0010",
}
CASES = ["refused", "timeout", "401", "403", "429", "500", "malformed"]


class EchoingServer(ThreadingHTTPServer):
    """Answers every request as ``mode`` says, quoting the whole request in its body: the
    worst an API can do (some echo the query, the token or the form they got)."""

    daemon_threads = True
    mode = "500"


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("latin-1") if length else ""
        echo = f"{self.command} {self.path} {dict(self.headers)} {body}"
        mode = self.server.mode
        if mode == "timeout":
            time.sleep(1.5)
        if mode == "malformed":
            status, data, kind = 200, f"<html>{echo}</html>", "application/json"
        else:
            status = 500 if mode == "timeout" else int(mode)
            error = {"message": echo, "code": status, "status": "ERR", "errors": []}
            data, kind = (
                json.dumps({"error": error, "detail": echo, "title": echo}),
                ("application/json"),
            )
        raw = data.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(raw)))
            if status == 429:
                self.send_header("Retry-After", "3600")
            self.end_headers()
            self.wfile.write(raw)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer


@pytest.fixture(scope="module")
def echoing():
    server = EchoingServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings(network: str, base: str) -> ConnectionSettings:
    extras = {
        **{k: v for k, v in SECRETS.items() if k != "password"},
        "token_uri": f"{base}/token",
        "timeout": 0.5,
        "max_attempts": 1,
        "max_sleep": 0,
        "page_id": "123",
        "ig_user_id": "456",
        "organization_urn": "urn:li:organization:789",
    }
    return ConnectionSettings(
        f"{network}_secret", host=f"{base}/{network}", password=SECRETS["password"], extras=extras
    )


def draft(network: str, tmp_path) -> Draft:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0" * 1024)
    if network == "youtube":
        return Draft("owned", "Bonjour", title="Titre", media=(str(video),))
    if network == "instagram":
        return Draft("owned", "Bonjour", media=("https://cdn.example.test/a.jpg?sig=SIGNED",))
    return Draft("owned", "Bonjour")


def failures(network: str, base: str, tmp_path) -> list[BaseException]:
    """What each call of the adapter raised."""
    adapter = build_adapter(network, settings(network, base))
    calls = [
        adapter.check,
        lambda: adapter.publish(draft(network, tmp_path), "key-1"),
        lambda: adapter.post_metrics(["1", "2"]),
    ]
    raised = []
    for call in calls:
        try:
            call()
        except Exception as exc:  # every error counts, ours or not
            raised.append(exc)
    adapter.close()
    return raised


def shown(exc: BaseException) -> str:
    """What the task log shows of an exception: its text and the whole traceback."""
    return str(exc) + "".join(traceback.format_exception(exc))


def outbox_text(engine) -> str:
    with session_scope(engine) as session:
        rows = session.scalars(select(NotificationOutbox))
        return "".join(r.text + json.dumps(r.blocks, ensure_ascii=False) for r in rows)


def claim(network: str) -> Claim:
    return Claim(
        publication_id=1,
        owner="run",
        entry_id="e1",
        network=network,
        account="owned",
        idempotency_key="key-1",
        state="pending",
        attempts=1,
        scheduled_at=NOW,
        last_attempt_at=None,
        draft=Draft("owned", "Bonjour"),
    )


def leaks(text: str) -> list[str]:
    return [name for name, value in SECRETS.items() if value in text]


@pytest.mark.parametrize("case", CASES)
def test_no_error_path_of_any_adapter_shows_a_secret(
    case, echoing, tmp_path, caplog, sqlite_engine
):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="socialops")
    echoing.mode = case
    base = (
        f"http://127.0.0.1:{closed_port()}"
        if case == "refused"
        else f"http://127.0.0.1:{echoing.server_address[1]}"
    )
    notices = PublicationNotices(
        "#cm-digest", alerts_channel="#cm-alertes", ops_channel="#cm-ops", locale="en"
    )
    raised: dict[str, list[BaseException]] = {}
    for network in NETWORKS:
        raised[network] = failures(network, base, tmp_path)
        for exc in raised[network]:
            if isinstance(exc, NetworkError):
                add_notices(sqlite_engine, notices.failed(claim(network), exc))
    assert all(raised.values()), "each adapter met the error"
    for network, errors in raised.items():
        for exc in errors:
            assert not leaks(shown(exc)), (network, case, shown(exc))
            assert "SIGNED" not in shown(exc) and "?sig=" not in shown(exc)
    logged = "\n".join(
        r.getMessage() + (r.exc_text or "") + "".join(traceback.format_exception(*r.exc_info))
        if r.exc_info
        else r.getMessage()
        for r in caplog.records
    )
    assert not leaks(logged), logged
    written = outbox_text(sqlite_engine)
    assert written and not leaks(written)


@pytest.mark.parametrize("case", CASES)
def test_the_sheets_reader_shows_no_secret(case, echoing, caplog):
    caplog.set_level(logging.DEBUG)
    echoing.mode = case
    base = (
        f"http://127.0.0.1:{closed_port()}"
        if case == "refused"
        else f"http://127.0.0.1:{echoing.server_address[1]}"
    )
    key = ConnectionSettings(
        "google_sheets_default",
        host=f"{base}/sheets",
        password=SECRETS["api_key"],
        extras={"timeout": 0.5, "max_attempts": 1},
    )
    oauth = settings("sheets", base)
    for connection in (key, oauth):
        with pytest.raises(CalendarSourceError) as raised:
            read_sheet(connection, "calendar-demo", "Calendar!A1:Z", Path("."))
        assert not leaks(shown(raised.value)), shown(raised.value)
        # The failure callback's Slack message quotes the exception.
        context = {"exception": raised.value, "run_id": "r1"}
        for _, message in TaskFailureNotifier().messages(
            context, Reader("en", "UTC"), "#cm-alertes", "#cm-ops"
        ):
            assert not leaks(message.text + json.dumps(message.block_dicts()))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not leaks(logged), logged


# -- the rule ------------------------------------------------------------------------------


def test_a_query_string_never_survives():
    text = redact(
        "Max retries exceeded with url: /v4/spreadsheets/s/values/A1?key=abc&alt=json "
        "(GET https://graph.facebook.com/v19.0/me?fields=id&appsecret_proof=f00)"
    )
    assert "key=abc" not in text and "appsecret_proof" not in text and "alt=json" not in text
    assert "/v4/spreadsheets/s/values/A1?" + REDACTED in text


@pytest.mark.parametrize(
    "text",
    [
        "client_secret=cs-1234567&grant_type=refresh_token",
        '{"access_token": "EAAB1234567", "expires_in": 3600}',
        "Authorization: Bearer EAAB1234567890",
        "refresh_token: 1//0abcdefgh",
        "password=hunter2-long",
    ],
)
def test_secret_named_values_are_blanked(text):
    out = redact(text)
    assert not any(v in out for v in ("cs-1234567", "EAAB1234567", "1//0abcdefgh", "hunter2"))
    assert REDACTED in out


def test_registered_secrets_are_blanked_anywhere_and_words_are_kept():
    register_secrets(["zz-Registered-Value-42"])
    assert redact("token zz-Registered-Value-42 refused") == f"token {REDACTED} refused"
    assert redact("the key of entry e1; monkey=3") == "the key of entry e1; monkey=3"


def test_a_connection_registers_its_secrets_and_not_its_ids():
    values = secret_values(
        "pw-1234567", {"client_id": "id-1234567", "app_secret": "as-1234567", "timeout": 30}
    )
    assert values == ["pw-1234567", "as-1234567"]
    ConnectionSettings("c", password="pw-Connection-Secret-9")
    assert "pw-Connection-Secret-9" not in str(NetworkError("x", "got pw-Connection-Secret-9"))


def test_failure_quotes_a_library_error_without_its_url():
    exc = ConnectionError("HTTPConnectionPool: Max retries exceeded with url: /a?key=zz-9999999")
    assert (
        failure(exc)
        == f"ConnectionError: HTTPConnectionPool: Max retries exceeded with url: /a?{REDACTED}"
    )


def test_connection_secrets_are_given_to_airflow_secrets_masker():
    from airflow.sdk import Connection
    from airflow.sdk._shared.secrets_masker.secrets_masker import _secrets_masker

    from socialops.hooks import settings_from_connection

    connection = Connection(
        conn_id="masked",
        conn_type="youtube",
        password="pw-Masked-Password-1",
        extra=json.dumps({"refresh_token": "rt-Masked-Refresh-2", "client_id": "cid-Visible-3"}),
    )
    settings_from_connection(connection)
    masked = _secrets_masker().redact("pw-Masked-Password-1 rt-Masked-Refresh-2 cid-Visible-3")
    assert masked == "*** *** cid-Visible-3"
