"""The brand configuration: one YAML file, validated on load.

>>> from socialops.config import load_config
>>> cfg = load_config()            # $SOCIALOPS_CONFIG or include/config/socialops.yaml
>>> cfg.brand.timezone
"""

from socialops.config.loader import ConfigError, config_path, load_config
from socialops.config.schema import NETWORKS, BrandConfig

__all__ = ["NETWORKS", "BrandConfig", "ConfigError", "config_path", "load_config"]
