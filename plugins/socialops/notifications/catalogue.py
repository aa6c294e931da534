"""The reader's language: gettext catalogues for the words, Babel for numbers, dates, durations.

Every sentence socialops shows a person is a :class:`~socialops.i18n.Text` (an English
gettext message id and its values, written with :func:`~socialops.i18n.N_` or
:func:`~socialops.i18n.N_plural`). A :class:`Reader` (``brand.locale`` and
``brand.timezone``) renders it: the ``socialops`` domain's catalogue of the locale
translates it (``locale/<lang>/LC_MESSAGES/socialops.po``), then every value is shown the
reader's way and made safe for Slack:

=====================  ====================================================================
value                  shown as
=====================  ====================================================================
``str``                escaped (:func:`~socialops.notifications.mrkdwn.escape`; inside a
                       code span of the template, only the backtick is replaced)
``Text``               rendered in the same language
``Mrkdwn``             as is (already safe: a link, a rendered part)
``int``, ``float``     :func:`babel.numbers.format_decimal` (``1 234,5`` / ``1,234.5``)
``Percent``            :func:`babel.numbers.format_percent` (``42 %`` / ``42%``)
``datetime``           in the brand's time zone, :meth:`Reader.when` (naive: UTC)
``date``               :meth:`Reader.day` (``mar. 24 nov. 2026`` / ``Tue, 24 Nov 2026``)
``timedelta``          :func:`babel.dates.format_timedelta` (``2 heures`` / ``2 hours``)
``list``, ``tuple``    each item shown, joined by :func:`babel.lists.format_list`
=====================  ====================================================================

The ``.po`` files are compiled in memory the first time a language is used (a few
milliseconds), so no compiled ``.mo`` is committed and none can be stale. English is the
source language: an empty English ``msgstr`` shows the message id itself.
"""

from __future__ import annotations

import gettext
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from socialops.i18n import N_, N_plural, Percent, Text
from socialops.networks.registry import display_name
from socialops.notifications.blocks import Block, with_list
from socialops.notifications.mrkdwn import Mrkdwn, escape, link

DOMAIN = "socialops"
LOCALE_DIR = Path(__file__).with_name("locale")
LOCALES: tuple[str, ...] = ("fr", "en")
#: ``brand.locale`` → the Babel locale of its numbers and dates.
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

_FORMATTER = string.Formatter()
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise ValueError(
            f"no Slack messages in locale {locale!r}; brand.locale must be one of "
            f"{', '.join(LOCALES)}"
        )
    return locale


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> gettext.GNUTranslations:
    """The ``socialops`` catalogue of ``locale``, compiled from its ``.po`` (fuzzy entries
    are left out, as ``msgfmt`` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalogue_path(check_locale(locale)).open("rb") as source:
        catalog = read_po(source, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def network_name(network: str) -> str:
    """How a network is named to a person (``LinkedIn``): a proper noun, not translated."""
    return display_name(network)


@dataclass(frozen=True)
class Reader:
    """Who reads a message: the language (``fr``, ``en``) and the time zone of its times."""

    locale: str
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        check_locale(self.locale)
        ZoneInfo(self.timezone)  # an unknown zone fails here, not in the middle of a message

    @classmethod
    def for_brand(cls, config: Any) -> Reader:
        """The reader of a brand configuration (``brand.locale``, ``brand.timezone``)."""
        return cls(config.brand.locale, config.brand.timezone)

    @cached_property
    def babel_locale(self) -> str:
        return BABEL_LOCALES[self.locale]

    # -- words -----------------------------------------------------------------------------
    def template(self, text: Text) -> str:
        """The translated template of ``text`` (its plural form chosen by ``text.count``)."""
        catalogue = translations(self.locale)
        if text.plural is not None:
            return catalogue.ngettext(text.msgid, text.plural, text.count or 0)
        return catalogue.gettext(text.msgid)

    def render(self, text: object) -> Mrkdwn:
        """``text`` in the reader's language, safe for Slack mrkdwn.

        A plain ``str`` is not catalogue text: it is only escaped. Templates are trusted
        mrkdwn; each value is shown as the module docstring says.
        """
        if isinstance(text, Mrkdwn):
            return text
        if not isinstance(text, Text):
            return escape(text)
        parts: list[str] = []
        in_code = False
        for literal, name, spec, conversion in _FORMATTER.parse(self.template(text)):
            parts.append(literal)
            in_code ^= literal.count("`") % 2 == 1
            if name is None:
                continue
            if spec or conversion:
                raise ValueError(
                    f"catalogue text {text.msgid!r}: write {{{name}}} without a format or "
                    "conversion, the reader's locale formats values"
                )
            parts.append(self.value(text.values[name], code=in_code))
        return Mrkdwn("".join(parts))

    def value(self, value: object, *, code: bool = False) -> Mrkdwn:
        """One value the reader's way (see the module docstring)."""
        if isinstance(value, Mrkdwn):
            return value
        if isinstance(value, Text):
            return self.render(value)
        if isinstance(value, Percent):
            return escape(self.percent(value))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return escape(self.number(value))
        if isinstance(value, datetime):
            return escape(self.when(value))
        if isinstance(value, date):
            return escape(self.day(value))
        if isinstance(value, timedelta):
            return escape(self.duration(value))
        if isinstance(value, list | tuple):
            return self.names([self.value(item, code=code) for item in value])
        return escape(value, code=code)

    def link(self, url: str | None, label: Text) -> Mrkdwn:
        """A link whose label is in the reader's language (a non-http(s) URL: the label)."""
        return link(url, self.render(label))

    # -- numbers, times, lists -----------------------------------------------------------
    def number(self, value: float) -> str:
        """``1 234`` / ``1,234``; a fraction keeps one decimal (``12,5`` / ``12.5``)."""
        from babel.numbers import format_decimal

        return format_decimal(round(value, 1), locale=self.babel_locale)

    def percent(self, share: float) -> str:
        """A share (``0.42``) as ``42 %`` / ``42%``."""
        from babel.numbers import format_percent

        return format_percent(share, locale=self.babel_locale)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the reader's time zone (a naive datetime is taken as UTC, as the
        warehouse stores it)."""
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(ZoneInfo(self.timezone))

    def when(self, moment: datetime) -> str:
        """``mar. 24 nov. 2026 à 18:30 UTC+1`` / ``Tue, 24 Nov 2026 at 18:30 UTC+1``."""
        from babel.dates import format_time

        local = self.local(moment)
        shown = N_(
            "{date} at {time} {zone}",
            date=Mrkdwn(self.day(local.date())),
            time=Mrkdwn(format_time(local, "HH:mm", locale=self.babel_locale)),
            zone=Mrkdwn(utc_offset(local)),
        )
        return str(self.render(shown))

    def day(self, value: date) -> str:
        """``mar. 24 nov. 2026`` / ``Tue, 24 Nov 2026``."""
        from babel.dates import format_skeleton

        return format_skeleton("yMMMEd", value, locale=self.babel_locale)

    def duration(self, value: timedelta) -> str:
        """``2 heures``, ``90 minutes`` / ``2 hours``: in the largest unit that is exact
        (Babel alone would round 90 minutes to 2 hours)."""
        from babel.dates import format_timedelta

        seconds = abs(int(value.total_seconds()))
        unit = next((name for name, size in _UNITS if seconds and seconds % size == 0), "second")
        # A huge threshold keeps Babel from moving to a larger, rounded unit.
        return format_timedelta(value, granularity=unit, threshold=10**9, locale=self.babel_locale)

    def names(self, items: Sequence[str]) -> Mrkdwn:
        """``X, LinkedIn et Instagram`` / ``X, LinkedIn and Instagram`` (items already safe)."""
        from babel.lists import format_list

        return Mrkdwn(format_list(list(items), locale=self.babel_locale) if items else "")

    # -- blocks ----------------------------------------------------------------------------
    def more(self, count: int) -> Mrkdwn:
        """The last line of a list cut at Slack's limit."""
        return self.render(N_plural("… and {count} more.", "… and {count} more.", count))

    def with_list(
        self, head: Sequence[Block], lines: Sequence[str], *, reserve: int = 0
    ) -> list[Block]:
        """``head`` then the bullet ``lines``, within Slack's 50 blocks (the rest counted),
        ``reserve`` blocks left for the caller."""
        return with_list(head, lines, self.more, reserve=reserve)


def utc_offset(moment: datetime) -> str:
    """``UTC+1``, ``UTC+5:30``, ``UTC-3``, ``UTC`` — short, and the same in every language."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
