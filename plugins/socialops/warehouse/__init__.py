"""The socialops warehouse: schema (:mod:`.models`), engine and migrations (:mod:`.engine`),
bulk upserts (:mod:`.upsert`). See ``docs/warehouse.md``."""

from socialops.warehouse.engine import (
    create_warehouse_engine,
    downgrade_schema,
    ensure_schema,
    get_engine,
    session_scope,
    transaction,
)
from socialops.warehouse.upsert import UpsertResult, raw_copy, upsert

__all__ = [
    "UpsertResult",
    "create_warehouse_engine",
    "downgrade_schema",
    "ensure_schema",
    "get_engine",
    "raw_copy",
    "session_scope",
    "transaction",
    "upsert",
]
