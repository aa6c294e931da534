"""Which LinkedIn post is ours after a lost answer (docs/exactly-once.md, "What a match
is"): the commentary, the article card's link, the image; never a neighbour."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.support.linkedin_world import NOW

from socialops.networks import Draft, idempotency_key
from socialops.networks.linkedin.adapter import _media_kinds

SINCE = NOW - timedelta(minutes=5)


def candidates(adapter, draft, entry="ours"):
    return adapter.find_published_candidates(
        idempotency_key(entry, "linkedin", draft), "brand", SINCE
    )


def publish(adapter, draft, entry):
    return adapter.publish(draft, idempotency_key(entry, "linkedin", draft))


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "visual.png"
    path.write_bytes(b"\x89PNG fake")
    return str(path)


NEIGHBOURS = [
    # texts differing only by their link
    ({"text": "Nouvelle collection https://shop.example/ete"},
     {"text": "Nouvelle collection https://shop.example/noel"}),
    # link-only posts (an article card and no words)
    ({"text": "", "link": "https://shop.example/a"}, {"text": "", "link": "https://shop.example/b"}),
    # case differences
    ({"text": "SOLDES ce soir"}, {"text": "Soldes ce soir"}),
    # the same text with another article link, or none
    ({"text": "Soldes", "link": "https://shop.example/a"}, {"text": "Soldes", "link": "https://shop.example/b"}),
    ({"text": "Soldes"}, {"text": "Soldes", "link": "https://shop.example/b"}),
    # the same text with an image
    ({"text": "Soldes"}, {"text": "Soldes", "image": True}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("neighbour", "ours"),
    NEIGHBOURS,
    ids=["text-link", "link-only", "case", "other-link", "with-link", "image"],
)
def test_a_neighbour_is_never_taken_for_ours_and_ours_is_found(adapter, image, neighbour, ours):
    def draft(fields):
        media = (image,) if fields.get("image") else ()
        return Draft("brand", fields["text"], link=fields.get("link"), media=media)

    theirs = publish(adapter, draft(neighbour), "neighbour")
    assert candidates(adapter, draft(ours)) == []

    mine = publish(adapter, draft(ours), "ours")
    assert candidates(adapter, draft(ours)) == [mine]
    assert candidates(adapter, draft(neighbour), "neighbour") == [theirs]


def test_media_kinds_come_from_the_media_urns():
    assert _media_kinds({"media": {"id": "urn:li:video:1"}}) == ["video"]
    multi = {"multiImage": {"images": [{"id": "urn:li:image:1"}, {"id": "urn:li:image:2"}]}}
    assert _media_kinds(multi) == ["image", "image"]
    assert _media_kinds({"article": {"source": "https://a.example"}}) == []
