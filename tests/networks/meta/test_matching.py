"""Which Facebook or Instagram post is ours after a lost answer (docs/exactly-once.md, "What
a match is"): the neighbours the issue saw taken for ours (15 of 15 times) never are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.support.meta_world import NOW

from socialops.networks import Draft, idempotency_key
from socialops.networks.meta.facebook import _media_kinds

SINCE = NOW - timedelta(minutes=5)
IMAGE, OTHER_IMAGE, VIDEO = (
    "https://cdn.example/a.jpg",
    "https://cdn.example/b.jpg",
    "https://cdn.example/c.mp4",
)


def candidates(adapter, draft, entry="ours"):
    key = idempotency_key(entry, adapter.network, draft)
    return adapter.find_published_candidates(key, "brand", SINCE)


def publish(adapter, draft, entry):
    return adapter.publish(draft, idempotency_key(entry, adapter.network, draft))


FACEBOOK_NEIGHBOURS = [
    # texts differing only by their link
    (Draft("brand", "Nouvelle collection https://shop.example/ete"),
     Draft("brand", "Nouvelle collection https://shop.example/noel")),
    # link-only posts
    (Draft("brand", "", link="https://shop.example/a"), Draft("brand", "", link="https://shop.example/b")),
    # case differences
    (Draft("brand", "SOLDES ce soir"), Draft("brand", "Soldes ce soir")),
    # the same text with another link
    (Draft("brand", "Soldes", link="https://shop.example/a"), Draft("brand", "Soldes", link="https://shop.example/b")),
    # the same text without a link, and with a photo
    (Draft("brand", "Soldes"), Draft("brand", "Soldes", link="https://shop.example/b")),
    (Draft("brand", "Soldes"), Draft("brand", "Soldes", media=(IMAGE,))),
]  # fmt: skip
IDS = ["text-link", "link-only", "case", "other-link", "with-link", "photo"]


def test_facebook_takes_the_card_of_a_link_in_the_text_for_the_text(facebook, sandbox):
    # Facebook makes a share card of the first link of a message: still the same post.
    draft = Draft("brand", "Soldes https://shop.example/a", link="https://shop.example/a")
    mine = publish(facebook, draft, "ours")
    assert [r.external_id for r in candidates(facebook, draft)] == [mine.external_id]
    inline = Draft("brand", "Soldes https://shop.example/a")
    assert [r.external_id for r in candidates(facebook, inline)] == [mine.external_id]


def test_facebook_album_attachments_count_their_photos():
    album = [{"media_type": "album", "subattachments": {"data": [{"media_type": "photo"}] * 3}}]
    share = [{"media_type": "link", "type": "share", "unshimmed_url": "https://a.example"}]
    assert _media_kinds(album) == ["image"] * 3
    assert _media_kinds(share) == []
    assert _media_kinds([{"media_type": "video"}]) == ["video"]


INSTAGRAM_NEIGHBOURS = [
    # captions differing only by their link (appended to the caption)
    (Draft("brand", "Nouvelle collection", link="https://shop.example/ete", media=(IMAGE,)),
     Draft("brand", "Nouvelle collection", link="https://shop.example/noel", media=(IMAGE,))),
    (Draft("brand", "SOLDES", media=(IMAGE,)), Draft("brand", "Soldes", media=(IMAGE,))),
    (Draft("brand", "Soldes", media=(IMAGE,)),
     Draft("brand", "Soldes", media=(IMAGE, OTHER_IMAGE))),
    (Draft("brand", "Soldes", media=(VIDEO,)), Draft("brand", "Soldes", media=(IMAGE,))),
    (Draft("brand", "Soldes", media=(IMAGE, VIDEO)),
     Draft("brand", "Soldes", media=(IMAGE, OTHER_IMAGE))),
]  # fmt: skip


CASES = [
    *(pytest.param("facebook", n, d, id=f"facebook-{i}")
      for (n, d), i in zip(FACEBOOK_NEIGHBOURS, IDS, strict=True)),
    *(pytest.param("instagram", n, d, id=f"instagram-{i}")
      for (n, d), i in zip(INSTAGRAM_NEIGHBOURS,
                           ["other-link", "case", "media-count", "media-kind", "carousel-kinds"],
                           strict=True)),
]  # fmt: skip


@pytest.mark.parametrize(("network", "neighbour", "draft"), CASES)
def test_a_neighbour_is_never_taken_for_ours_and_ours_is_found(request, network, neighbour, draft):
    adapter = request.getfixturevalue(network)
    theirs = publish(adapter, neighbour, "neighbour")
    assert candidates(adapter, draft) == []

    mine = publish(adapter, draft, "ours")
    assert [r.external_id for r in candidates(adapter, draft)] == [mine.external_id]
    assert [r.external_id for r in candidates(adapter, neighbour, "neighbour")] == [
        theirs.external_id
    ]
