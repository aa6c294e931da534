"""Meta hooks: ``facebook_default`` → :class:`~socialops.networks.meta.FacebookAdapter` and
``instagram_default`` → :class:`~socialops.networks.meta.InstagramAdapter`.

Connection fields are documented in ``docs/networks/facebook.md`` and
``docs/networks/instagram.md``: the password is a Page access token; the extras
``page_id`` / ``ig_user_id`` pin the account (both optional) and ``api_version`` pins the
Graph API version.
"""

from __future__ import annotations

from typing import Any

from socialops.hooks.base import SocialNetworkHook


class _GraphHook(SocialNetworkHook):
    #: The extra that names the account, shown in the connection form.
    account_extra: str

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["schema", "port", "login"],
            "relabeling": {
                "host": "API base URL (empty for graph.facebook.com)",
                "password": "Page access token",
            },
            "placeholders": {
                "host": f"http://127.0.0.1:8800/{cls.network} for the sandbox",
                "extra": f'{{"{cls.account_extra}": "...", "api_version": "v21.0", "timeout": 30}}',
            },
        }


class FacebookHook(_GraphHook):
    network = "facebook"
    default_conn_name = "facebook_default"
    conn_type = "facebook"
    hook_name = "Facebook Page"
    account_extra = "page_id"


class InstagramHook(_GraphHook):
    network = "instagram"
    default_conn_name = "instagram_default"
    conn_type = "instagram"
    hook_name = "Instagram professional account"
    account_extra = "ig_user_id"
