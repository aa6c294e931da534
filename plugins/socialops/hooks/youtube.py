"""The YouTube hook: an Airflow connection in, a :class:`~socialops.networks.youtube.YouTubeAdapter` out.

Connection ``youtube_default`` (type ``youtube``): extras ``client_id``, ``client_secret``,
``refresh_token`` (OAuth user credentials with the youtube.upload, youtube.readonly and
yt-analytics.readonly scopes), optional ``token_uri``; or only the password as an API key for
public reads. See ``docs/networks/youtube.md``.
"""

from __future__ import annotations

from typing import Any

from socialops.hooks.base import SocialNetworkHook


class YouTubeHook(SocialNetworkHook):
    network = "youtube"
    default_conn_name = "youtube_default"
    conn_type = "youtube"
    hook_name = "YouTube"

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["schema", "port", "login"],
            "relabeling": {"host": "API endpoint (empty: Google)", "password": "API key (public reads only)"},
            "placeholders": {
                "extra": '{"client_id": "…", "client_secret": "…", "refresh_token": "…"}',
            },
        }
