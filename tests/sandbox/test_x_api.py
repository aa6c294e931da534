"""Contract tests: every X emulator answer the adapter can receive validates against X's OpenAPI spec.

Also the emulator's own behaviour that the adapter tests do not reach: rate-limit windows,
search operators, private metrics only for the owner.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from tests.support.openapi import load_contract, validate_openapi3_response
from tests.support.x_world import BRAND_ID, FAN_ID, NOW, RIVAL_ID, build_x_world

from socialops.sandbox import Request, Sandbox
from socialops.sandbox.x_api import LIMITS, XEmulator, parse_query, x_time

BEARER = {"authorization": "Bearer any-app-token"}
USER = {
    "authorization": f'OAuth oauth_consumer_key="ck", oauth_token="{BRAND_ID}-secret", oauth_signature="s"'
}
NEWEST_POST = "1800000000000000000"


@pytest.fixture(scope="module")
def spec():
    return load_contract("x-api-v2.openapi.json")


@pytest.fixture
def sandbox():
    return Sandbox(build_x_world, [XEmulator])


def call(sandbox, method, path, headers=BEARER, body=None, **query):
    request = Request(
        network="x",
        method=method,
        path=path,
        query={k.replace("__", "."): [v] for k, v in query.items()},
        headers=headers,
        body=json.dumps(body).encode() if body is not None else b"",
    )
    response, _ = sandbox.handle(request)
    return response


TWEET_FIELDS = "created_at,author_id,conversation_id,lang,public_metrics"
USER_FIELDS = "created_at,description,public_metrics,verified,username,name"

SUCCESSES = [
    ("GET", "/2/users/me", USER, {"user__fields": USER_FIELDS}),
    ("GET", f"/2/users/{RIVAL_ID}", BEARER, {"user__fields": USER_FIELDS}),
    ("GET", "/2/users/by/username/brand", BEARER, {"user__fields": USER_FIELDS}),
    ("GET", "/2/users/by/username/nobody", BEARER, {}),
    ("GET", "/2/users", BEARER, {"ids": f"{RIVAL_ID},{FAN_ID},42", "user__fields": USER_FIELDS}),
    ("GET", "/2/users/by", BEARER, {"usernames": "rival,ghost", "user__fields": USER_FIELDS}),
    (
        "GET",
        f"/2/users/{BRAND_ID}/tweets",
        BEARER,
        {"max_results": "5", "tweet__fields": TWEET_FIELDS},
    ),
    ("GET", f"/2/users/{RIVAL_ID}/tweets", BEARER, {"start_time": x_time(NOW)}),  # empty page
    (
        "GET",
        "/2/tweets",
        BEARER,
        {"ids": f"{NEWEST_POST},1700000000000000000,99", "tweet__fields": "public_metrics"},
    ),
    (
        "GET",
        "/2/tweets",
        USER,
        {
            "ids": f"{NEWEST_POST},1700000000000000000",
            "tweet__fields": "public_metrics,non_public_metrics,organic_metrics",
        },
    ),
    (
        "GET",
        "/2/tweets/search/recent",
        BEARER,
        {
            "query": "@brand",
            "max_results": "10",
            "expansions": "author_id",
            "tweet__fields": TWEET_FIELDS,
            "user__fields": "username",
        },
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "headers", "query"), SUCCESSES, ids=[f"{m} {p}" for m, p, *_ in SUCCESSES]
)
def test_successful_answers_match_the_contract(spec, sandbox, method, path, headers, query):
    response = call(sandbox, method, path, headers, **query)
    assert response.status == 200, response.body
    validate_openapi3_response(spec, method, path, 200, response.body)
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(
        response.headers
    )


def test_created_post_matches_the_contract(spec, sandbox):
    response = call(sandbox, "POST", "/2/tweets", USER, body={"text": "Hello https://example.com"})
    assert response.status == 201
    validate_openapi3_response(spec, "POST", "/2/tweets", 201, response.body)
    assert response.body["data"]["text"].startswith("Hello https://t.co/")


def errors(sandbox):
    call(sandbox, "POST", "/2/tweets", USER, body={"text": "again"})
    yield "duplicate", call(sandbox, "POST", "/2/tweets", USER, body={"text": "again"})
    yield "app-only write", call(sandbox, "POST", "/2/tweets", BEARER, body={"text": "no user"})
    yield "empty text", call(sandbox, "POST", "/2/tweets", USER, body={"text": ""})
    yield (
        "too many ids",
        call(sandbox, "GET", "/2/tweets", ids=",".join(str(i) for i in range(101))),
    )
    yield (
        "bad max_results",
        call(sandbox, "GET", "/2/tweets/search/recent", query="a", max_results="500"),
    )
    yield "bad token", call(sandbox, "GET", "/2/tweets/search/recent", query="a", next_token="nope")
    yield (
        "too old",
        call(
            sandbox,
            "GET",
            "/2/tweets/search/recent",
            query="a",
            start_time=x_time(NOW - timedelta(days=8)),
        ),
    )
    yield "no auth", call(sandbox, "GET", "/2/users/me", headers={})
    sandbox.world.revoked_tokens.add("any-app-token")
    yield "revoked", call(sandbox, "GET", "/2/tweets", ids=NEWEST_POST)
    for kind in ("rate_limit", "server_error", "expired_token"):
        sandbox.add_fault({"network": "x", "kind": kind})
        yield kind, call(sandbox, "GET", "/2/users/me", USER)


def test_error_answers_match_the_contract(spec, sandbox):
    seen = {}
    for name, response in errors(sandbox):
        assert response.status >= 400, name
        validate_openapi3_response(spec, "GET", "/2/tweets", response.status, response.body)
        assert {"title", "detail", "type", "status"} <= set(response.body), name
        seen[name] = response.status
    assert seen == {
        "duplicate": 403,
        "app-only write": 403,
        "empty text": 400,
        "too many ids": 400,
        "bad max_results": 400,
        "bad token": 400,
        "too old": 400,
        "no auth": 401,
        "revoked": 401,
        "rate_limit": 429,
        "server_error": 500,
        "expired_token": 401,
    }


def test_missing_ids_are_reported_like_x(sandbox):
    body = call(sandbox, "GET", "/2/tweets", ids=f"{NEWEST_POST},77").body
    assert [t["id"] for t in body["data"]] == [NEWEST_POST]
    (error,) = body["errors"]
    assert (error["resource_id"], error["title"], error["type"]) == (
        "77",
        "Not Found Error",
        "https://api.x.com/2/problems/resource-not-found",
    )


def test_private_metrics_only_for_the_owner(sandbox):
    fields = "public_metrics,non_public_metrics"
    own = call(
        sandbox,
        "GET",
        "/2/tweets",
        USER,
        ids=f"{NEWEST_POST},1700000000000000000",
        tweet__fields=fields,
    ).body
    assert [t["id"] for t in own["data"]] == [NEWEST_POST]
    assert "url_link_clicks" in own["data"][0]["non_public_metrics"]
    assert own["errors"][0]["resource_id"] == "1700000000000000000"
    app = call(sandbox, "GET", "/2/tweets", ids=NEWEST_POST, tweet__fields=fields).body
    assert "data" not in app and app["errors"][0]["field"] == "non_public_metrics"


def test_public_metrics_carry_both_spellings_and_x_time_format(sandbox):
    (tweet,) = call(
        sandbox, "GET", "/2/tweets", ids=NEWEST_POST, tweet__fields="public_metrics,created_at"
    ).body["data"]
    metrics = tweet["public_metrics"]
    assert metrics["retweet_count"] == metrics["repost_count"]
    assert {"impression_count", "bookmark_count", "quote_count"} <= set(metrics)
    assert tweet["created_at"] == "2026-11-20T07:00:00.000Z"
    assert tweet["edit_history_tweet_ids"] == [NEWEST_POST]


def test_posting_window_is_100_per_15_minutes_per_user(sandbox):
    assert LIMITS["POST /2/tweets"] == (0, 100)
    answers = [
        call(sandbox, "POST", "/2/tweets", USER, body={"text": f"post {n}"}) for n in range(101)
    ]
    assert [a.status for a in answers[:100]] == [201] * 100
    assert answers[99].headers["x-rate-limit-remaining"] == "0"
    refused = answers[100]
    assert refused.status == 429 and refused.body["title"] == "Too Many Requests"
    assert refused.headers["x-rate-limit-reset"] == str(
        int((NOW + timedelta(minutes=15)).timestamp())
    )
    # The window is per user: an app token reading tweets is unaffected.
    assert call(sandbox, "GET", "/2/tweets", ids=NEWEST_POST).status == 200


def test_window_resets_after_15_minutes(sandbox):
    for n in range(100):
        call(sandbox, "POST", "/2/tweets", USER, body={"text": f"post {n}"})
    sandbox.world.freeze(NOW + timedelta(minutes=15))
    again = call(sandbox, "POST", "/2/tweets", USER, body={"text": "fresh window"})
    assert again.status == 201 and again.headers["x-rate-limit-remaining"] == "99"


def test_pagination_honours_max_results_and_tokens(sandbox):
    seen, token = [], None
    while True:
        query = {"max_results": "5"} | ({"pagination_token": token} if token else {})
        body = call(sandbox, "GET", f"/2/users/{BRAND_ID}/tweets", **query).body
        seen += [t["id"] for t in body.get("data", [])]
        assert body["meta"]["result_count"] <= 5
        token = body["meta"].get("next_token")
        if not token:
            break
    assert len(seen) == len(set(seen)) == 12


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("brand", True),
        ("BRAND new", True),
        ('"brand new"', True),
        ('"new brand"', False),
        ("@brand", True),
        ("brand -from:fan", False),
        ("from:fan lang:fr", True),
        ("(pizza OR product) lang:fr", True),
        ("pizza OR conversation_id:5", False),
        ("is:retweet", False),
    ],
)
def test_search_operators(query, expected):
    item = {
        "text": "i love @brand and its brand new product",
        "from": "fan",
        "lang": "fr",
        "conversation_id": "9",
        "is_reply": "",
    }
    assert parse_query(query)(item) is expected
