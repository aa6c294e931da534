"""Network adapters: one per network, one protocol (:class:`NetworkAdapter`), typed records.

Pure Python: nothing here imports Airflow (the hooks build adapters from connections).

>>> adapter = build_adapter("x", ConnectionSettings(password="bearer"))
>>> adapter.post_metrics(["1460323737035677698"])
"""

from __future__ import annotations

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
from socialops.networks.idempotency import content_fingerprint, idempotency_key
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
from socialops.networks.registry import NETWORKS, SPECS, load_attribute


def adapter_class(network: str) -> type[NetworkAdapter]:
    """The adapter class of ``network`` (from its spec), imported on first use so that a DAG
    file importing socialops never pays for tweepy or googleapiclient at parse time."""
    return load_attribute(network, "adapter")


def build_adapter(network: str, settings: ConnectionSettings) -> NetworkAdapter:
    return adapter_class(network)(settings)


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
    "PostMetrics",
    "Profile",
    "QuotaExceeded",
    "RateLimited",
    "Receipt",
    "TransientError",
    "adapter_class",
    "batched",
    "build_adapter",
    "content_fingerprint",
    "idempotency_key",
]
