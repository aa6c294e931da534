"""The X (Twitter) hook: Airflow connection ``x_default`` → :class:`socialops.networks.x.XAdapter`.

Connection fields are documented in ``docs/networks/x.md`` and :mod:`socialops.networks.x`:
the password is the app's bearer token, the extras ``consumer_key``, ``consumer_secret``,
``access_token`` and ``access_token_secret`` the owned account's OAuth 1.0a user context.
"""

from __future__ import annotations

from typing import Any

from socialops.hooks.base import SocialNetworkHook


class XHook(SocialNetworkHook):
    network = "x"
    default_conn_name = "x_default"
    conn_type = "x"
    hook_name = "X (Twitter)"

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["schema", "port"],
            "relabeling": {
                "host": "API base URL (empty for api.twitter.com)",
                "login": "Owned account handle",
                "password": "Bearer token",
            },
            "placeholders": {
                "host": "http://127.0.0.1:8800/x for the sandbox",
                "extra": '{"consumer_key": "...", "consumer_secret": "...", '
                '"access_token": "...", "access_token_secret": "...", "timeout": 30}',
            },
        }
