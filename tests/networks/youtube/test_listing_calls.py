"""A YouTube night's calls (youtube/adapter.py) against the emulator, counted by the adapter:
playlistItems carry no statistics and no date filter, so the uploads are read up to the first
older video and videos.list follows 50 ids a call, as bench/nightly.py's minimum counts them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bench.nightly import MINIMUM_CALLS
from tests.support.adapters import Sleeps, sandbox_settings
from tests.support.youtube_world import NOW, build_youtube_world

from socialops.networks.youtube.adapter import YouTubeAdapter
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.youtube_api import YouTubeEmulator


@pytest.fixture(scope="module")
def busy_server():
    """The channel with 350 videos one hour apart: the window's, then older ones."""
    with SandboxServer(
        Sandbox(lambda: build_youtube_world(videos=350, comments=0), [YouTubeEmulator])
    ) as running:
        yield running


@pytest.mark.parametrize("in_window, pages", [(200, 5), (199, 4)])
def test_the_uploads_are_read_up_to_the_first_older_video(busy_server, in_window, pages):
    settings = sandbox_settings(YouTubeEmulator, busy_server.url)
    adapter = YouTubeAdapter(settings, sleep=Sleeps(), now=lambda: NOW)
    try:
        adapter.account_metrics("brand", date(2026, 11, 19))
        posts = adapter.recent_posts(
            "brand", NOW - timedelta(hours=in_window, minutes=30), metrics=True
        )
        metrics = adapter.post_metrics([p.post_id for p in posts])
    finally:
        adapter.close()

    assert len(posts) == len(metrics) == in_window
    assert all(p.metrics is None for p in posts)  # playlistItems carry no statistics
    assert adapter.api_calls == {
        "oauth2.token": 1,
        "channels.list": 1,
        "reports.query": 1,
        "playlistItems.list": pages,
        "videos.list": 4,
    }
    assert sum(adapter.api_calls.values()) == MINIMUM_CALLS["youtube"][0](in_window, 150)
