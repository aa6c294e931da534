"""The weekly influencer shortlist (digest channel), in the brand's language.

Top candidates with their score, tier, the two components that carry it and a link; the
flagged accounts apart with their flags; new entrants since the last scoring marked; the
candidates that could not be scored, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from socialops.i18n import N_, N_plural, Text
from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import Reader, network_name
from socialops.notifications.mrkdwn import code
from socialops.visibility import reason_of

#: How each component of the score is named to a person.
COMPONENT_NAMES: dict[str, Text] = {
    "reach": N_("reach"),
    "engagement": N_("engagement"),
    "relevance": N_("relevance"),
    "authenticity": N_("authenticity"),
    "brand_safety": N_("brand safety"),
}
NO_RECENT_POSTS = N_("no recent post with public counters: no engagement to score")
NEW_ENTRANT = N_(":new: new")


def _components(row: dict[str, Any]) -> list[Text]:
    top = (row.get("components") or {}).get("top_components") or ""
    return [COMPONENT_NAMES[name] for name in top.split(";") if name in COMPONENT_NAMES]


def candidate_line(reader: Reader, row: dict[str, Any], *, new: bool) -> str:
    components = row.get("components") or {}
    link = reader.link(components.get("url"), N_("profile")) if components.get("url") else ""
    text = N_(
        "*{score}/100* {handle} ({network}, {tier}), carried by {components} {link}",
        score=round(float(row["score"]), 1),
        handle=row["handle"],
        network=network_name(row["network"]),
        tier=code(components.get("tier") or "?"),
        components=_components(row),
        link=link,
    )
    line = reader.render(text)
    if row.get("flags"):
        flags = reader.render(N_("flags: {flags}", flags=[code(f) for f in row["flags"]]))
        line = f"{line} ({flags})"
    return f"{line} {reader.render(NEW_ENTRANT)}" if new else line


def flagged_line(reader: Reader, row: dict[str, Any]) -> str:
    return reader.render(
        N_(
            "{handle} ({network}), score {score}: {flags}",
            handle=row["handle"],
            network=network_name(row["network"]),
            score=round(float(row["score"]), 1),
            flags=[code(flag) for flag in row.get("flags") or []],
        )
    )


def unscored_line(reader: Reader, item: dict[str, Any]) -> str:
    reason = NO_RECENT_POSTS if item["code"] == "no_recent_posts" else reason_of(item["code"])
    return reader.render(
        N_(
            "{handle} ({network}): {reason}",
            handle=item["handle"],
            network=network_name(item["network"]),
            reason=reason,
        )
    )


def shortlist(
    reader: Reader,
    day: date,
    top: Sequence[dict[str, Any]],
    flagged: Sequence[dict[str, Any]],
    unscored: Sequence[dict[str, Any]],
    new: set[tuple[str, str]],
) -> Message:
    headline = reader.render(
        N_plural(
            ":star: *Influencers: {count} candidate scored* ({day})",
            ":star: *Influencers: {count} candidates scored* ({day})",
            len(top) + len(flagged),
            day=day,
        )
    )
    blocks = [section(headline)]
    if top:
        lines = [candidate_line(reader, r, new=(r["network"], r["account_id"]) in new) for r in top]
        blocks += reader.with_list([section(reader.render(N_("*Shortlist*")))], lines, reserve=8)
    if flagged:
        lines = [flagged_line(reader, r) for r in flagged]
        head = section(reader.render(N_("*Flagged: check before any contact*")))
        blocks += reader.with_list([head], lines, reserve=5)
    if unscored:
        lines = [unscored_line(reader, item) for item in unscored]
        head = section(reader.render(N_("*Not scored this week*")))
        blocks += reader.with_list([head], lines, reserve=2)
    footer = N_(
        "Each score and its components are in {table}; flags are explained in "
        "docs/influencers.md. The next scoring runs next week.",
        table=code("influencer_scores"),
    )
    blocks.append(context(reader.render(footer)))
    return Message(headline, blocks)
