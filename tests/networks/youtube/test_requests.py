"""Requests the YouTube adapter sends as Google documents them (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from tests.support.adapters import Sleeps, sandbox_settings
from tests.support.youtube_world import build_youtube_world, video_id

from socialops.networks.youtube.adapter import YouTubeAdapter
from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.youtube_api import YouTubeEmulator


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(Sandbox(build_youtube_world, [YouTubeEmulator])) as running:
        yield running


def test_videos_list_by_id_sends_no_max_results_and_gets_every_id(server):
    adapter = YouTubeAdapter(sandbox_settings(YouTubeEmulator, server.url), sleep=Sleeps())
    ids = [video_id(n) for n in range(12)]
    assert [m.post_id for m in adapter.post_metrics(ids)] == ids

    calls = [r for r in server.sandbox.requests if r["path"] == "/youtube/v3/videos"]
    assert len(calls) == 1 and "maxResults" not in calls[0]["query"]
    adapter.close()


def test_the_emulator_refuses_max_results_with_id_as_google_documents(server):
    response = requests.get(
        f"{YouTubeEmulator.connection(server.url)['host']}/youtube/v3/videos",
        params={"part": "statistics", "id": video_id(1), "maxResults": 5, "key": "sandbox-key"},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["reason"] == "incompatibleParameters"
