"""Facebook and Instagram adapters against the Graph emulators over real HTTP."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from tests.support.adapters import Clock, logged, sandbox_settings
from tests.support.ads_world import (
    CAMPAIGN_DAYS,
    FIRST_DAY,
    LAST_DAY,
    build_ads_world,
    world_row,
)
from tests.support.meta_world import (
    IG_ID,
    IG_RIVAL_ID,
    NOW,
    PAGE_ID,
    RIVAL_PAGE_ID,
    build_meta_world,
)

from socialops.networks import (
    AuthError,
    ConnectionSettings,
    Draft,
    DuplicateContent,
    InvalidRequest,
    NotSupported,
    OutcomeUnknown,
    QuotaExceeded,
    RateLimited,
    TransientError,
    idempotency_key,
)
from socialops.networks.meta import ads, graph
from socialops.networks.meta.client import read_usage
from socialops.networks.meta.facebook import FacebookAdapter
from socialops.networks.meta.instagram import InstagramAdapter
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.meta_api import FacebookEmulator, InstagramEmulator, meta_campaign_id

SINCE = NOW - timedelta(days=1)
EMULATORS = {"facebook": FacebookEmulator, "instagram": InstagramEmulator}
ADAPTERS = {"facebook": FacebookAdapter, "instagram": InstagramAdapter}


@pytest.fixture
def server():
    with SandboxServer(Sandbox(build_meta_world, [FacebookEmulator, InstagramEmulator])) as running:
        yield running


@pytest.fixture
def sandbox(server):
    return server.sandbox


def make_adapter(server, network: str, **extras):
    settings = sandbox_settings(EMULATORS[network], server.url, container_poll_interval=1, **extras)
    clock = Clock(NOW)
    return ADAPTERS[network](settings, sleep=clock, now=clock.now)


@pytest.fixture
def facebook(server):
    adapter = make_adapter(server, "facebook")
    yield adapter
    adapter.close()


@pytest.fixture
def instagram(server):
    adapter = make_adapter(server, "instagram")
    yield adapter
    adapter.close()


# -- Facebook: happy paths -------------------------------------------------------------------
def test_facebook_check_resolves_the_page_from_the_token(facebook):
    profile = facebook.check()
    assert (profile.account_id, profile.handle, profile.followers, profile.verified) == (
        PAGE_ID,
        "brand",
        20000,
        True,
    )
    assert facebook.page_id == PAGE_ID


def test_facebook_publishes_a_feed_post_with_a_link(facebook, sandbox):
    key = idempotency_key("e1", "facebook", "Our new collection")
    receipt = facebook.publish(
        Draft("brand", "Our new collection", link="https://brand.example/new"), key
    )
    post = sandbox.world.post("facebook", receipt.external_id)
    assert (post.text, post.link, post.account_id) == (
        "Our new collection",
        "https://brand.example/new",
        PAGE_ID,
    )
    assert receipt.url == f"https://www.facebook.com/{receipt.external_id}"
    assert receipt.published_at == NOW
    assert logged(sandbox, "facebook", "POST")[0]["path"] == f"/v21.0/{PAGE_ID}/feed"


def test_facebook_publishes_a_photo_from_a_url_or_a_local_file(facebook, sandbox, tmp_path):
    by_url = facebook.publish(
        Draft("brand", "A photo", media=("https://cdn.example/p.jpg",)),
        idempotency_key("e2", "facebook", "A photo"),
    )
    image = tmp_path / "local.jpg"
    image.write_bytes(b"\xff\xd8fake-jpeg")
    uploaded = facebook.publish(
        Draft("brand", "An upload", media=(str(image),)),
        idempotency_key("e3", "facebook", "An upload"),
    )
    assert sandbox.world.post("facebook", by_url.external_id).media == ["https://cdn.example/p.jpg"]
    assert sandbox.world.post("facebook", uploaded.external_id).media == ["upload:local.jpg"]
    assert sandbox.world.post("facebook", uploaded.external_id).text == "An upload"


def test_facebook_refuses_a_missing_photo_and_a_duplicate_status(facebook):
    with pytest.raises(InvalidRequest, match="neither a URL nor an existing file"):
        facebook.publish(Draft("brand", "x", media=("/nope.jpg",)), "facebook:e:1")
    facebook.publish(Draft("brand", "Same words"), "facebook:e:2")
    with pytest.raises(DuplicateContent, match="506"):
        facebook.publish(Draft("brand", "Same words"), "facebook:e:3")


def test_facebook_reads_posts_insights_comments_mentions_and_profiles(facebook):
    posts = facebook.recent_posts("brand", NOW - timedelta(hours=3, minutes=30))
    assert [p.post_id for p in posts] == [f"{PAGE_ID}_900", f"{PAGE_ID}_901", f"{PAGE_ID}_902"]
    assert posts[0].text.startswith("Brand facebook post number 0")

    day = facebook.account_metrics("brand", date(2026, 11, 19))
    assert (
        day.followers == 20000 and day.impressions > 0 and day.reach > 0 and day.profile_views == 80
    )

    metrics = {m.post_id: m for m in facebook.post_metrics([f"{PAGE_ID}_900", f"{PAGE_ID}_901"])}
    assert metrics[f"{PAGE_ID}_901"].impressions == 5001
    assert metrics[f"{PAGE_ID}_901"].reach == 4001
    assert metrics[f"{PAGE_ID}_901"].likes == 200
    assert metrics[f"{PAGE_ID}_901"].shares == 40
    assert metrics[f"{PAGE_ID}_900"].shares == 0  # Graph leaves out 'shares' nobody made
    assert metrics[f"{PAGE_ID}_900"].saves is None  # Facebook reports no saves

    comments = facebook.comments([f"{PAGE_ID}_900", f"{PAGE_ID}_901"], SINCE)
    assert [c.mention_id for c in comments] == ["facebook-c0", "facebook-c1", "facebook-c2"]
    assert comments[0].in_reply_to == f"{PAGE_ID}_900" and comments[0].kind == "comment"

    mentions = facebook.mentions("brand", NOW - timedelta(hours=6))
    assert [m.mention_id for m in mentions] == ["facebook-m0", "facebook-m1"]

    profiles = facebook.profiles(["@rival", "nobody-here", RIVAL_PAGE_ID])
    assert [(p.account_id, p.handle, p.followers) for p in profiles] == [
        (RIVAL_PAGE_ID, "rival", 54000)
    ]


# -- pagination and batching ------------------------------------------------------------------
def test_recent_posts_follow_the_paging_cursors(facebook, sandbox, monkeypatch):
    monkeypatch.setattr(graph, "PAGE_SIZE", 5)
    posts = facebook.recent_posts("brand", SINCE)
    assert len(posts) == 12 and len({p.post_id for p in posts}) == 12
    assert len(logged(sandbox, "facebook", "GET", f"/v21.0/{PAGE_ID}/posts")) == 3


def test_listing_stops_after_a_full_page_of_older_items_not_at_a_pinned_one(facebook, monkeypatch):
    monkeypatch.setattr(graph, "PAGE_SIZE", 3)
    stamp = lambda hours: (NOW - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S+0000")  # noqa: E731
    listing = [
        {"id": "pinned", "created_time": stamp(500)},
        {"id": "new", "created_time": stamp(1)},
    ]
    listing += [{"id": f"old{n}", "created_time": stamp(48 + n)} for n in range(3)]
    listing.append({"id": "never read", "created_time": stamp(2)})
    assert [raw["id"] for raw, _ in facebook._newer_than(iter(listing), SINCE)] == ["new"]


def test_post_metrics_are_batched_50_ids_per_call(server):
    sandbox = server.sandbox
    sandbox._world_factory = lambda: build_meta_world(posts=120)
    sandbox.reset()
    for network, ids in (
        ("facebook", [f"{PAGE_ID}_{900 + n}" for n in range(120)]),
        ("instagram", [str(17_900_000_000_000_100 + n) for n in range(120)]),
    ):
        adapter = make_adapter(server, network)
        assert len(adapter.post_metrics(ids)) == 120
        lookups = logged(sandbox, network, "GET", "/v21.0/")
        assert [len(r["query"]["ids"].split(",")) for r in lookups] == [50, 50, 20]


def test_comments_and_profiles_are_batched_too(facebook, sandbox):
    facebook.comments([f"{PAGE_ID}_{900 + n}" for n in range(12)], SINCE)
    facebook.profiles(["rival", "brand"])
    assert len(logged(sandbox, "facebook", "GET", "/v21.0/")) == 2


# -- usage headers and rate limits ------------------------------------------------------------
def test_read_usage_takes_the_highest_percentage_and_regain_time():
    headers = {
        "X-App-Usage": '{"call_count": 12, "total_time": 85, "total_cputime": 3}',
        "X-Business-Use-Case-Usage": '{"1": [{"type": "pages", "call_count": 40, "total_time": 2, '
        '"total_cputime": 1, "estimated_time_to_regain_access": 7}]}',
    }
    assert read_usage(headers) == (85.0, 7.0)
    assert read_usage({"X-App-Usage": "not json"}) == (0.0, 0.0)


def test_usage_near_the_limit_slows_down_then_stops_before_the_limit(facebook, sandbox):
    sandbox.emulators["facebook"].calls_per_hour = 10  # each call adds 10% to the usage headers
    facebook.check()
    for _ in range(7):
        facebook.recent_posts("brand", NOW)
    assert facebook.http.sleep == []  # answered at 80%: the threshold, no pause yet
    facebook.recent_posts("brand", NOW)  # answered at 90%
    facebook.recent_posts("brand", NOW)  # sent after a pause, answered at 100%
    assert facebook.http.sleep == [pytest.approx(30.0)]
    with pytest.raises(RateLimited, match="code 32") as caught:
        facebook.recent_posts("brand", NOW)  # paused 60 s, then Meta's code 32: 60 minutes to wait
    assert facebook.http.sleep[-1] == pytest.approx(60.0)
    assert caught.value.retry_at == NOW + timedelta(seconds=90, minutes=60)
    with pytest.raises(RateLimited, match="not sent"):
        facebook.recent_posts("brand", NOW)
    assert len(logged(sandbox, "facebook")) == 11


def test_rate_limit_error_names_the_regain_time(facebook, sandbox):
    sandbox.add_fault(
        {"network": "facebook", "kind": "rate_limit", "path": r".*/posts", "reset_after": 900}
    )
    with pytest.raises(RateLimited, match="80001") as caught:
        facebook.recent_posts("brand", SINCE)
    assert caught.value.retry_at == NOW + timedelta(minutes=15)
    assert len(logged(sandbox, "facebook", path=f"/v21.0/{PAGE_ID}/posts")) == 1


def test_a_short_rate_limit_is_waited_out(facebook, sandbox):
    sandbox.add_fault(
        {"network": "facebook", "kind": "rate_limit", "path": r".*/posts", "reset_after": 30}
    )
    assert len(facebook.recent_posts("brand", SINCE)) == 12
    assert len(facebook.http.sleep) == 1 and 60 <= facebook.http.sleep[0] <= 61


# -- 5xx, timeouts, tokens --------------------------------------------------------------------
def test_transient_graph_errors_are_retried_on_reads_only(facebook, sandbox):
    sandbox.add_fault(
        {"network": "facebook", "kind": "server_error", "path": r".*/posts", "count": 2}
    )
    assert len(facebook.recent_posts("brand", SINCE)) == 12
    sandbox.add_fault({"network": "facebook", "kind": "server_error", "path": r".*/feed"})
    with pytest.raises(OutcomeUnknown, match="code 2"):
        facebook.publish(Draft("brand", "Hello"), "facebook:e:1")
    assert len(logged(sandbox, "facebook", "POST")) == 1


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_timeout_after_apply_is_outcome_unknown_then_found_exactly_once(server, network):
    sandbox = server.sandbox
    adapter = make_adapter(server, network, timeout=0.5)
    adapter.check()
    publish_path = r".*/feed" if network == "facebook" else r".*/media_publish"
    sandbox.add_fault(
        {"network": network, "kind": "timeout_after_apply", "path": publish_path, "hold_seconds": 1}
    )
    text = "Launch day! https://brand.example/launch"
    key = idempotency_key("entry-42", network, text)
    media = () if network == "facebook" else ("https://cdn.example/launch.jpg",)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(Draft("brand", text, media=media), key)
    receipt = adapter.find_published(key, "brand", NOW - timedelta(minutes=5))
    assert receipt is not None
    matching = [p for p in sandbox.world.posts.values() if p.network == network and p.text == text]
    assert [p.id for p in matching] == [receipt.external_id]
    assert (
        adapter.find_published(idempotency_key("entry-43", network, "other"), "brand", SINCE)
        is None
    )


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_expired_token_is_an_auth_error_naming_the_connection(server, network):
    server.sandbox.add_fault({"network": network, "kind": "expired_token"})
    adapter = make_adapter(server, network)
    with pytest.raises(AuthError) as caught:
        adapter.check()
    assert caught.value.conn_id == f"{network}_default"
    assert f"Airflow connection '{network}_default'" in str(caught.value)
    assert "long-lived tokens last ~60 days" in str(caught.value)
    assert "code 190" in str(caught.value)
    assert len(logged(server.sandbox, network)) == 1  # never retried


def test_revoked_token_is_refused_by_the_emulator(server, facebook):
    server.sandbox.world.revoked_tokens.add(FacebookEmulator.connection(server.url)["password"])
    with pytest.raises(AuthError):
        facebook.recent_posts("brand", SINCE)


# -- Instagram --------------------------------------------------------------------------------
def test_instagram_resolves_its_account_through_the_page(instagram, sandbox):
    assert instagram.ig_user_id == IG_ID
    assert instagram.check().followers == 31000
    # One call: the Page's linked account with its profile fields expanded in place.
    [page] = logged(sandbox, "instagram")
    assert page["path"] == "/v21.0/me"
    assert page["query"]["fields"] == (
        f"instagram_business_account{{{InstagramAdapter.PROFILE_FIELDS}}}"
    )


def test_instagram_without_a_linked_account_says_what_to_configure(server, sandbox):
    sandbox.world.accounts.pop(("instagram", IG_ID))
    adapter = make_adapter(server, "instagram")
    with pytest.raises(InvalidRequest, match="set extra 'ig_user_id' in connection"):
        adapter.account_metrics("brand", date(2026, 11, 19))


def test_instagram_night_reads_the_profile_with_the_account_id_once(instagram):
    day = instagram.account_metrics("brand", date(2026, 11, 19))
    posts = instagram.recent_posts("@Brand", SINCE)
    instagram.post_metrics([p.post_id for p in posts])

    assert (day.followers, day.following, day.posts_count) == (31000, 120, 12)
    assert instagram.api_calls == {
        "GET /{page-id}?fields=instagram_business_account": 1,
        "GET /{ig-user-id}/insights": 1,
        "GET /{ig-user-id}/media": 1,
        "GET /?ids={media-ids}&fields=insights": 1,
    }


def test_instagram_profile_is_read_again_by_the_next_task(server, sandbox):
    for _ in range(2):
        adapter = make_adapter(server, "instagram", ig_user_id=IG_ID)
        assert adapter.account_metrics(IG_ID, date(2026, 11, 19)).followers == 31000
        adapter.close()
    assert len(logged(sandbox, "instagram", "GET", f"/v21.0/{IG_ID}")) == 2


def test_instagram_publishes_an_image_after_checking_the_quota(instagram, sandbox):
    text = "Fresh from the atelier"
    receipt = instagram.publish(
        Draft("brand", text, link="https://brand.example", media=("https://cdn.example/a.jpg",)),
        idempotency_key("e1", "instagram", text),
    )
    post = sandbox.world.post("instagram", receipt.external_id)
    assert (post.kind, post.text) == ("post", "Fresh from the atelier\nhttps://brand.example")
    assert receipt.url.startswith("https://www.instagram.com/p/")
    paths = [r["path"].replace(f"/v21.0/{IG_ID}", "") for r in logged(sandbox, "instagram")]
    assert paths[1:4] == ["/content_publishing_limit", "/media", paths[3]]
    assert "/media_publish" in paths


def test_instagram_publishes_a_carousel_of_child_containers(instagram, sandbox):
    media = ("https://cdn.example/1.jpg", "https://cdn.example/2.jpg", "https://cdn.example/3.jpg")
    receipt = instagram.publish(Draft("brand", "Three looks", media=media), "instagram:e:1")
    post = sandbox.world.post("instagram", receipt.external_id)
    assert (post.kind, post.media) == ("carousel", list(media))
    assert len(logged(sandbox, "instagram", "POST", f"/v21.0/{IG_ID}/media")) == 4


def test_instagram_waits_for_a_video_container(instagram, sandbox):
    receipt = instagram.publish(
        Draft("brand", "Behind the scenes", media=("https://cdn.example/r.mp4",)), "ig:e:1"
    )
    assert sandbox.world.post("instagram", receipt.external_id).kind == "reel"
    assert instagram.http.sleep == [1.0, 1.0]  # two IN_PROGRESS polls, then FINISHED


def test_instagram_container_error_publishes_nothing(instagram, sandbox):
    with pytest.raises(InvalidRequest, match="is ERROR"):
        instagram.publish(
            Draft("brand", "Oops", media=("https://cdn.example/broken.jpg",)), "ig:e:1"
        )
    assert not logged(sandbox, "instagram", "POST", f"/v21.0/{IG_ID}/media_publish")


def test_instagram_container_still_in_progress_after_the_bound_is_transient(server):
    server.sandbox.emulators["instagram"].video_processing_polls = 100
    adapter = make_adapter(server, "instagram", container_wait=3)
    with pytest.raises(TransientError, match="still IN_PROGRESS after 3s; nothing was published"):
        adapter.publish(
            Draft("brand", "Long video", media=("https://cdn.example/long.mp4",)), "ig:e:1"
        )
    assert adapter.http.sleep == [1.0, 1.0, 1.0]


def test_instagram_refuses_to_publish_when_the_quota_is_used_up(instagram, sandbox):
    sandbox.emulators["instagram"].quota_total = 1
    instagram.publish(Draft("brand", "First", media=("https://cdn.example/1.jpg",)), "ig:e:1")
    with pytest.raises(QuotaExceeded, match="1 of its 1 posts allowed in 24 hours"):
        instagram.publish(Draft("brand", "Second", media=("https://cdn.example/2.jpg",)), "ig:e:2")
    assert len(logged(sandbox, "instagram", "POST", f"/v21.0/{IG_ID}/media")) == 1


def test_instagram_limit_reached_between_check_and_publish_is_quota_exceeded(
    instagram, sandbox, monkeypatch
):
    sandbox.emulators["instagram"].quota_total = 0
    monkeypatch.setattr(
        instagram, "publishing_quota", lambda: (0, 100)
    )  # another tool published meanwhile
    with pytest.raises(QuotaExceeded, match="2207042"):
        instagram.publish(Draft("brand", "Late", media=("https://cdn.example/1.jpg",)), "ig:e:1")


def test_instagram_needs_public_media_urls(server, instagram, sandbox, tmp_path):
    with pytest.raises(InvalidRequest, match="at least one image"):
        instagram.publish(Draft("brand", "No media"), "ig:e:1")
    without_base = make_adapter(server, "instagram", media_base_url=None)
    with pytest.raises(
        InvalidRequest, match="set extra 'media_base_url' in Airflow connection 'instagram_default'"
    ):
        without_base.publish(Draft("brand", "Local", media=("/tmp/a.jpg",)), "ig:e:2")
    local = tmp_path / "ambre collection.png"
    receipt = instagram.publish(Draft("brand", "Local file", media=(str(local),)), "ig:e:3")
    base = InstagramEmulator.connection(server.url)["extra"]["media_base_url"]
    assert sandbox.world.post("instagram", receipt.external_id).media == [
        f"{base}/ambre%20collection.png"
    ]


def test_instagram_reads_media_insights_account_comments_tags_and_discovery(instagram):
    posts = instagram.recent_posts("brand", NOW - timedelta(hours=2, minutes=30))
    assert [(p.post_id, p.kind) for p in posts] == [
        ("17900000000000100", "post"),
        ("17900000000000101", "reel"),
    ]

    metrics = {
        m.post_id: m for m in instagram.post_metrics(["17900000000000100", "17900000000000101"])
    }
    assert (metrics["17900000000000100"].reach, metrics["17900000000000100"].saves) == (4000, 8)
    assert metrics["17900000000000100"].video_views is None
    assert metrics["17900000000000101"].video_views == 7000
    assert metrics["17900000000000101"].likes == 200

    day = instagram.account_metrics("brand", date(2026, 11, 19))
    assert (day.followers, day.following, day.posts_count) == (31000, 120, 12)
    assert day.reach > 0 and day.impressions > 0 and day.profile_views == 186

    assert [c.text for c in instagram.comments(["17900000000000100"], SINCE)] == [
        f"Nice post {n}!" for n in range(3)
    ]
    assert [m.author_handle for m in instagram.mentions("brand", NOW - timedelta(hours=6))] == [
        "fan",
        "fan",
    ]

    rival = instagram.profiles(["@rival", "fan", "ghost"])
    assert [(p.account_id, p.followers, p.posts_count) for p in rival] == [(IG_RIVAL_ID, 88000, 1)]
    assert [p.post_id for p in instagram.recent_posts("rival", NOW - timedelta(days=3))] == [
        "17900000000000999"
    ]


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_connect_builds_the_adapter_from_the_sandbox_connection(server, monkeypatch, network):
    from socialops.hooks import connect

    connection = EMULATORS[network].connection(server.url)
    monkeypatch.setenv(f"AIRFLOW_CONN_{network.upper()}_DEFAULT", json.dumps(connection))
    adapter = connect(network)
    assert isinstance(adapter, ADAPTERS[network])
    assert adapter.check().handle == "brand"
    assert "sandbox-" not in repr(adapter.settings)


# -- Ads reporting (Marketing API insights) ---------------------------------------------------
@pytest.fixture
def ads_server():
    with SandboxServer(Sandbox(build_ads_world, [FacebookEmulator, InstagramEmulator])) as running:
        yield running


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_campaign_spend_reads_every_campaign_day_of_the_ad_account_in_one_paged_listing(
    ads_server, network
):
    adapter = make_adapter(ads_server, network)
    spend = adapter.campaign_spend(LAST_DAY, ["noel-2026", "launch-ambre"], since=FIRST_DAY)
    assert len(spend) == 2 * CAMPAIGN_DAYS  # both networks' campaigns: one Meta ad account
    assert {s.network for s in spend} == {network}
    world = ads_server.sandbox.world
    for row in spend:
        expected = world_row(world, row.campaign_id, row.day)
        assert row.spend == Decimal(f"{expected['spend']:.2f}")
        assert (row.impressions, row.clicks) == (expected["impressions"], expected["clicks"])
        # purchase and offsite_conversion.fb_pixel_purchase are the same purchases: not summed
        assert row.conversions == expected["conversions"]
        assert row.revenue == Decimal(f"{expected['revenue']:.2f}")
        assert row.currency == "EUR"
    assert any(row.conversions == 0 and row.revenue == 0 for row in spend)
    requests_made = logged(ads_server.sandbox, network, path="/v21.0/act_1029384756/insights")
    assert len(requests_made) == 2 == adapter.api_calls["GET /act_{ad-account-id}/insights"]
    query = requests_made[0]["query"]
    assert {k: query[k] for k in ("level", "time_increment", "time_range")} == {
        "level": "campaign",
        "time_increment": "1",
        "time_range": json.dumps({"since": "2026-09-22", "until": "2026-11-20"}),
    }
    assert query["fields"] == ads.ADS_INSIGHTS_FIELDS
    adapter.close()


def test_campaign_spend_keeps_the_asked_campaigns_and_days_by_id_or_name(ads_server):
    adapter = make_adapter(ads_server, "facebook")
    noel_id = meta_campaign_id("noel-2026")
    assert [(s.campaign_id, s.day) for s in adapter.campaign_spend(LAST_DAY, [noel_id])] == [
        (noel_id, LAST_DAY)
    ]
    by_name = adapter.campaign_spend(LAST_DAY, ["launch-ambre", "x-promo", "unknown"])
    assert [(s.campaign_id, s.day) for s in by_name] == [("launch-ambre", LAST_DAY)]
    assert adapter.campaign_spend(LAST_DAY, []) == []
    assert adapter.api_calls["GET /act_{ad-account-id}/insights"] == 2  # none for no campaign
    adapter.close()


def test_campaign_spend_parses_meta_numbers_and_missing_actions():
    adapter = FacebookAdapter(ConnectionSettings("facebook_ads", extras={"ad_account_id": "1"}))
    raw = {"campaign_id": "9", "spend": "12.30", "impressions": "1500", "date_start": "2026-11-20"}
    row = adapter._campaign_spend(raw, "c1")
    assert (row.spend, row.impressions, row.clicks) == (Decimal("12.30"), 1500, None)
    assert (row.conversions, row.revenue) == (0, Decimal(0))  # Meta omits actions when none
    pixel_only = raw | {
        "actions": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3"}]
    }
    assert adapter._campaign_spend(pixel_only, "c1").conversions == 3
    with pytest.raises(InvalidRequest, match=r"campaign c1 \(2026-11-20\).*'12,30' is not"):
        adapter._campaign_spend(raw | {"spend": "12,30"}, "c1")
    adapter.close()


def test_campaign_spend_without_an_ad_account_is_not_supported(ads_server):
    adapter = make_adapter(ads_server, "instagram", ad_account_id="")
    with pytest.raises(NotSupported, match="extra 'ad_account_id'.*'instagram_default'"):
        adapter.campaign_spend(LAST_DAY, ["noel-2026"])
    assert logged(ads_server.sandbox, "instagram") == []
    adapter.close()


def test_campaign_spend_errors_are_the_graph_errors(ads_server):
    unknown = make_adapter(ads_server, "facebook", ad_account_id="act_42")
    with pytest.raises(InvalidRequest, match="act_42"):
        unknown.campaign_spend(LAST_DAY, ["launch-ambre"])
    ads_server.sandbox.add_fault({"network": "facebook", "kind": "expired_token"})
    adapter = make_adapter(ads_server, "facebook")
    with pytest.raises(AuthError, match="facebook_default"):
        adapter.campaign_spend(LAST_DAY, ["launch-ambre"])
    for made in (unknown, adapter):
        made.close()


def test_comments_and_tagging_posts_become_mentions_with_author_text_and_link(facebook, instagram):
    fb_comment = facebook.comments([f"{PAGE_ID}_900"], SINCE)[0]
    fb_tag = facebook.mentions("brand", NOW - timedelta(hours=6))[0]
    assert (fb_comment.author_id, fb_comment.author_handle, fb_comment.text) == (
        "104000000000009",
        "fan",
        "Nice post 0!",
    )
    assert fb_comment.url.endswith("?comment_id=facebook-c0") and fb_comment.likes == 0
    assert (fb_tag.kind, fb_tag.text, fb_tag.created_at) == (
        "mention",
        "Shout out to @brand 0",
        NOW - timedelta(hours=2),
    )

    ig_comment = instagram.comments(["17900000000000100"], SINCE)[0]
    ig_tag = instagram.mentions("brand", NOW - timedelta(hours=6))[0]
    assert (ig_comment.author_id, ig_comment.author_handle, ig_comment.kind) == (
        "17841400000000009",
        "fan",
        "comment",
    )
    # a tagging media names its author by username only, and keeps its text in the caption
    assert (ig_tag.author_id, ig_tag.text, ig_tag.url) == (
        "fan",
        "Shout out to @brand 0",
        "https://www.instagram.com/p/nstagram-m0/",
    )
