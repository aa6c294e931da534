"""Content rules, checked before anything is published: one pass over each network's limits.

The limits are the networks' documented ones, said once in each network's
:class:`~socialops.networks.spec.ContentLimits` (length as the network counts it, hashtags,
required media and title) plus a network's own media rule where it has one (X's file
types, sizes and mixes). The adapters build posts from the same limits, so the calendar
and the publisher never disagree on what a post looks like.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from socialops.calendar.entries import CalendarEntry, Problem
from socialops.i18n import N_, N_plural, quoted
from socialops.networks.registry import spec
from socialops.networks.spec import (
    VIDEO_SUFFIXES,
    ContentLimits,
    media_kind,
    text_with_link,
)
from socialops.registry import load

_HASHTAG = re.compile(r"(?<![\w&])#\w+")

#: (column, problem, fix) triples a rule yields; problem and fix are best
#: :class:`~socialops.i18n.Text` (translated in Slack), plain English strings are shown as is.
Findings = Iterable[tuple[str, str, str]]


def published_text(entry: CalendarEntry, network: str) -> str:
    """The text as it will appear on ``network``, with the link where that network puts it."""
    return text_with_link(
        spec(network).limits, entry.text_for(network), entry.link, has_media=bool(entry.media)
    )


def resolve_media(path: str, media_root: Path) -> Path | None:
    """The local file for a media reference, or None for a URL."""
    if path.startswith(("http://", "https://")):
        return None
    candidate = Path(path)
    return candidate if candidate.is_absolute() else media_root / candidate


@cache
def _function(target: str | None) -> Callable | None:
    return load({"rule": target}, "rule", "content rule") if target else None


def network_problems(entry: CalendarEntry, network: str, media_root: Path) -> Findings:
    """What ``network`` would refuse in ``entry``, from its content limits."""
    limits = spec(network).limits
    yield from _media(entry, network, limits, media_root)
    yield from _title(entry, network, limits)
    text = published_text(entry, network)
    yield from _length(entry, network, limits, text)
    hashtags = len(_HASHTAG.findall(text))
    if limits.max_hashtags is not None and hashtags > limits.max_hashtags:
        name = spec(network).display_name
        extra = hashtags - limits.max_hashtags
        yield (
            _text_field(entry, network),
            N_plural(
                "has {count} hashtag; {network} allows {limit}",
                "has {count} hashtags; {network} allows {limit}",
                hashtags,
                network=name,
                limit=limits.max_hashtags,
            ),
            N_plural("remove {count} hashtag", "remove {count} hashtags", extra),
        )


def _length(entry: CalendarEntry, network: str, limits: ContentLimits, text: str) -> Findings:
    counter = _function(limits.length_counter)
    length = counter(text) if counter else len(text)
    if length <= limits.max_length:
        return
    name = spec(network).display_name
    values = {"length": length, "network": name, "limit": limits.max_length}
    yield (
        _text_field(entry, network),
        N_(
            "is {length} characters long as {network} counts them; {network} allows {limit}",
            **values,
        )
        if counter
        else N_("is {length} characters long; {network} allows {limit}", **values),
        N_plural(
            "shorten it by {count} character or add a shorter `{column}` variant",
            "shorten it by {count} characters or add a shorter `{column}` variant",
            length - limits.max_length,
            column=f"text_{network}",
        ),
    )


def _media(entry: CalendarEntry, network: str, limits: ContentLimits, media_root: Path) -> Findings:
    name = spec(network).display_name
    if limits.requires_media and not any(
        media_kind(m) in limits.requires_media for m in entry.media
    ):
        if limits.requires_media == ("video",):
            yield (
                "media",
                N_("has no video file; {network} publishes videos", network=name),
                N_(
                    "add a video ({suffixes}) under `media`",
                    suffixes=", ".join(sorted(VIDEO_SUFFIXES)),
                ),
            )
        else:
            yield (
                "media",
                N_("is empty; {network} posts need an image or a video", network=name),
                N_("add a file under `media`"),
            )
    rule = _function(limits.media_rule)
    if rule:
        yield from rule(entry.media, lambda media: resolve_media(media, media_root))


def _title(entry: CalendarEntry, network: str, limits: ContentLimits) -> Findings:
    name = spec(network).display_name
    title = entry.title or ""
    if limits.requires_title and not title:
        yield (
            "title",
            N_("is empty; {network} videos need a title", network=name),
            N_("write a title of at most {limit} characters", limit=limits.max_title),
        )
    elif limits.max_title is not None and len(title) > limits.max_title:
        yield (
            "title",
            N_(
                "is {length} characters long; {network} allows {limit}",
                length=len(title),
                network=name,
                limit=limits.max_title,
            ),
            N_plural(
                "shorten it by {count} character",
                "shorten it by {count} characters",
                len(title) - limits.max_title,
            ),
        )
    forbidden = [quoted(ch) for ch in limits.title_forbidden if ch in title]
    if forbidden:
        yield (
            "title",
            N_plural(
                "contains {characters}, which {network} refuses in titles",
                "contains {characters}, which {network} refuses in titles",
                len(forbidden),
                characters=forbidden,
                network=name,
            ),
            N_plural("remove it", "remove them", len(forbidden)),
        )


def _text_field(entry: CalendarEntry, network: str) -> str:
    return f"text_{network}" if network in entry.variants else "text"


def validate_entry(entry: CalendarEntry, media_root: Path) -> list[Problem]:
    """Every problem of ``entry`` on each of its networks (empty: it can be published)."""
    row = entry.source_row or 0
    problems = [
        Problem(row, entry.entry_id, column, message, fix, network=network)
        for network in entry.networks
        for column, message, fix in network_problems(entry, network, media_root)
    ]
    for media in entry.media:
        local = resolve_media(media, media_root)
        if local is not None and not local.is_file():
            problems.extend(
                Problem(
                    row,
                    entry.entry_id,
                    "media",
                    N_(
                        "file {file} does not exist (looked in {folder})",
                        file=quoted(media),
                        folder=str(local.parent),
                    ),
                    N_("check the file name or add the file"),
                    network=network,
                )
                for network in entry.networks
            )
    return problems
