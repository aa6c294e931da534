"""A post's attachments on X: checked, downloaded when they are URLs, then uploaded.

``draft.media`` holds local paths, or http(s) URLs downloaded first (at most the size X
accepts): up to 4 images (jpg, png, gif, webp; 5 MB each) or 1 mp4 video (512 MB). Images go
through the one-shot ``POST /2/media/upload``; a video through
``/2/media/upload/initialize``, ``/{id}/append`` (4 MiB segments) and ``/{id}/finalize``,
then ``GET /2/media/upload`` until X has processed it, for at most extra ``media_wait``
seconds (default 120). Uploads are retried like reads (a lost answer only leaves an unused
media id, which X discards within a day). Uploading needs the OAuth 1.0a user context (an
OAuth 2.0 user token would need the ``media.write`` scope).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from socialops.networks.errors import InvalidRequest, TransientError
from socialops.networks.transport.http import media_download
from socialops.networks.x.limits import IMAGE_TYPES, MAX_BYTES, MAX_IMAGES, VIDEO_TYPES

if TYPE_CHECKING:
    from socialops.networks.x.adapter import XAdapter

SEGMENT_BYTES = 4 * 1024 * 1024  # X refuses append segments over 5 MB


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


class MediaUploads:
    """The uploads of one :class:`~socialops.networks.x.adapter.XAdapter`, through its client,
    retries and clock."""

    def __init__(self, adapter: XAdapter):
        self.adapter = adapter
        self.network = adapter.network

    def kinds(self, media: Sequence[str], what: str) -> list[tuple[str, str]]:
        """``(kind, mime)`` per attachment, refusing what X would refuse before anything is
        sent."""
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

    def upload_all(
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
                    hint="fix the calendar entry's media (relative paths start in the "
                    "calendar's folder)",
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
        with media_download(self.adapter, url, what, kind) as response:
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
        client = self.adapter.client
        label = f"{what}: uploading {media.kind} {media.source}"
        if media.kind == "image":
            content = media.path.read_bytes()
            body = self.adapter.read(
                label,
                lambda: client.post_multipart(
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
                self.adapter.read(
                    f"{label} (segment {index})",
                    lambda index=index, segment=segment: client.post_multipart(
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
        client = self.adapter.client
        return self.adapter.read(
            what, lambda: client.request(method, route, user_auth=True, **kwargs).json()
        )

    def _wait_until_processed(self, data: dict[str, Any], media: MediaFile, what: str) -> None:
        """Poll the upload status until X has processed the video, for at most ``media_wait``
        seconds."""
        budget = self.adapter.extras.media_wait
        waited = 0.0
        info = data.get("processing_info")
        while info and info.get("state") != "succeeded":
            state = info.get("state", "unknown")
            if state == "failed":
                reason = (info.get("error") or {}).get("message") or "no reason given"
                raise InvalidRequest(
                    self.network,
                    f"{what}: X could not process video {media.source} (media {data['id']}): "
                    f"{reason}",
                    hint="check that the video is an H.264/AAC mp4 within X's duration and "
                    "size limits",
                )
            if waited >= budget:
                raise TransientError(
                    self.network,
                    f"{what}: video {media.source} (media {data['id']}) is still {state} "
                    f"after {waited:.0f}s of processing; nothing was posted",
                    hint="retry later, or raise extra 'media_wait' for long videos",
                )
            pause = min(max(1.0, float(info.get("check_after_secs") or 1)), budget - waited)
            self.adapter.sleep(pause)
            waited += pause
            status = self._user_call(
                f"{what}: checking the processing of video {media.source}",
                "GET",
                "/2/media/upload",
                params={"media_id": data["id"], "command": "STATUS"},
            )
            info = status["data"].get("processing_info")
