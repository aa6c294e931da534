"""Slack messages within Slack's limits: at most 50 blocks and 3,000 characters a section.

Long texts are cut with an ellipsis, long lists are split across sections and the tail is
summarised (:func:`fit_blocks`), instead of Slack refusing the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from socialops.notifications.mrkdwn import truncate

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_TEXT = 2000  # per context element
#: The notification preview; Slack accepts 40,000 but nobody reads that in a push notification.
MAX_FALLBACK_TEXT = 3000


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section; ``text`` must already be safe (escaped values in a template)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}}


def context(text: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_CONTEXT_TEXT)}],
    }


def pack_lines(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[list[str]]:
    """Bullet lines (``• line``, each cut to ``limit``) grouped so each group fits one section."""
    groups: list[list[str]] = []
    size = 0
    for line in lines:
        bullet = truncate(f"• {line}", limit)
        if groups and size + 1 + len(bullet) <= limit:
            groups[-1].append(bullet)
            size += 1 + len(bullet)
        else:
            groups.append([bullet])
            size = len(bullet)
    return groups


def list_sections(lines: Iterable[str], limit: int = MAX_SECTION_TEXT) -> list[dict[str, Any]]:
    """Bullet lines packed into as few sections as the 3,000-character limit allows."""
    return [section("\n".join(group)) for group in pack_lines(lines, limit)]


def fit_blocks(blocks: Sequence[dict[str, Any]], more: str = "…") -> list[dict[str, Any]]:
    """At most 50 blocks: past the limit, the last kept block is a context saying what was left out.

    ``more`` is a template with ``{count}`` (the number of blocks dropped), already escaped.
    """
    if len(blocks) <= MAX_BLOCKS:
        return list(blocks)
    kept = list(blocks[: MAX_BLOCKS - 1])
    return [*kept, context(more.format(count=len(blocks) - len(kept)))]


@dataclass(frozen=True)
class Message:
    """A Slack message: ``text`` is the notification preview (and the fallback), ``blocks`` the body."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", truncate(self.text, MAX_FALLBACK_TEXT))
        object.__setattr__(self, "blocks", fit_blocks(self.blocks))
