"""Which YouTube upload is ours after a lost answer (docs/exactly-once.md, "What a match
is"): the title, the description (text and link) and the video, since the attempt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from tests.support.adapters import Sleeps, sandbox_settings
from tests.support.youtube_world import BRAND_CHANNEL, NOW, build_youtube_world

from socialops.networks import Draft, idempotency_key
from socialops.networks.youtube.adapter import YouTubeAdapter
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.world import SandboxPost
from socialops.sandbox.youtube_api import YouTubeEmulator

SINCE = NOW - timedelta(minutes=5)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(Sandbox(build_youtube_world, [YouTubeEmulator])) as running:
        yield running


@pytest.fixture
def youtube(server: SandboxServer) -> Iterator[YouTubeAdapter]:
    adapter = YouTubeAdapter(sandbox_settings(YouTubeEmulator, server.url), sleep=Sleeps())
    yield adapter
    adapter.close()


@pytest.fixture
def video(tmp_path: Path) -> str:
    path = tmp_path / "teaser.mp4"
    path.write_bytes(bytes(range(256)) * 1_200)
    return str(path)


def upload(youtube, video, entry, **fields):
    draft = Draft(**{"account": "brand", "text": "Notre collection", "media": (video,), **fields})
    return draft, youtube.publish(draft, idempotency_key(entry, "youtube", draft))


def candidates(youtube, draft):
    return youtube.find_published_candidates(
        idempotency_key("ours", "youtube", draft), "brand", SINCE
    )


@pytest.mark.parametrize(
    ("neighbour", "ours"),
    [
        ({"title": "Automne"}, {"title": "Hiver"}),  # same description, another title
        ({"title": "Hiver", "link": "https://shop.example/a"},
         {"title": "Hiver", "link": "https://shop.example/b"}),  # another link
        ({"title": "Hiver", "text": "NOTRE COLLECTION"}, {"title": "Hiver"}),  # case
        ({"title": "hiver"}, {"title": "Hiver"}),  # the title's case
        ({"title": "Hiver"}, {"title": "Hiver", "link": "https://shop.example/a"}),
    ],
    ids=["title", "other-link", "case", "title-case", "with-link"],
)  # fmt: skip
def test_a_neighbour_is_never_taken_for_ours_and_ours_is_found(youtube, video, neighbour, ours):
    neighbour_draft, theirs = upload(youtube, video, "neighbour", **neighbour)
    our_draft = Draft(**{"account": "brand", "text": "Notre collection", "media": (video,), **ours})
    assert candidates(youtube, our_draft) == []

    _, mine = upload(youtube, video, "ours", **ours)
    assert candidates(youtube, our_draft) == [mine]
    assert youtube.find_published_candidates(
        idempotency_key("neighbour", "youtube", neighbour_draft), "brand", SINCE
    ) == [theirs]


def test_an_upload_before_the_attempt_is_not_ours(youtube, server, video):
    server.sandbox.world.add_post(
        SandboxPost("youtube", "OlderVideo1", BRAND_CHANNEL, "Notre collection",
                    NOW - timedelta(hours=1), kind="video", title="Hiver")
    )  # fmt: skip
    draft = Draft("brand", "Notre collection", media=(video,), title="Hiver")
    assert candidates(youtube, draft) == []
    key = idempotency_key("ours", "youtube", draft)
    earlier = youtube.find_published_candidates(key, "brand", NOW - timedelta(hours=2))
    assert [r.external_id for r in earlier] == ["OlderVideo1"]
