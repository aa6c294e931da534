"""Engineer details, kept out of the community managers' channels.

Raw errors, run ids, HTTP paths and Airflow commands help whoever runs socialops, not the
person who plans posts. Each feature logs them in its task log and, when the configuration
names one (``slack.channels.ops``), also sends them there with :func:`ops_notice`; the CM's
message says in plain words what happened and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from socialops.i18n import Text
from socialops.notifications.blocks import MAX_SECTION_TEXT, Message, context, section
from socialops.notifications.catalogue import Reader
from socialops.notifications.mrkdwn import escape, truncate
from socialops.notifications.outbox import Notice

#: Room for the fences of a preformatted block in a section.
_FENCES = len("```\n\n```")


def ops_details(reader: Reader, title: Text, details: Sequence[str]) -> Message:
    """``title`` (in the reader's language) and the raw ``details`` (errors, commands) in a
    preformatted block, each line as it was written (escaped, never interpreted)."""
    headline = reader.render(title)
    body = truncate(
        "\n".join(escape(line, code=True) for line in details), MAX_SECTION_TEXT - _FENCES
    )
    blocks = [context(headline)]
    if body:
        blocks.append(section(f"```\n{body}\n```"))
    return Message(headline, blocks)


def ops_notice(
    channel: str | None, key: str, reader: Reader, title: Text, details: Sequence[str]
) -> list[Notice]:
    """The ops channel's notice (its key is ``key`` + ``:ops``), or nothing when no ops
    channel is configured: the details are then in the task log only."""
    if not channel:
        return []
    return [Notice.of(f"{key}:ops", channel, ops_details(reader, title, details))]
