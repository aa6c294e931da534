"""The Slack Web API, as much of it as socialops' notifications use.

``SlackHook(slack_conn_id="slack_default")`` talks to it unchanged (chat.postMessage with
message metadata, chat.update, conversations.list and .history, auth.test, the file
upload): the connection's ``base_url`` extra points slack_sdk's ``WebClient`` at
``<sandbox>/slack/api/``. Messages land in ``world.slack`` under the channel's ``#name``.

Like the real API, errors are HTTP 200 with ``{"ok": false, "error": "<code>"}`` (except
rate limits: 429 with ``Retry-After``), bodies are JSON or form-encoded, and the token comes
in ``Authorization: Bearer`` or a ``token`` parameter.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from socialops.sandbox.server import Emulator, Refusal, Request, Response, route
from socialops.sandbox.world import SlackMessage

TOKEN = "xoxb-sandbox-token"
TEAM_ID = "T0SANDBOX1"
BOT_USER_ID = "U0SANDBOXBOT"
BOT_ID = "B0SANDBOXBOT"

#: Slack's documented limits (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 40000


def channel_id(name: str) -> str:
    """A stable, Slack-shaped id (``C`` + 10 base32 characters) for a channel name."""
    digest = hashlib.sha1(name.encode()).digest()
    return "C" + base64.b32encode(digest).decode()[:10]


def _flag(value: Any) -> bool:
    """A boolean argument as Slack reads it (``1``/``true``; slack_sdk sends ``"1"``)."""
    return str(value).lower() in ("1", "true")


def _ok(**fields: Any) -> Response:
    return Response(200, {"ok": True, **fields})


def _error(code: str, **fields: Any) -> Response:
    return Response(200, {"ok": False, "error": code, **fields})


class _Refused(Refusal):
    """Slack's ``{"ok": false, "error": code}`` answer, raised from anywhere in a handler."""

    def __init__(self, code: str):
        super().__init__(_error(code))


class SlackEmulator(Emulator):
    network = "slack"
    conn_id = "slack_default"

    @classmethod
    def connection(cls, base_url: str) -> dict[str, Any]:
        # SlackHook reads the token from the password and the API root from the base_url
        # extra; slack_sdk appends method names to it, hence the trailing slash.
        return {
            "conn_type": "slack",
            "password": TOKEN,
            "extra": {"base_url": f"{base_url}/slack/api/"},
        }

    def rate_limited(self, request, reset_at) -> Response:
        seconds = max(1, int((reset_at - self.world.now()).total_seconds()))
        return Response(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(seconds)})

    def server_error(self, request: Request) -> Response:
        return Response(500, {"ok": False, "error": "fatal_error"})

    def expired_token(self, request: Request) -> Response:
        return _error("token_expired")

    def not_found(self, request: Request) -> Response:
        return Response(404, {"ok": False, "error": "unknown_method", "req_method": request.path})

    # -- request helpers -----------------------------------------------------------------
    @staticmethod
    def _params(request: Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: v[0] for k, v in request.query.items()}
        if request.headers.get("content-type", "").startswith("application/json"):
            body = request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.body:
            params.update(request.form())
        return params

    def _authorized(self, request: Request) -> dict[str, Any]:
        """The request's parameters, once its token is checked like Slack does."""
        params = self._params(request)
        token = request.bearer or params.get("token")
        if not token:
            raise _Refused("not_authed")
        if token in self.world.revoked_tokens:
            raise _Refused("token_revoked")
        if token != TOKEN:
            raise _Refused("invalid_auth")
        return params

    def _channel_name(self, channel: str | None) -> str:
        """The ``name`` (no ``#``) of a channel given by name or id."""
        channels = self.world.slack_channels
        by_id = {cid: name for name, cid in channels.items()}
        if channel in by_id:
            return by_id[channel]
        name = (channel or "").removeprefix("#")
        if name in channels:
            return name
        if channel and channel.startswith("#") and not self.world.slack_strict_channels:
            channels[name] = channel_id(name)
            return name
        raise _Refused("channel_not_found")

    @staticmethod
    def _blocks(raw: Any) -> list[dict[str, Any]] | None:
        """Parsed blocks, refused if they break Slack's rules."""
        if raw in (None, "", []):
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise _Refused("invalid_blocks_format") from None
        if not isinstance(raw, list) or not all(isinstance(b, dict) and b.get("type") for b in raw):
            raise _Refused("invalid_blocks_format")
        if len(raw) > MAX_BLOCKS:
            raise _Refused("invalid_blocks")
        for block in raw:
            text = block["text"].get("text", "") if isinstance(block.get("text"), dict) else ""
            limit = {"section": MAX_SECTION_TEXT, "header": MAX_HEADER_TEXT}.get(block["type"])
            if limit is not None and len(text) > limit:
                raise _Refused("invalid_blocks")
        return raw

    def _content(self, params: dict[str, Any]) -> tuple[str, list | None]:
        text = str(params.get("text") or "")
        blocks = self._blocks(params.get("blocks"))
        if not text and not blocks:
            raise _Refused("no_text")
        if len(text) > MAX_MESSAGE_TEXT:
            raise _Refused("msg_too_long")
        return text, blocks

    @staticmethod
    def _metadata(raw: Any) -> dict[str, Any] | None:
        """Message metadata (https://api.slack.com/metadata): a JSON object (or its text in a
        form) with an ``event_type`` and an object ``event_payload``."""
        if raw in (None, ""):
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise _Refused("invalid_metadata_format") from None
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("event_type"), str)
            or not isinstance(raw.get("event_payload"), dict)
        ):
            raise _Refused("invalid_metadata_format")
        return {"event_type": raw["event_type"], "event_payload": raw["event_payload"]}

    @staticmethod
    def _message_json(message: SlackMessage, *, metadata: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": message.text,
            "ts": message.ts,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "team": TEAM_ID,
        }
        if message.blocks:
            body["blocks"] = message.blocks
        if message.thread_ts:
            body["thread_ts"] = message.thread_ts
        if message.files:  # a file share: Slack lists the files on their message
            body["files"] = message.files
            body["upload"] = True
        if metadata and message.metadata:
            body["metadata"] = message.metadata
        return body

    # -- methods -------------------------------------------------------------------------
    @route("GET", r"/api/auth\.test")
    @route("POST", r"/api/auth\.test")
    def auth_test(self, request: Request) -> Response:
        self._authorized(request)
        return _ok(
            url="https://socialops-sandbox.slack.com/",
            team="socialops sandbox",
            user="socialops",
            team_id=TEAM_ID,
            user_id=BOT_USER_ID,
            bot_id=BOT_ID,
            is_enterprise_install=False,
        )

    @route("POST", r"/api/chat\.postMessage")
    def post_message(self, request: Request) -> Response:
        params = self._authorized(request)
        name = self._channel_name(params.get("channel"))
        text, blocks = self._content(params)
        metadata = self._metadata(params.get("metadata"))
        message = self.world.post_slack(
            f"#{name}", text, blocks, params.get("thread_ts") or None, metadata
        )
        return _ok(
            channel=self.world.slack_channels[name],
            ts=message.ts,
            message=self._message_json(message, metadata=True),
        )

    @route("GET", r"/api/conversations\.history")
    @route("POST", r"/api/conversations\.history")
    def history(self, request: Request) -> Response:
        """A channel's messages, newest first, between ``oldest`` and ``latest`` (exclusive
        unless ``inclusive``); metadata only with ``include_all_metadata``. Like Slack, the
        channel is an id: a ``#name`` is ``channel_not_found``."""
        params = self._authorized(request)
        by_id = {cid: name for name, cid in self.world.slack_channels.items()}
        name = by_id.get(str(params.get("channel") or ""))
        if name is None:
            raise _Refused("channel_not_found")
        try:
            oldest = float(params.get("oldest") or 0)
        except ValueError:
            raise _Refused("invalid_ts_oldest") from None
        try:
            latest = float(params["latest"]) if params.get("latest") else None
        except ValueError:
            raise _Refused("invalid_ts_latest") from None
        try:
            limit = max(1, min(999, int(params.get("limit") or 100)))
            start = int(params.get("cursor") or 0)
        except ValueError:
            raise _Refused("invalid_cursor") from None
        inclusive = _flag(params.get("inclusive"))

        def within(ts: float) -> bool:
            after = ts >= oldest if inclusive else ts > oldest
            before = latest is None or (ts <= latest if inclusive else ts < latest)
            return after and before

        # Like Slack, a channel's history holds no thread replies (conversations.replies).
        found = sorted(
            (
                m
                for m in self.world.slack.get(f"#{name}", [])
                if within(float(m.ts)) and (not m.thread_ts or m.thread_ts == m.ts)
            ),
            key=lambda m: float(m.ts),
            reverse=True,
        )
        page = found[start : start + limit]
        more = start + limit < len(found)
        metadata = _flag(params.get("include_all_metadata"))
        return _ok(
            messages=[self._message_json(m, metadata=metadata) for m in page],
            has_more=more,
            pin_count=0,
            channel_actions_ts=None,
            channel_actions_count=0,
            response_metadata={"next_cursor": str(start + limit) if more else ""},
        )

    @route("GET", r"/api/conversations\.replies")
    @route("POST", r"/api/conversations\.replies")
    def replies(self, request: Request) -> Response:
        """A thread: the message ``ts`` then its replies, oldest first, between ``oldest``
        and ``latest`` (the parent always comes first, like Slack); metadata only with
        ``include_all_metadata``. The channel is an id; an unknown ``ts`` is
        ``thread_not_found``."""
        params = self._authorized(request)
        by_id = {cid: name for name, cid in self.world.slack_channels.items()}
        name = by_id.get(str(params.get("channel") or ""))
        if name is None:
            raise _Refused("channel_not_found")
        ts = str(params.get("ts") or "")
        messages = self.world.slack.get(f"#{name}", [])
        parent = next((m for m in messages if m.ts == ts), None)
        if parent is None:
            raise _Refused("thread_not_found")
        try:
            oldest = float(params.get("oldest") or 0)
            limit = max(1, min(999, int(params.get("limit") or 100)))
            start = int(params.get("cursor") or 0)
        except ValueError:
            raise _Refused("invalid_arguments") from None
        thread = [parent] + sorted(
            (m for m in messages if m.thread_ts == ts and m.ts != ts and float(m.ts) > oldest),
            key=lambda m: float(m.ts),
        )
        page = thread[start : start + limit]
        more = start + limit < len(thread)
        metadata = _flag(params.get("include_all_metadata"))
        return _ok(
            messages=[self._message_json(m, metadata=metadata) for m in page],
            has_more=more,
            response_metadata={"next_cursor": str(start + limit) if more else ""},
        )

    @route("POST", r"/api/chat\.update")
    def update_message(self, request: Request) -> Response:
        params = self._authorized(request)
        name = self._channel_name(params.get("channel"))
        message = next(
            (m for m in self.world.slack.get(f"#{name}", []) if m.ts == params.get("ts")), None
        )
        if message is None:
            raise _Refused("message_not_found")
        # Like Slack, an update without text or blocks keeps the message's current ones.
        current = {"text": message.text, "blocks": message.blocks}
        message.text, message.blocks = self._content(
            {**current, **{k: params[k] for k in current if k in params}}
        )
        return _ok(
            channel=self.world.slack_channels[name],
            ts=message.ts,
            text=message.text,
            message={"text": message.text},
        )

    @route("GET", r"/api/conversations\.list")
    @route("POST", r"/api/conversations\.list")
    def list_conversations(self, request: Request) -> Response:
        params = self._authorized(request)
        try:
            limit = max(1, min(1000, int(params.get("limit") or 100)))
            start = int(params.get("cursor") or 0)
        except ValueError:
            raise _Refused("invalid_cursor") from None
        names = sorted(self.world.slack_channels)
        created = int(self.world.epoch.timestamp())
        channels = [
            {
                "id": self.world.slack_channels[name],
                "name": name,
                "name_normalized": name,
                "created": created,
                "creator": BOT_USER_ID,
                "is_channel": True,
                "is_group": False,
                "is_im": False,
                "is_mpim": False,
                "is_private": False,
                "is_archived": False,
                "is_general": False,
                "is_shared": False,
                "is_org_shared": False,
                "is_member": True,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            }
            for name in names[start : start + limit]
        ]
        more = start + limit < len(names)
        return _ok(
            channels=channels, response_metadata={"next_cursor": str(start + limit) if more else ""}
        )

    @route("GET", r"/api/files\.getUploadURLExternal")
    @route("POST", r"/api/files\.getUploadURLExternal")
    def upload_url(self, request: Request) -> Response:
        params = self._authorized(request)
        length = str(params.get("length") or "")
        if not params.get("filename") or not length.isdigit() or int(length) <= 0:
            raise _Refused("invalid_arguments")
        file_id = f"F0SANDBOX{len(self.world.slack_files) + 1:04d}"
        self.world.slack_files[file_id] = {
            "id": file_id,
            "name": params["filename"],
            "length": int(length),
            "content": None,
        }
        # The upload URL must reach this server the way the client did (localhost, a
        # compose service name...), hence the Host header.
        host = request.headers.get("host", "127.0.0.1")
        return _ok(upload_url=f"http://{host}/slack/upload/{file_id}", file_id=file_id)

    @route("POST", r"/upload/(?P<file_id>F\w+)")
    def receive_upload(self, request: Request) -> Response:
        stored = self.world.slack_files.get(request.params["file_id"])
        if stored is None:
            return Response(404, "Not Found", content_type="text/plain")
        stored["content"] = request.body
        return Response(200, f"OK - {len(request.body)}", content_type="text/plain")

    @route("POST", r"/api/files\.completeUploadExternal")
    def complete_upload(self, request: Request) -> Response:
        params = self._authorized(request)
        entries = params.get("files")
        if isinstance(entries, str):
            try:
                entries = json.loads(entries)
            except ValueError:
                raise _Refused("invalid_arguments") from None
        if not isinstance(entries, list) or not entries:
            raise _Refused("invalid_arguments")
        stored = [self.world.slack_files.get(str(entry.get("id"))) for entry in entries]
        if any(f is None or f["content"] is None for f in stored):
            raise _Refused("file_not_found")
        channel = params.get("channel_id") or params.get("channels")
        name = self._channel_name(channel) if channel else None
        files = []
        for entry, stored_file in zip(entries, stored, strict=True):
            stored_file["title"] = entry.get("title") or stored_file["name"]
            files.append(
                {
                    "id": stored_file["id"],
                    "name": stored_file["name"],
                    "title": stored_file["title"],
                    "size": len(stored_file["content"]),
                    "created": int(self.world.now().timestamp()),
                    "user": BOT_USER_ID,
                }
            )
        if name:
            message = self.world.post_slack(
                f"#{name}",
                str(params.get("initial_comment") or ""),
                thread_ts=params.get("thread_ts") or None,
            )
            message.files = files
        return _ok(files=files)
