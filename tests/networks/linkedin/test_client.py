"""The LinkedIn client (linkedin/client.py): the little text format, Rest.li queries, version
headers, and LinkedIn's errors through the adapter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.support.adapters import logged
from tests.support.linkedin_world import NOW, ORG, RIVAL_ORG

from socialops.networks import (
    AuthError,
    Draft,
    OutcomeUnknown,
    RateLimited,
)
from socialops.networks.linkedin.client import (
    RestLi,
    escape_commentary,
    restli_query,
    unescape_commentary,
)

SINCE = NOW - timedelta(days=1)


def test_commentary_is_escaped_for_the_little_text_format_and_read_back():
    text = "Join us (Paris) @ the show #hiring_now *today* [link] <3 \\o/ #Fête"
    escaped = escape_commentary(text)
    assert "\\(Paris\\)" in escaped and "\\@" in escaped and "\\*today\\*" in escaped
    assert "{hashtag|\\#|hiring_now}" in escaped and "{hashtag|\\#|Fête}" in escaped
    assert unescape_commentary(escaped) == text


def test_restli_queries_keep_their_syntax_and_encode_urns():
    query = restli_query(
        q="organizationalEntity",
        organizationalEntity=ORG,
        shares=RestLi.list(["urn:li:share:1", "urn:li:share:2"]),
        timeIntervals=RestLi.day(date(2026, 11, 19)),
        skipped=None,
    )
    assert query == (
        "q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A10000001"
        "&shares=List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A2)"
        "&timeIntervals=(timeRange:(start:1795046400000,end:1795132800000),timeGranularityType:DAY)"
    )


def test_check_finds_the_administered_page_and_sends_the_version_headers(adapter, sandbox):
    profile = adapter.check()
    assert (profile.account_id, profile.handle, profile.followers) == (ORG, "brand", 8000)
    assert adapter.http.session.headers["LinkedIn-Version"] == "202610"
    assert adapter.http.session.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert logged(sandbox)[0]["path"] == "/rest/organizationAcls"


def test_429_is_rate_limited_until_the_daily_reset(adapter, sandbox):
    sandbox.add_fault({"network": "linkedin", "kind": "rate_limit", "path": "/rest/posts"})
    with pytest.raises(RateLimited, match="assuming its daily window") as caught:
        adapter.recent_posts("brand", SINCE)
    assert caught.value.retry_at.isoformat() == "2026-11-21T00:00:00+00:00"
    assert len(logged(sandbox, method="GET", path="/rest/posts")) == 1


def test_5xx_is_retried_on_reads_and_not_on_writes(adapter, sandbox):
    sandbox.add_fault(
        {"network": "linkedin", "kind": "server_error", "path": "/rest/posts", "count": 2}
    )
    assert len(adapter.recent_posts("brand", SINCE)) == 12
    sandbox.add_fault(
        {"network": "linkedin", "kind": "server_error", "path": "/rest/posts", "method": "POST"}
    )
    with pytest.raises(OutcomeUnknown, match="INTERNAL_SERVER_ERROR"):
        adapter.publish(Draft("brand", "Hello"), "linkedin:e:1")
    assert len(logged(sandbox, method="POST", path="/rest/posts")) == 1


def test_expired_token_is_an_auth_error_naming_the_connection(adapter, sandbox):
    sandbox.add_fault({"network": "linkedin", "kind": "expired_token"})
    with pytest.raises(AuthError) as caught:
        adapter.check()
    message = str(caught.value)
    assert caught.value.conn_id == "linkedin_default" and not caught.value.retryable
    assert "65601" in message and "tokens last 60 days" in message
    assert "Airflow connection 'linkedin_default'" in message
    assert len(logged(sandbox)) == 1


def test_a_page_the_member_does_not_administer_is_a_permission_error(adapter):
    with pytest.raises(AuthError, match="not an administrator"):
        adapter.recent_posts(RIVAL_ORG, SINCE)
