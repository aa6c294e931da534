"""Accounts a network does not show to us (competitor watch, influencer scoring): why, and
when they are looked up again.

An account that cannot be read (private, not a business account, deleted, a network without
an API for it) is recorded with its reason and skipped until ``retry_on``; the feature
announces the reason when :func:`mark_unreadable` says it is new, so it is told once, not
every day. When the account is readable again, :func:`clear_unreadable` forgets it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from socialops.warehouse.engine import transaction
from socialops.warehouse.models import UnreadableAccount
from socialops.warehouse.upsert import upsert


def unreadable(
    connection: Engine | Connection, purpose: str, network: str, day: date
) -> dict[str, dict[str, Any]]:
    """Casefolded handle → the row of the accounts not to look up on ``day``."""
    query = select(UnreadableAccount.__table__).where(
        UnreadableAccount.purpose == purpose,
        UnreadableAccount.network == network,
        UnreadableAccount.retry_on > day,
    )
    with transaction(connection) as conn:
        rows = conn.execute(query).mappings()
        return {row["handle"].casefold(): dict(row) for row in rows}


def mark_unreadable(
    connection: Connection, purpose: str, network: str, handle: str, reason: str, day: date,
    retry_on: date,
) -> bool:  # fmt: skip
    """Record why ``handle`` cannot be read; True when the account was not recorded with
    this reason already (so the reason is new and worth announcing)."""
    key = (
        UnreadableAccount.purpose == purpose,
        UnreadableAccount.network == network,
        UnreadableAccount.handle == handle,
    )
    previous = connection.execute(select(UnreadableAccount.reason).where(*key)).scalar()
    row = {
        "purpose": purpose,
        "network": network,
        "handle": handle,
        "reason": reason,
        "since": day,
        "retry_on": retry_on,
    }
    update = ["reason", "since", "retry_on"] if previous != reason else ["retry_on"]
    upsert(connection, UnreadableAccount, [row], update=update)
    return previous != reason


def clear_unreadable(connection: Connection, purpose: str, network: str, handle: str) -> bool:
    """The account is readable again: forget why it was not. True when it was recorded."""
    result = connection.execute(
        delete(UnreadableAccount).where(
            UnreadableAccount.purpose == purpose,
            UnreadableAccount.network == network,
            UnreadableAccount.handle == handle,
        )
    )
    return bool(result.rowcount)
