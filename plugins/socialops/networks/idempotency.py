"""Idempotency keys that a network adapter can recognise on the network itself.

No network lets us attach a hidden key to a post, so the key carries a fingerprint of the
content as the network will show it (:class:`PostContent`): the text with its links, the
link sent beside the text (Facebook's ``link``, LinkedIn's article card), the kinds of the
media attached, and the title where the network shows one (YouTube). After a timeout,
``find_published_candidates(key, account, since)`` reads the account's posts since the
attempt, rebuilds each one's content from what the network returns (links expanded from
the network's own entities where it shortens them) and keeps those with the same
fingerprint. The match is strict: texts that differ only by their link, by case, by media
or title are different posts (docs/exactly-once.md, "What a match is").
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from socialops.networks.records import Draft
from socialops.networks.registry import SPECS
from socialops.networks.spec import ContentLimits, media_kind, text_with_link

#: Marks the keys whose fingerprint covers the whole content. Keys made before it (a text
#: fingerprint without links, case folded) cannot tell our post from a neighbour's.
KEY_VERSION = "c2"
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
#: Punctuation that ends a sentence rather than a link ("see https://a.example/x.").
_URL_TAIL = ".,;:!?)]}'\""
_SPACE = re.compile(r"\s+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: The limits of a network without a spec (tests' fakes): the link travels in the text.
_NO_SPEC = ContentLimits(max_length=0)


def normalize_link(url: str) -> str:
    """A link as two spellings of it compare: scheme and host lower-cased, the default port
    and an empty path's slash dropped; path, query and fragment kept as written."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit(
        (parts.scheme.lower(), host, parts.path or "/", parts.query, parts.fragment)
    ).removesuffix("#")


def links_in(text: str) -> list[str]:
    """The links written in ``text``, normalised, in order."""
    return [normalize_link(match.rstrip(_URL_TAIL)) for match in _URL.findall(text or "")]


def _normalize_text(text: str) -> str:
    def link(match: re.Match[str]) -> str:
        raw = match.group(0)
        trimmed = raw.rstrip(_URL_TAIL)
        return normalize_link(trimmed) + raw[len(trimmed) :]

    text = unicodedata.normalize("NFC", _URL.sub(link, text or ""))
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class PostContent:
    """What tells two posts apart, normalised: build it with :meth:`of`."""

    #: The text as shown, links normalised in place, whitespace collapsed, case kept.
    text: str
    #: The link sent beside the text (a card), unless the text holds it already.
    link: str | None = None
    #: The kinds of the attached media ("image", "video"), sorted.
    media: tuple[str, ...] = ()
    #: The title where the network shows one (YouTube), whitespace collapsed.
    title: str | None = None

    @classmethod
    def of(
        cls,
        text: str,
        *,
        link: str | None = None,
        media: Iterable[str] = (),
        title: str | None = None,
    ) -> PostContent:
        normalized = _normalize_text(text)
        card = normalize_link(link) if link else None
        if card in links_in(normalized):
            # Networks make a card of a link the text holds: the same post either way.
            card = None
        return cls(
            text=normalized,
            link=card,
            media=tuple(sorted(media)),
            title=_SPACE.sub(" ", title).strip() or None if title else None,
        )

    @property
    def fingerprint(self) -> str:
        canonical = json.dumps(
            [self.text, self.link, list(self.media), self.title], ensure_ascii=False
        )
        return f"{KEY_VERSION}-{hashlib.sha256(canonical.encode()).hexdigest()[:24]}"


def draft_content(network: str, draft: Draft) -> PostContent:
    """The content ``draft`` becomes on ``network``, as its adapter publishes it: the link in
    the text or beside it (:func:`~socialops.networks.spec.text_with_link`), the media kinds
    by file suffix, the title where the network requires one."""
    spec = SPECS.get(network)
    limits = spec.limits if spec else _NO_SPEC
    media = draft.media[: limits.published_media]
    has_media = bool(media)
    card = draft.link if limits.link == "field" and not has_media else None
    return PostContent.of(
        text_with_link(limits, draft.text, draft.link, has_media=has_media),
        link=card,
        media=(media_kind(m) or "image" for m in media),
        title=draft.title if limits.requires_title else None,
    )


def idempotency_key(entry_id: str, network: str, draft: Draft | str) -> str:
    """``<network>:<entry id>:<fingerprint>``: one key per calendar entry, network and content.

    ``draft`` may be a bare text (a post without link, media or title).
    """
    if isinstance(draft, str):
        draft = Draft(account="", text=draft)
    return f"{network}:{entry_id}:{draft_content(network, draft).fingerprint}"


def fingerprint_of(key: str) -> str:
    try:
        _, fingerprint = key.rsplit(":", 1)
    except ValueError:
        raise ValueError(f"{key!r} is not an idempotency key made by idempotency_key()") from None
    return fingerprint


def is_strict(key: str) -> bool:
    """Whether ``key`` fingerprints the whole content (else it predates :data:`KEY_VERSION`)."""
    return fingerprint_of(key).startswith(KEY_VERSION + "-")


def matches(key: str, content: PostContent) -> bool:
    """Whether a post's content is the content the key was made for."""
    return content.fingerprint == fingerprint_of(key)
