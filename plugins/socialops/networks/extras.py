"""Connection extras read once, typed: a frozen dataclass names every extra a network reads.

In the manner of the Slack provider's ``ConnectionExtraConfig``, an adapter reads its
connection's extras once, in its constructor, into a dataclass whose fields are the extras
it understands, with their types and defaults (``XExtras``, ``MetaExtras``, ...; the extras
every network shares are :class:`~socialops.networks.base.ConnectionExtras`). Nothing deeper
reads ``settings.extras``.

:func:`read_extras` fills such a dataclass: a field reads the extra of its name, converted
to the field's type (``"30"`` is 30.0 for a number, ``104`` is ``"104"`` for an id); an
empty value (``null`` or ``""``) and a missing one leave the default; a field whose type is
itself a dataclass (the retry policy) reads its own fields from the same extras. A value
that cannot be converted raises :class:`MisconfiguredConnection` naming the connection and
the extra. Extras that no field names are ignored.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from typing import Any, TypeVar, get_type_hints

from socialops.networks.errors import MisconfiguredConnection

T = TypeVar("T")

#: The types an extra may have, and how an error message names them.
KINDS: dict[type, str] = {float: "a number", int: "a whole number", str: "a text"}


def read_extras(cls: type[T], extras: Mapping[str, Any], *, network: str, conn_id: str | None) -> T:
    """The dataclass ``cls`` filled from ``extras`` (see the module docstring)."""
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = hints[field.name]
        if dataclasses.is_dataclass(kind):
            values[field.name] = read_extras(kind, extras, network=network, conn_id=conn_id)
            continue
        raw = extras.get(field.name)
        if raw is None or raw == "":
            continue
        value = _convert(raw, _plain(kind))
        if value is None:
            raise _misconfigured(field, kind, raw, network=network, conn_id=conn_id)
        values[field.name] = value
    return cls(**values)


def _plain(kind: Any) -> type:
    """``str`` for ``str | None``: the type a present value must have."""
    if isinstance(kind, types.UnionType):
        kind = next(arg for arg in kind.__args__ if arg is not type(None))
    if kind not in KINDS:
        raise TypeError(f"an extra is {', '.join(k.__name__ for k in KINDS)}, not {kind!r}")
    return kind


def _convert(raw: Any, kind: type) -> Any:
    """``raw`` as ``kind``, or None when it is not one (a bool is never a number)."""
    if isinstance(raw, bool):
        return None
    if kind is str:
        return str(raw) if isinstance(raw, str | int) else None
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            return None
    if not isinstance(raw, int | float):
        return None
    if kind is int:
        return int(raw) if float(raw).is_integer() else None
    return float(raw)


def _misconfigured(
    field: dataclasses.Field, kind: Any, raw: Any, *, network: str, conn_id: str | None
) -> MisconfiguredConnection:
    words = KINDS[_plain(kind)]
    where = f"Airflow connection '{conn_id}'" if conn_id else "the connection"
    # A secret's value is never repeated, even a wrong one.
    shown = repr(raw) if field.repr else f"a {type(raw).__name__}"
    default = "" if field.default in (None, dataclasses.MISSING) else f" ({field.default})"
    return MisconfiguredConnection(
        network,
        f"extra '{field.name}' of {where} is {shown}, not {words}",
        conn_id=conn_id,
        extra=field.name,
        hint=f"set it to {words}, or remove it to use the default{default}",
    )


__all__ = ["KINDS", "read_extras"]
