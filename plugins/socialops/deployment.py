"""The socialops part of setting up a deployment: docker-compose.yml's ``airflow-init`` runs

    python -m socialops.deployment --pools-file /tmp/socialops-pools.json
    airflow pools import /tmp/socialops-pools.json

It migrates the warehouse (connection ``socialops_warehouse``) and writes one Airflow pool per
network, sized by the brand configuration, in the format of ``airflow pools import``. Both are
idempotent, so the set-up can run again after every upgrade or configuration change.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from socialops.config import BrandConfig, load_config

POOL_PREFIX = "socialops_"


def pool_name(network: str) -> str:
    """The Airflow pool that caps concurrent calls to ``network``."""
    return f"{POOL_PREFIX}{network}"


def airflow_pools(config: BrandConfig) -> dict[str, dict[str, object]]:
    """``airflow pools import`` content: one pool per network of ``publication.pools``."""
    return {
        pool_name(network): {
            "slots": slots,
            "description": f"socialops: concurrent {network} API calls (publication.pools)",
        }
        for network, slots in config.publication.pools.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pools-file", type=Path, required=True, help="where to write the pools to import"
    )
    args = parser.parse_args(argv)

    # Imported here: the pools need only the configuration, not SQLAlchemy and Alembic.
    from socialops.warehouse import ensure_schema

    pools = airflow_pools(load_config())
    ensure_schema()
    args.pools_file.write_text(json.dumps(pools, indent=2))
    print(f"warehouse migrated; {len(pools)} pools written to {args.pools_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
