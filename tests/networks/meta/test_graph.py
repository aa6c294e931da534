"""What both Meta adapters share (meta/graph.py): paging, the newest-first rule, id batches,
comments and tags as mentions, connections."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from tests.support.adapters import logged
from tests.support.meta_world import (
    IG_ID,
    NOW,
    PAGE_ID,
    build_meta_world,
)

from socialops.networks import TransientError
from socialops.networks.meta import graph
from socialops.networks.meta.facebook import FacebookAdapter
from socialops.networks.meta.instagram import InstagramAdapter
from socialops.sandbox.meta_api import FacebookEmulator, InstagramEmulator
from socialops.sandbox.world import SandboxMention

SINCE = NOW - timedelta(days=1)
EMULATORS = {"facebook": FacebookEmulator, "instagram": InstagramEmulator}
ADAPTERS = {"facebook": FacebookAdapter, "instagram": InstagramAdapter}


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


def test_post_metrics_are_batched_50_ids_per_call(server, make_adapter):
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


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_connect_builds_the_adapter_from_the_sandbox_connection(server, monkeypatch, network):
    from socialops.hooks import connect

    connection = EMULATORS[network].connection(server.url)
    monkeypatch.setenv(f"AIRFLOW_CONN_{network.upper()}_DEFAULT", json.dumps(connection))
    adapter = connect(network)
    assert isinstance(adapter, ADAPTERS[network])
    assert adapter.check().handle == "brand"
    assert "sandbox-" not in repr(adapter.settings)


def test_a_listing_whose_pages_repeat_raises_instead_of_looping(facebook, monkeypatch):
    stamp = (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    same = {
        "data": [{"id": f"{PAGE_ID}_1", "created_time": stamp, "message": "hi"}],
        "paging": {"cursors": {"after": "QVFI"}, "next": "https://graph.example/next"},
    }
    asked = []

    def get(path, **kwargs):
        if path == "/me":  # the connection's Page
            return {"id": PAGE_ID, "username": "brand"}
        asked.append(path)
        return same

    monkeypatch.setattr(facebook.http, "get", get)

    with pytest.raises(TransientError) as caught:
        facebook.recent_posts(PAGE_ID, SINCE)
    assert str(caught.value).startswith(
        "[facebook] GET /{page-id}/posts returned a page already received "
        "(Graph paging cursor ('after', 'QVFI'))"
    )
    assert len(asked) == 2


@pytest.mark.parametrize(
    ("network", "own_id", "post_id"),
    [("facebook", PAGE_ID, f"{PAGE_ID}_900"), ("instagram", IG_ID, "17900000000000100")],
)
def test_the_brands_answers_in_a_comments_thread_are_read_and_known_by_the_accounts_id(
    server, make_adapter, network, own_id, post_id
):
    # On both networks the Page (the Instagram account) answers a comment in its thread: a
    # reply, which the comments edge lists only with filter(stream) (Facebook) or inside
    # the comment's `replies` (Instagram). Facebook names the Page by its display name.
    world = server.sandbox.world
    world.mentions.append(
        SandboxMention(
            network,
            f"{network}-answer",
            own_id,
            "Brand — Maison officielle" if network == "facebook" else "brand",
            "Thanks, it ships Monday",
            "en",
            "positive",
            NOW - timedelta(minutes=10),
            in_reply_to=post_id,
            parent=f"{network}-c0",
        )
    )
    adapter = make_adapter(server, network)
    adapter.recent_posts("brand", SINCE)  # the reader lists the posts first: the id is known
    comments = adapter.comments([post_id], SINCE)
    assert [c.mention_id for c in comments] == [
        f"{network}-c0",
        f"{network}-c1",
        f"{network}-c2",
        f"{network}-answer",
    ]
    assert [c.by_account for c in comments] == [False, False, False, True]
    assert {c.in_reply_to for c in comments} == {post_id}
