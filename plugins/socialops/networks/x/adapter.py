"""X (Twitter) through tweepy's API v2 ``Client``.

Connection fields (Airflow connection ``x_default``, type ``x``):

* ``host``: API base URL. Empty for the real API (``https://api.twitter.com``); the sandbox
  sets ``http://127.0.0.1:PORT/x``.
* ``login``: optional, the owned account's handle (informational; drafts name their account).
* ``password``: the app's **bearer token** (OAuth 2.0 app-only), used for every read. An
  OAuth 2.0 *user* access token works here too.
* extras ``consumer_key``, ``consumer_secret``, ``access_token``, ``access_token_secret``:
  OAuth 1.0a user context of the owned account. Needed to publish, for ``check()`` with an
  app-only bearer, and for ``non_public_metrics`` / ``organic_metrics`` (link clicks) of the
  account's own posts younger than 30 days. Without them the adapter reads public data only.
* extras ``timeout`` (seconds per request, default 30) and ``max_attempts``, ``backoff_base``,
  ``backoff_cap``, ``max_sleep`` (see :class:`~socialops.networks.retry.RetryPolicy`).

Errors: a 429 becomes :class:`RateLimited` with ``retry_at`` read from ``x-rate-limit-reset``
(X sends no ``Retry-After``); waits up to ``max_sleep`` happen inside the call, longer ones are
raised. 5xx and dropped connections on reads are :class:`TransientError`; a ``POST /2/tweets``
whose answer never came is :class:`OutcomeUnknown` (reconcile with :meth:`XAdapter.find_published`
before publishing again). 401 is :class:`AuthError`, the 403 duplicate answer
:class:`DuplicateContent`, any other 4xx :class:`InvalidRequest` carrying X's ``detail``.

Draft options understood by :meth:`XAdapter.publish`: ``reply_to`` (a post id to answer) and
``quote`` (a post id to quote).

Media (``draft.media``: local paths, or http(s) URLs downloaded first, at most the size X
accepts): up to 4 images (jpg, png, gif, webp; 5 MB each) or 1 mp4 video (512 MB). Images go
through the one-shot ``POST /2/media/upload``; a video through ``/2/media/upload/initialize``,
``/{id}/append`` (4 MiB segments) and ``/{id}/finalize``, then ``GET /2/media/upload`` until X
has processed it, for at most extra ``media_wait`` seconds (default 120). Uploads are retried
like reads (a lost answer only leaves an unused media id, which X discards within a day); the
post itself keeps the exactly-once rules above. Uploading needs the OAuth 1.0a user context
(an OAuth 2.0 user token would need the ``media.write`` scope).
"""

from __future__ import annotations

import html
import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import tweepy
from tweepy.auth import OAuth1UserHandler

from socialops.networks.base import ConnectionSettings, NetworkAdapter
from socialops.networks.errors import (
    AuthError,
    DuplicateContent,
    InvalidRequest,
    NetworkError,
    OutcomeUnknown,
    RateLimited,
    TransientError,
)
from socialops.networks.idempotency import matches
from socialops.networks.paging import batched
from socialops.networks.records import (
    AccountMetrics,
    Draft,
    Mention,
    Post,
    PostMetrics,
    Profile,
    Receipt,
)
from socialops.networks.retry import call_with_retries
from socialops.networks.transport.http import media_download, never_sent
from socialops.networks.x.limits import IMAGE_TYPES, MAX_BYTES, MAX_IMAGES, VIDEO_TYPES

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The host tweepy hard-codes in ``BaseClient.request``.
TWEEPY_HOST = "https://api.twitter.com"
LOOKUP_BATCH = 100  # ids per GET /2/tweets and per GET /2/users
PAGE_SIZE = 100  # max_results of timelines and recent search
SEARCH_WINDOW = timedelta(days=7)  # recent search refuses an older start_time
MAX_QUERY_LENGTH = 512  # search query length of the Basic and Pro tiers
RATE_WINDOW = timedelta(minutes=15)  # X's window, assumed when a 429 lacks its reset header
USER_FIELDS = ["created_at", "description", "public_metrics", "verified", "username", "name"]
POST_FIELDS = ["created_at", "author_id", "conversation_id", "lang", "public_metrics"]
PRIVATE_METRIC_FIELDS = ["non_public_metrics", "organic_metrics"]
FIELD_NOT_AUTHORIZED = "not-authorized-for-field"

SEGMENT_BYTES = 4 * 1024 * 1024  # X refuses append segments over 5 MB
DEFAULT_MEDIA_WAIT = 120.0  # seconds a video may take to be processed before we give up
USER_CONTEXT_EXTRAS = (
    "the OAuth 1.0a user tokens (extras consumer_key, consumer_secret, access_token, "
    "access_token_secret)"
)


def _hide_request_dumps(record: logging.LogRecord) -> bool:
    # tweepy logs every request's headers at DEBUG, bearer token included.
    return not str(record.msg).startswith("Making API request")


logging.getLogger("tweepy.client").addFilter(_hide_request_dumps)


def endpoint_name(method: str, route: str) -> str:
    """``GET /2/users/:id/tweets`` from ``GET /2/users/783214/tweets``: one name per endpoint."""
    route = re.sub(r"^/2/users/by/username/[^/]+", "/2/users/by/username/:username", route)
    version, rest = route[:2], route[2:]  # "/2" is the API version, not an id
    return f"{method.upper()} {version}" + re.sub(r"/\d+(?=/|$)", "/:id", rest)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def snowflake_time(post_id: str) -> datetime:
    """When an X id was minted: ids are snowflakes holding milliseconds since X's epoch."""
    return datetime.fromtimestamp(((int(post_id) >> 22) + 1288834974657) / 1000, UTC)


def _created_at(tweet: dict[str, Any]) -> datetime:
    return _parse_time(tweet.get("created_at")) or snowflake_time(tweet["id"])


def _first(mapping: dict[str, Any], *names: str) -> int | None:
    """The first present field: X renamed ``retweet_count``→``repost_count``, ``tweet_count``→``post_count``."""
    for name in names:
        if mapping.get(name) is not None:
            return mapping[name]
    return None


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def post_url(handle: str | None, post_id: str) -> str:
    return (
        f"https://x.com/{handle}/status/{post_id}"
        if handle
        else f"https://x.com/i/web/status/{post_id}"
    )


class _RebasedSession(requests.Session):
    """Sends tweepy's requests to ``base_url`` instead of the host it hard-codes, with a timeout."""

    def __init__(self, base_url: str | None, timeout: float):
        super().__init__()
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        if self.base_url and url.startswith(TWEEPY_HOST):
            url = self.base_url + url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", self.timeout)
        response = super().request(method, url, *args, **kwargs)
        if response.headers.get("x-rate-limit-remaining") == "0":
            log.info(
                "X rate limit window for %s %s is spent until %s",
                method,
                url.split("?")[0],
                response.headers.get("x-rate-limit-reset"),
            )
        return response


@dataclass(frozen=True)
class MediaFile:
    """One attachment ready to upload: where it came from (as the calendar names it) and the
    local file holding it (a download for a URL)."""

    source: str
    path: Path
    kind: str  # "image" or "video"
    mime: str
    size: int


def media_type(source: str) -> tuple[str, str] | None:
    """``(kind, mime type)`` from a path's or URL's extension; None when X cannot take it."""
    name = urlsplit(source).path if _is_url(source) else source
    suffix = Path(name).suffix.lower()
    if suffix in IMAGE_TYPES:
        return "image", IMAGE_TYPES[suffix]
    if suffix in VIDEO_TYPES:
        return "video", VIDEO_TYPES[suffix]
    return None


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class XClient(tweepy.Client):
    """tweepy's v2 client, pointed at ``base_url`` when set, with a timeout and a call counter."""

    def __init__(
        self,
        *,
        base_url: str | None,
        timeout: float,
        on_request: Callable[[str], None],
        **credentials: str | None,
    ):
        # wait_on_rate_limit would sleep for a whole window inside a worker: the adapter
        # decides how long it may wait.
        super().__init__(**credentials, return_type=dict, wait_on_rate_limit=False)
        self.session = _RebasedSession(base_url, timeout)
        self._on_request = on_request

    def request(self, method, route, params=None, json=None, user_auth=False):
        self._on_request(endpoint_name(method, route))
        return super().request(method, route, params=params, json=json, user_auth=user_auth)

    def post_multipart(
        self, route: str, *, fields: dict[str, str], media: tuple[str, bytes, str]
    ) -> dict[str, Any]:
        """POST a ``multipart/form-data`` body (``media`` as a file part) under OAuth 1.0a user
        context, which tweepy's ``request()`` cannot send: it only sends JSON. Same session,
        signing and errors as tweepy's own calls, so the adapter handles both alike."""
        self._on_request(endpoint_name("POST", route))
        auth = OAuth1UserHandler(
            self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret
        ).apply_auth()
        response = self.session.request(
            "POST",
            TWEEPY_HOST + route,
            data=fields,
            files={"media": media},
            headers={"User-Agent": self.user_agent},
            auth=auth,
        )
        if not 200 <= response.status_code < 300:
            # The adapter reads the status and body, whatever tweepy class would carry them.
            raise tweepy.HTTPException(response)
        return response.json()


class XAdapter(NetworkAdapter):
    network = "x"

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        super().__init__(settings)
        self._sleep = sleep
        self._now = now
        self._bearer = settings.password
        self._oauth1 = {
            name: settings.secret(name)
            for name in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
        }
        self.client = XClient(
            base_url=settings.host,
            timeout=settings.timeout,
            on_request=self.count_call,
            bearer_token=self._bearer,
            **self._oauth1,
        )
        self._users: dict[str, dict[str, Any]] = {}  # casefolded handle and id → user object

    # -- credentials -------------------------------------------------------------------
    @property
    def has_user_context(self) -> bool:
        return all(self._oauth1.values())

    def _read_with_user_context(self) -> bool:
        if self._bearer:
            return False
        if self.has_user_context:
            return True
        raise self._auth_error(
            "no credentials configured", renew="the X bearer token (connection password)"
        )

    def _auth_error(self, message: str, *, renew: str, status: int | None = None) -> AuthError:
        return AuthError(
            self.network, message, conn_id=self.settings.conn_id, renew=renew, status=status
        )

    # -- calls, errors, retries ----------------------------------------------------------
    def _read(self, what: str, call: Callable[[], T]) -> T:
        """A call that may be repeated: reads, and media uploads (repeating one at worst leaves
        an unused media id, which X discards), so 5xx and lost answers are retried."""
        return call_with_retries(
            lambda: self._translated(what, call),
            self.settings.retry_policy,
            sleep=self._sleep,
            now=self._now,
        )

    def _translated(self, what: str, call: Callable[[], T], *, write: bool = False) -> T:
        try:
            return call()
        except tweepy.HTTPException as exc:
            raise self._http_error(what, exc) from exc
        except requests.RequestException as exc:
            if never_sent(exc):
                # Not even a write can have been applied: it may be sent again.
                raise TransientError(
                    self.network, f"{what}: could not connect to X ({type(exc).__name__})"
                ) from exc
            if write:
                raise OutcomeUnknown(
                    self.network,
                    f"{what}: X did not answer ({type(exc).__name__}); the post may exist",
                    hint="reconcile with find_published() before publishing again",
                ) from exc
            raise TransientError(
                self.network, f"{what}: X did not answer ({type(exc).__name__})"
            ) from exc

    def _http_error(self, what: str, exc: tweepy.HTTPException) -> NetworkError:
        response = exc.response
        status = response.status_code
        detail = self._detail(exc)
        if status == 429:
            retry_at = self._reset_time(response)
            return RateLimited(
                self.network,
                f"{what}: rate limit reached ({detail})",
                retry_at=retry_at,
                status=status,
            )
        if status >= 500:
            return TransientError(
                self.network, f"{what}: X answered {status} ({detail})", status=status
            )
        if status == 401:
            return self._auth_error(
                f"{what}: X refused the credentials ({detail})",
                renew="the X access token / bearer token",
                status=status,
            )
        if status == 403 and "duplicate" in detail.casefold():
            return DuplicateContent(
                self.network,
                f"{what}: X refused a post identical to a recent one ({detail})",
                hint="change the text or check that it was not already published",
                status=status,
            )
        if status == 403 and "authentication" in detail.casefold():
            return self._auth_error(
                f"{what}: {detail}",
                renew=USER_CONTEXT_EXTRAS,
                status=status,
            )
        return InvalidRequest(self.network, f"{what}: X answered {status}: {detail}", status=status)

    @staticmethod
    def _detail(exc: tweepy.HTTPException) -> str:
        try:
            body = exc.response.json()
        except ValueError:
            body = {}
        if isinstance(body, dict):
            parts = [body.get("detail") or body.get("title")]
            parts += [
                e.get("message") or e.get("detail")
                for e in body.get("errors", [])
                if isinstance(e, dict)
            ]
            found = [p for p in parts if p]
            if found:
                return "; ".join(found)
        return exc.response.reason or str(exc.response.status_code)

    def _reset_time(self, response: requests.Response) -> datetime:
        raw = response.headers.get("x-rate-limit-reset")
        try:
            return datetime.fromtimestamp(int(raw), UTC)
        except (TypeError, ValueError):
            return self._now() + RATE_WINDOW

    def _pages(
        self, what: str, fetch: Callable[[str | None], dict[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        """Every page of a paginated endpoint; ``fetch(token)`` gets one page."""
        token: str | None = None
        while True:
            page = self._read(what, lambda token=token: fetch(token))
            yield page
            token = page.get("meta", {}).get("next_token")
            if not token:
                return

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
        body = self._read(
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
    def check(self) -> Profile:
        # GET /2/users/me needs a user: the OAuth 1.0a tokens, else a bearer that is a user's.
        user_auth = self.has_user_context or self._read_with_user_context()
        body = self._read(
            "checking the X connection",
            lambda: self.client.get_me(user_fields=USER_FIELDS, user_auth=user_auth),
        )
        return self._profile(self._remember(body["data"]))

    def publish(self, draft: Draft, idempotency_key: str) -> Receipt:
        what = f"publishing post {idempotency_key} on @{draft.account}"
        kinds = self._media_kinds(draft.media, what)
        if not self.has_user_context:
            raise self._auth_error(
                f"publishing for @{draft.account} needs the account's user context",
                renew=USER_CONTEXT_EXTRAS,
            )
        media_ids = self._upload_all(draft.media, kinds, what) if draft.media else None
        text = self.published_text(draft)
        started = self._now()
        attempts = 0

        def create() -> dict[str, Any]:
            nonlocal attempts
            attempts += 1
            return self._translated(
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
            body = call_with_retries(
                create, self.settings.retry_policy, sleep=self._sleep, now=self._now
            )
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
        return Receipt(self.network, post_id, post_url(handle, post_id), started)

    # -- media -------------------------------------------------------------------------------
    def _media_kinds(self, media: Sequence[str], what: str) -> list[tuple[str, str]]:
        """``(kind, mime)`` per attachment, refusing what X would refuse before anything is sent."""
        kinds = []
        for source in media:
            found = media_type(source)
            if found is None:
                raise InvalidRequest(
                    self.network,
                    f"{what}: cannot attach {source!r}; X takes "
                    f"{', '.join(s.lstrip('.') for s in IMAGE_TYPES)} images and mp4 videos",
                    hint="convert the file, or remove it from the calendar entry's media",
                )
            kinds.append(found)
        videos = sum(kind == "video" for kind, _ in kinds)
        if len(kinds) > MAX_IMAGES or (videos and len(kinds) > 1):
            raise InvalidRequest(
                self.network,
                f"{what}: {len(kinds)} media files ({len(kinds) - videos} images, {videos} "
                f"videos); an X post holds at most {MAX_IMAGES} images or 1 video",
                hint="keep 4 images or 1 video in the calendar entry's media",
            )
        return kinds

    def _upload_all(
        self, media: Sequence[str], kinds: list[tuple[str, str]], what: str
    ) -> list[str]:
        """The media ids of the uploaded attachments. Every file is checked (and every URL
        downloaded) before the first upload, so a bad last file costs no upload."""
        with tempfile.TemporaryDirectory(prefix="socialops-x-media-") as scratch:
            try:
                files = [
                    self._media_file(source, kind, mime, Path(scratch) / str(n), what)
                    for n, (source, (kind, mime)) in enumerate(zip(media, kinds, strict=True))
                ]
                return [self._upload(file, what) for file in files]
            except OSError as exc:
                raise InvalidRequest(
                    self.network, f"{what}: cannot read media {exc.filename!r}: {exc.strerror}"
                ) from exc

    def _media_file(
        self, source: str, kind: str, mime: str, download_to: Path, what: str
    ) -> MediaFile:
        if _is_url(source):
            suffix = Path(urlsplit(source).path).suffix
            path = self._download(source, kind, download_to.with_suffix(suffix), what)
        else:
            path = Path(source)
            if not path.is_file():
                raise InvalidRequest(
                    self.network,
                    f"{what}: media file {source!r} does not exist",
                    hint="fix the calendar entry's media (relative paths start in the calendar's folder)",
                )
        size = path.stat().st_size
        if size == 0:
            raise InvalidRequest(self.network, f"{what}: media file {source!r} is empty")
        if size > MAX_BYTES[kind]:
            raise self._too_big(source, kind, size, what)
        return MediaFile(source, path, kind, mime, size)

    def _too_big(self, source: str, kind: str, size: int, what: str) -> InvalidRequest:
        return InvalidRequest(
            self.network,
            f"{what}: {source!r} is {_megabytes(size)}; X takes {kind}s up to "
            f"{_megabytes(MAX_BYTES[kind])}",
            hint=f"compress the {kind} or choose a smaller one",
        )

    def _download(self, url: str, kind: str, target: Path, what: str) -> Path:
        """Save ``url`` to ``target``, stopping as soon as it is larger than X would take."""
        limit = MAX_BYTES[kind]
        with media_download(self, url, what, kind) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise self._too_big(url, kind, int(declared), what)
            size = 0
            with target.open("wb") as out:
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise self._too_big(url, kind, size, what)
                    out.write(chunk)
        return target

    def _upload(self, media: MediaFile, what: str) -> str:
        """Upload one file; its media id, ready to attach."""
        label = f"{what}: uploading {media.kind} {media.source}"
        if media.kind == "image":
            content = media.path.read_bytes()
            body = self._read(
                label,
                lambda: self.client.post_multipart(
                    "/2/media/upload",
                    fields={"media_category": "tweet_image"},
                    media=(media.path.name, content, media.mime),
                ),
            )
            return body["data"]["id"]
        init = self._user_call(
            label,
            "POST",
            "/2/media/upload/initialize",
            json={
                "media_type": media.mime,
                "total_bytes": media.size,
                "media_category": "tweet_video",
            },
        )
        media_id = init["data"]["id"]
        with media.path.open("rb") as stream:
            for index, segment in enumerate(iter(lambda: stream.read(SEGMENT_BYTES), b"")):
                self._read(
                    f"{label} (segment {index})",
                    lambda index=index, segment=segment: self.client.post_multipart(
                        f"/2/media/upload/{media_id}/append",
                        fields={"segment_index": str(index)},
                        media=(media.path.name, segment, "application/octet-stream"),
                    ),
                )
        final = self._user_call(label, "POST", f"/2/media/upload/{media_id}/finalize")
        self._wait_until_processed(final["data"], media, what)
        return media_id

    def _user_call(self, what: str, method: str, route: str, **kwargs: Any) -> dict[str, Any]:
        """A retried JSON call under user context to an endpoint tweepy has no method for."""
        return self._read(
            what, lambda: self.client.request(method, route, user_auth=True, **kwargs).json()
        )

    def _wait_until_processed(self, data: dict[str, Any], media: MediaFile, what: str) -> None:
        """Poll the upload status until X has processed the video, for at most ``media_wait`` s."""
        budget = float(self.settings.extras.get("media_wait", DEFAULT_MEDIA_WAIT))
        waited = 0.0
        info = data.get("processing_info")
        while info and info.get("state") != "succeeded":
            state = info.get("state", "unknown")
            if state == "failed":
                reason = (info.get("error") or {}).get("message") or "no reason given"
                raise InvalidRequest(
                    self.network,
                    f"{what}: X could not process video {media.source} (media {data['id']}): {reason}",
                    hint="check that the video is an H.264/AAC mp4 within X's duration and size limits",
                )
            if waited >= budget:
                raise TransientError(
                    self.network,
                    f"{what}: video {media.source} (media {data['id']}) is still {state} "
                    f"after {waited:.0f}s of processing; nothing was posted",
                    hint="retry later, or raise extra 'media_wait' for long videos",
                )
            pause = min(max(1.0, float(info.get("check_after_secs") or 1)), budget - waited)
            self._sleep(pause)
            waited += pause
            status = self._user_call(
                f"{what}: checking the processing of video {media.source}",
                "GET",
                "/2/media/upload",
                params={"media_id": data["id"], "command": "STATUS"},
            )
            info = status["data"].get("processing_info")

    def _timeline(
        self, account: str, since: datetime
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(user, tweet) for the account's posts created since ``since``, newest first."""
        user = self._user(account)
        user_auth = self._read_with_user_context()
        for page in self._pages(
            f"listing posts of @{user['username']}",
            lambda token: self.client.get_users_tweets(
                user["id"],
                start_time=since,
                max_results=PAGE_SIZE,
                pagination_token=token,
                tweet_fields=POST_FIELDS,
                user_auth=user_auth,
            ),
        ):
            for tweet in page.get("data", []):
                yield user, tweet

    def find_published(self, idempotency_key: str, account: str, since: datetime) -> Receipt | None:
        for user, tweet in self._timeline(account, since):
            if matches(idempotency_key, html.unescape(tweet["text"])):
                url = post_url(user["username"], tweet["id"])
                return Receipt(self.network, tweet["id"], url, _created_at(tweet))
        return None

    def recent_posts(self, account: str, since: datetime) -> list[Post]:
        return [
            Post(
                network=self.network,
                account_id=user["id"],
                post_id=tweet["id"],
                created_at=_created_at(tweet),
                text=html.unescape(tweet["text"]),
                url=post_url(user["username"], tweet["id"]),
            )
            for user, tweet in self._timeline(account, since)
        ]

    def account_metrics(self, account: str, day: date) -> AccountMetrics:
        """Today's public counters: X keeps no history, so ``day`` only labels the snapshot."""
        user = self._lookup_user(account)
        metrics = user.get("public_metrics", {})
        return AccountMetrics(
            network=self.network,
            account_id=user["id"],
            day=day,
            followers=metrics.get("followers_count"),
            following=metrics.get("following_count"),
            posts_count=_first(metrics, "tweet_count", "post_count"),
        )

    def post_metrics(self, post_ids: Sequence[str]) -> list[PostMetrics]:
        ids = list(dict.fromkeys(str(i) for i in post_ids))
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
        self, ids: list[str], *, private: bool
    ) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """The tweets found by id, and the ids refused only because of a private field."""
        fields = ["public_metrics", *PRIVATE_METRIC_FIELDS] if private else ["public_metrics"]
        user_auth = private or self._read_with_user_context()
        body = self._read(
            f"reading metrics of {len(ids)} X posts",
            lambda: self.client.get_tweets(ids, tweet_fields=fields, user_auth=user_auth),
        )
        tweets = {tweet["id"]: tweet for tweet in body.get("data", [])}
        refused: list[str] = []
        for error in body.get("errors", []):
            resource = error.get("resource_id") or error.get("value")
            if FIELD_NOT_AUTHORIZED in str(error.get("type", "")):
                if resource not in tweets and resource not in refused:
                    refused.append(resource)
            else:
                log.warning(
                    "X post %s skipped: %s", resource, error.get("detail") or error.get("title")
                )
        return tweets, refused

    def _metrics(self, tweet: dict[str, Any]) -> PostMetrics:
        public = tweet.get("public_metrics", {})
        organic = tweet.get("organic_metrics", {})
        private = {**organic, **tweet.get("non_public_metrics", {})}
        return PostMetrics(
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
        """(tweet, handles by user id) for every recent post matching ``query`` since ``since``."""
        oldest = self._now() - SEARCH_WINDOW + timedelta(minutes=1)
        if since < oldest:
            log.info("X recent search covers 7 days: %s since %s read from %s", kind, since, oldest)
            since = oldest
        user_auth = self._read_with_user_context()
        for page in self._pages(
            f"searching X {kind} for {query!r}",
            lambda token: self.client.search_recent_tweets(
                query,
                start_time=since,
                max_results=PAGE_SIZE,
                next_token=token,
                expansions=["author_id"],
                tweet_fields=POST_FIELDS,
                user_fields=["username"],
                user_auth=user_auth,
            ),
        ):
            handles = {u["id"]: u["username"] for u in page.get("includes", {}).get("users", [])}
            for tweet in page.get("data", []):
                yield tweet, handles

    def _mention(self, tweet: dict[str, Any], handles: dict[str, str], **kind: Any) -> Mention:
        author_id = tweet.get("author_id", "")
        handle = handles.get(author_id)
        return Mention(
            network=self.network,
            mention_id=tweet["id"],
            author_id=author_id,
            author_handle=handle,
            text=html.unescape(tweet["text"]),
            created_at=_created_at(tweet),
            lang=tweet.get("lang"),
            url=post_url(handle, tweet["id"]),
            likes=tweet.get("public_metrics", {}).get("like_count"),
            **kind,
        )

    def mentions(self, query: str, since: datetime) -> list[Mention]:
        return [
            self._mention(tweet, handles)
            for tweet, handles in self._search(query, since, "mentions")
        ]

    def comments(self, post_ids: Sequence[str], since: datetime) -> list[Mention]:
        own = {str(i) for i in post_ids}
        found: list[Mention] = []
        for query in conversation_queries(sorted(own)):
            for tweet, handles in self._search(query, since, "comments"):
                if tweet["id"] in own:
                    continue
                found.append(
                    self._mention(
                        tweet, handles, kind="comment", in_reply_to=tweet.get("conversation_id")
                    )
                )
        return found

    def profiles(self, ids_or_handles: Sequence[str]) -> list[Profile]:
        wanted = list(dict.fromkeys(str(v).lstrip("@") for v in ids_or_handles))
        ids = [v for v in wanted if v.isdigit()]
        handles = [v for v in wanted if not v.isdigit()]
        user_auth = self._read_with_user_context()
        users: list[dict[str, Any]] = []
        for key, values in (("ids", ids), ("usernames", handles)):
            for batch in batched(values, LOOKUP_BATCH):
                body = self._read(
                    f"looking up {len(batch)} X profiles",
                    lambda batch=batch, key=key: self.client.get_users(
                        **{key: batch}, user_fields=USER_FIELDS, user_auth=user_auth
                    ),
                )
                for error in body.get("errors", []):
                    log.warning("X profile %s skipped: %s", error.get("value"), error.get("detail"))
                users += [self._remember(u) for u in body.get("data", [])]
        return [self._profile(u) for u in users]

    def _profile(self, user: dict[str, Any]) -> Profile:
        metrics = user.get("public_metrics", {})
        return Profile(
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
        )

    def close(self) -> None:
        self.client.session.close()


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
