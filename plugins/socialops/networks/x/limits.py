"""X's own content rules, for the adapter that uploads and the calendar that checks first.

Light on purpose (no tweepy): :func:`weighted_length` is how X counts a post's length and
:func:`media_problems` X's extra calendar rule, both named by X's
:class:`~socialops.networks.spec.NetworkSpec`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from socialops.i18n import N_, Text, quoted

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
VIDEO_TYPES = {".mp4": "video/mp4"}
MAX_BYTES = {"image": 5 * 1024 * 1024, "video": 512 * 1024 * 1024}
MAX_IMAGES = 4  # per post; a video is always alone
URL_LENGTH = 23  # every link, whatever its length: X shortens it to t.co

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


def weighted_length(text: str) -> int:
    """The length X enforces against its 280 limit (twitter-text v3 weighting): most
    non-Latin scripts, CJK and emoji count double, and every URL counts 23."""
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in _URL.finditer(text):
        length += _weigh(text[position : match.start()])
        length += URL_LENGTH
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


def media_problems(
    media: Sequence[str], local_file: Callable[[str], Path | None]
) -> Iterable[tuple[str, Text, Text]]:
    """(column, problem, fix) for the media X would refuse: file types, sizes, and mixes.

    ``local_file(media)`` is the local path of a media reference (None for a URL). The
    problem and the fix are :class:`~socialops.i18n.Text`, shown in the reader's language.
    """
    kinds = []
    for item in media:
        suffix = Path(item.split("?")[0]).suffix.lower()
        kind = "image" if suffix in IMAGE_TYPES else "video" if suffix in VIDEO_TYPES else None
        if kind is None:
            accepted = ", ".join(s.lstrip(".") for s in (*IMAGE_TYPES, *VIDEO_TYPES))
            yield (
                "media",
                N_("{file} is not a file type X accepts", file=quoted(item)),
                N_("use one of: {types}", types=accepted),
            )
            continue
        kinds.append(kind)
        local = local_file(item)
        if local is not None and local.is_file() and local.stat().st_size > MAX_BYTES[kind]:
            limit_mb = MAX_BYTES[kind] // (1024 * 1024)
            problem = (
                N_(
                    "{file} is larger than X's {limit} MB limit for an image",
                    file=quoted(item),
                    limit=limit_mb,
                )
                if kind == "image"
                else N_(
                    "{file} is larger than X's {limit} MB limit for a video",
                    file=quoted(item),
                    limit=limit_mb,
                )
            )
            yield ("media", problem, N_("compress it"))
    # MAX_IMAGES is 4: the sentences need no singular form.
    if "video" in kinds and len(kinds) > 1:
        yield (
            "media",
            N_("mixes a video with other files; an X post holds 1 video alone"),
            N_("keep 1 video or up to {limit} images", limit=MAX_IMAGES),
        )
    elif len(kinds) > MAX_IMAGES:
        yield (
            "media",
            N_(
                "has {images} images; X accepts at most {limit}",
                images=len(kinds),
                limit=MAX_IMAGES,
            ),
            N_("keep {limit} images", limit=MAX_IMAGES),
        )
