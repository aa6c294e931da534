"""One source's read into the warehouse (cursor and rows together), failures isolated."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.listening.conftest import NOW, ScriptedNetwork, mention

from socialops.listening import service, tasks
from socialops.listening.sources import Context, Source
from socialops.networks import records
from socialops.networks.errors import AuthError, QuotaExceeded
from socialops.warehouse.models import ListeningCursor, Mention, NotificationOutbox

X_SEARCH = Source("x:search", "x", "search", "maisonlumiere")
X_COMMENTS = Source("x:comments:maisonlumiere", "x", "comments", "maisonlumiere")


def stored(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(
                Mention.mention_id, Mention.lang, Mention.sentiment_label, Mention.source
            ).order_by(Mention.mention_id)
        ).all()


def outbox(engine):
    with engine.connect() as connection:
        return connection.execute(
            select(NotificationOutbox.dedup_key, NotificationOutbox.text).order_by(
                NotificationOutbox.id
            )
        ).all()


def test_a_read_stores_the_mentions_scored_and_a_rerun_reads_nothing_twice(run, warehouse_engine):
    network = ScriptedNetwork(
        found=[
            mention("1", 20, "Franchement déçue par maison lumière, commande jamais reçue 😡"),
            mention("2", 10, "I love my maisonlumiere candle, it smells amazing!"),
        ]
    )
    context = Context(run.config, NOW, adapter=lambda: network)
    assert service.listen(warehouse_engine, X_SEARCH, context) == {
        "source": "x:search",
        "read": 2,
        "new": 2,
        "negative": 1,
    }
    assert stored(warehouse_engine) == [
        ("1", "fr", "negative", "x:search"),
        ("2", "en", "positive", "x:search"),
    ]
    again = service.listen(warehouse_engine, X_SEARCH, context)
    assert again["read"] == 0 and again["new"] == 0
    # The second read started from the cursor, not from the first lookback.
    assert network.calls[1][2] == NOW - timedelta(minutes=10)


def test_a_crash_between_the_read_and_the_commit_loses_nothing(run, warehouse_engine):
    network = ScriptedNetwork(found=[mention("1", 20), mention("2", 10)])
    context = Context(run.config, NOW, adapter=lambda: network)

    def crash(connection):
        raise RuntimeError("worker killed between the mentions and the cursor")

    with pytest.raises(RuntimeError):
        service.listen(warehouse_engine, X_SEARCH, context, before_cursor=crash)
    assert stored(warehouse_engine) == []  # rolled back with the cursor
    with warehouse_engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ListeningCursor)) == 0
    summary = service.listen(warehouse_engine, X_SEARCH, context)
    assert summary["new"] == 2 and [r[0] for r in stored(warehouse_engine)] == ["1", "2"]


def test_a_mention_found_by_two_sources_is_stored_once(run, warehouse_engine):
    reply = mention("7", 5, "@maisonlumiere ma bougie fume, c'est normal ?")
    search = ScriptedNetwork(found=[reply])
    comments = ScriptedNetwork(
        found=[replace(reply, kind="comment", in_reply_to="p1")],
        posts=[records.Post("x", "1", "p1", NOW, "post")],
    )
    service.listen(warehouse_engine, X_SEARCH, Context(run.config, NOW, adapter=lambda: search))
    summary = service.listen(
        warehouse_engine, X_COMMENTS, Context(run.config, NOW, adapter=lambda: comments)
    )
    assert summary == {"source": X_COMMENTS.key, "read": 1, "new": 0, "negative": 1}
    with warehouse_engine.connect() as connection:
        rows = connection.execute(select(Mention.kind, Mention.in_reply_to)).all()
    assert rows == [("comment", "p1")]


@pytest.mark.parametrize(
    "error",
    [
        QuotaExceeded("youtube", "quotaExceeded"),
        AuthError("youtube", "401", conn_id="yt", renew="the token"),
    ],
    ids=["quota", "auth"],
)
def test_a_failing_source_is_announced_once_and_the_others_are_read(run, warehouse_engine, error):
    broken = ScriptedNetwork(error=error)
    working = ScriptedNetwork(found=[mention("1", 5)])
    connections = {"youtube": broken, "x": working}
    youtube = Source("youtube:search", "youtube", "video_search", "maisonlumiere").as_kwargs()
    for _ in range(2):  # the retry fails the same way: still one message
        with pytest.raises(type(error)):
            tasks.listen(run, youtube, connect=lambda network, conn: connections[network])
    assert tasks.listen(run, X_SEARCH.as_kwargs(), connect=lambda n, c: connections[n])["new"] == 1
    (notice,) = outbox(warehouse_engine)
    assert notice.dedup_key == f"listening-failure:youtube:search:{type(error).__name__}:2026-11-21"
    assert "YouTube" in notice.text and "youtube:search" in notice.text
    with warehouse_engine.connect() as connection:
        cursors = connection.execute(select(ListeningCursor.source)).scalars().all()
    assert cursors == ["x:search"]  # the failed source's cursor did not move


def test_comments_that_ask_or_complain_need_a_reply_until_the_brand_answers(run, warehouse_engine):
    post = records.Post("x", "1", "p1", NOW - timedelta(days=1), "Nouvelle bougie")

    def comment(mention_id, minutes_ago, text, author="lea"):
        return mention(
            mention_id, minutes_ago, text, kind="comment", in_reply_to="p1", author_handle=author
        )

    network = ScriptedNetwork(
        posts=[post],
        found=[
            comment("q1", 50, "Elle tient combien d'heures ?"),
            comment("r1", 40, "Environ 50 heures !", author="maisonlumiere"),  # the brand
            comment("q2", 30, "Et elle existe en grand format ?"),
            comment("ok", 20, "Trop belle, merci"),
            mention("m1", 10, "maison lumière, ça vaut le coup ?"),  # not a comment
        ],
    )
    context = Context(run.config, NOW, adapter=lambda: network)
    service.listen(warehouse_engine, X_COMMENTS, context)

    def needs_reply():
        with warehouse_engine.connect() as connection:
            return dict(connection.execute(select(Mention.mention_id, Mention.needs_reply)).all())

    assert needs_reply() == {"q1": False, "q2": True, "ok": False, "m1": None}
    # The brand answers q2 later: the next read marks the stored comment answered.
    network.found.append(comment("r2", 5, "Oui, en 400 g", author="maisonlumiere"))
    service.listen(warehouse_engine, X_COMMENTS, context)
    assert needs_reply()["q2"] is False


def test_an_answer_the_network_says_is_the_accounts_own_counts_whatever_its_name(
    run, warehouse_engine
):
    # Facebook names a Page's comment by the Page's display name, not its handle: the
    # adapter marks it by the author's id (by_account), and that is the brand answering.
    post = records.Post("x", "1", "p1", NOW - timedelta(days=1), "Nouvelle bougie")
    network = ScriptedNetwork(
        posts=[post],
        found=[
            mention("q1", 50, "Livrée quand ?", kind="comment", in_reply_to="p1"),
            mention(
                "r1",
                40,
                "Lundi !",
                kind="comment",
                in_reply_to="p1",
                author_handle="Maison Lumière — Bougies",
                by_account=True,
            ),
        ],
    )
    service.listen(warehouse_engine, X_COMMENTS, Context(run.config, NOW, adapter=lambda: network))
    with warehouse_engine.connect() as connection:
        rows = dict(connection.execute(select(Mention.mention_id, Mention.needs_reply)).all())
    assert rows == {"q1": False}  # answered; the brand's own answer is not a mention


def test_a_comment_read_again_by_the_search_stays_a_comment(run, warehouse_engine):
    reply = mention("8", 5, "@maisonlumiere livraison en retard ?")
    post = records.Post("x", "1", "p1", NOW, "post")
    comments = ScriptedNetwork(
        found=[replace(reply, kind="comment", in_reply_to="p1")], posts=[post]
    )
    search = ScriptedNetwork(found=[reply])
    service.listen(warehouse_engine, X_COMMENTS, Context(run.config, NOW, adapter=lambda: comments))
    service.listen(warehouse_engine, X_SEARCH, Context(run.config, NOW, adapter=lambda: search))
    with warehouse_engine.connect() as connection:
        rows = connection.execute(
            select(Mention.kind, Mention.in_reply_to, Mention.needs_reply, Mention.matched_query)
        ).all()
    assert rows == [("comment", "p1", True, None)]
