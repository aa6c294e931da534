"""What socialops knows about a network, said once: :class:`NetworkSpec`.

Everything network-specific outside the adapter derives from its spec (the registry of
specs is :mod:`socialops.networks.registry`): the adapter class and the sandbox emulator
to load, the Airflow connection (id and type), the pool that caps its calls, the nightly
lookback window, how Slack names it, and the content limits the calendar checks before
anything is published. The adapter applies the same :class:`ContentLimits` (and
:func:`text_with_link`) when it builds a post, so the calendar and the publisher never
disagree.

This module is imported when a DAG file is parsed: it holds dataclasses and strings only
(no SDK, no pydantic), and a spec names its classes as ``"module:Attribute"`` so that
nothing heavy is imported before it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

#: Where a draft's ``link`` goes: appended to the text (``"text"``), or sent beside it
#: (``"field"``: Facebook's ``link`` parameter, LinkedIn's article card) — except with
#: media, where neither network can attach the link and it is appended like ``"text"``.
LinkPlacement = Literal["text", "field"]
MediaKind = Literal["image", "video"]
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})


@dataclass(frozen=True)
class ContentLimits:
    """The documented limits of one post, checked by the calendar for every network."""

    max_length: int
    #: ``"module:function"`` counting a text's length as the network does (X weighs links,
    #: emoji and CJK); None counts code points.
    length_counter: str | None = None
    link: LinkPlacement = "text"
    #: What goes between the text and an appended link.
    link_separator: str = "\n"
    max_hashtags: int | None = None
    #: The media kinds a post must carry at least one of (empty: media is optional).
    requires_media: tuple[MediaKind, ...] = ()
    #: How many of a draft's media files the adapter publishes (None: every one); YouTube
    #: uploads the first. Reconciliation compares only those (docs/exactly-once.md).
    published_media: int | None = None
    requires_title: bool = False
    max_title: int | None = None
    #: Characters the network refuses in a title.
    title_forbidden: str = ""
    #: ``"module:function"`` of a network's extra rule on its media,
    #: ``(media, local_file) -> [(column, problem, fix)]``, for limits that are not the above.
    media_rule: str | None = None


@dataclass(frozen=True)
class NetworkSpec:
    """One network, described once. A new network is its spec, adapter, emulator, docs
    page and tests (docs/architecture.md, "Add a network")."""

    name: str  # as written in the configuration, the calendar and the warehouse
    display_name: str  # as people read it (Slack, reports)
    adapter: str  # "module:Class" of its NetworkAdapter
    emulator: str  # "module:Class" of its sandbox Emulator
    conn_type: str  # the Airflow connection type
    #: Days of posts the nightly extraction re-reads (metrics.lookback_days overrides it).
    lookback_days: int
    limits: ContentLimits

    @property
    def default_conn_id(self) -> str:
        return f"{self.name}_default"

    @property
    def pool(self) -> str:
        """The Airflow pool that caps concurrent calls to this network, on every worker."""
        return f"socialops_{self.name}"

    @property
    def docs(self) -> str:
        """Its page in the documentation (connection fields, scopes, limits, errors)."""
        return f"docs/networks/{self.name}.md"


def text_with_link(
    limits: ContentLimits, text: str, link: str | None, *, has_media: bool = False
) -> str:
    """The text as the network will show it: the link appended when it travels in the text.

    A link already written in the text is not appended a second time.
    """
    if not link or link in text:
        return text
    if limits.link == "field" and not has_media:
        return text
    return f"{text}{limits.link_separator}{link}" if text else link


def media_kind(media: str) -> MediaKind | None:
    """A media file's kind by the suffix of its path or URL (None: neither kind)."""
    suffix = PurePosixPath(media.split("?")[0]).suffix.lower()
    return "video" if suffix in VIDEO_SUFFIXES else "image" if suffix in IMAGE_SUFFIXES else None


__all__ = ["ContentLimits", "LinkPlacement", "NetworkSpec", "media_kind", "text_with_link"]
