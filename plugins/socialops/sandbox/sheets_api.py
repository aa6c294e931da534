"""Google Sheets API v4, read side: ``spreadsheets.get`` and ``spreadsheets.values.get``.

googleapiclient built from its bundled ``sheets.v4.json`` with
``client_options={"api_endpoint": "<sandbox>/sheets/"}`` calls
``<sandbox>/sheets/v4/spreadsheets/{id}/values/{range}`` (the document's ``servicePath`` is
empty), so the real client works unchanged. Sheets come from ``world.sheets``
(spreadsheet id → sheet title → rows of strings), filled by the scenario's ``sheets:``.

Answers are shaped like Google's: a ``ValueRange`` whose trailing empty rows and cells are
left out, and errors as ``{"error": {"code", "message", "status", "errors", "details"}}``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from socialops.sandbox.google import google_error
from socialops.sandbox.server import Emulator, Refusal, Request, Response, route

API_KEY = "sandbox-api-key"
#: A new Google sheet has 1000 rows and 26 columns; ranges are clipped to the grid.
MIN_ROWS, MIN_COLUMNS = 1000, 26

_CELL = re.compile(r"^([A-Z]*)(\d*)$")


def sheets_error(status: int, state: str, message: str, reason: str) -> Refusal:
    """A refusal in Sheets v4's shape: canonical ``status`` and an ``ErrorInfo`` detail."""
    return Refusal(google_error(status, reason, message, state=state, error_info=True))


def column_number(letters: str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def split_range(a1: str) -> tuple[str | None, str]:
    """``'My sheet'!A1:B2`` → (``My sheet``, ``A1:B2``); a bare name is a whole sheet."""
    if "!" in a1:
        title, _, cells = a1.rpartition("!")
        if title.startswith("'") and title.endswith("'"):
            title = title[1:-1].replace("''", "'")
        return title, cells
    if re.fullmatch(r"[A-Z]*\d*(:[A-Z]*\d*)?", a1):
        return None, a1
    return a1.strip("'"), ""


class SheetsEmulator(Emulator):
    network = "sheets"
    conn_id = "google_sheets_default"

    @classmethod
    def connection(cls, base_url: str) -> dict[str, Any]:
        # socialops.networks.transport.google uses the host as googleapiclient's api_endpoint
        # and, with no OAuth extras, the password as the API key (header ``x-goog-api-key``).
        return {"conn_type": "google_sheets", "host": f"{base_url}/sheets", "password": API_KEY}

    def rate_limited(self, request, reset_at) -> Response:
        return sheets_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Read requests' and limit "
            "'Read requests per minute per user'.",
            "rateLimitExceeded",
        ).response

    def server_error(self, request: Request) -> Response:
        return sheets_error(
            503, "UNAVAILABLE", "The service is currently unavailable.", "backendError"
        ).response

    def expired_token(self, request: Request) -> Response:
        return self._unauthenticated().response

    @staticmethod
    def _unauthenticated() -> Refusal:
        return sheets_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential.",
            "authError",
        )

    def not_found(self, request: Request) -> Response:
        return sheets_error(
            404, "NOT_FOUND", f"No sandbox endpoint {request.method} {request.path}", "notFound"
        ).response

    def _authorize(self, request: Request) -> None:
        """An OAuth token not revoked, or the sandbox's API key (the ``x-goog-api-key``
        header, or ``?key=``, as Google takes both)."""
        token = request.bearer
        if token:
            if token in self.world.revoked_tokens:
                raise self._unauthenticated()
            return
        key = request.headers.get("x-goog-api-key") or request.arg("key")
        if key is None:
            raise sheets_error(
                403, "PERMISSION_DENIED", "The request is missing a valid API key.", "forbidden"
            )
        if key != API_KEY:
            raise sheets_error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                "API_KEY_INVALID",
            )

    def _spreadsheet(self, request: Request) -> dict[str, list[list[str]]]:
        self._authorize(request)
        spreadsheet = self.world.sheets.get(unquote(request.params["id"]))
        if spreadsheet is None:
            raise sheets_error(404, "NOT_FOUND", "Requested entity was not found.", "notFound")
        return spreadsheet

    @staticmethod
    def _grid(rows: list[list[str]]) -> tuple[int, int]:
        return max(MIN_ROWS, len(rows)), max(MIN_COLUMNS, max((len(r) for r in rows), default=0))

    @route("GET", r"/v4/spreadsheets/(?P<id>[^/]+)")
    def get_spreadsheet(self, request: Request) -> Response:
        spreadsheet = self._spreadsheet(request)
        sheets = []
        for index, (title, rows) in enumerate(spreadsheet.items()):
            row_count, column_count = self._grid(rows)
            sheets.append(
                {
                    "properties": {
                        "sheetId": index,
                        "title": title,
                        "index": index,
                        "sheetType": "GRID",
                        "gridProperties": {"rowCount": row_count, "columnCount": column_count},
                    }
                }
            )
        spreadsheet_id = unquote(request.params["id"])
        return Response(
            200,
            {
                "spreadsheetId": spreadsheet_id,
                "properties": {
                    "title": spreadsheet_id,
                    "locale": "fr_FR",
                    "timeZone": "Europe/Paris",
                },
                "sheets": sheets,
                "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit",
            },
        )

    @route("GET", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>[^/]+)")
    def get_values(self, request: Request) -> Response:
        spreadsheet = self._spreadsheet(request)
        a1 = unquote(request.params["range"])
        title, cells = split_range(a1)
        title = title if title is not None else next(iter(spreadsheet), "")
        rows = spreadsheet.get(title)
        bounds = _parse_cells(cells)
        if rows is None or bounds is None:
            raise sheets_error(
                400, "INVALID_ARGUMENT", f"Unable to parse range: {a1}", "badRequest"
            )
        row_count, column_count = self._grid(rows)
        first_col, first_row, last_col, last_row = bounds
        last_col = min(last_col or column_count, column_count)
        last_row = min(last_row or row_count, row_count)
        picked = [
            [str(cell) for cell in row[first_col - 1 : last_col]]
            for row in rows[first_row - 1 : last_row]
        ]
        dimension = (request.arg("majorDimension") or "ROWS").upper()
        if dimension not in ("ROWS", "COLUMNS"):
            raise sheets_error(
                400,
                "INVALID_ARGUMENT",
                f"Invalid value at 'major_dimension' ({dimension})",
                "badRequest",
            )
        if dimension == "COLUMNS":
            width = max((len(r) for r in picked), default=0)
            picked = [[r[i] if i < len(r) else "" for r in picked] for i in range(width)]
        values = _trim(picked)
        quoted = f"'{title}'" if re.search(r"[^A-Za-z0-9_]", title) else title
        body: dict[str, Any] = {
            "range": (
                f"{quoted}!{column_letters(first_col)}{first_row}:"
                f"{column_letters(last_col)}{last_row}"
            ),
            "majorDimension": dimension,
        }
        if values:
            body["values"] = values
        return Response(200, body)


def _parse_cells(cells: str) -> tuple[int, int, int | None, int | None] | None:
    """(first column, first row, last column, last row) of ``A1:C10`` / ``A:C`` / ``2:5`` / ``""``.

    A missing end means "to the edge of the grid" (None).
    """
    if not cells:
        return 1, 1, None, None
    start, _, end = cells.partition(":")
    start_match, end_match = _CELL.match(start), _CELL.match(end or start)
    if not start_match or not end_match or not start:
        return None
    first_col = column_number(start_match[1]) if start_match[1] else 1
    first_row = int(start_match[2]) if start_match[2] else 1
    last_col = column_number(end_match[1]) if end_match[1] else None
    last_row = int(end_match[2]) if end_match[2] else None
    if first_row < 1 or (last_row is not None and last_row < first_row):
        return None
    if last_col is not None and last_col < first_col:
        return None
    return first_col, first_row, last_col, last_row


def _trim(rows: list[list[str]]) -> list[list[str]]:
    """Drop trailing empty cells of each row, then trailing empty rows, like Google does."""
    trimmed = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] == "":
            end -= 1
        trimmed.append(row[:end])
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed
