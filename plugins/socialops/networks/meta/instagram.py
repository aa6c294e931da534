"""An Instagram professional account through the Meta Graph API (``docs/networks/instagram.md``).

Connection: ``password`` is the token of the Facebook Page linked to the account; the
extras are :class:`~socialops.networks.meta.client.MetaExtras` (``ig_user_id``,
``page_id``, ``media_base_url``, ``container_wait``, ``container_poll_interval``,
``api_version``, ``app_secret``, ``usage_threshold``, ``ad_account_id``, plus ``timeout`` and
the retry extras).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

from socialops.networks import records
from socialops.networks.errors import (
    InvalidRequest,
    NetworkError,
    NotSupported,
    QuotaExceeded,
    TransientError,
)
from socialops.networks.idempotency import PostContent
from socialops.networks.meta import graph
from socialops.networks.meta.ads import AdsReporting
from socialops.networks.meta.client import PUBLISHING_LIMIT_HINT
from socialops.networks.paging import unique

log = logging.getLogger(__name__)


#: What reconciliation reads of the account's media (docs/exactly-once.md).
MATCH_FIELDS = "id,caption,media_type,permalink,timestamp,children{media_type}"
#: ``media_type`` of a post or a carousel child → the draft's media kinds.
MEDIA_KINDS = {"IMAGE": "image", "VIDEO": "video"}


class InstagramAdapter(AdsReporting):
    """An Instagram professional account: image/carousel/reel publishing, insights, tags,
    discovery."""

    network = "instagram"
    time_field = "timestamp"
    text_fields = ("text", "caption")  # comments have a text, tagging media a caption
    link_field = "permalink"
    post_fields = "id,caption,media_type,media_product_type,permalink,timestamp"
    comment_fields = (
        "id,text,timestamp,username,like_count,from{id,username},"
        "replies{id,text,timestamp,username,like_count,from{id,username}}"
    )
    PROFILE_FIELDS = "id,username,name,followers_count,follows_count,media_count,biography,website"
    #: ``impressions`` and ``video_views`` were replaced by ``views`` in 2025.
    MEDIA_METRICS = ("reach", "saved", "shares", "views")
    ACCOUNT_METRICS = ("reach", "views", "profile_views")
    #: A media's counts and insights, expanded in the media edge beside :attr:`post_fields`.
    COUNT_FIELDS = f"like_count,comments_count,insights.metric({','.join(MEDIA_METRICS)})"
    #: What a media's metrics are read with by id (``?ids=``): its kind, counts and insights.
    METRIC_FIELDS = f"media_type,media_product_type,{COUNT_FIELDS}"
    MAX_CAROUSEL_ITEMS = 10
    VIDEO_SUFFIXES = (".mp4", ".mov")

    def setup(self) -> None:
        super().setup()
        self._discovered: dict[str, dict[str, Any] | None] = {}

    @cached_property
    def ig_user_id(self) -> str:
        return str(self.extras.ig_user_id or self.account["id"])

    @cached_property
    def account(self) -> dict[str, Any]:
        """The own profile, counts included, read once per adapter (an adapter lives one task).

        Without extra ``ig_user_id`` it is found through the Page: the same call that names
        the linked account expands its profile fields, so finding the id costs no call of its
        own.
        """
        if self.extras.ig_user_id:
            return self.http.get(
                f"/{self.extras.ig_user_id}",
                params={"fields": self.PROFILE_FIELDS},
                endpoint="GET /{ig-user-id}",
            )
        page_id = self.extras.page_id or "me"
        body = self.http.get(
            f"/{page_id}",
            params={"fields": f"instagram_business_account{{{self.PROFILE_FIELDS}}}"},
            endpoint="GET /{page-id}?fields=instagram_business_account",
        )
        linked = body.get("instagram_business_account")
        if not linked:
            raise InvalidRequest(
                self.network,
                f"the Facebook Page {body.get('id', page_id)} has no linked Instagram "
                "professional account",
                hint="link one in Meta Business Suite or set extra 'ig_user_id' in connection "
                f"'{self.settings.conn_id}'",
            )
        return linked

    def _is_own(self, account: str | None) -> bool:
        if not account or account == self.ig_user_id:
            return True
        return account.lstrip("@").casefold() == str(self.account.get("username", "")).casefold()

    def check(self) -> records.Profile:
        return self._profile(self.account)

    def _profile(self, raw: dict[str, Any]) -> records.Profile:
        return records.Profile(
            network=self.network,
            account_id=str(raw["id"]),
            handle=raw.get("username", str(raw["id"])),
            name=raw.get("name"),
            followers=raw.get("followers_count"),
            following=raw.get("follows_count"),
            posts_count=raw.get("media_count"),
            bio=raw.get("biography"),
            url=f"https://www.instagram.com/{raw['username']}/" if raw.get("username") else None,
        )

    # -- publishing ----------------------------------------------------------------------
    def publishing_quota(self) -> tuple[int, int]:
        """(posts used, posts allowed) in Instagram's rolling 24 hours."""
        body = self.http.get(
            f"/{self.ig_user_id}/content_publishing_limit",
            params={"fields": "quota_usage,config"},
            endpoint="GET /{ig-user-id}/content_publishing_limit",
        )
        entry = (body.get("data") or [{}])[0]
        return int(entry.get("quota_usage", 0)), int(
            entry.get("config", {}).get("quota_total", 100)
        )

    def publish(self, draft: records.Draft, idempotency_key: str) -> records.Receipt:
        """An image, a reel (one ``.mp4``/``.mov``) or a carousel (2-10 items) from public URLs.

        Instagram fetches media itself, so ``draft.media`` holds public http(s) URLs, or local
        files that extra ``media_base_url`` serves (``<media_base_url>/<file name>``); a
        ``draft.link`` is appended to the caption (Instagram captions do not link).
        """
        if not draft.media:
            raise InvalidRequest(
                self.network,
                f"post {idempotency_key}: Instagram posts need at least one image or video",
            )
        urls = [self._public_url(m, idempotency_key) for m in draft.media]
        if len(urls) > self.MAX_CAROUSEL_ITEMS:
            raise InvalidRequest(
                self.network, f"post {idempotency_key}: a carousel holds at most 10 items"
            )
        used, total = self.publishing_quota()
        if used >= total:
            raise QuotaExceeded(
                self.network,
                f"post {idempotency_key}: the account published {used} of its {total} posts "
                "allowed in 24 hours",
                hint=PUBLISHING_LIMIT_HINT,
            )
        caption = self.published_text(draft)
        if len(urls) == 1:
            container = self._create_container(self._media_params(urls[0]) | {"caption": caption})
        else:
            children = [
                self._create_container(self._media_params(url) | {"is_carousel_item": "true"})
                for url in urls
            ]
            container = self._create_container(
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
            )
        self.wait_until_ready(container, idempotency_key)
        media_id = self.http.request(
            "POST",
            f"/{self.ig_user_id}/media_publish",
            endpoint="POST /{ig-user-id}/media_publish",
            data={"creation_id": container},
        ).json()["id"]
        return self._receipt(media_id)

    def _public_url(self, media: str, what: str) -> str:
        """Instagram fetches media itself: a local file must be served under extra
        ``media_base_url``."""
        if media.startswith(("http://", "https://")):
            return media
        base = self.extras.media_base_url
        if not base:
            raise InvalidRequest(
                self.network,
                f"post {what}: Instagram fetches media from public URLs, got the local file "
                f"{media!r}",
                hint="put URLs in the calendar, or publish the media folder and set extra "
                f"'media_base_url' in Airflow connection '{self.settings.conn_id}'",
            )
        return f"{base.rstrip('/')}/{quote(Path(media).name)}"

    def _media_params(self, url: str) -> dict[str, str]:
        if url.lower().split("?")[0].endswith(self.VIDEO_SUFFIXES):
            return {"media_type": "REELS", "video_url": url}
        return {"image_url": url}

    def _create_container(self, params: dict[str, str]) -> str:
        # An unpublished container is invisible and expires in 24 hours: creating it twice
        # after a lost answer is harmless, so this POST may be retried.
        response = self.http.request(
            "POST",
            f"/{self.ig_user_id}/media",
            endpoint="POST /{ig-user-id}/media",
            data=params,
            idempotent=True,
        )
        return str(response.json()["id"])

    def wait_until_ready(self, container_id: str, what: str) -> None:
        """Poll the container's ``status_code`` until FINISHED, for at most ``container_wait``
        seconds."""
        budget = self.extras.container_wait
        interval = max(0.1, self.extras.container_poll_interval)
        waited = 0.0
        while True:
            body = self.http.get(
                f"/{container_id}",
                params={"fields": "status_code,status"},
                endpoint="GET /{container-id}?fields=status_code",
            )
            status = body.get("status_code")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise InvalidRequest(
                    self.network,
                    f"post {what}: media container {container_id} is {status}: "
                    f"{body.get('status') or 'no detail'}",
                    hint="check that the media URLs are public and meet Instagram's format limits",
                )
            if waited >= budget:
                raise TransientError(
                    self.network,
                    f"post {what}: media container {container_id} still {status} after "
                    f"{budget:.0f}s; nothing was published",
                    hint="retry later, or raise extra 'container_wait' for long videos",
                )
            self.http.sleep(interval)
            waited += interval

    def _receipt(self, media_id: str) -> records.Receipt:
        # The post exists now: a failure to read its permalink must not fail the publication.
        try:
            body = self.http.get(
                f"/{media_id}",
                params={"fields": "permalink,timestamp"},
                endpoint="GET /{media-id}?fields=permalink",
            )
        except NetworkError as exc:
            log.warning(
                "published Instagram media %s but could not read its permalink: %s", media_id, exc
            )
            body = {}
        return records.Receipt(
            self.network,
            media_id,
            body.get("permalink")
            or f"https://www.instagram.com/{self.account.get('username', '')}/",
            graph.graph_time(body.get("timestamp")) or self.now(),
        )

    # -- reconciliation ------------------------------------------------------------------
    def published_contents(
        self, account: str, since: datetime
    ) -> Iterator[tuple[records.Receipt, PostContent]]:
        """The account's own media: the caption (text and appended link), and the kinds of
        the media (a carousel's are its children's)."""
        if not self._is_own(account):
            raise self._unsupported("publishing for an account the token does not manage")
        listing = self._since(
            f"/{self.ig_user_id}/media", MATCH_FIELDS, since, "GET /{ig-user-id}/media"
        )
        for raw, created in listing:
            children = (raw.get("children") or {}).get("data") or [raw]
            kinds = [MEDIA_KINDS.get(child.get("media_type", ""), "unknown") for child in children]
            receipt = records.Receipt(
                self.network,
                raw["id"],
                raw.get("permalink")
                or f"https://www.instagram.com/{self.account.get('username', '')}/",
                created,
            )
            yield receipt, PostContent.of(raw.get("caption", ""), media=kinds)

    # -- reading -------------------------------------------------------------------------
    def recent_posts(
        self, account: str, since: datetime, *, metrics: bool = False
    ) -> list[records.Post]:
        """Own media through ``/{ig-user-id}/media``; another account's latest 100 through
        business discovery.

        With ``metrics`` (own media only: business discovery gives no insights) the media
        edge expands the same fields as :meth:`post_metrics`, so no lookup follows.
        """
        own = self._is_own(account)
        metrics = metrics and own
        if own:
            owner = self.ig_user_id
            fields = f"{self.post_fields},{self.COUNT_FIELDS}" if metrics else self.post_fields
            listing = self._since(f"/{owner}/media", fields, since, "GET /{ig-user-id}/media")
        else:
            discovered = self._discover(
                account, f"id,media.limit({graph.PAGE_SIZE}){{{self.post_fields}}}"
            )
            if discovered is None:
                return []
            owner = discovered["id"]
            media: Iterable[dict[str, Any]] = discovered.get("media", {}).get("data", [])
            listing = self._newer_than(media, since)
        return [
            records.Post(
                network=self.network,
                account_id=str(owner),
                post_id=raw["id"],
                created_at=created,
                text=raw.get("caption", ""),
                url=raw.get("permalink"),
                kind=_media_kind(raw),
                metrics=self._metrics(raw["id"], raw) if metrics else None,
            )
            for raw, created in listing
        ]

    def account_metrics(self, account: str, day: date) -> records.AccountMetrics:
        """Reach, views and profile views of ``day``; follower counts are the current ones."""
        if not self._is_own(account):
            raise self._unsupported("insights of an account the token does not manage")
        since, until = graph.day_bounds(day)
        params = {
            "metric": ",".join(self.ACCOUNT_METRICS),
            "period": "day",
            "metric_type": "total_value",
            "since": since,
            "until": until,
        }
        values = graph.insights_by_name(
            self.http.get(
                f"/{self.ig_user_id}/insights", params=params, endpoint="GET /{ig-user-id}/insights"
            )
        )
        # The profile (cached for the adapter's one task) carries the counts: resolving the
        # handle already read it, a second GET for the same fields would be a repeated call.
        profile = self.account
        return records.AccountMetrics(
            network=self.network,
            account_id=self.ig_user_id,
            day=day,
            followers=profile.get("followers_count"),
            following=profile.get("follows_count"),
            posts_count=profile.get("media_count"),
            impressions=values.get("views"),
            reach=values.get("reach"),
            profile_views=values.get("profile_views"),
        )

    def post_metrics(self, post_ids: Sequence[str]) -> list[records.PostMetrics]:
        found = self._lookup(post_ids, self.METRIC_FIELDS, "GET /?ids={media-ids}&fields=insights")
        return [self._metrics(i, found[i]) for i in unique(post_ids) if i in found]

    def _metrics(self, media_id: str, raw: dict[str, Any]) -> records.PostMetrics:
        """A media's metrics from its :data:`METRIC_FIELDS`, read by id or in the media edge
        (whose :attr:`post_fields` hold its kind)."""
        values = graph.insights_by_name(raw.get("insights"))
        is_video = _media_kind(raw) == "reel"
        return records.PostMetrics(
            network=self.network,
            post_id=media_id,
            impressions=values.get("views"),
            reach=values.get("reach"),
            likes=raw.get("like_count"),
            comments=raw.get("comments_count"),
            shares=values.get("shares"),
            saves=values.get("saved"),
            video_views=values.get("views") if is_video else None,
        )

    def mentions(self, query: str, since: datetime) -> list[records.Mention]:
        """Media in which the account is tagged (``/{ig-user-id}/tags``); ``query`` is not sent,
        Instagram has no public text search."""
        fields = "id,caption,timestamp,username,permalink,media_type"
        return self._tagged(f"/{self.ig_user_id}/tags", fields, since, "GET /{ig-user-id}/tags")

    def hashtag_media(self, hashtag: str, since: datetime) -> list[records.Mention]:
        """Media of the last 24 hours under ``hashtag`` (``ig_hashtag_search``, then
        ``/{hashtag-id}/recent_media``), created since ``since``.

        Instagram lets an account search 30 unique hashtags in a rolling 7 days (a hashtag
        searched again within them does not count twice): callers plan which ones
        (``socialops.listening.sources.hashtag_plan``).
        """
        tag = hashtag.lstrip("#")
        found = (
            self.http.get(
                "/ig_hashtag_search",
                params={"user_id": self.ig_user_id, "q": tag},
                endpoint="GET /ig_hashtag_search",
            ).get("data")
            or []
        )
        if not found:
            return []
        params = {
            "user_id": self.ig_user_id,
            "fields": "id,caption,timestamp,permalink,media_type",
            "limit": graph.PAGE_SIZE,
        }
        listing = self._pages(
            f"/{found[0]['id']}/recent_media", params, "GET /{hashtag-id}/recent_media"
        )
        return [self._mention(raw) for raw, _ in self._newer_than(listing, since)]

    def _author(self, raw: dict[str, Any]) -> tuple[str, str | None]:
        author = raw.get("from") or {}
        handle = raw.get("username") or author.get("username")
        return str(author.get("id") or handle or ""), handle

    def _thread(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        """A comment and the first page of its ``replies`` (where the account answers)."""
        return [raw, *((raw.get("replies") or {}).get("data") or [])]

    def _own_id(self) -> str:
        return self.ig_user_id

    def profiles(self, ids_or_handles: Sequence[str]) -> list[records.Profile]:
        """Business discovery, one call per handle (the API takes one username at a time).

        Personal accounts and unknown handles are not discoverable: they are left out.
        """
        found = []
        for handle in unique(h.lstrip("@") for h in ids_or_handles):
            raw = self._discover(handle, self.PROFILE_FIELDS)
            if raw is not None:
                found.append(self._profile(raw))
        return found

    #: Business discovery of another account: its profile and its latest media with their
    #: public counters, in one call by field expansion.
    WATCH_FIELDS = (
        f"{PROFILE_FIELDS},profile_picture_url,media.limit({graph.PAGE_SIZE})"
        "{id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count}"
    )

    def lookup_profiles(self, ids_or_handles: Sequence[str]) -> records.ProfileLookup:
        """One business discovery call per handle (the API takes one username at a time),
        which also brings the account's latest media for :meth:`public_posts`."""
        lookup = records.ProfileLookup()
        for handle in unique(h.lstrip("@") for h in ids_or_handles):
            raw = self._watched(handle)
            if raw is None:
                lookup.unreadable[handle] = (
                    "not a business or creator account, or no such account: Instagram "
                    "shows only professional accounts to other accounts"
                )
                continue
            profile = self._profile(raw)
            lookup.found.append(replace(profile, has_picture=bool(raw.get("profile_picture_url"))))
        return lookup

    def public_posts(self, account: str, since: datetime) -> list[records.PublicPost]:
        """The latest media of a professional account since ``since`` (the last 100 at most),
        read by the same discovery call as its profile."""
        raw = self._watched(account.lstrip("@"))
        if raw is None:
            raise NotSupported(
                self.network, f"@{account.lstrip('@')} is not a business or creator account"
            )
        media: Iterable[dict[str, Any]] = raw.get("media", {}).get("data", [])
        return [
            records.PublicPost(
                network=self.network,
                account_id=str(raw["id"]),
                post_id=item["id"],
                created_at=created,
                text=item.get("caption", ""),
                url=item.get("permalink"),
                kind=_media_kind(item),
                likes=item.get("like_count"),
                comments=item.get("comments_count"),
            )
            for item, created in self._newer_than(media, since)
        ]

    def _watched(self, handle: str) -> dict[str, Any] | None:
        """The discovery of ``handle`` (or of the id it returned) with :attr:`WATCH_FIELDS`,
        once per adapter."""
        key = handle.casefold()
        if key not in self._discovered:
            raw = self._discover(handle, self.WATCH_FIELDS)
            self._discovered[key] = raw
            if raw is not None:
                self._discovered[str(raw["id"])] = raw
        return self._discovered[key]

    def _discover(self, handle: str, fields: str) -> dict[str, Any] | None:
        handle = handle.lstrip("@")
        try:
            body = self.http.get(
                f"/{self.ig_user_id}",
                params={"fields": f"business_discovery.username({handle}){{{fields}}}"},
                endpoint="GET /{ig-user-id}?fields=business_discovery",
            )
        except InvalidRequest as exc:
            log.info(
                "instagram business discovery found no professional account @%s: %s", handle, exc
            )
            return None
        return body.get("business_discovery")


def _media_kind(raw: dict[str, Any]) -> str:
    if raw.get("media_product_type") == "REELS" or raw.get("media_type") == "VIDEO":
        return "reel"
    return {"CAROUSEL_ALBUM": "carousel"}.get(raw.get("media_type", ""), "post")
