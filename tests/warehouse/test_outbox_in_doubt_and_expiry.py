"""Revision 0005: messages the former attempt cap gave up on are deliverable again."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from socialops.warehouse.engine import downgrade_schema, ensure_schema


def states(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        query = "SELECT dedup_key, state FROM notification_outbox ORDER BY id"
        return [tuple(r) for r in connection.execute(text(query))]


def test_failed_messages_are_pending_again_and_the_new_states_come_and_go(warehouse_engine):
    downgrade_schema(warehouse_engine, "0004")
    try:
        with warehouse_engine.begin() as connection:
            for key, state in (("a", "sent"), ("b", "failed"), ("c", "pending")):
                connection.execute(
                    text(
                        "INSERT INTO notification_outbox (dedup_key, channel, text, state) "
                        "VALUES (:k, '#c', 't', :s)"
                    ),
                    {"k": key, "s": state},
                )
    finally:
        ensure_schema(warehouse_engine)
    # Given up by the cap: young ones go out in order, old ones expire and are reported.
    assert states(warehouse_engine) == [("a", "sent"), ("b", "pending"), ("c", "pending")]
    with warehouse_engine.begin() as connection:
        connection.execute(text("UPDATE notification_outbox SET state = 'sending' WHERE id = 3"))
        connection.execute(text("UPDATE notification_outbox SET state = 'expired' WHERE id = 2"))
    with pytest.raises(IntegrityError), warehouse_engine.begin() as connection:
        connection.execute(text("UPDATE notification_outbox SET state = 'lost' WHERE id = 1"))

    downgrade_schema(warehouse_engine, "0004")
    try:
        # The former code knows neither new state: in doubt is sent again, expired stays off.
        assert states(warehouse_engine) == [("a", "sent"), ("b", "failed"), ("c", "pending")]
    finally:
        ensure_schema(warehouse_engine)
