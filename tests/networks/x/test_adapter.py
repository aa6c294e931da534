"""XAdapter (x/adapter.py) against the X emulator over real HTTP: happy paths, pagination,
batching, the exactly-once rules of a post."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from tests.support.adapters import logged
from tests.support.x_world import (
    BRAND_ID,
    NOW,
    RIVAL_ID,
    lose_the_answers_to_posts,
)

from socialops.hooks import connect
from socialops.networks import (
    AuthError,
    Draft,
    DuplicateContent,
    InvalidRequest,
    OutcomeUnknown,
    TransientError,
    idempotency_key,
)
from socialops.networks.x.adapter import XAdapter, conversation_queries
from socialops.sandbox.world import SandboxMention, SandboxPost
from socialops.sandbox.x_api import XEmulator

SINCE = NOW - timedelta(days=1)


NEWEST_POST = "1800000000000000000"


def test_check_returns_the_authenticated_account(adapter):
    profile = adapter.check()
    assert (profile.account_id, profile.handle, profile.followers, profile.verified) == (
        BRAND_ID,
        "brand",
        12000,
        True,
    )
    assert adapter.api_calls == {"GET /2/users/me": 1}


def test_publish_appends_the_link_and_the_post_enters_the_world(adapter, sandbox):
    key = idempotency_key("entry-1", "x", "Spring sale & more")
    receipt = adapter.publish(
        Draft("brand", "Spring sale & more", link="https://shop.example/spring"), key
    )

    assert receipt.url == f"https://x.com/brand/status/{receipt.external_id}"
    post = sandbox.world.post("x", receipt.external_id)
    assert post.account_id == BRAND_ID
    assert post.text.startswith("Spring sale & more https://t.co/")  # X shortens every link
    assert post.link == "https://shop.example/spring"
    assert adapter.api_calls["POST /2/tweets"] == 1


def test_find_published_recognises_the_post_despite_tco_and_html_escaping(adapter):
    text = "Fish & chips <today> https://example.com/menu"
    key = idempotency_key("entry-2", "x", text)
    receipt = adapter.publish(Draft("brand", text), key)

    assert adapter.find_published(key, "brand", NOW - timedelta(minutes=5)) == receipt
    assert (
        adapter.find_published(idempotency_key("other", "x", "something else"), "brand", SINCE)
        is None
    )


def test_handle_is_resolved_once_and_cached(adapter):
    adapter.recent_posts("brand", SINCE)
    adapter.recent_posts("@Brand", SINCE)
    assert adapter.api_calls["GET /2/users/by/username/:username"] == 1


def test_recent_posts_follow_pagination(server, sandbox, make_adapter):
    world = sandbox.world
    for n in range(230):
        world.add_post(
            SandboxPost(
                "x",
                str(1_810_000_000_000_000_000 + n),
                RIVAL_ID,
                f"rival {n}",
                NOW - timedelta(minutes=n + 1),
            )
        )
    adapter = make_adapter(server)

    posts = adapter.recent_posts("rival", SINCE)

    assert len(posts) == 230  # the rival's post of two days ago is before `since`
    timeline = logged(sandbox, "x", "GET", f"/2/users/{RIVAL_ID}/tweets")
    assert [r["query"].get("pagination_token") is not None for r in timeline] == [False, True, True]
    assert all(r["query"]["max_results"] == "100" for r in timeline)
    assert posts[0].created_at > posts[-1].created_at
    assert posts[0].url == f"https://x.com/rival/status/{posts[0].post_id}"


def test_account_metrics_reports_what_x_gives_and_none_for_the_rest(adapter):
    metrics = adapter.account_metrics("brand", NOW.date())
    assert (metrics.followers, metrics.following, metrics.posts_count) == (12000, 300, 12)
    assert metrics.impressions is None and metrics.reach is None and metrics.profile_views is None


def test_post_metrics_maps_public_and_private_counters(adapter, sandbox):
    own, rival = adapter.post_metrics([NEWEST_POST, "1700000000000000000"])

    expected = sandbox.world.post("x", NEWEST_POST).metrics_at(NOW)
    assert own.impressions == expected["impressions"]
    assert own.likes == expected["likes"] and own.comments == expected["comments"]
    assert own.shares == expected["shares"] and own.saves == expected["saves"]
    assert own.link_clicks == expected["link_clicks"]  # non_public_metrics: own post, user context
    assert rival.post_id == "1700000000000000000"
    assert rival.link_clicks is None  # X refuses private metrics of someone else's post
    assert (
        rival.impressions == sandbox.world.post("x", rival.post_id).metrics_at(NOW)["impressions"]
    )


def test_post_metrics_skips_missing_ids_without_failing_the_batch(adapter, caplog):
    result = adapter.post_metrics([NEWEST_POST, "123456789"])
    assert [m.post_id for m in result] == [NEWEST_POST]
    assert "123456789" in caplog.text


def test_post_metrics_batches_at_100_ids(server, sandbox, make_adapter):
    world = sandbox.world
    ids = [str(1_820_000_000_000_000_000 + n) for n in range(250)]
    for n, post_id in enumerate(ids):
        world.add_post(
            SandboxPost(
                "x", post_id, RIVAL_ID, f"old {n}", NOW - timedelta(days=3), final={"likes": n}
            )
        )
    adapter = make_adapter(server, bearer_only=True)

    metrics = adapter.post_metrics(ids)

    assert [m.post_id for m in metrics] == ids
    lookups = logged(sandbox, "x", "GET", "/2/tweets")
    assert [len(r["query"]["ids"].split(",")) for r in lookups] == [100, 100, 50]
    assert adapter.api_calls == {"GET /2/tweets": 3}
    assert metrics[249].likes == world.post("x", ids[249]).metrics_at(NOW)["likes"]


def test_mentions_paginate_with_next_token_and_carry_authors(adapter, sandbox):
    for n in range(150):
        sandbox.world.mentions.append(
            SandboxMention(
                "x",
                str(1_870_000_000_000_000_000 + n),
                "1000000003",
                "fan",
                f"more brand talk {n}",
                "en",
                "neutral",
                NOW - timedelta(hours=2, minutes=n),
            )
        )
    mentions = adapter.mentions("brand -from:brand", SINCE)

    assert len(mentions) == 30 + 150
    searches = logged(sandbox, "x", "GET", "/2/tweets/search/recent")
    assert len(searches) == 2 and "next_token" in searches[1]["query"]
    first = mentions[0]
    assert (first.author_id, first.author_handle, first.kind) == ("1000000003", "fan", "mention")
    assert {m.lang for m in mentions} == {"en", "fr"}
    assert first.url == f"https://x.com/fan/status/{first.mention_id}"


def test_mentions_never_ask_for_more_than_the_seven_days_of_recent_search(adapter, sandbox):
    adapter.mentions("@brand", NOW - timedelta(days=30))
    start = datetime.fromisoformat(
        logged(sandbox, "x", "GET", "/2/tweets/search/recent")[0]["query"]["start_time"]
    )
    assert start >= NOW - timedelta(days=7)


def test_comments_search_the_conversations_of_own_posts(adapter, sandbox):
    comments = adapter.comments([NEWEST_POST, "1800000000000000001"], SINCE)

    assert {c.mention_id for c in comments} == {"1860000000000000000", "1860000000000000001"}
    assert all(c.kind == "comment" and c.in_reply_to == NEWEST_POST for c in comments)
    query = logged(sandbox, "x", "GET", "/2/tweets/search/recent")[0]["query"]["query"]
    assert query == f"conversation_id:{NEWEST_POST} OR conversation_id:1800000000000000001"


def test_conversation_queries_stay_within_the_query_length():
    ids = [str(1_800_000_000_000_000_000 + n) for n in range(40)]
    queries = conversation_queries(ids)
    assert len(queries) > 1 and all(len(q) <= 512 for q in queries)
    assert sum(q.count("conversation_id:") for q in queries) == 40


def test_profiles_by_ids_and_handles(adapter):
    profiles = {p.handle: p for p in adapter.profiles(["rival", "@fan", BRAND_ID, "ghost_account"])}
    assert set(profiles) == {"rival", "fan", "brand"}
    assert (profiles["rival"].followers, profiles["rival"].posts_count) == (50000, 1)
    assert profiles["brand"].bio == "Official account"
    assert adapter.api_calls == {"GET /2/users": 1, "GET /2/users/by": 1}


def test_publish_is_retried_after_a_rate_limit_answer(server, sandbox, make_adapter):
    sandbox.add_fault(
        {
            "network": "x",
            "kind": "rate_limit",
            "path": "/2/tweets",
            "method": "POST",
            "reset_after": 1,
        }
    )
    adapter = make_adapter(server)
    receipt = adapter.publish(Draft("brand", "retry me"), idempotency_key("e", "x", "retry me"))
    assert sandbox.world.post("x", receipt.external_id)
    assert adapter.api_calls["POST /2/tweets"] == 2


def test_timeout_after_apply_is_outcome_unknown_then_reconciled(server, sandbox, make_adapter):
    lose_the_answers_to_posts(sandbox)
    adapter = make_adapter(server, timeout=0.5)
    text = "Launch day! https://example.com/launch"
    key = idempotency_key("entry-9", "x", text)

    with pytest.raises(OutcomeUnknown):
        adapter.publish(Draft("brand", text), key)
    assert adapter.api_calls["POST /2/tweets"] == 1  # never blindly re-sent

    receipt = adapter.find_published(key, "brand", NOW - timedelta(minutes=5))
    created = [
        p for p in sandbox.world.account_posts("x", BRAND_ID) if p.extra.get("source_text") == text
    ]
    assert len(created) == 1 and receipt.external_id == created[0].id


def test_duplicate_post_is_refused(adapter):
    key = idempotency_key("entry-3", "x", "Same words twice")
    adapter.publish(Draft("brand", "Same words twice"), key)
    with pytest.raises(DuplicateContent) as caught:
        adapter.publish(Draft("brand", "Same words twice"), key)
    assert not caught.value.retryable and caught.value.status == 403


def test_publish_needs_user_context(server, make_adapter):
    with pytest.raises(AuthError, match="access_token"):
        make_adapter(server, bearer_only=True).publish(
            Draft("brand", "hi"), idempotency_key("e", "x", "hi")
        )


def test_unknown_account_is_an_invalid_request(adapter):
    with pytest.raises(InvalidRequest, match="nobody_here"):
        adapter.recent_posts("nobody_here", SINCE)


def test_duplicate_after_a_server_error_returns_the_post_the_first_attempt_made(
    server, sandbox, make_adapter
):
    # X may create the post and still answer 5xx: the retry then meets our own post.
    text = "Only once, please"
    sandbox.world.add_post(
        SandboxPost(
            "x",
            "1890000000000000000",
            BRAND_ID,
            text,
            NOW - timedelta(seconds=30),
            extra={"source_text": text},
        )
    )
    sandbox.add_fault(
        {"network": "x", "kind": "server_error", "path": "/2/tweets", "method": "POST"}
    )
    adapter = make_adapter(server)

    receipt = adapter.publish(Draft("brand", text), idempotency_key("entry-5", "x", text))

    assert receipt.external_id == "1890000000000000000"
    assert adapter.api_calls["POST /2/tweets"] == 2


def test_connect_builds_the_adapter_from_the_airflow_connection(server, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_X_DEFAULT", json.dumps(XEmulator.connection(server.url)))
    adapter = connect("x")
    assert isinstance(adapter, XAdapter) and adapter.has_user_context
    assert adapter.check().handle == "brand"


def test_mentions_against_a_replay_repeating_its_last_page_raise_instead_of_looping(
    adapter, monkeypatch
):
    def page(n: int) -> dict:
        tweet = {"id": str(1_870_000_000_000_000_000 + n), "text": "brand", "author_id": "3"}
        return {"data": [tweet], "meta": {"next_token": "t1"}}

    answers = iter([page(0), *[page(1)] * 20])  # the last page comes back with its own token
    monkeypatch.setattr(adapter.client, "search_recent_tweets", lambda *a, **k: next(answers))

    with pytest.raises(TransientError) as caught:
        adapter.mentions("brand", SINCE)
    assert str(caught.value).startswith(
        "[x] GET /2/tweets/search/recent gave a next cursor already followed "
        "(X next_token cursor 't1')"
    )
    assert len(list(answers)) == 19  # two pages asked, then the loop stopped
