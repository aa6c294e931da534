"""The YouTube adapter's public lookups: channels 50 per call by id, one call per handle,
unknown channels named, another channel's videos with their public statistics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from tests.support.adapters import Sleeps, sandbox_settings
from tests.support.youtube_world import NOW, RIVAL_CHANNEL, build_youtube_world

from socialops.networks.youtube.adapter import YouTubeAdapter
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.world import SandboxAccount, SandboxPost
from socialops.sandbox.youtube_api import YouTubeEmulator


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(Sandbox(build_youtube_world, [YouTubeEmulator])) as running:
        yield running


@pytest.fixture
def youtube(server: SandboxServer) -> Iterator[YouTubeAdapter]:
    adapter = YouTubeAdapter(sandbox_settings(YouTubeEmulator, server.url), sleep=Sleeps())
    yield adapter
    adapter.close()


def channel_id(n: int) -> str:
    return f"UCwatch{n:017d}"


def test_60_channels_by_id_take_two_calls_and_a_missing_one_is_named(youtube, server):
    world = server.sandbox.world
    ids = [channel_id(n) for n in range(60)]
    for n, cid in enumerate(ids[:-1]):
        world.add_account(SandboxAccount("youtube", cid, f"chan{n}", f"C{n}", "public", n))

    lookup = youtube.lookup_profiles(ids)

    assert sorted(p.account_id for p in lookup.found) == sorted(ids[:-1])
    assert lookup.unreadable == {ids[-1]: "no such channel (deleted or terminated)"}
    assert youtube.api_calls["channels.list"] == 2


def test_a_handle_costs_a_call_of_its_own(youtube):
    lookup = youtube.lookup_profiles(["@rival", "nobody-here"])
    assert [p.account_id for p in lookup.found] == [RIVAL_CHANNEL]
    assert "nobody-here" in lookup.unreadable
    assert youtube.api_calls["channels.list"] == 2


def test_public_posts_with_statistics_and_no_second_channels_call(youtube, server):
    world = server.sandbox.world
    for n in range(3):
        world.add_post(
            SandboxPost(
                "youtube",
                f"rivalvid{n:03d}",
                RIVAL_CHANNEL,
                f"Rival video {n}",
                NOW - timedelta(days=n, hours=2),
                kind="video",
                title=f"Rival {n}",
                final={"video_views": 1000 * (n + 1), "likes": 10 * (n + 1), "comments": n},
                half_life_hours=0.001,
            )
        )
    youtube.lookup_profiles([RIVAL_CHANNEL])

    posts = youtube.public_posts(RIVAL_CHANNEL, NOW - timedelta(days=5))

    assert [(p.post_id, p.views, p.likes, p.comments) for p in posts] == [
        ("rivalvid000", 1000, 10, 0),
        ("rivalvid001", 2000, 20, 1),
        ("rivalvid002", 3000, 30, 2),
    ]
    assert youtube.api_calls["channels.list"] == 1  # the lookup's, with the uploads playlist
    assert youtube.api_calls["videos.list"] == 1
