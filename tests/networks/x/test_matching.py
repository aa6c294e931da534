"""Which X post is ours after a lost answer (docs/exactly-once.md, "What a match is"): the
neighbours the issue saw taken for ours never are, ours always is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.support.x_world import BRAND_ID, JPEG, MP4, NOW, PNG

from socialops.networks import AuthError, Draft, NotSupported, RateLimited, idempotency_key
from socialops.networks.x.adapter import expanded_text
from socialops.sandbox.world import SandboxPost

SINCE = NOW - timedelta(minutes=5)


def ours(adapter, draft, entry="ours"):
    return adapter.find_published_candidates(idempotency_key(entry, "x", draft), "brand", SINCE)


def publish(adapter, draft, entry):
    return adapter.publish(draft, idempotency_key(entry, "x", draft))


@pytest.mark.parametrize(
    ("neighbour", "draft"),
    [
        # texts differing only by their link (X shows both as t.co links)
        (
            Draft("brand", "Nouvelle collection", link="https://shop.example/ete"),
            Draft("brand", "Nouvelle collection", link="https://shop.example/noel"),
        ),
        # link-only posts
        (Draft("brand", "", link="https://shop.example/a"), Draft("brand", "", link="https://shop.example/b")),
        # case differences
        (Draft("brand", "SOLDES ce soir"), Draft("brand", "Soldes ce soir")),
        # the same text, one with a link
        (Draft("brand", "Ambre arrive"), Draft("brand", "Ambre arrive", link="https://shop.example/a")),
        # the same text, another media count or kind
        (Draft("brand", "Coulisses", media=(str(JPEG),)),
         Draft("brand", "Coulisses", media=(str(JPEG), str(PNG)))),
        (Draft("brand", "Coulisses", media=(str(MP4),)),
         Draft("brand", "Coulisses", media=(str(JPEG),))),
        (Draft("brand", "Coulisses", media=(str(JPEG),)), Draft("brand", "Coulisses")),
    ],
    ids=["other-link", "link-only", "case", "with-link", "media-count", "media-kind", "no-media"],
)  # fmt: skip
def test_a_neighbour_is_never_taken_for_ours_and_ours_is_found(adapter, sandbox, neighbour, draft):
    other = publish(adapter, neighbour, "neighbour")
    # X refuses the same text twice within 24 hours, with other media too: the neighbour
    # with the same words was posted from the app, which the emulator's rule does not see.
    sandbox.world.post("x", other.external_id).extra["source_text"] = "posted from the app"
    assert ours(adapter, draft) == []

    mine = publish(adapter, draft, "ours")
    assert ours(adapter, draft) == [mine]
    assert ours(adapter, neighbour, "neighbour") == [other]


def test_links_are_expanded_from_the_entities_and_the_media_link_dropped(adapter, sandbox):
    draft = Draft("brand", "Fish & chips <today> https://Menu.example/Carte.", media=(str(JPEG),))
    receipt = publish(adapter, draft, "ours")

    stored = sandbox.world.post("x", receipt.external_id)
    assert "https://menu.example" not in stored.text.casefold()  # X shows t.co links only
    assert stored.text.count("https://t.co/") == 2  # the link and the media's link
    assert ours(adapter, draft) == [receipt]
    # The same words with the link typed otherwise (case of the path) are another post.
    other = Draft("brand", "Fish & chips <today> https://menu.example/carte.", media=(str(JPEG),))
    assert ours(adapter, other) == []


def test_expanded_text_reads_recorded_entities():
    tweet = {
        "id": "2",
        "text": "Soldes &amp; plus https://t.co/abc https://t.co/pic",
        "entities": {
            "urls": [
                {"start": 18, "end": 34, "url": "https://t.co/abc",
                 "expanded_url": "https://shop.example/soldes?a=1&b=2",
                 "display_url": "shop.example/soldes…"},
                {"start": 35, "end": 51, "url": "https://t.co/pic",
                 "expanded_url": "https://x.com/brand/status/1/photo/1",
                 "display_url": "pic.x.com/pic", "media_key": "3_1"},
            ]
        },
    }  # fmt: skip
    assert expanded_text(tweet) == "Soldes & plus https://shop.example/soldes?a=1&b=2 "
    # Without its media_key, the media link is still known by where it points: this post.
    del tweet["entities"]["urls"][1]["media_key"]
    assert expanded_text({**tweet, "id": "1"}).endswith("b=2 ")
    # A link to another post's photo is part of the text.
    assert expanded_text({**tweet, "id": "2"}).endswith("https://x.com/brand/status/1/photo/1")


def test_only_posts_since_the_attempt_are_candidates(adapter, sandbox):
    draft = Draft("brand", "Bonne semaine")
    sandbox.world.add_post(
        SandboxPost("x", "1790000000000000001", BRAND_ID, "Bonne semaine", NOW - timedelta(hours=2))
    )
    assert ours(adapter, draft) == []
    mine = publish(adapter, draft, "ours")
    assert ours(adapter, draft) == [mine]


def test_every_matching_post_is_listed_oldest_first(adapter, sandbox):
    draft = Draft("brand", "Bonne semaine")
    older = SandboxPost(
        "x", "1800000000000000101", BRAND_ID, "Bonne semaine", NOW - timedelta(minutes=2)
    )
    newer = SandboxPost(
        "x", "1800000000000000102", BRAND_ID, "Bonne  semaine", NOW - timedelta(minutes=1)
    )
    for post in (newer, older):
        sandbox.world.add_post(post)  # fmt: skip
    found = ours(adapter, draft)
    assert [r.external_id for r in found] == [older.id, newer.id]
    assert adapter.find_published(idempotency_key("ours", "x", draft), "brand", SINCE) == found[0]


def test_a_key_from_before_the_strict_match_is_not_guessed(adapter):
    with pytest.raises(NotSupported, match="predates"):
        adapter.find_published_candidates("x:e1:0123456789abcdef", "brand", SINCE)


def test_a_rate_limited_listing_says_when_to_come_back_and_matches_nothing(adapter, sandbox):
    publish(adapter, Draft("brand", "Bonne semaine"), "ours")
    sandbox.add_fault(
        {"network": "x", "kind": "rate_limit", "path": r"/2/users/\d+/tweets",
         "count": 10, "reset_after": 900}
    )  # fmt: skip
    with pytest.raises(RateLimited) as caught:
        ours(adapter, Draft("brand", "Bonne semaine"))
    assert caught.value.retry_at >= NOW + timedelta(minutes=10)


def test_an_expired_token_while_listing_is_an_auth_error(adapter, sandbox):
    sandbox.add_fault({"network": "x", "kind": "expired_token", "path": r"/2/users/\d+/tweets"})
    with pytest.raises(AuthError, match="x_default"):
        ours(adapter, Draft("brand", "Bonne semaine"))


def test_malformed_entities_leave_the_text_as_shown():
    tweet = {"id": "1", "text": "Voir https://t.co/abc", "entities": {"urls": [{"start": 5}]}}
    assert expanded_text(tweet) == "Voir https://t.co/abc"
    assert expanded_text({"id": "1", "text": "Voir", "entities": None}) == "Voir"
