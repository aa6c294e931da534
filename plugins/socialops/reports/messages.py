"""The Slack messages of the reports: the morning digest and the weekly report's announcement.

Every sentence is catalogue text (French and English), every value goes through the
:class:`~socialops.notifications.catalogue.Reader` (escaped, numbers and dates the reader's
way). Each list is cut at :data:`~socialops.reports.service.LIST_LIMIT` lines with the rest
counted, and each part is packed in sections of at most 3,000 characters, so a digest stays
within Slack's 50 blocks whatever the day holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, time
from typing import Any

from socialops.i18n import N_, N_plural, Text
from socialops.notifications.blocks import Block, Message, context, divider, header, pack_lines
from socialops.notifications.blocks import section as section_block
from socialops.notifications.catalogue import Reader, network_name
from socialops.notifications.mrkdwn import Mrkdwn, code, link, truncate
from socialops.notifications.outbox import Notice
from socialops.reports.best_time import Slot
from socialops.reports.service import LIST_LIMIT, CampaignBurn, Digest, Figures, change

#: A line of a list is cut here (a long post text or alert title must not fill a section).
LINE_LIMIT = 400
#: How much of a post or comment text a line quotes.
QUOTE_LIMIT = 120

CONFIDENCE: dict[str, Text] = {
    "low": N_("low confidence"),
    "medium": N_("medium confidence"),
    "high": N_("high confidence"),
}
STATES: dict[str, Text] = {
    "pending": N_("planned"),
    "publishing": N_("going out"),
    "unconfirmed": N_("being checked"),
    "published": N_("published"),
    "failed": N_("failed, will be retried"),
    "rejected": N_("refused by the network"),
    "missed": N_("missed"),
}


def _unknown() -> Text:
    return N_("unknown")


def _number(value: float | None) -> object:
    return _unknown() if value is None else value


def percent_text(babel_locale: str, share: float) -> str:
    """A share with up to two decimals: ``3,21 %`` / ``3.21%``, ``40 %`` / ``40%`` (a rate
    of 3.2 % must not read 3 %, nor 1.49 % against a 1.5 % objective read 1.5 %)."""
    from babel.numbers import format_percent

    return format_percent(round(share, 4), locale=babel_locale, decimal_quantization=False)


def _pct(reader: Reader, value: float | None) -> object:
    """A ``_pct`` KPI (3.2 means 3.2 %) as a percentage, one decimal."""
    if value is None:
        return _unknown()
    return Mrkdwn(percent_text(reader.babel_locale, value / 100))


def _trend(reader: Reader, current: float | None, previous: float | None) -> Mrkdwn | Text:
    """``▲ 12 %`` / ``▼ 3 %`` / ``= 0 %`` from ``previous`` to ``current``, or "unknown"."""
    moved = change(current, previous)
    if moved is None:
        return _unknown()
    arrow = "▲" if moved > 0.0005 else "▼" if moved < -0.0005 else "="
    return Mrkdwn(f"{arrow} {percent_text(reader.babel_locale, abs(moved))}")


def slot_label(reader: Reader, weekday: int, hour: int) -> str:
    """``mar. 18:00`` / ``Tue 18:00``: a weekday and an hour in the reader's locale."""
    from babel.dates import format_time, get_day_names

    day = get_day_names("abbreviated", locale=reader.babel_locale)[weekday]
    return f"{day} {format_time(time(hour, 0), 'HH:mm', locale=reader.babel_locale)}"


def _list(reader: Reader, title: Text, lines: Sequence[str], total: int) -> list[Block]:
    """A titled list: its lines (already cut to :data:`LIST_LIMIT`) packed in sections, and
    how many were left out."""
    shown = [truncate(line, LINE_LIMIT) for line in lines]
    blocks: list[Block] = [section_block(reader.render(title))]
    blocks += [section_block("\n".join(group)) for group in pack_lines(shown)]
    if total > len(lines):
        blocks.append(context(reader.more(total - len(lines))))
    return blocks


# -- the digest ----------------------------------------------------------------------------


def network_line(reader: Reader, network: str, figures: Figures) -> Mrkdwn:
    return reader.render(
        N_(
            "*{network}*: {followers} followers ({new} yesterday, {growth}) · reach {reach} · "
            "engagement rate {rate}",
            network=network_name(network),
            followers=_number(figures.followers),
            new=_signed_number(reader, figures.net_new_followers),
            growth=_pct(reader, figures.follower_growth_pct),
            reach=_number(figures.reach),
            rate=_pct(reader, figures.engagement_rate_pct),
        )
    )


def _signed_number(reader: Reader, value: float | None) -> object:
    if value is None:
        return _unknown()
    return Mrkdwn(f"+{reader.number(value)}") if value >= 0 else value


def comparison_line(
    reader: Reader, day: date, line: Figures, before: Figures | None, week: Figures | None
) -> Mrkdwn:
    return reader.render(
        N_(
            "    reach {reach_day} on the day before, {reach_week} on {weekday} a week "
            "earlier · engagement rate {rate_day}, {rate_week}",
            reach_day=_trend(reader, line.reach, before and before.reach),
            reach_week=_trend(reader, line.reach, week and week.reach),
            weekday=Mrkdwn(_weekday(reader, day)),
            rate_day=_trend(
                reader, line.engagement_rate_pct, before and before.engagement_rate_pct
            ),
            rate_week=_trend(reader, line.engagement_rate_pct, week and week.engagement_rate_pct),
        )
    )


def _weekday(reader: Reader, day: date) -> str:
    from babel.dates import format_date

    return format_date(day, "EEEE", locale=reader.babel_locale)


def _quote(text: str | None) -> str:
    return truncate(" ".join((text or "").split()), QUOTE_LIMIT)


def _time(reader: Reader, moment) -> Mrkdwn:
    from babel.dates import format_time

    return Mrkdwn(format_time(reader.local(moment), "HH:mm", locale=reader.babel_locale))


def digest_message(reader: Reader, digest: Digest) -> Message:
    """The morning digest: each part only when it has something."""
    blocks: list[Block] = [header(reader.render(N_("Morning digest — {date}", date=digest.today)))]
    if digest.networks:
        lines = []
        for item in digest.networks:
            lines.append(network_line(reader, item.network, item.day))
            lines.append(
                comparison_line(reader, digest.day, item.day, item.day_before, item.week_before)
            )
        blocks += _list(
            reader, N_(":bar_chart: *Yesterday, {day}*", day=digest.day), lines, len(lines)
        )
    if digest.missing_networks:
        blocks.append(
            context(
                reader.render(
                    N_(
                        "No figures of {day} for {networks} yet: the night's extraction has "
                        "not loaded them (its alerts are in the alerts channel). This digest "
                        "is updated if they are loaded today.",
                        day=digest.day,
                        networks=[network_name(n) for n in digest.missing_networks],
                    )
                )
            )
        )
    if not digest.networks and not digest.missing_networks:
        blocks.append(
            context(reader.render(N_("No owned account in the configuration has figures yet.")))
        )
    if digest.best_post:
        post = digest.best_post
        blocks.append(
            section_block(
                reader.render(
                    N_(
                        ":trophy: *Best post of the day* on {network}: {link} — {engagements} "
                        "engagements, reach {reach}",
                        network=network_name(post["network"]),
                        link=link(post["url"], _quote(post["text"]) or post["post_id"]),
                        engagements=post["engagements"],
                        reach=_number(post["reach"]),
                    )
                )
            )
        )
    if digest.scheduled:
        shown = digest.scheduled[:LIST_LIMIT]
        lines = [
            reader.render(
                N_(
                    "{time} {network}: {what} ({state})",
                    time=_time(reader, entry["scheduled_at"]),
                    network=network_name(entry["network"]),
                    what=link(entry.get("url"), _quote(entry["title"] or entry["text"])),
                    state=STATES.get(entry["state"], entry["state"]),
                )
            )
            for entry in shown
        ]
        blocks += _list(reader, N_(":calendar: *Scheduled today*"), lines, len(digest.scheduled))
    if digest.comments is None:
        blocks.append(
            context(
                reader.render(
                    N_(
                        ":speech_balloon: Comments waiting for a reply: not configured yet "
                        "(they appear here once listening stores comments)."
                    )
                )
            )
        )
    elif digest.comments:
        shown = digest.comments[:LIST_LIMIT]
        lines = [
            reader.render(
                N_(
                    "{network} {author}, {when}: “{text}” {link}",
                    network=network_name(comment["network"]),
                    author=comment["author_handle"] or "?",
                    when=Mrkdwn(reader.when(comment["created_at"])),
                    text=_quote(comment["text"]),
                    link=reader.link(comment["url"], N_("reply")) if comment["url"] else "",
                )
            )
            for comment in shown
        ]
        blocks += _list(
            reader,
            N_(":speech_balloon: *Comments waiting for a reply* (oldest first)"),
            lines,
            len(digest.comments),
        )
    if digest.alerts:
        shown = digest.alerts[:LIST_LIMIT]
        lines = [
            reader.render(
                N_(
                    "{icon} {title} (since {since})",
                    icon=Mrkdwn(":red_circle:" if alert["severity"] == "critical" else ":warning:"),
                    title=alert["title"],
                    since=Mrkdwn(reader.when(alert["first_seen_at"])),
                )
            )
            for alert in shown
        ]
        blocks += _list(reader, N_(":rotating_light: *Open alerts*"), lines, len(digest.alerts))
    if digest.campaigns:
        lines = [campaign_line(reader, burn) for burn in digest.campaigns[:LIST_LIMIT]]
        blocks += _list(reader, N_(":moneybag: *Live campaigns*"), lines, len(digest.campaigns))
    if digest.slots:
        lines = slot_lines(reader, digest.slots, digest.handles)
        blocks += _list(
            reader, N_(":alarm_clock: *Best times to post this week*"), lines, len(lines)
        )
    blocks += [
        divider(),
        context(
            reader.render(
                N_(
                    "Figures of {day}, days in {zone}. If they change today (a night reloaded), "
                    "this message is updated.",
                    day=digest.day,
                    zone=reader.timezone,
                )
            )
        ),
    ]
    return Message(digest_text(reader, digest), blocks)


def campaign_line(reader: Reader, burn: CampaignBurn) -> Mrkdwn:
    from babel.numbers import format_currency

    def money(value: float | None) -> object:
        if value is None:
            return _unknown()
        return format_currency(value, burn.currency, locale=reader.babel_locale)

    if burn.budget is None or burn.planned is None:
        return reader.render(
            N_(
                "{name}: {spent} spent (no budget declared)",
                name=burn.name,
                spent=money(burn.spent),
            )
        )
    mark = ":large_green_circle:" if burn.spent <= burn.planned * 1.1 else ":red_circle:"
    return reader.render(
        N_(
            "{mark} {name}: {spent} of {budget} spent ({share}); an even spend would be at "
            "{planned} today · ROAS {roas}",
            mark=Mrkdwn(mark),
            name=burn.name,
            spent=money(burn.spent),
            budget=money(burn.budget),
            share=Mrkdwn(percent_text(reader.babel_locale, burn.spent / burn.budget))
            if burn.budget
            else _unknown(),
            planned=money(burn.planned),
            roas=_number(burn.roas),
        )
    )


def slot_lines(
    reader: Reader, slots: Sequence[Slot], handles: dict[tuple[str, str], str]
) -> list[Mrkdwn]:
    """One line per account: its best slots, each with its lift and what it rests on."""
    by_account: dict[tuple[str, str], list[Slot]] = {}
    for slot in slots:
        by_account.setdefault((slot.network, slot.account_id), []).append(slot)
    lines = []
    for (network, account_id), found in by_account.items():
        parts = [
            reader.render(
                N_plural(
                    "{slot} ({lift} × usual, {count} post, {confidence})",
                    "{slot} ({lift} × usual, {count} posts, {confidence})",
                    slot.posts if not slot.network_pattern else slot.network_posts,
                    slot=Mrkdwn(slot_label(reader, slot.weekday, slot.hour)),
                    lift=round(slot.score, 1),
                    confidence=CONFIDENCE[slot.confidence],
                )
            )
            for slot in found
        ]
        line = N_(
            "*{network}* {account}: {slots}",
            network=network_name(network),
            account=handles.get((network, account_id), account_id),
            slots=Mrkdwn(", ".join(parts)),
        )
        if found[0].network_pattern:
            line = N_(
                "{line} — from all the brand's {network} accounts: this one has too few posts",
                line=line,
                network=network_name(network),
            )
        lines.append(reader.render(line))
    return lines


def digest_text(reader: Reader, digest: Digest) -> str:
    """The notification preview: the day and what needs attention."""
    parts = [
        N_plural(
            "{count} post scheduled today", "{count} posts scheduled today", len(digest.scheduled)
        ),
        N_plural("{count} open alert", "{count} open alerts", len(digest.alerts)),
    ]
    if digest.comments:
        parts.append(
            N_plural(
                "{count} comment waiting for a reply",
                "{count} comments waiting for a reply",
                len(digest.comments),
            )
        )
    return str(
        reader.render(
            N_(
                "Morning digest of {date}: {parts}",
                date=digest.today,
                parts=[reader.render(p) for p in parts],
            )
        )
    )


def digest_notice(channel: str, message: Message, today: date) -> Notice:
    """The digest of ``today`` as a version of that day's message: a rerun with the same
    content adds nothing, one with new content edits the message (``chat.update``)."""
    blocks = message.block_dicts()
    content = json.dumps([message.text, blocks], sort_keys=True, ensure_ascii=False)
    digest_hash = hashlib.sha256(content.encode()).hexdigest()[:16]
    key = f"reports:digest:{today.isoformat()}"
    return Notice(f"{key}:{digest_hash}", channel, message.text, blocks or None, updates=key)


# -- the weekly report ---------------------------------------------------------------------


def weekly_message(reader: Reader, stored: Any) -> Message:
    """The reports channel's summary of a stored weekly report: the KPIs against the
    objectives and where the files are; a rerun's version says the files were replaced."""
    title = N_(":bar_chart: *Weekly report {week}*", week=stored.week)
    lines = [reader.render(line) for line in stored.summary_lines]
    if stored.empty:
        lines.insert(0, reader.render(N_("No data this week: the report says so.")))
    files = [
        reader.render(N_("{kind}: {where}", kind=kind.upper(), where=Mrkdwn(code(where))))
        for kind, where in sorted(stored.files.items())
    ]
    blocks: list[Block] = [section_block(reader.render(title))]
    if lines:
        blocks.append(section_block("\n".join(lines)))
    blocks.append(context("\n".join(files)))
    if stored.replaced:
        blocks.append(
            context(
                reader.render(
                    N_("This report was generated again: the files above replace the earlier ones.")
                )
            )
        )
    return Message(str(reader.render(title)), blocks)


def upload_comment(reader: Reader, week: str, *, replaced: bool) -> str:
    """The comment of the report's files in the summary's thread."""
    if replaced:
        text = N_(
            "The weekly report {week} was generated again: these files replace the earlier ones.",
            week=week,
        )
    else:
        text = N_("The weekly report {week}, to read or forward.", week=week)
    return str(reader.render(text))
