"""Text a person reads, described so that it can be shown in their language later.

A feature that finds a problem (a calendar row, a failed check) does not know who will read
it, nor in which language. It describes it as a :class:`Text`: a gettext message id (the
English sentence, with ``{name}`` fields) and its values. ``str(text)`` is the English
sentence, for logs and exceptions; :meth:`socialops.notifications.catalogue.Reader.render`
shows it in the reader's language, with numbers and dates in their locale and time zone.

>>> problem = N_("is {length} characters long; {network} allows {limit}",
...              length=281, network="X", limit=280)
>>> str(problem)
'is 281 characters long; X allows 280'

:func:`N_` and :func:`N_plural` are the markers ``pybabel extract`` looks for (``make
messages``), so every sentence written with them lands in the catalogues. This module
imports nothing, so any layer may describe text with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


class Percent(float):
    """A share (``0.42``) to show as a percentage in the reader's locale (``42 %``, ``42%``)."""

    __slots__ = ()


class Text(str):
    """A sentence for a person: its English form (the ``str`` itself) and what translates it.

    ``msgid`` is the gettext message id, ``plural`` the plural id (then ``count`` chooses
    the form and is available as ``{count}``), ``values`` fills the ``{name}`` fields.
    """

    msgid: str
    plural: str | None
    count: int | None
    values: Mapping[str, Any]

    def __new__(
        cls,
        msgid: str,
        values: Mapping[str, Any] | None = None,
        *,
        plural: str | None = None,
        count: int | None = None,
    ) -> Text:
        fields = dict(values or {})
        if plural is not None:
            if count is None:
                raise ValueError(f"the plural text {msgid!r} needs a count")
            fields["count"] = count
        template = plural if plural is not None and count != 1 else msgid
        self = super().__new__(cls, template.format(**{k: _english(v) for k, v in fields.items()}))
        self.msgid = msgid
        self.plural = plural
        self.count = count
        self.values = fields
        return self


def N_(msgid: str, /, **values: Any) -> Text:
    """A sentence to translate when it is shown (gettext's "no-op" marker)."""
    return Text(msgid, values)


def N_plural(singular: str, plural: str, count: int, /, **values: Any) -> Text:
    """A sentence whose form depends on ``count`` ("1 row", "3 rows"), translated when shown."""
    return Text(singular, values, plural=plural, count=count)


def quoted(value: object) -> Text:
    """A value the reader must find as is (a cell, a file name): ``'a.jpg'``, ``« a.jpg »``."""
    return N_("'{value}'", value=str(value))


def _english(value: Any) -> str:
    """How a value reads in the English ``str`` of a text (logs): plain, locale-free."""
    if isinstance(value, Percent):
        return f"{value:.0%}"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, list | tuple):
        return ", ".join(_english(item) for item in value)
    return str(value)


__all__ = ["N_", "N_plural", "Percent", "Text", "quoted"]
