"""NetworkWatch against the sandbox over real HTTP, on SQLite and PostgreSQL: what a day of
watch stores, the accounts a network does not show (told once, not retried daily), reruns,
a renamed account, a network down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.support.adapters import logged
from tests.support.competitor_world import DAY, NOW, VIRAL_POST, X_OTHER, X_RIVAL

from socialops.networks import TransientError
from socialops.warehouse.models import (
    CompetitorPost,
    CompetitorSnapshot,
    NotificationOutbox,
    UnreadableAccount,
)


def rows(engine, model):
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(model.__table__))]


def notices(engine) -> list[str]:
    """Each outbox message as the text of its blocks."""
    with engine.connect() as connection:
        messages = connection.execute(select(NotificationOutbox.blocks)).scalars()
        return [block_text(blocks) for blocks in messages]


def block_text(blocks) -> str:
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [e["text"] for e in block.get("elements", [])]
    return "\n".join(texts)


def test_a_day_of_x_stores_snapshots_and_posts_and_names_the_missing_account(
    watch, warehouse_engine
):
    result = watch("x", DAY)

    assert sorted(result.watched) == ["otherco", "rival"]
    assert [(u.handle, u.code) for u in result.unreadable] == [("gone_away", "not_found")]
    snapshots = {r["account_id"]: r for r in rows(warehouse_engine, CompetitorSnapshot)}
    assert set(snapshots) == {X_RIVAL, X_OTHER}
    rival = snapshots[X_RIVAL]
    assert (rival["day"], rival["owner_name"], rival["followers"]) == (DAY, "Rival Co", 40_000)
    assert rival["posts_in_window"] == 20
    posts = {r["post_id"]: r for r in rows(warehouse_engine, CompetitorPost)}
    assert len(posts) == 20
    viral = posts[VIRAL_POST]
    assert (viral["likes"], viral["comments"], viral["shares"], viral["views"]) == (
        2000, 150, 300, 50_000,
    )  # fmt: skip
    # Two lookups (one by handle for each batch kind), then one timeline per readable account.
    assert result.api_calls["GET /2/users/by"] == 1
    assert result.api_calls["GET /2/users/:id/tweets"] == 2
    (text,) = notices(warehouse_engine)
    assert "Other Co: X gone_away cannot be watched" in text


def test_a_rerun_of_the_day_writes_nothing_and_tells_nothing_again(watch, warehouse_engine):
    watch("x", DAY)
    again = watch("x", DAY)

    for table, counts in again.loaded.items():
        assert counts["inserted"] == counts["updated"] == 0, table
    assert again.notices == 0
    assert len(notices(warehouse_engine)) == 1


def test_an_unreadable_account_is_not_retried_daily_then_is_tried_again(
    watch, warehouse_engine, server
):
    watch("x", DAY, retry_days=7)
    server.sandbox.requests.clear()

    next_day = watch("x", DAY + timedelta(days=1), retry_days=7)

    assert next_day.skipped == ["gone_away"]
    asked = ",".join(c["query"].get("usernames", "") for c in logged(server.sandbox, "x"))
    assert "gone_away" not in asked
    later = watch("x", DAY + timedelta(days=7), retry_days=7)
    assert [u.handle for u in later.unreadable] == ["gone_away"]
    assert later.notices == 0  # same reason: told once
    (row,) = rows(warehouse_engine, UnreadableAccount)
    assert row["retry_on"] == DAY + timedelta(days=14)


def test_instagram_business_account_watched_personal_account_told_once(watch, warehouse_engine):
    result = watch("instagram", DAY)

    assert result.watched == ["rival"]
    assert [(u.handle, u.code) for u in result.unreadable] == [
        ("otherco_perso", "not_professional")
    ]
    assert len(rows(warehouse_engine, CompetitorPost)) == 20
    # Profile and posts of the business account in one discovery call.
    discovery = [
        k for k, n in result.api_calls.items() if "business_discovery" in k for _ in range(n)
    ]
    assert len(discovery) == 2  # rival (profile and media) and otherco_perso (refused)
    assert "business or creator" in notices(warehouse_engine)[0]


def test_facebook_page_figures_kept_when_its_posts_need_public_content_access(
    watch, warehouse_engine
):
    result = watch("facebook", DAY)

    assert result.watched == ["rival"]
    assert [(u.handle, u.code, u.posts) for u in result.unreadable] == [
        ("rival", "page_public_content", True)
    ]
    (snapshot,) = rows(warehouse_engine, CompetitorSnapshot)
    assert (snapshot["followers"], snapshot["posts_in_window"]) == (30_000, None)
    (text,) = notices(warehouse_engine)
    assert "the posts of Facebook rival cannot be read" in text


def test_linkedin_is_not_watched_and_says_why(watch, warehouse_engine):
    result = watch("linkedin", DAY)

    assert result.watched == []
    assert [(u.handle, u.code) for u in result.unreadable] == [("rival-co", "no_api")]
    assert result.api_calls == {}
    assert "LinkedIn" in notices(warehouse_engine)[0]


def test_a_renamed_account_is_followed_by_its_id_with_its_history(
    watch, warehouse_engine, server, clock
):
    watch("x", DAY)
    server.sandbox.world.accounts[("x", X_OTHER)].handle = "otherco_new"
    clock[0] = NOW + timedelta(days=1)

    result = watch("x", DAY + timedelta(days=1))

    assert result.renamed == [("otherco", "otherco_new")]
    assert "otherco" in result.watched
    with warehouse_engine.connect() as connection:
        days = connection.execute(
            select(func.count()).where(CompetitorSnapshot.account_id == X_OTHER)
        ).scalar()
    assert days == 2
    assert any("renamed X otherco to otherco_new" in t for t in notices(warehouse_engine))


def test_a_network_down_raises_and_writes_nothing(watch, warehouse_engine, server):
    server.sandbox.add_fault({"network": "x", "kind": "server_error", "count": None, "rate": 1.0})

    with pytest.raises(TransientError):
        watch("x", DAY)

    assert rows(warehouse_engine, CompetitorSnapshot) == []
    assert notices(warehouse_engine) == []


def test_hidden_posts_are_read_again_once_the_network_shows_them(watch, warehouse_engine, server):
    watch("facebook", DAY, retry_days=7)
    server.sandbox.world.page_public_content_access = True  # Meta approved the app

    week_later = watch("facebook", DAY + timedelta(days=7), retry_days=7)

    assert week_later.unreadable == []
    assert rows(warehouse_engine, UnreadableAccount) == []
    snapshots = sorted(rows(warehouse_engine, CompetitorSnapshot), key=lambda r: r["day"])
    assert snapshots[-1]["posts_in_window"] is not None
