"""Contract tests: every X emulator answer the adapter can receive validates against X's
OpenAPI spec.

Also the emulator's own behaviour that the adapter tests do not reach: rate-limit windows,
search operators, private metrics only for the owner, media upload validation and processing.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from tests.support.openapi import load_contract, validate_openapi3_response
from tests.support.x_world import BRAND_ID, FAN_ID, JPEG, MP4, NOW, PNG, RIVAL_ID, build_x_world
from urllib3 import encode_multipart_formdata

from socialops.sandbox import Request, Sandbox
from socialops.sandbox.x_api import (
    APPEND_FIELDS,
    CATEGORY_KIND,
    INITIALIZE_FIELDS,
    LIMITS,
    MEDIA_TYPES,
    ONE_SHOT_FIELDS,
    ONE_SHOT_REQUIRED,
    XEmulator,
    parse_query,
    x_time,
)

BEARER = {"authorization": "Bearer any-app-token"}
USER = {
    "authorization": (
        f'OAuth oauth_consumer_key="ck", oauth_token="{BRAND_ID}-secret", oauth_signature="s"'
    )
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
PRIVATE_FIELDS = "non_public_metrics,organic_metrics"

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
    # The timeline takes the lookup's metrics fields; another's posts come back as field errors.
    *(
        (
            "GET",
            f"/2/users/{account}/tweets",
            USER,
            {"max_results": "5", "tweet__fields": f"{TWEET_FIELDS},{PRIVATE_FIELDS}"},
        )
        for account in (BRAND_ID, RIVAL_ID)
    ),
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


def test_the_timeline_serves_the_metrics_of_the_lookup(sandbox):
    fields = f"public_metrics,{PRIVATE_FIELDS}"
    timeline = call(
        sandbox, "GET", f"/2/users/{BRAND_ID}/tweets", USER, max_results="100", tweet__fields=fields
    ).body["data"]
    ids = ",".join(t["id"] for t in timeline)
    lookup = call(sandbox, "GET", "/2/tweets", USER, ids=ids, tweet__fields=fields).body["data"]

    assert len(timeline) == 12 and timeline == lookup
    assert all("url_link_clicks" in t["non_public_metrics"] for t in timeline)


def test_public_metrics_carry_both_spellings_and_x_time_format(sandbox):
    (tweet,) = call(
        sandbox, "GET", "/2/tweets", ids=NEWEST_POST, tweet__fields="public_metrics,created_at"
    ).body["data"]
    metrics = tweet["public_metrics"]
    assert metrics["retweet_count"] == metrics["repost_count"]
    assert {"impression_count", "bookmark_count", "quote_count"} <= set(metrics)
    assert tweet["created_at"] == "2026-11-20T07:00:00.000Z"
    assert tweet["edit_history_tweet_ids"] == [NEWEST_POST]


def test_every_served_endpoint_counts_against_its_own_limits_entry():
    from socialops.sandbox.x_api import _endpoint

    served = {
        ("GET", "/2/users/me"): "GET /2/users/me",
        ("GET", "/2/users/783214"): "GET /2/users/:id",
        ("GET", "/2/users/by/username/maisonlumiere"): "GET /2/users/by/username/:username",
        ("GET", "/2/users"): "GET /2/users",
        ("GET", "/2/users/by"): "GET /2/users/by",
        ("GET", "/2/users/783214/tweets"): "GET /2/users/:id/tweets",
        ("GET", "/2/tweets"): "GET /2/tweets",
        ("GET", "/2/tweets/search/recent"): "GET /2/tweets/search/recent",
        ("POST", "/2/tweets"): "POST /2/tweets",
        ("POST", "/2/media/upload"): "POST /2/media/upload",
        ("POST", "/2/media/upload/initialize"): "POST /2/media/upload/initialize",
        ("POST", "/2/media/upload/1880028106020515840/append"): "POST /2/media/upload/:id/append",
        (
            "POST",
            "/2/media/upload/1880028106020515840/finalize",
        ): "POST /2/media/upload/:id/finalize",
        ("GET", "/2/media/upload"): "GET /2/media/upload",
    }
    for (method, path), bucket in served.items():
        assert _endpoint(Request("x", method, path, {}, {}, b"")) == bucket
    assert set(served.values()) == set(LIMITS)


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


# -- media upload ----------------------------------------------------------------------------
def send(sandbox, method, path, headers=USER, *, form=None, json_body=None, **query):
    """A request with a multipart (``form``) or JSON body, as the adapter sends them."""
    body, content_type = b"", None
    if form is not None:
        body, content_type = encode_multipart_formdata(form)
    elif json_body is not None:
        body, content_type = json.dumps(json_body).encode(), "application/json"
    request = Request(
        network="x",
        method=method,
        path=path,
        query={k: [v] for k, v in query.items()},
        headers={**headers, **({"content-type": content_type} if content_type else {})},
        body=body,
    )
    response, _ = sandbox.handle(request)
    return response


def upload_image(sandbox, path=JPEG, category="tweet_image"):
    form = {"media": (path.name, path.read_bytes(), "image/jpeg"), "media_category": category}
    return send(sandbox, "POST", "/2/media/upload", form=form)


def upload_video(sandbox, content, *, segment=64):
    """initialize + append per segment + finalize; every answer, in order."""
    init = send(
        sandbox,
        "POST",
        "/2/media/upload/initialize",
        json_body={
            "media_type": "video/mp4",
            "total_bytes": len(content),
            "media_category": "tweet_video",
        },
    )
    media_id = init.body["data"]["id"]
    answers = [init]
    for index, start in enumerate(range(0, len(content), segment)):
        form = {"media": ("blob", content[start : start + segment]), "segment_index": str(index)}
        answers.append(send(sandbox, "POST", f"/2/media/upload/{media_id}/append", form=form))
    answers.append(send(sandbox, "POST", f"/2/media/upload/{media_id}/finalize"))
    return media_id, answers


def status(sandbox, media_id):
    return send(sandbox, "GET", "/2/media/upload", media_id=media_id, command="STATUS")


def test_the_upload_fields_are_the_contract_request_fields(spec):
    schemas = spec["components"]["schemas"]
    one_shot = schemas["MediaUploadRequest"]
    assert set(one_shot["properties"]) == ONE_SHOT_FIELDS
    assert set(one_shot["required"]) == ONE_SHOT_REQUIRED
    append = schemas["AppendMediaUploadRequest"]
    assert set(append["properties"]) == set(append["required"]) == APPEND_FIELDS
    initialize = schemas["InitializeMediaUploadRequest"]["properties"]
    assert set(initialize) == INITIALIZE_FIELDS
    assert tuple(initialize["media_type"]["enum"]) == MEDIA_TYPES
    assert set(CATEGORY_KIND) <= set(initialize["media_category"]["enum"])
    assert set(schemas["CreatePostsMedia"]["properties"]) >= {"media_ids"}


def test_one_shot_image_upload_matches_the_contract(spec, sandbox):
    response = upload_image(sandbox)
    assert response.status == 200, response.body
    validate_openapi3_response(spec, "POST", "/2/media/upload", 200, response.body)
    data = response.body["data"]
    assert data["media_key"] == f"3_{data['id']}"
    assert data["image"] == {"image_type": "image/jpeg", "w": 320, "h": 320}
    assert data["size"] == JPEG.stat().st_size and data["expires_after_secs"] == 86400


def test_json_upload_takes_base64_media(sandbox):
    body = {"media": base64.b64encode(PNG.read_bytes()).decode(), "media_category": "tweet_image"}
    response = send(sandbox, "POST", "/2/media/upload", json_body=body)
    assert response.status == 200 and response.body["data"]["image"]["image_type"] == "image/png"


def test_chunked_video_upload_and_processing_match_the_contract(spec, sandbox):
    sandbox.emulators["x"].processing_polls = 3
    media_id, (init, *appends, final) = upload_video(sandbox, MP4.read_bytes())
    validate_openapi3_response(spec, "POST", "/2/media/upload/initialize", 200, init.body)
    assert init.body["data"]["media_key"] == f"7_{media_id}"
    for answer in appends:
        validate_openapi3_response(
            spec, "POST", f"/2/media/upload/{media_id}/append", 200, answer.body
        )
        assert answer.body["data"]["expires_at"] == int((NOW + timedelta(days=1)).timestamp())
    assert len(appends) == 3  # 152 bytes in 64-byte segments
    validate_openapi3_response(
        spec, "POST", f"/2/media/upload/{media_id}/finalize", 200, final.body
    )
    assert final.body["data"]["processing_info"] == {"state": "pending", "check_after_secs": 1}
    assert final.body["data"]["video"] == {"video_type": "video/mp4"}

    states = []
    for _ in range(3):
        answer = status(sandbox, media_id)
        validate_openapi3_response(spec, "GET", "/2/media/upload", 200, answer.body)
        states.append(answer.body["data"]["processing_info"])
    assert [(s["state"], s["progress_percent"]) for s in states] == [
        ("in_progress", 33),
        ("in_progress", 66),
        ("succeeded", 100),
    ]
    assert "check_after_secs" not in states[-1]
    # A finalize repeated after a lost answer is answered again, not refused.
    again = send(sandbox, "POST", f"/2/media/upload/{media_id}/finalize")
    assert again.status == 200 and again.body["data"]["processing_info"]["state"] == "succeeded"


def test_a_video_that_is_not_an_mp4_fails_processing(sandbox):
    sandbox.emulators["x"].processing_polls = 1
    media_id, _ = upload_video(sandbox, b"definitely not a video")
    assert status(sandbox, media_id).body["data"]["processing_info"]["state"] == "failed"
    refused = call(
        sandbox, "POST", "/2/tweets", USER, body={"text": "v", "media": {"media_ids": [media_id]}}
    )
    assert refused.status == 400


def post_with(sandbox, *media_ids, text="With media"):
    return call(
        sandbox,
        "POST",
        "/2/tweets",
        USER,
        body={"text": text, "media": {"media_ids": list(media_ids)}},
    )


def lookup_with_media(spec, sandbox, post_id, media_fields):
    """GET /2/tweets with the media expansion, checked against the contract."""
    body = call(
        sandbox,
        "GET",
        "/2/tweets",
        ids=post_id,
        expansions="attachments.media_keys",
        media__fields=media_fields,
    ).body
    validate_openapi3_response(spec, "GET", "/2/tweets", 200, body)
    return body


def test_posted_media_come_back_as_attachments_and_includes(spec, sandbox):
    photos = [upload_image(sandbox, path).body["data"] for path in (JPEG, PNG)]
    created = post_with(sandbox, *(p["id"] for p in photos))
    assert created.status == 201
    validate_openapi3_response(spec, "POST", "/2/tweets", 201, created.body)
    post_id = created.body["data"]["id"]
    keys = [p["media_key"] for p in photos]

    body = lookup_with_media(spec, sandbox, post_id, "width,height,url,type")
    assert body["data"][0]["attachments"] == {"media_keys": keys}
    assert [(m["media_key"], m["type"], m["width"]) for m in body["includes"]["media"]] == [
        (keys[0], "photo", 320),
        (keys[1], "photo", 320),
    ]
    assert body["includes"]["media"][1]["url"].endswith(".png")
    plain = call(sandbox, "GET", "/2/tweets", ids=post_id).body
    assert "attachments" not in plain["data"][0] and "includes" not in plain

    timeline = call(
        sandbox, "GET", f"/2/users/{BRAND_ID}/tweets", expansions="attachments.media_keys,author_id"
    ).body
    validate_openapi3_response(spec, "GET", f"/2/users/{BRAND_ID}/tweets", 200, timeline)
    assert timeline["data"][0]["attachments"]["media_keys"] == keys
    assert {"users", "media"} <= set(timeline["includes"])


def test_links_come_back_as_url_entities_with_the_media_link_last(spec, sandbox):
    photo = upload_image(sandbox).body["data"]["id"]
    text = "Soldes & plus https://shop.example/soldes?a=1"
    created = post_with(sandbox, photo, text=text)
    post_id = created.body["data"]["id"]

    timeline = call(
        sandbox,
        "GET",
        f"/2/users/{BRAND_ID}/tweets",
        tweet__fields="entities,attachments",
        expansions="attachments.media_keys",
    ).body
    validate_openapi3_response(spec, "GET", f"/2/users/{BRAND_ID}/tweets", 200, timeline)
    (tweet,) = [t for t in timeline["data"] if t["id"] == post_id]
    link, media = tweet["entities"]["urls"]
    assert link["expanded_url"] == "https://shop.example/soldes?a=1"
    assert media["media_key"] == tweet["attachments"]["media_keys"][0]
    assert media["expanded_url"].endswith(f"/status/{post_id}/photo/1")
    shown = sandbox.world.post("x", post_id).text
    assert shown.endswith(media["url"]) and "shop.example" not in shown
    assert [shown[e["start"] : e["end"]] for e in (link, media)] == [link["url"], media["url"]]
    plain = call(sandbox, "GET", f"/2/users/{BRAND_ID}/tweets").body
    assert all("entities" not in t for t in plain["data"])


def test_a_media_only_post_needs_no_text(sandbox):
    photo = upload_image(sandbox).body["data"]["id"]
    assert post_with(sandbox, photo, text="").status == 201


def test_a_processed_video_is_posted_with_its_variants(spec, sandbox):
    sandbox.emulators["x"].processing_polls = 1
    media_id, _ = upload_video(sandbox, MP4.read_bytes())
    pending = post_with(sandbox, media_id, text="too early")
    assert pending.status == 400  # not processed yet
    status(sandbox, media_id)
    post_id = post_with(sandbox, media_id, text="ready").body["data"]["id"]
    body = lookup_with_media(spec, sandbox, post_id, "preview_image_url,variants")
    (video,) = body["includes"]["media"]
    assert video["type"] == "video" and video["variants"][0]["content_type"] == "video/mp4"


def media_errors(sandbox):
    jpeg = JPEG.read_bytes()
    photo = upload_image(sandbox).body["data"]["id"]
    yield "unknown media id", post_with(sandbox, "123456")
    yield "five media", post_with(sandbox, *[photo] * 5)
    sandbox.emulators["x"].processing_polls = 1
    video, _ = upload_video(sandbox, MP4.read_bytes())
    status(sandbox, video)
    yield "video and image", post_with(sandbox, video, photo)
    yield (
        "app-only upload",
        send(
            sandbox,
            "POST",
            "/2/media/upload",
            BEARER,
            form={"media": ("a.jpg", jpeg), "media_category": "tweet_image"},
        ),
    )
    yield "no category", send(sandbox, "POST", "/2/media/upload", form={"media": ("a.jpg", jpeg)})
    yield "bad category", upload_image(sandbox, category="tweet_picture")
    yield "video in one shot", upload_image(sandbox, category="tweet_video")
    yield (
        "legacy command field",
        send(
            sandbox,
            "POST",
            "/2/media/upload",
            form={"media": ("a.jpg", jpeg), "media_category": "tweet_image", "command": "INIT"},
        ),
    )
    yield (
        "not an image",
        send(
            sandbox,
            "POST",
            "/2/media/upload",
            form={"media": ("a.jpg", b"hello"), "media_category": "tweet_image"},
        ),
    )
    yield (
        "urlencoded body",
        send(
            sandbox,
            "POST",
            "/2/media/upload",
            headers={**USER, "content-type": "application/x-www-form-urlencoded"},
        ),
    )
    yield (
        "image too large",
        send(
            sandbox,
            "POST",
            "/2/media/upload/initialize",
            json_body={
                "media_type": "image/jpeg",
                "total_bytes": 6 * 1024 * 1024,
                "media_category": "tweet_image",
            },
        ),
    )
    yield (
        "no total_bytes",
        send(sandbox, "POST", "/2/media/upload/initialize", json_body={"media_type": "video/mp4"}),
    )
    yield (
        "bad media_type",
        send(
            sandbox,
            "POST",
            "/2/media/upload/initialize",
            json_body={"media_type": "video/avi", "total_bytes": 10},
        ),
    )
    init = send(
        sandbox,
        "POST",
        "/2/media/upload/initialize",
        json_body={"media_type": "video/mp4", "total_bytes": 10},
    )
    session = init.body["data"]["id"]
    yield (
        "segment_index too big",
        send(
            sandbox,
            "POST",
            f"/2/media/upload/{session}/append",
            form={"media": ("b", b"12345"), "segment_index": "1000"},
        ),
    )
    yield (
        "no segment_index",
        send(sandbox, "POST", f"/2/media/upload/{session}/append", form={"media": ("b", b"12345")}),
    )
    send(
        sandbox,
        "POST",
        f"/2/media/upload/{session}/append",
        form={"media": ("b", b"12345"), "segment_index": "0"},
    )
    yield "size mismatch", send(sandbox, "POST", f"/2/media/upload/{session}/finalize")
    yield (
        "append to unknown id",
        send(
            sandbox,
            "POST",
            "/2/media/upload/42/append",
            form={"media": ("b", b"1"), "segment_index": "0"},
        ),
    )
    yield "status of unknown id", status(sandbox, "42")
    yield "status before finalize", status(sandbox, session)
    sandbox.add_fault({"network": "x", "kind": "rate_limit", "path": "/2/media/upload"})
    yield "rate_limit", upload_image(sandbox)


def test_media_error_answers_match_the_contract(spec, sandbox):
    seen = {}
    for name, response in media_errors(sandbox):
        validate_openapi3_response(spec, "POST", "/2/media/upload", response.status, response.body)
        assert {"title", "detail", "type", "status"} <= set(response.body), name
        seen[name] = response.status
    assert seen.pop("app-only upload") == 403 and seen.pop("rate_limit") == 429
    assert set(seen.values()) == {400}, seen


def test_invalid_media_ids_are_refused_like_x(sandbox):
    refused = post_with(sandbox, "123456").body
    assert refused["detail"] == "One or more parameters to your request was invalid."
    assert refused["errors"] == [
        {"parameters": {"media.media_ids": ["123456"]}, "message": "Your media IDs are invalid."}
    ]


def test_media_ids_belong_to_their_uploader(sandbox):
    photo = upload_image(sandbox).body["data"]["id"]
    other_user = {
        "authorization": (
            f'OAuth oauth_consumer_key="ck", oauth_token="{RIVAL_ID}-secret", oauth_signature="s"'
        )
    }
    refused = call(
        sandbox,
        "POST",
        "/2/tweets",
        other_user,
        body={"text": "mine now", "media": {"media_ids": [photo]}},
    )
    assert refused.status == 400
    assert status(sandbox, photo).status == 200  # the uploader still sees it


def test_media_ids_expire_after_24_hours(sandbox):
    photo = upload_image(sandbox).body["data"]["id"]
    sandbox.world.freeze(NOW + timedelta(hours=24, seconds=1))
    assert post_with(sandbox, photo).status == 400
