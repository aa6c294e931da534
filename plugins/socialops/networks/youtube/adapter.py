"""YouTube through google-api-python-client: Data API v3 and Analytics API v2.

Connection: the extras of :class:`YouTubeExtras`: ``client_id``, ``client_secret``,
``refresh_token`` (OAuth user credentials with the scopes in :data:`SCOPES`), optional
``token`` and ``token_uri``; or only ``password`` as an API key, enough for public reads
(``post_metrics``, ``profiles``, ``comments``, ``recent_posts``). ``host`` overrides the API
endpoint (the sandbox). Extra ``upload_chunksize`` (bytes, default 8 MiB) sizes upload chunks.

Quota (10,000 units a day, reset at midnight Pacific time): every ``*.list`` call costs 1 unit,
an upload 1,600. Mention search (``search.list``, 100 units a call) is deliberately not offered.

``Draft.options`` for :meth:`YouTubeAdapter.publish`: ``privacy_status`` (public, unlisted,
private; default public), ``category_id`` (default "22", People & Blogs), ``tags`` (list),
``made_for_kids`` (bool, default False), ``notify_subscribers`` (bool, default True).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import Resource
from googleapiclient.http import HttpRequest, MediaFileUpload

from socialops.networks import records
from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import InvalidRequest
from socialops.networks.idempotency import PostContent
from socialops.networks.paging import YOUTUBE_PAGE_TOKEN, Cursor, batched, newest_first, unique
from socialops.networks.transport.google import (
    GoogleApi,
    GoogleExtras,
    build_service,
    execute,
    google_credentials,
)

SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/yt-analytics.readonly",
)
#: ``videos.list`` and ``channels.list`` accept at most 50 ids per call.
MAX_IDS_PER_CALL = 50
MAX_PAGE_SIZE = 50
MAX_COMMENT_PAGE_SIZE = 100
DEFAULT_CHUNKSIZE = 8 * 1024 * 1024  # a multiple of 256 KiB, as the upload protocol requires
PRIVACY_STATUSES = ("public", "unlisted", "private")
_CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")


@dataclass(frozen=True)
class YouTubeExtras(GoogleExtras):
    """The extras of a YouTube connection (docs/networks/youtube.md): the Google OAuth ones,
    ``timeout``, the retry policy, and the size of upload chunks."""

    #: Bytes per chunk of a resumable upload, a multiple of 256 KiB.
    upload_chunksize: int = DEFAULT_CHUNKSIZE


def video_url(video_id: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _count(value: Any) -> int | None:
    """YouTube sends counts as strings and omits the hidden ones."""
    return int(value) if value is not None else None


def _subscribers(statistics: dict[str, Any]) -> int | None:
    """A channel may hide its subscriber count: then it is unknown, not 0."""
    if statistics.get("hiddenSubscriberCount"):
        return None
    return _count(statistics.get("subscriberCount"))


def _comment_time(thread: dict) -> datetime:
    return parse_time(thread["snippet"]["topLevelComment"]["snippet"]["publishedAt"])


def _channel_key(account: str) -> str:
    """A channel id as is, a handle without its ``@`` and case (handles are case-insensitive)."""
    return account if _CHANNEL_ID.fullmatch(account) else account.lstrip("@").casefold()


class YouTubeAdapter(NetworkAdapter):
    network = "youtube"
    extras_type = YouTubeExtras
    extras: YouTubeExtras
    renew = "the YouTube OAuth refresh token"

    def setup(self) -> None:
        self._api = GoogleApi(self.network, self.settings.conn_id, self.renew)
        self._uploads_playlists: dict[str, str] = {}

    # -- clients -------------------------------------------------------------------------
    @cached_property
    def _credentials(self) -> Credentials | None:
        # One credentials object for both services: one token refresh, not one per API.
        return google_credentials(self.settings, SCOPES, extras=self.extras)

    def _service(self, api: str, version: str) -> Resource:
        return build_service(
            self.settings, api, version, credentials=self._credentials, extras=self.extras
        )

    @cached_property
    def data_api(self) -> Resource:
        return self._service("youtube", "v3")

    @cached_property
    def analytics_api(self) -> Resource:
        return self._service("youtubeAnalytics", "v2")

    def _execute(self, request: HttpRequest, endpoint: str) -> dict[str, Any]:
        return execute(
            self,
            request,
            endpoint,
            self.extras.retry,
            api=self._api,
            sleep=self.sleep,
            now=self.now,
        )

    def _pages(
        self, make_request: Callable[[Cursor | None], HttpRequest], endpoint: str
    ) -> Iterator[dict]:
        """Items of every page, following ``nextPageToken`` lazily (callers may stop early)."""
        return self.listing(
            lambda token: self._execute(make_request(token), endpoint),
            YOUTUBE_PAGE_TOKEN,
            endpoint=endpoint,
        )

    # -- protocol ------------------------------------------------------------------------
    def check(self) -> records.Profile:
        request = self.data_api.channels().list(part="snippet,statistics", mine=True)
        return self._profile(
            self._one_channel(
                request,
                f"the account of connection '{self.settings.conn_id}' has no YouTube channel",
                hint="create the channel, or authorize the Google account that owns it",
            )
        )

    def _one_channel(self, request: HttpRequest, missing: str, *, hint: str) -> dict:
        """The channel a ``channels.list`` asks for; ``missing`` says why there is none."""
        items = self._execute(request, "channels.list").get("items", [])
        if not items:
            raise InvalidRequest(self.network, missing, hint=hint)
        return items[0]

    def publish(self, draft: records.Draft, idempotency_key: str) -> records.Receipt:
        body = self._video_body(draft)
        media = MediaFileUpload(
            self._video_file(draft),
            chunksize=self.extras.upload_chunksize,
            resumable=True,
        )
        request = self.data_api.videos().insert(
            part="snippet,status",
            body=body,
            media_body=media,
            notifySubscribers=bool(draft.options.get("notify_subscribers", True)),
        )
        video = self._execute(request, "videos.insert")
        published = video.get("snippet", {}).get("publishedAt")
        return records.Receipt(
            network=self.network,
            external_id=video["id"],
            url=video_url(video["id"]),
            published_at=parse_time(published) if published else self.now(),
        )

    def _video_file(self, draft: records.Draft) -> str:
        where = f"YouTube draft for {draft.account}"
        if not draft.media:
            raise InvalidRequest(
                self.network,
                f"{where} has no video file",
                hint="set the entry's media to a local video path",
            )
        path = draft.media[0]
        if "://" in path:
            raise InvalidRequest(
                self.network,
                f"{where}: {path} is a URL; YouTube uploads need a local file",
                hint="download the video to the worker first",
            )
        if not Path(path).is_file():
            raise InvalidRequest(self.network, f"{where}: video file {path} not found")
        return path

    def _video_body(self, draft: records.Draft) -> dict[str, Any]:
        where = f"YouTube draft for {draft.account}"
        if not (draft.title or "").strip():
            raise InvalidRequest(
                self.network, f"{where} has no title", hint="YouTube requires a video title"
            )
        privacy = draft.options.get("privacy_status", "public")
        if privacy not in PRIVACY_STATUSES:
            raise InvalidRequest(
                self.network,
                f"{where}: privacy_status {privacy!r} is not one of {', '.join(PRIVACY_STATUSES)}",
            )
        description = self.published_text(draft)
        snippet: dict[str, Any] = {
            "title": draft.title.strip(),
            "description": description,
            "categoryId": str(draft.options.get("category_id", "22")),
        }
        if draft.options.get("tags"):
            snippet["tags"] = list(draft.options["tags"])
        return {
            "snippet": snippet,
            "status": {
                "privacyStatus": privacy,
                "selfDeclaredMadeForKids": bool(draft.options.get("made_for_kids", False)),
            },
        }

    def published_contents(
        self, account: str, since: datetime
    ) -> Iterator[tuple[records.Receipt, PostContent]]:
        """The channel's uploads: the title, the description (the draft's text and link),
        one video each."""
        for item, uploaded in self._uploads_since(account, since):
            snippet = item["snippet"]
            video_id = item["contentDetails"]["videoId"]
            yield (
                records.Receipt(self.network, video_id, video_url(video_id), uploaded),
                PostContent.of(
                    snippet.get("description", ""),
                    media=("video",),
                    title=snippet.get("title", ""),
                ),
            )

    def recent_posts(
        self, account: str, since: datetime, *, metrics: bool = False
    ) -> list[records.Post]:
        """The uploads playlist since ``since``; ``metrics`` is ignored: playlistItems carry no
        statistics, which videos.list reads 50 ids at a time (:meth:`post_metrics`)."""
        posts = []
        for item, uploaded in self._uploads_since(account, since):
            snippet = item["snippet"]
            video_id = item["contentDetails"]["videoId"]
            posts.append(
                records.Post(
                    network=self.network,
                    account_id=snippet.get("channelId", ""),
                    post_id=video_id,
                    created_at=uploaded,
                    text=f"{snippet.get('title', '')}\n\n{snippet.get('description', '')}".strip(),
                    url=video_url(video_id),
                    kind="video",
                )
            )
        return posts

    def _uploads_since(self, account: str, since: datetime) -> Iterator[tuple[dict, datetime]]:
        """(item, upload time) of the account's uploads playlist, newest first (no pinned
        video comes first), down to ``since``."""
        playlist = self._uploads_playlist(account)

        def page(token: str | None) -> HttpRequest:
            return self.data_api.playlistItems().list(
                part="snippet,contentDetails",
                playlistId=playlist,
                maxResults=MAX_PAGE_SIZE,
                pageToken=token,
            )

        return newest_first(self._pages(page, "playlistItems.list"), since, self._upload_time)

    @staticmethod
    def _upload_time(item: dict) -> datetime:
        return parse_time(
            item["contentDetails"].get("videoPublishedAt") or item["snippet"]["publishedAt"]
        )

    def _uploads_playlist(self, account: str) -> str:
        key = _channel_key(account)
        if key not in self._uploads_playlists:
            channel = self._channel(account, "contentDetails")
            self._uploads_playlists[key] = channel["contentDetails"]["relatedPlaylists"]["uploads"]
        return self._uploads_playlists[key]

    def _channel(self, account: str, part: str) -> dict:
        """One channel by id (``UC…``) or handle (``@name`` or ``name``).

        A ``contentDetails`` part also remembers the channel's uploads playlist, under the
        account as asked and under the channel id: the id never changes, so the listing that
        follows the account metrics of a nightly run needs no second ``channels.list``.
        """
        channels = self.data_api.channels()
        if _CHANNEL_ID.fullmatch(account):
            request = channels.list(part=part, id=account)
        else:
            request = channels.list(part=part, forHandle="@" + account.lstrip("@"))
        channel = self._one_channel(
            request,
            f"no YouTube channel {account!r}",
            hint="check the account handle or channel id",
        )
        uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
        if uploads:
            self._uploads_playlists[_channel_key(account)] = uploads
            self._uploads_playlists[channel["id"]] = uploads
        return channel

    def account_metrics(self, account: str, day: date) -> records.AccountMetrics:
        """Subscribers at the end of ``day`` and the channel's video count.

        ``channels.list`` only knows today's subscriber count: for a past day we subtract the
        net subscribers gained since (YouTube Analytics), so rerunning a day gives the same row.
        Analytics lag a day or two behind, which this cannot correct.
        """
        # contentDetails costs nothing more and spares recent_posts its own channels.list.
        channel = self._channel(account, "statistics,contentDetails")
        statistics = channel.get("statistics", {})
        followers = _subscribers(statistics)
        today = self.now().date()
        if followers is not None and day < today:
            followers -= self._net_subscribers(channel["id"], day + timedelta(days=1), today)
        return records.AccountMetrics(
            network=self.network,
            account_id=channel["id"],
            day=day,
            followers=followers,
            posts_count=_count(statistics.get("videoCount")),
        )

    def _net_subscribers(self, channel_id: str, start: date, end: date) -> int:
        request = self.analytics_api.reports().query(
            ids=f"channel=={channel_id}",
            startDate=start.isoformat(),
            endDate=end.isoformat(),
            metrics="subscribersGained,subscribersLost",
        )
        report = self._execute(request, "reports.query")
        names = [header["name"] for header in report.get("columnHeaders", [])]
        rows = [dict(zip(names, row, strict=True)) for row in report.get("rows") or []]
        return sum(int(row["subscribersGained"]) - int(row["subscribersLost"]) for row in rows)

    def post_metrics(self, post_ids: Sequence[str]) -> list[records.PostMetrics]:
        metrics = []
        for chunk in batched(unique(post_ids), MAX_IDS_PER_CALL):
            # No maxResults: Google documents it as unsupported together with ``id``.
            request = self.data_api.videos().list(part="statistics", id=",".join(chunk))
            for video in self._execute(request, "videos.list").get("items", []):
                statistics = video.get("statistics", {})
                metrics.append(
                    records.PostMetrics(
                        network=self.network,
                        post_id=video["id"],
                        video_views=_count(statistics.get("viewCount")),
                        likes=_count(statistics.get("likeCount")),
                        comments=_count(statistics.get("commentCount")),
                    )
                )
        return metrics

    def comments(self, post_ids: Sequence[str], since: datetime) -> list[records.Mention]:
        found = []
        for video_id in unique(post_ids):

            def page(token: str | None, video_id: str = video_id) -> HttpRequest:
                return self.data_api.commentThreads().list(
                    part="snippet",
                    videoId=video_id,
                    order="time",
                    textFormat="plainText",
                    maxResults=MAX_COMMENT_PAGE_SIZE,
                    pageToken=token,
                )

            threads = newest_first(  # order=time: newest first, the rest is older
                self._pages(page, "commentThreads.list"), since, _comment_time
            )
            for thread, created_at in threads:
                comment = thread["snippet"]["topLevelComment"]
                snippet = comment["snippet"]
                found.append(
                    records.Mention(
                        network=self.network,
                        mention_id=comment["id"],
                        author_id=snippet.get("authorChannelId", {}).get("value", ""),
                        author_handle=snippet.get("authorDisplayName"),
                        text=snippet.get("textOriginal") or snippet.get("textDisplay", ""),
                        created_at=created_at,
                        url=f"{video_url(video_id)}&lc={comment['id']}",
                        in_reply_to=video_id,
                        kind="comment",
                        likes=snippet.get("likeCount"),
                    )
                )
        return found

    def search(self, query: str, since: datetime) -> list[records.Mention]:
        """Videos published since ``since`` that match ``query`` (``search.list``, newest
        first, one page of 50: each call costs 100 of the day's 10,000 quota units, so
        listening spends them within ``listening.youtube_search_per_day``)."""
        request = self.data_api.search().list(
            part="snippet",
            q=query,
            type="video",
            order="date",
            publishedAfter=since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            maxResults=MAX_IDS_PER_CALL,
        )
        found = []
        for item in self._execute(request, "search.list").get("items", []):
            snippet = item.get("snippet", {})
            video_id = (item.get("id") or {}).get("videoId")
            if not video_id or not snippet.get("publishedAt"):
                continue
            found.append(
                records.Mention(
                    network=self.network,
                    mention_id=video_id,
                    author_id=snippet.get("channelId", ""),
                    author_handle=snippet.get("channelTitle"),
                    text=f"{snippet.get('title', '')}\n{snippet.get('description', '')}".strip(),
                    created_at=parse_time(snippet["publishedAt"]),
                    url=video_url(video_id),
                )
            )
        return found

    def profiles(self, ids_or_handles: Sequence[str]) -> list[records.Profile]:
        wanted = unique(ids_or_handles)
        ids = [value for value in wanted if _CHANNEL_ID.fullmatch(value)]
        channels = []
        for chunk in batched(ids, MAX_IDS_PER_CALL):
            request = self.data_api.channels().list(
                part="snippet,statistics", id=",".join(chunk), maxResults=MAX_IDS_PER_CALL
            )
            channels.extend(self._execute(request, "channels.list").get("items", []))
        for handle in (value for value in wanted if not _CHANNEL_ID.fullmatch(value)):
            # forHandle takes a single handle: one call each.
            request = self.data_api.channels().list(
                part="snippet,statistics", forHandle="@" + handle.lstrip("@")
            )
            channels.extend(self._execute(request, "channels.list").get("items", []))
        return [self._profile(channel) for channel in channels]

    def lookup_profiles(self, ids_or_handles: Sequence[str]) -> records.ProfileLookup:
        """``channels.list`` by id, 50 channels per call; a handle costs a call of its own
        (``forHandle`` takes one), so callers pass the ids they already know. The uploads
        playlist comes along, so :meth:`public_posts` needs no ``channels.list`` of its own."""
        wanted = unique(ids_or_handles)
        lookup = records.ProfileLookup()
        ids = [value for value in wanted if _CHANNEL_ID.fullmatch(value)]
        part = "snippet,statistics,contentDetails"
        for chunk in batched(ids, MAX_IDS_PER_CALL):
            request = self.data_api.channels().list(
                part=part, id=",".join(chunk), maxResults=MAX_IDS_PER_CALL
            )
            found = {c["id"]: c for c in self._execute(request, "channels.list").get("items", [])}
            for channel_id in chunk:
                if channel_id in found:
                    lookup.found.append(self._watched(channel_id, found[channel_id]))
                else:
                    lookup.unreadable[channel_id] = "no such channel (deleted or terminated)"
        for handle in (value for value in wanted if not _CHANNEL_ID.fullmatch(value)):
            request = self.data_api.channels().list(part=part, forHandle="@" + handle.lstrip("@"))
            items = self._execute(request, "channels.list").get("items", [])
            if items:
                lookup.found.append(self._watched(handle, items[0]))
            else:
                lookup.unreadable[handle] = "no channel with this handle (renamed or deleted)"
        return lookup

    def _watched(self, asked: str, channel: dict) -> records.Profile:
        uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
        if uploads:
            self._uploads_playlists[_channel_key(asked)] = uploads
            self._uploads_playlists[channel["id"]] = uploads
        return self._profile(channel)

    def public_posts(self, account: str, since: datetime) -> list[records.PublicPost]:
        """The channel's uploads since ``since`` with their public statistics (views, likes,
        comments; YouTube shows no shares), 50 videos per ``videos.list``."""
        posts = self.recent_posts(account, since)
        counters = {m.post_id: m for m in self.post_metrics([p.post_id for p in posts])}
        return [
            records.PublicPost(
                network=self.network,
                account_id=post.account_id,
                post_id=post.post_id,
                created_at=post.created_at,
                text=post.text,
                url=post.url,
                kind=post.kind,
                likes=counters[post.post_id].likes if post.post_id in counters else None,
                comments=counters[post.post_id].comments if post.post_id in counters else None,
                views=counters[post.post_id].video_views if post.post_id in counters else None,
            )
            for post in posts
        ]

    def _profile(self, channel: dict) -> records.Profile:
        snippet = channel.get("snippet", {})
        statistics = channel.get("statistics", {})
        handle = snippet.get("customUrl") or channel["id"]
        return records.Profile(
            network=self.network,
            account_id=channel["id"],
            handle=handle.lstrip("@"),
            name=snippet.get("title"),
            followers=_subscribers(statistics),
            posts_count=_count(statistics.get("videoCount")),
            bio=snippet.get("description"),
            created_at=parse_time(snippet["publishedAt"]) if snippet.get("publishedAt") else None,
            url=f"https://www.youtube.com/{handle}"
            if handle.startswith("@")
            else f"https://www.youtube.com/channel/{channel['id']}",
        )

    def close(self) -> None:
        for name in ("data_api", "analytics_api"):
            service = self.__dict__.pop(name, None)
            if service is not None:
                service.close()
