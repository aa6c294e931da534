"""X (Twitter) through tweepy's API v2 ``Client``.

Connection fields (Airflow connection ``x_default``, type ``x``):

* ``host``: API base URL. Empty for the real API (``https://api.twitter.com``); the sandbox
  sets ``http://127.0.0.1:PORT/x``.
* ``login``: optional, the owned account's handle (informational; drafts name their account).
* ``password``: the app's **bearer token** (OAuth 2.0 app-only), used for every read. An
  OAuth 2.0 *user* access token works here too.
* extras: :class:`~socialops.networks.x.client.XExtras`: ``consumer_key``,
  ``consumer_secret``, ``access_token``, ``access_token_secret`` (OAuth 1.0a user context of
  the owned account, needed to publish, for ``check()`` with an app-only bearer, and for
  ``non_public_metrics`` / ``organic_metrics`` (link clicks) of the account's own posts
  younger than 30 days; without them the adapter reads public data only), ``media_wait``,
  ``timeout`` and ``max_attempts``, ``backoff_base``, ``backoff_cap``, ``max_sleep`` (see
  :class:`~socialops.networks.retry.RetryPolicy`).

Errors (:mod:`.client`): waits for a rate limit up to ``max_sleep`` happen inside the call,
longer ones are raised; a ``POST /2/tweets`` whose answer never came is
:class:`OutcomeUnknown` (reconcile with :meth:`XAdapter.find_published` before publishing
again).

Draft options understood by :meth:`XAdapter.publish`: ``reply_to`` (a post id to answer) and
``quote`` (a post id to quote). Media: :mod:`.media`; the post itself keeps the exactly-once
rules above.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from socialops.networks import records
from socialops.networks.base import NetworkAdapter
from socialops.networks.errors import DuplicateContent, InvalidRequest, NotSupported
from socialops.networks.idempotency import PostContent
from socialops.networks.paging import X_NEXT_TOKEN, Cursor, batched, follow, unique
from socialops.networks.x.client import USER_CONTEXT_EXTRAS, XClient, XExtras, translated
from socialops.networks.x.media import MediaUploads

log = logging.getLogger(__name__)
#: The link X adds to a post for its attached photo or video.
_MEDIA_LINK = re.compile(r"https://(?:x|twitter)\.com/\w+/status/(\d+)/(?:photo|video)/\d+")
T = TypeVar("T")

LOOKUP_BATCH = 100  # ids per GET /2/tweets and per GET /2/users
PAGE_SIZE = 100  # max_results of timelines and recent search
SEARCH_WINDOW = timedelta(days=7)  # recent search refuses an older start_time
MAX_QUERY_LENGTH = 512  # search query length of the Basic and Pro tiers
USER_FIELDS = ["created_at", "description", "public_metrics", "verified", "username", "name"]
#: What authenticity checks need besides: a private account, a default picture.
PUBLIC_USER_FIELDS = [*USER_FIELDS, "protected", "profile_image_url"]
DEFAULT_PICTURE = "default_profile_images"  # in the URL of X's default "egg" pictures
POST_FIELDS = ["created_at", "author_id", "conversation_id", "lang", "public_metrics"]
PRIVATE_METRIC_FIELDS = ["non_public_metrics", "organic_metrics"]
FIELD_NOT_AUTHORIZED = "not-authorized-for-field"
#: What reconciliation reads of the account's posts (docs/exactly-once.md).
MATCH_FIELDS = ["created_at", "entities", "attachments"]
#: ``includes.media[].type`` → the draft's media kinds (X plays a GIF as ``animated_gif``).
MEDIA_KINDS = {"photo": "image", "animated_gif": "image", "video": "video"}


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def snowflake_time(post_id: str) -> datetime:
    """When an X id was minted: ids are snowflakes holding milliseconds since X's epoch."""
    return datetime.fromtimestamp(((int(post_id) >> 22) + 1288834974657) / 1000, UTC)


def _created_at(tweet: dict[str, Any]) -> datetime:
    return _parse_time(tweet.get("created_at")) or snowflake_time(tweet["id"])


def _first(mapping: dict[str, Any], *names: str) -> int | None:
    """The first present field: X renamed ``retweet_count``→``repost_count`` and
    ``tweet_count``→``post_count``."""
    for name in names:
        if mapping.get(name) is not None:
            return mapping[name]
    return None


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def expanded_text(tweet: dict[str, Any]) -> str:
    """A post's text as written: t.co links replaced by their ``expanded_url``, the t.co link
    X appends for the post's own media removed (the media are compared by kind instead; a
    link to another post's photo stays)."""
    text = html.unescape(tweet.get("text", ""))
    for entity in (tweet.get("entities") or {}).get("urls", []):
        short = entity.get("url")
        if not short:
            continue
        expanded = entity.get("expanded_url") or short
        own_media = _MEDIA_LINK.fullmatch(expanded)
        media = entity.get("media_key") or (own_media and own_media.group(1) == tweet.get("id"))
        text = text.replace(short, "" if media else expanded, 1)
    return text


def post_url(handle: str | None, post_id: str) -> str:
    return (
        f"https://x.com/{handle}/status/{post_id}"
        if handle
        else f"https://x.com/i/web/status/{post_id}"
    )


class XAdapter(NetworkAdapter):
    network = "x"
    extras_type = XExtras
    extras: XExtras
    renew = "the X bearer token (connection password)"

    def setup(self) -> None:
        self._bearer = self.settings.password
        self.client = XClient(
            base_url=self.settings.host,
            timeout=self.extras.timeout,
            on_request=self.count_call,
            bearer_token=self._bearer,
            **self.extras.oauth1,
        )
        self.uploads = MediaUploads(self)
        self._users: dict[str, dict[str, Any]] = {}  # casefolded handle and id → user object

    # -- credentials -------------------------------------------------------------------
    @property
    def has_user_context(self) -> bool:
        return all(self.extras.oauth1.values())

    def _read_with_user_context(self) -> bool:
        if self._bearer:
            return False
        if self.has_user_context:
            return True
        raise self.auth_error("no credentials configured")

    # -- calls, errors, retries ----------------------------------------------------------
    def read(self, what: str, call: Callable[[], T]) -> T:
        """A call that may be repeated: reads, and media uploads (repeating one at worst leaves
        an unused media id, which X discards), so 5xx and lost answers are retried."""
        return self.retrying(lambda: translated(self, what, call, write=False))

    def _pages(
        self, what: str, endpoint: str, fetch: Callable[[Cursor | None], dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated endpoint; ``fetch(token)`` gets one page."""
        return follow(
            lambda token: self.read(what, lambda: fetch(token)),
            X_NEXT_TOKEN,
            network=self.network,
            endpoint=endpoint,
        )

    # -- users ---------------------------------------------------------------------------
    def _remember(self, user: dict[str, Any]) -> dict[str, Any]:
        self._users[user["id"]] = user
        self._users[user["username"].casefold()] = user
        return user

    def _lookup_user(self, account: str) -> dict[str, Any]:
        """A fresh user object (with public_metrics) for a handle or an id."""
        account = account.lstrip("@")
        user_auth = self._read_with_user_context()
        key = {"id": account} if account.isdigit() else {"username": account}
        body = self.read(
            f"looking up X account {account}",
            lambda: self.client.get_user(**key, user_fields=USER_FIELDS, user_auth=user_auth),
        )
        if not body.get("data"):
            raise InvalidRequest(
                self.network,
                f"X account {account!r} does not exist or is suspended",
                hint="check the handle in the brand configuration",
            )
        return self._remember(body["data"])

    def _user(self, account: str) -> dict[str, Any]:
        """The user for a handle or id, resolved once per adapter."""
        return self._users.get(account.lstrip("@").casefold()) or self._lookup_user(account)

    # -- the protocol ----------------------------------------------------------------------
    def check(self) -> records.Profile:
        # GET /2/users/me needs a user: the OAuth 1.0a tokens, else a bearer that is a user's.
        user_auth = self.has_user_context or self._read_with_user_context()
        body = self.read(
            "checking the X connection",
            lambda: self.client.get_me(user_fields=USER_FIELDS, user_auth=user_auth),
        )
        return self._profile(self._remember(body["data"]))

    def publish(self, draft: records.Draft, idempotency_key: str) -> records.Receipt:
        what = f"publishing post {idempotency_key} on @{draft.account}"
        kinds = self.uploads.kinds(draft.media, what)
        if not self.has_user_context:
            raise self.auth_error(
                f"publishing for @{draft.account} needs the account's user context",
                renew=USER_CONTEXT_EXTRAS,
            )
        media_ids = self.uploads.upload_all(draft.media, kinds, what) if draft.media else None
        text = self.published_text(draft)
        started = self.now()
        attempts = 0

        def create() -> dict[str, Any]:
            nonlocal attempts
            attempts += 1
            return translated(
                self,
                what,
                lambda: self.client.create_tweet(
                    text=text,
                    media_ids=media_ids,
                    in_reply_to_tweet_id=draft.options.get("reply_to"),
                    quote_tweet_id=draft.options.get("quote"),
                    user_auth=True,
                ),
                write=True,
            )

        try:
            body = self.retrying(create)
        except DuplicateContent:
            # After a 5xx the first attempt may have gone through after all: then the
            # duplicate is our own post, and the receipt is what the caller wants.
            if attempts > 1:
                receipt = self.find_published(
                    idempotency_key, draft.account, started - timedelta(minutes=5)
                )
                if receipt:
                    return receipt
            raise
        handle = draft.account.lstrip("@")
        post_id = body["data"]["id"]
        return records.Receipt(self.network, post_id, post_url(handle, post_id), started)

    def _timeline_pages(
        self, account: str, since: datetime, what: str, **fields: Any
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(user, page) of the account's timeline since ``since``, newest first; ``fields``
        are what to ask (``tweet_fields``, ``expansions``, ``media_fields``)."""
        user = self._user(account)
        user_auth = self._read_with_user_context()
        for page in self._pages(
            f"{what} of @{user['username']}",
            "GET /2/users/:id/tweets",
            lambda token: self.client.get_users_tweets(
                user["id"],
                start_time=since,
                max_results=PAGE_SIZE,
                pagination_token=token,
                user_auth=user_auth,
                **fields,
            ),
        ):
            yield user, page

    def _timeline(
        self, account: str, since: datetime
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(user, tweet) for the account's posts created since ``since``, newest first."""
        for user, page in self._timeline_pages(
            account, since, "listing posts", tweet_fields=POST_FIELDS
        ):
            for tweet in page.get("data", []):
                yield user, tweet

    def published_contents(
        self, account: str, since: datetime
    ) -> Iterator[tuple[records.Receipt, PostContent]]:
        """The account's posts with their links expanded from ``entities.urls`` (X shortens
        every link to t.co, and adds one more for attached media) and the kinds of their
        ``includes.media``."""
        pages = self._timeline_pages(
            account,
            since,
            "reading posts to find a publication",
            tweet_fields=MATCH_FIELDS,
            expansions=["attachments.media_keys"],
            media_fields=["type"],
        )
        for user, page in pages:
            kinds = {
                m["media_key"]: MEDIA_KINDS.get(m.get("type", ""), m.get("type", ""))
                for m in page.get("includes", {}).get("media", [])
            }
            for tweet in page.get("data", []):
                keys = (tweet.get("attachments") or {}).get("media_keys", [])
                receipt = records.Receipt(
                    self.network,
                    tweet["id"],
                    post_url(user["username"], tweet["id"]),
                    _created_at(tweet),
                )
                content = PostContent.of(
                    expanded_text(tweet), media=(kinds.get(k, "unknown") for k in keys)
                )
                yield receipt, content

    def recent_posts(
        self, account: str, since: datetime, *, metrics: bool = False
    ) -> list[records.Post]:
        """The account's timeline since ``since``; with ``metrics``, each post carries the
        metrics the timeline returned (the same fields as :meth:`post_metrics`)."""
        listing = (
            self._timeline_with_metrics(account, since)
            if metrics
            else self._timeline(account, since)
        )
        return [
            records.Post(
                network=self.network,
                account_id=user["id"],
                post_id=tweet["id"],
                created_at=_created_at(tweet),
                text=html.unescape(tweet["text"]),
                url=post_url(user["username"], tweet["id"]),
                metrics=self._metrics(tweet) if metrics else None,
            )
            for user, tweet in listing
        ]

    def _timeline_with_metrics(
        self, account: str, since: datetime
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(user, tweet) like :meth:`_timeline`, each tweet with the metrics fields of
        :meth:`post_metrics`: ``public_metrics`` (in :data:`POST_FIELDS`) and, with the user
        context, ``non_public_metrics`` and ``organic_metrics``.

        X serves the private fields only on the user's own posts younger than 30 days: it leaves
        the others out of the page and names them in its errors. Those are read again by id
        with public fields (one lookup for the page, as :meth:`post_metrics` would), and after
        a page where every post was refused (another account, or posts past 30 days: older
        pages follow) the listing stops asking the private fields.
        """
        user = self._user(account)
        private = self.has_user_context
        user_auth = private or self._read_with_user_context()

        def fetch(token: Cursor | None) -> dict[str, Any]:
            return self.client.get_users_tweets(
                user["id"],
                start_time=since,
                max_results=PAGE_SIZE,
                pagination_token=token,
                tweet_fields=[*POST_FIELDS, *PRIVATE_METRIC_FIELDS] if private else POST_FIELDS,
                user_auth=user_auth,
            )

        for page in self._pages(
            f"listing posts of @{user['username']}", "GET /2/users/:id/tweets", fetch
        ):
            tweets = page.get("data", [])
            refused = self._refused_ids(page, {tweet["id"] for tweet in tweets})
            if refused:
                private = private and bool(tweets)
                tweets = sorted(
                    [
                        *tweets,
                        *self._lookup_tweets(refused, private=False, fields=POST_FIELDS)[
                            0
                        ].values(),
                    ],
                    key=lambda tweet: (_created_at(tweet), int(tweet["id"])),
                    reverse=True,
                )
            for tweet in tweets:
                yield user, tweet

    def account_metrics(self, account: str, day: date) -> records.AccountMetrics:
        """Today's public counters: X keeps no history, so ``day`` only labels the snapshot."""
        user = self._lookup_user(account)
        metrics = user.get("public_metrics", {})
        return records.AccountMetrics(
            network=self.network,
            account_id=user["id"],
            day=day,
            followers=metrics.get("followers_count"),
            following=metrics.get("following_count"),
            posts_count=_first(metrics, "tweet_count", "post_count"),
        )

    def post_metrics(self, post_ids: Sequence[str]) -> list[records.PostMetrics]:
        ids = unique(str(i) for i in post_ids)
        found: dict[str, dict[str, Any]] = {}
        for batch in batched(ids, LOOKUP_BATCH):
            tweets, refused = self._lookup_tweets(batch, private=self.has_user_context)
            found.update(tweets)
            # Private metrics exist only for the account's own posts younger than 30 days;
            # the others come back as field errors and are read again with public fields.
            if refused:
                found.update(self._lookup_tweets(refused, private=False)[0])
        return [self._metrics(found[i]) for i in ids if i in found]

    def _lookup_tweets(
        self, ids: list[str], *, private: bool, fields: Sequence[str] = ("public_metrics",)
    ) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """The tweets found by id with ``fields`` (and the private metrics fields when
        ``private``), and the ids refused only because of a private field."""
        wanted = [*fields, *PRIVATE_METRIC_FIELDS] if private else list(fields)
        user_auth = private or self._read_with_user_context()
        body = self.read(
            f"reading metrics of {len(ids)} X posts",
            lambda: self.client.get_tweets(ids, tweet_fields=wanted, user_auth=user_auth),
        )
        tweets = {tweet["id"]: tweet for tweet in body.get("data", [])}
        return tweets, self._refused_ids(body, set(tweets))

    @staticmethod
    def _refused_ids(body: dict[str, Any], found: set[str]) -> list[str]:
        """The ids of an answer's field errors on a private metric (other errors are logged:
        deleted or protected posts, nothing to read again)."""
        refused: list[str] = []
        for error in body.get("errors", []):
            resource = error.get("resource_id") or error.get("value")
            if FIELD_NOT_AUTHORIZED in str(error.get("type", "")):
                if resource not in found and resource not in refused:
                    refused.append(resource)
            else:
                log.warning(
                    "X post %s skipped: %s", resource, error.get("detail") or error.get("title")
                )
        return refused

    def _metrics(self, tweet: dict[str, Any]) -> records.PostMetrics:
        public = tweet.get("public_metrics", {})
        organic = tweet.get("organic_metrics", {})
        private = {**organic, **tweet.get("non_public_metrics", {})}
        return records.PostMetrics(
            network=self.network,
            post_id=tweet["id"],
            impressions=_first(public, "impression_count") or _first(organic, "impression_count"),
            likes=public.get("like_count"),
            comments=public.get("reply_count"),
            shares=_sum(_first(public, "retweet_count", "repost_count"), public.get("quote_count")),
            saves=public.get("bookmark_count"),
            link_clicks=private.get("url_link_clicks"),
        )

    def _search(
        self, query: str, since: datetime, kind: str
    ) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
        """(tweet, authors by user id) for every recent post matching ``query`` since ``since``."""
        oldest = self.now() - SEARCH_WINDOW + timedelta(minutes=1)
        if since < oldest:
            log.info("X recent search covers 7 days: %s since %s read from %s", kind, since, oldest)
            since = oldest
        user_auth = self._read_with_user_context()
        for page in self._pages(
            f"searching X {kind} for {query!r}",
            "GET /2/tweets/search/recent",
            lambda token: self.client.search_recent_tweets(
                query,
                start_time=since,
                max_results=PAGE_SIZE,
                next_token=token,
                expansions=["author_id"],
                tweet_fields=POST_FIELDS,
                user_fields=["username", "public_metrics"],
                user_auth=user_auth,
            ),
        ):
            # The authors come with the page: their followers are the reach, at no extra call.
            authors = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
            for tweet in page.get("data", []):
                yield tweet, authors

    def _mention(
        self, tweet: dict[str, Any], authors: dict[str, dict[str, Any]], **kind: Any
    ) -> records.Mention:
        author_id = tweet.get("author_id", "")
        author = authors.get(author_id) or {}
        handle = author.get("username")
        return records.Mention(
            network=self.network,
            mention_id=tweet["id"],
            author_id=author_id,
            author_handle=handle,
            text=html.unescape(tweet["text"]),
            created_at=_created_at(tweet),
            lang=tweet.get("lang"),
            url=post_url(handle, tweet["id"]),
            likes=tweet.get("public_metrics", {}).get("like_count"),
            author_reach=(author.get("public_metrics") or {}).get("followers_count"),
            **kind,
        )

    def mentions(self, query: str, since: datetime) -> list[records.Mention]:
        return [
            self._mention(tweet, authors)
            for tweet, authors in self._search(query, since, "mentions")
        ]

    def comments(self, post_ids: Sequence[str], since: datetime) -> list[records.Mention]:
        own = {str(i) for i in post_ids}
        found: list[records.Mention] = []
        for query in conversation_queries(sorted(own)):
            for tweet, authors in self._search(query, since, "comments"):
                if tweet["id"] in own:
                    continue
                found.append(
                    self._mention(
                        tweet, authors, kind="comment", in_reply_to=tweet.get("conversation_id")
                    )
                )
        return found

    def profiles(self, ids_or_handles: Sequence[str]) -> list[records.Profile]:
        wanted = unique(str(v).lstrip("@") for v in ids_or_handles)
        ids = [v for v in wanted if v.isdigit()]
        handles = [v for v in wanted if not v.isdigit()]
        user_auth = self._read_with_user_context()
        users: list[dict[str, Any]] = []
        for key, values in (("ids", ids), ("usernames", handles)):
            for batch in batched(values, LOOKUP_BATCH):
                body = self.read(
                    f"looking up {len(batch)} X profiles",
                    lambda batch=batch, key=key: self.client.get_users(
                        **{key: batch}, user_fields=USER_FIELDS, user_auth=user_auth
                    ),
                )
                for error in body.get("errors", []):
                    log.warning("X profile %s skipped: %s", error.get("value"), error.get("detail"))
                users += [self._remember(u) for u in body.get("data", [])]
        return [self._profile(u) for u in users]

    def lookup_profiles(self, ids_or_handles: Sequence[str]) -> records.ProfileLookup:
        """``GET /2/users`` (ids) and ``GET /2/users/by`` (handles), 100 per call."""
        wanted = unique(str(v).lstrip("@") for v in ids_or_handles)
        user_auth = self._read_with_user_context()
        lookup = records.ProfileLookup()
        for key, values in (("ids", [v for v in wanted if v.isdigit()]),
                            ("usernames", [v for v in wanted if not v.isdigit()])):  # fmt: skip
            for batch in batched(values, LOOKUP_BATCH):
                body = self.read(
                    f"looking up {len(batch)} X profiles",
                    lambda batch=batch, key=key: self.client.get_users(
                        **{key: batch}, user_fields=PUBLIC_USER_FIELDS, user_auth=user_auth
                    ),
                )
                found = [self._remember(u) for u in body.get("data", [])]
                lookup.found.extend(self._profile(u) for u in found)
                seen = {u["id"] for u in found} | {u["username"].casefold() for u in found}
                for error in body.get("errors", []):
                    value = str(error.get("value") or error.get("resource_id") or "")
                    if value and value.casefold() not in seen:
                        lookup.unreadable[value] = _lookup_reason(error)
        return lookup

    def public_posts(self, account: str, since: datetime) -> list[records.PublicPost]:
        """The account's timeline since ``since`` with public counters; a protected
        account's posts are not public."""
        user = self._user(account)
        if "protected" not in user:  # resolved without the privacy fields
            self.lookup_profiles([user["id"]])
            user = self._users[user["id"]]
        if user.get("protected"):
            raise NotSupported(
                self.network, f"@{user['username']} is protected: its posts are not public"
            )
        posts = []
        for _, tweet in self._timeline(account, since):
            counters = self._metrics(tweet)
            posts.append(
                records.PublicPost(
                    network=self.network,
                    account_id=user["id"],
                    post_id=tweet["id"],
                    created_at=_created_at(tweet),
                    text=html.unescape(tweet["text"]),
                    url=post_url(user["username"], tweet["id"]),
                    likes=counters.likes,
                    comments=counters.comments,
                    shares=counters.shares,
                    views=counters.impressions,
                )
            )
        return posts

    def _profile(self, user: dict[str, Any]) -> records.Profile:
        metrics = user.get("public_metrics", {})
        return records.Profile(
            network=self.network,
            account_id=user["id"],
            handle=user["username"],
            name=user.get("name"),
            followers=metrics.get("followers_count"),
            following=metrics.get("following_count"),
            posts_count=_first(metrics, "tweet_count", "post_count"),
            bio=user.get("description"),
            verified=user.get("verified"),
            created_at=_parse_time(user.get("created_at")),
            url=f"https://x.com/{user['username']}",
            has_picture=DEFAULT_PICTURE not in user["profile_image_url"]
            if user.get("profile_image_url")
            else None,
            protected=user.get("protected"),
        )

    def close(self) -> None:
        self.client.session.close()


def _lookup_reason(error: dict[str, Any]) -> str:
    """Why a users lookup did not return an account, from X's error object."""
    title = str(error.get("title", ""))
    if "suspend" in str(error.get("detail", "")).lower() or title == "Forbidden":
        return "suspended or withheld by X"
    if title == "Not Found Error":
        return "no such account (renamed or deleted)"
    return str(error.get("detail") or title or "not returned by X")


def conversation_queries(post_ids: Sequence[str]) -> list[str]:
    """``conversation_id:A OR conversation_id:B ...`` queries within X's query length."""
    queries: list[str] = []
    current = ""
    for post_id in post_ids:
        term = f"conversation_id:{post_id}"
        candidate = f"{current} OR {term}" if current else term
        if len(candidate) > MAX_QUERY_LENGTH and current:
            queries.append(current)
            candidate = term
        current = candidate
    if current:
        queries.append(current)
    return queries
