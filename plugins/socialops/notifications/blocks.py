"""Slack messages built with ``slack_sdk.models.blocks``, always within Slack's limits.

Slack refuses a message with more than 50 blocks, a section text over 3,000 characters or
a header over 150 (``invalid_blocks``), and slack_sdk raises
``SlackObjectFormationError`` for the same values when a block is serialised. The builders
here cut long texts with an ellipsis first (never inside an escape or a link), so a long
value shortens a message instead of failing it; :func:`fit_blocks` keeps at most 50 blocks
and says how many were left out. Every mrkdwn text object is ``verbatim``: Slack does not
turn bare URLs, channel names or ``@here`` into links or pings in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from socialops.notifications.mrkdwn import truncate

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 2000  # per context element
#: The notification preview; Slack accepts 40,000 but nobody reads that in a push notification.
MAX_FALLBACK_TEXT = 3000


def _mrkdwn(text: str, limit: int) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate(text, limit), verbatim=True)


def section(text: str) -> SectionBlock:
    """A mrkdwn section; ``text`` must already be safe (escaped values in a template)."""
    return SectionBlock(text=_mrkdwn(text, MAX_SECTION_TEXT))


def context(text: str) -> ContextBlock:
    """A small grey line (a note, a time, what to do next)."""
    return ContextBlock(elements=[_mrkdwn(text, MAX_CONTEXT_TEXT)])


def header(text: str) -> HeaderBlock:
    """A title in large type: plain text (no markup, no user values), emoji codes allowed."""
    return HeaderBlock(text=PlainTextObject(text=truncate(text, MAX_HEADER_TEXT), emoji=True))


def divider() -> DividerBlock:
    return DividerBlock()


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


def with_list(
    head: Sequence[Block],
    lines: Sequence[str],
    more: Callable[[int], str],
    *,
    reserve: int = 0,
) -> list[Block]:
    """``head``, then the bullet ``lines`` in as few sections as fit in 50 blocks, leaving
    ``reserve`` blocks free for what the caller adds after the list.

    Lines that do not fit are counted in a last context block (``more(count)``, e.g. "… and
    12 more") rather than dropped silently.
    """
    groups = pack_lines(lines)
    room = MAX_BLOCKS - reserve - len(head)
    if len(groups) > room:
        hidden = sum(len(group) for group in groups[room - 1 :])
        shown = [section("\n".join(group)) for group in groups[: room - 1]]
        return [*head, *shown, context(more(hidden))]
    return [*head, *(section("\n".join(group)) for group in groups)]


def fit_blocks(blocks: Sequence[Block]) -> list[Block]:
    """At most 50 blocks: past the limit, the last kept block says how many were left out.

    Builders with long lists use :func:`with_list`, which says it in the reader's language;
    this is the safety net.
    """
    if len(blocks) <= MAX_BLOCKS:
        return list(blocks)
    kept = list(blocks[: MAX_BLOCKS - 1])
    return [*kept, context(f"… +{len(blocks) - len(kept)}")]


@dataclass(frozen=True)
class Message:
    """A Slack message: ``text`` is the notification preview (and the fallback), ``blocks``
    the body."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", truncate(self.text, MAX_FALLBACK_TEXT))
        object.__setattr__(self, "blocks", fit_blocks(self.blocks))

    def block_dicts(self) -> list[dict[str, Any]]:
        """The blocks as Slack's JSON (what the outbox stores); slack_sdk validates them here."""
        return [block.to_dict() for block in self.blocks]
