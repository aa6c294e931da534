"""Bulk upserts into the warehouse that are no-ops when rerun.

``upsert(engine, "post_metrics_daily", rows)`` inserts new keys, rewrites rows whose values
changed and leaves every other row untouched, in one transaction. Rerunning the same load
reports ``inserted=0, updated=0``: no row is rewritten (on PostgreSQL no new row version,
no WAL, no trigger).

* PostgreSQL: the rows are COPYed into a temporary staging table, then merged with
  ``INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE SET ... WHERE (target) IS DISTINCT
  FROM (excluded)``; ``RETURNING (xmax = 0)`` tells inserted from updated rows.
* SQLite: ``executemany`` of the same ``INSERT ... ON CONFLICT DO UPDATE ... WHERE``, in
  chunks; existing keys are counted first, inside the same (immediate) transaction.

Values are normalised first, so a pandas DataFrame loads as-is: NaN, NaT and ``pd.NA``
become NULL, whole floats in integer columns become ints (pandas turns an int column with
a gap into floats), pandas/numpy scalars become Python values, ISO strings are accepted
for dates and timestamps, and naive timestamps are taken as UTC.

Bookkeeping columns (``extracted_at``...; see :mod:`.models`) are written with a real
change but a new stamp alone is not a change, so tasks may stamp rows with the current
time and stay idempotent.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    Integer,
    Table,
    UniqueConstraint,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import column as sql_column
from sqlalchemy.sql import table as sql_table

from socialops.warehouse.column_types import UtcDateTime
from socialops.warehouse.engine import transaction
from socialops.warehouse.models import Base

#: Rows per executemany batch on SQLite (and per existing-key count query).
DEFAULT_CHUNK_SIZE = 5_000
# SQLite's default cap on bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER).
_SQLITE_MAX_PARAMS = 32_766


class UpsertError(ValueError):
    """The rows cannot be loaded as given (the message names the table, row and column)."""


@dataclass(frozen=True)
class UpsertResult:
    """What one load did. ``inserted + updated + unchanged == received - duplicates``."""

    received: int  # rows given
    inserted: int  # new keys
    updated: int  # existing keys whose values changed
    unchanged: int  # existing keys already holding these values: not rewritten
    duplicates: int = 0  # rows dropped because a later row had the same key
    table: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A small JSON-able summary, fit for an XCom."""
        return asdict(self)


def upsert(
    engine: Engine | Connection,
    table: str | Table | type[Base],
    rows: Sequence[Mapping[str, Any]] | Any,
    *,
    key: Sequence[str] | None = None,
    update: Sequence[str] | None = None,
    compare: Sequence[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> UpsertResult:
    """Insert or update ``rows`` (a list of dicts or a pandas DataFrame) into ``table``.

    :param engine: an Engine (the load is one transaction) or a Connection (the load joins
        the caller's transaction, which the caller commits).
    :param table: a table name, a :class:`~sqlalchemy.Table` or a model class.
    :param key: the conflict columns; default the primary key. They must be the primary key
        or a unique constraint (e.g. ``("network", "handle")`` for ``accounts``), and every
        row needs a value for each.
    :param update: columns overwritten when the key exists; default every loaded non-key
        column. Leave a column out to keep its first value (e.g. ``first_seen_at``).
    :param compare: the columns whose change makes a row "updated"; default ``update``
        minus bookkeeping columns. When none differ, the row is not rewritten at all.
    :param chunk_size: rows per batch on SQLite.
    :raises UpsertError: unknown table or column, a key that is not unique, a row without
        a key value, rows with different columns, or a value of the wrong type.

    Rows with the same key are collapsed, the last one winning. All rows must have the same
    columns; columns not loaded keep their value (or get their default on insert).
    """
    target = resolve_table(table)
    batch = _Batch.prepare(target, rows)
    key_columns = _key_columns(target, key)
    if not batch.rows:
        return UpsertResult(0, 0, 0, 0, table=target.name)
    missing_keys = [name for name in key_columns if name not in batch.columns]
    if missing_keys:
        raise UpsertError(
            f"{target.name}: row 0 has no value for key column {missing_keys[0]!r} (no row "
            f"has that column); every row needs {list(key_columns)}"
        )
    update_columns = _checked_columns(
        target, "update", update, default=[c for c in batch.columns if c not in key_columns]
    )
    not_loaded = [name for name in update_columns if name not in batch.columns]
    if not_loaded:
        raise UpsertError(f"{target.name}: update column(s) {not_loaded} are not in the rows")
    compare_columns = _checked_columns(
        target,
        "compare",
        compare,
        default=[c for c in update_columns if not target.c[c].info.get("bookkeeping")],
    )
    received = len(batch.rows)
    batch.require_keys(key_columns)
    unique_rows = batch.deduplicated(key_columns)
    merge = _Merge(target, batch.columns, key_columns, update_columns, compare_columns)
    with transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            inserted, updated = merge.run_postgresql(connection, unique_rows)
        else:
            inserted, updated = merge.run_sqlite(connection, unique_rows, chunk_size)
    return UpsertResult(
        received=received,
        inserted=inserted,
        updated=updated,
        unchanged=len(unique_rows) - inserted - updated,
        duplicates=received - len(unique_rows),
        table=target.name,
    )


def raw_copy(
    engine: Engine | Connection,
    table: str | Table | type[Base],
    rows: Sequence[Mapping[str, Any]] | Any,
) -> int:
    """Append ``rows`` with a plain COPY (PostgreSQL) or executemany INSERT (SQLite).

    No conflict handling: a key already present fails the whole load. This is the speed
    baseline the benchmarks compare :func:`upsert` with. Returns the number of rows.
    """
    target = resolve_table(table)
    batch = _Batch.prepare(target, rows)
    if not batch.rows:
        return 0
    with transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            _copy_rows(
                connection,
                connection.dialect.identifier_preparer.format_table(target),
                target,
                batch.columns,
                batch.rows,
            )
        else:
            connection.execute(target.insert(), batch.as_dicts(batch.rows))
    return len(batch.rows)


def resolve_table(table: str | Table | type[Base]) -> Table:
    """The warehouse :class:`~sqlalchemy.Table` named or mapped by ``table``."""
    if isinstance(table, Table):
        return table
    if isinstance(table, str):
        try:
            return Base.metadata.tables[table]
        except KeyError:
            known = ", ".join(sorted(Base.metadata.tables))
            raise UpsertError(f"no warehouse table {table!r}; tables are: {known}") from None
    mapped = getattr(table, "__table__", None)
    if isinstance(mapped, Table):
        return mapped
    raise UpsertError(f"expected a table name, Table or model class, got {table!r}")


def _key_columns(target: Table, key: Sequence[str] | None) -> tuple[str, ...]:
    if key is None:
        return tuple(c.name for c in target.primary_key.columns)
    key_columns = tuple(_checked_columns(target, "key", key, default=[]))
    unique_sets = [{c.name for c in target.primary_key.columns}] + [
        {c.name for c in constraint.columns}
        for constraint in target.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    if set(key_columns) not in unique_sets:
        choices = " or ".join(str(sorted(s)) for s in unique_sets)
        raise UpsertError(
            f"{target.name}: key {list(key_columns)} is neither the primary key nor a unique "
            f"constraint, so conflicts on it cannot be detected; use {choices}"
        )
    return key_columns


def _checked_columns(
    target: Table, role: str, names: Sequence[str] | None, *, default: list[str]
) -> list[str]:
    if names is None:
        return default
    if isinstance(names, str):  # a lone name would otherwise be split into letters
        names = [names]
    unknown = [name for name in names if name not in target.c]
    if unknown:
        raise UpsertError(
            f"{target.name}: unknown {role} column(s) {unknown}; "
            f"columns are {list(target.c.keys())}"
        )
    return list(names)


class _Batch:
    """Rows as tuples in a fixed column order, with values normalised per column type."""

    def __init__(self, target: Table, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        self.target = target
        self.columns = columns
        self.rows = rows

    @classmethod
    def prepare(cls, target: Table, rows: Any) -> _Batch:
        columns, raw_rows = _columns_and_rows(target, rows)
        unknown = [name for name in columns if name not in target.c]
        if unknown:
            raise UpsertError(
                f"{target.name}: unknown column(s) {unknown}; columns are {list(target.c.keys())}"
            )
        converters = [_converter_for(target.c[name]) for name in columns]
        prepared = []
        for index, values in enumerate(raw_rows):
            row = []
            for name, convert, value in zip(columns, converters, values, strict=True):
                try:
                    row.append(convert(value))
                except (TypeError, ValueError) as exc:
                    raise UpsertError(
                        f"{target.name}: row {index}, column {name!r}: {exc}"
                    ) from None
            prepared.append(tuple(row))
        return cls(target, columns, prepared)

    def require_keys(self, key_columns: Sequence[str]) -> None:
        positions = [(name, self.columns.index(name)) for name in key_columns]
        for index, row in enumerate(self.rows):
            for name, position in positions:
                if row[position] is None:
                    raise UpsertError(
                        f"{self.target.name}: row {index} has no value for key column "
                        f"{name!r}; every row needs {list(key_columns)}"
                    )

    def deduplicated(self, key_columns: Sequence[str]) -> list[tuple[Any, ...]]:
        # One statement cannot touch a row twice (PostgreSQL refuses), and the last value
        # given for a key is the one the caller means.
        positions = [self.columns.index(name) for name in key_columns]
        latest = {tuple(row[p] for p in positions): row for row in self.rows}
        return list(latest.values())

    def as_dicts(self, rows: Iterable[tuple[Any, ...]]) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in rows]


def _columns_and_rows(target: Table, rows: Any) -> tuple[list[str], Iterable[Sequence[Any]]]:
    if hasattr(rows, "itertuples") and hasattr(rows, "columns"):  # a pandas DataFrame
        columns = [str(name) for name in rows.columns]
        if len(set(columns)) != len(columns):
            raise UpsertError(f"{target.name}: the DataFrame has duplicate column names")
        return columns, rows.itertuples(index=False, name=None)
    rows = list(rows)
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise UpsertError(f"{target.name}: row {index} is a {type(row).__name__}, not a dict")
    if not rows:
        return [], []
    columns = list(rows[0].keys())
    expected = set(columns)
    for index, row in enumerate(rows):
        if row.keys() != expected:
            missing = sorted(expected - row.keys())
            extra = sorted(row.keys() - expected)
            raise UpsertError(
                f"{target.name}: row {index} has different columns from row 0 "
                f"(missing {missing}, extra {extra}); give every row the same columns, "
                "with None where a value is unknown"
            )
    return columns, ([row[name] for name in columns] for row in rows)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):  # numpy.float64 included
        return math.isnan(value)
    # pandas' NaT and NA, recognised without importing pandas.
    return type(value).__name__ in {"NaTType", "NAType"}


# Exact types that need no normalisation: checked first because this runs for every value.
_READY_TYPES = frozenset({str, int, bool, Decimal, dict, list, date, datetime})


def _plain(value: Any) -> Any:
    if type(value) in _READY_TYPES:
        return value
    if _is_missing(value):
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def _to_int(value: Any) -> int | None:
    if type(value) is int:
        return value
    value = _plain(value)
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(f"expected an integer, got {value!r}")


def _to_datetime(value: Any) -> datetime | None:
    if type(value) is datetime:
        return value
    value = _plain(value)
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):  # pandas.Timestamp
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    raise ValueError(f"expected a datetime or ISO 8601 string, got {value!r}")


def _to_date(value: Any) -> date | None:
    if type(value) is date:
        return value
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, datetime):  # pandas.Timestamp included
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"expected a date or ISO 8601 string, got {value!r}")


def _converter_for(column: Column[Any]) -> Callable[[Any], Any]:
    if isinstance(column.type, UtcDateTime):
        return _to_datetime
    if isinstance(column.type, Date):
        return _to_date
    if isinstance(column.type, Integer):
        return _to_int
    return _plain


class _Merge:
    """The ``INSERT ... ON CONFLICT DO UPDATE ... WHERE changed`` statement of one load."""

    def __init__(
        self,
        target: Table,
        columns: list[str],
        key: Sequence[str],
        update: Sequence[str],
        compare: Sequence[str],
    ) -> None:
        self.target = target
        self.columns = columns
        self.key = list(key)
        self.update = list(update)
        # Nothing to compare means nothing can ever change: existing rows are left alone.
        self.compare = list(compare) if update else []

    def _on_conflict(self, statement: Any) -> Any:
        if not self.compare:
            return statement.on_conflict_do_nothing(index_elements=self.key)
        excluded = statement.excluded
        return statement.on_conflict_do_update(
            index_elements=self.key,
            set_={name: excluded[name] for name in self.update},
            where=or_(
                *(self.target.c[name].is_distinct_from(excluded[name]) for name in self.compare)
            ),
        )

    def run_postgresql(
        self, connection: Connection, rows: list[tuple[Any, ...]]
    ) -> tuple[int, int]:
        stage_name = f"socialops_stage_{uuid.uuid4().hex[:12]}"
        preparer = connection.dialect.identifier_preparer
        column_list = ", ".join(preparer.quote(name) for name in self.columns)
        # CREATE ... AS SELECT copies the column types but no constraint, so partial rows
        # (columns left to their defaults) do not trip NOT NULL in the staging table.
        connection.execute(
            text(
                f"CREATE TEMPORARY TABLE {stage_name} ON COMMIT DROP AS "
                f"SELECT {column_list} FROM {preparer.format_table(self.target)} WITH NO DATA"
            )
        )
        _copy_rows(connection, stage_name, self.target, self.columns, rows)
        stage = sql_table(stage_name, *(sql_column(name) for name in self.columns))
        statement = postgresql.insert(self.target).from_select(
            self.columns, select(*(stage.c[name] for name in self.columns))
        )
        # xmax is 0 on a freshly inserted row version and set on one written by an UPDATE.
        merged = (
            self._on_conflict(statement)
            .returning(literal_column("(xmax = 0)").label("was_inserted"))
            .cte("merged")
        )
        written, inserted = connection.execute(
            select(func.count(), func.count().filter(merged.c.was_inserted))
        ).one()
        connection.execute(text(f"DROP TABLE {stage_name}"))
        return inserted, written - inserted

    def run_sqlite(
        self, connection: Connection, rows: list[tuple[Any, ...]], chunk_size: int
    ) -> tuple[int, int]:
        statement = self._on_conflict(sqlite.insert(self.target))
        key_positions = [self.columns.index(name) for name in self.key]
        key_expression = tuple_(*(self.target.c[name] for name in self.key))
        chunk_size = max(1, min(chunk_size, _SQLITE_MAX_PARAMS // len(self.key)))
        inserted = written = 0
        for start in range(0, len(rows), chunk_size):
            chunk = rows[start : start + chunk_size]
            keys = [tuple(row[p] for p in key_positions) for row in chunk]
            existing = connection.execute(
                select(func.count()).select_from(self.target).where(key_expression.in_(keys))
            ).scalar_one()
            params = [dict(zip(self.columns, row, strict=True)) for row in chunk]
            # sqlite3's executemany rowcount sums the rows each statement changed; an
            # upsert whose WHERE is false changes none.
            changed = connection.execute(statement, params).rowcount
            inserted += len(chunk) - existing
            written += changed
        return inserted, written - inserted


def _copy_rows(
    connection: Connection,
    quoted_table: str,
    target: Table,
    columns: list[str],
    rows: Iterable[tuple[Any, ...]],
) -> None:
    """COPY ``rows`` into ``quoted_table`` through psycopg 3, on ``connection``'s transaction."""
    dialect = connection.dialect
    # The same conversions SQLAlchemy applies to bound parameters (UTC timestamps, JSONB
    # wrappers...), since COPY bypasses SQLAlchemy's statement execution.
    processors = [
        target.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    preparer = dialect.identifier_preparer
    column_list = ", ".join(preparer.quote(name) for name in columns)
    driver_connection = connection.connection.driver_connection
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {quoted_table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if process is None or value is None else process(value)
                        for process, value in zip(processors, row, strict=True)
                    ]
                )
