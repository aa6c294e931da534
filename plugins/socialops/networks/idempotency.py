"""Idempotency keys that a network adapter can recognise on the network itself.

No network lets us attach a hidden key to a post, so the key carries a fingerprint of the
content: after a timeout, ``find_published(key, account, since)`` lists the account's posts
since the attempt and looks for one whose content has the same fingerprint. Links are left
out of the fingerprint because networks rewrite them (X shortens every URL to t.co).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_URL = re.compile(r"https?://\S+")
_SPACE = re.compile(r"\s+")


def content_fingerprint(text: str) -> str:
    normalized = unicodedata.normalize("NFC", _URL.sub(" ", text or ""))
    normalized = _SPACE.sub(" ", normalized).strip().casefold()
    return hashlib.sha256(normalized.encode()).hexdigest()[:16]


def idempotency_key(entry_id: str, network: str, text: str) -> str:
    """``<network>:<entry id>:<fingerprint>``: one key per calendar entry, network and content."""
    return f"{network}:{entry_id}:{content_fingerprint(text)}"


def fingerprint_of(key: str) -> str:
    try:
        _, fingerprint = key.rsplit(":", 1)
    except ValueError:
        raise ValueError(f"{key!r} is not an idempotency key made by idempotency_key()") from None
    return fingerprint


def matches(key: str, text: str) -> bool:
    """Whether a post's text is the content the key was made for."""
    return content_fingerprint(text) == fingerprint_of(key)
