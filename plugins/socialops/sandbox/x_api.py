"""The X API v2 emulator: the endpoints :class:`socialops.networks.x.XAdapter` uses.

Served under ``/x`` (``http://127.0.0.1:PORT/x/2/tweets``). Bodies are shaped like X's:
``data``, ``includes.users``, ``meta`` (``result_count``, ``newest_id``, ``oldest_id``,
``next_token``), ``errors`` entries for ids that do not exist, ``created_at`` as
``2026-11-20T08:00:00.000Z``, text HTML-escaped (``&amp;``) with links shortened to t.co.

Metric names: the contract (``x-api-v2.openapi.json`` 2.159) names the counters
``repost_count`` and ``post_count`` and requires them; the recorded responses and the clients
in use (tweepy) read ``retweet_count`` and ``tweet_count``. The emulator sends both spellings
so either kind of client works against it.

Authentication: any bearer token is accepted except those in ``world.revoked_tokens``;
an OAuth 1.0a header acts as the user whose id prefixes its ``oauth_token``
(``<user id>-<secret>`` like X's access tokens), else as the world's first owned X account.
Writes and private metrics need that user context, as on X.

Limits: every served response carries ``x-rate-limit-limit``, ``x-rate-limit-remaining`` and
``x-rate-limit-reset`` (epoch seconds) for a 15-minute window per endpoint and per app or
user, with the published per-window limits below (``POST /2/tweets``: 100 per user). Error
bodies carry X's problem details (``title``, ``detail``, ``type``, ``status``) and the
``code``/``message`` pair of X's error codes (88 rate limit, 89 bad token, 187 duplicate),
which is the ``Error`` shape the contract declares for ``application/json`` errors.

Media: ``POST /2/media/upload`` (one-shot, images only), ``POST /2/media/upload/initialize``,
``POST /2/media/upload/{id}/append``, ``POST /2/media/upload/{id}/finalize`` and
``GET /2/media/upload?media_id=&command=STATUS``, under user context only. Bodies are
``multipart/form-data`` (or JSON with base64 ``media``) with exactly the fields the contract
names; the bytes are checked (an image must start like a jpg/png/gif/webp, or the upload is
refused; a video that is not an mp4 fails processing). A video is ``pending`` after finalize,
``in_progress`` on the following status polls and ``succeeded`` on poll
:attr:`XEmulator.processing_polls`. Media ids are valid for 24 hours, for their uploader only,
in ``POST /2/tweets`` ``media.media_ids`` (1 to 4 photos, or one video or GIF); the post then
carries ``attachments.media_keys`` and ``includes.media`` when the expansion asks for them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import itertools
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from socialops.sandbox.server import Emulator, Refusal, Request, Response, route
from socialops.sandbox.world import SandboxAccount, SandboxMention, SandboxPost

WINDOW = timedelta(minutes=15)
SEARCH_WINDOW = timedelta(days=7)
DUPLICATE_WINDOW = timedelta(hours=24)
PRIVATE_METRICS_MAX_AGE = timedelta(days=30)
MAX_LOOKUP_IDS = 100
URL = re.compile(r"https?://\S+")
PROBLEMS = "https://api.x.com/2/problems"

#: requests per 15-minute window: (per app bearer token, per user).
LIMITS: dict[str, tuple[int, int]] = {
    "GET /2/users/me": (0, 75),
    "GET /2/users": (300, 900),
    "GET /2/users/by": (300, 900),
    "GET /2/users/:id": (300, 900),
    "GET /2/users/by/username/:username": (300, 900),
    "GET /2/users/:id/tweets": (1500, 900),
    "GET /2/tweets": (450, 900),
    "GET /2/tweets/search/recent": (450, 180),
    "POST /2/tweets": (0, 100),
    # Media windows are the emulator's own, wide enough for a long video's segments.
    "POST /2/media/upload": (0, 500),
    "POST /2/media/upload/initialize": (0, 500),
    "POST /2/media/upload/:id/append": (0, 5000),
    "POST /2/media/upload/:id/finalize": (0, 500),
    "GET /2/media/upload": (0, 1000),
}

MEDIA_LIFETIME = timedelta(hours=24)
#: The contract's media categories the sandbox emulates, and the media type each makes.
CATEGORY_KIND = {
    "tweet_image": "photo",
    "dm_image": "photo",
    "tweet_gif": "animated_gif",
    "dm_gif": "animated_gif",
    "tweet_video": "video",
    "dm_video": "video",
    "amplify_video": "video",
}
MEDIA_KEY_PREFIX = {"photo": "3", "animated_gif": "16", "video": "7"}
MAX_MEDIA_BYTES = {
    "photo": 5 * 1024 * 1024,
    "animated_gif": 15 * 1024 * 1024,
    "video": 512 * 1024 * 1024,
}
#: Body fields of the upload requests, as the contract's request schemas name them.
ONE_SHOT_FIELDS = frozenset({"media", "media_category", "additional_owners"})
ONE_SHOT_REQUIRED = frozenset({"media", "media_category"})
APPEND_FIELDS = frozenset({"media", "segment_index"})  # both required
INITIALIZE_FIELDS = frozenset(
    {"additional_owners", "media_category", "media_type", "shared", "total_bytes"}
)
MAX_SEGMENT_BYTES = 5 * 1024 * 1024
MAX_SEGMENT_INDEX = 999
MEDIA_TYPES = (
    "video/mp4",
    "video/webm",
    "video/mp2t",
    "video/quicktime",
    "text/srt",
    "text/vtt",
    "image/jpeg",
    "image/gif",
    "image/bmp",
    "image/png",
    "image/webp",
    "image/pjpeg",
    "image/tiff",
    "model/gltf-binary",
    "model/vnd.usdz+zip",
)

#: X's legacy error codes, kept in v2 error bodies as ``code``/``message``.
ERROR_CODES = {
    400: (44, "Invalid request."),
    401: (89, "Invalid or expired token."),
    403: (200, "Forbidden."),
    429: (88, "Rate limit exceeded."),
    500: (131, "Internal error."),
}


def x_time(when: datetime) -> str:
    """X's timestamp format: milliseconds and a ``Z``."""
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _parse_time(raw: str) -> datetime:
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type: str = "about:blank",
    code: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    legacy_code, message = ERROR_CODES.get(status, (status, title))
    return {
        "title": title,
        "detail": detail,
        "type": type,
        "status": status,
        "code": code or legacy_code,
        "message": message,
        **extra,
    }


class XRequestError(Refusal):
    """Raised inside a handler: answered as X's problem details."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any):
        super().__init__(Response(status, problem(status, title, detail, **extra)))


def invalid_request(detail: str, parameter: str | None = None) -> XRequestError:
    extra = {"parameter": parameter} if parameter else {}
    return XRequestError(
        400, "Invalid Request", detail, type=f"{PROBLEMS}/invalid-request", **extra
    )


@dataclass
class Viewer:
    """Who is calling: an app bearer token, or a user through OAuth 1.0a."""

    key: str  # rate-limit bucket
    user: SandboxAccount | None  # the authenticated user under user context

    @property
    def user_context(self) -> bool:
        return self.user is not None


def _privacy_fields(account: SandboxAccount, fields: set[str]) -> dict[str, Any]:
    """``protected`` and ``profile_image_url`` (X's default "egg" for an account without a
    picture), when asked for."""
    found: dict[str, Any] = {}
    if "protected" in fields:
        found["protected"] = account.protected
    if "profile_image_url" in fields:
        found["profile_image_url"] = (
            f"https://pbs.twimg.com/profile_images/{account.id}/photo_normal.jpg"
            if account.has_picture
            else "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
        )
    return found


def _protected_timeline(account: SandboxAccount) -> dict[str, Any]:
    """The error X returns (HTTP 200) for a protected account's timeline to a non-follower."""
    return {
        "value": account.id,
        "detail": f"Sorry, you are not authorized to see the user with id: [{account.id}].",
        "title": "Authorization Error",
        "resource_type": "user",
        "parameter": "id",
        "resource_id": account.id,
        "type": f"{PROBLEMS}/not-authorized-for-resource",
    }


def tco(url: str, salt: str) -> str:
    """A deterministic t.co short link, as X rewrites every URL of a post."""
    digest = hashlib.sha256(f"{salt}|{url}".encode()).digest()
    return "https://t.co/" + base64.b32encode(digest).decode().lower()[:10]


def _fields(request: Request, name: str) -> set[str]:
    return {f for f in (request.arg(name) or "").split(",") if f}


def _int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.arg(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid_request(
            f"The `{name}` query parameter value [{raw}] is not between {low} and {high}", name
        )
    return int(raw)


@dataclass
class Upload:
    """One media upload: a session being appended to, then a media id usable in a post."""

    id: str
    owner: str  # user id; nobody else may attach it
    category: str
    media_type: str | None  # declared at initialize, sniffed for one-shot images
    total_bytes: int
    created_at: datetime
    segments: dict[int, bytes] = field(default_factory=dict)
    content: bytes | None = None  # set by finalize
    state: str | None = None  # processing of videos and GIFs; None: nothing to process
    polls: int = 0

    @property
    def kind(self) -> str:
        return CATEGORY_KIND[self.category]

    @property
    def media_key(self) -> str:
        return f"{MEDIA_KEY_PREFIX[self.kind]}_{self.id}"

    @property
    def ready(self) -> bool:
        return self.content is not None and self.state in (None, "succeeded")


def sniff_image(content: bytes) -> str | None:
    """The image type X would recognise from the first bytes, else None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_mp4(content: bytes) -> bool:
    return content[4:8] == b"ftyp"


def image_size(content: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of a png, gif or baseline/progressive jpeg; None if not found."""
    if content.startswith(b"\x89PNG") and len(content) >= 24:
        return struct.unpack(">II", content[16:24])
    if content.startswith(b"GIF") and len(content) >= 10:
        return struct.unpack("<HH", content[6:10])
    if content.startswith(b"\xff\xd8"):
        offset = 2
        while offset + 9 <= len(content) and content[offset] == 0xFF:
            marker = content[offset + 1]
            length = struct.unpack(">H", content[offset + 2 : offset + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # start of frame
                height, width = struct.unpack(">HH", content[offset + 5 : offset + 9])
                return width, height
            offset += 2 + length
    return None


def _multipart(body: bytes, content_type: str) -> dict[str, bytes]:
    """The parts of a ``multipart/form-data`` body by field name (binary-safe)."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type)
    if not boundary:
        raise invalid_request("The multipart/form-data body has no boundary")
    fields: dict[str, bytes] = {}
    for part in body.split(b"--" + boundary.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, separator, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'[;\s]name="([^"]*)"', head)
        if not separator or not name:
            raise invalid_request("The multipart/form-data body is malformed")
        fields[name.group(1).decode()] = value.removesuffix(b"\r\n")
    return fields


def media_form(
    request: Request, allowed: frozenset[str], required: frozenset[str]
) -> dict[str, Any]:
    """The fields of an upload body: multipart (``media`` as bytes, the others as text) or
    JSON (``media`` base64-encoded), with the contract's required and allowed names."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        fields: dict[str, Any] = {
            name: value if name == "media" else value.decode(errors="replace")
            for name, value in _multipart(request.body, content_type).items()
        }
    elif content_type.startswith("application/json"):
        payload = request.json()
        if not isinstance(payload, dict):
            raise invalid_request("The request body is not a JSON object")
        fields = dict(payload)
        if "media" in fields:
            try:
                fields["media"] = base64.b64decode(str(fields["media"]), validate=True)
            except binascii.Error:
                raise invalid_request("`media` is not valid base64", "media") from None
    else:
        raise invalid_request(
            f"Unsupported content type '{content_type or 'none'}': "
            "send multipart/form-data or application/json",
        )
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise invalid_request(
            f"The `{unknown[0]}` field is not allowed in this request", unknown[0]
        )
    missing = sorted(required - set(fields))
    if missing:
        raise invalid_request(f"The `{missing[0]}` field is required", missing[0])
    return fields


def _category(value: Any, parameter: str = "media_category") -> str:
    if value not in CATEGORY_KIND:
        raise invalid_request(
            f"The `{parameter}` value [{value}] is not one of [{', '.join(CATEGORY_KIND)}]",
            parameter,
        )
    return value


class XEmulator(Emulator):
    network = "x"
    conn_id = "x_default"
    #: Status polls after finalize until a video is processed (tests may change it).
    processing_polls = 2
    check_after_secs = 1

    def __init__(self, world):
        super().__init__(world)
        self._windows: dict[tuple[str, str], tuple[datetime, int]] = {}
        self._uploads: dict[str, Upload] = {}

    @classmethod
    def connection(cls, base_url: str) -> dict[str, Any]:
        return {
            "conn_type": "x",
            "host": f"{base_url}/{cls.network}",
            "password": "sandbox-bearer-token",
            "extra": {
                "consumer_key": "sandbox-consumer-key",
                "consumer_secret": "sandbox-consumer-secret",
                "access_token": "sandbox-access-token",
                "access_token_secret": "sandbox-access-token-secret",
                "timeout": 10,
            },
        }

    # -- faults, answered like X -------------------------------------------------------------
    def rate_limited(self, request: Request, reset_at: datetime) -> Response:
        limit = max(LIMITS.get(_endpoint(request), (15, 15)))
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(reset_at.timestamp())),
        }
        return Response(429, problem(429, "Too Many Requests", "Too Many Requests"), headers)

    def server_error(self, request: Request) -> Response:
        return Response(500, problem(500, "Internal Server Error", "Internal Server Error"))

    def expired_token(self, request: Request) -> Response:
        return Response(401, problem(401, "Unauthorized", "Unauthorized"))

    def not_found(self, request: Request) -> Response:
        detail = f"Sorry, that page does not exist: {request.method} {request.path}"
        return Response(404, problem(404, "Not Found Error", detail, code=34))

    # -- plumbing ------------------------------------------------------------------------------
    def _viewer(self, request: Request) -> Viewer | None:
        if request.bearer is not None:
            if not request.bearer or request.bearer in self.world.revoked_tokens:
                return None
            return Viewer(
                key="app:" + hashlib.sha256(request.bearer.encode()).hexdigest()[:12], user=None
            )
        header = request.headers.get("authorization", "")
        token = re.search(r'oauth_token="([^"]*)"', header)
        if not header.startswith("OAuth ") or not token:
            return None
        access_token = unquote(token.group(1))
        if access_token in self.world.revoked_tokens:
            return None
        user = (
            self.world.account("x", access_token.split("-", 1)[0]) if "-" in access_token else None
        )
        user = user or self._owned_account()
        return Viewer(key=f"user:{user.id}", user=user) if user else None

    def _owned_account(self) -> SandboxAccount | None:
        return next(
            (a for (n, _), a in self.world.accounts.items() if n == "x" and a.role == "owned"), None
        )

    def _serve(
        self, request: Request, handler: Callable[[Request, Viewer], Response | dict[str, Any]]
    ) -> Response:
        """Authenticate, count the request in its rate-limit window, run the handler."""
        viewer = self._viewer(request)
        if viewer is None:
            return self.expired_token(request)
        endpoint = _endpoint(request)
        app_limit, user_limit = LIMITS.get(endpoint, (300, 900))
        limit = user_limit if viewer.user_context else app_limit
        if limit == 0:
            detail = (
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
                "Supported authentication types are "
                "[OAuth 1.0a User Context, OAuth 2.0 User Context]."
            )
            body = problem(
                403,
                "Unsupported Authentication",
                detail,
                type=f"{PROBLEMS}/unsupported-authentication",
            )
            return Response(403, body)
        now = self.world.now()
        start, used = self._windows.get((endpoint, viewer.key), (now, 0))
        if now >= start + WINDOW:
            start, used = now, 0
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-reset": str(int((start + WINDOW).timestamp())),
        }
        if used >= limit:
            return Response(
                429,
                problem(429, "Too Many Requests", "Too Many Requests"),
                {**headers, "x-rate-limit-remaining": "0"},
            )
        self._windows[(endpoint, viewer.key)] = (start, used + 1)
        headers["x-rate-limit-remaining"] = str(limit - used - 1)
        try:
            result = handler(request, viewer)
        except XRequestError as exc:
            result = exc.response
        response = result if isinstance(result, Response) else Response(200, result)
        response.headers.update(headers)
        return response

    # -- rendering -----------------------------------------------------------------------------
    def _user_json(self, account: SandboxAccount, fields: set[str]) -> dict[str, Any]:
        user: dict[str, Any] = {"id": account.id, "name": account.name, "username": account.handle}
        if "created_at" in fields:
            user["created_at"] = x_time(account.created_at)
        if "description" in fields:
            user["description"] = account.bio
        if "verified" in fields:
            user["verified"] = account.verified
        user.update(_privacy_fields(account, fields))
        if "public_metrics" in fields:
            posts = len(self.world.account_posts("x", account.id))
            user["public_metrics"] = {
                "followers_count": account.followers_at(self.world.now(), self.world.epoch),
                "following_count": account.following,
                "tweet_count": posts,
                "post_count": posts,
                "listed_count": account.followers // 500,
                "like_count": posts * 3,
                "media_count": 0,
            }
        return user

    def _author(self, item: SandboxPost | SandboxMention) -> SandboxAccount:
        if isinstance(item, SandboxPost):
            found = self.world.account("x", item.account_id)
            if found:
                return found
            return SandboxAccount(
                "x",
                item.account_id,
                f"user{item.account_id}",
                f"user{item.account_id}",
                "public",
                0,
            )
        found = self.world.account("x", item.author_id)
        return found or SandboxAccount(
            "x", item.author_id, item.author_handle, item.author_handle, "public", 0
        )

    def _tweet_json(
        self, item: SandboxPost | SandboxMention, fields: set[str], viewer: Viewer
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The tweet object, or None with field errors when a private field is not the viewer's."""
        author = self._author(item)
        tweet: dict[str, Any] = {
            "id": item.id,
            "text": html.escape(item.text, quote=False),
            "edit_history_tweet_ids": [item.id],
        }
        if "created_at" in fields:
            tweet["created_at"] = x_time(item.created_at)
        if "author_id" in fields:
            tweet["author_id"] = author.id
        if "conversation_id" in fields:
            tweet["conversation_id"] = _conversation(item)
        if "lang" in fields:
            tweet["lang"] = _lang(item)
        if "entities" in fields and URL.search(item.text):
            tweet["entities"] = {"urls": _url_entities(item)}
        if "attachments" in fields and _media_of(item):
            tweet["attachments"] = {"media_keys": [m["media_key"] for m in _media_of(item)]}
        if (
            isinstance(item, SandboxMention)
            and item.in_reply_to
            and "in_reply_to_user_id" in fields
        ):
            replied = self.world.post("x", item.in_reply_to)
            if replied:
                tweet["in_reply_to_user_id"] = replied.account_id
        metrics = self._metrics(item)
        if "public_metrics" in fields:
            tweet["public_metrics"] = {
                "retweet_count": metrics["retweets"],
                "repost_count": metrics["retweets"],
                "reply_count": metrics["comments"],
                "like_count": metrics["likes"],
                "quote_count": metrics["quotes"],
                "bookmark_count": metrics["saves"],
                "impression_count": metrics["impressions"],
            }
        private = sorted(fields & {"non_public_metrics", "organic_metrics"})
        if not private:
            return tweet, []
        owner = viewer.user is not None and viewer.user.id == author.id
        recent = self.world.now() - item.created_at <= PRIVATE_METRICS_MAX_AGE
        if not (owner and recent):
            return None, [
                {
                    "resource_id": item.id,
                    "parameter": "tweet.fields",
                    "resource_type": "tweet",
                    "section": "data",
                    "field": field,
                    "title": "Field Authorization Error",
                    "value": field,
                    "detail": f"Sorry, you are not authorized to access '{field}' on a Tweet.",
                    "type": f"{PROBLEMS}/not-authorized-for-field",
                }
                for field in private
            ]
        private_counts = {
            "impression_count": metrics["impressions"],
            "url_link_clicks": metrics["link_clicks"],
            "user_profile_clicks": metrics["profile_clicks"],
        }
        if "non_public_metrics" in fields:
            tweet["non_public_metrics"] = private_counts
        if "organic_metrics" in fields:
            tweet["organic_metrics"] = {
                **private_counts,
                "like_count": metrics["likes"],
                "reply_count": metrics["comments"],
                "retweet_count": metrics["retweets"],
            }
        return tweet, []

    def _metrics(self, item: SandboxPost | SandboxMention) -> dict[str, int]:
        if isinstance(item, SandboxMention):
            values = {"likes": item.likes, "impressions": item.likes * 40 + 25}
        else:
            values = item.metrics_at(self.world.now())
        shares = values.get("shares", 0)
        retweets = shares - shares // 4  # a quarter of the shares are quotes
        return {
            "impressions": values.get("impressions", 0),
            "likes": values.get("likes", 0),
            "comments": values.get("comments", 0),
            "retweets": retweets,
            "quotes": shares - retweets,
            "saves": values.get("saves", 0),
            "link_clicks": values.get("link_clicks", 0),
            "profile_clicks": values.get("impressions", 0) // 200,
        }

    def _items(self) -> list[SandboxPost | SandboxMention]:
        """Every tweet of the world published by now, newest first."""
        now = self.world.now()
        items: list[SandboxPost | SandboxMention] = [
            p for (n, _), p in self.world.posts.items() if n == "x" and p.created_at <= now
        ]
        items += [m for m in self.world.network_mentions("x") if m.created_at <= now]
        return sorted(items, key=lambda i: (i.created_at, _numeric(i.id)), reverse=True)

    def _find(self, tweet_id: str) -> SandboxPost | SandboxMention | None:
        post = self.world.post("x", tweet_id)
        if post:
            return post
        return next((m for m in self.world.network_mentions("x") if m.id == tweet_id), None)

    def _page(
        self,
        request: Request,
        items: list[SandboxPost | SandboxMention],
        viewer: Viewer,
        *,
        token_param: str,
        default_size: int,
        min_size: int,
    ) -> dict[str, Any]:
        size = _int_arg(request, "max_results", default_size, min_size, 100)
        token = request.arg(token_param)
        offset = _decode_token(token, token_param) if token else 0
        chunk = items[offset : offset + size]
        body: dict[str, Any] = {}
        data, errors = self._render(chunk, _tweet_fields(request), viewer)
        if data:
            body["data"] = data
        includes = self._includes(request, chunk)
        if includes:
            body["includes"] = includes
        if errors:
            body["errors"] = errors
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta["newest_id"] = data[0]["id"]
            meta["oldest_id"] = data[-1]["id"]
        if offset + size < len(items):
            meta["next_token"] = _encode_token(offset + size)
        body["meta"] = meta
        return body

    def _includes(
        self, request: Request, items: list[SandboxPost | SandboxMention]
    ) -> dict[str, Any]:
        """``includes`` for the expansions asked: authors, attached media."""
        expansions = _fields(request, "expansions")
        includes: dict[str, Any] = {}
        if "author_id" in expansions and items:
            user_fields = _fields(request, "user.fields")
            authors = {self._author(i).id: self._author(i) for i in items}
            includes["users"] = [self._user_json(a, user_fields) for a in authors.values()]
        if "attachments.media_keys" in expansions:
            wanted = _fields(request, "media.fields") | {"media_key", "type"}
            media = [
                {name: value for name, value in stored.items() if name in wanted}
                for item in items
                for stored in _media_of(item)
            ]
            if media:
                includes["media"] = media
        return includes

    def _render(
        self, items: list[SandboxPost | SandboxMention], fields: set[str], viewer: Viewer
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        data, errors = [], []
        for item in items:
            tweet, refused = self._tweet_json(item, fields, viewer)
            if tweet:
                data.append(tweet)
            errors += refused
        return data, errors

    def _time_range(
        self, request: Request, oldest: datetime | None = None
    ) -> tuple[datetime, datetime]:
        now = self.world.now()
        try:
            start = _parse_time(request.arg("start_time")) if request.arg("start_time") else oldest
            end = _parse_time(request.arg("end_time")) if request.arg("end_time") else now
        except ValueError as exc:
            raise invalid_request(f"Invalid time: {exc}") from None
        if oldest and start and start < oldest:
            raise invalid_request(
                f"Invalid 'start_time':'{request.arg('start_time')}'. "
                f"'start_time' must be on or after {x_time(oldest)}",
                "start_time",
            )
        return start or datetime.min.replace(tzinfo=UTC), min(end, now)

    # -- users -----------------------------------------------------------------------------------
    @route("GET", r"/2/users/me")
    def users_me(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            assert viewer.user is not None  # app-only callers are refused by the limits table
            return {"data": self._user_json(viewer.user, _fields(request, "user.fields"))}

        return self._serve(request, handle)

    @route("GET", r"/2/users/(?P<id>\d+)")
    def user_by_id(self, request: Request) -> Response:
        return self._serve(request, lambda r, v: self._single_user(r, r.params["id"], "id"))

    @route("GET", r"/2/users/by/username/(?P<username>\w{1,15})")
    def user_by_username(self, request: Request) -> Response:
        return self._serve(
            request, lambda r, v: self._single_user(r, r.params["username"], "username")
        )

    def _single_user(self, request: Request, wanted: str, parameter: str) -> dict[str, Any]:
        account = self._lookup_account(wanted, parameter)
        if account:
            return {"data": self._user_json(account, _fields(request, "user.fields"))}
        return {"errors": [_user_not_found(wanted, parameter)]}

    def _lookup_account(self, wanted: str, parameter: str) -> SandboxAccount | None:
        if parameter == "id":
            return self.world.accounts.get(("x", wanted))
        account = self.world.account("x", wanted)
        return account if account and account.handle.casefold() == wanted.casefold() else None

    @route("GET", r"/2/users")
    def users_by_ids(self, request: Request) -> Response:
        return self._serve(request, lambda r, v: self._many_users(r, "ids", "id"))

    @route("GET", r"/2/users/by")
    def users_by_usernames(self, request: Request) -> Response:
        return self._serve(request, lambda r, v: self._many_users(r, "usernames", "username"))

    def _many_users(self, request: Request, parameter: str, kind: str) -> dict[str, Any]:
        wanted = _list_arg(request, parameter)
        fields = _fields(request, "user.fields")
        data, errors = [], []
        for value in wanted:
            account = self._lookup_account(value, kind)
            if account:
                data.append(self._user_json(account, fields))
            else:
                errors.append(_user_not_found(value, parameter))
        body: dict[str, Any] = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return body

    # -- tweets ----------------------------------------------------------------------------------
    @route("GET", r"/2/tweets")
    def tweets_by_ids(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            wanted = _list_arg(request, "ids")
            fields = _tweet_fields(request)
            data, errors, found = [], [], []
            for tweet_id in wanted:
                item = self._find(tweet_id)
                if item is None or item.created_at > self.world.now():
                    errors.append(
                        {
                            "value": tweet_id,
                            "detail": f"Could not find tweet with ids: [{tweet_id}].",
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "ids",
                            "resource_id": tweet_id,
                            "type": f"{PROBLEMS}/resource-not-found",
                        }
                    )
                    continue
                rendered, refused = self._render([item], fields, viewer)
                data += rendered
                errors += refused
                found.append(item)
            body: dict[str, Any] = {"data": data} if data else {}
            includes = self._includes(request, found)
            if includes:
                body["includes"] = includes
            if errors:
                body["errors"] = errors
            return body

        return self._serve(request, handle)

    @route("GET", r"/2/users/(?P<id>\d+)/tweets")
    def user_tweets(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            account = self.world.accounts.get(("x", request.params["id"]))
            if account is None:
                return {"errors": [_user_not_found(request.params["id"], "id")]}
            if account.protected:
                return {"errors": [_protected_timeline(account)]}
            start, end = self._time_range(request)
            items = self.world.account_posts("x", account.id, since=start, until=end)
            # Newest first already; X breaks ties by id, so sort only when two share an instant
            # (a sort with that key on every page made paging a window quadratic).
            if any(a.created_at == b.created_at for a, b in itertools.pairwise(items)):
                items.sort(key=lambda i: (i.created_at, _numeric(i.id)), reverse=True)
            return self._page(
                request, items, viewer, token_param="pagination_token", default_size=10, min_size=5
            )

        return self._serve(request, handle)

    @route("GET", r"/2/tweets/search/recent")
    def search_recent(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            raw = request.arg("query")
            if not raw:
                raise invalid_request("The `query` query parameter can not be empty", "query")
            if len(raw) > 512:
                raise invalid_request(
                    "The `query` query parameter value is too long (max 512)", "query"
                )
            matcher = parse_query(raw)
            start, end = self._time_range(request, oldest=self.world.now() - SEARCH_WINDOW)
            items = [
                i
                for i in self._items()
                if start <= i.created_at <= end and matcher(self._searchable(i))
            ]
            return self._page(
                request, items, viewer, token_param="next_token", default_size=10, min_size=10
            )

        return self._serve(request, handle)

    def _searchable(self, item: SandboxPost | SandboxMention) -> dict[str, str]:
        return {
            "text": item.text.casefold(),
            "from": self._author(item).handle.casefold(),
            "lang": _lang(item).casefold(),
            "conversation_id": _conversation(item),
            "is_reply": "1" if _conversation(item) != item.id else "",
        }

    @route("POST", r"/2/tweets")
    def create_tweet(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> Response:
            assert viewer.user is not None  # app-only callers are refused by the limits table
            payload = request.json()
            if not isinstance(payload, dict):
                raise invalid_request("The request body is not a JSON object")
            text = payload.get("text") or ""
            attached = self._attached_media(payload.get("media"), viewer.user)
            if not text and not attached:
                raise invalid_request("text: the Tweet text can not be empty", "text")
            if len(URL.sub("x" * 23, text)) > 280:
                raise XRequestError(
                    403,
                    "Forbidden",
                    "You are not permitted to perform this action. (Tweet text is too long.)",
                )
            now = self.world.now()
            for earlier in self.world.account_posts("x", viewer.user.id) if text else []:
                if now - earlier.created_at > DUPLICATE_WINDOW:
                    break
                if earlier.extra.get("source_text") == text:
                    raise XRequestError(
                        403,
                        "Forbidden",
                        "You are not allowed to create a Tweet with duplicate content.",
                        code=187,
                    )
            post_id = self.world.new_id()
            links = URL.findall(text)
            urls = [
                {"url": tco(link, post_id), "expanded_url": link, "display_url": _display(link)}
                for link in links
            ]
            shortened = URL.sub(lambda m: tco(m.group(0), post_id), text)
            if attached:
                # X appends a link to the post's media, the last of its ``entities.urls``.
                kind = "photo" if attached[0].kind == "photo" else "video"
                page = f"https://x.com/{viewer.user.handle}/status/{post_id}/{kind}/1"
                media_link = {"url": tco(page, post_id), "expanded_url": page,
                              "display_url": f"pic.x.com/{tco(page, post_id)[13:]}",
                              "media_key": attached[0].media_key}  # fmt: skip
                urls.append(media_link)
                shortened = f"{shortened} {media_link['url']}".lstrip()
            reply = (payload.get("reply") or {}).get("in_reply_to_tweet_id")
            self.world.add_post(
                SandboxPost(
                    network="x",
                    id=post_id,
                    account_id=viewer.user.id,
                    text=shortened,
                    created_at=now,
                    link=links[0] if links else None,
                    media=[upload.media_key for upload in attached],
                    final=_expected_metrics(viewer.user, post_id),
                    extra={
                        "source_text": text,
                        "urls": urls,
                        "lang": "en",
                        **({"in_reply_to": reply} if reply else {}),
                        **(
                            {"media": [self._media_object(u) for u in attached]} if attached else {}
                        ),
                    },
                )
            )
            data = {
                "id": post_id,
                "text": html.escape(shortened, quote=False),
                "edit_history_tweet_ids": [post_id],
            }
            return Response(201, {"data": data})

        return self._serve(request, handle)

    # -- media -----------------------------------------------------------------------------------
    def _attached_media(self, media: Any, user: SandboxAccount) -> list[Upload]:
        """The uploads named by ``media.media_ids`` of a new post, refused as X refuses them."""
        if media is None:
            return []
        ids = media.get("media_ids") if isinstance(media, dict) else None
        if (
            not isinstance(ids, list)
            or not 1 <= len(ids) <= 4
            or not all(isinstance(i, str) and i.isdigit() for i in ids)
        ):
            raise invalid_request(
                "`media.media_ids` must be a list of 1 to 4 media id strings", "media.media_ids"
            )
        uploads = [self._uploads.get(media_id) for media_id in ids]
        invalid = [
            media_id
            for media_id, upload in zip(ids, uploads, strict=True)
            if upload is None
            or upload.owner != user.id
            or not upload.ready
            or self.world.now() - upload.created_at > MEDIA_LIFETIME
        ]
        kinds = [upload.kind for upload in uploads if upload]
        if not invalid and len(kinds) > 1 and set(kinds) != {"photo"}:
            invalid = ids  # a video or a GIF is always alone in a post
        if invalid:
            raise XRequestError(
                400,
                "Invalid Request",
                "One or more parameters to your request was invalid.",
                type=f"{PROBLEMS}/invalid-request",
                errors=[
                    {
                        "parameters": {"media.media_ids": invalid},
                        "message": "Your media IDs are invalid.",
                    }
                ],
            )
        return [upload for upload in uploads if upload]

    def _media_object(self, upload: Upload) -> dict[str, Any]:
        """The media object of a posted upload, with every field the sandbox can fill."""
        media: dict[str, Any] = {"media_key": upload.media_key, "type": upload.kind}
        size = image_size(upload.content or b"") if upload.kind != "video" else None
        if size:
            media["width"], media["height"] = size
        token = base64.b32encode(hashlib.sha256(upload.id.encode()).digest()).decode()[:15]
        if upload.kind == "photo":
            extension = (upload.media_type or "image/jpeg").split("/")[1]
            media["url"] = f"https://pbs.twimg.com/media/{token}.{extension}"
        else:
            media["preview_image_url"] = (
                f"https://pbs.twimg.com/ext_tw_video_thumb/{upload.id}/pu/img/{token}.jpg"
            )
            media["variants"] = [
                {
                    "bit_rate": 832000,
                    "content_type": "video/mp4",
                    "url": f"https://video.twimg.com/ext_tw_video/{upload.id}/pu/vid/{token}.mp4",
                }
            ]
        return media

    def _own_upload(self, viewer: Viewer, media_id: str | None, parameter: str) -> Upload:
        upload = self._uploads.get(media_id or "")
        if upload is None or viewer.user is None or upload.owner != viewer.user.id:
            raise invalid_request(
                f"The `{parameter}` value [{media_id}] is not a valid media id", parameter
            )
        if self.world.now() - upload.created_at > MEDIA_LIFETIME:
            raise invalid_request(f"Media {media_id} has expired", parameter)
        return upload

    def _new_upload(
        self, viewer: Viewer, category: str, media_type: str | None, total_bytes: int
    ) -> Upload:
        assert viewer.user is not None  # app-only callers are refused by the limits table
        limit = MAX_MEDIA_BYTES[CATEGORY_KIND[category]]
        if total_bytes > limit:
            raise invalid_request(
                f"File size exceeds {limit} bytes for media_category {category}", "total_bytes"
            )
        upload = Upload(
            self.world.new_id(), viewer.user.id, category, media_type, total_bytes, self.world.now()
        )
        self._uploads[upload.id] = upload
        return upload

    def _upload_json(self, upload: Upload) -> dict[str, Any]:
        """``data`` of the upload, finalize and status answers."""
        left = MEDIA_LIFETIME - (self.world.now() - upload.created_at)
        data: dict[str, Any] = {
            "id": upload.id,
            "media_key": upload.media_key,
            "expires_after_secs": max(0, int(left.total_seconds())),
        }
        if upload.content is None:
            return data
        data["size"] = len(upload.content)
        if upload.kind == "video":
            data["video"] = {"video_type": upload.media_type or "video/mp4"}
        else:
            image: dict[str, Any] = {"image_type": upload.media_type or "image/gif"}
            size = image_size(upload.content)
            if size:
                image["w"], image["h"] = size
            data["image"] = image
        if upload.state is not None:
            info: dict[str, Any] = {"state": upload.state}
            if upload.state in ("pending", "in_progress"):
                info["check_after_secs"] = self.check_after_secs
            if upload.state != "pending":
                info["progress_percent"] = min(
                    100, 100 * upload.polls // max(1, self.processing_polls)
                )
            data["processing_info"] = info
        return data

    @route("POST", r"/2/media/upload")
    def upload_media(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            form = media_form(request, ONE_SHOT_FIELDS, ONE_SHOT_REQUIRED)
            category = _category(form["media_category"])
            if CATEGORY_KIND[category] != "photo":
                raise invalid_request(
                    f"media_category {category} needs the chunked upload: "
                    "/2/media/upload/initialize, /append, /finalize",
                    "media_category",
                )
            content = form["media"]
            media_type = sniff_image(content)
            if media_type is None:
                raise invalid_request("media type unrecognized.", "media")
            upload = self._new_upload(viewer, category, media_type, len(content))
            upload.content = content
            return {"data": self._upload_json(upload)}

        return self._serve(request, handle)

    @route("POST", r"/2/media/upload/initialize")
    def initialize_upload(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            payload = request.json()
            if not isinstance(payload, dict):
                raise invalid_request("The request body is not a JSON object")
            unknown = sorted(set(payload) - INITIALIZE_FIELDS)
            if unknown:
                raise invalid_request(f"The `{unknown[0]}` field is not allowed", unknown[0])
            media_type = payload.get("media_type")
            if media_type not in MEDIA_TYPES:
                raise invalid_request(
                    f"The `media_type` value [{media_type}] is not a supported media type",
                    "media_type",
                )
            total = payload.get("total_bytes")
            if not isinstance(total, int) or isinstance(total, bool) or total < 1:
                raise invalid_request("`total_bytes` must be a positive integer", "total_bytes")
            default = "tweet_video" if media_type.startswith("video/") else "tweet_image"
            category = _category(payload.get("media_category", default))
            kind = CATEGORY_KIND[category]
            if (kind == "video") != media_type.startswith("video/"):
                raise invalid_request(
                    f"media_type {media_type} does not match media_category {category}",
                    "media_type",
                )
            upload = self._new_upload(viewer, category, media_type, total)
            return {"data": self._upload_json(upload)}

        return self._serve(request, handle)

    @route("POST", r"/2/media/upload/(?P<id>\d{1,19})/append")
    def append_upload(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            upload = self._own_upload(viewer, request.params["id"], "id")
            if upload.content is not None:
                raise invalid_request(f"Media {upload.id} is already finalized", "id")
            form = media_form(request, APPEND_FIELDS, APPEND_FIELDS)
            index = str(form["segment_index"])
            if not index.isdigit() or int(index) > MAX_SEGMENT_INDEX:
                raise invalid_request(
                    f"The `segment_index` value [{index}] is not between 0 and {MAX_SEGMENT_INDEX}",
                    "segment_index",
                )
            if len(form["media"]) > MAX_SEGMENT_BYTES:
                raise invalid_request(
                    f"A segment may hold {MAX_SEGMENT_BYTES} bytes at most", "media"
                )
            upload.segments[int(index)] = form["media"]
            expires = upload.created_at + MEDIA_LIFETIME
            return {"data": {"expires_at": int(expires.timestamp())}}

        return self._serve(request, handle)

    @route("POST", r"/2/media/upload/(?P<id>\d{1,19})/finalize")
    def finalize_upload(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            upload = self._own_upload(viewer, request.params["id"], "id")
            # A finalize repeated after a lost answer gets the state again, not an error.
            if upload.content is None:
                self._finalize(upload)
            return {"data": self._upload_json(upload)}

        return self._serve(request, handle)

    def _finalize(self, upload: Upload) -> None:
        indexes = sorted(upload.segments)
        if indexes != list(range(len(indexes))):
            raise invalid_request(
                f"Segments of media {upload.id} are missing: got indexes {indexes}", "segment_index"
            )
        content = b"".join(upload.segments[i] for i in indexes)
        if len(content) != upload.total_bytes:
            raise invalid_request(
                f"File size mismatch: received {len(content)} bytes, "
                f"total_bytes said {upload.total_bytes}",
                "total_bytes",
            )
        if upload.kind == "photo":
            if sniff_image(content) is None:
                raise invalid_request("media type unrecognized.", "media")
        else:
            upload.state = "pending"
        upload.content = content
        upload.segments.clear()

    @route("GET", r"/2/media/upload")
    def upload_status(self, request: Request) -> Response:
        def handle(request: Request, viewer: Viewer) -> dict[str, Any]:
            command = request.arg("command", "STATUS")
            if command != "STATUS":
                raise invalid_request(
                    f"The `command` value [{command}] is not one of [STATUS]", "command"
                )
            upload = self._own_upload(viewer, request.arg("media_id"), "media_id")
            if upload.content is None:
                raise invalid_request(f"Media {upload.id} is not finalized", "media_id")
            if upload.state in ("pending", "in_progress"):
                upload.polls += 1
                if upload.polls < self.processing_polls:
                    upload.state = "in_progress"
                else:
                    valid = upload.kind != "video" or is_mp4(upload.content)
                    upload.state = "succeeded" if valid else "failed"
            return {"data": self._upload_json(upload)}

        return self._serve(request, handle)


#: What a placeholder of a :data:`LIMITS` path stands for.
_PLACEHOLDERS = {":id": r"\d+", ":username": r"\w{1,15}"}


def _bucket(key: str) -> tuple[str, re.Pattern[str]]:
    method, path = key.split(" ", 1)
    return method, re.compile(re.sub(r":\w+", lambda m: _PLACEHOLDERS[m.group()], path))


_BUCKETS = {key: _bucket(key) for key in LIMITS}


def _endpoint(request: Request) -> str:
    """The :data:`LIMITS` entry (X's rate-limit bucket) that a request counts against.

    Derived from the table, not from the adapter's ``endpoint_name``: the emulator's limits
    must not change when the adapter changes how it names endpoints in its call counts.
    """
    for key, (method, path) in _BUCKETS.items():
        if method == request.method and path.fullmatch(request.path):
            return key
    return f"{request.method} {request.path}"


def _tweet_fields(request: Request) -> set[str]:
    """``tweet.fields``, plus the fields the asked expansions are built from."""
    fields = _fields(request, "tweet.fields")
    expansions = _fields(request, "expansions")
    if "author_id" in expansions:
        fields.add("author_id")
    if "attachments.media_keys" in expansions:
        fields.add("attachments")
    return fields


def _display(url: str) -> str:
    """A link as X displays it: without its scheme, cut after 23 characters."""
    bare = re.sub(r"^https?://(www\.)?", "", url)
    return bare if len(bare) <= 23 else bare[:23] + "…"


def _url_entities(item: SandboxPost | SandboxMention) -> list[dict[str, Any]]:
    """``entities.urls`` of a post: each t.co link with where it points, at its place in the
    text (``start``/``end`` in code points); a link not shortened points to itself."""
    known = (
        {u["url"]: u for u in item.extra.get("urls", [])} if isinstance(item, SandboxPost) else {}
    )
    return [
        {
            "start": found.start(),
            "end": found.end(),
            **known.get(found.group(0), {"url": found.group(0), "expanded_url": found.group(0),
                                          "display_url": _display(found.group(0))}),
        }
        for found in URL.finditer(item.text)
    ]  # fmt: skip


def _media_of(item: SandboxPost | SandboxMention) -> list[dict[str, Any]]:
    """The media objects attached to a post, as ``includes.media`` shows them in full."""
    return item.extra.get("media", []) if isinstance(item, SandboxPost) else []


def _lang(item: SandboxPost | SandboxMention) -> str:
    if isinstance(item, SandboxMention):
        return item.lang or "und"
    return item.extra.get("lang", "en")


def _conversation(item: SandboxPost | SandboxMention) -> str:
    """The id of the thread's first post: the own post a comment answers, else the post itself."""
    if isinstance(item, SandboxMention):
        return item.in_reply_to or item.id
    return item.extra.get("in_reply_to") or item.id


def _numeric(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _list_arg(request: Request, name: str) -> list[str]:
    values = [v for v in (request.arg(name) or "").split(",") if v]
    if not values:
        raise invalid_request(f"The `{name}` query parameter can not be empty", name)
    if len(values) > MAX_LOOKUP_IDS:
        raise invalid_request(
            f"The number of values in the `{name}` query parameter list [{len(values)}] "
            "is not between 1 and 100",
            name,
        )
    return values


def _user_not_found(value: str, parameter: str) -> dict[str, Any]:
    what = "id" if parameter in ("id", "ids") else "username"
    return {
        "value": value,
        "detail": f"Could not find user with {what}s: [{value}].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": f"{PROBLEMS}/resource-not-found",
    }


def _encode_token(offset: int) -> str:
    return base64.b32encode(f"page:{offset}".encode()).decode().rstrip("=").lower()


def _decode_token(token: str, parameter: str) -> int:
    try:
        padded = token.upper() + "=" * (-len(token) % 8)
        kind, _, offset = base64.b32decode(padded).decode().partition(":")
        if kind == "page" and offset.isdigit():
            return int(offset)
    except ValueError:
        pass
    raise invalid_request(
        f"The `{parameter}` query parameter value [{token}] is not valid", parameter
    )


def _expected_metrics(account: SandboxAccount, post_id: str) -> dict[str, int]:
    """Where a new post's counters will settle: reach from followers, engagement from the
    account."""
    spread = 0.7 + int(hashlib.sha256(post_id.encode()).hexdigest()[:4], 16) / 0xFFFF * 0.6
    impressions = int(max(account.followers, 50) * 0.4 * spread)
    interactions = impressions * account.engagement_rate
    return {
        "impressions": impressions,
        "likes": int(interactions * 0.6),
        "comments": int(interactions * 0.1),
        "shares": int(interactions * 0.15),
        "saves": int(interactions * 0.05),
        "link_clicks": int(interactions * 0.3),
    }


# -- search query language (the subset the project uses) ------------------------------------
_TOKEN = re.compile(r'\s*(-?"[^"]*"|\(|\)|[^\s()]+)')
Matcher = Callable[[dict[str, str]], bool]


def parse_query(query: str) -> Matcher:
    """A predicate for X's search operators: words, "phrases", @handle, #tag, OR, -negation,
    parentheses, ``from:``, ``lang:``, ``conversation_id:``, ``is:reply``, ``is:retweet``."""
    tokens = _TOKEN.findall(query)
    matcher, rest = _parse_or(tokens)
    if rest:
        raise invalid_request(
            f"There were errors processing your request: unexpected '{rest[0]}'", "query"
        )
    return matcher


def _parse_or(tokens: list[str]) -> tuple[Matcher, list[str]]:
    options = []
    while True:
        matcher, tokens = _parse_and(tokens)
        options.append(matcher)
        if tokens and tokens[0] == "OR":
            tokens = tokens[1:]
            continue
        return (lambda item: any(m(item) for m in options)), tokens


def _parse_and(tokens: list[str]) -> tuple[Matcher, list[str]]:
    terms: list[Matcher] = []
    while tokens and tokens[0] not in ("OR", ")"):
        token, tokens = tokens[0], tokens[1:]
        negate = token.startswith("-") and len(token) > 1
        if negate:
            token = token[1:]
        if token == "(":
            matcher, tokens = _parse_or(tokens)
            if not tokens or tokens[0] != ")":
                raise invalid_request(
                    "There were errors processing your request: missing ')'", "query"
                )
            tokens = tokens[1:]
        else:
            matcher = _term(token)
        terms.append((lambda item, m=matcher: not m(item)) if negate else matcher)
    if not terms:
        raise invalid_request(
            "There were errors processing your request: empty query clause", "query"
        )
    return (lambda item: all(t(item) for t in terms)), tokens


def _term(token: str) -> Matcher:
    token = token.casefold()
    operator, _, value = token.partition(":")
    if token.startswith('"'):
        phrase = token.strip('"')
        return lambda item: phrase in item["text"]
    if value and operator in ("from", "lang", "conversation_id"):
        return lambda item: item[operator] == value.lstrip("@")
    if operator == "is" and value == "reply":
        return lambda item: bool(item["is_reply"])
    if operator in ("is", "has"):
        return lambda item: False  # the sandbox has no retweets, quotes, media or verified flags
    pattern = re.compile(r"(?<![\w@#])" + re.escape(token) + r"(?!\w)")
    return lambda item: bool(pattern.search(item["text"]))
