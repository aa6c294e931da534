"""YouTube Data API v3 and YouTube Analytics API v2, as much as the YouTube adapter uses.

Served under ``/youtube`` at the paths googleapiclient builds when its endpoint is
``http://HOST:PORT/youtube/``: ``/youtube/v3/...`` for the Data API, ``/upload/youtube/v3/videos``
for the resumable upload, ``/v2/reports`` for Analytics, and ``/oauth2/token`` for refreshing
access tokens (the connection's ``token_uri``).

Responses follow the discovery documents' schemas; errors have Google's shape
(``{"error": {"code", "message", "errors": [{"reason", "domain", "message"}], "status"}}``).
Quota is accounted per Google's unit costs (10,000 units a day, reset at midnight Pacific time).
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from socialops.sandbox.google import google_error
from socialops.sandbox.server import Emulator, Refusal, Request, Response, parse_instant, route
from socialops.sandbox.world import SandboxAccount, SandboxMention, SandboxPost, World

NETWORK = "youtube"
PACIFIC = ZoneInfo("America/Los_Angeles")
DAILY_QUOTA = 10_000
#: Unit costs from Google's quota calculator.
LIST_COST = 1
INSERT_COST = 1_600
SEARCH_COST = 100
MAX_IDS = 50
ACCESS_TOKEN_SECONDS = 3_600
SANDBOX_CLIENT = {
    "client_id": "sandbox-client-id.apps.googleusercontent.com",
    "client_secret": "sandbox-client-secret",
    "refresh_token": "sandbox-refresh-token",
}
ANALYTICS_METRICS = {  # Analytics metric → SandboxPost metric summed over the channel's videos
    "views": "video_views",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
}
SUBSCRIBER_METRICS = ("subscribersGained", "subscribersLost")


def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def bad_request(message: str, reason: str = "badRequest") -> Response:
    return google_error(400, reason, message, state="INVALID_ARGUMENT")


def video_id_for(seed: str) -> str:
    """An 11-character id in YouTube's alphabet, stable for a given seed."""
    return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()).decode()[:11]


def uploads_playlist_id(channel_id: str) -> str:
    return "UU" + (channel_id[2:] if channel_id.startswith("UC") else channel_id)


def etag(*parts: Any) -> str:
    return hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()[:27]  # noqa: S324 - not security


@dataclass
class UploadSession:
    upload_id: str
    channel_id: str
    metadata: dict[str, Any]
    parts: list[str]
    total: int | None
    data: bytearray = field(default_factory=bytearray)
    video_id: str | None = None


class YouTubeEmulator(Emulator):
    network = NETWORK
    conn_id = "youtube_default"

    def __init__(self, world: World):
        super().__init__(world)
        self.daily_quota = DAILY_QUOTA
        self.units_used: dict[date, int] = {}
        self.access_tokens: dict[str, tuple[str, datetime]] = {}  # token → (channel id, expiry)
        self.uploads: dict[str, UploadSession] = {}
        self._serial = itertools.count(1)

    @classmethod
    def connection(cls, base_url: str) -> dict[str, Any]:
        root = f"{base_url}/{cls.network}"
        return {
            "conn_type": "youtube",
            "host": root,
            "extra": {**SANDBOX_CLIENT, "token_uri": f"{root}/oauth2/token"},
        }

    # -- faults in Google's shapes ---------------------------------------------------------
    def rate_limited(self, request: Request, reset_at: datetime) -> Response:
        # Google sends no reset header on 429: clients back off on their own.
        return google_error(
            429,
            "rateLimitExceeded",
            "Resource has been exhausted (e.g. check quota).",
            state="RESOURCE_EXHAUSTED",
        )

    def server_error(self, request: Request) -> Response:
        return google_error(500, "backendError", "Internal error encountered.", state="INTERNAL")

    def expired_token(self, request: Request) -> Response:
        if request.path == "/oauth2/token":
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
            )
        return self._unauthenticated()

    def not_found(self, request: Request) -> Response:
        return google_error(
            404,
            "notFound",
            f"no sandbox YouTube endpoint {request.method} {request.path}",
            state="NOT_FOUND",
        )

    @staticmethod
    def _unauthenticated() -> Response:
        response = google_error(
            401,
            "authError",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
            "cookie or other valid authentication credential.",
            state="UNAUTHENTICATED",
        )
        response.body["error"]["errors"][0].update(location="Authorization", locationType="header")
        return response

    # -- auth and quota --------------------------------------------------------------------
    @route("POST", r"/oauth2/token")
    def token(self, request: Request) -> Response:
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return Response(
                400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
            )
        if (
            form.get("client_id") != SANDBOX_CLIENT["client_id"]
            or form.get("client_secret") != SANDBOX_CLIENT["client_secret"]
        ):
            return Response(
                401,
                {"error": "invalid_client", "error_description": "The OAuth client was not found."},
            )
        refresh_token = form.get("refresh_token", "")
        channel = self._owned_channel()
        if (
            refresh_token != SANDBOX_CLIENT["refresh_token"]
            or refresh_token in self.world.revoked_tokens
            or not channel
        ):
            return Response(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
            )
        access_token = f"ya29.sandbox-{next(self._serial)}"
        self.access_tokens[access_token] = (
            channel.id,
            self.world.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS),
        )
        return Response(
            200,
            {
                "access_token": access_token,
                "expires_in": ACCESS_TOKEN_SECONDS - 1,
                "scope": " ".join(form.get("scope", "").split()),
                "token_type": "Bearer",
            },
        )

    def _owned_channel(self) -> SandboxAccount | None:
        """The channel the sandbox's OAuth grant belongs to: the first owned YouTube account."""
        return next(
            (a for a in self.world.accounts.values() if a.network == NETWORK and a.role == "owned"),
            None,
        )

    def _caller(self, request: Request, *, oauth: bool) -> str | None:
        """The authorized channel id, or None for an API key; refused as Google does."""
        token = request.bearer
        if token:
            grant = self.access_tokens.get(token)
            if not grant or grant[1] <= self.world.now():
                raise Refusal(self._unauthenticated())
            return grant[0]
        if request.headers.get("x-goog-api-key") or request.arg("key"):
            if oauth:
                raise Refusal(self._unauthenticated())
            return None
        raise Refusal(
            google_error(
                401,
                "required",
                "Request is missing required authentication credential.",
                state="UNAUTHENTICATED",
            )
        )

    def _spend(self, units: int) -> None:
        day = self.world.now().astimezone(PACIFIC).date()
        used = self.units_used.get(day, 0)
        if used + units > self.daily_quota:
            raise Refusal(
                google_error(
                    403,
                    "quotaExceeded",
                    "The request cannot be completed because you have exceeded your "
                    '<a href="/youtube/v3/getting-started#quota">quota</a>.',
                    domain="youtube.quota",
                )
            )
        self.units_used[day] = used + units

    def _admit(
        self, request: Request, parts: set[str], *, oauth: bool = False, cost: int = LIST_COST
    ) -> tuple[str | None, set[str]]:
        """Authenticate, check ``part`` against the ``parts`` served, then charge the quota.

        Returns the authorized channel id (None for an API key) and the requested parts.
        """
        caller = self._caller(request, oauth=oauth)
        requested = self._parts(request, parts)
        self._spend(cost)
        return caller, requested

    # -- rendering -------------------------------------------------------------------------
    def _channels(self) -> list[SandboxAccount]:
        return [a for a in self.world.accounts.values() if a.network == NETWORK]

    def _videos(self, channel_id: str) -> list[SandboxPost]:
        return self.world.account_posts(NETWORK, channel_id, until=self.world.now())

    def _channel_resource(self, account: SandboxAccount, parts: set[str]) -> dict[str, Any]:
        now = self.world.now()
        resource: dict[str, Any] = {
            "kind": "youtube#channel",
            "etag": etag(account.id, now),
            "id": account.id,
        }
        if "snippet" in parts:
            resource["snippet"] = {
                "title": account.name,
                "description": account.bio,
                "customUrl": "@" + account.handle.lstrip("@").lower(),
                "publishedAt": rfc3339(account.created_at),
                "localized": {"title": account.name, "description": account.bio},
            }
        if "statistics" in parts:
            videos = self._videos(account.id)
            resource["statistics"] = {
                "viewCount": str(sum(v.metrics_at(now).get("video_views", 0) for v in videos)),
                "subscriberCount": str(account.followers_at(now, self.world.epoch)),
                "hiddenSubscriberCount": False,
                "videoCount": str(len(videos)),
            }
        if "contentDetails" in parts:
            resource["contentDetails"] = {
                "relatedPlaylists": {"likes": "", "uploads": uploads_playlist_id(account.id)}
            }
        return resource

    def _video_resource(self, video: SandboxPost, parts: set[str]) -> dict[str, Any]:
        now = self.world.now()
        account = self.world.accounts.get((NETWORK, video.account_id))
        resource: dict[str, Any] = {
            "kind": "youtube#video",
            "etag": etag(video.id, now),
            "id": video.id,
        }
        if "snippet" in parts:
            resource["snippet"] = {
                "publishedAt": rfc3339(video.created_at),
                "channelId": video.account_id,
                "title": video.title or "",
                "description": video.text,
                "channelTitle": account.name if account else "",
                "tags": list(video.extra.get("tags", [])),
                "categoryId": video.extra.get("categoryId", "22"),
                "liveBroadcastContent": "none",
                "localized": {"title": video.title or "", "description": video.text},
            }
            if not resource["snippet"]["tags"]:
                del resource["snippet"]["tags"]
        if "statistics" in parts:
            metrics = video.metrics_at(now)
            resource["statistics"] = {
                "viewCount": str(metrics.get("video_views", 0)),
                "likeCount": str(metrics.get("likes", 0)),
                "favoriteCount": "0",
                "commentCount": str(metrics.get("comments", 0)),
            }
        if "status" in parts:
            resource["status"] = {
                "uploadStatus": "processed",
                "privacyStatus": video.extra.get("privacyStatus", "public"),
                "license": "youtube",
                "embeddable": True,
                "publicStatsViewable": True,
                "madeForKids": bool(video.extra.get("madeForKids", False)),
            }
        return resource

    @staticmethod
    def _parts(request: Request, allowed: set[str]) -> set[str]:
        parts = {p.strip() for p in (request.arg("part") or "").split(",") if p.strip()}
        if not parts:
            raise Refusal(bad_request("Required parameter: part", reason="required"))
        unknown = parts - allowed - {"id"}
        if unknown:
            raise Refusal(bad_request(f"'{sorted(unknown)[0]}'", reason="unknownPart"))
        return parts

    @staticmethod
    def _page(
        request: Request, items: list[Any], *, default_size: int, max_size: int, kind: str
    ) -> Response:
        try:
            size = int(request.arg("maxResults", str(default_size)))
            start = int(request.arg("pageToken"), 36) if request.arg("pageToken") else 0
        except ValueError:
            return bad_request(
                "Invalid value for maxResults or pageToken.", reason="invalidPageToken"
            )
        if not 0 <= size <= max_size:
            return bad_request(
                f"Invalid value '{size}'. Values must be within the range: [0, {max_size}]",
                reason="invalidParameter",
            )
        body: dict[str, Any] = {
            "kind": kind,
            "etag": etag(kind, start, len(items)),
            "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
            "items": items[start : start + size],
        }
        if start + size < len(items):
            body["nextPageToken"] = _base36(start + size)
        if start:
            body["prevPageToken"] = _base36(max(0, start - size))
        return Response(200, body)

    # -- Data API --------------------------------------------------------------------------
    @route("GET", r"/youtube/v3/channels")
    def channels_list(self, request: Request) -> Response:
        mine = request.arg("mine") == "true"
        caller, parts = self._admit(
            request, {"snippet", "statistics", "contentDetails"}, oauth=mine
        )
        filters = [name for name in ("mine", "id", "forHandle", "forUsername") if request.arg(name)]
        if len(filters) != 1:
            return bad_request(
                "Exactly one of mine, id, forHandle, forUsername must be set.",
                reason="incompatibleParameters",
            )
        if mine:
            found = [a for a in self._channels() if a.id == caller]
        elif request.arg("id"):
            wanted = request.arg("id", "").split(",")
            if len(wanted) > MAX_IDS:
                return bad_request(f"At most {MAX_IDS} ids per request.", reason="invalidFilters")
            found = [
                a for wanted_id in wanted if (a := self.world.accounts.get((NETWORK, wanted_id)))
            ]
        else:
            name = request.arg("forHandle") or request.arg("forUsername") or ""
            account = self.world.account(NETWORK, name)
            found = [account] if account else []
        items = [self._channel_resource(a, parts) for a in found]
        return self._page(
            request, items, default_size=5, max_size=MAX_IDS, kind="youtube#channelListResponse"
        )

    @route("GET", r"/youtube/v3/videos")
    def videos_list(self, request: Request) -> Response:
        _, parts = self._admit(request, {"snippet", "statistics", "status"})
        if not request.arg("id"):
            return bad_request(
                "The sandbox serves videos.list by id only.", reason="invalidFilters"
            )
        if request.arg("maxResults") is not None:
            # Google documents maxResults as unsupported with id: a lookup is never paged.
            return bad_request(
                "Incompatible parameters specified in the request: id, maxResults",
                reason="incompatibleParameters",
            )
        wanted = request.arg("id", "").split(",")
        if len(wanted) > MAX_IDS:
            return bad_request(f"At most {MAX_IDS} ids per request.", reason="invalidFilters")
        items = [
            self._video_resource(v, parts)
            for video_id in wanted
            if (v := self.world.post(NETWORK, video_id))
        ]
        kind = "youtube#videoListResponse"
        return Response(
            200,
            {
                "kind": kind,
                "etag": etag(kind, 0, len(items)),
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
                "items": items,
            },
        )

    @route("GET", r"/youtube/v3/playlistItems")
    def playlist_items_list(self, request: Request) -> Response:
        _, parts = self._admit(request, {"snippet", "contentDetails"})
        playlist = request.arg("playlistId") or ""
        account = next((a for a in self._channels() if uploads_playlist_id(a.id) == playlist), None)
        if account is None:
            return google_error(
                404,
                "playlistNotFound",
                "The playlist identified with the request's <code>playlistId</code> parameter "
                "cannot be found.",
                domain="youtube.playlistItem",
                state="NOT_FOUND",
            )
        items = []
        for position, video in enumerate(self._videos(account.id)):
            item: dict[str, Any] = {
                "kind": "youtube#playlistItem",
                "etag": etag(playlist, video.id),
                "id": base64.urlsafe_b64encode(f"{playlist}.{video.id}".encode())
                .decode()
                .rstrip("="),
            }
            if "snippet" in parts:
                item["snippet"] = {
                    "publishedAt": rfc3339(video.created_at),
                    "channelId": account.id,
                    "title": video.title or "",
                    "description": video.text,
                    "channelTitle": account.name,
                    "playlistId": playlist,
                    "position": position,
                    "resourceId": {"kind": "youtube#video", "videoId": video.id},
                    "videoOwnerChannelTitle": account.name,
                    "videoOwnerChannelId": account.id,
                }
            if "contentDetails" in parts:
                item["contentDetails"] = {
                    "videoId": video.id,
                    "videoPublishedAt": rfc3339(video.created_at),
                }
            items.append(item)
        return self._page(
            request, items, default_size=5, max_size=50, kind="youtube#playlistItemListResponse"
        )

    @route("GET", r"/youtube/v3/commentThreads")
    def comment_threads_list(self, request: Request) -> Response:
        self._admit(request, {"snippet", "replies"})
        video_id = request.arg("videoId")
        video = self.world.post(NETWORK, video_id or "")
        if video is None:
            return google_error(
                404,
                "videoNotFound",
                "The video identified by the "
                '<code><a href="/youtube/v3/docs/commentThreads/list#videoId">videoId</a></code>'
                " parameter could not be found.",
                domain="youtube.commentThread",
                state="NOT_FOUND",
            )
        now = self.world.now()
        comments = sorted(
            (
                m
                for m in self.world.network_mentions(NETWORK)
                if m.in_reply_to == video.id and m.created_at <= now
            ),
            key=lambda m: m.created_at,
            reverse=True,
        )
        as_html = request.arg("textFormat", "html") == "html"
        items = [self._comment_thread(m, video, as_html) for m in comments]
        return self._page(
            request, items, default_size=20, max_size=100, kind="youtube#commentThreadListResponse"
        )

    def _comment_thread(
        self, comment: SandboxMention, video: SandboxPost, as_html: bool
    ) -> dict[str, Any]:
        text = html.escape(comment.text) if as_html else comment.text
        author = self.world.accounts.get((NETWORK, comment.author_id))
        snippet = {
            "channelId": video.account_id,
            "videoId": video.id,
            "textDisplay": text,
            "textOriginal": comment.text,
            "authorDisplayName": "@" + (comment.author_handle or comment.author_id).lstrip("@"),
            "authorChannelUrl": f"https://www.youtube.com/channel/{comment.author_id}",
            "authorChannelId": {"value": comment.author_id},
            "canRate": True,
            "viewerRating": "none",
            "likeCount": comment.likes,
            "publishedAt": rfc3339(comment.created_at),
            "updatedAt": rfc3339(comment.created_at),
        }
        if author is None:
            del snippet["authorChannelUrl"]
        return {
            "kind": "youtube#commentThread",
            "etag": etag(comment.id),
            "id": comment.id,
            "snippet": {
                "channelId": video.account_id,
                "videoId": video.id,
                "topLevelComment": {
                    "kind": "youtube#comment",
                    "etag": etag(comment.id, "c"),
                    "id": comment.id,
                    "snippet": snippet,
                },
                "canReply": True,
                "totalReplyCount": 0,
                "isPublic": True,
            },
        }

    # -- keyword search (listening) ------------------------------------------------------
    @route("GET", r"/youtube/v3/search")
    def search_list(self, request: Request) -> Response:
        """``search.list`` of videos: 100 units a call, like Google's; ``q`` matched as
        words in the title and description, ``publishedAfter`` honoured, newest first."""
        self._admit(request, {"snippet"}, cost=SEARCH_COST)
        words = [w for w in (request.arg("q") or "").casefold().split() if w]
        after = request.arg("publishedAfter")
        since = parse_instant(after) if after else None
        now = self.world.now()
        found = []
        for video in (p for (n, _), p in self.world.posts.items() if n == NETWORK):
            text = f"{video.title or ''} {video.text}".casefold()
            fresh = video.created_at <= now and (since is None or video.created_at > since)
            if fresh and all(word in text for word in words):
                found.append(video)
        found.sort(key=lambda v: v.created_at, reverse=True)
        items = []
        for video in found:
            account = self.world.accounts.get((NETWORK, video.account_id))
            items.append(
                {
                    "kind": "youtube#searchResult",
                    "etag": etag(video.id, "s"),
                    "id": {"kind": "youtube#video", "videoId": video.id},
                    "snippet": {
                        "publishedAt": rfc3339(video.created_at),
                        "channelId": video.account_id,
                        "title": video.title or "",
                        "description": video.text[:160],
                        "channelTitle": account.name if account else video.account_id,
                    },
                }
            )
        return self._page(
            request, items, default_size=5, max_size=50, kind="youtube#searchListResponse"
        )

    # -- resumable upload ------------------------------------------------------------------
    @route("POST", r"/upload/youtube/v3/videos")
    def videos_insert_start(self, request: Request) -> Response:
        if request.arg("uploadType") != "resumable":
            return bad_request(
                "The sandbox accepts resumable uploads only (uploadType=resumable).",
                reason="invalidUploadType",
            )
        # The 1,600 units are charged below, once the metadata is known to be acceptable.
        caller, parts = self._admit(request, {"snippet", "status"}, oauth=True, cost=0)
        metadata = request.json()
        if not isinstance(metadata, dict):
            return bad_request("The request body is not valid JSON.", reason="parseError")
        snippet = metadata.get("snippet") or {}
        title = (snippet.get("title") or "").strip()
        if not title or len(title) > 100 or "<" in title or ">" in title:
            return bad_request(
                "The request metadata specifies an invalid or empty video title.",
                reason="invalidTitle",
            )
        if len(snippet.get("description") or "") > 5000:
            return bad_request(
                "The request metadata specifies an invalid video description.",
                reason="invalidDescription",
            )
        privacy = (metadata.get("status") or {}).get("privacyStatus", "public")
        if privacy not in ("public", "unlisted", "private"):
            return bad_request(
                "The request metadata specifies an invalid privacy status.",
                reason="invalidVideoMetadata",
            )
        self._spend(INSERT_COST)
        total = request.headers.get("x-upload-content-length")
        upload_id = video_id_for(f"upload:{next(self._serial)}") + "-" + str(len(self.uploads) + 1)
        self.uploads[upload_id] = UploadSession(
            upload_id, caller or "", metadata, sorted(parts), int(total) if total else None
        )
        host = request.headers.get("host", "127.0.0.1")
        location = f"http://{host}/{NETWORK}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
        return Response(
            200,
            b"",
            {"Location": location, "X-GUploader-UploadID": upload_id},
            content_type="text/plain",
        )

    @route("PUT", r"/upload/youtube/v3/videos")
    def videos_insert_bytes(self, request: Request) -> Response:
        session = self.uploads.get(request.arg("upload_id") or "")
        if session is None:
            return google_error(
                404, "notFound", "No upload session with this upload_id.", state="NOT_FOUND"
            )
        if session.video_id:
            return self._uploaded(session)
        content_range = request.headers.get("content-range", "")
        total = session.total
        if content_range.startswith("bytes */"):  # "how much did you get?" after a failed chunk
            return self._progress(session)
        if content_range.startswith("bytes "):
            span, _, size = content_range[6:].partition("/")
            start = int(span.partition("-")[0])
            total = int(size) if size != "*" else total
        else:
            start, total = 0, len(request.body)
        if start > len(session.data):
            return bad_request(
                f"Chunk starts at {start} but {len(session.data)} bytes were received.",
                reason="invalidContentRange",
            )
        session.data[start:] = request.body
        session.total = total
        if total is not None and len(session.data) >= total:
            return self._complete(session)
        return self._progress(session)

    @staticmethod
    def _progress(session: UploadSession) -> Response:
        headers = {"X-GUploader-UploadID": session.upload_id}
        if session.data:
            headers["Range"] = f"bytes=0-{len(session.data) - 1}"
        return Response(308, b"", headers, content_type="text/plain")

    def _complete(self, session: UploadSession) -> Response:
        snippet = session.metadata.get("snippet") or {}
        status = session.metadata.get("status") or {}
        account = self.world.accounts.get((NETWORK, session.channel_id))
        followers = account.followers if account else 1_000
        views = max(10, followers // 5)
        video = self.world.add_post(
            SandboxPost(
                network=NETWORK,
                id=video_id_for(f"video:{session.upload_id}"),
                account_id=session.channel_id,
                text=snippet.get("description") or "",
                created_at=self.world.now(),
                kind="video",
                title=snippet["title"].strip(),
                media=[f"upload:{session.upload_id}"],
                final={
                    "video_views": views,
                    "likes": views // 25,
                    "comments": views // 200,
                    "shares": views // 400,
                },
                half_life_hours=48.0,
                extra={
                    "privacyStatus": status.get("privacyStatus", "public"),
                    "madeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
                    "categoryId": str(snippet.get("categoryId", "22")),
                    "tags": list(snippet.get("tags") or []),
                    "bytes": len(session.data),
                },
            )
        )
        session.video_id = video.id
        session.data = bytearray()  # the world keeps the video, not its bytes
        return self._uploaded(session)

    def _uploaded(self, session: UploadSession) -> Response:
        video = self.world.post(NETWORK, session.video_id or "")
        resource = self._video_resource(video, set(session.parts) | {"snippet", "status"})
        resource["status"]["uploadStatus"] = "uploaded"
        return Response(200, resource)

    # -- Analytics API ---------------------------------------------------------------------
    @route("GET", r"/v2/reports")
    def reports_query(self, request: Request) -> Response:
        caller = self._caller(request, oauth=True)
        ids = request.arg("ids") or ""
        channel_id = caller if ids == "channel==MINE" else ids.removeprefix("channel==")
        if not ids.startswith("channel==") or channel_id != caller:
            return google_error(403, "forbidden", "Forbidden", state="PERMISSION_DENIED")
        try:
            start = date.fromisoformat(request.arg("startDate") or "")
            end = date.fromisoformat(request.arg("endDate") or "")
        except ValueError:
            return bad_request("startDate and endDate must be YYYY-MM-DD.", reason="invalid")
        metrics = [m for m in (request.arg("metrics") or "").split(",") if m]
        unknown = [m for m in metrics if m not in ANALYTICS_METRICS and m not in SUBSCRIBER_METRICS]
        if not metrics or unknown:
            return bad_request(
                f"Unknown identifier ({(unknown or [''])[0]}) given in field parameters.metrics.",
                reason="invalid",
            )
        dimensions = [d for d in (request.arg("dimensions") or "").split(",") if d]
        if dimensions not in ([], ["day"]):
            return bad_request(
                "The sandbox supports no dimension or dimensions=day.", reason="invalid"
            )
        account = self.world.accounts.get((NETWORK, channel_id))
        today = self.world.now().astimezone(PACIFIC).date()
        days = [start + timedelta(days=n) for n in range((min(end, today) - start).days + 1)]
        daily = [[self._day_metric(account, day, metric) for metric in metrics] for day in days]
        if dimensions:
            rows = [[day.isoformat(), *values] for day, values in zip(days, daily, strict=True)]
        else:
            rows = [[sum(column) for column in zip(*daily, strict=True)]] if daily else []
        headers = (
            [{"name": "day", "columnType": "DIMENSION", "dataType": "STRING"}] if dimensions else []
        )
        headers += [{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]
        return Response(
            200, {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers, "rows": rows}
        )

    def _day_metric(self, account: SandboxAccount | None, day: date, metric: str) -> int:
        if account is None:
            return 0
        start = datetime.combine(day, time.min, PACIFIC)
        end = min(start + timedelta(days=1), self.world.now())
        if end <= start:
            return 0
        if metric in SUBSCRIBER_METRICS:
            net = account.followers_at(end, self.world.epoch) - account.followers_at(
                start, self.world.epoch
            )
            return max(net, 0) if metric == "subscribersGained" else max(-net, 0)
        name = ANALYTICS_METRICS[metric]
        return sum(
            v.metrics_at(end).get(name, 0) - v.metrics_at(start).get(name, 0)
            for v in self.world.account_posts(NETWORK, account.id)
        )


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if not number:
            return text
