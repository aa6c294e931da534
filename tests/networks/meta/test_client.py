"""The Graph client (meta/client.py) through the adapters: usage headers and pacing, rate
limits, 5xx, lost answers, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.support.adapters import logged
from tests.support.meta_world import (
    NOW,
    PAGE_ID,
)

from socialops.networks import (
    AuthError,
    Draft,
    OutcomeUnknown,
    RateLimited,
    idempotency_key,
)
from socialops.networks.meta.client import read_usage
from socialops.sandbox.meta_api import FacebookEmulator

SINCE = NOW - timedelta(days=1)


def test_read_usage_takes_the_highest_percentage_and_regain_time():
    headers = {
        "X-App-Usage": '{"call_count": 12, "total_time": 85, "total_cputime": 3}',
        "X-Business-Use-Case-Usage": '{"1": [{"type": "pages", "call_count": 40, "total_time": 2, '
        '"total_cputime": 1, "estimated_time_to_regain_access": 7}]}',
    }
    assert read_usage(headers) == (85.0, 7.0)
    assert read_usage({"X-App-Usage": "not json"}) == (0.0, 0.0)


def test_usage_near_the_limit_slows_down_then_stops_before_the_limit(facebook, sandbox):
    sandbox.emulators["facebook"].calls_per_hour = 10  # each call adds 10% to the usage headers
    facebook.check()
    for _ in range(7):
        facebook.recent_posts("brand", NOW)
    assert facebook.http.sleep == []  # answered at 80%: the threshold, no pause yet
    facebook.recent_posts("brand", NOW)  # answered at 90%
    facebook.recent_posts("brand", NOW)  # sent after a pause, answered at 100%
    assert facebook.http.sleep == [pytest.approx(30.0)]
    with pytest.raises(RateLimited, match="code 32") as caught:
        facebook.recent_posts("brand", NOW)  # paused 60 s, then Meta's code 32: 60 minutes to wait
    assert facebook.http.sleep[-1] == pytest.approx(60.0)
    assert caught.value.retry_at == NOW + timedelta(seconds=90, minutes=60)
    with pytest.raises(RateLimited, match="not sent"):
        facebook.recent_posts("brand", NOW)
    assert len(logged(sandbox, "facebook")) == 11


def test_rate_limit_error_names_the_regain_time(facebook, sandbox):
    sandbox.add_fault(
        {"network": "facebook", "kind": "rate_limit", "path": r".*/posts", "reset_after": 900}
    )
    with pytest.raises(RateLimited, match="80001") as caught:
        facebook.recent_posts("brand", SINCE)
    assert caught.value.retry_at == NOW + timedelta(minutes=15)
    assert len(logged(sandbox, "facebook", path=f"/v21.0/{PAGE_ID}/posts")) == 1


def test_a_short_rate_limit_is_waited_out(facebook, sandbox):
    sandbox.add_fault(
        {"network": "facebook", "kind": "rate_limit", "path": r".*/posts", "reset_after": 30}
    )
    assert len(facebook.recent_posts("brand", SINCE)) == 12
    assert len(facebook.http.sleep) == 1 and 60 <= facebook.http.sleep[0] <= 61


def test_transient_graph_errors_are_retried_on_reads_only(facebook, sandbox):
    sandbox.add_fault(
        {"network": "facebook", "kind": "server_error", "path": r".*/posts", "count": 2}
    )
    assert len(facebook.recent_posts("brand", SINCE)) == 12
    sandbox.add_fault({"network": "facebook", "kind": "server_error", "path": r".*/feed"})
    with pytest.raises(OutcomeUnknown, match="code 2"):
        facebook.publish(Draft("brand", "Hello"), "facebook:e:1")
    assert len(logged(sandbox, "facebook", "POST")) == 1


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_timeout_after_apply_is_outcome_unknown_then_found_exactly_once(
    server, network, make_adapter
):
    sandbox = server.sandbox
    adapter = make_adapter(server, network, timeout=0.5)
    adapter.check()
    publish_path = r".*/feed" if network == "facebook" else r".*/media_publish"
    sandbox.add_fault(
        {"network": network, "kind": "timeout_after_apply", "path": publish_path, "hold_seconds": 1}
    )
    text = "Launch day! https://brand.example/launch"
    media = () if network == "facebook" else ("https://cdn.example/launch.jpg",)
    draft = Draft("brand", text, media=media)
    key = idempotency_key("entry-42", network, draft)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(draft, key)
    receipt = adapter.find_published(key, "brand", NOW - timedelta(minutes=5))
    assert receipt is not None
    matching = [p for p in sandbox.world.posts.values() if p.network == network and p.text == text]
    assert [p.id for p in matching] == [receipt.external_id]
    assert (
        adapter.find_published(idempotency_key("entry-43", network, "other"), "brand", SINCE)
        is None
    )


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_expired_token_is_an_auth_error_naming_the_connection(server, network, make_adapter):
    server.sandbox.add_fault({"network": network, "kind": "expired_token"})
    adapter = make_adapter(server, network)
    with pytest.raises(AuthError) as caught:
        adapter.check()
    assert caught.value.conn_id == f"{network}_default"
    assert f"Airflow connection '{network}_default'" in str(caught.value)
    assert "long-lived tokens last ~60 days" in str(caught.value)
    assert "code 190" in str(caught.value)
    assert len(logged(server.sandbox, network)) == 1  # never retried


def test_revoked_token_is_refused_by_the_emulator(server, facebook):
    server.sandbox.world.revoked_tokens.add(FacebookEmulator.connection(server.url)["password"])
    with pytest.raises(AuthError):
        facebook.recent_posts("brand", SINCE)
