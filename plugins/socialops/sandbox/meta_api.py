"""Emulators of the Meta Graph API: one for Facebook Pages, one for Instagram.

Both serve the same API shapes (``/{version}/{node}[/{edge}]``, ``data`` + ``paging``, the
multi-id lookup ``/?ids=``, field expansion such as ``insights.metric(a,b)`` or
``business_discovery.username(x){...}``, error objects with ``code``/``error_subcode``/
``fbtrace_id``/``is_transient``). They are two emulators so that faults and the request log
are per network (``/facebook/v21.0/...`` and ``/instagram/v21.0/...``).

Every answer carries ``X-App-Usage`` and ``X-Business-Use-Case-Usage`` headers whose
percentages rise with the calls of the last hour (``calls_per_hour`` is the 100% mark); past
100% the emulator answers Graph error 32/80001 like Meta does. Any bearer token starting with
``sandbox-`` is valid unless listed in ``world.revoked_tokens``; it stands for the Page token
of the world's owned account on that network (``GET /me`` is that Page).

Both also serve the Marketing API's campaign insights of the one Meta ad account
(``GET /act_{id}/insights``, id :attr:`GraphEmulator.ad_account_id`) from ``world.campaigns``:
Facebook and Instagram campaigns alike, since Meta runs both from the same ad account.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any
from urllib.parse import urlencode

from socialops.sandbox.server import Emulator, Request, Response, route
from socialops.sandbox.world import (
    METRIC_NAMES,
    SandboxAccount,
    SandboxMention,
    SandboxPost,
    api_post_metrics,
)

VERSION = r"/(?P<version>v\d+\.\d+)"
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
#: A link written in a post's text, of which Facebook makes a share card.
LINK = re.compile(r"https?://[^\s<>\"]+")
#: A media URL Instagram plays as a video (its container was a REELS or VIDEO one).
LINK_PATH_VIDEO = re.compile(r"\.(mp4|mov)(\?|$)", re.IGNORECASE)
#: The networks whose campaigns the Meta ad account runs.
META_NETWORKS = ("facebook", "instagram")
#: What the insights answer when ``fields`` is not given (Meta's default: spend and dates).
DEFAULT_INSIGHTS_FIELDS = ("spend",)


class GraphError(Exception):
    """Raised by handlers; rendered as Graph's ``{"error": {...}}`` object."""

    def __init__(self, code: int, message: str, *, status: int = 400, subcode: int | None = None,
                 kind: str = "OAuthException", transient: bool = False):  # fmt: skip
        super().__init__(message)
        self.code, self.status, self.subcode, self.kind, self.transient = (
            code,
            status,
            subcode,
            kind,
            transient,
        )

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": str(self),
            "type": self.kind,
            "code": self.code,
            "is_transient": self.transient,
            "fbtrace_id": "A" + secrets.token_hex(10),
        }
        if self.subcode:
            error["error_subcode"] = self.subcode
        return {"error": error}


def graph_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def split_fields(spec: str | None) -> list[str]:
    """Top-level items of a ``fields`` spec, keeping ``a.b(c,d){e,f}`` expansions whole."""
    items, depth, current = [], 0, ""
    for char in spec or "":
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        items.append(current.strip())
    return items


def field_name(item: str) -> str:
    return re.split(r"[.({]", item, maxsplit=1)[0]


def modifier(item: str, name: str) -> str | None:
    """The argument of ``.name(...)`` in a field expansion (``metric``, ``limit``, ``username``)."""
    found = re.search(rf"\.{name}\(([^)]*)\)", item)
    return found.group(1) if found else None


def subfields(item: str) -> str | None:
    start = item.find("{")
    return item[start + 1 : item.rfind("}")] if start >= 0 else None


def select(obj: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """Graph returns only the requested fields (and always the id)."""
    if not fields:
        return obj
    names = {field_name(f) for f in fields} | {"id"}
    return {k: v for k, v in obj.items() if k in names}


def unix_arg(request: Request, name: str) -> datetime | None:
    raw = request.arg(name)
    if raw is None:
        return None
    if raw.isdigit():
        return datetime.fromtimestamp(int(raw), UTC)
    return datetime.fromisoformat(raw).replace(tzinfo=UTC)


def form_fields(request: Request) -> dict[str, str]:
    """POST parameters: query string, url-encoded body or multipart (a photo ``source`` upload)."""
    fields = {k: v[0] for k, v in request.query.items()}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=default_policy).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + request.body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (
                f"upload:{part.get_filename()}"
                if part.get_filename()
                else part.get_content().strip()
            )
    elif request.body:
        fields.update(request.form())
    return fields


def _picture(account: SandboxAccount) -> dict[str, str]:
    """Instagram omits ``profile_picture_url`` for an account with the default picture."""
    if not account.has_picture:
        return {}
    return {"profile_picture_url": f"https://scontent.cdninstagram.com/{account.handle}.jpg"}


def meta_campaign_id(name: str) -> str:
    """A stable Meta-looking numeric campaign id for a world campaign (named by its config id)."""
    return str(120_210_000_000_000_000 + zlib.crc32(name.encode()))


class GraphEmulator(Emulator):
    """What both Graph emulators share: auth, usage headers, paging, field selection, errors."""

    #: Calls per rolling hour that make the usage headers read 100%.
    calls_per_hour = 2000
    #: The brand's Meta ad account (``act_<id>``) and its currency.
    ad_account_id = "1029384756"
    ad_account_currency = "EUR"

    def __init__(self, world):
        super().__init__(world)
        self._calls: deque[datetime] = deque()

    @classmethod
    def connection(cls, base_url: str) -> dict[str, Any]:
        return {
            "conn_type": cls.network,
            "host": f"{base_url}/{cls.network}",
            "password": f"sandbox-{cls.network}-page-token",
            "extra": {"api_version": "v21.0", "ad_account_id": cls.ad_account_id},
        }

    # -- usage and faults ------------------------------------------------------------------
    def _usage(self) -> int:
        now = self.world.now()
        while self._calls and self._calls[0] < now - timedelta(hours=1):
            self._calls.popleft()
        return min(100, math.ceil(100 * len(self._calls) / self.calls_per_hour))

    def _usage_headers(self, usage: int, regain_minutes: int = 0) -> dict[str, str]:
        app = {"call_count": usage, "total_time": usage * 3 // 4, "total_cputime": usage // 2}
        owner = self.owned().id if self.owned() else "0"
        buc = {owner: [{"type": "pages", **app, "estimated_time_to_regain_access": regain_minutes}]}
        return {"X-App-Usage": json.dumps(app), "X-Business-Use-Case-Usage": json.dumps(buc)}

    def _error(self, error: GraphError, usage: int | None = None, regain: int = 0) -> Response:
        headers = self._usage_headers(self._usage() if usage is None else usage, regain)
        if error.code == 190:
            headers["WWW-Authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{error}"'
        return Response(error.status, error.body(), headers)

    def rate_limited(self, request: Request, reset_at: datetime) -> Response:
        minutes = max(1, math.ceil((reset_at - self.world.now()).total_seconds() / 60))
        error = GraphError(
            80001,
            "There have been too many calls to this Page account. Wait a bit and try again.",
            status=400,
        )
        return self._error(error, usage=100, regain=minutes)

    def server_error(self, request: Request) -> Response:
        error = GraphError(2, "An unexpected error has occurred. Please retry your request later.",
                           status=500, transient=True)  # fmt: skip
        return self._error(error)

    def expired_token(self, request: Request) -> Response:
        return self._error(self._expired())

    def _expired(self) -> GraphError:
        return GraphError(
            190,
            "Error validating access token: Session has expired on Friday, 20-Nov-26 08:00:00 PST.",
            status=401,
            subcode=463,
        )

    def not_found(self, request: Request) -> Response:
        return self._error(
            GraphError(100, f"Unknown path components: {request.path}", kind="GraphMethodException")
        )

    # -- dispatch ----------------------------------------------------------------------------
    def _serve(self, request: Request, handler: Callable[[], Any]) -> Response:
        token = request.bearer or request.arg("access_token")
        if not token:
            return self._error(
                GraphError(104, "An access token is required to request this resource.")
            )
        if not token.startswith("sandbox-") or token in self.world.revoked_tokens:
            return self._error(self._expired())
        usage = self._usage()
        if usage >= 100:
            error = GraphError(32, "Page request limit reached", status=400)
            return self._error(error, usage=100, regain=60)
        self._calls.append(self.world.now())
        try:
            body = handler()
        except GraphError as error:
            return self._error(error)
        return Response(200, body, self._usage_headers(self._usage()))

    @route("GET", VERSION + r"/?")
    def get_many(self, request: Request) -> Response:
        def lookup() -> dict[str, Any]:
            ids = [i for i in (request.arg("ids") or "").split(",") if i]
            if not ids:
                raise GraphError(100, "Unsupported get request.", kind="GraphMethodException")
            if len(ids) > 50:
                raise GraphError(100, f"(#100) Too many IDs. Maximum: 50. Provided: {len(ids)}.")
            missing = [i for i in ids if self.resolve(i) is None]
            if missing:
                raise GraphError(
                    100,
                    f"(#803) Some of the aliases you requested do not exist: {','.join(missing)}",
                )
            return {i: self.render(request, self.resolve(i)) for i in ids}

        return self._serve(request, lookup)

    @route("GET", VERSION + r"/(?P<node>[^/]+)")
    def get_node(self, request: Request) -> Response:
        def node() -> dict[str, Any]:
            found = self.resolve(request.params["node"])
            if found is None:
                raise GraphError(
                    100,
                    f"Unsupported get request. Object with ID '{request.params['node']}' does "
                    "not exist, cannot be loaded due to missing permissions, or does not "
                    "support this operation.",
                    subcode=33,
                    kind="GraphMethodException",
                )
            return self.render(request, found)

        return self._serve(request, node)

    @route("GET", VERSION + r"/(?P<node>[^/]+)/(?P<edge>[a-z_]+)")
    def get_edge(self, request: Request) -> Response:
        return self._serve(request, lambda: self._edge(request, "get"))

    @route("POST", VERSION + r"/(?P<node>[^/]+)/(?P<edge>[a-z_]+)")
    def post_edge(self, request: Request) -> Response:
        return self._serve(request, lambda: self._edge(request, "post"))

    def _edge(self, request: Request, verb: str) -> Any:
        found = self.resolve(request.params["node"])
        handler = getattr(self, f"{verb}_{request.params['edge']}", None)
        if found is None or handler is None:
            raise GraphError(
                100, f"Unknown path components: /{request.params['edge']}", kind="OAuthException"
            )
        return handler(request, found)

    # -- ads reporting (Marketing API) -----------------------------------------------------
    # Named so that it sorts, hence matches, before the generic ``get_edge`` route.
    @route("GET", VERSION + r"/act_(?P<ad_account>[^/]+)/insights")
    def get_ad_account_insights(self, request: Request) -> Response:
        return self._serve(request, lambda: self._campaign_insights(request))

    def _campaign_insights(self, request: Request) -> dict[str, Any]:
        """``level=campaign&time_increment=1``: one row per campaign and day with delivery."""
        account = request.params["ad_account"]
        if account != self.ad_account_id:
            raise GraphError(
                100,
                f"Unsupported get request. Object with ID 'act_{account}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this "
                "operation.",
                subcode=33,
                kind="GraphMethodException",
            )
        if request.arg("level") != "campaign":
            raise GraphError(100, "(#100) The sandbox emulates level=campaign insights only")
        if request.arg("time_increment") != "1":
            raise GraphError(100, "(#100) The sandbox emulates time_increment=1 (daily rows) only")
        since, until = self._time_range(request)
        rows = sorted(
            (
                row
                for row in self.world.campaigns
                if row["network"] in META_NETWORKS and since <= row["day"] <= until
            ),
            key=lambda row: (row["day"], row["campaign_id"]),
        )
        fields = split_fields(request.arg("fields")) or list(DEFAULT_INSIGHTS_FIELDS)
        return self.page(request, rows, lambda row: self._insights_row(row, fields))

    def _time_range(self, request: Request) -> tuple[str, str]:
        """ISO days of ``time_range={"since": .., "until": ..}``; Meta's default is the last
        30 days."""
        raw = request.arg("time_range")
        if raw is None:
            today = self.world.now().date()
            return (today - timedelta(days=30)).isoformat(), (today - timedelta(days=1)).isoformat()
        try:
            parsed = json.loads(raw)
            since, until = (date.fromisoformat(parsed[k]) for k in ("since", "until"))
        except (ValueError, KeyError, TypeError):
            raise GraphError(
                100,
                '(#100) param time_range must be {"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}, '
                f"got {raw}",
            ) from None
        if until < since:
            raise GraphError(100, "(#100) time_range: since must be before until")
        return since.isoformat(), until.isoformat()

    def _insights_row(self, row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        """A row as Meta sends it: numbers as strings, purchases inside ``actions``."""
        conversions, revenue = row["conversions"], row["revenue"]
        purchases = ("offsite_conversion.fb_pixel_purchase", "purchase")
        body = {
            "campaign_id": meta_campaign_id(row["campaign_id"]),
            "campaign_name": row["campaign_id"],
            "spend": f"{row['spend']:.2f}",
            "impressions": str(row["impressions"]),
            "clicks": str(row["clicks"]),
            "actions": [{"action_type": "link_click", "value": str(int(row["clicks"] * 0.85))}]
            + [
                {"action_type": kind, "value": str(conversions)}
                for kind in purchases
                if conversions
            ],
            "action_values": [
                {"action_type": kind, "value": f"{revenue:.2f}"}
                for kind in purchases
                if conversions
            ],
            "account_currency": self.ad_account_currency,
        }
        selected = {k: v for k, v in body.items() if k in {field_name(f) for f in fields}}
        # Meta leaves out an empty actions list rather than sending [].
        selected = {k: v for k, v in selected.items() if v != []}
        return selected | {"date_start": row["day"], "date_stop": row["day"]}

    # -- the world -----------------------------------------------------------------------
    def owned(self, network: str | None = None) -> SandboxAccount | None:
        network = network or self.network
        return next(
            (a for (n, _), a in self.world.accounts.items() if n == network and a.role == "owned"),
            None,
        )

    def resolve(self, node: str) -> SandboxAccount | SandboxPost | SandboxMention | dict | None:
        """What a path component names: ``me``, an account id or username, a post, a comment."""
        if node == "me":
            return self.owned()
        return (
            self.world.account(self.network, node)
            or self.world.post(self.network, node)
            or next((m for m in self.world.network_mentions(self.network) if m.id == node), None)
        )

    def render(self, request: Request, obj: Any) -> dict[str, Any]:
        fields = split_fields(request.arg("fields"))
        if isinstance(obj, SandboxAccount):
            return self.render_account(obj, fields)
        if isinstance(obj, SandboxPost):
            return self.render_post(request, obj, fields)
        if isinstance(obj, SandboxMention):
            return select(
                self.render_comment(obj) if obj.in_reply_to else self.render_mention(obj), fields
            )
        return select(obj, fields)

    def render_account(self, account: SandboxAccount, fields: list[str]) -> dict[str, Any]:
        raise NotImplementedError

    def render_post(self, request: Request, post: SandboxPost, fields: list[str]) -> dict[str, Any]:
        raise NotImplementedError

    def render_comment(self, comment: SandboxMention) -> dict[str, Any]:
        raise NotImplementedError

    def render_mention(self, mention: SandboxMention) -> dict[str, Any]:
        raise NotImplementedError

    # -- shared pieces -------------------------------------------------------------------
    def page(self, request: Request, items: list[Any], render: Callable[[Any], dict[str, Any]],
             limit: int | None = None) -> dict[str, Any]:  # fmt: skip
        """One cursor-paged answer: ``data`` and ``paging`` (``cursors``, ``next`` when more
        remain)."""
        after = request.arg("after")
        try:
            size = min(MAX_LIMIT, int(request.arg("limit") or limit or DEFAULT_LIMIT))
            start = int(base64.b64decode(after).decode()) if after else 0
        except ValueError:  # binascii.Error and UnicodeDecodeError included
            raise GraphError(
                100, "(#100) Invalid 'limit' or 'after' cursor", kind="OAuthException"
            ) from None
        chunk = items[start : start + size]
        body: dict[str, Any] = {"data": [render(item) for item in chunk]}
        if chunk:
            body["paging"] = {
                "cursors": {
                    "before": base64.b64encode(str(start).encode()).decode(),
                    "after": base64.b64encode(str(start + len(chunk)).encode()).decode(),
                }
            }
            if start + len(chunk) < len(items):
                query = {k: v[0] for k, v in request.query.items()} | {
                    "after": body["paging"]["cursors"]["after"]
                }
                host = request.headers.get("host", "127.0.0.1")
                body["paging"]["next"] = (
                    f"http://{host}/{self.network}{request.path}?{urlencode(query)}"
                )
        return body

    def in_window(self, request: Request, items: list[Any], attr: str = "created_at") -> list[Any]:
        since, until = unix_arg(request, "since"), unix_arg(request, "until")
        return [
            i
            for i in items
            if (since is None or getattr(i, attr) >= since)
            and (until is None or getattr(i, attr) < until)
        ]

    def published(
        self,
        account: SandboxAccount,
        *,
        since: datetime | None = None,
        before: datetime | None = None,
    ) -> list[SandboxPost]:
        """The account's posts up to now, newest first (a frozen clock hides later ones),
        created at or after ``since`` and before ``before`` when given: a binary search in
        the account's timeline, so a page costs the window's posts, not the account's."""
        now = self.world.now()
        until = now if before is None else min(now, before)
        posts = self.world.account_posts(self.network, account.id, since=since, until=until)
        # The timeline's end is included, Graph's ``until`` is not: only the newest posts,
        # at the first places of the list, can sit exactly on it.
        cut = 0
        while before is not None and cut < len(posts) and posts[cut].created_at >= before:
            cut += 1
        return posts[cut:] if cut else posts

    def posts_edge(self, request: Request, account: SandboxAccount) -> dict[str, Any]:
        """An account's own posts (Facebook ``/posts``, Instagram ``/media``), paged and
        windowed by ``since`` and ``until`` (Unix times)."""
        fields = split_fields(request.arg("fields"))
        posts = self.published(
            account, since=unix_arg(request, "since"), before=unix_arg(request, "until")
        )
        return self.page(request, posts, lambda p: self.render_post(request, p, fields))

    def tagged_edge(self, request: Request) -> dict[str, Any]:
        """Posts by others that tag the account: the world's mentions on this network."""
        tagged = sorted(
            (
                m
                for m in self.world.network_mentions(self.network)
                if not m.in_reply_to and m.created_at <= self.world.now()
            ),
            key=lambda m: m.created_at,
            reverse=True,
        )
        fields = split_fields(request.arg("fields"))
        return self.page(
            request,
            self.in_window(request, tagged),
            lambda m: select(self.render_mention(m), fields),
        )

    def day_growth(
        self, request: Request, account: SandboxAccount
    ) -> tuple[datetime, datetime, dict[str, int]]:
        """The UTC day starting at ``since`` and how much each metric of the account's posts
        grew in it."""
        since = unix_arg(request, "since") or self.world.now() - timedelta(days=1)
        start = since.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=1)
        grown = dict.fromkeys(METRIC_NAMES, 0)
        for post in self.world.account_posts(self.network, account.id):
            before, after = post.metrics_at(start), post.metrics_at(end)  # once per post
            for name in METRIC_NAMES:
                grown[name] += after.get(name, 0) - before.get(name, 0)
        return start, end, grown

    def comments_of(self, post: SandboxPost, *, stream: bool = False) -> list[SandboxMention]:
        """The post's comments, oldest first: the top-level ones (Graph's default
        ``filter=toplevel``), or with the replies to them too (``filter=stream``)."""
        return sorted(
            (
                m
                for m in self.world.network_mentions(self.network)
                if m.in_reply_to == post.id
                and m.created_at <= self.world.now()
                and (stream or m.parent is None)
            ),
            key=lambda m: m.created_at,
        )

    def replies_of(self, comment: SandboxMention) -> list[SandboxMention]:
        """The replies in a comment's thread, oldest first."""
        return sorted(
            (
                m
                for m in self.world.network_mentions(self.network)
                if m.parent == comment.id and m.created_at <= self.world.now()
            ),
            key=lambda m: m.created_at,
        )

    def comments_edge(
        self, request: Request, post: SandboxPost, item: str | None = None
    ) -> dict[str, Any]:
        """``/{post}/comments`` or the ``comments.limit(n){...}`` expansion of a post
        (``filter(stream)`` or ``filter=stream``: with the replies, each naming its
        ``parent``)."""
        limit = modifier(item, "limit") if item else None
        stream = (modifier(item, "filter") if item else request.arg("filter")) == "stream"
        body = self.page(
            request,
            self.comments_of(post, stream=stream),
            self.render_comment,
            int(limit) if limit else None,
        )
        if item and subfields(item):
            body["data"] = [select(c, split_fields(subfields(item))) for c in body["data"]]
        return body

    def get_comments(self, request: Request, post: Any) -> dict[str, Any]:
        if not isinstance(post, SandboxPost):
            raise GraphError(100, "(#100) Tried accessing nonexisting field (comments)")
        body = self.comments_edge(request, post)
        fields = split_fields(request.arg("fields"))
        body["data"] = [select(c, fields) for c in body["data"]]
        return body

    def insights_body(
        self,
        values: dict[str, int],
        period: str,
        *,
        node: str,
        end: datetime | None = None,
        total_value: bool = False,
    ) -> dict[str, Any]:
        data = []
        for name, value in values.items():
            item: dict[str, Any] = {
                "name": name,
                "period": period,
                "title": name.replace("_", " ").title(),
                "description": f"Sandbox {name}",
                "id": f"{node}/insights/{name}/{period}",
            }
            if total_value:
                item["total_value"] = {"value": value}
            else:
                item["values"] = [
                    {"value": value, **({"end_time": graph_time(end)} if end else {})}
                ]
            data.append(item)
        return {"data": data}

    def wanted_metrics(self, request_metrics: str | None, supported: dict[str, Any]) -> list[str]:
        names = [m for m in (request_metrics or "").split(",") if m]
        if not names:
            raise GraphError(100, "(#100) The parameter metric is required")
        for position, name in enumerate(names):
            if name not in supported:
                raise GraphError(
                    100,
                    f"(#100) metric[{position}] must be one of the following values: "
                    f"{', '.join(supported)}",
                )
        return names

    def new_post(
        self, account: SandboxAccount, post_id: str, text: str, kind: str, **extra: Any
    ) -> SandboxPost:
        return self.world.add_post(
            SandboxPost(
                network=self.network,
                id=post_id,
                account_id=account.id,
                text=text,
                created_at=self.world.now(),
                kind=kind,
                final=api_post_metrics(account, kind),
                extra={"via_api": True},
                **extra,
            )
        )


class FacebookEmulator(GraphEmulator):
    network = "facebook"
    conn_id = "facebook_default"
    POST_METRICS = {
        "post_impressions": "impressions",
        "post_impressions_unique": "reach",
        "post_clicks": "link_clicks",
        "post_video_views": "video_views",
        "post_engaged_users": "likes",
    }
    PAGE_METRICS = ("page_follows", "page_impressions", "page_impressions_unique",
                    "page_views_total", "page_post_engagements")  # fmt: skip

    def render_account(self, account: SandboxAccount, fields: list[str]) -> dict[str, Any]:
        followers = account.followers_at(self.world.now(), self.world.epoch)
        return select(
            {
                "id": account.id,
                "name": account.name,
                "username": account.handle,
                "fan_count": int(followers * 0.92),
                "followers_count": followers,
                "about": account.bio,
                "verification_status": "blue_verified" if account.verified else "not_verified",
                "link": f"https://www.facebook.com/{account.handle}",
                "category": "Brand",
            },
            fields,
        )

    def render_post(self, request: Request, post: SandboxPost, fields: list[str]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": post.id,
            "message": post.text,
            "created_time": graph_time(post.created_at),
            "permalink_url": f"https://www.facebook.com/{post.account_id}/posts/{post.id.split('_')[-1]}",
            "status_type": "added_photos"
            if post.media
            else ("shared_story" if post.link else "mobile_status_update"),
        }
        attachments = self._attachments(post)
        if attachments:  # Graph omits the edge of a post without any
            body["attachments"] = {"data": attachments}
        metrics = post.metrics_at(self.world.now())
        for item in fields:
            name = field_name(item)
            if name == "insights":
                wanted = self.wanted_metrics(modifier(item, "metric"), self.POST_METRICS)
                values = {m: metrics.get(self.POST_METRICS[m], 0) for m in wanted}
                body["insights"] = self.insights_body(values, "lifetime", node=post.id)
            elif name == "reactions":
                body["reactions"] = {
                    "data": [],
                    "summary": {"total_count": metrics.get("likes", 0), "viewer_reaction": "NONE"},
                }
            elif name == "comments" and modifier(item, "summary"):
                body["comments"] = {
                    "data": [],
                    "summary": {
                        "order": "ranked",
                        "total_count": metrics.get("comments", 0),
                        "can_comment": True,
                    },
                }
            elif name == "comments":
                body["comments"] = self.comments_edge(request, post, item)
            elif name == "shares" and metrics.get("shares"):
                body["shares"] = {"count": metrics["shares"]}
        return select(body, fields)

    @staticmethod
    def _attachments(post: SandboxPost) -> list[dict[str, Any]]:
        """A post's ``attachments``: its photos (an album of several), else a share card of
        its ``link`` or, as Facebook makes one, of the first link in its message."""
        photos = [
            {"media_type": "photo", "type": "photo",
             "url": "https://www.facebook.com/photo.php?fbid="
                    f"{post.extra.get('photo_id', post.id)}"}
            for _ in post.media
        ]  # fmt: skip
        if len(photos) == 1:
            return photos
        if photos:
            return [{"media_type": "album", "type": "album", "subattachments": {"data": photos}}]
        link = post.link or next(iter(LINK.findall(post.text)), None)
        if not link:
            return []
        shim = "https://l.facebook.com/l.php?" + urlencode({"u": link})
        return [{"media_type": "link", "type": "share", "url": shim, "unshimmed_url": link}]

    def render_comment(self, comment: SandboxMention) -> dict[str, Any]:
        body = {
            "id": comment.id,
            "message": comment.text,
            "created_time": graph_time(comment.created_at),
            "from": {"id": comment.author_id, "name": comment.author_handle},
            "like_count": comment.likes,
            "permalink_url": f"https://www.facebook.com/{comment.in_reply_to}?comment_id={comment.id}",
        }
        if comment.parent:  # Graph names the parent of a reply only
            body["parent"] = {"id": comment.parent}
        return body

    def render_mention(self, mention: SandboxMention) -> dict[str, Any]:
        return {
            "id": mention.id,
            "message": mention.text,
            "created_time": graph_time(mention.created_at),
            "from": {"id": mention.author_id, "name": mention.author_handle},
            "permalink_url": f"https://www.facebook.com/{mention.id}",
        }

    def _page_account(self, node: Any) -> SandboxAccount:
        if not isinstance(node, SandboxAccount):
            raise GraphError(100, "(#100) Tried accessing nonexisting field on a non-Page object")
        return node

    def get_posts(self, request: Request, node: Any) -> dict[str, Any]:
        page = self._page_account(node)
        self._check_public_content(page)
        return self.posts_edge(request, page)

    def _check_public_content(self, page: SandboxAccount) -> None:
        """Another Page's posts need the Page Public Content Access feature."""
        if page.role != "owned" and not self.world.page_public_content_access:
            raise GraphError(
                10,
                "(#10) To use 'Page Public Content Access', your use of this endpoint must be "
                "reviewed and approved by Facebook.",
            )

    get_feed = get_posts

    def get_tagged(self, request: Request, node: Any) -> dict[str, Any]:
        page = self._page_account(node)
        if page.role != "owned":
            raise GraphError(
                10,
                "(#10) This endpoint requires the 'pages_read_engagement' permission on this Page",
            )
        return self.tagged_edge(request)

    def get_insights(self, request: Request, node: Any) -> dict[str, Any]:
        if isinstance(node, SandboxPost):
            wanted = self.wanted_metrics(request.arg("metric"), self.POST_METRICS)
            metrics = node.metrics_at(self.world.now())
            return self.insights_body(
                {m: metrics.get(self.POST_METRICS[m], 0) for m in wanted}, "lifetime", node=node.id
            )
        page = self._page_account(node)
        if page.role != "owned":
            raise GraphError(
                190, "(#190) This method must be called with a Page Access Token", status=400
            )
        wanted = self.wanted_metrics(request.arg("metric"), dict.fromkeys(self.PAGE_METRICS))
        _, end, grown = self.day_growth(request, page)
        values = {
            "page_follows": page.followers_at(end, self.world.epoch),
            "page_impressions": grown["impressions"],
            "page_impressions_unique": grown["reach"],
            "page_views_total": max(0, int(page.followers_at(end, self.world.epoch) * 0.004)),
            "page_post_engagements": grown["likes"] + grown["comments"] + grown["shares"],
        }
        return self.insights_body({m: values[m] for m in wanted}, "day", node=page.id, end=end)

    def post_feed(self, request: Request, node: Any) -> dict[str, Any]:
        page = self._owned_page(node)
        params = form_fields(request)
        message = params.get("message", "")
        if not message and not params.get("link"):
            raise GraphError(100, "(#100) Either message or link must be specified")
        day_ago = self.world.now() - timedelta(hours=24)
        link = params.get("link")
        if message and any(
            (p.text, p.link) == (message, link) and p.created_at >= day_ago
            for p in self.world.account_posts(self.network, page.id)
        ):
            raise GraphError(506, "(#506) Duplicate status message")
        post = self.new_post(page, f"{page.id}_{self.world.new_id()}", message, "post", link=link)
        return {"id": post.id}

    def post_photos(self, request: Request, node: Any) -> dict[str, Any]:
        page = self._owned_page(node)
        params = form_fields(request)
        source = params.get("url") or params.get("source")
        if not source:
            raise GraphError(324, "(#324) Requires upload file", subcode=2069019)
        photo_id = self.world.new_id()
        text = params.get("caption") or params.get("message", "")
        post = self.new_post(
            page, f"{page.id}_{self.world.new_id()}", text, "photo", media=[source]
        )
        post.extra["photo_id"] = photo_id
        return {"id": photo_id, "post_id": post.id}

    def _owned_page(self, node: Any) -> SandboxAccount:
        page = self._page_account(node)
        if page.role != "owned":
            raise GraphError(
                200,
                "(#200) The user hasn't authorized the application to perform this action",
                kind="OAuthException",
                status=403,
            )
        return page


class InstagramEmulator(GraphEmulator):
    network = "instagram"
    conn_id = "instagram_default"
    #: ``impressions``/``video_views`` are gone since 2025: asking for them is an error, as on Meta.
    MEDIA_METRICS = {"reach": "reach", "saved": "saves", "shares": "shares", "views": None,
                     "likes": "likes", "comments": "comments",
                     "total_interactions": None}  # fmt: skip
    ACCOUNT_METRICS = ("reach", "views", "profile_views", "follower_count", "accounts_engaged",
                       "total_interactions")  # fmt: skip
    #: Posts an account may publish through the API in 24 hours (Meta's current limit).
    quota_total = 100
    #: Status polls a video container answers IN_PROGRESS before FINISHED.
    video_processing_polls = 2

    def __init__(self, world):
        super().__init__(world)
        self.containers: dict[str, dict[str, Any]] = {}

    @classmethod
    def connection(cls, base_url: str) -> dict[str, Any]:
        connection = super().connection(base_url)
        # The emulator never downloads media: any public-looking base lets calendar files through.
        connection["extra"]["media_base_url"] = f"{base_url}/instagram/media"
        return connection

    def resolve(self, node: str) -> Any:
        """Containers and Instagram nodes, else the linked Facebook Page (``me`` with a Page
        token)."""
        if node in self.containers:
            return self.containers[node]
        found = super().resolve(node) if node != "me" else None
        if found is not None:
            return found
        page = self.owned("facebook") if node == "me" else self.world.account("facebook", node)
        if node == "me" or (page and page.role == "owned"):
            return {"kind": "page", "page": page}
        return None

    def render(self, request: Request, obj: Any) -> dict[str, Any]:
        if isinstance(obj, dict) and obj.get("kind") == "page":
            return self.render_page(obj["page"], split_fields(request.arg("fields")))
        if isinstance(obj, dict) and obj.get("kind") == "container":
            return self.render_container(obj, split_fields(request.arg("fields")))
        return super().render(request, obj)

    def render_page(self, page: SandboxAccount | None, fields: list[str]) -> dict[str, Any]:
        account = self.owned()
        # Graph expands a linked node in place: instagram_business_account{username,...}.
        wanted = next((f for f in fields if field_name(f) == "instagram_business_account"), "")
        linked = None
        if account:
            linked = (
                select(self._profile(account), split_fields(subfields(wanted)))
                if subfields(wanted)
                else {"id": account.id}
            )
        body = {
            "id": page.id if page else "100000000000001",
            "name": page.name if page else "Sandbox Page",
            "instagram_business_account": linked,
        }
        return select({k: v for k, v in body.items() if v is not None}, fields)

    def render_account(self, account: SandboxAccount, fields: list[str]) -> dict[str, Any]:
        body = self._profile(account)
        for item in fields:
            if field_name(item) == "business_discovery":
                body["business_discovery"] = self._business_discovery(item)
        return select(body, fields)

    def _profile(self, account: SandboxAccount) -> dict[str, Any]:
        return {
            "id": account.id,
            "ig_id": int(account.id[-10:]),
            "username": account.handle,
            "name": account.name,
            "followers_count": account.followers_at(self.world.now(), self.world.epoch),
            "follows_count": account.following,
            "media_count": len(self.world.account_posts(self.network, account.id)),
            "biography": account.bio,
            "website": f"https://{account.handle}.example",
            **_picture(account),
        }

    def _business_discovery(self, item: str) -> dict[str, Any]:
        username = (modifier(item, "username") or "").strip()
        account = self.world.account(self.network, username)
        if account is None or account.role == "public" or not account.business:
            raise GraphError(110, "Invalid user id", subcode=2207013,
                             kind="OAuthException")  # fmt: skip
        wanted = split_fields(subfields(item))
        body = self._profile(account)
        for sub in wanted:
            if field_name(sub) == "media":
                limit = int(modifier(sub, "limit") or DEFAULT_LIMIT)
                posts = self.published(account)[:limit]
                media_fields = split_fields(subfields(sub))
                body["media"] = {"data": [select(self._media(p), media_fields) for p in posts]}
        return select(body, wanted)

    def _media(self, post: SandboxPost) -> dict[str, Any]:
        media_type, product = {
            "reel": ("VIDEO", "REELS"),
            "carousel": ("CAROUSEL_ALBUM", "FEED"),
        }.get(post.kind, ("IMAGE", "FEED"))
        metrics = post.metrics_at(self.world.now())
        account = self.world.accounts.get((self.network, post.account_id))
        return {
            "id": post.id,
            "caption": post.text,
            "media_type": media_type,
            "media_product_type": product,
            "permalink": (
                f"https://www.instagram.com/{'reel' if post.kind == 'reel' else 'p'}/"
                f"{post.extra.get('shortcode', post.id[-11:])}/"
            ),
            "timestamp": graph_time(post.created_at),
            "username": account.handle if account else None,
            "like_count": metrics.get("likes", 0),
            "comments_count": metrics.get("comments", 0),
        }

    def render_post(self, request: Request, post: SandboxPost, fields: list[str]) -> dict[str, Any]:
        body = self._media(post)
        if post.kind == "carousel":
            body["children"] = {
                "data": [
                    {"id": f"{post.id}{n}",
                     "media_type": "VIDEO" if LINK_PATH_VIDEO.search(url) else "IMAGE"}
                    for n, url in enumerate(post.media, 1)
                ]
            }  # fmt: skip
        for item in fields:
            name = field_name(item)
            if name == "insights":
                body["insights"] = self._media_insights(post, modifier(item, "metric"))
            elif name == "comments":
                body["comments"] = self.comments_edge(request, post, item)
        return select(body, fields)

    def _media_insights(self, post: SandboxPost, metric_arg: str | None) -> dict[str, Any]:
        wanted = self.wanted_metrics(metric_arg, self.MEDIA_METRICS)
        metrics = post.metrics_at(self.world.now())
        metrics["views"] = metrics.get("video_views") or metrics.get("impressions", 0)
        metrics["total_interactions"] = sum(
            metrics.get(k, 0) for k in ("likes", "comments", "shares", "saves")
        )
        return self.insights_body(
            {m: metrics.get(self.MEDIA_METRICS[m] or m, 0) for m in wanted},
            "lifetime",
            node=post.id,
        )

    def render_comment(self, comment: SandboxMention, *, replies: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": comment.id,
            "text": comment.text,
            "timestamp": graph_time(comment.created_at),
            "username": comment.author_handle,
            "like_count": comment.likes,
            "from": {"id": comment.author_id, "username": comment.author_handle},
        }
        if replies and comment.parent is None:
            # The ``replies`` edge of an Instagram comment (its thread), oldest first.
            body["replies"] = {
                "data": [self.render_comment(r, replies=False) for r in self.replies_of(comment)]
            }
        return body

    def render_mention(self, mention: SandboxMention) -> dict[str, Any]:
        return {
            "id": mention.id,
            "caption": mention.text,
            "timestamp": graph_time(mention.created_at),
            "username": mention.author_handle,
            "media_type": "IMAGE",
            "permalink": f"https://www.instagram.com/p/{mention.id[-11:]}/",
        }

    # -- hashtag search (listening) -------------------------------------------------------
    # Both named so that they sort, hence match, before the generic get_node / get_edge.
    #: Instagram's rule: 30 unique hashtags per account within a rolling 7 days.
    HASHTAG_LIMIT, HASHTAG_WINDOW = 30, timedelta(days=7)

    @route("GET", VERSION + r"/ig_hashtag_search")
    def get_a_hashtag_search(self, request: Request) -> Response:
        def search() -> dict[str, Any]:
            tag = (request.arg("q") or "").lstrip("#").casefold()
            owned = self.owned()
            if not tag or owned is None or request.arg("user_id") != owned.id:
                raise GraphError(100, "(#100) ig_hashtag_search needs q and the user_id")
            now = self.world.now()
            searched = self.__dict__.setdefault("hashtags_searched", {})
            recent = {t for t, at in searched.items() if now - at < self.HASHTAG_WINDOW}
            if tag not in recent and len(recent) >= self.HASHTAG_LIMIT:
                raise GraphError(
                    24, "(#24) The user has reached the limit of 30 unique hashtags in 7 days",
                    subcode=2207034,
                )  # fmt: skip
            if tag not in recent:
                searched[tag] = now
            return {"data": [{"id": hashtag_id(tag)}]}

        return self._serve(request, search)

    @route("GET", VERSION + r"/(?P<hashtag>17\d{12,})/recent_media")
    def get_a_hashtag_recent_media(self, request: Request) -> Response:
        """Media of the last 24 hours whose caption holds the hashtag, newest first."""

        def recent() -> dict[str, Any]:
            now = self.world.now()
            searched = self.__dict__.get("hashtags_searched", {})
            tag = next((t for t in searched if hashtag_id(t) == request.params["hashtag"]), None)
            if tag is None:
                raise GraphError(100, "(#100) Unknown hashtag id", kind="GraphMethodException")
            pattern = re.compile(r"#" + re.escape(tag) + r"(?!\w)", re.IGNORECASE)
            media = sorted(
                (
                    m
                    for m in self.world.network_mentions(self.network)
                    if not m.in_reply_to
                    and now - timedelta(hours=24) <= m.created_at <= now
                    and pattern.search(m.text)
                ),
                key=lambda m: m.created_at,
                reverse=True,
            )
            fields = split_fields(request.arg("fields"))
            return self.page(request, media, lambda m: select(self.render_mention(m), fields))

        return self._serve(request, recent)

    def render_container(self, container: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        if container["status_code"] == "IN_PROGRESS":
            container["polls_left"] -= 1
            if container["polls_left"] < 0:
                container["status_code"] = "FINISHED"
        status = {
            "ERROR": "Error: Media upload has failed with error code 2207026",
            "IN_PROGRESS": "In Progress: Media is still being processed.",
            "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
            "PUBLISHED": "Published",
        }
        return select(
            {
                "id": container["id"],
                "status_code": container["status_code"],
                "status": status[container["status_code"]],
            },
            fields,
        )

    # -- edges ---------------------------------------------------------------------------
    def _own_account(self, node: Any) -> SandboxAccount:
        if not isinstance(node, SandboxAccount) or node.role != "owned":
            raise GraphError(10, "(#10) Application does not have permission for this action")
        return node

    def get_media(self, request: Request, node: Any) -> dict[str, Any]:
        return self.posts_edge(request, self._own_account(node))

    def get_tags(self, request: Request, node: Any) -> dict[str, Any]:
        self._own_account(node)
        return self.tagged_edge(request)

    def get_insights(self, request: Request, node: Any) -> dict[str, Any]:
        if isinstance(node, SandboxPost):
            return self._media_insights(node, request.arg("metric"))
        account = self._own_account(node)
        wanted = self.wanted_metrics(request.arg("metric"), dict.fromkeys(self.ACCOUNT_METRICS))
        start, end, grown = self.day_growth(request, account)
        values = {
            "reach": grown["reach"],
            "views": grown["impressions"],
            "profile_views": int(account.followers_at(end, self.world.epoch) * 0.006),
            "follower_count": account.followers_at(end, self.world.epoch)
            - account.followers_at(start, self.world.epoch),
            "accounts_engaged": grown["likes"] // 2,
            "total_interactions": grown["likes"]
            + grown["comments"]
            + grown["shares"]
            + grown["saves"],
        }
        total_value = request.arg("metric_type") == "total_value"
        return self.insights_body(
            {m: values[m] for m in wanted}, "day", node=account.id, end=end, total_value=total_value
        )

    def _published_today(self, account: SandboxAccount) -> int:
        day_ago = self.world.now() - timedelta(hours=24)
        return sum(
            1
            for p in self.world.account_posts(self.network, account.id)
            if p.extra.get("via_api") and p.created_at >= day_ago
        )

    def get_content_publishing_limit(self, request: Request, node: Any) -> dict[str, Any]:
        account = self._own_account(node)
        return {
            "data": [
                {
                    "quota_usage": self._published_today(account),
                    "config": {"quota_total": self.quota_total, "quota_duration": 86400},
                }
            ]
        }

    def post_media(self, request: Request, node: Any) -> dict[str, Any]:
        account = self._own_account(node)
        params = form_fields(request)
        media_type = params.get("media_type", "IMAGE")
        url = params.get("image_url") or params.get("video_url")
        if media_type == "CAROUSEL":
            children = [c for c in params.get("children", "").split(",") if c]
            if not 2 <= len(children) <= 10 or any(c not in self.containers for c in children):
                raise GraphError(100, "(#100) The carousel children are invalid", subcode=2207022)
        elif not url:
            raise GraphError(
                100, "(#100) The parameter image_url is required.", kind="OAuthException"
            )
        elif not url.startswith(("http://", "https://")):
            raise GraphError(9004, "The media could not be fetched from this uri", subcode=2207052)
        container_id = self.world.new_id(17_890_000_000_000_000)
        broken = bool(url and "broken" in url)
        video = media_type in ("REELS", "VIDEO")
        self.containers[container_id] = {
            "kind": "container",
            "id": container_id,
            "account_id": account.id,
            "media_type": media_type,
            "url": url,
            "caption": params.get("caption", ""),
            "children": params.get("children", "").split(",") if media_type == "CAROUSEL" else [],
            "status_code": "ERROR" if broken else ("IN_PROGRESS" if video else "FINISHED"),
            "polls_left": self.video_processing_polls,
        }
        return {"id": container_id}

    def post_media_publish(self, request: Request, node: Any) -> dict[str, Any]:
        account = self._own_account(node)
        container = self.containers.get(form_fields(request).get("creation_id", ""))
        if container is None or container["account_id"] != account.id:
            raise GraphError(100, "(#100) Param creation_id must be a valid media container id")
        if container["status_code"] != "FINISHED":
            raise GraphError(
                9007,
                "The media is not ready for publishing, please wait for a moment",
                subcode=2207027,
            )
        if self._published_today(account) >= self.quota_total:
            raise GraphError(
                9,
                "Application request limit reached: the account reached its publishing limit",
                subcode=2207042,
            )
        kind = {"CAROUSEL": "carousel", "REELS": "reel", "VIDEO": "reel"}.get(
            container["media_type"], "post"
        )
        media = (
            [self.containers[c]["url"] for c in container["children"]]
            if container["children"]
            else [container["url"]]
        )
        post = self.new_post(
            account,
            self.world.new_id(17_900_000_000_000_000),
            container["caption"],
            kind,
            media=media,
        )
        post.extra["shortcode"] = (
            base64.urlsafe_b64encode(post.id[-8:].encode()).decode().rstrip("=")
        )
        container["status_code"] = "PUBLISHED"
        return {"id": post.id}


def hashtag_id(tag: str) -> str:
    """A stable Graph-style id of a hashtag (``17843...``)."""
    return "178" + str(int(hashlib.sha1(tag.encode()).hexdigest(), 16))[:14]
