"""socialops as an Airflow provider: its connection types and their form fields.

Installed as a distribution (``pyproject.toml``; ``make venv`` installs it editable, the
Dockerfile too), socialops registers through the ``apache_airflow_provider`` entry point
like any provider: the connection form of the Airflow UI then offers the five networks with
their own fields, and its "Test" button runs ``NetworkHook.test_connection``.

Airflow calls :func:`get_provider_info` when it discovers providers, in every component:
it imports nothing heavy. The fields are written here with their labels and help texts
(what a person reads in the form); ``tests/test_provider.py`` checks that they are exactly
the extras each adapter reads (its ``*Extras`` dataclass), so the form cannot drift.
"""

from __future__ import annotations

from typing import Any

from socialops import __version__
from socialops.networks.registry import SPECS


def _field(label: str, kind: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"label": label, "description": description, "schema": {"type": kind, **schema}}


def _secret(label: str, description: str) -> dict[str, Any]:
    return _field(label, "string", description, format="password")


#: The extras every network's connection may hold (``ConnectionExtras``).
COMMON_FIELDS: dict[str, dict[str, Any]] = {
    "timeout": _field("Timeout (s)", "number", "Seconds per HTTP request.", default=30.0),
    "max_attempts": _field(
        "Attempts",
        "integer",
        "Tries of a read before giving up (a write is never retried blindly).",
        default=4,
        minimum=1,
    ),
    "backoff_base": _field(
        "First backoff (s)",
        "number",
        "Wait before the second try; doubles each try.",
        default=1.0,
    ),
    "backoff_cap": _field("Longest backoff (s)", "number", "Cap of the doubling.", default=30.0),
    "max_sleep": _field(
        "Longest wait in a worker (s)",
        "number",
        "A rate limit asking for longer ends the task, which comes back after the reset.",
        default=60.0,
    ),
}

_GOOGLE = {
    "client_id": _field("OAuth client id", "string", "Google OAuth client of the channel owner."),
    "client_secret": _secret("OAuth client secret", "Of the same OAuth client."),
    "refresh_token": _secret(
        "Refresh token",
        "With the youtube.upload, youtube.readonly and yt-analytics.readonly scopes.",
    ),
    "token": _secret("Access token", "A current one (refreshed with the refresh token)."),
    "token_uri": _field(
        "Token URI", "string", "Google's by default.", default="https://oauth2.googleapis.com/token"
    ),
}
_META = {
    "page_id": _field("Page id", "string", "The Facebook Page; empty: the Page of the token."),
    "ig_user_id": _field(
        "Instagram account id", "string", "Empty: the Instagram account linked to the Page."
    ),
    "api_version": _field("Graph API version", "string", "e.g. v21.0.", default="v21.0"),
    "app_secret": _secret("App secret", "Signs every call (appsecret_proof)."),
    "usage_threshold": _field(
        "Slow down at usage (%)",
        "number",
        "Graph usage from which calls are spaced.",
        default=80.0,
    ),
    "media_base_url": _field(
        "Public media URL",
        "string",
        "Instagram fetches media by URL: where local files are served.",
        format="url",
    ),
    "container_wait": _field(
        "Container wait (s)", "number", "How long an Instagram container may take.", default=60.0
    ),
    "container_poll_interval": _field(
        "Container poll (s)", "number", "Between two checks of a container.", default=2.0
    ),
    "ad_account_id": _field(
        "Ad account id", "string", "For campaign spend (with or without act_)."
    ),
}

#: network → its own extras' form fields (besides :data:`COMMON_FIELDS`).
NETWORK_FIELDS: dict[str, dict[str, dict[str, Any]]] = {
    "x": {
        "consumer_key": _secret("API key", "OAuth 1.0a user context: needed to publish."),
        "consumer_secret": _secret("API key secret", "Of the same app."),
        "access_token": _secret("Access token", "Of the owned account."),
        "access_token_secret": _secret("Access token secret", "Of the owned account."),
        "media_wait": _field(
            "Video processing wait (s)",
            "number",
            "Before a post with video gives up.",
            default=120.0,
        ),
    },
    "youtube": {
        **_GOOGLE,
        "upload_chunksize": _field(
            "Upload chunk (bytes)", "integer", "A multiple of 256 KiB.", default=8 * 1024 * 1024
        ),
    },
    "facebook": _META,
    "instagram": _META,
    "linkedin": {
        "organization_urn": _field(
            "Organization",
            "string",
            "urn:li:organization:<id> or the id; empty: the only page the member administers.",
        ),
        "api_version": _field(
            "LinkedIn-Version", "string", "The versioned API's header.", default="202610"
        ),
    },
}

#: network → how the standard fields read in the form.
PASSWORD_LABELS = {
    "x": "Bearer token (app)",
    "youtube": "API key (public reads only; empty with OAuth)",
    "facebook": "Page access token",
    "instagram": "Page access token",
    "linkedin": "Access token (an administrator of the page)",
}


def connection_type(network: str) -> dict[str, Any]:
    spec = SPECS[network]
    return {
        "connection-type": spec.conn_type,
        "hook-class-name": f"socialops.hooks.network.{spec.display_name}Hook",
        "hook-name": f"{spec.display_name} (socialops)",
        "conn-fields": {**NETWORK_FIELDS[network], **COMMON_FIELDS},
        "ui-field-behaviour": {
            "hidden-fields": ["schema", "port", "login"],
            "relabeling": {"host": "API base URL", "password": PASSWORD_LABELS[network]},
            "placeholders": {"host": "empty: the network's real API"},
        },
    }


def get_provider_info() -> dict[str, Any]:
    """What Airflow's ProvidersManager reads (``provider_info.schema.json``)."""
    return {
        "package-name": "socialops",
        "name": "socialops",
        "description": "A community manager's routine: publication, metrics, listening, alerts.",
        "versions": [__version__],
        "connection-types": [connection_type(network) for network in SPECS],
    }
