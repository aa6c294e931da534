"""A Facebook Page through the Meta Graph API (``docs/networks/facebook.md``).

Connection: ``password`` is the Page access token, sent in the ``Authorization`` header,
never in URLs; the extras are :class:`~socialops.networks.meta.client.MetaExtras`
(``page_id``, ``api_version``, ``app_secret``, ``usage_threshold``, ``ad_account_id``, plus
``timeout`` and the retry extras).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from socialops.networks import records
from socialops.networks.errors import AuthError, InvalidRequest, NotSupported
from socialops.networks.idempotency import PostContent
from socialops.networks.meta.ads import AdsReporting
from socialops.networks.meta.graph import day_bounds, insights_by_name
from socialops.networks.paging import unique

#: What reconciliation reads of the Page's posts (docs/exactly-once.md).
MATCH_FIELDS = (
    "id,message,created_time,permalink_url,"
    "attachments{media_type,type,url,unshimmed_url,subattachments{media_type,type}}"
)
#: ``attachments{media_type}`` → the draft's media kinds; a link card is not media.
MEDIA_KINDS = {"photo": "image", "album": "image", "video": "video"}


class FacebookAdapter(AdsReporting):
    """A Facebook Page: feed posts, photos, insights, comments, tags, public Page profiles."""

    network = "facebook"
    time_field = "created_time"
    text_fields = ("message",)
    link_field = "permalink_url"
    post_fields = "id,message,created_time,permalink_url,status_type"
    comment_fields = "id,message,created_time,from{id,name},like_count,permalink_url,parent{id}"
    # The replies in a comment's thread too (the Page's answers are replies), oldest first.
    comment_filter: ClassVar[dict[str, str]] = {"filter": "stream"}
    PROFILE_FIELDS = "id,name,username,fan_count,followers_count,about,verification_status,link"
    PAGE_METRICS = {
        "page_follows": "followers",
        "page_impressions": "impressions",
        "page_impressions_unique": "reach",
        "page_views_total": "profile_views",
    }
    POST_METRICS = {
        "post_impressions": "impressions",
        "post_impressions_unique": "reach",
        "post_clicks": "link_clicks",
        "post_video_views": "video_views",
    }
    #: What a post's metrics are read with, by id (``?ids=``) or in the feed (field expansion).
    METRIC_FIELDS = (
        f"insights.metric({','.join(POST_METRICS)}),"
        "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
    )

    @cached_property
    def page(self) -> dict[str, Any]:
        """The connection's Page (``GET /{page-id}``, or ``/me``, which a Page token resolves
        to the Page)."""
        return self.http.get(
            f"/{self.extras.page_id or 'me'}",
            params={"fields": self.PROFILE_FIELDS},
            endpoint="GET /{page-id}",
        )

    @property
    def page_id(self) -> str:
        return str(self.extras.page_id or self.page["id"])

    def _account_ref(self, account: str | None) -> str:
        """The Graph node for ``account``: the connection's Page when it names it, else the
        alias as given."""
        if not account:
            return self.page_id
        alias = account.lstrip("@")
        if alias.isdigit():
            # A numeric id is the node itself, ours or not: no need to read our own Page.
            return alias
        if alias.casefold() == str(self.page.get("username", "")).casefold():
            return self.page_id
        return alias

    def check(self) -> records.Profile:
        return self._profile(self.page)

    def _profile(self, raw: dict[str, Any]) -> records.Profile:
        return records.Profile(
            network=self.network,
            account_id=str(raw["id"]),
            handle=raw.get("username") or str(raw["id"]),
            name=raw.get("name"),
            followers=raw.get("followers_count", raw.get("fan_count")),
            bio=raw.get("about"),
            verified=raw.get("verification_status") == "blue_verified"
            if "verification_status" in raw
            else None,
            url=raw.get("link") or f"https://www.facebook.com/{raw['id']}",
        )

    # -- publishing ----------------------------------------------------------------------
    def publish(self, draft: records.Draft, idempotency_key: str) -> records.Receipt:
        """A feed post (text + optional link) or, with one image in ``draft.media``, a photo post.

        An image is a public URL (Meta fetches it) or a local file (uploaded as ``source``).
        """
        if len(draft.media) > 1:
            raise InvalidRequest(
                self.network,
                f"post {idempotency_key}: one photo per Facebook post is supported, "
                f"got {len(draft.media)}",
            )
        page = self._account_ref(draft.account)
        if draft.media:
            body = self._publish_photo(page, draft)
            post_id = body.get("post_id") or body["id"]
        else:
            data = {"message": draft.text, **({"link": draft.link} if draft.link else {})}
            post_id = self.http.request(
                "POST", f"/{page}/feed", endpoint="POST /{page-id}/feed", data=data
            ).json()["id"]
        return records.Receipt(
            self.network, post_id, f"https://www.facebook.com/{post_id}", self.now()
        )

    def _publish_photo(self, page: str, draft: records.Draft) -> dict[str, Any]:
        media = draft.media[0]
        caption = self.published_text(draft)
        endpoint = "POST /{page-id}/photos"
        if media.startswith(("http://", "https://")):
            data = {"url": media, "caption": caption}
            return self.http.request("POST", f"/{page}/photos", endpoint=endpoint, data=data).json()
        path = Path(media)
        if not path.is_file():
            raise InvalidRequest(
                self.network, f"photo {media!r} is neither a URL nor an existing file"
            )
        with path.open("rb") as source:
            files = {"source": (path.name, source)}
            return self.http.request(
                "POST", f"/{page}/photos", endpoint=endpoint, data={"caption": caption}, files=files
            ).json()

    # -- reconciliation ------------------------------------------------------------------
    def published_contents(
        self, account: str, since: datetime
    ) -> Iterator[tuple[records.Receipt, PostContent]]:
        """The Page's posts: the message, the link of a share attachment (``unshimmed_url``:
        ``url`` is Facebook's l.facebook.com redirect) and the kinds of the photo and video
        attachments (an album's are its subattachments)."""
        listing = self._since(
            f"/{self._account_ref(account)}/posts",
            MATCH_FIELDS,
            since,
            "GET /{page-id}/posts",
        )
        for raw, created in listing:
            attachments = (raw.get("attachments") or {}).get("data", [])
            link = next(
                (a.get("unshimmed_url") or a.get("url") for a in attachments if _is_link(a)), None
            )
            receipt = records.Receipt(
                self.network,
                raw["id"],
                raw.get("permalink_url") or f"https://www.facebook.com/{raw['id']}",
                created,
            )
            yield (
                receipt,
                PostContent.of(raw.get("message", ""), link=link, media=_media_kinds(attachments)),
            )

    # -- reading -------------------------------------------------------------------------
    def recent_posts(
        self, account: str, since: datetime, *, metrics: bool = False
    ) -> list[records.Post]:
        """The Page's posts since ``since``; with ``metrics`` (own Page only: insights need its
        token) the feed expands the same fields as :meth:`post_metrics`, so no lookup follows."""
        page = self._account_ref(account)
        metrics = metrics and page == self.page_id
        fields = f"{self.post_fields},{self.METRIC_FIELDS}" if metrics else self.post_fields
        listing = self._since(f"/{page}/posts", fields, since, "GET /{page-id}/posts")
        return [
            records.Post(
                network=self.network,
                account_id=raw["id"].split("_")[0],
                post_id=raw["id"],
                created_at=created,
                text=raw.get("message", ""),
                url=raw.get("permalink_url"),
                kind="photo" if raw.get("status_type") == "added_photos" else "post",
                metrics=self._metrics(raw["id"], raw) if metrics else None,
            )
            for raw, created in listing
        ]

    def account_metrics(self, account: str, day: date) -> records.AccountMetrics:
        since, until = day_bounds(day)
        page = self._account_ref(account)
        params = {
            "metric": ",".join(self.PAGE_METRICS),
            "period": "day",
            "since": since,
            "until": until,
        }
        values = insights_by_name(
            self.http.get(f"/{page}/insights", params=params, endpoint="GET /{page-id}/insights")
        )
        fields = {field: values.get(metric) for metric, field in self.PAGE_METRICS.items()}
        return records.AccountMetrics(network=self.network, account_id=page, day=day, **fields)

    def post_metrics(self, post_ids: Sequence[str]) -> list[records.PostMetrics]:
        found = self._lookup(post_ids, self.METRIC_FIELDS, "GET /?ids={post-ids}&fields=insights")
        return [self._metrics(i, found[i]) for i in unique(post_ids) if i in found]

    def _metrics(self, post_id: str, raw: dict[str, Any]) -> records.PostMetrics:
        """A post's metrics from its :data:`METRIC_FIELDS`, read by id or in the feed."""
        values = insights_by_name(raw.get("insights"))
        return records.PostMetrics(
            network=self.network,
            post_id=post_id,
            likes=_summary_count(raw.get("reactions")),
            comments=_summary_count(raw.get("comments")),
            # Graph omits ``shares`` on a post nobody shared: absent means zero here.
            shares=(raw.get("shares") or {}).get("count", 0),
            **{field: values.get(metric) for metric, field in self.POST_METRICS.items()},
        )

    def mentions(self, query: str, since: datetime) -> list[records.Mention]:
        """Posts that tag the Page (``/{page-id}/tagged``). Facebook has no public post search,
        so ``query`` is not used."""
        fields = "id,message,created_time,from{id,name},permalink_url"
        return self._tagged(f"/{self.page_id}/tagged", fields, since, "GET /{page-id}/tagged")

    def _author(self, raw: dict[str, Any]) -> tuple[str, str | None]:
        author = raw.get("from") or {}
        return str(author.get("id", "")), author.get("name")

    def _own_id(self) -> str:
        return self.page_id

    def lookup_profiles(self, ids_or_handles: Sequence[str]) -> records.ProfileLookup:
        """Public Page fields by multi-id lookup (50 Pages per call)."""
        refs = unique(h.lstrip("@") for h in ids_or_handles)
        found = self._lookup(refs, self.PROFILE_FIELDS, "GET /?ids={pages}&fields=profile")
        lookup = records.ProfileLookup()
        seen: set[str] = set()
        for ref in refs:
            if ref not in found:
                lookup.unreadable[ref] = "no such Page (renamed, deleted or unpublished)"
            elif str(found[ref]["id"]) not in seen:
                seen.add(str(found[ref]["id"]))
                lookup.found.append(self._profile(found[ref]))
        return lookup

    def public_posts(self, account: str, since: datetime) -> list[records.PublicPost]:
        """Another Page's posts with reactions, comments and shares counts (Graph needs
        Page Public Content Access for a Page the token does not manage)."""
        fields = (
            f"{self.post_fields},reactions.summary(total_count).limit(0),"
            "comments.summary(total_count).limit(0),shares"
        )
        page = self._account_ref(account)
        try:
            listing = list(self._since(f"/{page}/posts", fields, since, "GET /{page-id}/posts"))
        except AuthError as exc:
            if getattr(exc, "graph_error", {}).get("code") == 10:
                raise NotSupported(self.network, f"{account}: {PUBLIC_CONTENT_ACCESS}") from exc
            raise
        return [
            records.PublicPost(
                network=self.network,
                account_id=raw["id"].split("_")[0],
                post_id=raw["id"],
                created_at=created,
                text=raw.get("message", ""),
                url=raw.get("permalink_url"),
                kind="photo" if raw.get("status_type") == "added_photos" else "post",
                likes=_summary_count(raw.get("reactions")),
                comments=_summary_count(raw.get("comments")),
                shares=(raw.get("shares") or {}).get("count", 0),
            )
            for raw, created in listing
        ]

    def profiles(self, ids_or_handles: Sequence[str]) -> list[records.Profile]:
        """Public Page fields; Pages are addressed by id or username alike."""
        refs = [h.lstrip("@") for h in ids_or_handles]
        found = self._lookup(refs, self.PROFILE_FIELDS, "GET /?ids={pages}&fields=profile")
        profiles = {}
        for ref in refs:  # an id and a username may name the same Page
            if ref in found:
                profiles.setdefault(str(found[ref]["id"]), self._profile(found[ref]))
        return list(profiles.values())


#: What Graph needs to read a Page the token does not manage (Meta's app review).
PUBLIC_CONTENT_ACCESS = (
    "reading the posts of a Page the token does not manage needs Meta's Page Public "
    "Content Access feature (app review)"
)


def _is_link(attachment: dict[str, Any]) -> bool:
    return attachment.get("media_type") == "link" or attachment.get("type") == "share"


def _media_kinds(attachments: list[dict[str, Any]]) -> list[str]:
    """The media kinds of a post's photo and video attachments (an album's subattachments)."""
    kinds = []
    for attachment in attachments:
        children = (attachment.get("subattachments") or {}).get("data")
        for item in children or [attachment]:
            kind = MEDIA_KINDS.get(item.get("media_type", ""))
            if kind:
                kinds.append(kind)
    return kinds


def _summary_count(edge: dict[str, Any] | None) -> int | None:
    if not edge:
        return None
    return edge.get("summary", {}).get("total_count")
