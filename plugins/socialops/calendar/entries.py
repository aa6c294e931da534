"""Calendar rows → :class:`CalendarEntry` values, with problems that name the row, field and fix.

A calendar is a table (CSV file or Google Sheet) whose first row holds the column names
below; column order does not matter, names are case-insensitive and unknown columns are
ignored so a team can keep its own notes beside them. See ``docs/calendar.md``.

======================  ===========================================================================
column                  meaning
======================  ===========================================================================
``entry_id``            stable id of the entry (never reuse one: it keys the publication ledger)
``scheduled_at``        ``2026-11-24 18:30`` (brand time zone), or ISO with ``Z`` / ``+01:00``
``networks``            one or several of x, youtube, facebook, instagram, linkedin (``x|linkedin``)
``account``             empty (the brand's account on each network), a handle, or ``x:handle|...``
``text``                the post's text
``text_<network>``      optional variant replacing ``text`` on that network (``text_linkedin``)
``link``                optional URL, appended to the text where the network has no link field
``media``               files under ``include/calendar/``, absolute paths or URLs, ``|``-separated
``title``               video title (YouTube)
``campaign``            campaign id (see ``campaigns`` in socialops.yaml)
``tags``                free labels, ``|`` or ``,``-separated
``status``              ``draft`` (default), ``approved`` or ``cancelled``
``approver``            who approved it
======================  ===========================================================================
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from socialops.config.schema import NETWORKS
from socialops.i18n import N_, quoted

STATUSES = ("draft", "approved", "cancelled")
COLUMNS = (
    "entry_id",
    "scheduled_at",
    "networks",
    "account",
    "text",
    *(f"text_{network}" for network in NETWORKS),
    "link",
    "media",
    "title",
    "campaign",
    "tags",
    "status",
    "approver",
)
REQUIRED_COLUMNS = ("entry_id", "scheduled_at", "networks", "text")

_LIST_SEPARATORS = re.compile(r"[|,;\s]+")
#: How lists of column values are written in problems: as a person types them in a cell.
_LIST = ", "
EXAMPLE_ID = "2026-11-24-noel"
_ENTRY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")


@dataclass(frozen=True)
class Problem:
    """Why a row (or one network of a row) cannot be published, and what to do about it.

    ``message`` and ``fix`` are :class:`~socialops.i18n.Text`: English as ``str`` (logs,
    ``last_error``), shown in the brand's language in Slack. A content rule of a network may
    still give plain English strings; they are shown as they are.
    """

    row: int  # 1-based line in the source, header included (what a spreadsheet shows)
    entry_id: str | None
    field: str
    message: str
    fix: str
    network: str | None = None  # None: the whole row is unusable
    #: Set on the problems of a row whose ``entry_id`` an earlier row already uses: that
    #: earlier row, which is the one synced. The duplicate row is ignored; it holds nothing.
    kept_row: int | None = None

    @property
    def holds_entry(self) -> bool:
        """Whether the problem holds every network of its entry (the row is unusable)."""
        return self.network is None and bool(self.entry_id) and self.kept_row is None

    def __str__(self) -> str:
        who = f"row {self.row}" + (f" ({self.entry_id})" if self.entry_id else "")
        where = f"{self.field} [{self.network}]" if self.network else self.field
        return f"{who}, {where}: {self.message} — {self.fix}"


@dataclass(frozen=True)
class CalendarEntry:
    """One calendar row, parsed. ``scheduled_at`` is timezone-aware UTC."""

    entry_id: str
    scheduled_at: datetime
    networks: tuple[str, ...]
    text: str
    status: str = "draft"
    accounts: Mapping[str, str] = field(default_factory=dict)  # network → owned handle
    variants: Mapping[str, str] = field(default_factory=dict)  # network → text
    link: str | None = None
    media: tuple[str, ...] = ()
    title: str | None = None
    campaign: str | None = None
    tags: tuple[str, ...] = ()
    approver: str | None = None
    source: str | None = None
    source_row: int | None = None

    def text_for(self, network: str) -> str:
        return self.variants.get(network) or self.text

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that would be published changes (not status or approver)."""
        content = {
            "scheduled_at": self.scheduled_at.isoformat(),
            "networks": list(self.networks),
            "accounts": dict(sorted(self.accounts.items())),
            "text": self.text,
            "variants": dict(sorted(self.variants.items())),
            "link": self.link,
            "media": list(self.media),
            "title": self.title,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


@dataclass
class ParsedCalendar:
    """The entries that parsed and the problems found; an entry can be listed in both when only
    some of its networks are invalid (``Problem.network`` set)."""

    source: str | None = None
    entries: list[CalendarEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Entry ids seen in the source, including unparseable rows: a row with a broken time is
    #: still *in* the calendar and must hold its entry, not look deleted.
    seen_ids: set[str] = field(default_factory=set)

    def problems_for(self, entry_id: str) -> list[Problem]:
        return [p for p in self.problems if p.entry_id == entry_id]

    def held_entries(self) -> dict[str, Problem]:
        """Entry ids the sync holds on every network (with the problem that holds each): an
        id whose row has a whole-row problem (:attr:`Problem.holds_entry`). A row repeating
        an earlier row's id holds nothing: it is ignored and the earlier row is the entry
        (held only if that row is itself unusable). The Slack summary of the problems says
        what is held from this."""
        return {p.entry_id: p for p in self.problems if p.holds_entry}


def split_list(value: str | None) -> tuple[str, ...]:
    return tuple(part for part in _LIST_SEPARATORS.split(value or "") if part)


def split_media(value: str | None) -> tuple[str, ...]:
    # Paths may contain spaces or commas; only "|" and new lines separate media.
    return tuple(part.strip() for part in re.split(r"[|\n]", value or "") if part.strip())


def parse_time(raw: str, tz: ZoneInfo) -> datetime:
    """ISO 8601 date and time; a time without offset is in ``tz``. Raises ValueError."""
    value = raw.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if len(value) <= 10:  # a bare date has no time to publish at
        raise ValueError("no time of day")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def resolve_accounts(
    raw: str, networks: Iterable[str], owned: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """network → owned handle. ``raw`` is empty, a handle, or ``network:handle`` pairs.

    Raises ValueError naming the network with no matching owned account.
    """
    explicit: dict[str, str] = {}
    bare: str | None = None
    for part in split_list(raw):
        network, sep, handle = part.partition(":")
        if sep:
            explicit[network.lower()] = handle.lstrip("@")
        else:
            bare = part.lstrip("@")
    accounts = {}
    for network in networks:
        handles = list(owned.get(network, ()))
        wanted = explicit.get(network) or bare
        if wanted is None:
            if not handles:
                raise ValueError(N_("the configuration owns no {network} account", network=network))
            accounts[network] = handles[0]
        elif wanted.casefold() in {h.casefold() for h in handles}:
            accounts[network] = next(h for h in handles if h.casefold() == wanted.casefold())
        else:
            raise ValueError(
                N_(
                    "{value} is not an owned {network} account (owned: {known})",
                    value=quoted(wanted),
                    network=network,
                    known=_LIST.join(handles) if handles else N_("none"),
                )
            )
    return accounts


def parse_rows(
    rows: Sequence[Mapping[str, str | None]],
    *,
    timezone: str,
    owned_accounts: Mapping[str, Sequence[str]],
    source: str | None = None,
    first_row: int = 2,
) -> ParsedCalendar:
    """Parse dict rows (column → cell) into entries; structural problems reject the whole row.

    ``first_row`` is the line number of ``rows[0]`` as a person sees it (2 under a header).
    Per-network content rules live in :mod:`socialops.calendar.validation`.
    """
    tz = ZoneInfo(timezone)
    result = ParsedCalendar(source=source)
    first_line_of: dict[str, int] = {}
    for offset, raw_row in enumerate(rows):
        line = first_row + offset
        row = {
            str(k).strip().lower(): (v or "").strip() for k, v in raw_row.items() if k is not None
        }
        if not any(row.values()):
            continue  # blank lines between weeks are common in hand-kept calendars
        problems: list[Problem] = []
        entry_id = row.get("entry_id", "")

        def problem(
            column: str, message: str, fix: str, _out=problems, _line=line, _id=entry_id or None
        ) -> None:
            _out.append(Problem(_line, _id, column, message, fix))

        if not entry_id:
            problem(
                "entry_id",
                N_("is empty"),
                N_("give the row a unique id such as {example}", example=EXAMPLE_ID),
            )
        elif not _ENTRY_ID.match(entry_id):
            problem(
                "entry_id",
                N_(
                    "{value} has characters other than letters, digits, `.`, `_` and `-`",
                    value=quoted(entry_id),
                ),
                N_("use a short id such as {example}", example=EXAMPLE_ID),
            )
        elif entry_id in first_line_of:
            kept = first_line_of[entry_id]
            problem(
                "entry_id",
                N_(
                    "{value} is already used on row {kept}: row {kept} is kept, this row is "
                    "ignored",
                    value=quoted(entry_id),
                    kept=kept,
                ),
                N_("give this row its own id"),
            )
        else:
            first_line_of[entry_id] = line
            result.seen_ids.add(entry_id)

        status = (row.get("status") or "draft").lower()
        if status not in STATUSES:
            problem(
                "status",
                N_("{value} is not a status", value=quoted(row.get("status"))),
                N_("write one of {statuses}", statuses=_LIST.join(STATUSES)),
            )
        if status == "cancelled" and not problems:
            # A cancelled row is only kept so that its entry is cancelled in the warehouse;
            # its content no longer has to be valid.
            result.entries.append(
                CalendarEntry(
                    entry_id=entry_id,
                    scheduled_at=_lenient_time(row.get("scheduled_at", ""), tz),
                    networks=tuple(
                        n for n in split_list(row.get("networks", "").lower()) if n in NETWORKS
                    ),
                    text=row.get("text", ""),
                    status="cancelled",
                    # Kept for a post found live after the cancel: it still counts for them.
                    campaign=row.get("campaign") or None,
                    tags=split_list(row.get("tags")),
                    approver=row.get("approver") or None,
                    source=source,
                    source_row=line,
                )
            )
            continue

        scheduled_at = None
        raw_time = row.get("scheduled_at", "")
        if not raw_time:
            problem(
                "scheduled_at",
                N_("is empty"),
                N_("write the publication time, e.g. {example}", example="2026-11-24 18:30"),
            )
        else:
            try:
                scheduled_at = parse_time(raw_time, tz)
            except ValueError:
                problem(
                    "scheduled_at",
                    N_("{value} is not a date and time", value=quoted(raw_time)),
                    N_(
                        "write {local} (in {timezone}) or {utc}",
                        local="2026-11-24 18:30",
                        timezone=timezone,
                        utc="2026-11-24T17:30:00Z",
                    ),
                )

        networks = tuple(dict.fromkeys(split_list(row.get("networks", "").lower())))
        unknown = [n for n in networks if n not in NETWORKS]
        if not networks:
            problem(
                "networks",
                N_("is empty"),
                N_(
                    "list one or more of {networks} separated by '|'", networks=_LIST.join(NETWORKS)
                ),
            )
        elif unknown:
            problem(
                "networks",
                N_("unknown network {names}", names=[quoted(n) for n in unknown]),
                N_("use {networks} separated by '|'", networks=_LIST.join(NETWORKS)),
            )

        accounts: dict[str, str] = {}
        if networks and not unknown:
            try:
                accounts = resolve_accounts(row.get("account", ""), networks, owned_accounts)
            except ValueError as exc:
                problem(
                    "account",
                    exc.args[0],
                    N_(
                        "leave it empty for the brand's account, or add the account to "
                        "socialops.yaml"
                    ),
                )

        if not row.get("text") and not any(row.get(f"text_{n}") for n in networks):
            problem("text", N_("is empty"), N_("write the post's text"))

        if problems:
            kept_row = first_line_of.get(entry_id) if first_line_of.get(entry_id) != line else None
            result.problems.extend(replace(p, kept_row=kept_row) for p in problems)
            continue
        assert scheduled_at is not None
        result.entries.append(
            CalendarEntry(
                entry_id=entry_id,
                scheduled_at=scheduled_at,
                networks=networks,
                text=row.get("text", ""),
                status=status,
                accounts=accounts,
                variants={n: row[f"text_{n}"] for n in NETWORKS if row.get(f"text_{n}")},
                link=row.get("link") or None,
                media=split_media(row.get("media")),
                title=row.get("title") or None,
                campaign=row.get("campaign") or None,
                tags=split_list(row.get("tags")),
                approver=row.get("approver") or None,
                source=source,
                source_row=line,
            )
        )
    return result


def _lenient_time(raw: str, tz: ZoneInfo) -> datetime:
    try:
        return parse_time(raw, tz)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)


def missing_columns(header: Iterable[str]) -> list[str]:
    present = {str(name).strip().lower() for name in header}
    return [column for column in REQUIRED_COLUMNS if column not in present]
