"""The YouTube hook: an Airflow connection in, a :class:`~socialops.networks.youtube.YouTubeAdapter` out.

Connection ``youtube_default`` (type ``youtube``): extras ``client_id``, ``client_secret``,
``refresh_token`` (OAuth user credentials with the youtube.upload, youtube.readonly and
yt-analytics.readonly scopes), optional ``token_uri``; or only the password as an API key for
public reads. See ``docs/networks/youtube.md``.
"""

from __future__ import annotations

from socialops.hooks.base import SocialNetworkHook


class YouTubeHook(SocialNetworkHook):
    network = "youtube"
    default_conn_name = "youtube_default"
    conn_type = "youtube"
    hook_name = "YouTube"
