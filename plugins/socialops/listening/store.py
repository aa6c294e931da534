"""Listening's warehouse reads and writes: mentions, the sources' cursors, crisis incidents.

:func:`save` writes a source's mentions and its new cursor in one transaction: either both
are stored or neither (a crash between the read and the commit loses nothing, and the next
run reads the same mentions again, stored once by their (network, id) key).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from socialops.warehouse.engine import transaction
from socialops.warehouse.models import (
    CrisisIncident,
    ListeningCursor,
    Mention,
    NotificationOutbox,
)
from socialops.warehouse.upsert import upsert


def read_position(engine: Engine | Connection, source: str) -> dict[str, Any] | None:
    with transaction(engine) as connection:
        return connection.scalar(
            select(ListeningCursor.position).where(ListeningCursor.source == source)
        )


def save(
    engine: Engine,
    source: str,
    rows: Sequence[dict[str, Any]],
    position: dict[str, Any],
    now: datetime,
    *,
    answered: dict[tuple[str, str], datetime] | None = None,
    before_cursor: Callable[[Connection], None] | None = None,
) -> int:
    """Upsert ``rows`` into ``mentions``, mark the comments the brand has since answered
    (``answered``: (network, own post) → the time of its latest reply there) and move
    ``source``'s cursor, in one transaction; returns how many mentions were new.
    ``before_cursor(connection)`` runs between the writes and the cursor (tests crash there)."""
    with transaction(engine) as connection:
        written = _upsert_mentions(connection, rows)
        for (network, post), replied_at in (answered or {}).items():
            connection.execute(
                update(Mention)
                .where(
                    Mention.network == network,
                    Mention.in_reply_to == post,
                    Mention.created_at <= replied_at,
                    Mention.needs_reply.is_(True),
                )
                .values(needs_reply=False)
            )
        if before_cursor is not None:
            before_cursor(connection)
        write_position(connection, source, position, now)
    return written


#: What a mention row read again as a plain mention must not overwrite: a comment found by a
#: search too (an X reply) stays the comment of its own post.
_COMMENT_COLUMNS = {"kind", "in_reply_to", "needs_reply"}


def _upsert_mentions(connection: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Upsert comments with every column and mentions without the comment's columns;
    returns how many rows were new."""
    comments = [row for row in rows if row["kind"] == "comment"]
    mentions = [row for row in rows if row["kind"] != "comment"]
    inserted = 0
    if comments:
        inserted += upsert(connection, Mention, comments).inserted
    if mentions:
        keep = [c for c in mentions[0] if c not in _COMMENT_COLUMNS | {"network", "mention_id"}]
        inserted += upsert(connection, Mention, mentions, update=keep).inserted
    return inserted


def write_position(
    connection: Connection, source: str, position: dict[str, Any], now: datetime
) -> None:
    upsert(
        connection, ListeningCursor, [{"source": source, "position": position, "updated_at": now}]
    )


def mentions_since(engine: Engine, since: datetime):
    """Stored mentions created since ``since`` (a DataFrame, for the crisis watch)."""
    import pandas as pd

    columns = [
        Mention.network,
        Mention.mention_id,
        Mention.kind,
        Mention.author_handle,
        Mention.text,
        Mention.url,
        Mention.created_at,
        Mention.sentiment_label,
        Mention.sentiment,
        Mention.author_reach,
        Mention.likes,
    ]
    with transaction(engine) as connection:
        rows = connection.execute(
            select(*columns).where(Mention.created_at >= since).order_by(Mention.created_at)
        ).all()
    frame = pd.DataFrame(rows, columns=[c.key for c in columns])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def incident(connection: Connection, scope: str, started_at: datetime) -> dict[str, Any] | None:
    table = CrisisIncident.__table__
    row = (
        connection.execute(
            select(table).where(table.c.scope == scope, table.c.started_at == started_at)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def write_incident(connection: Connection, values: dict[str, Any]) -> None:
    upsert(connection, CrisisIncident, [values], key=("scope", "started_at"))


def announced(connection: Connection, updates_key: str) -> bool:
    """Whether a version of the message ``updates_key`` is in the outbox."""
    found = connection.scalar(
        select(NotificationOutbox.id).where(NotificationOutbox.updates_key == updates_key).limit(1)
    )
    return found is not None
