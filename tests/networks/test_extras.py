"""Connection extras read once, typed: conversions, defaults, errors that name the extra."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from socialops.networks import ConnectionExtras, ConnectionSettings, MisconfiguredConnection
from socialops.networks.extras import read_extras
from socialops.networks.linkedin.adapter import LinkedInAdapter
from socialops.networks.linkedin.client import LinkedInExtras
from socialops.networks.meta.client import MetaExtras
from socialops.networks.meta.facebook import FacebookAdapter
from socialops.networks.meta.instagram import InstagramAdapter
from socialops.networks.retry import RetryPolicy
from socialops.networks.transport.google import GoogleExtras
from socialops.networks.x.adapter import XAdapter
from socialops.networks.x.client import XExtras
from socialops.networks.youtube.adapter import YouTubeAdapter, YouTubeExtras


@dataclass(frozen=True)
class Sample:
    ratio: float = 1.5
    count: int = 3
    name: str | None = None
    token: str | None = field(default=None, repr=False)


def read(extras, cls=Sample):
    return read_extras(cls, extras, network="net", conn_id="net_default")


def test_values_are_converted_to_the_field_types():
    sample = read({"ratio": "2", "count": "7", "name": 104, "other": "ignored"})
    assert sample == Sample(ratio=2.0, count=7, name="104")
    assert read({"count": 4.0}).count == 4 and read({"ratio": 3}).ratio == 3.0


def test_missing_null_and_empty_values_keep_the_defaults():
    assert read({}) == Sample()
    assert read({"ratio": None, "count": "", "name": ""}) == Sample()


@pytest.mark.parametrize(
    ("extras", "said"),
    [
        (
            {"ratio": "soon"},
            "extra 'ratio' of Airflow connection 'net_default' is 'soon', not a number",
        ),
        (
            {"count": 2.5},
            "extra 'count' of Airflow connection 'net_default' is 2.5, not a whole number",
        ),
        ({"count": True}, "extra 'count' of Airflow connection 'net_default' is True, not a whole"),
        ({"name": ["a"]}, "extra 'name' of Airflow connection 'net_default' is ['a'], not a text"),
    ],
)
def test_a_bad_value_names_the_connection_the_extra_and_the_fix(extras, said):
    with pytest.raises(MisconfiguredConnection) as caught:
        read(extras)
    assert str(caught.value).startswith(f"[net] {said}")
    assert caught.value.conn_id == "net_default" and not caught.value.retryable
    assert caught.value.extra == next(iter(extras))
    assert "or remove it to use the default" in str(caught.value)


def test_the_default_is_named_and_a_secret_is_never_repeated():
    with pytest.raises(MisconfiguredConnection, match=r"the default \(3\)"):
        read({"count": "many"})
    with pytest.raises(MisconfiguredConnection) as caught:
        read({"token": {"value": "s3cr3t"}})
    assert "s3cr3t" not in str(caught.value) and "is a dict, not a text" in str(caught.value)


def test_the_common_extras_nest_the_retry_policy_read_from_the_same_extras():
    settings = ConnectionSettings("c", extras={"timeout": "5", "max_attempts": "2", "max_sleep": 9})
    extras = ConnectionExtras.read(settings, "net")
    assert extras.timeout == 5.0
    assert extras.retry == RetryPolicy(max_attempts=2, max_sleep=9.0)
    assert (settings.timeout, settings.retry_policy) == (5.0, extras.retry)
    with pytest.raises(
        MisconfiguredConnection, match="extra 'max_attempts' of Airflow connection 'c'"
    ):
        ConnectionExtras.read(ConnectionSettings("c", extras={"max_attempts": "x"}), "net")


def test_each_network_declares_every_extra_it_reads():
    assert [f for f in XExtras.__dataclass_fields__ if f not in ("timeout", "retry")] == [
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
        "media_wait",
    ]
    assert set(MetaExtras.__dataclass_fields__) >= {
        "page_id",
        "ig_user_id",
        "api_version",
        "app_secret",
        "usage_threshold",
        "media_base_url",
        "container_wait",
        "container_poll_interval",
        "ad_account_id",
    }
    assert set(LinkedInExtras.__dataclass_fields__) >= {"organization_urn", "api_version"}
    assert set(YouTubeExtras.__dataclass_fields__) >= {
        *GoogleExtras.__dataclass_fields__,
        "upload_chunksize",
    }
    secrets = [
        name
        for cls in (XExtras, MetaExtras, GoogleExtras)
        for name, spec in cls.__dataclass_fields__.items()
        if not spec.repr
    ]
    assert secrets == [
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
        "app_secret",
        "client_secret",
        "refresh_token",
        "token",
    ]


@pytest.mark.parametrize(
    ("adapter", "extras", "extra"),
    [
        (XAdapter, {"media_wait": "long"}, "media_wait"),
        (FacebookAdapter, {"usage_threshold": "high"}, "usage_threshold"),
        (InstagramAdapter, {"container_wait": "1 min"}, "container_wait"),
        (LinkedInAdapter, {"timeout": "fast"}, "timeout"),
        (YouTubeAdapter, {"upload_chunksize": "8 MiB"}, "upload_chunksize"),
    ],
)
def test_an_adapter_reads_its_extras_once_when_built_and_refuses_a_bad_one(adapter, extras, extra):
    settings = ConnectionSettings(f"{adapter.network}_default", extras=extras)
    with pytest.raises(MisconfiguredConnection) as caught:
        adapter(settings)
    assert caught.value.network == adapter.network and caught.value.extra == extra
    assert f"Airflow connection '{adapter.network}_default'" in str(caught.value)
    built = adapter(ConnectionSettings(extras={"timeout": "7"}))
    assert isinstance(built.extras, adapter.extras_type) and built.extras.timeout == 7.0
    built.close()
