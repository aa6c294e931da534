"""The hook shared by every network: an Airflow connection in, a network adapter out.

In the style of Airflow's Slack provider: the constructor only stores settings, the adapter is
built lazily from the connection, secrets come only from the connection (password or named
extras) and are never logged.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from airflow.sdk import BaseHook

from socialops.networks import ConnectionSettings, NetworkAdapter, NetworkError, build_adapter


def settings_from_connection(conn: Any) -> ConnectionSettings:
    """Turn an Airflow ``Connection`` into adapter settings (see ``ConnectionSettings.from_json``)."""
    fields = {name: getattr(conn, name) for name in ("host", "login", "password", "schema", "port")}
    return ConnectionSettings.from_json({**fields, "extra": conn.extra_dejson}, conn.conn_id)


class SocialNetworkHook(BaseHook):
    """Base of the per-network hooks; subclasses only name their network and connection type.

    No connection-form customisation (``get_ui_field_behaviour``): Airflow reads it only from
    installed provider packages, which socialops is not; ``docs/networks/`` documents the fields.
    """

    network: ClassVar[str]
    conn_name_attr = "conn_id"
    default_conn_name: ClassVar[str]
    conn_type: ClassVar[str]
    hook_name: ClassVar[str]

    def __init__(self, conn_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.conn_id = conn_id or self.default_conn_name

    @cached_property
    def settings(self) -> ConnectionSettings:
        return settings_from_connection(self.get_connection(self.conn_id))

    @cached_property
    def adapter(self) -> NetworkAdapter:
        return build_adapter(self.network, self.settings)

    def get_adapter(self) -> NetworkAdapter:
        return self.adapter

    def get_conn(self) -> NetworkAdapter:
        return self.adapter

    def test_connection(self) -> tuple[bool, str]:
        try:
            profile = self.adapter.check()
        except NetworkError as exc:
            return False, str(exc)
        return True, f"connected to {self.network} as {profile.handle}"
