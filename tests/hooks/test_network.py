import json

import pytest
from airflow.sdk import Connection

from socialops.hooks import NetworkHook, settings_from_connection


def test_full_url_host_is_kept_and_secrets_hidden():
    conn = Connection(
        conn_id="x_default",
        conn_type="http",
        host="http://127.0.0.1:8800/x/",
        password="s3cret",
        extra=json.dumps({"access_token": "tok", "timeout": 5}),
    )
    settings = settings_from_connection(conn)
    assert settings.host == "http://127.0.0.1:8800/x"
    assert settings.secret("access_token") == "tok"
    assert settings.timeout == 5.0
    assert "s3cret" not in repr(settings) and "tok" not in repr(settings)


def test_bare_host_gets_scheme_and_port():
    conn = Connection(
        conn_id="c", conn_type="http", host="api.example.org", schema="https", port=8443
    )
    assert settings_from_connection(conn).host == "https://api.example.org:8443"


def test_empty_host_means_the_real_api():
    assert settings_from_connection(Connection(conn_id="c", conn_type="http")).host is None


def test_unknown_network_is_named():
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        NetworkHook("myspace")


def test_the_connection_defaults_to_the_networks_own():
    assert NetworkHook("youtube").conn_id == "youtube_default"
    assert NetworkHook("youtube", "yt_brand").conn_id == "yt_brand"
