"""What the Google API emulators (YouTube, Sheets) share: Google's JSON error envelope."""

from __future__ import annotations

from typing import Any

from socialops.sandbox.server import Response


def google_error(
    status: int,
    reason: str,
    message: str,
    *,
    domain: str = "global",
    state: str | None = None,
    error_info: bool = False,
) -> Response:
    """``{"error": {"code", "message", "errors": [{reason}], "status"?, "details"?}}``.

    ``state`` is the canonical code (``NOT_FOUND``...); ``error_info`` adds the
    ``google.rpc.ErrorInfo`` detail that the newer APIs (Sheets v4) send beside ``errors``.
    """
    error: dict[str, Any] = {
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
    }
    if state:
        error["status"] = state
    if error_info:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
            }
        ]
    return Response(status, {"error": error})
