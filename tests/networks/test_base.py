from datetime import UTC, datetime, timedelta

import pytest

from socialops.networks import NetworkAdapter, NotSupported, PostContent, Receipt, idempotency_key
from socialops.networks.base import ConnectionSettings

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class Timeline(NetworkAdapter):
    network = "timeline"

    def __init__(self, posts):
        super().__init__(ConnectionSettings())
        self.posts = posts

    def published_contents(self, account, since):
        for post_id, when, content in self.posts:
            yield Receipt("timeline", post_id, f"https://t.example/{post_id}", when), content


LATER = NOW + timedelta(minutes=3)


def test_find_published_candidates_lists_every_match_since_the_attempt_oldest_first():
    sale = PostContent.of("Spring sale https://shop.example/spring")
    adapter = Timeline(
        [
            ("4", LATER, sale),
            ("3", NOW, PostContent.of("Spring sale https://shop.example/summer")),
            ("2", NOW, sale),
            ("1", NOW - timedelta(minutes=1), sale),  # before the attempt: not ours
        ]
    )
    key = idempotency_key("entry", "timeline", "Spring sale https://shop.example/spring")

    assert [r.external_id for r in adapter.find_published_candidates(key, "brand", NOW)] == [
        "2",
        "4",
    ]
    assert adapter.find_published(key, "brand", NOW) == Receipt(
        "timeline", "2", "https://t.example/2", NOW
    )
    assert adapter.find_published(idempotency_key("e", "timeline", "never"), "brand", NOW) is None


def test_a_key_made_before_the_strict_match_is_a_persons_decision():
    adapter = Timeline([("1", NOW, PostContent.of("Spring sale"))])
    with pytest.raises(NotSupported, match="predates the strict content match"):
        adapter.find_published_candidates("timeline:e:0123456789abcdef", "brand", NOW)


def test_find_published_is_not_supported_without_a_post_listing():
    class Blind(NetworkAdapter):
        network = "blind"

    with pytest.raises(NotSupported, match="content of the account's posts"):
        Blind(ConnectionSettings()).find_published(idempotency_key("e", "blind", "a"), "b", NOW)


def test_settings_from_the_json_connection_form():
    from socialops.networks.base import ConnectionSettings

    settings = ConnectionSettings.from_json(
        {
            "conn_type": "x",
            "host": "api.example.org",
            "port": 8443,
            "password": "s",
            "extra": '{"timeout": 3}',
        },
        "x_default",
    )
    assert settings.host == "https://api.example.org:8443"
    assert settings.timeout == 3.0 and settings.conn_id == "x_default"
    assert (
        ConnectionSettings.from_json({"host": "http://127.0.0.1:1/x/"}).host
        == "http://127.0.0.1:1/x"
    )
