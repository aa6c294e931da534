"""The brand configuration: one YAML file, validated on load.

>>> from socialops.config import load_config
>>> cfg = load_config()            # $SOCIALOPS_CONFIG or include/config/socialops.yaml
>>> cfg.brand.timezone

The names below are imported on first use: DAG files import ``socialops.config.defaults``
and ``socialops.config.rules`` at parse time, which must not pay for the schema (pydantic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialops.registry import lazy_exports

if TYPE_CHECKING:
    from socialops.config.loader import ConfigError, config_path, load_config
    from socialops.config.schema import NETWORKS, BrandConfig

__getattr__ = lazy_exports(
    __name__,
    {
        "ConfigError": "socialops.config.loader",
        "config_path": "socialops.config.loader",
        "load_config": "socialops.config.loader",
        "BrandConfig": "socialops.config.schema",
        "NETWORKS": "socialops.config.schema",
    },
)


__all__ = ["NETWORKS", "BrandConfig", "ConfigError", "config_path", "load_config"]
