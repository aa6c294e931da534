"""Per-network content rules, checked before anything is published.

Each rule reads one :class:`CalendarEntry` for one network and returns problems that say
what to change. Limits are the networks' documented ones; X's length is its *weighted*
length (twitter-text v3): most non-Latin scripts, CJK and emoji count double, and every
URL counts as 23 characters whatever its length, because X shortens it to a t.co link.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from socialops.calendar.entries import CalendarEntry, Problem

X_MAX_WEIGHTED_LENGTH = 280
X_URL_LENGTH = 23
LINKEDIN_MAX_LENGTH = 3000
INSTAGRAM_MAX_LENGTH = 2200
INSTAGRAM_MAX_HASHTAGS = 30
FACEBOOK_MAX_LENGTH = 63206
YOUTUBE_MAX_TITLE = 100
YOUTUBE_MAX_DESCRIPTION = 5000

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})

# twitter-text v3 configuration: code points in these ranges weigh 1, every other weighs 2.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
# Roughly what twitter-text's URL extractor finds: explicit schemes, www., and bare domains
# with a common TLD. Bare-domain detection is what surprises people ("maison.fr" is a link).
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+|\b[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\."
    r"(?:com|fr|org|net|io|co|eu|be|ch|ca|uk|de|shop|store|app|ly)(?:/[^\s<>\"]*)?\b",
    re.IGNORECASE,
)
# An emoji with its modifiers and zero-width-joined companions counts as one emoji (weight 2).
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]"
    "(?:[\ufe0f\U0001f3fb-\U0001f3ff]|\u200d[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff])*"
)
_HASHTAG = re.compile(r"(?<![\w&])#\w+")


def x_weighted_length(text: str) -> int:
    """The length X enforces against its 280 limit (twitter-text v3 weighting)."""
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in _URL.finditer(text):
        length += _weigh(text[position : match.start()])
        length += X_URL_LENGTH
        position = match.end()
    return length + _weigh(text[position:])


def _weigh(text: str) -> int:
    length = 0
    position = 0
    for match in _EMOJI.finditer(text):
        length += _weigh_code_points(text[position : match.start()]) + 2
        position = match.end()
    return length + _weigh_code_points(text[position:])


def _weigh_code_points(text: str) -> int:
    return sum(1 if any(lo <= ord(ch) <= hi for lo, hi in _X_LIGHT_RANGES) else 2 for ch in text)


def published_text(entry: CalendarEntry, network: str) -> str:
    """The text as it will appear: networks without a link field get the link appended."""
    text = entry.text_for(network)
    if entry.link and entry.link not in text and network in {"x", "instagram", "linkedin"}:
        text = f"{text} {entry.link}"
    return text


def resolve_media(path: str, media_root: Path) -> Path | None:
    """The local file for a media reference, or None for a URL."""
    if path.startswith(("http://", "https://")):
        return None
    candidate = Path(path)
    return candidate if candidate.is_absolute() else media_root / candidate


Rule = Callable[[CalendarEntry, str, Path], Iterable[tuple[str, str, str]]]


def _x(entry: CalendarEntry, network: str, media_root: Path) -> Iterable[tuple[str, str, str]]:
    length = x_weighted_length(published_text(entry, network))
    if length > X_MAX_WEIGHTED_LENGTH:
        yield (
            _text_field(entry, network),
            f"is {length} characters long as X counts them (links count 23, emoji and CJK 2); "
            f"the limit is {X_MAX_WEIGHTED_LENGTH}",
            f"shorten it by {length - X_MAX_WEIGHTED_LENGTH} or add a shorter text_x variant",
        )
    yield from _x_media(entry, media_root)


def _x_media(entry: CalendarEntry, media_root: Path) -> Iterable[tuple[str, str, str]]:
    # The adapter's own limits, so that the calendar and the publisher never disagree.
    from socialops.networks.x import IMAGE_TYPES, MAX_BYTES, MAX_IMAGES, VIDEO_TYPES

    kinds = []
    for media in entry.media:
        suffix = Path(media.split("?")[0]).suffix.lower()
        kind = "image" if suffix in IMAGE_TYPES else "video" if suffix in VIDEO_TYPES else None
        if kind is None:
            accepted = ", ".join(s.lstrip(".") for s in (*IMAGE_TYPES, *VIDEO_TYPES))
            yield ("media", f"{media!r} is not a file type X accepts", f"use one of: {accepted}")
            continue
        kinds.append(kind)
        local = resolve_media(media, media_root)
        if local is not None and local.is_file() and local.stat().st_size > MAX_BYTES[kind]:
            limit_mb = MAX_BYTES[kind] // (1024 * 1024)
            article = "an" if kind == "image" else "a"
            yield (
                "media",
                f"{media!r} is larger than X's {limit_mb} MB limit for {article} {kind}",
                "compress it",
            )
    if "video" in kinds and len(kinds) > 1:
        yield (
            "media",
            "mixes a video with other files; an X post holds 1 video alone",
            "keep 1 video or up to 4 images",
        )
    elif len(kinds) > MAX_IMAGES:
        yield (
            "media",
            f"has {len(kinds)} images; X accepts at most {MAX_IMAGES}",
            f"keep {MAX_IMAGES} images",
        )


def _linkedin(
    entry: CalendarEntry, network: str, media_root: Path
) -> Iterable[tuple[str, str, str]]:
    yield from _max_length(entry, network, LINKEDIN_MAX_LENGTH, "text_linkedin")


def _facebook(
    entry: CalendarEntry, network: str, media_root: Path
) -> Iterable[tuple[str, str, str]]:
    yield from _max_length(entry, network, FACEBOOK_MAX_LENGTH, "text_facebook")


def _instagram(
    entry: CalendarEntry, network: str, media_root: Path
) -> Iterable[tuple[str, str, str]]:
    if not entry.media:
        yield (
            "media",
            "is empty; Instagram posts need an image or a video",
            "add a file under media",
        )
    yield from _max_length(entry, network, INSTAGRAM_MAX_LENGTH, "text_instagram")
    hashtags = len(_HASHTAG.findall(published_text(entry, network)))
    if hashtags > INSTAGRAM_MAX_HASHTAGS:
        yield (
            _text_field(entry, network),
            f"has {hashtags} hashtags; Instagram allows {INSTAGRAM_MAX_HASHTAGS}",
            f"remove {hashtags - INSTAGRAM_MAX_HASHTAGS} hashtags",
        )


def _youtube(
    entry: CalendarEntry, network: str, media_root: Path
) -> Iterable[tuple[str, str, str]]:
    videos = [m for m in entry.media if Path(m.split("?")[0]).suffix.lower() in VIDEO_SUFFIXES]
    if not videos:
        yield (
            "media",
            "has no video file; YouTube publishes videos",
            f"add a video ({', '.join(sorted(VIDEO_SUFFIXES))}) under media",
        )
    if not entry.title:
        yield (
            "title",
            "is empty; YouTube videos need a title",
            "write a title of at most 100 characters",
        )
    elif len(entry.title) > YOUTUBE_MAX_TITLE:
        yield (
            "title",
            f"is {len(entry.title)} characters long; YouTube allows {YOUTUBE_MAX_TITLE}",
            f"shorten it by {len(entry.title) - YOUTUBE_MAX_TITLE}",
        )
    if any(ch in (entry.title or "") for ch in "<>"):
        yield "title", "contains '<' or '>', which YouTube refuses in titles", "remove them"
    yield from _max_length(entry, network, YOUTUBE_MAX_DESCRIPTION, "text_youtube")


def _max_length(
    entry: CalendarEntry, network: str, limit: int, variant: str
) -> Iterable[tuple[str, str, str]]:
    length = len(published_text(entry, network))
    if length > limit:
        yield (
            _text_field(entry, network),
            f"is {length} characters long; {network} allows {limit}",
            f"shorten it by {length - limit} or add a shorter {variant} variant",
        )


def _text_field(entry: CalendarEntry, network: str) -> str:
    return f"text_{network}" if network in entry.variants else "text"


RULES: dict[str, Rule] = {
    "x": _x,
    "linkedin": _linkedin,
    "facebook": _facebook,
    "instagram": _instagram,
    "youtube": _youtube,
}


def validate_entry(entry: CalendarEntry, media_root: Path) -> list[Problem]:
    """Every problem of ``entry`` on each of its networks (empty: it can be published)."""
    row = entry.source_row or 0
    problems = [
        Problem(row, entry.entry_id, column, message, fix, network=network)
        for network in entry.networks
        for column, message, fix in RULES[network](entry, network, media_root)
    ]
    for media in entry.media:
        local = resolve_media(media, media_root)
        if local is not None and not local.is_file():
            problems.extend(
                Problem(
                    row,
                    entry.entry_id,
                    "media",
                    f"file {media!r} does not exist (looked in {local.parent})",
                    "check the file name or add the file",
                    network=network,
                )
                for network in entry.networks
            )
    return problems
