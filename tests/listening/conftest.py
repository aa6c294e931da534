"""Fixtures of the listening tests: the example brand, a scripted network, a Run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from socialops.config import load_config
from socialops.config.loader import DEFAULT_PATH
from socialops.networks import records
from socialops.runtime import Run

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


@pytest.fixture
def config():
    return load_config(DEFAULT_PATH)


def mention(mention_id: str, minutes_ago: float, text: str = "J'adore maison lumière", **kw):
    return records.Mention(
        network=kw.pop("network", "x"),
        mention_id=mention_id,
        author_id=kw.pop("author_id", "42"),
        author_handle=kw.pop("author_handle", "lea"),
        text=text,
        created_at=NOW - timedelta(minutes=minutes_ago),
        **kw,
    )


@dataclass
class ScriptedNetwork:
    """An adapter whose answers the test writes: ``found`` (mentions, filtered by ``since``
    as the APIs do), ``posts``, and an error to raise instead."""

    network: str = "x"
    found: list[records.Mention] = field(default_factory=list)
    posts: list[records.Post] = field(default_factory=list)
    error: Exception | None = None
    calls: list[tuple] = field(default_factory=list)

    def _answer(self, since):
        if self.error is not None:
            raise self.error
        return [m for m in self.found if m.created_at >= since]

    def mentions(self, query, since):
        self.calls.append(("mentions", query, since))
        return self._answer(since)

    def search(self, query, since):
        self.calls.append(("search", query, since))
        return self._answer(since)

    def hashtag_media(self, hashtag, since):
        self.calls.append(("hashtag_media", hashtag, since))
        return self._answer(since)

    def comments(self, post_ids, since):
        self.calls.append(("comments", tuple(post_ids), since))
        return self._answer(since)

    def recent_posts(self, account, since):
        self.calls.append(("recent_posts", account, since))
        return self.posts

    def close(self):
        pass


@pytest.fixture
def network() -> ScriptedNetwork:
    return ScriptedNetwork()


@pytest.fixture
def run(config, warehouse_engine):
    from socialops.warehouse.engine import ensure_schema

    ensure_schema(warehouse_engine)
    return Run(config, warehouse_engine, NOW, variable=lambda name: None)
