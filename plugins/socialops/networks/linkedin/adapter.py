"""LinkedIn organization pages through the versioned LinkedIn REST API (``/rest/...``).

Connection fields (see ``docs/networks/linkedin.md``):

* ``password``: the OAuth 2.0 access token of a member who administers the page (scopes
  ``w_organization_social``, ``r_organization_social``, ``rw_organization_admin``). Tokens
  last 60 days: an expired one is an :class:`AuthError` naming the connection.
* extras: :class:`~socialops.networks.linkedin.client.LinkedInExtras` (``organization_urn``,
  ``api_version``, plus the generic ``timeout`` and retry extras).

The client (:mod:`.client`) sends the version headers, reads LinkedIn's errors and builds
the Rest.li query strings; this module knows the endpoints and their records.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

from socialops.networks import records
from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import InvalidRequest, NotSupported
from socialops.networks.idempotency import PostContent
from socialops.networks.linkedin.client import (
    LINKEDIN_TOKEN,
    LinkedInClient,
    LinkedInExtras,
    RestLi,
    escape_commentary,
    millis,
    organization_urn,
    restli_query,
    unescape_commentary,
)
from socialops.networks.paging import LINKEDIN_START_COUNT, Cursor, batched, newest_first, unique
from socialops.networks.transport.http import media_download

log = logging.getLogger(__name__)

#: Why LinkedIn cannot be watched: its Community Management API serves only the
#: organizations the token administers (members' and other pages' data are not offered).
NO_COMPETITOR_DATA = (
    "LinkedIn's API gives no data on pages the connection does not administer: follow "
    "the competitor's page by hand"
)

PAGE_SIZE = 100
#: Share statistics take a list of posts; 50 keeps the URL well under LinkedIn's length limit.
MAX_POSTS_PER_STATISTICS_CALL = 50


class LinkedInAdapter(NetworkAdapter):
    """One LinkedIn organization page: posts, images, statistics, comments, organization
    profiles."""

    network = "linkedin"
    renew = LINKEDIN_TOKEN
    extras_type = LinkedInExtras
    extras: LinkedInExtras

    def setup(self) -> None:
        self.http = LinkedInClient(self)
        # Organization records by URN and the author of every post listed, for this adapter's
        # one task: a nightly run resolves its page once, and asks each post's statistics of
        # its author without a second lookup of the page.
        self._records: dict[str, dict[str, Any]] = {}
        self._authors: dict[str, str] = {}

    def close(self) -> None:
        self.http.close()

    @cached_property
    def organization(self) -> str:
        """The page's URN: extra ``organization_urn``, else the one page the member administers."""
        if self.extras.organization_urn:
            return organization_urn(self.extras.organization_urn)
        query = restli_query(q="roleAssignee", role="ADMINISTRATOR", state="APPROVED")
        body = self.http.get("/organizationAcls", params=query, endpoint="GET /organizationAcls")
        pages = sorted({e["organization"] for e in body.get("elements", [])})
        if len(pages) != 1:
            raise InvalidRequest(
                self.network,
                f"the token administers {len(pages)} organization pages "
                f"({', '.join(pages) or 'none'})",
                hint="set extra 'organization_urn' in Airflow connection "
                f"'{self.settings.conn_id}'",
            )
        return pages[0]

    def _organization_of(self, account: str | None) -> str:
        """The URN of a page given by URN, id or vanity name (``None``: the connection's page).

        A vanity name is one ``q=vanityName`` lookup, whether or not it is the connection's
        own page: comparing it with the own page's record would cost the
        ``/organizationAcls`` call as well when extra ``organization_urn`` is not set.
        """
        if not account:
            return self.organization
        if account.startswith("urn:li:") or account.isdigit():
            return organization_urn(account)
        found = self._organization_by_vanity(account)
        if found is None:
            raise InvalidRequest(self.network, f"no LinkedIn organization page named {account!r}")
        return organization_urn(str(found["id"]))

    # -- profiles ------------------------------------------------------------------------
    @cached_property
    def own_record(self) -> dict[str, Any]:
        return self._organization_record(self.organization)

    def _organization_record(self, urn: str) -> dict[str, Any]:
        if urn not in self._records:
            org_id = urn.rsplit(":", 1)[-1]
            self._remember(
                self.http.get(f"/organizations/{org_id}", endpoint="GET /organizations/{id}")
            )
        return self._records[urn]

    def _organization_by_vanity(self, vanity: str) -> dict[str, Any] | None:
        name = vanity.lstrip("@").casefold()
        for record in self._records.values():
            if str(record.get("vanityName", "")).casefold() == name:
                return record
        query = restli_query(q="vanityName", vanityName=vanity.lstrip("@"))
        elements = self.http.get(
            "/organizations", params=query, endpoint="GET /organizations?q=vanityName"
        ).get("elements", [])
        return self._remember(elements[0]) if elements else None

    def _remember(self, record: dict[str, Any]) -> dict[str, Any]:
        self._records[organization_urn(str(record["id"]))] = record
        return record

    def _followers(self, urn: str) -> int | None:
        body = self.http.get(
            f"/networkSizes/{quote(urn, safe='')}",
            params=restli_query(edgeType="COMPANY_FOLLOWED_BY_MEMBER"),
            endpoint="GET /networkSizes/{urn}",
        )
        return body.get("firstDegreeSize")

    def _profile(self, record: dict[str, Any]) -> records.Profile:
        urn = organization_urn(str(record["id"]))
        founded = (record.get("foundedOn") or {}).get("year")
        return records.Profile(
            network=self.network,
            account_id=urn,
            handle=record.get("vanityName") or str(record["id"]),
            name=record.get("localizedName"),
            followers=self._followers(urn),
            bio=record.get("localizedDescription"),
            created_at=datetime(founded, 1, 1, tzinfo=UTC) if founded else None,
            url=f"https://www.linkedin.com/company/{record.get('vanityName') or record['id']}/",
        )

    def check(self) -> records.Profile:
        return self._profile(self.own_record)

    def lookup_profiles(self, ids_or_handles: Sequence[str]) -> records.ProfileLookup:
        raise NotSupported(self.network, NO_COMPETITOR_DATA)

    def public_posts(self, account: str, since: datetime) -> list[records.PublicPost]:
        raise NotSupported(self.network, NO_COMPETITOR_DATA)

    def profiles(self, ids_or_handles: Sequence[str]) -> list[records.Profile]:
        """Organization pages by id, URN or vanity name (members' profiles are not public)."""
        found: dict[str, records.Profile] = {}
        for ref in unique(ids_or_handles):
            if ref.startswith("urn:li:organization:") or ref.isdigit():
                try:
                    record: dict[str, Any] | None = self._organization_record(organization_urn(ref))
                except InvalidRequest:
                    record = None
            else:
                record = self._organization_by_vanity(ref)
            if record is None:
                log.info("linkedin: no organization page %s", ref)
                continue
            profile = self._profile(record)
            found.setdefault(profile.account_id, profile)
        return list(found.values())

    # -- publishing ----------------------------------------------------------------------
    def publish(self, draft: records.Draft, idempotency_key: str) -> records.Receipt:
        """A post as the page: text, plus an article card for ``draft.link`` or one image
        (with an image, the link is appended to the text: a post holds one or the other).

        The image is a local file or an http(s) URL, uploaded to LinkedIn first
        (``/rest/images?action=initializeUpload``, then a PUT of the bytes).
        """
        if len(draft.media) > 1:
            raise InvalidRequest(
                self.network,
                f"post {idempotency_key}: one image per LinkedIn post is supported here",
            )
        author = self._organization_of(draft.account)
        body: dict[str, Any] = {
            "author": author,
            "commentary": escape_commentary(self.published_text(draft)),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if draft.media:
            body["content"] = {
                "media": {"id": self._upload_image(author, draft.media[0], idempotency_key)}
            }
        elif draft.link:
            body["content"] = {
                "article": {"source": draft.link, "title": draft.title or draft.link}
            }
        response = self.http.request("POST", "/posts", endpoint="POST /posts", json=body)
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise InvalidRequest(
                self.network,
                f"post {idempotency_key}: LinkedIn answered {response.status_code} "
                "without x-restli-id",
            )
        return records.Receipt(
            self.network, urn, f"https://www.linkedin.com/feed/update/{urn}/", self.http.now()
        )

    def _upload_image(self, owner: str, media: str, what: str) -> str:
        content, content_type = self._read_media(media, what)
        init = self.http.request(
            "POST",
            "/images",
            endpoint="POST /images?action=initializeUpload",
            params="action=initializeUpload",
            json={"initializeUploadRequest": {"owner": owner}},
            idempotent=True,  # an image nobody posts is invisible: asking again is harmless
        ).json()["value"]
        self.http.request(
            "PUT",
            init["uploadUrl"],
            endpoint="PUT image upload",
            data=content,
            headers={"Content-Type": content_type},
        )
        return init["image"]

    def _read_media(self, media: str, what: str) -> tuple[bytes, str]:
        content_type = mimetypes.guess_type(media.split("?")[0])[0] or "application/octet-stream"
        if media.startswith(("http://", "https://")):
            with media_download(self, media, f"post {what}", "image") as response:
                return response.content, response.headers.get("Content-Type", content_type)
        path = Path(media)
        if not path.is_file():
            raise InvalidRequest(
                self.network, f"post {what}: image {media!r} is neither a URL nor an existing file"
            )
        return path.read_bytes(), content_type

    # -- reading -------------------------------------------------------------------------
    def _elements(
        self, path: str, params: dict[str, Any], endpoint: str
    ) -> Iterator[dict[str, Any]]:
        """Every element of a paged collection (``start``/``count``)."""

        def fetch(start: Cursor | None) -> Any:
            query = restli_query(**params, start=start or 0, count=PAGE_SIZE)
            return self.http.get(path, params=query, endpoint=endpoint)

        return self.listing(fetch, LINKEDIN_START_COUNT, endpoint=endpoint)

    def _posts_since(
        self, account: str, since: datetime
    ) -> tuple[str, Iterator[tuple[dict[str, Any], datetime]]]:
        """The page's URN, and (post, creation time) of its posts since ``since``, newest
        first (``sortBy=CREATED``, no pinned post first): the listing stops at the first
        older one."""
        author = self._organization_of(account)
        params = {"q": "author", "author": author, "sortBy": "CREATED"}
        listing = newest_first(
            self._elements("/posts", params, "GET /posts?q=author"),
            since,
            lambda raw: millis(raw.get("publishedAt") or raw.get("createdAt")),
        )
        return author, listing

    def recent_posts(
        self, account: str, since: datetime, *, metrics: bool = False
    ) -> list[records.Post]:
        """The page's posts since ``since``, sorted newest first by LinkedIn (``sortBy=CREATED``,
        no pinned post first): the listing stops at the first older one. ``metrics`` is
        ignored: posts carry no statistics, which :meth:`post_metrics` reads 50 at a time."""
        author, listing = self._posts_since(account, since)
        posts = []
        for raw, created in listing:
            self._authors[raw["id"]] = author
            posts.append(
                records.Post(
                    network=self.network,
                    account_id=author,
                    post_id=raw["id"],
                    created_at=created,
                    text=unescape_commentary(raw.get("commentary", "")),
                    url=f"https://www.linkedin.com/feed/update/{raw['id']}/",
                    kind="image" if "media" in (raw.get("content") or {}) else "post",
                )
            )
        return posts

    def published_contents(
        self, account: str, since: datetime
    ) -> Iterator[tuple[records.Receipt, PostContent]]:
        """The page's posts: the commentary, the article card's ``source`` and the kinds of
        the media (``urn:li:image:``/``urn:li:video:``, a multi-image post's images)."""
        _, listing = self._posts_since(account, since)
        for raw, created in listing:
            content = raw.get("content") or {}
            receipt = records.Receipt(
                self.network,
                raw["id"],
                f"https://www.linkedin.com/feed/update/{raw['id']}/",
                created,
            )
            yield (
                receipt,
                PostContent.of(
                    unescape_commentary(raw.get("commentary", "")),
                    link=(content.get("article") or {}).get("source"),
                    media=_media_kinds(content),
                ),
            )

    def account_metrics(self, account: str, day: date) -> records.AccountMetrics:
        """Followers (today's count: LinkedIn keeps no history of the total) and the day's
        share statistics."""
        urn = self._organization_of(account)
        query = restli_query(
            q="organizationalEntity", organizationalEntity=urn, timeIntervals=RestLi.day(day)
        )
        body = self.http.get(
            "/organizationalEntityShareStatistics",
            params=query,
            endpoint="GET /organizationalEntityShareStatistics?timeIntervals",
        )
        totals: dict[str, int] = {}
        for element in body.get("elements", []):
            for name, value in (element.get("totalShareStatistics") or {}).items():
                if isinstance(value, int):
                    totals[name] = totals.get(name, 0) + value
        return records.AccountMetrics(
            network=self.network,
            account_id=urn,
            day=day,
            followers=self._followers(urn),
            impressions=totals.get("impressionCount"),
            reach=totals.get("uniqueImpressionsCount"),
        )

    def post_metrics(self, post_ids: Sequence[str]) -> list[records.PostMetrics]:
        """Lifetime statistics of posts, 50 per call (``shares=List(..)&ugcPosts=List(..)``).

        LinkedIn answers them for one organization at a time: each post's author as
        :meth:`recent_posts` listed it, else the connection's page (:attr:`organization`).
        """
        wanted = unique(post_ids)
        unknown = [p for p in wanted if not p.startswith(("urn:li:share:", "urn:li:ugcPost:"))]
        if unknown:
            raise InvalidRequest(
                self.network,
                "post ids must be urn:li:share:... or urn:li:ugcPost:... URNs, "
                f"got {sorted(unknown)}",
            )
        by_author: dict[str, list[str]] = {}
        for post_id in wanted:
            author = self._authors.get(post_id) or self.organization
            by_author.setdefault(author, []).append(post_id)
        found: dict[str, dict[str, Any]] = {}
        for author, ids in by_author.items():
            for chunk in batched(ids, MAX_POSTS_PER_STATISTICS_CALL):
                found.update(self._share_statistics(author, chunk))
        return [
            records.PostMetrics(
                network=self.network,
                post_id=post_id,
                impressions=stats.get("impressionCount"),
                reach=stats.get("uniqueImpressionsCount"),
                likes=stats.get("likeCount"),
                comments=stats.get("commentCount"),
                shares=stats.get("shareCount"),
                link_clicks=stats.get("clickCount"),
            )
            for post_id in wanted
            if (stats := found.get(post_id)) is not None
        ]

    def _share_statistics(self, author: str, posts: list[str]) -> dict[str, dict[str, Any]]:
        """``totalShareStatistics`` by post URN, for up to 50 posts of ``author``."""
        shares = [p for p in posts if p.startswith("urn:li:share:")]
        ugc_posts = [p for p in posts if p.startswith("urn:li:ugcPost:")]
        query = restli_query(
            q="organizationalEntity",
            organizationalEntity=author,
            shares=RestLi.list(shares) if shares else None,
            ugcPosts=RestLi.list(ugc_posts) if ugc_posts else None,
        )
        body = self.http.get(
            "/organizationalEntityShareStatistics",
            params=query,
            endpoint="GET /organizationalEntityShareStatistics?shares",
        )
        return {
            element.get("share") or element.get("ugcPost"): (
                element.get("totalShareStatistics") or {}
            )
            for element in body.get("elements", [])
        }

    def comments(self, post_ids: Sequence[str], since: datetime) -> list[records.Mention]:
        found = []
        for post_id in unique(post_ids):
            path = f"/socialActions/{quote(post_id, safe='')}/comments"
            for raw in self._elements(path, {}, "GET /socialActions/{urn}/comments"):
                created = millis((raw.get("created") or {}).get("time"))
                if created is None or created < since:
                    continue
                found.append(
                    records.Mention(
                        network=self.network,
                        mention_id=raw.get("commentUrn") or raw["id"],
                        author_id=raw.get("actor", ""),
                        author_handle=None,  # LinkedIn names the author only by URN
                        text=(raw.get("message") or {}).get("text", ""),
                        created_at=created,
                        in_reply_to=post_id,
                        kind="comment",
                        likes=(raw.get("likesSummary") or {}).get("totalLikes"),
                    )
                )
        return sorted(found, key=lambda m: m.created_at)

    def mentions(self, query: str, since: datetime) -> list[records.Mention]:
        raise self._unsupported(
            "searching posts that mention the page (LinkedIn has no public post search)"
        )


def _media_kinds(content: dict[str, Any]) -> list[str]:
    """The media kinds of a post's ``content``, by the URN of each media."""
    urns = [(content.get("media") or {}).get("id")]
    urns += [image.get("id") for image in (content.get("multiImage") or {}).get("images", [])]
    return [
        "video" if urn.startswith("urn:li:video:") else "image"
        for urn in urns
        if isinstance(urn, str) and urn
    ]
