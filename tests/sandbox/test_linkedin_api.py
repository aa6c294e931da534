"""The LinkedIn emulator answers in LinkedIn's shapes: elements + paging, x-restli-id, error
bodies."""

from __future__ import annotations

import pytest
import requests
from tests.support.linkedin_world import ORG, build_linkedin_world, post_urn

from socialops.sandbox import Sandbox, SandboxServer
from socialops.sandbox.linkedin_api import (
    LinkedInEmulator,
    parse_commentary,
    render_commentary,
    restli_list,
    time_range,
)

HEADERS = {
    "Authorization": "Bearer sandbox-linkedin-token",
    "LinkedIn-Version": "202610",
    "X-Restli-Protocol-Version": "2.0.0",
}
ORG_ENCODED = "urn%3Ali%3Aorganization%3A10000001"


@pytest.fixture(scope="module")
def server():
    with SandboxServer(Sandbox(build_linkedin_world, [LinkedInEmulator])) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server):
    server.sandbox.reset()


def rest(server, path, query="", method="GET", headers=HEADERS, **kwargs):
    url = f"{server.url}/linkedin/rest{path}" + (f"?{query}" if query else "")
    return requests.request(method, url, headers=headers, timeout=5, **kwargs)


def test_connection_points_at_the_rest_root_without_fixed_ids():
    connection = LinkedInEmulator.connection("http://127.0.0.1:8800")
    assert connection["host"] == "http://127.0.0.1:8800/linkedin/rest"
    assert connection["extra"] == {"api_version": "202610"}
    assert LinkedInEmulator.conn_id == "linkedin_default"


def test_restli_value_parsers():
    assert restli_list("List(urn:li:share:1,urn:li:share:2)") == [
        "urn:li:share:1",
        "urn:li:share:2",
    ]
    assert restli_list(None) == []
    start, end = time_range(
        "(timeRange:(start:1795046400000,end:1795132800000),timeGranularityType:DAY)"
    )
    assert (end - start).days == 1


def test_collections_are_elements_with_start_count_paging(server):
    body = rest(server, "/posts", f"q=author&author={ORG_ENCODED}&count=5&start=5").json()
    assert len(body["elements"]) == 5
    assert body["paging"]["start"] == 5 and body["paging"]["total"] == 12
    assert body["paging"]["links"][0]["rel"] == "next"
    post = body["elements"][0]
    assert post["id"] == post_urn(5) and post["author"] == ORG
    assert post["commentary"].startswith(
        "Brand update 5 \\(with {hashtag|\\#|hiring} and \\@mentions\\)"
    )
    assert isinstance(post["createdAt"], int)


def test_a_paging_parameter_that_is_not_a_number_is_illegal(server):
    answer = rest(server, "/posts", f"q=author&author={ORG_ENCODED}&start=two")
    assert answer.status_code == 400 and answer.json()["code"] == "ILLEGAL_ARGUMENT"


def test_created_post_comes_back_in_the_restli_id_header(server):
    body = {
        "author": ORG,
        "commentary": "Hello",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }
    created = rest(server, "/posts", method="POST", json=body)
    assert created.status_code == 201 and created.content == b""
    assert created.headers["x-restli-id"].startswith("urn:li:share:")


def test_commentary_in_the_little_text_format_is_read_and_rendered_like_linkedin():
    little = r"Atelier \(Paris\) \@ 10h \*demain\* {hashtag|\#|bougies} {hashtag|\#|hiring_now} C\#"
    assert parse_commentary(little) == "Atelier (Paris) @ 10h *demain* #bougies #hiring_now C#"
    assert render_commentary(parse_commentary(little)) == little
    # LinkedIn takes an unescaped reserved character without an error, and cuts the text there.
    assert parse_commentary("Atelier (Paris) demain") == "Atelier "
    assert parse_commentary("fin \\") == "fin "  # a lone trailing backslash is reserved too


def test_a_post_with_an_unescaped_parenthesis_is_stored_cut(server):
    body = {
        "author": ORG,
        "commentary": "Nouvelle collection (hiver) en boutique",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }
    created = rest(server, "/posts", method="POST", json=body)
    assert created.status_code == 201
    post = server.sandbox.world.post("linkedin", created.headers["x-restli-id"])
    assert post.text == "Nouvelle collection "


def test_errors_have_status_service_code_code_and_message(server):
    missing_version = rest(
        server, "/organizations/10000001", headers={"Authorization": HEADERS["Authorization"]}
    )
    assert (
        missing_version.status_code == 400 and missing_version.json()["code"] == "VERSION_MISSING"
    )
    unknown = rest(server, "/organizations/99")
    assert unknown.status_code == 404 and set(unknown.json()) >= {"status", "code", "message"}
    revoked = rest(
        server, "/organizations/10000001", headers=HEADERS | {"Authorization": "Bearer nope"}
    )
    assert revoked.status_code == 401 and revoked.json()["serviceErrorCode"] == 65601


def test_faults_answer_like_linkedin(server):
    sandbox = server.sandbox
    sandbox.add_fault({"network": "linkedin", "kind": "rate_limit"})
    limited = rest(server, "/organizations/10000001")
    assert limited.status_code == 429 and "Retry-After" not in limited.headers
    assert limited.json()["code"] == "TOO_MANY_REQUESTS"
    sandbox.add_fault({"network": "linkedin", "kind": "expired_token"})
    expired = rest(server, "/organizations/10000001")
    assert expired.status_code == 401 and expired.json()["code"] == "EXPIRED_ACCESS_TOKEN"


def test_share_statistics_per_post_and_per_day(server):
    shares = f"List({post_urn(0).replace(':', '%3A')},{post_urn(1).replace(':', '%3A')})"
    per_post = rest(
        server,
        "/organizationalEntityShareStatistics",
        f"q=organizationalEntity&organizationalEntity={ORG_ENCODED}&shares={shares}",
    )
    elements = per_post.json()["elements"]
    assert [e["share"] for e in elements] == [post_urn(0), post_urn(1)]
    assert elements[0]["totalShareStatistics"]["impressionCount"] == 3000
    day = "(timeRange:(start:1795046400000,end:1795132800000),timeGranularityType:DAY)"
    per_day = rest(
        server,
        "/organizationalEntityShareStatistics",
        f"q=organizationalEntity&organizationalEntity={ORG_ENCODED}&timeIntervals={day}",
    )
    assert per_day.json()["elements"][0]["timeRange"] == {
        "start": 1795046400000,
        "end": 1795132800000,
    }


def test_follower_count_and_image_upload(server):
    assert rest(
        server, f"/networkSizes/{ORG_ENCODED}", "edgeType=COMPANY_FOLLOWED_BY_MEMBER"
    ).json() == {"firstDegreeSize": 8000}
    init = rest(
        server,
        "/images",
        "action=initializeUpload",
        method="POST",
        json={"initializeUploadRequest": {"owner": ORG}},
    ).json()["value"]
    assert (
        init["image"].startswith("urn:li:image:") and "/linkedin/dms-uploads/" in init["uploadUrl"]
    )
    uploaded = requests.put(init["uploadUrl"], data=b"bytes", headers=HEADERS, timeout=5)
    assert uploaded.status_code == 201
