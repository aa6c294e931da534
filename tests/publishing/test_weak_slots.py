"""The calendar sync's advice on entries planned in a weak slot (docs/calendar.md)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from socialops.calendar.sources import write_csv
from socialops.config import load_config
from socialops.publishing.service import sync
from socialops.reports import service as reports_service
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import (
    Account,
    NotificationOutbox,
    Post,
    PostMetricsDaily,
    Publication,
)
from socialops.warehouse.upsert import upsert

PARIS = ZoneInfo("Europe/Paris")
#: Monday 23 November 2026, 9:00 in Paris: the history is the 12 weeks before.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
#: Brand-local (weekday, hour) → likes per 1 000 reach: Thursday and Friday 9h are weak.
SLOTS = {(0, 12): 40, (1, 18): 60, (2, 12): 40, (3, 9): 15, (4, 12): 40, (4, 9): 20}


def paris(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=PARIS)


def seed(engine, weeks: int) -> None:
    """``weeks`` weeks (the last ones before NOW's week) of the brand's X posts at SLOTS."""
    posts, snapshots = [], []
    monday = date(2026, 11, 23) - timedelta(weeks=weeks)
    for week in range(weeks):
        for (weekday, hour), likes in SLOTS.items():
            day = monday + timedelta(weeks=week, days=weekday)
            post_id = f"p{week}-{weekday}-{hour}"
            created = datetime.combine(day, time(hour, 5), tzinfo=PARIS).astimezone(UTC)
            posts.append(
                {
                    "network": "x",
                    "external_id": post_id,
                    "account_id": "x-1",
                    "account_handle": "maisonlumiere",
                    "created_at": created,
                    "text": "Bonjour",
                    "url": f"https://x.com/maisonlumiere/status/{post_id}",
                    "kind": "post",
                }
            )
            seen = min(day + timedelta(days=3), date(2026, 11, 22))
            snapshots.append(
                {
                    "network": "x",
                    "post_id": post_id,
                    "day": seen,
                    "impressions": 1300,
                    "reach": 1000,
                    "likes": likes,
                    "comments": 0,
                    "shares": 0,
                    "saves": 0,
                }
            )
    with engine.begin() as connection:
        account = {"network": "x", "handle": "maisonlumiere", "external_id": "x-1"}
        upsert(connection, Account, [{**account, "role": "owned"}], key=["network", "handle"])
        upsert(connection, Post, posts)
        upsert(connection, PostMetricsDaily, snapshots)


@pytest.fixture
def config(tmp_path):
    base = load_config()
    publication = base.publication.model_copy(
        update={
            "calendar": base.publication.calendar.model_copy(
                update={"path": str(tmp_path / "calendar.csv")}
            )
        }
    )
    return base.model_copy(update={"publication": publication})


def plan_at(config, moment: datetime, **cells) -> None:
    row = {
        "entry_id": "e1",
        "scheduled_at": moment.isoformat(),
        "networks": "x",
        "text": "Nouvelle bougie",
        "status": "approved",
    }
    write_csv(config.publication.calendar.path, [{**row, **cells}])


def advice(engine) -> list[NotificationOutbox]:
    with session_scope(engine) as session:
        return list(
            session.scalars(
                select(NotificationOutbox)
                .where(NotificationOutbox.dedup_key.like("calendar:weak-slot:%"))
                .order_by(NotificationOutbox.id)
            )
        )


def test_a_new_entry_in_a_weak_slot_is_advised_once_and_again_when_moved_to_another(
    warehouse_engine, config, monkeypatch
):
    seed(warehouse_engine, 12)
    plan_at(config, paris("2026-11-26", 9, 30))  # Thursday 9h
    assert sync(config, warehouse_engine, now=NOW).weak_slots == 1
    (notice,) = advice(warehouse_engine)
    assert notice.channel == config.slack.channels.digest
    text = str(notice.blocks)  # the whole message, not only its headline
    # In French (the sample brand): the planned time, the lift below usual, better slots
    # of the same week (Wednesday and Friday noon), and that it still goes out.
    assert "jeu. 26 nov. 2026 à 09:30" in text
    assert "mer. 25 nov. 2026 à 12:00" in text and "ven. 27 nov. 2026 à 12:00" in text
    assert "de moins" in text and "12 publications" in text
    assert "part comme prévu" in text
    with session_scope(warehouse_engine) as session:
        assert session.scalars(select(Publication.state)).all() == ["pending"]  # not rejected

    # Unchanged: the history is not even read, nothing is said again.
    def unread(*args, **kwargs):
        raise AssertionError("an unchanged calendar reads no history")

    monkeypatch.setattr(reports_service, "slots_for_week", unread)
    again = sync(config, warehouse_engine, now=NOW + timedelta(minutes=5))
    assert again.weak_slots == 0 and len(advice(warehouse_engine)) == 1
    monkeypatch.undo()

    # Moved to Friday 9h, weak too: said again, for the new time.
    plan_at(config, paris("2026-11-27", 9, 0))
    assert sync(config, warehouse_engine, now=NOW + timedelta(minutes=10)).weak_slots == 1
    keys = [n.dedup_key for n in advice(warehouse_engine)]
    assert len(keys) == 2 and keys[1].endswith(paris("2026-11-27", 9).astimezone(UTC).isoformat())
    # Moved to a good slot, or only edited: nothing.
    plan_at(config, paris("2026-11-25", 12, 15))
    assert sync(config, warehouse_engine, now=NOW + timedelta(minutes=15)).weak_slots == 0
    plan_at(config, paris("2026-11-25", 12, 15), text="Nouvelle bougie, enfin")
    assert sync(config, warehouse_engine, now=NOW + timedelta(minutes=20)).weak_slots == 0
    assert len(advice(warehouse_engine)) == 2


def test_the_advice_is_in_the_brand_language(warehouse_engine, config):
    seed(warehouse_engine, 12)
    english = config.model_copy(update={"brand": config.brand.model_copy(update={"locale": "en"})})
    plan_at(english, paris("2026-11-26", 9, 30))
    assert sync(english, warehouse_engine, now=NOW).weak_slots == 1
    (notice,) = advice(warehouse_engine)
    assert "Thu, 26 Nov 2026 at 09:30" in notice.text
    assert "goes out as planned" in str(notice.blocks)


@pytest.mark.parametrize("weeks", [0, 1])
def test_with_little_history_nothing_is_said(warehouse_engine, config, weeks):
    if weeks:
        seed(warehouse_engine, weeks)  # 6 posts: fewer than the account needs
    plan_at(config, paris("2026-11-26", 9, 30))
    assert sync(config, warehouse_engine, now=NOW).weak_slots == 0
    assert advice(warehouse_engine) == []


def test_a_weak_slot_already_past_is_not_advised(warehouse_engine, config):
    seed(warehouse_engine, 12)
    plan_at(config, paris("2026-11-26", 9, 30))
    late = paris("2026-11-26", 10).astimezone(UTC)  # a missed post moved back, or a late row
    assert sync(config, warehouse_engine, now=late).weak_slots == 0
