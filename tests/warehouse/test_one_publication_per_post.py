"""Revision 0003: a post recorded for several publications is kept by the first attempt."""

from datetime import UTC, datetime

from sqlalchemy import text

from socialops.warehouse.engine import downgrade_schema, ensure_schema

T = datetime(2026, 11, 24, 10, tzinfo=UTC)


def test_the_upgrade_keeps_a_shared_post_on_the_first_attempt_and_reconciles_the_others(
    warehouse_engine,
):
    downgrade_schema(warehouse_engine, "0002")
    try:
        with warehouse_engine.begin() as connection:
            for entry in ("a", "b", "c"):
                connection.execute(
                    text(
                        "INSERT INTO calendar_entries (entry_id, scheduled_at, networks, text, "
                        "status, content_hash) "
                        "VALUES (:e, :t, '[\"x\"]', 'Rappel', 'approved', 'h')"
                    ),
                    {"e": entry, "t": T},
                )
            for pid, entry, attempted, external_id in (
                (1, "a", T.replace(minute=5), "7"),
                (2, "b", T.replace(minute=1), "7"),  # attempted first: it keeps post 7
                (3, "c", T.replace(minute=2), "8"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO publications (id, entry_id, network, idempotency_key, "
                        "state, external_id, url, attempts, last_attempt_at) VALUES "
                        "(:id, :e, 'x', :k, 'published', :x, :u, 1, :at)"
                    ),
                    {
                        "id": pid,
                        "e": entry,
                        "k": f"x:{entry}:f",
                        "x": external_id,
                        "u": f"https://x/{external_id}",
                        "at": attempted,
                    },
                )
    finally:
        ensure_schema(warehouse_engine)
    with warehouse_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, state, external_id, url, last_error FROM publications ORDER BY id")
        ).all()
    assert [tuple(r[:4]) for r in rows] == [
        (1, "unconfirmed", None, None),
        (2, "published", "7", "https://x/7"),
        (3, "published", "8", "https://x/8"),
    ]
    assert (
        rows[0].last_error
        == "post 7 is recorded for publication 2: reconciled again by the next run"
    )
