"""Facebook Pages and Instagram professional accounts through the Meta Graph API.

Both networks speak the same Graph API (``https://graph.facebook.com/<version>``), with the
same error objects, paging and usage headers; :class:`GraphClient` and :class:`GraphAdapter`
hold what they share and the two adapters only know their own edges and fields.

Connection fields (see ``docs/networks/facebook.md`` and ``docs/networks/instagram.md``):

* ``password``: the Page access token (for Instagram: the token of the Facebook Page linked to
  the professional account). It is sent in the ``Authorization`` header, never in URLs.
* extras ``page_id`` (Facebook; optional: ``GET /me`` with a Page token is the Page itself),
  ``ig_user_id`` (Instagram; optional: read from the Page's ``instagram_business_account``),
  ``api_version`` (default :data:`DEFAULT_API_VERSION`), ``media_base_url`` (Instagram: where
  local media files are served publicly), ``app_secret`` (optional: adds
  ``appsecret_proof`` to every call), ``usage_threshold`` (percent of the Graph usage at which
  calls slow down, default 80), ``container_wait`` / ``container_poll_interval`` (seconds,
  Instagram container readiness), ``ad_account_id`` (the Meta ad account whose campaign
  results :meth:`GraphAdapter.campaign_spend` reads; with or without ``act_``), plus the
  generic ``timeout`` and retry extras.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from socialops.networks.base import ConnectionSettings, NetworkAdapter, batched
from socialops.networks.errors import (
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    NotSupported,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from socialops.networks.records import (
    AccountMetrics,
    CampaignSpend,
    Draft,
    Mention,
    Post,
    PostMetrics,
    Profile,
    Receipt,
)
from socialops.networks.transport.http import RestClient, api_root, json_body

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
#: The Graph API's multi-id lookup (``?ids=a,b,c``) takes at most 50 ids.
MAX_IDS_PER_CALL = 50
PAGE_SIZE = 100
#: Graph error codes that mean "too many calls": app (4), user (17), page (32), action
#: (613) and the business use case limits (80001-80014).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: Without an ``estimated_time_to_regain_access``, Meta's limits are windows rolling over an hour.
ROLLING_WINDOW = timedelta(hours=1)
#: Instagram's "maximum number of posts allowed in 24 hours" error subcode.
INSTAGRAM_PUBLISHING_LIMIT = 2207042
PUBLISHING_LIMIT_HINT = "Instagram's publishing limit rolls over 24 hours; publish this entry later"
META_TOKEN = "the Page access token (Meta tokens expire; long-lived tokens last ~60 days)"
ADS_INSIGHTS_FIELDS = (
    "campaign_id,campaign_name,spend,impressions,clicks,actions,action_values,account_currency"
)
#: Meta reports one purchase under several action types (``purchase`` already includes the
#: pixel's): the first one present is the count, never their sum.
PURCHASE_ACTIONS = ("purchase", "offsite_conversion.fb_pixel_purchase")


def graph_time(value: str | None) -> datetime | None:
    """Graph timestamps look like ``2026-11-20T08:00:00+0000``."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def unix(when: datetime) -> int:
    return int(when.timestamp())


def day_bounds(day: date) -> tuple[int, int]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return unix(start), unix(start + timedelta(days=1))


def metric_value(item: dict[str, Any]) -> int | None:
    """The value of one insights metric, in either shape Graph uses.

    ``total_value`` (``metric_type=total_value``) or a ``values`` series whose last point
    is the most recent period.
    """
    if "total_value" in item:
        return item["total_value"].get("value")
    values = item.get("values") or []
    if not values:
        return None
    value = values[-1].get("value")
    return value if isinstance(value, int) else None


def insights_by_name(container: dict[str, Any] | None) -> dict[str, int | None]:
    data = (container or {}).get("data", []) if isinstance(container, dict) else container or []
    return {item["name"]: metric_value(item) for item in data}


class GraphClient(RestClient):
    """Graph API errors, ``appsecret_proof``, and pacing from the usage headers."""

    renew = META_TOKEN
    USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")

    def __init__(self, adapter: NetworkAdapter, **clock: Any):
        settings = adapter.settings
        version = settings.extras.get("api_version") or DEFAULT_API_VERSION
        super().__init__(
            adapter,
            f"{api_root(settings, GRAPH_URL)}/{version}",
            headers={"Authorization": f"Bearer {settings.password or ''}"},
            **clock,
        )
        self.version = version
        self.usage_threshold = float(settings.extras.get("usage_threshold", 80))
        self.usage: float = 0.0  # the highest percentage the last response reported
        self._pause = 0.0
        self._blocked_until: datetime | None = None
        app_secret = settings.secret("app_secret")
        if app_secret and settings.password:
            # Meta recommends proving the app secret on server-side calls; the proof is an
            # HMAC of the token, so neither secret travels.
            proof = hmac.new(
                app_secret.encode(), settings.password.encode(), hashlib.sha256
            ).hexdigest()
            self.session.params = {"appsecret_proof": proof}

    # -- pacing --------------------------------------------------------------------------
    def observe(self, response: requests.Response, endpoint: str) -> None:
        usage, regain_minutes = read_usage(response.headers)
        self.usage = usage
        max_sleep = self.settings.retry_policy.max_sleep
        if regain_minutes > 0:
            self._blocked_until = self.now() + timedelta(minutes=regain_minutes)
        elif usage >= self.usage_threshold:
            # Slow down in proportion to how close we are to 100%, before Meta throttles us.
            share = min(1.0, (usage - self.usage_threshold) / max(1.0, 100 - self.usage_threshold))
            self._pause = max(self._pause, max_sleep * share)
        else:
            self._pause = 0.0

    def before_request(self, endpoint: str) -> None:
        max_sleep = self.settings.retry_policy.max_sleep
        if self._blocked_until is not None:
            wait = (self._blocked_until - self.now()).total_seconds()
            if wait > max_sleep:
                raise RateLimited(
                    self.network,
                    f"{endpoint} not sent: Meta reports the usage limit reached ({self.usage:.0f}%)",
                    retry_at=self._blocked_until,
                )
            self._blocked_until = None
            if wait > 0:
                self.sleep(wait)
        if self._pause > 0:
            log.info(
                "%s Graph usage at %.0f%%: pausing %.1fs before %s",
                self.network,
                self.usage,
                self._pause,
                endpoint,
            )
            self.sleep(self._pause)
            self._pause = 0.0

    # -- errors --------------------------------------------------------------------------
    def error_for(self, response: requests.Response, endpoint: str) -> NetworkError:
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return super().error_for(response, endpoint)
        exc = self._classify(error, response, endpoint)
        exc.graph_error = error  # type: ignore[attr-defined]  # callers may read code/message
        return exc

    def _classify(
        self, error: dict[str, Any], response: requests.Response, endpoint: str
    ) -> NetworkError:
        code = error.get("code")
        subcode = error.get("error_subcode")
        status = response.status_code
        message = f"{endpoint} failed: {error.get('message', 'no message')} (code {code}" + (
            f", subcode {subcode})" if subcode else ")"
        )
        if error.get("fbtrace_id"):
            message += f" [fbtrace_id {error['fbtrace_id']}]"
        if code in (190, 102, 104, 463, 467):
            return self.auth_error(message, status=status)
        if code == 10 or (isinstance(code, int) and 200 <= code < 300):
            return self.auth_error(
                message + "; the token lacks a permission this call needs", status=status
            )
        if code in RATE_LIMIT_CODES:
            _, regain = read_usage(response.headers)
            retry_at = self.now() + (timedelta(minutes=regain) if regain > 0 else ROLLING_WINDOW)
            return RateLimited(self.network, message, retry_at=retry_at, status=status)
        if error.get("is_transient") or code in (1, 2) or status >= 500:
            return TransientError(self.network, message, status=status)
        if code == 506:
            return DuplicateContent(self.network, message, status=status)
        if subcode == INSTAGRAM_PUBLISHING_LIMIT:
            return QuotaExceeded(self.network, message, status=status, hint=PUBLISHING_LIMIT_HINT)
        if code == 368:
            return InvalidRequest(
                self.network,
                message,
                status=status,
                hint="Meta blocked this content or this Page from posting for now",
            )
        return InvalidRequest(self.network, message, status=status)


def read_usage(headers: Any) -> tuple[float, float]:
    """The highest usage percentage and regain delay (minutes) in Graph's usage headers.

    ``X-App-Usage`` / ``X-Page-Usage``: ``{"call_count": 28, "total_time": 25, "total_cputime": 25}``;
    ``X-Business-Use-Case-Usage``: ``{"<object id>": [{"type": "pages", "call_count": ..,
    "total_time": .., "total_cputime": .., "estimated_time_to_regain_access": <minutes>}]}``.
    """
    usage, regain = 0.0, 0.0
    for name in GraphClient.USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            log.warning("ignoring unreadable %s header", name)
            continue
        entries = (
            [parsed] if "call_count" in parsed else [e for group in parsed.values() for e in group]
        )
        for entry in entries:
            for key in ("call_count", "total_time", "total_cputime"):
                usage = max(usage, float(entry.get(key) or 0))
            regain = max(regain, float(entry.get("estimated_time_to_regain_access") or 0))
    return usage, regain


class GraphAdapter(NetworkAdapter):
    """What Facebook and Instagram share: paging, multi-id lookups, comments, reconciliation."""

    post_fields: str
    comment_fields: str
    time_field: str  # the creation time of a post or comment on this network
    text_fields: tuple[str, ...]  # where a comment or tagging post keeps its text, first found
    link_field: str  # its permalink

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        sleep: Callable[[float], None] | None = None,
        now: Callable[[], datetime] | None = None,
    ):
        super().__init__(settings)
        self.http = GraphClient(self, sleep=sleep, now=now)

    def close(self) -> None:
        self.http.close()

    # -- shared plumbing -----------------------------------------------------------------
    def _pages(self, path: str, params: dict[str, Any], endpoint: str) -> Iterator[dict[str, Any]]:
        """Every item of a paged edge, following the ``after`` cursor (or ``next`` URL)."""
        params = dict(params)
        body = self.http.get(path, params=params, endpoint=endpoint)
        while True:
            data = body.get("data", [])
            yield from data
            paging = body.get("paging", {})
            if not data or not paging.get("next"):
                return
            after = paging.get("cursors", {}).get("after")
            if after:
                params["after"] = after
                body = self.http.get(path, params=params, endpoint=endpoint)
            else:  # time-based paging only gives the next URL
                body = self.http.get(paging["next"], endpoint=endpoint)

    def _lookup(self, ids: Sequence[str], fields: str, endpoint: str) -> dict[str, dict[str, Any]]:
        """Graph's multi-id lookup, ``GET /?ids=a,b,c&fields=...``, 50 ids per call.

        One unknown id fails the whole call (error 803 lists them): those ids are dropped,
        logged, and the rest asked again, so one deleted post does not lose a night's metrics.
        """
        found: dict[str, dict[str, Any]] = {}
        for chunk in batched(list(dict.fromkeys(ids)), MAX_IDS_PER_CALL):
            while chunk:
                params = {"ids": ",".join(chunk), "fields": fields}
                try:
                    found.update(self.http.get("/", params=params, endpoint=endpoint))
                    break
                except InvalidRequest as exc:
                    missing = _missing_aliases(exc)
                    if not missing & set(chunk):
                        raise
                    log.warning(
                        "%s: skipping ids unknown to %s: %s",
                        endpoint,
                        self.network,
                        sorted(missing),
                    )
                    chunk = [i for i in chunk if i not in missing]
        return found

    def comments(self, post_ids: Sequence[str], since: datetime) -> list[Mention]:
        found: list[Mention] = []
        edge = f"comments.limit({PAGE_SIZE}){{{self.comment_fields}}}"
        for post_id, body in self._lookup(
            post_ids, edge, "GET /?ids={post-ids}&fields=comments"
        ).items():
            comments = body.get("comments") or {}
            items = list(comments.get("data", []))
            after = comments.get("paging", {}).get("cursors", {}).get("after")
            if comments.get("paging", {}).get("next") and after:
                items += self._pages(
                    f"/{post_id}/comments",
                    {"fields": self.comment_fields, "limit": PAGE_SIZE, "after": after},
                    "GET /{post-id}/comments",
                )
            found += [
                c for c in (self._mention(raw, post_id) for raw in items) if c.created_at >= since
            ]
        return sorted(found, key=lambda m: m.created_at)

    def campaign_spend(
        self, day: date, campaign_ids: Sequence[str], *, since: date | None = None
    ) -> list[CampaignSpend]:
        """Daily campaign results from the Marketing API, ``GET /act_{id}/insights``.

        Facebook and Instagram campaigns run in the same Meta ad account (extra
        ``ad_account_id``, which needs the ``ads_read`` permission), so both adapters serve
        them. One request (and its pages) covers every campaign and day from ``since`` to
        ``day``: ``level=campaign`` with ``time_increment=1`` gives one row per campaign and
        day with delivery. A configured campaign id matches Meta's campaign id, or else the
        campaign's name in Ads Manager. Conversions and revenue are the purchases of
        ``actions`` / ``action_values``.
        """
        wanted = set(campaign_ids)
        if not wanted:
            return []
        time_range = {"since": (since or day).isoformat(), "until": day.isoformat()}
        params = {
            "level": "campaign",
            "fields": ADS_INSIGHTS_FIELDS,
            "time_range": json.dumps(time_range),
            "time_increment": 1,
            "limit": PAGE_SIZE,
        }
        rows = self._pages(
            f"/{self.ad_account}/insights", params, "GET /act_{ad-account-id}/insights"
        )
        found = []
        for raw in rows:
            refs = (raw.get("campaign_id"), raw.get("campaign_name"))
            campaign = next((ref for ref in refs if ref in wanted), None)
            if campaign is not None:
                found.append(self._campaign_spend(raw, campaign))
        return found

    @property
    def ad_account(self) -> str:
        """The ``act_<id>`` node of extra ``ad_account_id``; without it there is no ads reporting."""
        configured = str(self.settings.extras.get("ad_account_id") or "").strip()
        if not configured:
            raise NotSupported(
                self.network,
                "ads reporting needs the Meta ad account of the campaigns",
                hint=f"set extra 'ad_account_id' (the number after act_ in Ads Manager) in Airflow "
                f"connection '{self.settings.conn_id}'; until then spend comes from the CSV import",
            )
        return configured if configured.startswith("act_") else f"act_{configured}"

    def _campaign_spend(self, raw: dict[str, Any], campaign: str) -> CampaignSpend:
        try:
            return CampaignSpend(
                network=self.network,
                campaign_id=campaign,
                day=date.fromisoformat(raw["date_start"]),
                spend=_ads_number(raw.get("spend"), Decimal),
                currency=raw.get("account_currency"),
                impressions=_ads_number(raw.get("impressions"), int),
                clicks=_ads_number(raw.get("clicks"), int),
                # Meta leaves ``actions`` out when there were none: no purchase is 0 purchases.
                conversions=_purchases(raw.get("actions"), int),
                revenue=_purchases(raw.get("action_values"), Decimal),
            )
        except (KeyError, ValueError) as exc:
            raise InvalidRequest(
                self.network,
                f"unreadable ads insights row of campaign {campaign} "
                f"({raw.get('date_start', 'no date_start')}): {exc}",
            ) from exc

    def _mention(self, raw: dict[str, Any], in_reply_to: str | None = None) -> Mention:
        """A comment (``in_reply_to`` = the own post) or a post that tags the account."""
        author_id, handle = self._author(raw)
        return Mention(
            network=self.network,
            mention_id=raw["id"],
            author_id=author_id,
            author_handle=handle,
            text=next((raw[name] for name in self.text_fields if name in raw), ""),
            created_at=graph_time(raw[self.time_field]),
            url=raw.get(self.link_field),
            in_reply_to=in_reply_to,
            kind="comment" if in_reply_to else "mention",
            likes=raw.get("like_count"),
        )

    def _author(self, raw: dict[str, Any]) -> tuple[str, str | None]:
        """(id, handle) of who wrote a comment or a tagging post."""
        raise NotImplementedError

    def _tagged(self, path: str, fields: str, since: datetime, endpoint: str) -> list[Mention]:
        params = {"fields": fields, "since": unix(since), "limit": PAGE_SIZE}
        listing = self._pages(path, params, endpoint)
        return [self._mention(raw) for raw, _ in self._newer_than(listing, since)]

    def _newer_than(
        self, listing: Iterable[dict[str, Any]], since: datetime
    ) -> Iterator[tuple[dict[str, Any], datetime]]:
        """The items of a newest-first listing created since ``since``, with their time.

        Not every edge honours ``since``, so the listing stops after a full page of older
        items, rather than at the first one: a pinned old post at the top must not hide
        the newer ones below it.
        """
        older = 0
        for raw in listing:
            created = graph_time(raw.get(self.time_field))
            if created is not None and created >= since:
                older = 0
                yield raw, created
            else:
                older += 1
                if older >= PAGE_SIZE:
                    return


class FacebookAdapter(GraphAdapter):
    """A Facebook Page: feed posts, photos, insights, comments, tags, public Page profiles."""

    network = "facebook"
    time_field = "created_time"
    text_fields = ("message",)
    link_field = "permalink_url"
    post_fields = "id,message,created_time,permalink_url,status_type"
    comment_fields = "id,message,created_time,from{id,name},like_count,permalink_url"
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

    @cached_property
    def page(self) -> dict[str, Any]:
        """The connection's Page (``GET /{page-id}``, or ``/me`` which a Page token resolves to the Page)."""
        page_id = self.settings.extras.get("page_id") or "me"
        return self.http.get(
            f"/{page_id}", params={"fields": self.PROFILE_FIELDS}, endpoint="GET /{page-id}"
        )

    @property
    def page_id(self) -> str:
        return str(self.settings.extras.get("page_id") or self.page["id"])

    def _account_ref(self, account: str | None) -> str:
        """The Graph node for ``account``: the connection's Page when it names it, else the alias as given."""
        if not account or account == self.page_id:
            return self.page_id
        if account.lstrip("@").casefold() == str(self.page.get("username", "")).casefold():
            return self.page_id
        return account.lstrip("@")

    def check(self) -> Profile:
        return self._profile(self.page)

    def _profile(self, raw: dict[str, Any]) -> Profile:
        return Profile(
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

    def publish(self, draft: Draft, idempotency_key: str) -> Receipt:
        """A feed post (text + optional link) or, with one image in ``draft.media``, a photo post.

        An image is a public URL (Meta fetches it) or a local file (uploaded as ``source``).
        """
        if len(draft.media) > 1:
            raise InvalidRequest(
                self.network,
                f"post {idempotency_key}: one photo per Facebook post is supported, got {len(draft.media)}",
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
        return Receipt(
            self.network, post_id, f"https://www.facebook.com/{post_id}", self.http.now()
        )

    def _publish_photo(self, page: str, draft: Draft) -> dict[str, Any]:
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

    def recent_posts(self, account: str, since: datetime) -> list[Post]:
        params = {"fields": self.post_fields, "since": unix(since), "limit": PAGE_SIZE}
        posts = []
        listing = self._pages(
            f"/{self._account_ref(account)}/posts", params, "GET /{page-id}/posts"
        )
        for raw, created in self._newer_than(listing, since):
            posts.append(
                Post(
                    network=self.network,
                    account_id=raw["id"].split("_")[0],
                    post_id=raw["id"],
                    created_at=created,
                    text=raw.get("message", ""),
                    url=raw.get("permalink_url"),
                    kind="photo" if raw.get("status_type") == "added_photos" else "post",
                )
            )
        return posts

    def account_metrics(self, account: str, day: date) -> AccountMetrics:
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
        return AccountMetrics(network=self.network, account_id=page, day=day, **fields)

    def post_metrics(self, post_ids: Sequence[str]) -> list[PostMetrics]:
        fields = (
            f"insights.metric({','.join(self.POST_METRICS)}),"
            "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
        )
        found = self._lookup(post_ids, fields, "GET /?ids={post-ids}&fields=insights")
        metrics = []
        for post_id in dict.fromkeys(post_ids):
            raw = found.get(post_id)
            if raw is None:
                continue
            values = insights_by_name(raw.get("insights"))
            metrics.append(
                PostMetrics(
                    network=self.network,
                    post_id=post_id,
                    likes=_summary_count(raw.get("reactions")),
                    comments=_summary_count(raw.get("comments")),
                    # Graph omits ``shares`` on a post nobody shared: absent means zero here.
                    shares=(raw.get("shares") or {}).get("count", 0),
                    **{field: values.get(metric) for metric, field in self.POST_METRICS.items()},
                )
            )
        return metrics

    def mentions(self, query: str, since: datetime) -> list[Mention]:
        """Posts that tag the Page (``/{page-id}/tagged``). Facebook has no public post search,
        so ``query`` is not used."""
        fields = "id,message,created_time,from{id,name},permalink_url"
        return self._tagged(f"/{self.page_id}/tagged", fields, since, "GET /{page-id}/tagged")

    def _author(self, raw: dict[str, Any]) -> tuple[str, str | None]:
        author = raw.get("from") or {}
        return str(author.get("id", "")), author.get("name")

    def profiles(self, ids_or_handles: Sequence[str]) -> list[Profile]:
        """Public Page fields; Pages are addressed by id or username alike."""
        refs = [h.lstrip("@") for h in ids_or_handles]
        found = self._lookup(refs, self.PROFILE_FIELDS, "GET /?ids={pages}&fields=profile")
        profiles = {}
        for ref in refs:  # an id and a username may name the same Page
            if ref in found:
                profiles.setdefault(str(found[ref]["id"]), self._profile(found[ref]))
        return list(profiles.values())


def _missing_aliases(exc: NetworkError) -> set[str]:
    """The ids an error 803 ("Some of the aliases you requested do not exist: a,b") names."""
    error = getattr(exc, "graph_error", {})
    text = error.get("message", "")
    if error.get("code") not in (100, 803) or "do not exist:" not in text:
        return set()
    return {
        alias.strip() for alias in text.split("do not exist:", 1)[1].split(",") if alias.strip()
    }


def _summary_count(edge: dict[str, Any] | None) -> int | None:
    if not edge:
        return None
    return edge.get("summary", {}).get("total_count")


def _ads_number(value: Any, kind: type) -> Any:
    """A number of the ads insights, which Meta sends as strings (``"84.12"``, ``"11683"``)."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    return int(number) if kind is int else number


def _purchases(items: list[dict[str, Any]] | None, kind: type) -> Any:
    """The purchase count or value in an ``actions`` / ``action_values`` list (0 when absent)."""
    values = {item.get("action_type"): item.get("value") for item in items or []}
    return _ads_number(next((values[n] for n in PURCHASE_ACTIONS if n in values), 0), kind)


class InstagramAdapter(GraphAdapter):
    """An Instagram professional account: image/carousel/reel publishing, insights, tags, discovery."""

    network = "instagram"
    time_field = "timestamp"
    text_fields = ("text", "caption")  # comments have a text, tagging media a caption
    link_field = "permalink"
    post_fields = "id,caption,media_type,media_product_type,permalink,timestamp"
    comment_fields = "id,text,timestamp,username,like_count,from{id,username}"
    PROFILE_FIELDS = "id,username,name,followers_count,follows_count,media_count,biography,website"
    #: ``impressions`` and ``video_views`` were replaced by ``views`` in 2025.
    MEDIA_METRICS = ("reach", "saved", "shares", "views")
    ACCOUNT_METRICS = ("reach", "views", "profile_views")
    MAX_CAROUSEL_ITEMS = 10
    VIDEO_SUFFIXES = (".mp4", ".mov")

    @cached_property
    def ig_user_id(self) -> str:
        configured = self.settings.extras.get("ig_user_id")
        return str(configured) if configured else str(self.account["id"])

    @cached_property
    def account(self) -> dict[str, Any]:
        """The own profile, counts included, read once per adapter (an adapter lives one task).

        Without extra ``ig_user_id`` it is found through the Page: the same call that names
        the linked account expands its profile fields, so finding the id costs no call of its own.
        """
        configured = self.settings.extras.get("ig_user_id")
        if configured:
            return self.http.get(
                f"/{configured}",
                params={"fields": self.PROFILE_FIELDS},
                endpoint="GET /{ig-user-id}",
            )
        page_id = self.settings.extras.get("page_id") or "me"
        body = self.http.get(
            f"/{page_id}",
            params={"fields": f"instagram_business_account{{{self.PROFILE_FIELDS}}}"},
            endpoint="GET /{page-id}?fields=instagram_business_account",
        )
        linked = body.get("instagram_business_account")
        if not linked:
            raise InvalidRequest(
                self.network,
                f"the Facebook Page {body.get('id', page_id)} has no linked Instagram professional account",
                hint=f"link one in Meta Business Suite or set extra 'ig_user_id' in connection '{self.settings.conn_id}'",
            )
        return linked

    def _is_own(self, account: str | None) -> bool:
        if not account or account == self.ig_user_id:
            return True
        return account.lstrip("@").casefold() == str(self.account.get("username", "")).casefold()

    def check(self) -> Profile:
        return self._profile(self.account)

    def _profile(self, raw: dict[str, Any]) -> Profile:
        return Profile(
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

    def publish(self, draft: Draft, idempotency_key: str) -> Receipt:
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
                f"post {idempotency_key}: the account published {used} of its {total} posts allowed in 24 hours",
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
        """Instagram fetches media itself: a local file must be served under extra ``media_base_url``."""
        if media.startswith(("http://", "https://")):
            return media
        base = self.settings.extras.get("media_base_url")
        if not base:
            raise InvalidRequest(
                self.network,
                f"post {what}: Instagram fetches media from public URLs, got the local file {media!r}",
                hint=f"put URLs in the calendar, or publish the media folder and set extra 'media_base_url' "
                f"in Airflow connection '{self.settings.conn_id}'",
            )
        return f"{str(base).rstrip('/')}/{quote(Path(media).name)}"

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
        """Poll the container's ``status_code`` until FINISHED, for at most ``container_wait`` seconds."""
        extras = self.settings.extras
        budget = float(extras.get("container_wait", 60))
        interval = max(0.1, float(extras.get("container_poll_interval", 2)))
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
                    f"post {what}: media container {container_id} is {status}: {body.get('status') or 'no detail'}",
                    hint="check that the media URLs are public and meet Instagram's format limits",
                )
            if waited >= budget:
                raise TransientError(
                    self.network,
                    f"post {what}: media container {container_id} still {status} after {budget:.0f}s; nothing was published",
                    hint="retry later, or raise extra 'container_wait' for long videos",
                )
            self.http.sleep(interval)
            waited += interval

    def _receipt(self, media_id: str) -> Receipt:
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
        return Receipt(
            self.network,
            media_id,
            body.get("permalink")
            or f"https://www.instagram.com/{self.account.get('username', '')}/",
            graph_time(body.get("timestamp")) or self.http.now(),
        )

    # -- reading -------------------------------------------------------------------------
    def recent_posts(self, account: str, since: datetime) -> list[Post]:
        """Own media through ``/{ig-user-id}/media``; another account's latest 100 through business discovery."""
        if self._is_own(account):
            owner = self.ig_user_id
            params = {"fields": self.post_fields, "since": unix(since), "limit": PAGE_SIZE}
            items: Iterable[dict[str, Any]] = self._pages(
                f"/{owner}/media", params, "GET /{ig-user-id}/media"
            )
        else:
            discovered = self._discover(
                account, f"id,media.limit({PAGE_SIZE}){{{self.post_fields}}}"
            )
            if discovered is None:
                return []
            owner, items = discovered["id"], discovered.get("media", {}).get("data", [])
        posts = []
        for raw, created in self._newer_than(items, since):
            posts.append(
                Post(
                    network=self.network,
                    account_id=str(owner),
                    post_id=raw["id"],
                    created_at=created,
                    text=raw.get("caption", ""),
                    url=raw.get("permalink"),
                    kind=_media_kind(raw),
                )
            )
        return posts

    def account_metrics(self, account: str, day: date) -> AccountMetrics:
        """Reach, views and profile views of ``day``; follower counts are the current ones."""
        if not self._is_own(account):
            raise self._unsupported("insights of an account the token does not manage")
        since, until = day_bounds(day)
        params = {
            "metric": ",".join(self.ACCOUNT_METRICS),
            "period": "day",
            "metric_type": "total_value",
            "since": since,
            "until": until,
        }
        values = insights_by_name(
            self.http.get(
                f"/{self.ig_user_id}/insights", params=params, endpoint="GET /{ig-user-id}/insights"
            )
        )
        # The profile (cached for the adapter's one task) carries the counts: resolving the
        # handle already read it, a second GET for the same fields would be a repeated call.
        profile = self.account
        return AccountMetrics(
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

    def post_metrics(self, post_ids: Sequence[str]) -> list[PostMetrics]:
        fields = f"media_type,media_product_type,like_count,comments_count,insights.metric({','.join(self.MEDIA_METRICS)})"
        found = self._lookup(post_ids, fields, "GET /?ids={media-ids}&fields=insights")
        metrics = []
        for media_id in dict.fromkeys(post_ids):
            raw = found.get(media_id)
            if raw is None:
                continue
            values = insights_by_name(raw.get("insights"))
            is_video = _media_kind(raw) == "reel"
            metrics.append(
                PostMetrics(
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
            )
        return metrics

    def mentions(self, query: str, since: datetime) -> list[Mention]:
        """Media in which the account is tagged (``/{ig-user-id}/tags``); ``query`` is not sent,
        Instagram has no public text search."""
        fields = "id,caption,timestamp,username,permalink,media_type"
        return self._tagged(f"/{self.ig_user_id}/tags", fields, since, "GET /{ig-user-id}/tags")

    def _author(self, raw: dict[str, Any]) -> tuple[str, str | None]:
        author = raw.get("from") or {}
        handle = raw.get("username") or author.get("username")
        return str(author.get("id") or handle or ""), handle

    def profiles(self, ids_or_handles: Sequence[str]) -> list[Profile]:
        """Business discovery, one call per handle (the API takes one username at a time).

        Personal accounts and unknown handles are not discoverable: they are left out.
        """
        found = []
        for handle in dict.fromkeys(h.lstrip("@") for h in ids_or_handles):
            raw = self._discover(handle, self.PROFILE_FIELDS)
            if raw is not None:
                found.append(self._profile(raw))
        return found

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
