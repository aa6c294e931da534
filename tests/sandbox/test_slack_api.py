"""The Slack emulator: Web API semantics, SlackHook compatibility, and the Slack contract.

The contract is ``tests/contracts/slack-web-api.openapi.json``, an OpenAPI 2 (Swagger)
document; the small validator below checks a body against the response schema it declares
(``200`` for ``ok: true``, ``default`` for errors), with ``#/definitions`` references.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from jsonschema import Draft4Validator
from tests.support.openapi import contract_path

from socialops.sandbox import Sandbox, SandboxServer, World
from socialops.sandbox.slack_api import TOKEN, SlackEmulator, channel_id

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

#: Error codes the live API returns that the contract's (older) enums do not list yet:
#: https://api.slack.com/methods/chat.postMessage#errors documents them.
CODES_NEWER_THAN_THE_CONTRACT = {
    "ratelimited",
    "token_expired",
    "invalid_blocks",
    "invalid_blocks_format",
}


#: Message metadata (https://api.slack.com/metadata, 2022) is newer than the contract, whose
#: message object admits no other property: added as the API documents it.
METADATA_NEWER_THAN_THE_CONTRACT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["event_type", "event_payload"],
    "properties": {"event_type": {"type": "string"}, "event_payload": {"type": "object"}},
}


class SwaggerContract:
    def __init__(self) -> None:
        self.spec = json.loads(contract_path("slack-web-api.openapi.json").read_text())
        message = self.spec["definitions"]["objs_message"]["properties"]
        message["metadata"] = METADATA_NEWER_THAN_THE_CONTRACT
        # The live conversations.history pages with a cursor, as conversations.list does:
        # https://api.slack.com/methods/conversations.history#pagination
        history = self.schema("conversations.history", "GET", "200")
        history["properties"]["response_metadata"] = {
            "$ref": "#/definitions/objs_response_metadata"
        }

    def schema(self, method: str, http_method: str, status: str) -> dict[str, Any]:
        operation = self.spec["paths"][f"/{method}"][http_method.lower()]
        return operation["responses"][status]["schema"]

    def validate(self, method: str, http_method: str, body: dict[str, Any]) -> None:
        schema = self.schema(method, http_method, "200" if body.get("ok") else "default")
        if not body.get("ok") and body.get("error") in CODES_NEWER_THAN_THE_CONTRACT:
            schema = json.loads(json.dumps(schema))
            schema["properties"]["error"].pop("enum", None)
        self.check(
            {**schema, "definitions": self.spec["definitions"]}, body, f"{http_method} {method}"
        )

    @staticmethod
    def check(schema: dict[str, Any], body: Any, what: str) -> None:
        errors = sorted(
            Draft4Validator(schema).iter_errors(body), key=lambda e: len(e.absolute_path)
        )
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "<root>"
            pytest.fail(
                f"{what}: response does not match the Slack contract at {where}: "
                f"{errors[0].message}"
            )


@pytest.fixture(scope="module")
def contract() -> SwaggerContract:
    return SwaggerContract()


def _world() -> World:
    world = World(epoch=NOW, clock=lambda: NOW)
    world.slack_channels.update(
        {"cm-alertes": channel_id("cm-alertes"), "cm-digest": channel_id("cm-digest")}
    )
    return world


@pytest.fixture
def server():
    with SandboxServer(Sandbox(_world, [SlackEmulator])) as running:
        yield running


def call(
    server,
    method: str,
    *,
    token: str | None = TOKEN,
    form: dict | None = None,
    json_body: dict | None = None,
    http: str = "POST",
):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(
        http,
        f"{server.url}/slack/api/{method}",
        headers=headers,
        data=form,
        json=json_body,
        timeout=5,
    )
    return response


def test_the_validator_catches_a_wrong_shape(contract):
    good = {
        "ok": True,
        "channel": "C0123456789",
        "ts": "1795255200.000000",
        "message": {"type": "message", "text": "x", "ts": "1795255200.000000"},
    }
    contract.validate("chat.postMessage", "POST", good)
    with pytest.raises(pytest.fail.Exception, match="at ts"):
        contract.validate("chat.postMessage", "POST", {**good, "ts": "yesterday"})
    with pytest.raises(pytest.fail.Exception, match="at error"):
        contract.validate("chat.postMessage", "POST", {"ok": False, "error": "made_up"})


def test_connection_points_slackhook_at_the_sandbox():
    assert SlackEmulator.connection("http://127.0.0.1:8800") == {
        "conn_type": "slack",
        "password": TOKEN,
        "extra": {"base_url": "http://127.0.0.1:8800/slack/api/"},
    }


def test_auth_test(server, contract):
    body = call(server, "auth.test").json()
    assert body["ok"] and body["user_id"].startswith("U")
    contract.validate("auth.test", "GET", body)


@pytest.mark.parametrize(
    ("token", "error"),
    [(None, "not_authed"), ("xoxb-wrong", "invalid_auth"), ("xoxb-revoked", "token_revoked")],
)
def test_bad_tokens(server, contract, token, error):
    server.sandbox.world.revoked_tokens.add("xoxb-revoked")
    response = call(
        server, "chat.postMessage", token=token, json_body={"channel": "#cm-alertes", "text": "x"}
    )
    assert response.status_code == 200 and response.json() == {"ok": False, "error": error}
    if error != "token_revoked":  # not in chat.postMessage's error enum, only chat.update's
        contract.validate("chat.postMessage", "POST", response.json())


def test_token_in_form_body_is_accepted(server):
    response = call(
        server,
        "chat.postMessage",
        token=None,
        form={"token": TOKEN, "channel": "#cm-alertes", "text": "form"},
    )
    assert response.json()["ok"]


def test_post_message_with_json_body(server, contract):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]
    body = call(
        server,
        "chat.postMessage",
        json_body={"channel": "#cm-alertes", "text": "hello", "blocks": blocks},
    ).json()
    contract.validate("chat.postMessage", "POST", body)
    assert body["channel"] == channel_id("cm-alertes")
    [message] = server.sandbox.world.slack["#cm-alertes"]
    assert (message.ts, message.text, message.blocks) == (body["ts"], "hello", blocks)
    assert body["ts"] == f"{NOW.timestamp():.6f}"


def test_post_message_with_form_body_and_channel_id(server, contract):
    blocks = json.dumps([{"type": "divider"}])
    body = call(
        server,
        "chat.postMessage",
        form={"channel": channel_id("cm-digest"), "text": "form", "blocks": blocks},
    ).json()
    contract.validate("chat.postMessage", "POST", body)
    assert server.sandbox.world.slack["#cm-digest"][0].blocks == [{"type": "divider"}]


def test_messages_in_the_same_instant_get_increasing_ts(server):
    first = call(
        server, "chat.postMessage", json_body={"channel": "#cm-alertes", "text": "1"}
    ).json()["ts"]
    second = call(
        server, "chat.postMessage", json_body={"channel": "#cm-alertes", "text": "2"}
    ).json()["ts"]
    assert float(second) > float(first)


def test_threads(server):
    parent = call(
        server, "chat.postMessage", json_body={"channel": "#cm-alertes", "text": "p"}
    ).json()["ts"]
    reply = call(
        server,
        "chat.postMessage",
        json_body={"channel": "#cm-alertes", "text": "r", "thread_ts": parent},
    ).json()
    assert reply["message"]["thread_ts"] == parent


def test_unknown_channels(server, contract):
    body = call(
        server, "chat.postMessage", json_body={"channel": "C0UNKNOWN00", "text": "x"}
    ).json()
    assert body == {"ok": False, "error": "channel_not_found"}
    contract.validate("chat.postMessage", "POST", body)
    # A new '#name' is created unless the world is strict about its channels.
    assert call(server, "chat.postMessage", json_body={"channel": "#new", "text": "x"}).json()["ok"]
    server.sandbox.world.slack_strict_channels = True
    assert (
        call(server, "chat.postMessage", json_body={"channel": "#other", "text": "x"}).json()[
            "error"
        ]
        == "channel_not_found"
    )


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"text": ""}, "no_text"),
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({"text": "x", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        (
            {
                "text": "x",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}],
            },
            "invalid_blocks",
        ),
        (
            {
                "text": "x",
                "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "y" * 151}}],
            },
            "invalid_blocks",
        ),
        ({"text": "x", "blocks": "not json"}, "invalid_blocks_format"),
        ({"text": "x", "blocks": [{"no": "type"}]}, "invalid_blocks_format"),
    ],
)
def test_content_limits(server, contract, payload, error):
    body = call(server, "chat.postMessage", json_body={"channel": "#cm-alertes", **payload}).json()
    assert body == {"ok": False, "error": error}
    contract.validate("chat.postMessage", "POST", body)
    assert server.sandbox.world.slack.get("#cm-alertes", []) == []


def test_limits_are_inclusive(server):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3000}}] * 50
    assert call(
        server,
        "chat.postMessage",
        json_body={"channel": "#cm-alertes", "text": "x", "blocks": blocks},
    ).json()["ok"]


def test_chat_update(server, contract):
    blocks = [{"type": "divider"}]
    posted = call(
        server,
        "chat.postMessage",
        json_body={"channel": "#cm-alertes", "text": "v1", "blocks": blocks},
    ).json()
    body = call(
        server,
        "chat.update",
        json_body={"channel": posted["channel"], "ts": posted["ts"], "text": "v2"},
    ).json()
    contract.validate("chat.update", "POST", body)
    [message] = server.sandbox.world.slack["#cm-alertes"]
    assert (message.text, message.blocks) == ("v2", blocks)  # blocks not sent: kept, like Slack
    missing = call(
        server, "chat.update", json_body={"channel": "#cm-alertes", "ts": "1.000000", "text": "x"}
    ).json()
    assert missing == {"ok": False, "error": "message_not_found"}
    contract.validate("chat.update", "POST", missing)


def test_conversations_list_pages_with_cursor(server, contract):
    for name in ("a", "b", "c"):
        server.sandbox.world.slack_channels[name] = channel_id(name)
    first = requests.get(
        f"{server.url}/slack/api/conversations.list?limit=2",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    ).json()
    contract.validate("conversations.list", "GET", first)
    # objs_conversation is a Swagger "items" tuple that draft-4 ignores for objects: check
    # each channel against its first variant, the channel conversation object.
    channel_schema = contract.spec["definitions"]["objs_conversation"]["items"][0]
    for channel in first["channels"]:
        contract.check(
            {**channel_schema, "definitions": contract.spec["definitions"]}, channel, "conversation"
        )
    names = [c["name"] for c in first["channels"]]
    cursor = first["response_metadata"]["next_cursor"]
    while cursor:
        page = requests.get(
            f"{server.url}/slack/api/conversations.list?limit=2&cursor={cursor}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=5,
        ).json()
        names += [c["name"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
    assert names == ["a", "b", "c", "cm-alertes", "cm-digest"]


#: files.getUploadURLExternal / files.completeUploadExternal postdate the contract document;
#: these schemas transcribe https://api.slack.com/methods/files.getUploadURLExternal and
#: https://api.slack.com/methods/files.completeUploadExternal.
UPLOAD_URL_SCHEMA = {
    "type": "object",
    "required": ["ok", "upload_url", "file_id"],
    "properties": {
        "ok": {"enum": [True]},
        "upload_url": {"type": "string"},
        "file_id": {"type": "string", "pattern": "^F[A-Z0-9]{8,}$"},
    },
}
COMPLETE_SCHEMA = {
    "type": "object",
    "required": ["ok", "files"],
    "properties": {
        "ok": {"enum": [True]},
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title"],
                "properties": {"id": {"type": "string"}},
            },
        },
    },
}


def test_file_upload_v2_flow(server, contract):
    step1 = call(
        server, "files.getUploadURLExternal", form={"filename": "report.csv", "length": "8"}
    ).json()
    contract.check(UPLOAD_URL_SCHEMA, step1, "files.getUploadURLExternal")
    assert step1["upload_url"].startswith(server.url + "/slack/upload/")
    uploaded = requests.post(step1["upload_url"], data=b"a,b\n1,2\n", timeout=5)
    assert uploaded.status_code == 200 and uploaded.text == "OK - 8"
    files = json.dumps([{"id": step1["file_id"], "title": "Rapport"}])
    step3 = call(
        server,
        "files.completeUploadExternal",
        form={"files": files, "channel_id": channel_id("cm-digest"), "initial_comment": "voici"},
    ).json()
    contract.check(COMPLETE_SCHEMA, step3, "files.completeUploadExternal")
    [message] = server.sandbox.world.slack["#cm-digest"]
    assert (
        message.text == "voici"
        and message.files[0]["title"] == "Rapport"
        and message.files[0]["size"] == 8
    )
    assert server.sandbox.world.slack_files[step1["file_id"]]["content"] == b"a,b\n1,2\n"
    # The share is a message listing its files, as Slack's history shows it (the weekly
    # report's upload in doubt is looked for this way).
    body = call(
        server, "conversations.history", form={"channel": channel_id("cm-digest")}, http="GET"
    ).json()
    contract.validate("conversations.history", "GET", body)
    [shared] = body["messages"]
    assert [(f["id"], f["name"]) for f in shared["files"]] == [(step1["file_id"], "report.csv")]


def test_file_upload_errors(server):
    assert (
        call(server, "files.getUploadURLExternal", form={"filename": "x"}).json()["error"]
        == "invalid_arguments"
    )
    pending = call(
        server, "files.getUploadURLExternal", form={"filename": "x", "length": "3"}
    ).json()
    not_uploaded = call(
        server,
        "files.completeUploadExternal",
        form={"files": json.dumps([{"id": pending["file_id"]}])},
    ).json()
    assert not_uploaded["error"] == "file_not_found"
    assert (
        requests.post(f"{server.url}/slack/upload/F0NOPE00000", data=b"x", timeout=5).status_code
        == 404
    )
    assert (
        call(server, "files.completeUploadExternal", form={"files": "{not json"}).json()["error"]
        == "invalid_arguments"
    )


def test_faults_answer_like_slack(server, contract):
    sandbox = server.sandbox
    sandbox.add_fault({"network": "slack", "kind": "rate_limit", "reset_after": 7})
    limited = call(server, "chat.postMessage", json_body={"channel": "#cm-alertes", "text": "x"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json() == {"ok": False, "error": "ratelimited"}
    contract.validate("chat.postMessage", "POST", limited.json())
    sandbox.add_fault({"network": "slack", "kind": "expired_token"})
    expired = call(server, "chat.postMessage", json_body={"channel": "#cm-alertes", "text": "x"})
    assert expired.status_code == 200 and expired.json() == {"ok": False, "error": "token_expired"}
    sandbox.add_fault({"network": "slack", "kind": "server_error"})
    assert call(server, "auth.test").status_code == 500


def test_unknown_method(server):
    response = call(server, "chat.scheduleMessage", json_body={})
    assert response.status_code == 404 and response.json()["error"] == "unknown_method"


def test_slackhook_works_unchanged_against_the_sandbox(server, monkeypatch):
    from airflow.providers.slack.hooks.slack import SlackHook

    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_DEFAULT", json.dumps(SlackEmulator.connection(server.url))
    )
    hook = SlackHook(slack_conn_id="slack_default")
    ok, detail = hook.test_connection()
    assert ok, detail
    hook.client.chat_postMessage(channel="#cm-alertes", text="via SlackHook")
    with pytest.warns(UserWarning, match="expects a Slack Channel ID"):
        hook.send_file_v1_to_v2(
            channels="#cm-digest", content="x,y\n", filename="data.csv", initial_comment="fichier"
        )
    slack = server.sandbox.world.slack
    assert slack["#cm-alertes"][0].text == "via SlackHook"
    assert slack["#cm-digest"][0].files[0]["name"] == "data.csv"
    assert [r["path"] for r in server.sandbox.requests][-3:] == [
        "/api/files.getUploadURLExternal",
        "/upload/F0SANDBOX0001",
        "/api/files.completeUploadExternal",
    ]


# -- message metadata and conversations.history (the outbox's lookup of a lost answer) ----

METADATA = {"event_type": "socialops_notice", "event_payload": {"dedup_key": "k1"}}


def test_post_message_keeps_its_metadata(server, contract):
    body = call(
        server,
        "chat.postMessage",
        json_body={"channel": "#cm-alertes", "text": "hi", "metadata": METADATA},
    ).json()
    contract.validate("chat.postMessage", "POST", body)
    assert body["message"]["metadata"] == METADATA
    assert server.sandbox.world.slack["#cm-alertes"][0].metadata == METADATA


def test_metadata_in_a_form_is_json_text(server):
    form = {"channel": "#cm-alertes", "text": "hi", "metadata": json.dumps(METADATA)}
    assert call(server, "chat.postMessage", form=form).json()["ok"]
    assert server.sandbox.world.slack["#cm-alertes"][0].metadata == METADATA


@pytest.mark.parametrize(
    "metadata", ["{not json", {"event_type": "x"}, {"event_type": 1, "event_payload": {}}]
)
def test_malformed_metadata_is_refused(server, metadata):
    raw = metadata if isinstance(metadata, str) else json.dumps(metadata)
    form = {"channel": "#cm-alertes", "text": "hi", "metadata": raw}
    body = call(server, "chat.postMessage", form=form).json()
    assert body == {"ok": False, "error": "invalid_metadata_format"}
    assert "#cm-alertes" not in server.sandbox.world.slack


def _post(server, text, metadata=None):
    payload = {"channel": "#cm-alertes", "text": text}
    if metadata:
        payload["metadata"] = metadata
    return call(server, "chat.postMessage", json_body=payload).json()["ts"]


def test_history_newest_first_with_metadata_only_when_asked(server, contract):
    first = _post(server, "one", METADATA)
    second = _post(server, "two")
    cid = channel_id("cm-alertes")
    body = call(server, "conversations.history", form={"channel": cid}, http="GET").json()
    contract.validate("conversations.history", "GET", body)
    assert [m["ts"] for m in body["messages"]] == [second, first]
    assert all("metadata" not in m for m in body["messages"])
    query = {"channel": cid, "include_all_metadata": "1"}
    response = requests.get(
        f"{server.url}/slack/api/conversations.history",
        params=query,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    body = response.json()
    contract.validate("conversations.history", "GET", body)
    assert body["messages"][1]["metadata"] == METADATA and "metadata" not in body["messages"][0]


def test_history_pages_and_time_window(server, contract):
    stamps = [_post(server, str(n)) for n in range(5)]
    cid = channel_id("cm-alertes")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    url = f"{server.url}/slack/api/conversations.history"
    page = requests.get(url, params={"channel": cid, "limit": 2}, headers=headers, timeout=5).json()
    assert [m["text"] for m in page["messages"]] == ["4", "3"] and page["has_more"]
    cursor = page["response_metadata"]["next_cursor"]
    page = requests.get(
        url, params={"channel": cid, "limit": 2, "cursor": cursor}, headers=headers, timeout=5
    ).json()
    assert [m["text"] for m in page["messages"]] == ["2", "1"]
    after = requests.get(
        url, params={"channel": cid, "oldest": stamps[2]}, headers=headers, timeout=5
    ).json()
    assert [m["text"] for m in after["messages"]] == ["4", "3"]  # oldest is exclusive
    inclusive = requests.get(
        url,
        params={"channel": cid, "oldest": stamps[2], "inclusive": "true"},
        headers=headers,
        timeout=5,
    ).json()
    assert [m["text"] for m in inclusive["messages"]] == ["4", "3", "2"]


def test_history_takes_a_channel_id_not_a_name(server, contract):
    body = call(server, "conversations.history", form={"channel": "#cm-alertes"}).json()
    assert body == {"ok": False, "error": "channel_not_found"}
    contract.validate("conversations.history", "GET", body)
    bad = call(
        server, "conversations.history", form={"channel": channel_id("cm-alertes"), "oldest": "x"}
    ).json()
    assert bad == {"ok": False, "error": "invalid_ts_oldest"}
