"""Airflow hooks, one per network: connection → adapter (``hook.get_adapter()``)."""

from __future__ import annotations

import importlib

from socialops.hooks.base import SocialNetworkHook, settings_from_connection

#: network → "module:HookClass", imported lazily like the adapters.
HOOKS: dict[str, str] = {
    "x": "socialops.hooks.x:XHook",
    "youtube": "socialops.hooks.youtube:YouTubeHook",
    "facebook": "socialops.hooks.meta:FacebookHook",
    "instagram": "socialops.hooks.meta:InstagramHook",
    "linkedin": "socialops.hooks.linkedin:LinkedInHook",
}


def hook_for(network: str) -> type[SocialNetworkHook]:
    try:
        target = HOOKS[network]
    except KeyError:
        raise ValueError(f"unknown network {network!r}; expected one of {', '.join(HOOKS)}") from None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


__all__ = ["HOOKS", "SocialNetworkHook", "hook_for", "settings_from_connection"]
