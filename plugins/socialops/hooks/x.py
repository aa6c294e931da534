"""The X (Twitter) hook: Airflow connection ``x_default`` → :class:`socialops.networks.x.XAdapter`.

Connection fields are documented in ``docs/networks/x.md`` and :mod:`socialops.networks.x`:
the password is the app's bearer token, the extras ``consumer_key``, ``consumer_secret``,
``access_token`` and ``access_token_secret`` the owned account's OAuth 1.0a user context.
"""

from __future__ import annotations

from socialops.hooks.base import SocialNetworkHook


class XHook(SocialNetworkHook):
    network = "x"
    default_conn_name = "x_default"
    conn_type = "x"
    hook_name = "X (Twitter)"
