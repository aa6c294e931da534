"""The one hook of every network: an Airflow connection in, a network adapter out.

In the style of Airflow's Slack provider: the constructor only stores settings, the adapter is
built lazily from the connection, secrets come only from the connection (password or named
extras) and are never logged. The network is a parameter (``NetworkHook("x")``): what differs
between networks is their :class:`~socialops.networks.spec.NetworkSpec` and adapter, not
the hook.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from airflow.sdk import BaseHook

from socialops.networks import ConnectionSettings, NetworkAdapter, NetworkError, build_adapter
from socialops.networks.registry import SPECS, spec


def settings_from_connection(conn: Any) -> ConnectionSettings:
    """Turn an Airflow ``Connection`` into adapter settings (see
    ``ConnectionSettings.from_json``)."""
    fields = {name: getattr(conn, name) for name in ("host", "login", "password", "schema", "port")}
    settings = ConnectionSettings.from_json({**fields, "extra": conn.extra_dejson}, conn.conn_id)
    mask_connection_secrets(settings)
    return settings


def mask_connection_secrets(settings: ConnectionSettings) -> None:
    """Register each secret of a connection with Airflow's secrets masker, so that no task log
    line shows it. Airflow masks the password and the extra as one JSON text only: a token
    inside the extra, quoted alone (an error, a URL), would show."""
    from airflow.sdk.log import mask_secret

    for value in settings.secrets():
        mask_secret(value)


class NetworkHook(BaseHook):
    """The adapter of ``network`` built from the Airflow connection ``conn_id``.

    :param network: x, youtube, facebook, instagram or linkedin (socialops.networks.registry).
    :param conn_id: the Airflow connection; default ``<network>_default``.
    """

    conn_name_attr = "conn_id"
    default_conn_name = "x_default"
    conn_type = "x"
    hook_name = "socialops network"

    def __init__(self, network: str, conn_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.spec = spec(network)
        self.network = network
        self.conn_id = conn_id or self.spec.default_conn_id

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
        return True, f"connected to {self.spec.display_name} as {profile.handle}"


def _bound_hook(network: str) -> type[NetworkHook]:
    """``NetworkHook`` bound to one network, for Airflow's provider registry.

    Airflow registers a connection type by a hook *class* (its ``conn_type``, ``hook_name``,
    ``default_conn_name`` and a ``conn_id``-only constructor: the UI's "Test" button builds
    ``hook_class(conn_id=...)``), so each network's is derived from its spec here, never
    written by hand. Code calls ``NetworkHook(network)``.
    """
    network_spec = spec(network)

    def __init__(self: NetworkHook, conn_id: str | None = None, **kwargs: Any) -> None:
        NetworkHook.__init__(self, network, conn_id, **kwargs)

    return type(
        f"{network_spec.display_name}Hook",
        (NetworkHook,),
        {
            "__init__": __init__,
            "__module__": __name__,
            "__doc__": f"The {network_spec.display_name} connection's hook (see NetworkHook).",
            "conn_type": network_spec.conn_type,
            "default_conn_name": network_spec.default_conn_id,
            "hook_name": f"{network_spec.display_name} (socialops)",
        },
    )


#: network → its hook class, as the provider registers them (``socialops.provider``).
NETWORK_HOOKS: dict[str, type[NetworkHook]] = {name: _bound_hook(name) for name in SPECS}
globals().update({hook.__name__: hook for hook in NETWORK_HOOKS.values()})


def connect(network: str, conn_id: str | None = None) -> NetworkAdapter:
    """The adapter of ``network`` from an Airflow connection (default ``<network>_default``)."""
    return NetworkHook(network, conn_id).get_adapter()
