"""The Slack messages of the publication flow, and the dedup keys that make them say things once.

Each builder is pure: a :class:`~socialops.notifications.catalogue.Reader` (the brand's
language and time zone) and raw values in, a :class:`~socialops.notifications.blocks.Message`
out; every value is escaped when it is rendered. :class:`PublicationNotices` turns them into
outbox :class:`~socialops.notifications.outbox.Notice` s, written in the same transaction as
the state change that caused them; the DAG's last task delivers them. A dedup key is
derived from *what* is announced, so a run every five minutes does not repeat the same
rejected rows, pause list or failure: a new problem, or a changed list, is a new key.

What each message advises is what the code does next (``docs/notifications.md`` lists them;
``tests/publishing/test_messages_advice.py`` checks each piece of advice against the behaviour,
``tests/publishing/test_service_in_doubt.py`` and ``tests/publishing/test_service_steps.py``
those of the ledger's and the sync's notices).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from socialops.calendar.entries import ParsedCalendar, Problem
from socialops.calendar.sync import BACK_TO, HOLD_PREFIX, NETWORK_REMOVED, ROW_REMOVED
from socialops.config.schema import BrandConfig
from socialops.i18n import N_, N_plural, Percent, Text
from socialops.networks.errors import (
    AuthError,
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    NotSupported,
    QuotaExceeded,
    RateLimited,
    failure,
)
from socialops.notifications.blocks import Message, context, divider, header, section
from socialops.notifications.catalogue import Reader, network_name
from socialops.notifications.mrkdwn import Mrkdwn, code, link
from socialops.notifications.ops import ops_notice
from socialops.notifications.outbox import Notice
from socialops.publishing.pause import PAUSE_VARIABLE, Pause

if TYPE_CHECKING:
    from socialops.calendar.sync import EditedAfterPublication, HeldRemoval, RemovedRow
    from socialops.networks.records import Receipt
    from socialops.publishing.reconcile import Choice
    from socialops.publishing.store import Claim, ExternalIdTaken
    from socialops.reports.best_time import WeakSlot

#: After an expired or revoked token, how long before trying the same publication again.
AUTH_BACKOFF = timedelta(minutes=30)
#: The grace window when none is given (``publication.grace_minutes``' default).
DEFAULT_GRACE = timedelta(minutes=120)
#: ``networks.errors.MisconfiguredConnection`` (on main since the networks merge): a value
#: in the connection's extra cannot be used. Matched by name until this branch has it.
MISCONFIGURED = "MisconfiguredConnection"
#: Publication states as an entry's confirmation groups them.
NOT_OUT_YET = ("pending", "publishing", "unconfirmed")
NOT_PUBLISHED = ("failed", "rejected", "missed")


@dataclass(frozen=True)
class NetworkStatus:
    """One network of a calendar entry, as its confirmation shows it."""

    network: str
    account: str | None
    state: str
    url: str | None = None


@dataclass(frozen=True)
class MissedPost:
    """A publication that passed its grace window, and what its last attempt left.

    ``retry_at``: the network asked to wait until then, after the end of the grace window
    (the post is marked missed at once instead of waiting for it).
    """

    entry_id: str
    network: str
    scheduled_at: datetime
    attempts: int = 0
    last_error: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class PausedEntry:
    entry_id: str
    network: str
    scheduled_at: datetime


def error_text(error: BaseException) -> str:
    """How a failed attempt is stored in ``publications.last_error``: ``Class: message``
    (English, for ops), so that a later message knows what kind of failure it was."""
    return failure(error)


def error_kind(last_error: str | None) -> str | None:
    """The error class of a ``last_error`` written by :func:`error_text`, or None."""
    kind = (last_error or "").partition(":")[0]
    return kind if kind.isidentifier() else None


# -- the builders ---------------------------------------------------------------------------


def entry_published(
    reader: Reader,
    *,
    entry_id: str,
    scheduled_at: datetime,
    networks: Sequence[NetworkStatus],
    alerts_channel: str,
) -> Message:
    """The one confirmation of a calendar entry: each of its networks with its link, or
    where it stands. Sent when the first network is out, edited as the others follow."""
    out = [status for status in networks if status.state == "published"]
    names = [network_name(status.network) for status in out]
    entry = code(entry_id)
    if len(out) == len(networks):
        headline = N_(
            ":white_check_mark: {entry} is published on {networks}", entry=entry, networks=names
        )
    else:
        headline = N_(
            ":white_check_mark: {entry} is published on {networks} ({published} of {total})",
            entry=entry,
            networks=names,
            published=len(out),
            total=len(networks),
        )
    shown = reader.render(headline)
    lines = [reader.render(_status_line(reader, status, alerts_channel)) for status in networks]
    planned = reader.render(N_("Calendar entry planned for {when}", when=scheduled_at))
    return Message(shown, [section(shown), section("\n".join(lines)), context(planned)])


def _status_line(reader: Reader, status: NetworkStatus, alerts_channel: str) -> Text:
    name = network_name(status.network)
    if status.state == "published":
        target = reader.link(status.url, N_("view the post")) if status.url else N_("no link")
        if status.account:
            return N_(
                "• {network} ({account}): {link}", network=name, account=status.account, link=target
            )
        return N_("• {network}: {link}", network=name, link=target)
    if status.state in NOT_OUT_YET:
        return N_("• {network}: not out yet", network=name)
    if status.state in NOT_PUBLISHED:
        return N_("• {network}: not published, see {channel}", network=name, channel=alerts_channel)
    return N_("• {network}: cancelled", network=name)


def publication_failed(
    reader: Reader, *, network: str, entry_id: str, reason: Text, action: Text
) -> Message:
    """A post that could not be published: why, and what a person should do."""
    headline = reader.render(
        N_(
            ":x: *Publication failed* on {network} for entry {entry}",
            network=network_name(network),
            entry=code(entry_id),
        )
    )
    blocks = [
        section(headline),
        section(reader.render(N_("*Reason:* {reason}", reason=reason))),
        section(reader.render(N_("*What to do:* {action}", action=action))),
    ]
    return Message(f"{headline} — {reader.render(reason)}", blocks)


def rejected_rows(reader: Reader, parsed: ParsedCalendar, *, source: str) -> Message:
    """One summary of the calendar's problems: each with its row, field and fix, then what
    the sync holds back because of them (:meth:`ParsedCalendar.held_entries`)."""
    rows = {(p.row, p.entry_id) for p in parsed.problems}
    title = reader.render(
        N_plural(
            ":warning: {count} calendar row has a problem",
            ":warning: {count} calendar rows have problems",
            len(rows),
        )
    )
    where = reader.render(N_("Calendar: {source}", source=source))
    lines = [reader.render(_problem_line(problem)) for problem in parsed.problems]
    held = [reader.render(line) for line in _held_lines(parsed)]
    tail = [
        divider(),
        section(reader.render(N_("*Not published until fixed:*")) + "\n" + "\n".join(held)),
        context(reader.render(N_("Every other row is published as planned."))),
    ]
    body = reader.with_list([header(title), context(where)], lines, reserve=len(tail))
    return Message(f"{title} ({where})", [*body, *tail])


def _problem_line(problem: Problem) -> Text:
    column = (
        N_(
            "{column} ({network})",
            column=code(problem.field),
            network=network_name(problem.network),
        )
        if problem.network
        else code(problem.field)
    )
    return N_(
        "row {row} · {entry} · {field}: {problem} — {fix}",
        row=problem.row,
        entry=code(problem.entry_id) if problem.entry_id else N_("no id"),
        field=column,
        problem=problem.message,
        fix=problem.fix,
    )


def _held_lines(parsed: ParsedCalendar) -> list[Text]:
    """What the sync holds: whole entries (their rows), rows without an id, rows repeating
    an earlier row's id (ignored: the earlier row is the entry) and single networks of an
    entry (its other networks go out)."""
    held = parsed.held_entries()
    lines: list[Text] = []
    for entry_id in held:
        rows = {p.row for p in parsed.problems if p.entry_id == entry_id and p.kept_row is None}
        rows |= {e.source_row for e in parsed.entries if e.entry_id == entry_id and e.source_row}
        ordered = sorted(rows)
        lines.append(
            N_plural(
                "• {entry} (row {rows}): on no network",
                "• {entry} (rows {rows}): on no network",
                len(ordered),
                entry=code(entry_id),
                rows=ordered,
            )
        )
    for row in sorted({p.row for p in parsed.problems if not p.entry_id}):
        lines.append(N_("• row {row}: it has no id", row=row))
    repeats = {(p.row, p.kept_row, p.entry_id) for p in parsed.problems if p.kept_row}
    for row, kept, entry_id in sorted(repeats):
        lines.append(
            N_(
                "• row {row}: ignored, row {kept} already has its id {entry}",
                row=row,
                kept=kept,
                entry=code(entry_id),
            )
        )
    by_entry: dict[tuple[str, int], list[str]] = {}
    for p in parsed.problems:
        if p.network and p.entry_id and p.entry_id not in held and p.kept_row is None:
            names = by_entry.setdefault((p.entry_id, p.row), [])
            if network_name(p.network) not in names:
                names.append(network_name(p.network))
    for (entry_id, row), names in by_entry.items():
        lines.append(
            N_(
                "• {entry} (row {row}): on {networks}; its other networks go out as planned",
                entry=code(entry_id),
                row=row,
                networks=names,
            )
        )
    return lines


def publication_paused(
    reader: Reader, entries: Sequence[PausedEntry], *, pause: Pause, grace: timedelta
) -> Message:
    """The posts held back by the pause, so nobody thinks they went out, and how to resume
    with the switch (or switches) that paused it."""
    headline = reader.render(
        N_plural(
            ":double_vertical_bar: Publication paused: {count} post waiting",
            ":double_vertical_bar: Publication paused: {count} posts waiting",
            len(entries),
        )
    )
    lines = [
        reader.render(
            N_(
                "{entry} · {network} · due {when}",
                entry=code(e.entry_id),
                network=network_name(e.network),
                when=e.scheduled_at,
            )
        )
        for e in entries
    ]
    head = [header(headline)]
    if pause.note:
        head.append(section(reader.render(N_("*Reason given:* {reason}", reason=pause.note))))
    advice = "\n".join(reader.render(line) for line in resume_advice(pause, grace))
    return Message(headline, [*reader.with_list(head, lines, reserve=1), context(advice)])


def resume_advice(pause: Pause, grace: timedelta) -> list[Text]:
    """How to undo exactly the switches that paused (one line each), and what happens then."""
    actions = []
    if pause.variable is not None:
        actions.append(
            N_(
                "• in Airflow, Admin → Variables: delete {variable} or set it to `false`",
                variable=code(PAUSE_VARIABLE),
            )
        )
    if pause.in_configuration:
        actions.append(
            N_(
                "• in socialops.yaml: set {setting} back to `false`",
                setting=code("publication.paused"),
            )
        )
    return [
        N_plural(
            "To resume, once the situation is checked:",
            "To resume, once the situation is checked, undo both switches:",
            len(actions),
        ),
        *actions,
        N_(
            "Waiting posts then go out at the next run; those more than {grace} past their "
            "time are marked missed instead.",
            grace=grace,
        ),
    ]


def publications_missed(
    reader: Reader, posts: Sequence[MissedPost], *, grace: timedelta
) -> Message:
    """The posts that passed their grace window, in one message however many fell at once
    (e.g. after a pause), each with what really happened, and how to publish them."""
    headline = reader.render(
        N_plural(
            ":hourglass: {count} post missed its time",
            ":hourglass: {count} posts missed their time",
            len(posts),
        )
    )
    intro = reader.render(
        N_plural(
            "It was not published within {grace} of its time, and is not published late.",
            "They were not published within {grace} of their time, and are not published late.",
            len(posts),
            grace=grace,
        )
    )
    lines = [
        reader.render(
            N_(
                "{entry} · {network} · due {when}: {why}",
                entry=code(post.entry_id),
                network=network_name(post.network),
                when=post.scheduled_at,
                why=missed_why(post),
            )
        )
        for post in posts
    ]
    action = N_plural(
        "It waits: to publish it, give it a new time in the calendar (now or later); to drop "
        "it, set its status to `cancelled`.",
        "They wait: to publish one, give it a new time in the calendar (now or later); to "
        "drop it, set its status to `cancelled`.",
        len(posts),
    )
    notes = [reader.render(action)]
    if any(error_kind(post.last_error) == AuthError.__name__ for post in posts):
        notes.append(
            reader.render(N_("Renew a refused token first, or the new attempt fails the same way."))
        )
    body = reader.with_list([header(headline), context(intro)], lines, reserve=1)
    return Message(headline, [*body, context(" ".join(notes))])


def missed_why(post: MissedPost) -> Text:
    """What kept a missed post from going out, from its attempts and last error."""
    name = network_name(post.network)
    if post.retry_at is not None:
        return N_(
            "{network} asks to wait until {retry}, after the end of its grace window",
            network=name,
            retry=post.retry_at,
        )
    if post.attempts == 0:
        return N_("not tried in time (publication paused, or `publish_posts` not running)")
    kind = error_kind(post.last_error)
    if kind == AuthError.__name__:
        return N_("{network} refused the token, and it was not renewed in time", network=name)
    if kind == MISCONFIGURED:
        return N_(
            "the {network} connection could not be used (a value in its extra), and it was not "
            "fixed in time",
            network=name,
        )
    if kind in (RateLimited.__name__, QuotaExceeded.__name__):
        return N_(
            "{network} asked to wait (rate limit or daily quota) until after its grace window",
            network=name,
        )
    return N_("{network} failed or did not answer each time it was tried", network=name)


# -- the ledger's and the sync's notices (docs/exactly-once.md) -----------------------------


def withdrawal_reason(withdrawn: str, network: str) -> Text:
    """Why the calendar stopped asking for a publication, from what the ledger stored
    (``publications.withdrawn``, English; :mod:`socialops.calendar.sync` names them)."""
    if withdrawn.startswith(HOLD_PREFIX):
        return N_("its row became invalid, see the message on the calendar's problems")
    if withdrawn == ROW_REMOVED:
        return N_("its row was removed from the calendar")
    if withdrawn.startswith(BACK_TO):
        return N_("the entry went back to draft")
    if withdrawn.endswith(NETWORK_REMOVED):
        return N_("{network} was removed from its row", network=network_name(network))
    return N_("the entry was cancelled")


def _post_link(reader: Reader, url: str | None) -> Mrkdwn | Text:
    return reader.link(url, N_("view the post")) if url else N_("no link")


def live_although_withdrawn(
    reader: Reader,
    *,
    network: str,
    account: str,
    entry_id: str,
    url: str | None,
    withdrawn: Text,
) -> Message:
    """A post the calendar withdrew while an attempt was in doubt, found live: its link, and
    what to do if it must not stay."""
    name = network_name(network)
    headline = reader.render(
        N_(
            ":warning: *Live although withdrawn*: {entry} on {network} ({account}): {link}",
            entry=code(entry_id),
            network=name,
            account=account,
            link=_post_link(reader, url),
        )
    )
    detail = N_(
        "The calendar withdrew it while an attempt was in doubt ({reason}), but the post went "
        "out: it is recorded as published, and its metrics are collected.",
        reason=withdrawn,
    )
    action = N_("*What to do:* delete it on {network} if it must not stay online.", network=name)
    return Message(
        headline,
        [section(headline), section(reader.render(detail)), section(reader.render(action))],
    )


#: What became of a publication withdrawn while in doubt and not found on the network.
WITHDRAWN_OUTCOMES = {
    "cancelled": N_("it is cancelled; it goes out only if the calendar asks for it again."),
    "rejected": N_("it waits until its row is fixed."),
    "pending": N_("it waits until the entry is approved again."),
}


def withdrawn_not_found(
    reader: Reader,
    *,
    network: str,
    account: str,
    entry_id: str,
    withdrawn: Text,
    state: str,
) -> Message:
    """A publication the calendar withdrew while an attempt was in doubt, not found on the
    network: nothing was sent, and what became of it (``state``)."""
    headline = reader.render(
        N_(
            ":information_source: {entry} on {network} ({account}): {reason} while an attempt "
            "was in doubt. No post was found on the account: {outcome}",
            entry=code(entry_id),
            network=network_name(network),
            account=account,
            reason=withdrawn,
            outcome=WITHDRAWN_OUTCOMES[state],
        )
    )
    check = reader.render(N_("If you see it on the account anyway, delete it."))
    return Message(headline, [section(headline), context(check)])


def publication_backed_off(
    reader: Reader,
    *,
    network: str,
    account: str,
    entry_id: str,
    retry_at: datetime,
    deadline: datetime,
) -> Message:
    """A post the network makes wait a long time (within its grace window): when it is
    tried again."""
    name = network_name(network)
    headline = reader.render(
        N_(
            ":hourglass: {entry} on {network} ({account}) waits: {network} limits posts until "
            "{retry}. It is tried again then (its grace window ends {deadline}).",
            entry=code(entry_id),
            network=name,
            account=account,
            retry=retry_at,
            deadline=deadline,
        )
    )
    return Message(headline, [section(headline)])


def edited_after_publication(
    reader: Reader, *, network: str, entry_id: str, url: str | None
) -> Message:
    """An entry whose content changed after its post went out: the change is not published."""
    name = network_name(network)
    headline = reader.render(
        N_(
            ":memo: {entry} changed after its {network} post went out ({link}): the new "
            "content is *not* published (an entry goes out once per network).",
            entry=code(entry_id),
            network=name,
            link=_post_link(reader, url),
        )
    )
    action = N_(
        "*What to do:* to publish the new content, give the row a new `entry_id`; to correct "
        "the live post, edit or delete it on {network}.",
        network=name,
    )
    return Message(headline, [section(headline), section(reader.render(action))])


def _weak_slot_line(reader: Reader, slot: WeakSlot, handle: str | None) -> str:
    """One network's line: why its slot is weak, then the better ones."""
    why = N_plural(
        "*{network}* {account}: this slot does {lift} worse than the account's usual post "
        "({count} post there; in the bottom third of its {slots} slots with enough history).",
        "*{network}* {account}: this slot does {lift} worse than the account's usual post "
        "({count} posts there; in the bottom third of its {slots} slots with enough history).",
        slot.posts,
        network=network_name(slot.network),
        account=handle or slot.account_id,
        lift=Percent(1 - slot.score),
        slots=slot.slots,
    )
    better = [
        reader.render(N_("{when} ({lift} better)", when=b.at, lift=Percent(b.score - 1)))
        for b in slot.better
    ]
    options = N_plural(
        "Better the same week: {slots}.",
        "Better the same week: {slots}.",
        len(better),
        slots=better,
    )
    return f"{reader.render(why)} {reader.render(options)}"


def weak_slot(
    reader: Reader,
    *,
    entry_id: str,
    scheduled_at: datetime,
    slots: Sequence[tuple[WeakSlot, str | None]],
    weeks: int,
) -> Message:
    """Advice: an entry planned in a weak slot (:func:`socialops.reports.best_time.weak_slot`)
        on some networks, ``slots`` (with each account's handle), scored over the last ``weeks``
    weeks. It still goes out as planned."""
    headline = reader.render(
        N_(
            ":bulb: *Advice*: {entry} is planned for {when}, a weak time for it.",
            entry=code(entry_id),
            when=scheduled_at,
        )
    )
    lines = [_weak_slot_line(reader, slot, handle) for slot, handle in slots]
    note = reader.render(
        N_(
            "This is only advice: the post goes out as planned. To follow it, change the "
            "row's `scheduled_at` in the calendar. Scores come from the account's posts of "
            "the last {weeks} weeks, by weekday and hour in the brand's time zone.",
            weeks=weeks,
        )
    )
    body = reader.with_list([section(headline)], lines, reserve=1)
    return Message(headline, [*body, context(note)])


def _removed_lines(reader: Reader, rows: Sequence[RemovedRow]) -> list[str]:
    return [
        reader.render(
            N_(
                "{entry} · {network} · due {when}",
                entry=code(row.entry_id),
                network=[network_name(n) for n in row.networks],
                when=row.scheduled_at,
            )
        )
        for row in rows
    ]


def rows_removed(reader: Reader, rows: Sequence[RemovedRow], *, source: str) -> Message:
    """Rows gone from the calendar whose planned posts the sync cancels, in one message."""
    headline = reader.render(
        N_plural(
            ":wastebasket: *{count} row removed from the calendar* ({source}): its planned "
            "posts are cancelled.",
            ":wastebasket: *{count} rows removed from the calendar* ({source}): their planned "
            "posts are cancelled.",
            len(rows),
            source=source,
        )
    )
    note = reader.render(
        N_(
            "A post in doubt is cancelled only once the network is checked. To bring one back, "
            "put its row back (same `entry_id`)."
        )
    )
    body = reader.with_list([section(headline)], _removed_lines(reader, rows), reserve=1)
    return Message(headline, [*body, context(note)])


def removal_held(reader: Reader, held: HeldRemoval, *, source: str, variable: str) -> Message:
    """Too many planned rows vanished at once: nothing is cancelled; how to restore them or
    confirm their removal (:data:`~socialops.publishing.service.REMOVAL_CONFIRMATION_VARIABLE`)."""
    count = len(held.rows)
    headline = reader.render(
        N_plural(
            ":octagonal_sign: *Calendar sync held*: {count} of {planned} planned rows is "
            "missing from {source} (more than {share}%). Nothing is cancelled: it stays planned "
            "and is published at its time; the other rows are synced as usual.",
            ":octagonal_sign: *Calendar sync held*: {count} of {planned} planned rows are "
            "missing from {source} (more than {share}%). Nothing is cancelled: they stay "
            "planned and are published at their time; the other rows are synced as usual.",
            count,
            planned=held.planned,
            source=source,
            share=held.threshold_pct,  # as configured: 12.5 stays 12.5
        )
    )
    action = reader.render(
        N_plural(
            "*What to do:* if the file is incomplete, put the missing row back. If you removed "
            "it on purpose, put it back with the status `cancelled`, or set the Airflow "
            "Variable {variable} to {code} to cancel it.",
            "*What to do:* if the file is incomplete, put the missing rows back. If you removed "
            "them on purpose, put them back with the status `cancelled`, or set the Airflow "
            "Variable {variable} to {code} to cancel them all.",
            count,
            variable=code(variable),
            code=code(held.code),
        )
    )
    body = reader.with_list([section(headline)], _removed_lines(reader, held.rows), reserve=1)
    return Message(headline, [*body, context(action)])


# -- what to do after an error ------------------------------------------------------------


def failure_advice(
    error: NetworkError, *, network: str, deadline: datetime, grace: timedelta
) -> tuple[Text, Text]:
    """(reason, action) for a publication attempt the network refused; ``deadline`` is the
    end of the post's grace window. The network's own words stay in the log and ops."""
    name = network_name(network)
    if isinstance(error, AuthError):
        return (
            N_(
                "{network} refused the token of the Airflow connection {conn_id}: it has "
                "expired, was revoked or lacks a permission",
                network=name,
                conn_id=code(error.conn_id or f"{network}_default"),
            ),
            N_(
                "renew the {network} token in the Airflow connection {conn_id} (Admin → "
                "Connections). socialops tries again about every {backoff} until {deadline}; "
                "after that the post is marked missed and waits for a new time in the calendar.",
                network=name,
                conn_id=code(error.conn_id or f"{network}_default"),
                backoff=AUTH_BACKOFF,
                deadline=deadline,
            ),
        )
    if type(error).__name__ == MISCONFIGURED:
        conn_id = code(getattr(error, "conn_id", None) or f"{network}_default")
        extra = code(getattr(error, "extra", "?"))
        return (
            N_(
                "the Airflow connection {conn_id} of {network} holds a value socialops cannot "
                "use in its extra {extra}",
                conn_id=conn_id,
                network=name,
                extra=extra,
            ),
            N_(
                "fix the extra {extra} of the Airflow connection {conn_id} (Admin → "
                "Connections). socialops tries again about every {backoff} until {deadline}; "
                "after that the post is marked missed and waits for a new time in the calendar.",
                extra=extra,
                conn_id=conn_id,
                backoff=AUTH_BACKOFF,
                deadline=deadline,
            ),
        )
    edit_again = _edit_again(grace)
    if isinstance(error, DuplicateContent):
        return (
            N_("{network} refused it as a duplicate of a recent post of the account", network=name),
            N_("change its text in the calendar: {then}", then=edit_again),
        )
    if isinstance(error, InvalidRequest):
        return (
            N_("{network} refused the post as it is (its text, media or link)", network=name),
            N_("fix the entry in the calendar: {then}", then=edit_again),
        )
    if isinstance(error, NotSupported):
        return (
            N_("{network} cannot publish this kind of post", network=name),
            N_(
                "change the entry's content in the calendar ({then}), or remove {network} "
                "from its networks",
                then=edit_again,
                network=name,
            ),
        )
    return (
        N_("{network} refused the post", network=name),
        N_("fix the entry in the calendar: {then}", then=edit_again),
    )


def _edit_again(grace: timedelta) -> Text:
    return N_(
        "once it changes, it is tried again; if its time is then more than {grace} past, "
        "also give it a new time",
        grace=grace,
    )


def unverifiable_advice(network: str, account: str, grace: timedelta) -> tuple[Text, Text]:
    """(reason, action) when an earlier attempt may be out and the network cannot be asked."""
    name = network_name(network)
    return (
        N_(
            "an earlier attempt may have reached {network}, and socialops cannot check it",
            network=name,
        ),
        N_(
            "look at the {network} account {account}: socialops does not post it again on "
            "its own. If the post is there, ask whoever runs socialops to mark it published; "
            "if not, to set it back to `pending`: it is then published if its time is less "
            "than {grace} ago (otherwise give it a new time).",
            network=name,
            account=account,
            grace=grace,
        ),
    )


def reconcile_auth_advice(error: AuthError, network: str) -> tuple[Text, Text]:
    """(reason, action) when the check for an earlier attempt is refused for the token."""
    name = network_name(network)
    conn_id = code(error.conn_id or f"{network}_default")
    return (
        N_(
            "{network} refused the token of the Airflow connection {conn_id} while socialops "
            "checked whether an earlier attempt went out",
            network=name,
            conn_id=conn_id,
        ),
        N_(
            "renew the {network} token in the Airflow connection {conn_id} (Admin → "
            "Connections): the next run checks first, then publishes only if it is not out.",
            network=name,
            conn_id=conn_id,
        ),
    )


def _posts(receipts: Sequence[Receipt]) -> list[Mrkdwn]:
    return [link(r.url) if r.url else code(r.external_id) for r in receipts]


def ambiguous_advice(
    network: str,
    account: str,
    *,
    entry_ids: Sequence[str],
    seen: Sequence[Receipt],
    hidden: bool,
) -> tuple[Text, Text]:
    """(reason, action) when the posts found cannot be told apart: several attempts in doubt
    with identical content (``entry_ids``, oldest first), fewer posts than attempts; or,
    ``hidden``, the only match shown is recorded for another entry."""
    name = network_name(network)
    if hidden:
        return (
            N_(
                "the only matching post {network} shows ({posts}) is already recorded for "
                "another entry; this entry's own post may be hidden behind it. Nothing is "
                "recorded, nothing is sent again.",
                network=name,
                posts=_posts(seen),
            ),
            N_(
                "look at the {network} account {account}: if this entry's post is there, ask "
                "whoever runs socialops to mark its publication published (with the post's "
                "id); if not, to set it back to `pending` to publish it.",
                network=name,
                account=account,
            ),
        )
    return (
        N_plural(
            "{count} post found ({posts}) for {attempts} attempts in doubt with identical "
            "content ({entries}): nobody can tell which is whose. None is recorded, none is "
            "sent again.",
            "{count} posts found ({posts}) for {attempts} attempts in doubt with identical "
            "content ({entries}): nobody can tell which is whose. None is recorded, none is "
            "sent again.",
            len(seen),
            posts=_posts(seen),
            attempts=len(entry_ids),
            entries=[code(e) for e in entry_ids],
        ),
        N_(
            "look at the {network} account {account}, then tell whoever runs socialops which "
            "entry each post belongs to: they mark those publications published (with the "
            "post's id), and set the others back to `pending` (to publish them) or "
            "`cancelled`.",
            network=name,
            account=account,
        ),
    )


def id_taken_advice(
    network: str, account: str, *, entry_id: str, owner_entry: str, grace: timedelta
) -> tuple[Text, Text]:
    """(reason, action) when the network answers a publication with a post that is already
    recorded for another entry: nothing is recorded, the publication is rejected."""
    name = network_name(network)
    return (
        N_(
            "{network} answered with a post that is already recorded for entry {owner}: "
            "nothing is recorded for {entry}",
            network=name,
            owner=code(owner_entry),
            entry=code(entry_id),
        ),
        N_(
            "look at the {network} account {account}, then change the text of {entry} in the "
            "calendar: {then}",
            network=name,
            account=account,
            entry=code(entry_id),
            then=_edit_again(grace),
        ),
    )


# -- notices --------------------------------------------------------------------------------


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


def problems_digest(problems: Sequence[Problem]) -> str:
    """Names a set of calendar problems (the same problems give the same digest)."""
    return _digest([str(p) for p in problems])


class PublicationNotices:
    """Builds the outbox notices of each event, in the brand's language and time zone.

    Confirmations go to ``channel`` (the digest); everything that needs a person goes to
    ``alerts_channel`` (defaults to ``channel``); raw errors also go to ``ops_channel`` when
    there is one (they are always in the task log).
    """

    def __init__(
        self,
        channel: str,
        *,
        alerts_channel: str | None = None,
        ops_channel: str | None = None,
        locale: str = "en",
        timezone: str = "UTC",
        grace: timedelta = DEFAULT_GRACE,
    ):
        self.channel = channel
        self.alerts_channel = alerts_channel or channel
        self.ops_channel = ops_channel
        self.reader = Reader(locale, timezone)
        self.grace = grace

    @classmethod
    def for_brand(cls, config: BrandConfig) -> PublicationNotices:
        channels = config.slack.channels
        return cls(
            channels.digest,
            alerts_channel=channels.alerts,
            ops_channel=channels.ops,
            locale=config.brand.locale,
            timezone=config.brand.timezone,
            grace=timedelta(minutes=config.publication.grace_minutes),
        )

    def _alert(self, key: str, message: Message) -> Notice:
        return Notice.of(key, self.alerts_channel, message)

    def entry_published(
        self, entry_id: str, scheduled_at: datetime, networks: Sequence[NetworkStatus]
    ) -> list[Notice]:
        """The entry's confirmation as of now: a new version of its one message."""
        state = [f"{s.network}:{s.state}:{s.url or ''}" for s in networks]
        message = entry_published(
            self.reader,
            entry_id=entry_id,
            scheduled_at=scheduled_at,
            networks=networks,
            alerts_channel=self.alerts_channel,
        )
        series = f"publication:entry:{entry_id}"
        return [Notice.of(f"{series}:{_digest(state)}", self.channel, message, updates=series)]

    def _failure(
        self,
        key: str,
        claim: Claim,
        advice: tuple[Text, Text],
        details: Sequence[str],
    ) -> list[Notice]:
        """The CM's alert (reason and action) and the engineer's ``details`` for ops."""
        reason, action = advice
        message = publication_failed(
            self.reader,
            network=claim.network,
            entry_id=claim.entry_id,
            reason=reason,
            action=action,
        )
        title = N_(
            "`publish_posts`: publication {id}, {entry} on {network}",
            id=claim.publication_id,
            entry=code(claim.entry_id),
            network=network_name(claim.network),
        )
        return [
            self._alert(key, message),
            *ops_notice(self.ops_channel, key, self.reader, title, details),
        ]

    def failed(self, claim: Claim, error: NetworkError) -> list[Notice]:
        """A publication attempt the network refused (what to do depends on the error)."""
        key = (
            f"publication:{claim.publication_id}:failed:"
            f"{_digest([type(error).__name__, str(error)])}"
        )
        advice = failure_advice(
            error,
            network=claim.network,
            deadline=claim.scheduled_at + self.grace,
            grace=self.grace,
        )
        return self._failure(key, claim, advice, [error_text(error)])

    def unverifiable(self, claim: Claim, error: NetworkError) -> list[Notice]:
        """An uncertain publication that cannot be checked: a person decides."""
        if isinstance(error, AuthError):
            advice = reconcile_auth_advice(error, claim.network)
            key = f"publication:{claim.publication_id}:reconcile-auth:{_digest([str(error)])}"
        else:
            advice = unverifiable_advice(claim.network, claim.account, self.grace)
            key = f"publication:{claim.publication_id}:unverifiable"
        return self._failure(key, claim, advice, [error_text(error)])

    def missed(self, posts: Sequence[MissedPost]) -> list[Notice]:
        """One message for every post that passed its grace window at once (or that a
        network's back-off takes past it: :attr:`MissedPost.retry_at`)."""
        if not posts:
            return []
        key = "publication:missed:" + _digest(
            [f"{p.entry_id}:{p.network}:{p.scheduled_at.isoformat()}" for p in posts]
        )
        return [self._alert(key, publications_missed(self.reader, posts, grace=self.grace))]

    def rejected_rows(
        self, parsed: ParsedCalendar, source: str, *, occurrence: int = 1
    ) -> list[Notice]:
        """``occurrence``: how many times this set of problems has appeared (a set that
        returns after it was fixed is announced again)."""
        key = f"calendar:rejected:{problems_digest(parsed.problems)}:{occurrence}"
        return [self._alert(key, rejected_rows(self.reader, parsed, source=source))]

    def paused(
        self, waiting: Sequence[tuple[int, str, str, datetime]], pause: Pause
    ) -> list[Notice]:
        entries = [PausedEntry(entry, network, when) for _, entry, network, when in waiting]
        key = f"publication:paused:{_digest([str(row[0]) for row in waiting])}"
        message = publication_paused(self.reader, entries, pause=pause, grace=self.grace)
        return [self._alert(key, message)]

    # -- the ledger's notices ---------------------------------------------------------------

    def backed_off(self, claim: Claim, retry_at: datetime, deadline: datetime) -> list[Notice]:
        """A back-off long enough to be said at once (the post still fits its grace window)."""
        message = publication_backed_off(
            self.reader,
            network=claim.network,
            account=claim.account,
            entry_id=claim.entry_id,
            retry_at=retry_at,
            deadline=deadline,
        )
        return [
            self._alert(
                f"publication:{claim.publication_id}:back-off:{retry_at.isoformat()}", message
            )
        ]

    def live_although_withdrawn(
        self, claim: Claim, receipt: Receipt, withdrawn: str
    ) -> list[Notice]:
        message = live_although_withdrawn(
            self.reader,
            network=claim.network,
            account=claim.account,
            entry_id=claim.entry_id,
            url=receipt.url,
            withdrawn=withdrawal_reason(withdrawn, claim.network),
        )
        key = f"publication:{claim.publication_id}:live-although-withdrawn:{receipt.external_id}"
        return [self._alert(key, message)]

    def withdrawn_not_found(self, claim: Claim, withdrawn: str, state: str) -> list[Notice]:
        """``state``: what the ledger settled it to (one of :data:`WITHDRAWN_OUTCOMES`)."""
        message = withdrawn_not_found(
            self.reader,
            network=claim.network,
            account=claim.account,
            entry_id=claim.entry_id,
            withdrawn=withdrawal_reason(withdrawn, claim.network),
            state=state,
        )
        key = f"publication:{claim.publication_id}:withdrawn:{claim.attempts}:{state}"
        return [self._alert(key, message)]

    def ambiguous(
        self, claim: Claim, entry_ids: Sequence[str], choice: Choice, detail: str
    ) -> list[Notice]:
        """Posts found that cannot be told apart: a person decides which is whose
        (``detail``: the engineer's account of it, for ops)."""
        advice = ambiguous_advice(
            claim.network,
            claim.account,
            entry_ids=entry_ids,
            seen=choice.seen,
            hidden=choice.hidden,
        )
        key = (
            f"publication:{claim.publication_id}:ambiguous:"
            f"{_digest([*entry_ids, *(r.external_id for r in choice.seen)])}"
        )
        return self._failure(key, claim, advice, [detail])

    def id_taken(self, claim: Claim, error: ExternalIdTaken) -> list[Notice]:
        """The network answered with a post recorded for another entry: nothing recorded."""
        advice = id_taken_advice(
            claim.network,
            claim.account,
            entry_id=claim.entry_id,
            owner_entry=error.owner_entry,
            grace=self.grace,
        )
        key = f"publication:{claim.publication_id}:id-taken:{error.receipt.external_id}"
        return self._failure(key, claim, advice, [error_text(error)])

    # -- the sync's notices -----------------------------------------------------------------

    def edited_after_publication(self, event: EditedAfterPublication) -> list[Notice]:
        """Once per change of the entry's content (``event.content``)."""
        message = edited_after_publication(
            self.reader, network=event.network, entry_id=event.entry_id, url=event.url
        )
        key = f"calendar:edited-after-publication:{event.publication_id}:{event.content}"
        return [self._alert(key, message)]

    def weak_slot(
        self,
        entry_id: str,
        scheduled_at: datetime,
        slots: Sequence[tuple[WeakSlot, str | None]],
        *,
        weeks: int,
    ) -> list[Notice]:
        """Once per entry and planned time: again only when it moves to another weak time."""
        if not slots:
            return []
        message = weak_slot(
            self.reader, entry_id=entry_id, scheduled_at=scheduled_at, slots=slots, weeks=weeks
        )
        key = f"calendar:weak-slot:{entry_id}:{scheduled_at.isoformat()}"
        return [Notice.of(key, self.channel, message)]

    def rows_removed(self, rows: Sequence[RemovedRow], source: str, now: datetime) -> list[Notice]:
        """One message for the rows gone from the file whose posts this sync cancels."""
        key = f"calendar:removed:{_digest([r.entry_id for r in rows])}:{now.isoformat()}"
        return [self._alert(key, rows_removed(self.reader, rows, source=source))]

    def removal_held(
        self, held: HeldRemoval, source: str, *, variable: str, occurrence: int
    ) -> list[Notice]:
        """The sync kept the vanished rows' posts planned; ``occurrence``: how many times this
        set of rows has gone missing (announced again when it returns)."""
        message = removal_held(self.reader, held, source=source, variable=variable)
        return [self._alert(f"calendar:removal-held:{held.code}:{occurrence}", message)]
