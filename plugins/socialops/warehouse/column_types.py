"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back as a timezone-aware UTC datetime.

    PostgreSQL keeps the instant (``timestamptz``) but SQLite has no time zone type and
    SQLAlchemy's SQLite ``DATETIME`` silently drops ``tzinfo``; normalising on the way in
    and out makes both backends return the same values. A naive datetime is taken as UTC,
    which is what pandas produces for ``datetime64[ns]`` columns loaded from UTC sources.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        # SQLite would store the offset-less text anyway; dropping it explicitly keeps the
        # stored text uniform so string comparison and ordering in SQL stay correct.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: JSON documents (lists and dicts). JSONB on PostgreSQL because plain ``json`` has no
#: equality operator, which the upsert's ``IS DISTINCT FROM`` change detection needs.
#: Python ``None`` is SQL NULL (not the JSON ``null`` document) so "no value" reads the
#: same on both backends and in SQL (``IS NULL``).
JsonDocument = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
