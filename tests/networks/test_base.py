from datetime import UTC, datetime

import pytest

from socialops.networks import NetworkAdapter, NotSupported, Post, Receipt, idempotency_key
from socialops.networks.base import ConnectionSettings

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class Timeline(NetworkAdapter):
    network = "timeline"

    def __init__(self, posts):
        super().__init__(ConnectionSettings())
        self.posts = posts

    def recent_posts(self, account, since):
        return [p for p in self.posts if p.created_at >= since]


def post(post_id: str, text: str) -> Post:
    return Post("timeline", "brand", post_id, NOW, text, url=f"https://t.example/{post_id}")


def test_find_published_reads_recent_posts_and_ignores_rewritten_links():
    adapter = Timeline([post("1", "Other news"), post("2", "Spring sale https://t.co/x")])
    key = idempotency_key("entry", "timeline", "Spring sale https://shop.example/spring")

    assert adapter.find_published(key, "brand", NOW) == Receipt(
        "timeline", "2", "https://t.example/2", NOW
    )
    assert adapter.find_published(idempotency_key("e", "timeline", "never"), "brand", NOW) is None


def test_find_published_is_not_supported_without_a_post_listing():
    class Blind(NetworkAdapter):
        network = "blind"

    with pytest.raises(NotSupported, match="listing recent posts"):
        Blind(ConnectionSettings()).find_published("blind:e:0123", "brand", NOW)


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
