"""The moves worth knowing over two days of watch: found, grouped in one message, told once;
and the weekly view agreeing with the pandas benchmark."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import select, text
from tests.competitors.test_service import block_text
from tests.support.competitor_world import DAY, JUMP_AT, VIRAL_POST, X_OTHER

from socialops.analytics.competitors import weekly_benchmark
from socialops.competitors import store
from socialops.competitors.service import announce_moves
from socialops.notifications.catalogue import Reader
from socialops.warehouse.models import CompetitorSnapshot, NotificationOutbox
from socialops.warehouse.upsert import upsert
from socialops.warehouse.views import create_kpi_views

NEXT_DAY = DAY + timedelta(days=1)


def two_days(watch, clock):
    watch("x", DAY)
    clock[0] = JUMP_AT + timedelta(hours=1)
    watch("x", NEXT_DAY)


def announce(config, engine, day, locale="en"):
    return announce_moves(
        config,
        engine,
        day,
        now=JUMP_AT,
        reader=Reader(locale, config.brand.timezone),
        channel="#digest",
    )


def outbox(engine):
    with engine.connect() as connection:
        return [
            (r.dedup_key, block_text(r.blocks))
            for r in connection.execute(select(NotificationOutbox)).all()
        ]


def test_viral_post_and_follower_jump_in_one_message_told_once(
    watch, clock, config, warehouse_engine
):
    two_days(watch, clock)
    before = len(outbox(warehouse_engine))

    result = announce(config, warehouse_engine, NEXT_DAY)

    assert result["moves"] == [
        f"competitor:follower_jump:x:{X_OTHER}:{NEXT_DAY}",
        f"competitor:viral_post:x:{VIRAL_POST}",
    ]
    messages = outbox(warehouse_engine)[before:]
    assert len(messages) == 1
    body = messages[0][1]
    assert "2 moves worth knowing" in body
    assert f"<https://x.com/rival/status/{VIRAL_POST}|see the post>" in body
    assert "followers rose from 10,000" in body and "to 11,000 (+10%)" in body
    again = announce(config, warehouse_engine, NEXT_DAY)
    assert again["moves"] == [] and again["slack_messages"] == 0
    assert len(outbox(warehouse_engine)) == before + 1


def test_the_moves_in_french(watch, clock, config, warehouse_engine):
    two_days(watch, clock)
    announce(config, warehouse_engine, NEXT_DAY, locale="fr")
    body = outbox(warehouse_engine)[-1][1]
    assert "mouvements à connaître" in body
    assert "voir la publication" in body


def test_the_weekly_view_agrees_with_the_pandas_benchmark(watch, clock, config, warehouse_engine):
    two_days(watch, clock)
    week_before = {"network": "x", "account_id": X_OTHER, "day": DAY - timedelta(days=7),
                   "handle": "otherco", "owner_name": "Other Co", "followers": 9_500}  # fmt: skip
    upsert(warehouse_engine, CompetitorSnapshot, [week_before])
    create_kpi_views(warehouse_engine, timezone=config.brand.timezone)
    with warehouse_engine.connect() as connection:
        view = pd.DataFrame(
            connection.execute(text("SELECT * FROM kpi_competitor_weekly")).mappings().all()
        )
    since = DAY - timedelta(days=40)
    frame = weekly_benchmark(
        store.audience(warehouse_engine, since, NEXT_DAY, "Brand"),
        store.posts(warehouse_engine, since, NEXT_DAY, "Brand"),
        config.brand.timezone,
    )
    columns = ["network", "account_id", "week", "followers", "follower_growth", "posts",
               "engagements", "engagements_per_post", "engagement_rate_followers_pct"]  # fmt: skip
    view["week"] = pd.to_datetime(view["week"]).dt.date
    view[columns[3:]] = view[columns[3:]].apply(pd.to_numeric)
    key = ["network", "account_id", "week"]
    left = view[columns].sort_values(key).reset_index(drop=True)
    right = frame[columns].sort_values(key).reset_index(drop=True)
    assert len(left) == len(right) > 2
    assert right["follower_growth"].notna().sum() == 1  # otherco, over the week before
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_the_benchmark_tables_of_a_week(watch, clock, config, warehouse_engine):
    from socialops.competitors.service import benchmark
    from socialops.warehouse.models import Mention

    two_days(watch, clock)
    mention = {"network": "x", "kind": "mention", "author_id": "1", "created_at": JUMP_AT,
               "sentiment_label": "negative"}  # fmt: skip
    upsert(warehouse_engine, Mention, [
        {**mention, "mention_id": "m1", "text": "Rival Co again"},
        {**mention, "mention_id": "m2", "text": "#rivalco", "sentiment_label": "positive"},
        {**mention, "mention_id": "m3", "text": "Brand is nice"},
    ])  # fmt: skip

    tables = benchmark(config, warehouse_engine, DAY - timedelta(days=6), NEXT_DAY)

    voice = tables.share_of_voice.set_index("owner")
    assert voice.loc["Rival Co", ["mentions", "positive", "negative"]].tolist() == [2, 1, 1]
    assert voice.loc["Brand", "mentions"] == 1
    assert voice.loc["Other Co", "share_pct"] == 0
    assert tables.top_posts.iloc[0]["post_id"] == VIRAL_POST
    assert set(tables.weekly["account_id"]) >= {X_OTHER}
    assert (tables.formats["posts"] > 0).all()
