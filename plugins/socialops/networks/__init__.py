"""Network adapters: one per network, one protocol (:class:`NetworkAdapter`), typed records.

>>> from socialops.networks import connect
>>> x = connect("x")                      # built from the Airflow connection 'x_default'
>>> x.post_metrics(["1460323737035677698"])
"""

from __future__ import annotations

from socialops.networks.base import ConnectionSettings, NetworkAdapter, batched
from socialops.networks.errors import (
    AuthError,
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    NotSupported,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from socialops.networks.idempotency import content_fingerprint, idempotency_key
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
from socialops.registry import load

#: network name → "module:AdapterClass", imported on first use so that a DAG file importing
#: socialops never pays for tweepy or googleapiclient at parse time.
ADAPTERS: dict[str, str] = {
    "x": "socialops.networks.x:XAdapter",
    "youtube": "socialops.networks.youtube:YouTubeAdapter",
    "facebook": "socialops.networks.meta:FacebookAdapter",
    "instagram": "socialops.networks.meta:InstagramAdapter",
    "linkedin": "socialops.networks.linkedin:LinkedInAdapter",
}


def adapter_class(network: str) -> type[NetworkAdapter]:
    return load(ADAPTERS, network, "network")


def build_adapter(network: str, settings: ConnectionSettings) -> NetworkAdapter:
    return adapter_class(network)(settings)


def connect(network: str, conn_id: str | None = None) -> NetworkAdapter:
    """The adapter for ``network`` built from an Airflow connection (default ``<network>_default``)."""
    from socialops.hooks import hook_for

    return hook_for(network)(conn_id=conn_id).get_adapter()


__all__ = [
    "ADAPTERS",
    "AccountMetrics",
    "AuthError",
    "CampaignSpend",
    "ConnectionSettings",
    "Draft",
    "DuplicateContent",
    "InvalidRequest",
    "Mention",
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
    "connect",
    "content_fingerprint",
    "idempotency_key",
]
