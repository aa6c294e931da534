"""Bulk upserts into the warehouse that are no-ops when rerun.

``upsert(engine, "post_metrics_daily", rows)`` inserts new keys, rewrites rows whose values
changed and leaves every other row untouched, in one transaction. Rerunning the same load
reports ``inserted=0, updated=0``: no row is rewritten (on PostgreSQL no new row version,
no WAL, no trigger).

* PostgreSQL: when neither the first nor the last row's key is in the table (a load of
  new rows, such as a night's snapshots), the rows are COPYed straight into it inside a
  savepoint; a key found there after all rolls that back to the staged merge. The staged
  merge COPYs the rows into a temporary table (analysed, so the planner joins it by hash or
  by index as its size says) and counts, in one join, the staged keys found in the table
  and those whose values differ. Only then, and only if needed: ``INSERT ... SELECT`` the
  keys not in the table (``ON CONFLICT ... DO UPDATE ... WHERE`` changed, for a row a
  concurrent load inserted meanwhile; ``RETURNING (xmax = 0)`` tells its inserts from its
  updates), and ``UPDATE ... FROM`` the rows whose compared values are ``IS DISTINCT FROM``
  the stored ones. Unchanged rows are only read: no row version, no row lock; a rerun that
  changes nothing runs no write statement. These statements run with a larger
  ``work_mem`` and without memoized probes (:func:`_set_merge_settings`), put back after.
  The daily fact tables keep room on their pages (``REWRITTEN_IN_PLACE``), so a changed
  row's new version is written without index entries (a HOT update).
* SQLite: sqlite3's own ``executemany`` of the same ``INSERT ... ON CONFLICT DO UPDATE ...
  WHERE`` (compiled once, values converted a column at a time), in chunks; the keys already
  there are counted first, through a temporary table of the batch's keys joined on the key
  index, inside the same (immediate) transaction.

Values are normalised first, so a pandas DataFrame loads as-is: NaN, NaT and ``pd.NA``
become NULL, whole floats in integer columns become ints (pandas turns an int column with
a gap into floats), pandas/numpy scalars become Python values, ISO strings are accepted
for dates and timestamps, and naive timestamps are taken as UTC. A DataFrame's numeric,
string and ``datetime64`` columns are converted a column at a time by pandas and numpy;
other columns (objects: dates, JSON documents, mixed values) value by value.

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
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal,
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

#: Rows per executemany batch on SQLite.
DEFAULT_CHUNK_SIZE = 5_000
#: ``work_mem`` of the staged merge's statements on PostgreSQL (raised, never lowered, for
#: the load alone). At the server's default of 4 MB the hash join of a 200,000-row load with
#: the table spills to temporary files in 4 batches.
MERGE_WORK_MEM = "64MB"
#: Rows from which the staged merge sets its planner settings (:func:`_set_merge_settings`);
#: a smaller load is probed by index, where neither setting changes the plan.
MERGE_SETTINGS_FROM = 5_000


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
    if not batch.count:
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
    received = batch.count
    batch.require_keys(key_columns)
    unique = batch.deduplicated(key_columns)
    merge = _Merge(target, batch.columns, key_columns, update_columns, compare_columns)
    with transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            inserted, updated = merge.run_postgresql(connection, unique)
        else:
            inserted, updated = merge.run_sqlite(connection, unique, chunk_size)
    return UpsertResult(
        received=received,
        inserted=inserted,
        updated=updated,
        unchanged=unique.count - inserted - updated,
        duplicates=received - unique.count,
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
    if not batch.count:
        return 0
    with transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            quoted = connection.dialect.identifier_preparer.format_table(target)
            _copy_columns(connection, quoted, target, batch.columns, batch.by_column)
        else:
            connection.execute(target.insert(), batch.as_dicts())
    return batch.count


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
    """Rows in a fixed column order, with values normalised per column type.

    Held as row tuples (``rows``) or column by column (``by_column``), whichever the input
    gave, the other built on first use: a DataFrame goes to COPY column by column without
    ever being turned into rows.
    """

    def __init__(
        self,
        target: Table,
        columns: list[str],
        *,
        rows: list[tuple[Any, ...]] | None = None,
        by_column: list[Sequence[Any]] | None = None,
        count: int | None = None,
    ) -> None:
        self.target = target
        self.columns = columns
        self._rows = rows
        self._by_column = by_column
        self.count = count if count is not None else len(rows if rows is not None else [])

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        if self._rows is None:
            by_column = self._by_column or []
            self._rows = list(zip(*by_column, strict=True)) if by_column else [()] * self.count
        return self._rows

    @property
    def by_column(self) -> list[Sequence[Any]]:
        if self._by_column is None:
            self._by_column = list(zip(*self.rows, strict=True)) or [() for _ in self.columns]
        return self._by_column

    @classmethod
    def prepare(cls, target: Table, rows: Any) -> _Batch:
        if _is_frame(rows):
            return cls._from_frame(target, rows)
        columns, raw_rows = _columns_and_rows(target, rows)
        _check_known(target, columns)
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
        return cls(target, columns, rows=prepared)

    @classmethod
    def _from_frame(cls, target: Table, frame: Any) -> _Batch:
        columns = [str(name) for name in frame.columns]
        if len(set(columns)) != len(columns):
            raise UpsertError(f"{target.name}: the DataFrame has duplicate column names")
        _check_known(target, columns)
        values: list[Sequence[Any]] = [
            _frame_column(target, name, frame.iloc[:, position])
            for position, name in enumerate(columns)
        ]
        return cls(target, columns, by_column=values, count=len(frame))

    def require_keys(self, key_columns: Sequence[str]) -> None:
        for name in key_columns:
            values = self.by_column[self.columns.index(name)]
            if None in values:  # a scan in C; the normalised values have no NaN left
                raise UpsertError(
                    f"{self.target.name}: row {list(values).index(None)} has no value for key "
                    f"column {name!r}; every row needs {list(key_columns)}"
                )

    def deduplicated(self, key_columns: Sequence[str]) -> _Batch:
        """The batch without the rows whose key a later row repeats (itself if none)."""
        # One statement cannot touch a row twice (PostgreSQL refuses), and the last value
        # given for a key is the one the caller means.
        keys = zip(*(self.by_column[self.columns.index(name)] for name in key_columns), strict=True)
        latest = dict(zip(keys, range(self.count), strict=True))
        if len(latest) == self.count:
            return self
        rows = self.rows
        kept = [rows[index] for index in latest.values()]
        return _Batch(self.target, self.columns, rows=kept)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _is_frame(rows: Any) -> bool:
    return hasattr(rows, "itertuples") and hasattr(rows, "columns")  # a pandas DataFrame


def _check_known(target: Table, columns: list[str]) -> None:
    unknown = [name for name in columns if name not in target.c]
    if unknown:
        raise UpsertError(
            f"{target.name}: unknown column(s) {unknown}; columns are {list(target.c.keys())}"
        )


def _frame_column(target: Table, name: str, series: Any) -> list[Any]:
    """One DataFrame column's values, normalised like the converters do value by value."""
    convert = _converter_for(target.c[name])
    values = _vectorised(convert, series)
    if values is not None:
        return values
    objects = series.to_numpy(dtype=object)
    # A column of values already of the converter's exact type (dates in a date column)
    # or None is returned as it is: one scan in C instead of a call per value.
    if set(map(type, objects)) <= _ALREADY_CONVERTED.get(convert, set()):
        return objects.tolist()
    try:
        return [convert(value) for value in objects]
    except (TypeError, ValueError):
        pass
    for index, value in enumerate(objects):  # find the row to name
        try:
            convert(value)
        except (TypeError, ValueError) as exc:
            raise UpsertError(f"{target.name}: row {index}, column {name!r}: {exc}") from None
    raise AssertionError("unreachable: a conversion failed, then succeeded")  # pragma: no cover


def _vectorised(convert: Callable[[Any], Any], series: Any) -> list[Any] | None:
    """The column converted by pandas and numpy at once, or None when its values need the
    converter one by one (object columns, floats that are not whole in an integer column)."""
    import numpy as np
    import pandas as pd

    kind = series.dtype.kind
    if kind == "M" and convert in (_to_date, _to_datetime):
        if convert is _to_date:
            converted = np.array(series.dt.date, dtype=object)  # a copy: written below
        else:
            converted = np.array(series.array.to_pydatetime(), dtype=object)
        converted[series.isna().to_numpy()] = None  # NaT
        return converted.tolist()
    if kind == "f" and convert is _to_int:
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(numbers)
        given = numbers[present]
        if not (np.array_equal(given, np.trunc(given)) and (np.abs(given) < 2**63).all()):
            return None  # the per-value path names the row that is not a whole number
        whole = np.where(present, numbers, 0).astype(np.int64).astype(object)
        whole[~present] = None
        return whole.tolist()
    if (kind in "iub" and convert in (_to_int, _plain)) or (kind == "f" and convert is _plain):
        return series.to_numpy(dtype=object, na_value=None).tolist()
    if convert is _plain and (
        isinstance(series.dtype, pd.StringDtype)
        or (kind == "O" and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"))
    ):
        return series.to_numpy(dtype=object, na_value=None).tolist()
    return None


def _columns_and_rows(target: Table, rows: Any) -> tuple[list[str], Iterable[Sequence[Any]]]:
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


#: The exact types each converter returns unchanged (None included): see _frame_column.
_ALREADY_CONVERTED: dict[Callable[[Any], Any], set[type]] = {
    _to_int: {int, type(None)},
    _to_date: {date, type(None)},
    _to_datetime: {datetime, type(None)},
    _plain: set(_READY_TYPES) | {type(None)},
}


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

    def run_postgresql(self, connection: Connection, batch: _Batch) -> tuple[int, int]:
        if self._all_new_postgresql(connection, batch):
            return batch.count, 0
        # Small stages are probed through the index row by row whatever the settings.
        held = _set_merge_settings(connection) if batch.count >= MERGE_SETTINGS_FROM else None
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
        _copy_columns(connection, stage_name, self.target, self.columns, batch.by_column)
        # Without statistics the planner takes a temporary table for small and probes the
        # target's index once per row; with them it hashes a large stage instead.
        connection.execute(text(f"ANALYZE {stage_name}"))
        stage = sql_table(stage_name, *(sql_column(name) for name in self.columns))
        same_key = and_(*(self.target.c[name] == stage.c[name] for name in self.key))
        changed = (
            or_(*(self.target.c[name].is_distinct_from(stage.c[name]) for name in self.compare))
            if self.compare
            else literal(False)
        )
        # One join tells what the load needs: a rerun (nothing missing, nothing changed)
        # writes nothing and runs neither statement below, each of which joins again. An
        # inner join, which the planner hashes (an outer one it probes row by row).
        matched, differing = connection.execute(
            select(func.count(), func.count().filter(changed)).select_from(
                stage.join(self.target, same_key)
            )
        ).one()
        missing = batch.count - matched
        inserted = updated = 0
        if missing:
            inserted, updated = self._insert_missing(connection, stage, same_key)
        if differing:
            # UPDATE ... FROM joins once; ON CONFLICT DO UPDATE would lock every existing
            # row, changed or not, and costs about twice as much per changed row. After the
            # INSERT above, the rows it wrote are equal here and left alone.
            updated += connection.execute(
                self.target.update()
                .values({name: stage.c[name] for name in self.update})
                .where(same_key, changed)
            ).rowcount
        connection.execute(text(f"DROP TABLE {stage_name}"))
        if held is not None:
            _restore_settings(connection, held)
        return inserted, updated

    def _insert_missing(self, connection: Connection, stage: Any, same_key: Any) -> tuple[int, int]:
        """INSERT the staged rows whose key is not in the table: (inserted, updated), the
        updates being keys a concurrent load inserted after this statement's snapshot."""
        statement = postgresql.insert(self.target).from_select(
            self.columns,
            select(*(stage.c[name] for name in self.columns)).where(~exists().where(same_key)),
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
        return inserted, written - inserted

    def _all_new_postgresql(self, connection: Connection, batch: _Batch) -> bool:
        """COPY the batch straight into the table if none of their keys is there; False (and
        nothing written) when one is.

        Probing the first and last keys sends a load of existing rows (a rerun, a late
        update) to the merge at once; a load whose probe misses but holds a known key
        costs one COPY rolled back to its savepoint.
        """
        from psycopg.errors import UniqueViolation

        key_expression = tuple_(*(self.target.c[name] for name in self.key))
        key_values = [batch.by_column[self.columns.index(name)] for name in self.key]
        probes = {tuple(values[at] for values in key_values) for at in (0, batch.count - 1)}
        # Cast like COPY would: a value may be given as another type (17 for a text id).
        wanted = [
            tuple_(
                *(
                    cast(literal(value), self.target.c[name].type)
                    for name, value in zip(self.key, probe_key, strict=True)
                )
            )
            for probe_key in probes
        ]
        probe = select(exists().where(key_expression.in_(wanted)))
        if connection.execute(probe).scalar_one():
            return False
        quoted = connection.dialect.identifier_preparer.format_table(self.target)
        try:
            with connection.begin_nested():
                _copy_columns(connection, quoted, self.target, self.columns, batch.by_column)
        except UniqueViolation:
            return False
        return True

    def run_sqlite(self, connection: Connection, batch: _Batch, chunk_size: int) -> tuple[int, int]:
        """The upsert statement through sqlite3's own ``executemany`` of the processed rows
        (compiled once; no per-row parameter building), after counting the keys already in
        the table through a temporary table of the batch's keys joined on the key index."""
        statement = self._on_conflict(
            sqlite.insert(self.target).values({name: bindparam(name) for name in self.columns})
        )
        compiled = statement.compile(dialect=connection.dialect)
        by_column = dict(
            zip(
                self.columns,
                _processed(connection, self.target, self.columns, batch.by_column),
                strict=True,
            )
        )
        rows = list(zip(*(by_column[name] for name in compiled.positiontup or []), strict=True))
        existing = self._count_existing_sqlite(connection, [by_column[name] for name in self.key])
        written = 0
        for start in range(0, len(rows), max(1, chunk_size)):
            # sqlite3's executemany rowcount sums the rows each statement changed; an
            # upsert whose WHERE is false changes none.
            written += connection.exec_driver_sql(
                str(compiled), rows[start : start + chunk_size]
            ).rowcount
        inserted = batch.count - existing
        return inserted, written - inserted

    def _count_existing_sqlite(self, connection: Connection, keys: list[Sequence[Any]]) -> int:
        """How many of the keys (given column by column, bound values) are in the table."""
        stage = f"socialops_keys_{uuid.uuid4().hex[:12]}"
        names = [f"k{n}" for n in range(len(self.key))]
        connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {stage} ({', '.join(names)})")
        marks = ", ".join("?" for _ in names)
        connection.exec_driver_sql(
            f"INSERT INTO {stage} VALUES ({marks})", list(zip(*keys, strict=True))
        )
        preparer = connection.dialect.identifier_preparer
        same = " AND ".join(
            f"t.{preparer.quote(column)} = s.{name}"
            for column, name in zip(self.key, names, strict=True)
        )
        existing = connection.exec_driver_sql(
            f"SELECT count(*) FROM {stage} AS s "
            f"JOIN {preparer.format_table(self.target)} AS t ON {same}"
        ).scalar_one()
        connection.exec_driver_sql(f"DROP TABLE {stage}")
        return existing


def _set_merge_settings(connection: Connection) -> dict[str, str | None]:
    """Set the staged merge's planner settings for the rest of the transaction (the
    caller's, when given a Connection); returns the values held before, to put back.

    * ``work_mem`` at least :data:`MERGE_WORK_MEM`, so that a large join hashes in memory;
    * ``enable_memoize`` off: the stage holds each key once, so a cache of the target's rows
      by key never hits, yet without statistics on a freshly loaded table the planner takes
      a memoized index probe per staged row (0.7 s for 200,000 rows) over a hash join (0.2 s).
    """
    # One round trip: the materialised CTE reads the values before set_config changes them.
    # enable_memoize came with PostgreSQL 14: on 13 it reads NULL and is left alone.
    held = connection.execute(
        text(
            "WITH held AS MATERIALIZED (SELECT current_setting('work_mem') AS work_mem, "
            "current_setting('enable_memoize', true) AS enable_memoize) "
            "SELECT held.work_mem, held.enable_memoize, "
            "set_config('work_mem', CASE WHEN pg_size_bytes(held.work_mem) < "
            "pg_size_bytes(:wanted) THEN :wanted ELSE held.work_mem END, true), "
            "CASE WHEN held.enable_memoize IS NOT NULL "
            "THEN set_config('enable_memoize', 'off', true) END FROM held"
        ),
        {"wanted": MERGE_WORK_MEM},
    ).one()
    return {"work_mem": held[0], "enable_memoize": held[1]}


def _restore_settings(connection: Connection, held: dict[str, str | None]) -> None:
    connection.execute(
        text(
            "SELECT set_config('work_mem', :work_mem, true), CASE WHEN "
            "CAST(:enable_memoize AS text) IS NOT NULL "
            "THEN set_config('enable_memoize', :enable_memoize, true) END"
        ),
        held,
    )


def _processed(
    connection: Connection, target: Table, columns: list[str], by_column: list[Sequence[Any]]
) -> list[Sequence[Any]]:
    """The columns' values as the driver takes them: the conversions SQLAlchemy applies to
    bound parameters (UTC timestamps, dates as SQLite text, JSON documents...), for the
    paths that hand rows to the driver themselves (COPY, sqlite3's executemany)."""
    dialect = connection.dialect
    processors = [
        target.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    by_column = list(by_column)
    for position, process in enumerate(processors):
        if process is not None:
            by_column[position] = tuple(
                None if value is None else process(value) for value in by_column[position]
            )
    return by_column


def _copy_columns(
    connection: Connection,
    quoted_table: str,
    target: Table,
    columns: list[str],
    by_column: list[Sequence[Any]],
) -> None:
    """COPY the rows given column by column into ``quoted_table`` through psycopg 3, on
    ``connection``'s transaction.

    In PostgreSQL's binary format when every value has the Python type its column's binary
    form expects (ints for integers, str for text...), which saves both ends parsing text;
    in text format otherwise (PostgreSQL then casts, e.g. an int given to a text column).
    """
    dialect = connection.dialect
    by_column = _processed(connection, target, columns, by_column)
    driver_connection = connection.connection.driver_connection
    type_ids = _binary_type_ids(driver_connection, quoted_table, columns, by_column)
    preparer = dialect.identifier_preparer
    column_list = ", ".join(preparer.quote(name) for name in columns)
    options = " (FORMAT BINARY)" if type_ids else ""
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {quoted_table} ({column_list}) FROM STDIN{options}") as copy:
            if type_ids:
                copy.set_types(type_ids)
            for row in zip(*by_column, strict=True):
                copy.write_row(row)


def _binary_type_ids(
    driver_connection: Any, quoted_table: str, columns: list[str], by_column: list[Any]
) -> list[int] | None:
    """The columns' type OIDs if each column's values all fit its binary form, else None."""
    from psycopg.types.json import Jsonb

    found = dict(
        driver_connection.execute(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            (quoted_table,),
        ).fetchall()
    )
    fits = {
        **dict.fromkeys(_BINARY_INTEGERS, {int, bool}),
        **dict.fromkeys(_BINARY_TEXTS, {str}),
        _OID["float8"]: {float, int},
        _OID["bool"]: {bool},
        _OID["date"]: {date},
        _OID["timestamptz"]: {datetime},
        _OID["jsonb"]: {Jsonb},
    }
    type_ids = [found[name] for name in columns]
    for type_id, values in zip(type_ids, by_column, strict=True):
        allowed = fits.get(type_id)
        if allowed is None or not set(map(type, values)) <= allowed | {type(None)}:
            return None
    return type_ids


# Built-in type OIDs (fixed in PostgreSQL's catalogue).
_OID = {
    "bool": 16,
    "int8": 20,
    "int2": 21,
    "int4": 23,
    "text": 25,
    "float8": 701,
    "varchar": 1043,
    "date": 1082,
    "timestamptz": 1184,
    "jsonb": 3802,
}
_BINARY_INTEGERS = (_OID["int2"], _OID["int4"], _OID["int8"])
_BINARY_TEXTS = (_OID["text"], _OID["varchar"])
