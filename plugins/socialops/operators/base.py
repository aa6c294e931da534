"""What every per-network operator shares: its network, its connection, its hook."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar, TypeVar

from airflow.sdk import BaseOperator

from socialops.hooks import SocialNetworkHook, hook_for

OperatorT = TypeVar("OperatorT", bound="NetworkOperator")


class NetworkOperator(BaseOperator):
    """An operator bound to one network. Subclasses per network only set ``network``.

    :param network: x, youtube, facebook, instagram or linkedin (set by the subclasses).
    :param conn_id: the network's Airflow connection (default ``<network>_default``).
    """

    network: ClassVar[str | None] = None

    def __init__(self, *, network: str | None = None, conn_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        resolved = network or self.network
        if not resolved:
            raise ValueError(f"{type(self).__name__} needs a network (x, youtube, ...)")
        self.network_name = resolved
        self.conn_id = conn_id

    @cached_property
    def hook(self) -> SocialNetworkHook:
        return hook_for(self.network_name)(conn_id=self.conn_id)


def by_network(*operators: type[OperatorT]) -> dict[str, type[OperatorT]]:
    """network → operator class, for DAGs that fan out over every network."""
    return {cls.network: cls for cls in operators if cls.network}
