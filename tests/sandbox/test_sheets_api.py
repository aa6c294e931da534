"""The Google Sheets emulator, through the real googleapiclient and socialops' Google plumbing.

Responses are checked against the ``ValueRange`` / ``Spreadsheet`` schemas of the discovery
document googleapiclient ships (``sheets.v4.json``): that is Google's response contract.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from tests.support.discovery import validate_discovery

from socialops.sandbox import Sandbox, SandboxServer, World
from socialops.sandbox.sheets_api import (
    API_KEY,
    SheetsEmulator,
    column_letters,
    column_number,
    split_range,
)

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
ROWS = [
    ["entry_id", "text", "status"],
    ["e1", "Bonjour", "approved"],
    ["e2", "", "draft", ""],
    ["", "", ""],
]


def _valid(name: str, body: dict[str, Any]) -> None:
    # Unknown properties fail at every depth: clients would silently ignore them.
    validate_discovery("sheets.v4", name, body)


def _world() -> World:
    world = World(epoch=NOW, clock=lambda: NOW)
    world.sheets["calendar-demo"] = {
        "Calendar": [list(r) for r in ROWS],
        "Notes d'été": [["a", "b"], ["c"]],
    }
    return world


@pytest.fixture
def server():
    with SandboxServer(Sandbox(_world, [SheetsEmulator])) as running:
        yield running


@pytest.fixture
def sheets(server):
    return build(
        "sheets",
        "v4",
        developerKey=API_KEY,
        client_options={"api_endpoint": f"{server.url}/sheets/"},
        static_discovery=True,
        cache_discovery=False,
    )


def _get(sheets, range_: str, **kwargs: Any) -> dict[str, Any]:
    return (
        sheets.spreadsheets()
        .values()
        .get(spreadsheetId="calendar-demo", range=range_, **kwargs)
        .execute()
    )


def test_values_get_returns_a_value_range_without_trailing_blanks(sheets, server):
    body = _get(sheets, "Calendar!A1:Z")
    _valid("ValueRange", body)
    assert body == {
        "range": "Calendar!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [
            ["entry_id", "text", "status"],
            ["e1", "Bonjour", "approved"],
            ["e2", "", "draft"],
        ],
    }
    [logged] = server.sandbox.requests
    assert logged["path"] == "/v4/spreadsheets/calendar-demo/values/Calendar%21A1%3AZ"
    assert logged["query"]["key"] == API_KEY


@pytest.mark.parametrize(
    ("range_", "expected_range", "values"),
    [
        ("Calendar!B2:C3", "Calendar!B2:C3", [["Bonjour", "approved"], ["", "draft"]]),
        ("Calendar!A2:A", "Calendar!A2:A1000", [["e1"], ["e2"]]),
        ("Calendar!C:C", "Calendar!C1:C1000", [["status"], ["approved"], ["draft"]]),
        ("Calendar!B1", "Calendar!B1:B1", [["text"]]),
        (
            "Calendar",
            "Calendar!A1:Z1000",
            [["entry_id", "text", "status"], ["e1", "Bonjour", "approved"], ["e2", "", "draft"]],
        ),
        ("A1:A2", "Calendar!A1:A2", [["entry_id"], ["e1"]]),
        ("'Notes d''été'!A1:B2", "'Notes d'été'!A1:B2", [["a", "b"], ["c"]]),
    ],
)
def test_a1_ranges(sheets, range_, expected_range, values):
    body = _get(sheets, range_)
    assert body["range"] == expected_range
    assert body["values"] == values


def test_empty_range_has_no_values_key(sheets):
    body = _get(sheets, "Calendar!A10:C20")
    _valid("ValueRange", body)
    assert "values" not in body


def test_columns_major_dimension(sheets):
    body = _get(sheets, "Calendar!A1:B3", majorDimension="COLUMNS")
    assert body["majorDimension"] == "COLUMNS"
    assert body["values"] == [["entry_id", "e1", "e2"], ["text", "Bonjour"]]


def test_spreadsheet_metadata(sheets):
    body = sheets.spreadsheets().get(spreadsheetId="calendar-demo").execute()
    _valid("Spreadsheet", body)
    assert [s["properties"]["title"] for s in body["sheets"]] == ["Calendar", "Notes d'été"]


def _error(call) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        call()
    return caught.value.status_code, json.loads(caught.value.content)["error"]


def test_unknown_spreadsheet_is_a_google_404(sheets):
    status, error = _error(
        lambda: sheets.spreadsheets().values().get(spreadsheetId="nope", range="A1").execute()
    )
    assert status == 404
    assert error["status"] == "NOT_FOUND" and error["message"] == "Requested entity was not found."


@pytest.mark.parametrize("range_", ["Missing!A1:B2", "Calendar!B2:A1", "Calendar!1A:2B"])
def test_bad_ranges_are_a_google_400(sheets, range_):
    status, error = _error(lambda: _get(sheets, range_))
    assert status == 400 and error["message"] == f"Unable to parse range: {range_}"


def test_api_key_checks(server):
    def client(key: str):
        return build(
            "sheets", "v4", developerKey=key,
            client_options={"api_endpoint": f"{server.url}/sheets/"},
            static_discovery=True, cache_discovery=False,
        )  # fmt: skip

    status, error = _error(lambda: _get(client("wrong"), "Calendar"))
    assert status == 400 and error["details"][0]["reason"] == "API_KEY_INVALID"
    # Without a key googleapiclient would look for Google credentials: ask without the client.
    anonymous = requests.get(
        f"{server.url}/sheets/v4/spreadsheets/calendar-demo/values/Calendar", timeout=5
    )
    assert (
        anonymous.status_code == 403 and anonymous.json()["error"]["status"] == "PERMISSION_DENIED"
    )
    with_token = requests.get(
        f"{server.url}/sheets/v4/spreadsheets/calendar-demo/values/Calendar",
        headers={"Authorization": "Bearer ya29.sandbox"},
        timeout=5,
    )
    assert with_token.status_code == 200


def test_faults_answer_like_google(sheets, server):
    server.sandbox.add_fault({"network": "sheets", "kind": "rate_limit"})
    status, error = _error(lambda: _get(sheets, "Calendar"))
    assert status == 429 and error["errors"][0]["reason"] == "rateLimitExceeded"
    server.sandbox.add_fault({"network": "sheets", "kind": "expired_token"})
    status, error = _error(lambda: _get(sheets, "Calendar"))
    assert status == 401 and error["status"] == "UNAUTHENTICATED"
    server.sandbox.add_fault({"network": "sheets", "kind": "server_error"})
    assert _error(lambda: _get(sheets, "Calendar"))[0] == 503


def test_connection_fits_socialops_google_plumbing(server):
    from socialops.networks.base import ConnectionSettings
    from socialops.networks.transport.google import build_service

    connection = SheetsEmulator.connection(server.url)
    settings = ConnectionSettings(
        conn_id="google_sheets_default", host=connection["host"], password=connection["password"]
    )
    service = build_service(settings, "sheets", "v4")
    body = (
        service.spreadsheets()
        .values()
        .get(spreadsheetId="calendar-demo", range="Calendar!A1:Z")
        .execute()
    )
    assert body["values"][1] == ["e1", "Bonjour", "approved"]


def test_a1_helpers():
    assert [column_number(c) for c in ("A", "Z", "AA", "AZ")] == [1, 26, 27, 52]
    assert [column_letters(n) for n in (1, 26, 27, 52)] == ["A", "Z", "AA", "AZ"]
    assert split_range("Calendar!A1:Z") == ("Calendar", "A1:Z")
    assert split_range("A1:B2") == (None, "A1:B2")
    assert split_range("Calendar") == ("Calendar", "")
