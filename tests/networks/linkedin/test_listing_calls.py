"""A LinkedIn night's calls (linkedin/adapter.py) against the emulator, counted by the adapter:
posts carry no statistics, so the listing reads up to the first older post (no date filter) and
the statistics follow 50 posts a call, as bench/nightly.py's minimum counts them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bench.nightly import MINIMUM_CALLS
from tests.support.linkedin_world import NOW, ORG, build_linkedin_world

from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.linkedin_api import LinkedInEmulator


@pytest.fixture(scope="module")
def busy_server():
    """The page with 350 posts one hour apart: the window's, then older ones."""
    with SandboxServer(
        Sandbox(lambda: build_linkedin_world(posts=350), [LinkedInEmulator])
    ) as running:
        yield running


def night(adapter, account: str, in_window: int) -> list:
    adapter.account_metrics(account, date(2026, 11, 19))
    posts = adapter.recent_posts(account, NOW - timedelta(hours=in_window, minutes=30))
    adapter.post_metrics([p.post_id for p in posts])
    return posts


@pytest.mark.parametrize("in_window, pages", [(200, 3), (199, 2)])
def test_the_listing_reads_up_to_the_first_older_post(busy_server, make_adapter, in_window, pages):
    adapter = make_adapter(busy_server)

    posts = night(adapter, "brand", in_window)

    assert len(posts) == in_window
    assert adapter.api_calls == {
        "GET /organizations?q=vanityName": 1,
        "GET /networkSizes/{urn}": 1,
        "GET /organizationalEntityShareStatistics?timeIntervals": 1,
        "GET /posts?q=author": pages,
        "GET /organizationalEntityShareStatistics?shares": 4,
    }
    assert sum(adapter.api_calls.values()) == MINIMUM_CALLS["linkedin"][0](in_window, 150)


def test_a_page_asked_by_its_urn_needs_no_vanity_lookup(busy_server, make_adapter):
    adapter = make_adapter(busy_server)

    night(adapter, ORG, 200)

    assert "GET /organizations?q=vanityName" not in adapter.api_calls
    assert sum(adapter.api_calls.values()) == MINIMUM_CALLS["linkedin"][0](200, 150) - 1
