"""Airflow hooks, one per network: connection → adapter (``hook.get_adapter()``)."""

from __future__ import annotations

from socialops.hooks.base import SocialNetworkHook, settings_from_connection
from socialops.registry import load

#: network → "module:HookClass", imported lazily like the adapters.
HOOKS: dict[str, str] = {
    "x": "socialops.hooks.x:XHook",
    "youtube": "socialops.hooks.youtube:YouTubeHook",
    "facebook": "socialops.hooks.meta:FacebookHook",
    "instagram": "socialops.hooks.meta:InstagramHook",
    "linkedin": "socialops.hooks.linkedin:LinkedInHook",
}


def hook_for(network: str) -> type[SocialNetworkHook]:
    return load(HOOKS, network, "network")


__all__ = ["HOOKS", "SocialNetworkHook", "hook_for", "settings_from_connection"]
