"""The networks socialops knows: one :class:`~socialops.networks.spec.NetworkSpec` each.

Every list of networks in socialops derives from :data:`SPECS` — the configuration's
accepted names, the hook and operators' ``network=``, the calendar's rules, the pools, the
Slack display names, the sandbox emulators, the benchmark. Importing this module costs a
few dataclasses: DAG files use it at parse time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from socialops.networks.spec import ContentLimits, NetworkSpec
from socialops.registry import load

X = NetworkSpec(
    name="x",
    display_name="X",
    adapter="socialops.networks.x.adapter:XAdapter",
    emulator="socialops.sandbox.x_api:XEmulator",
    conn_type="x",
    lookback_days=7,
    limits=ContentLimits(
        max_length=280,
        length_counter="socialops.networks.x.limits:weighted_length",
        link_separator=" ",
        media_rule="socialops.networks.x.limits:media_problems",
    ),
)
YOUTUBE = NetworkSpec(
    name="youtube",
    display_name="YouTube",
    adapter="socialops.networks.youtube.adapter:YouTubeAdapter",
    emulator="socialops.sandbox.youtube_api:YouTubeEmulator",
    conn_type="youtube",
    lookback_days=3,
    limits=ContentLimits(
        max_length=5000,
        link_separator="\n\n",
        requires_media=("video",),
        published_media=1,
        requires_title=True,
        max_title=100,
        title_forbidden="<>",
    ),
)
FACEBOOK = NetworkSpec(
    name="facebook",
    display_name="Facebook",
    adapter="socialops.networks.meta.facebook:FacebookAdapter",
    emulator="socialops.sandbox.meta_api:FacebookEmulator",
    conn_type="facebook",
    lookback_days=28,
    limits=ContentLimits(max_length=63206, link="field"),
)
INSTAGRAM = NetworkSpec(
    name="instagram",
    display_name="Instagram",
    adapter="socialops.networks.meta.instagram:InstagramAdapter",
    emulator="socialops.sandbox.meta_api:InstagramEmulator",
    conn_type="instagram",
    lookback_days=28,
    limits=ContentLimits(max_length=2200, max_hashtags=30, requires_media=("image", "video")),
)
LINKEDIN = NetworkSpec(
    name="linkedin",
    display_name="LinkedIn",
    adapter="socialops.networks.linkedin.adapter:LinkedInAdapter",
    emulator="socialops.sandbox.linkedin_api:LinkedInEmulator",
    conn_type="linkedin",
    lookback_days=3,
    limits=ContentLimits(max_length=3000, link="field"),
)

#: network name → its spec, in the order networks are listed everywhere.
SPECS: Mapping[str, NetworkSpec] = {
    spec.name: spec for spec in (X, YOUTUBE, FACEBOOK, INSTAGRAM, LINKEDIN)
}
#: The network names, in order.
NETWORKS: tuple[str, ...] = tuple(SPECS)


def spec(network: str) -> NetworkSpec:
    """The spec of ``network``; an unknown name is a ValueError listing the known ones."""
    try:
        return SPECS[network]
    except KeyError:
        raise ValueError(
            f"unknown network {network!r}; expected one of {', '.join(NETWORKS)}"
        ) from None


def display_name(network: str) -> str:
    """How people read the network's name; an unknown name is shown as it is."""
    known = SPECS.get(network)
    return known.display_name if known else network


def load_attribute(network: str, kind: str) -> Any:
    """The spec's ``kind`` (``"adapter"`` or ``"emulator"``) class, imported on first use."""
    return load({network: getattr(spec(network), kind)}, network, "network")


__all__ = ["NETWORKS", "SPECS", "display_name", "load_attribute", "spec"]
