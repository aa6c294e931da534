"""Network adapters: one per network, one protocol (:class:`NetworkAdapter`), typed records.

Pure Python: nothing here imports Airflow (the hooks build adapters from connections).

>>> adapter = build_adapter("x", ConnectionSettings(password="bearer"))
>>> adapter.post_metrics(["1460323737035677698"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialops.registry import lazy_exports

if TYPE_CHECKING:
    from socialops.networks.base import ConnectionExtras, ConnectionSettings, NetworkAdapter
    from socialops.networks.errors import (
        AuthError,
        DuplicateContent,
        InvalidRequest,
        MisconfiguredConnection,
        NetworkError,
        NotSupported,
        OutcomeUnknown,
        QuotaExceeded,
        RateLimited,
        TransientError,
    )
    from socialops.networks.idempotency import PostContent, draft_content, idempotency_key
    from socialops.networks.paging import batched
    from socialops.networks.records import (
        AccountMetrics,
        CampaignSpend,
        Draft,
        Mention,
        Post,
        PostMetrics,
        Profile,
        Receipt,
    )
    from socialops.networks.registry import NETWORKS, SPECS


def adapter_class(network: str) -> type[NetworkAdapter]:
    """The adapter class of ``network`` (from its spec), imported on first use so that a DAG
    file importing socialops never pays for tweepy or googleapiclient at parse time."""
    from socialops.networks.registry import load_attribute

    return load_attribute(network, "adapter")


def build_adapter(network: str, settings: ConnectionSettings) -> NetworkAdapter:
    return adapter_class(network)(settings)


#: The names below are imported on first use: DAG files import ``socialops.networks.registry``
#: (plain data) at parse time, which must not pay for the records and the protocol.
__getattr__ = lazy_exports(
    __name__,
    {
        "ConnectionExtras": "socialops.networks.base",
        "ConnectionSettings": "socialops.networks.base",
        "NetworkAdapter": "socialops.networks.base",
        "AuthError": "socialops.networks.errors",
        "DuplicateContent": "socialops.networks.errors",
        "InvalidRequest": "socialops.networks.errors",
        "MisconfiguredConnection": "socialops.networks.errors",
        "NetworkError": "socialops.networks.errors",
        "NotSupported": "socialops.networks.errors",
        "OutcomeUnknown": "socialops.networks.errors",
        "QuotaExceeded": "socialops.networks.errors",
        "RateLimited": "socialops.networks.errors",
        "TransientError": "socialops.networks.errors",
        "PostContent": "socialops.networks.idempotency",
        "draft_content": "socialops.networks.idempotency",
        "idempotency_key": "socialops.networks.idempotency",
        "batched": "socialops.networks.paging",
        "AccountMetrics": "socialops.networks.records",
        "CampaignSpend": "socialops.networks.records",
        "Draft": "socialops.networks.records",
        "Mention": "socialops.networks.records",
        "Post": "socialops.networks.records",
        "PostMetrics": "socialops.networks.records",
        "Profile": "socialops.networks.records",
        "Receipt": "socialops.networks.records",
        "NETWORKS": "socialops.networks.registry",
        "SPECS": "socialops.networks.registry",
    },
)


__all__ = [
    "NETWORKS",
    "SPECS",
    "AccountMetrics",
    "AuthError",
    "CampaignSpend",
    "ConnectionExtras",
    "ConnectionSettings",
    "Draft",
    "DuplicateContent",
    "InvalidRequest",
    "Mention",
    "MisconfiguredConnection",
    "NetworkAdapter",
    "NetworkError",
    "NotSupported",
    "OutcomeUnknown",
    "Post",
    "PostContent",
    "PostMetrics",
    "Profile",
    "QuotaExceeded",
    "RateLimited",
    "Receipt",
    "TransientError",
    "adapter_class",
    "batched",
    "build_adapter",
    "draft_content",
    "idempotency_key",
]
