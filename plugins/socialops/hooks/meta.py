"""Meta hooks: ``facebook_default`` → :class:`~socialops.networks.meta.FacebookAdapter` and
``instagram_default`` → :class:`~socialops.networks.meta.InstagramAdapter`.

Connection fields are documented in ``docs/networks/facebook.md`` and
``docs/networks/instagram.md``: the password is a Page access token; the extras
``page_id`` / ``ig_user_id`` pin the account (both optional) and ``api_version`` pins the
Graph API version.
"""

from __future__ import annotations

from socialops.hooks.base import SocialNetworkHook


class FacebookHook(SocialNetworkHook):
    network = "facebook"
    default_conn_name = "facebook_default"
    conn_type = "facebook"
    hook_name = "Facebook Page"


class InstagramHook(SocialNetworkHook):
    network = "instagram"
    default_conn_name = "instagram_default"
    conn_type = "instagram"
    hook_name = "Instagram professional account"
