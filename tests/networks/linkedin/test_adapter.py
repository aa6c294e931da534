"""LinkedInAdapter (linkedin/adapter.py) against the LinkedIn REST emulator over real HTTP."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from tests.support.adapters import logged, serving_files
from tests.support.linkedin_world import NOW, ORG, RIVAL_ORG, build_linkedin_world, post_urn

from socialops.networks import (
    Draft,
    DuplicateContent,
    InvalidRequest,
    NotSupported,
    OutcomeUnknown,
    TransientError,
    idempotency_key,
)
from socialops.networks.linkedin import adapter as linkedin
from socialops.networks.linkedin.adapter import LinkedInAdapter
from socialops.sandbox.linkedin_api import LinkedInEmulator

SINCE = NOW - timedelta(days=1)


def test_publishes_a_text_post_with_an_article_and_reads_it_back(adapter, sandbox):
    text = "Our (new) collection is out #launch @everyone"
    draft = Draft("brand", text, link="https://brand.example/new", title="New")
    key = idempotency_key("e1", "linkedin", draft)
    receipt = adapter.publish(draft, key)
    assert receipt.external_id.startswith("urn:li:share:")
    assert receipt.url == f"https://www.linkedin.com/feed/update/{receipt.external_id}/"
    post = sandbox.world.post("linkedin", receipt.external_id)
    assert (post.text, post.link, post.account_id) == (text, "https://brand.example/new", ORG)
    assert adapter.find_published(key, "brand", NOW - timedelta(minutes=1)) == receipt


def test_publishes_an_image_after_uploading_it(adapter, sandbox, tmp_path):
    image = tmp_path / "visual.png"
    image.write_bytes(b"\x89PNG fake")
    receipt = adapter.publish(Draft("brand", "With a visual", media=(str(image),)), "linkedin:e:1")
    post = sandbox.world.post("linkedin", receipt.external_id)
    assert post.kind == "image" and post.media[0].startswith("urn:li:image:")
    assert [r["method"] for r in logged(sandbox)[-3:]] == ["POST", "PUT", "POST"]
    upload = next(iter(sandbox.emulators["linkedin"].uploads.values()))
    assert upload["bytes"] == len(b"\x89PNG fake")


def test_publishes_an_image_from_a_url_after_downloading_it(adapter, sandbox, tmp_path):
    (tmp_path / "remote.jpg").write_bytes(b"\xff\xd8remote")
    with serving_files(tmp_path) as base:
        url = f"{base}/remote.jpg"
        receipt = adapter.publish(Draft("brand", "From a CDN", media=(url,)), "linkedin:e:1")
        with pytest.raises(InvalidRequest, match="answered 404"):
            adapter.publish(Draft("brand", "Gone", media=(url.replace("remote", "gone"),)), "e:2")
    assert sandbox.world.post("linkedin", receipt.external_id).kind == "image"
    upload = next(iter(sandbox.emulators["linkedin"].uploads.values()))
    assert upload["bytes"] == len(b"\xff\xd8remote")
    assert adapter.api_calls["GET media source"] == 2
    with pytest.raises(TransientError, match="cannot download image"):
        adapter.publish(Draft("brand", "CDN down", media=(url,)), "linkedin:e:3")


def test_refuses_missing_images_and_duplicates(adapter):
    with pytest.raises(InvalidRequest, match="neither a URL nor an existing file"):
        adapter.publish(Draft("brand", "x", media=("/no/such.png",)), "linkedin:e:1")
    adapter.publish(Draft("brand", "Said once"), "linkedin:e:2")
    with pytest.raises(DuplicateContent, match="duplicate of urn:li:share:"):
        adapter.publish(Draft("brand", "Said once"), "linkedin:e:3")


def test_reads_posts_statistics_comments_and_profiles(adapter):
    posts = adapter.recent_posts("brand", NOW - timedelta(hours=2, minutes=30))
    assert [p.post_id for p in posts] == [post_urn(0), post_urn(1)]
    assert posts[0].text.startswith("Brand update 0 (with #hiring and @mentions)")

    day = adapter.account_metrics("brand", date(2026, 11, 19))
    assert day.followers == 8000 and day.impressions > 0 and day.reach > 0

    metrics = {m.post_id: m for m in adapter.post_metrics([post_urn(0), post_urn(1)])}
    assert (metrics[post_urn(1)].impressions, metrics[post_urn(1)].reach) == (3001, 2001)
    assert (metrics[post_urn(0)].likes, metrics[post_urn(0)].link_clicks) == (90, 30)

    comments = adapter.comments([post_urn(0), post_urn(1)], SINCE)
    assert [c.text for c in comments] == ["Great news 0", "Great news 1", "Great news 2"]
    assert comments[0].mention_id == f"urn:li:comment:({post_urn(0)},6000)"

    profiles = adapter.profiles(["rival", RIVAL_ORG, "10000001", "nobody"])
    assert [(p.account_id, p.handle, p.followers) for p in profiles] == [
        (RIVAL_ORG, "rival", 23000),
        (ORG, "brand", 8000),
    ]


def test_mentions_are_not_supported_with_a_clear_error(adapter):
    with pytest.raises(NotSupported, match="no public post search"):
        adapter.mentions("brand", SINCE)


def test_post_ids_must_be_urns(adapter):
    with pytest.raises(InvalidRequest, match="must be urn:li:share"):
        adapter.post_metrics(["12345"])


def test_several_administered_pages_need_the_extra(server, make_adapter):
    world = server.sandbox.world
    rival = world.accounts[("linkedin", RIVAL_ORG)]
    rival.role = "owned"
    with pytest.raises(InvalidRequest, match="set extra 'organization_urn'"):
        make_adapter(server).check()
    assert make_adapter(server, organization_urn="10000002").check().handle == "rival"


def test_a_night_resolves_the_page_by_its_vanity_name_once(adapter, sandbox):
    adapter.account_metrics("brand", date(2026, 11, 19))
    posts = adapter.recent_posts("@Brand", SINCE)
    metrics = adapter.post_metrics([p.post_id for p in posts])

    assert len(metrics) == len(posts) == 12
    # No /organizationAcls nor /organizations/{id}: the vanity lookup gives the URN, and the
    # statistics are asked of the posts' author as listed.
    assert adapter.api_calls == {
        "GET /organizations?q=vanityName": 1,
        "GET /organizationalEntityShareStatistics?timeIntervals": 1,
        "GET /networkSizes/{urn}": 1,
        "GET /posts?q=author": 1,
        "GET /organizationalEntityShareStatistics?shares": 1,
    }
    # check() still asks which page the token administers, but reuses the page's record.
    assert adapter.check().account_id == ORG
    assert adapter.api_calls["GET /organizationAcls"] == 1
    assert "GET /organizations/{id}" not in adapter.api_calls


def test_statistics_of_posts_not_listed_are_asked_of_the_connections_page(adapter, sandbox):
    assert [m.post_id for m in adapter.post_metrics([post_urn(3)])] == [post_urn(3)]
    acls, statistics = logged(sandbox)
    assert acls["path"] == "/rest/organizationAcls"
    assert statistics["query"]["organizationalEntity"] == ORG


def test_recent_posts_page_with_start_and_count(adapter, sandbox, monkeypatch):
    monkeypatch.setattr(linkedin, "PAGE_SIZE", 5)
    posts = adapter.recent_posts("brand", SINCE)
    assert len(posts) == 12
    listings = logged(sandbox, method="GET", path="/rest/posts")
    assert [r["query"]["start"] for r in listings] == ["0", "5", "10"]


def test_post_statistics_are_batched_50_per_call(server, make_adapter):
    server.sandbox._world_factory = lambda: build_linkedin_world(posts=120)
    server.sandbox.reset()
    adapter = make_adapter(server, organization_urn=ORG)
    assert len(adapter.post_metrics([post_urn(n) for n in range(120)])) == 120
    calls = logged(server.sandbox, method="GET", path="/rest/organizationalEntityShareStatistics")
    assert [r["query"]["shares"].count("urn:li:share:") for r in calls] == [50, 50, 20]


def test_timeout_after_apply_is_outcome_unknown_then_found_exactly_once(server, make_adapter):
    sandbox = server.sandbox
    adapter = make_adapter(server, timeout=0.5)
    adapter.check()
    sandbox.add_fault(
        {
            "network": "linkedin",
            "kind": "timeout_after_apply",
            "path": "/rest/posts",
            "method": "POST",
            "hold_seconds": 1,
        }
    )
    text = "Big news (really) https://brand.example/news"
    key = idempotency_key("entry-7", "linkedin", text)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(Draft("brand", text), key)
    receipt = adapter.find_published(key, "brand", NOW - timedelta(minutes=5))
    matching = [p.id for p in sandbox.world.posts.values() if p.text == text]
    assert receipt is not None and matching == [receipt.external_id]


def test_connect_builds_the_adapter_from_the_sandbox_connection(server, monkeypatch):
    from socialops.hooks import connect

    monkeypatch.setenv(
        "AIRFLOW_CONN_LINKEDIN_DEFAULT", json.dumps(LinkedInEmulator.connection(server.url))
    )
    adapter = connect("linkedin")
    assert isinstance(adapter, LinkedInAdapter) and adapter.check().handle == "brand"


def test_a_collection_that_ignores_start_raises_instead_of_looping(adapter, monkeypatch):
    post = {"id": post_urn(0), "publishedAt": int(NOW.timestamp() * 1000), "commentary": "hi"}
    same = {"elements": [post], "paging": {"start": 0, "count": 1, "links": [{"rel": "next"}]}}
    asked = []
    monkeypatch.setattr(adapter.http, "get", lambda path, **kwargs: asked.append(kwargs) or same)

    with pytest.raises(TransientError) as caught:
        adapter.recent_posts(ORG, SINCE)
    assert str(caught.value).startswith(
        # (the endpoint's query string is redacted like any other: networks/errors.py)
        "[linkedin] GET /posts?*** returned a page already received (LinkedIn start/count cursor 1)"
    )
    assert [q["params"].split("&start=")[1] for q in asked] == ["0&count=100", "1&count=100"]


def test_competitor_data_is_not_supported_with_the_reason(adapter):
    with pytest.raises(NotSupported, match="does not administer"):
        adapter.lookup_profiles(["rival"])
    with pytest.raises(NotSupported, match="does not administer"):
        adapter.public_posts("rival", SINCE)
    assert adapter.api_calls == {}
