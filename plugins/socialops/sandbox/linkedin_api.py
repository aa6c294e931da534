"""Emulator of the LinkedIn REST API (``/linkedin/rest/...``) for organization pages.

Answers in LinkedIn's shapes: collections as ``elements`` + ``paging`` (``start``, ``count``,
``links``, ``total``), a created post as ``201`` with an empty body and its URN in the
``x-restli-id`` header, errors as ``{"status", "serviceErrorCode", "code", "message"}``.
Requests must carry ``LinkedIn-Version``. Any bearer token starting with ``sandbox-`` is valid
unless listed in ``world.revoked_tokens``; it belongs to a member who administers the
world's owned organization pages. Image uploads go to ``/linkedin/dms-uploads/<id>``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode

from socialops.sandbox.server import Emulator, Refusal, Request, Response, route
from socialops.sandbox.world import SandboxAccount, SandboxMention, SandboxPost, api_post_metrics

DEFAULT_COUNT = 10
MAX_COUNT = 100
STATISTICS = {
    "impressionCount": "impressions",
    "uniqueImpressionsCount": "reach",
    "clickCount": "link_clicks",
    "likeCount": "likes",
    "commentCount": "comments",
    "shareCount": "shares",
}


class LinkedInError(Refusal):
    """LinkedIn's error body ``{"status", "serviceErrorCode", "code", "message"}``."""

    def __init__(self, status: int, code: str, message: str, service_code: int | None = None):
        body: dict[str, Any] = {"status": status, "code": code, "message": message}
        if service_code is not None:
            body["serviceErrorCode"] = service_code
        super().__init__(Response(status, body))


def statistics_of(metrics: dict[str, int]) -> dict[str, int]:
    """LinkedIn's share statistics from a post's metrics; worlds that only know impressions
    get unique impressions at LinkedIn's usual ~70% of them."""
    stats = {name: metrics.get(metric, 0) for name, metric in STATISTICS.items()}
    if "reach" not in metrics:
        stats["uniqueImpressionsCount"] = int(stats["impressionCount"] * 0.7)
    return stats


#: Characters LinkedIn's "little text format" reserves in a post's commentary. Written here
#: from LinkedIn's documentation, not imported from the adapter: an adapter that forgets to
#: escape one must see its post cut short, as on LinkedIn, rather than agree with itself.
RESERVED = frozenset("\\|{}@[]()<>#*_~")
HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|([^{}|\\]+)\}")


def parse_commentary(little: str) -> str:
    """The text members see: escapes resolved, ``{hashtag|\\#|word}`` shown as ``#word``.

    LinkedIn accepts commentary with an unescaped reserved character but silently cuts the
    text there; so does the emulator.
    """
    shown, index = [], 0
    while index < len(little):
        char = little[index]
        if char == "\\" and index + 1 < len(little):
            shown.append(little[index + 1])
            index += 2
            continue
        tag = HASHTAG_TEMPLATE.match(little, index) if char == "{" else None
        if tag:
            shown.append("#" + tag.group(1))
            index = tag.end()
            continue
        if char in RESERVED:
            break
        shown.append(char)
        index += 1
    return "".join(shown)


def render_commentary(text: str) -> str:
    """A post's text as LinkedIn returns it: hashtags as templates, reserved characters escaped."""
    rendered, index = [], 0
    while index < len(text):
        char = text[index]
        word = re.match(r"\w+", text[index + 1 :]) if char == "#" else None
        starts_tag = index == 0 or not (text[index - 1].isalnum() or text[index - 1] in "_#")
        if word and starts_tag:
            rendered.append(f"{{hashtag|\\#|{word.group()}}}")
            index += 1 + word.end()
            continue
        rendered.append("\\" + char if char in RESERVED else char)
        index += 1
    return "".join(rendered)


def unpaged(elements: list[dict[str, Any]]) -> dict[str, Any]:
    """A finder's answer that LinkedIn does not page (one vanity name, statistics)."""
    return {"elements": elements, "paging": {"start": 0, "count": 10, "links": []}}


def millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def restli_list(value: str | None) -> list[str]:
    """``List(a,b)`` (already percent-decoded by the query parser) → ``[a, b]``."""
    found = re.fullmatch(r"List\((.*)\)", value or "")
    return [item for item in found.group(1).split(",") if item] if found else []


def time_range(value: str | None) -> tuple[datetime, datetime] | None:
    found = re.search(r"start:(\d+),end:(\d+)", value or "")
    if not found:
        return None
    start, end = (datetime.fromtimestamp(int(v) / 1000, UTC) for v in found.groups())
    return start, end


class LinkedInEmulator(Emulator):
    network = "linkedin"
    conn_id = "linkedin_default"

    def __init__(self, world):
        super().__init__(world)
        self.uploads: dict[str, dict[str, Any]] = {}  # image id → {"urn", "owner", "bytes"}

    @classmethod
    def connection(cls, base_url: str) -> dict[str, Any]:
        return {
            "conn_type": "linkedin",
            "host": f"{base_url}/linkedin/rest",
            "password": "sandbox-linkedin-token",
            "extra": {"api_version": "202610"},
        }

    # -- faults and errors ---------------------------------------------------------------
    def rate_limited(self, request: Request, reset_at: datetime) -> Response:
        # LinkedIn gives no reset time: no Retry-After, no reset header.
        return LinkedInError(
            429,
            "TOO_MANY_REQUESTS",
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
        ).response

    def server_error(self, request: Request) -> Response:
        return LinkedInError(500, "INTERNAL_SERVER_ERROR", "Internal Server Error").response

    def expired_token(self, request: Request) -> Response:
        return LinkedInError(
            401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65601
        ).response

    def not_found(self, request: Request) -> Response:
        return LinkedInError(
            404, "RESOURCE_NOT_FOUND", f"No virtual resource found for {request.path}"
        ).response

    def _authorize(self, request: Request) -> None:
        """Refuse the request like LinkedIn when its token or ``LinkedIn-Version`` is wrong."""
        token = request.bearer
        if not token:
            raise LinkedInError(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token", 401)
        if not token.startswith("sandbox-") or token in self.world.revoked_tokens:
            raise LinkedInError(
                401,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
                65601,
            )
        if request.path.startswith("/rest/") and not request.headers.get("linkedin-version"):
            raise LinkedInError(
                400,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.",
            )

    # -- the world -----------------------------------------------------------------------
    def _organization(self, id_or_urn: str) -> SandboxAccount:
        urn = id_or_urn if id_or_urn.startswith("urn:") else f"urn:li:organization:{id_or_urn}"
        account = self.world.accounts.get((self.network, urn))
        if account is None or not urn.startswith("urn:li:organization:"):
            raise LinkedInError(404, "NOT_FOUND", f"Organization {id_or_urn} not found")
        return account

    def _owned(self, urn: str) -> SandboxAccount:
        account = self._organization(urn)
        if account.role != "owned":
            raise LinkedInError(
                403,
                "ACCESS_DENIED",
                f"Not enough permissions to access: {urn} (not an administrator)",
                100,
            )
        return account

    def _record(self, account: SandboxAccount) -> dict[str, Any]:
        org_id = int(account.id.rsplit(":", 1)[-1])
        return {
            "id": org_id,
            "$URN": account.id,
            "localizedName": account.name,
            "vanityName": account.handle,
            "localizedDescription": account.bio,
            "localizedWebsite": f"https://{account.handle}.example",
            "foundedOn": {"year": account.created_at.year},
            "primaryOrganizationType": "NONE",
            "organizationType": "PRIVATELY_HELD",
        }

    def _page(self, request: Request, items: list[Any], render) -> dict[str, Any]:
        try:
            start = int(request.arg("start") or 0)
            count = min(MAX_COUNT, int(request.arg("count") or DEFAULT_COUNT))
        except ValueError:
            raise LinkedInError(
                400, "ILLEGAL_ARGUMENT", "start and count must be integers"
            ) from None
        chunk = items[start : start + count]
        links = []
        if start + count < len(items):
            query = {k: v[0] for k, v in request.query.items()} | {
                "start": start + count,
                "count": count,
            }
            links.append(
                {
                    "type": "application/json",
                    "rel": "next",
                    "href": f"{request.path}?{urlencode(query)}",
                }
            )
        return {
            "elements": [render(item) for item in chunk],
            "paging": {"start": start, "count": count, "links": links, "total": len(items)},
        }

    # -- organizations -------------------------------------------------------------------
    @route("GET", r"/rest/organizationAcls")
    def organization_acls(self, request: Request) -> Response:
        self._authorize(request)
        owned = [
            a
            for (n, _), a in self.world.accounts.items()
            if n == self.network and a.role == "owned"
        ]
        elements = [
            {
                "organization": a.id,
                "role": "ADMINISTRATOR",
                "state": "APPROVED",
                "roleAssignee": "urn:li:person:sandbox",
            }
            for a in owned
            if a.id.startswith("urn:li:organization:")
        ]
        return Response(200, self._page(request, elements, dict))

    @route("GET", r"/rest/organizations/(?P<id>\d+)")
    def organization(self, request: Request) -> Response:
        self._authorize(request)
        return Response(200, self._record(self._organization(request.params["id"])))

    @route("GET", r"/rest/organizations")
    def organizations_by_vanity_name(self, request: Request) -> Response:
        self._authorize(request)
        if request.arg("q") != "vanityName":
            raise LinkedInError(
                400, "ILLEGAL_ARGUMENT", "Invalid query parameters passed to request"
            )
        wanted = (request.arg("vanityName") or "").casefold()
        found = [
            self._record(a)
            for (n, _), a in self.world.accounts.items()
            if n == self.network
            and a.id.startswith("urn:li:organization:")
            and a.handle.casefold() == wanted
        ]
        return Response(200, unpaged(found))

    @route("GET", r"/rest/networkSizes/(?P<urn>[^/]+)")
    def network_size(self, request: Request) -> Response:
        self._authorize(request)
        if request.arg("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER":
            raise LinkedInError(
                400, "ILLEGAL_ARGUMENT", "edgeType must be COMPANY_FOLLOWED_BY_MEMBER"
            )
        account = self._organization(unquote(request.params["urn"]))
        return Response(
            200, {"firstDegreeSize": account.followers_at(self.world.now(), self.world.epoch)}
        )

    # -- images and posts ----------------------------------------------------------------
    @route("POST", r"/rest/images")
    def initialize_upload(self, request: Request) -> Response:
        self._authorize(request)
        if request.arg("action") != "initializeUpload":
            raise LinkedInError(400, "ILLEGAL_ARGUMENT", "Unsupported action")
        owner = ((request.json() or {}).get("initializeUploadRequest") or {}).get("owner", "")
        self._owned(owner)
        image_id = f"D4E10AQ{self.world.new_id()}"
        self.uploads[image_id] = {
            "urn": f"urn:li:image:{image_id}",
            "owner": owner,
            "bytes": None,
        }
        host = request.headers.get("host", "127.0.0.1")
        value = {
            "uploadUrlExpiresAt": millis(self.world.now() + timedelta(hours=1)),
            "uploadUrl": f"http://{host}/linkedin/dms-uploads/{image_id}",
            "image": f"urn:li:image:{image_id}",
        }
        return Response(200, {"value": value})

    @route("PUT", r"/dms-uploads/(?P<id>[^/]+)")
    def upload(self, request: Request) -> Response:
        self._authorize(request)
        upload = self.uploads.get(request.params["id"])
        if upload is None:
            raise LinkedInError(404, "NOT_FOUND", "Unknown upload")
        upload["bytes"] = len(request.body)
        return Response(201, None)

    @route("POST", r"/rest/posts")
    def create_post(self, request: Request) -> Response:
        self._authorize(request)
        body = request.json() or {}
        author = self._owned(body.get("author", ""))
        if body.get("lifecycleState") != "PUBLISHED" or body.get("visibility") not in (
            "PUBLIC",
            "CONNECTIONS",
        ):
            raise LinkedInError(
                422, "UNPROCESSABLE_ENTITY", "lifecycleState and visibility are required"
            )
        text = parse_commentary(body.get("commentary", ""))
        content = body.get("content") or {}
        link = (content.get("article") or {}).get("source")
        day_ago = self.world.now() - timedelta(hours=24)
        # The same commentary with another article or an image is another post.
        duplicate = next(
            (
                p
                for p in self.world.account_posts(self.network, author.id)
                if (p.text, p.link, bool(p.media)) == (text, link, "media" in content)
                and p.created_at >= day_ago
            ),
            None,
        )
        if duplicate:
            raise LinkedInError(
                422, "DUPLICATE_POST", f"Content is a duplicate of {duplicate.id}", 100
            )
        media = []
        if "media" in content:
            image_id = content["media"].get("id", "").rsplit(":", 1)[-1]
            upload = self.uploads.get(image_id)
            if upload is None or upload["bytes"] is None:
                raise LinkedInError(
                    422,
                    "UNPROCESSABLE_ENTITY",
                    f"Image {content['media'].get('id')} is not uploaded",
                )
            media = [content["media"]["id"]]
        post = self.world.add_post(
            SandboxPost(
                network=self.network,
                id=f"urn:li:share:{self.world.new_id(7_300_000_000_000_000_000)}",
                account_id=author.id,
                text=text,
                created_at=self.world.now(),
                kind="image" if media else "post",
                link=link,
                media=media,
                final=api_post_metrics(author, "post"),
                extra={"via_api": True},
            )
        )
        return Response(201, None, {"x-restli-id": post.id})

    def _post(self, post: SandboxPost) -> dict[str, Any]:
        created = millis(post.created_at)
        body: dict[str, Any] = {
            "id": post.id,
            "author": post.account_id,
            "commentary": render_commentary(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
            "createdAt": created,
            "publishedAt": created,
            "lastModifiedAt": created,
        }
        if post.media:
            body["content"] = {"media": {"id": post.media[0]}}
        elif post.link:
            body["content"] = {"article": {"source": post.link, "title": post.link}}
        return body

    @route("GET", r"/rest/posts")
    def posts_by_author(self, request: Request) -> Response:
        self._authorize(request)
        if request.arg("q") != "author":
            raise LinkedInError(
                400, "ILLEGAL_ARGUMENT", "Invalid query parameters passed to request"
            )
        author = self._owned(request.arg("author") or "")
        posts = self.world.account_posts(self.network, author.id, until=self.world.now())
        return Response(200, self._page(request, posts, self._post))

    # -- statistics and comments ---------------------------------------------------------
    @route("GET", r"/rest/organizationalEntityShareStatistics")
    def share_statistics(self, request: Request) -> Response:
        self._authorize(request)
        author = self._owned(request.arg("organizationalEntity") or "")
        posts = self.world.account_posts(self.network, author.id)
        window = time_range(request.arg("timeIntervals"))
        wanted = restli_list(request.arg("shares")) + restli_list(request.arg("ugcPosts"))
        if window:
            start, end = window
            totals = {name: 0 for name in STATISTICS}
            for post in posts:
                before, after = (
                    statistics_of(post.metrics_at(start)),
                    statistics_of(post.metrics_at(end)),
                )
                for name in STATISTICS:
                    totals[name] += after[name] - before[name]
            elements = [
                {
                    "organizationalEntity": author.id,
                    "timeRange": {"start": millis(start), "end": millis(end)},
                    "totalShareStatistics": totals | {"engagement": 0.0},
                }
            ]
        else:
            by_id = {p.id: p for p in posts}
            elements = []
            for urn in wanted:
                post = by_id.get(urn)
                if post is None:
                    continue
                metrics = post.metrics_at(self.world.now())
                stats = statistics_of(metrics)
                seen = max(1, stats["impressionCount"])
                stats["engagement"] = round(
                    (
                        stats["likeCount"]
                        + stats["commentCount"]
                        + stats["shareCount"]
                        + stats["clickCount"]
                    )
                    / seen,
                    6,
                )
                kind = "ugcPost" if urn.startswith("urn:li:ugcPost:") else "share"
                elements.append(
                    {
                        "organizationalEntity": author.id,
                        kind: urn,
                        "totalShareStatistics": stats,
                    }
                )
        return Response(200, unpaged(elements))

    @route("GET", r"/rest/socialActions/(?P<urn>[^/]+)/comments")
    def comments(self, request: Request) -> Response:
        self._authorize(request)
        urn = unquote(request.params["urn"])
        post = self.world.post(self.network, urn)
        if post is None:
            raise LinkedInError(404, "NOT_FOUND", f"Entity {urn} not found")
        self._owned(post.account_id)
        comments = sorted(
            (
                m
                for m in self.world.network_mentions(self.network)
                if m.in_reply_to == urn and m.created_at <= self.world.now()
            ),
            key=lambda m: m.created_at,
            reverse=True,
        )
        return Response(200, self._page(request, comments, self._comment))

    def _comment(self, comment: SandboxMention) -> dict[str, Any]:
        created = {"actor": comment.author_id, "time": millis(comment.created_at)}
        comment_id = comment.id.rsplit(",", 1)[-1].rstrip(")")
        return {
            "actor": comment.author_id,
            "commentUrn": comment.id
            if comment.id.startswith("urn:")
            else f"urn:li:comment:({comment.in_reply_to},{comment.id})",
            "id": comment_id,
            "object": comment.in_reply_to,
            "message": {"text": comment.text},
            "created": created,
            "lastModified": created,
            "likesSummary": {"totalLikes": comment.likes, "likedByCurrentUser": False},
        }
