"""The competitor watch's Slack messages (digest channel), in the brand's language.

* :func:`unreadable` — an account (or its posts) the network does not show: the reason, once,
  and the day socialops looks again;
* :func:`renamed` — an account found by its id under a new handle;
* :func:`moves` — the moves worth knowing of a run, grouped in one message.

Each says what the watch does next, which is what :mod:`.service` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from socialops.i18n import N_, N_plural, Percent, Text
from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import Reader, network_name
from socialops.notifications.mrkdwn import code
from socialops.visibility import reason_of


@dataclass(frozen=True)
class UnreadableAccount:
    """An account (``posts=False``) or its posts (``posts=True``) that cannot be read."""

    network: str
    handle: str
    owner: str
    code: str
    detail: str  # the network's own words, English (task log)
    retry_on: date
    posts: bool = False

    def reason(self) -> Text:
        return reason_of(self.code)


def unreadable(reader: Reader, item: UnreadableAccount) -> Message:
    fields = {"network": network_name(item.network), "handle": item.handle, "owner": item.owner}
    if item.posts:
        title = N_(":eyes: *{owner}: the posts of {network} {handle} cannot be read*", **fields)
        then = N_(
            "Its audience is still followed every day; its posts are left out of the benchmark "
            "until {day}, when socialops tries again.",
            day=item.retry_on,
        )
    else:
        title = N_(":eyes: *{owner}: {network} {handle} cannot be watched*", **fields)
        then = N_(
            "It is left out of the benchmark; socialops looks it up again on {day}. If the "
            "handle changed, correct it under {key} in the configuration.",
            day=item.retry_on,
            key=code("competitors"),
        )
    headline = reader.render(title)
    return Message(
        headline,
        [
            section(headline),
            section(reader.render(N_("*Reason:* {reason}", reason=item.reason()))),
            context(reader.render(then)),
        ],
    )


def renamed(reader: Reader, network: str, owner: str, old: str, new: str) -> Message:
    headline = reader.render(
        N_(
            ":memo: *{owner} renamed {network} {old} to {new}*",
            owner=owner,
            network=network_name(network),
            old=old,
            new=new,
        )
    )
    then = N_(
        "socialops follows the account by its id, so its history is kept. Write the new "
        "handle under {key} in the configuration.",
        key=code("competitors"),
    )
    return Message(headline, [section(headline), context(reader.render(then))])


# -- moves worth knowing --------------------------------------------------------------------


def _post_link(reader: Reader, url: str | None) -> str:
    return reader.link(url, N_("see the post")) if url else ""


def move_line(reader: Reader, move: dict[str, Any]) -> str:
    """One move, as stored in its alert's details."""
    name = network_name(move["network"])
    if move["kind"] == "viral_post":
        return reader.render(
            N_(
                "*{owner}* on {network}: a post with {engagements} engagements, {multiple} "
                "times its usual ({usual}) {link}",
                owner=move["owner"],
                network=name,
                engagements=int(move["engagements"]),
                multiple=round(float(move["multiple"]), 1),
                usual=int(move["usual"]),
                link=_post_link(reader, move.get("url")),
            )
        )
    if move["kind"] == "follower_jump":
        return reader.render(
            N_(
                "*{owner}* on {network} ({handle}): followers rose from {before} ({day}) to "
                "{after} (+{gain})",
                owner=move["owner"],
                network=name,
                handle=move["handle"],
                before=int(move["before"]),
                day=date.fromisoformat(move["before_day"]),
                after=int(move["after"]),
                gain=Percent(float(move["gain_pct"]) / 100),
            )
        )
    return reader.render(
        N_plural(
            "*{owner}* on {network} ({handle}): {count} post in the last 7 days, against "
            "{usual} a week before: a campaign launch?",
            "*{owner}* on {network} ({handle}): {count} posts in the last 7 days, against "
            "{usual} a week before: a campaign launch?",
            int(move["recent"]),
            owner=move["owner"],
            network=name,
            handle=move["handle"],
            usual=round(float(move["usual"]), 1),
        )
    )


def moves(reader: Reader, day: date, found: Sequence[dict[str, Any]]) -> Message:
    """The run's new moves in one message (each move is announced once)."""
    headline = reader.render(
        N_plural(
            ":telescope: *Competitors: {count} move worth knowing* ({day})",
            ":telescope: *Competitors: {count} moves worth knowing* ({day})",
            len(found),
            day=day,
        )
    )
    lines = [move_line(reader, move) for move in found]
    footer = N_(
        "Each move is told once. The weekly benchmark is in the warehouse view {view}.",
        view=code("kpi_competitor_weekly"),
    )
    blocks = reader.with_list([section(headline)], lines, reserve=1)
    return Message(headline, [*blocks, context(reader.render(footer))])
