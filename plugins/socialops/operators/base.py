"""What every network operator shares: its network, its connection, its hook."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

if TYPE_CHECKING:  # the hook pulls in the network layer: imported when a task runs
    from socialops.hooks.network import NetworkHook


class NetworkOperator(BaseOperator):
    """An operator bound to one network: one class per action, the network a parameter.

    :param network: x, youtube, facebook, instagram or linkedin (socialops.networks.registry).
    :param conn_id: the network's Airflow connection (default ``<network>_default``).
    """

    def __init__(self, *, network: str, conn_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        from socialops.networks.registry import spec

        self.network_name = spec(network).name
        self.conn_id = conn_id

    @cached_property
    def hook(self) -> NetworkHook:
        from socialops.hooks.network import NetworkHook

        return NetworkHook(self.network_name, conn_id=self.conn_id)
