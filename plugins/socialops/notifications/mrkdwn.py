"""Slack mrkdwn that is safe: user text is escaped, links are links only where we made them.

Post texts, mentions, error messages and row values go through :func:`escape`, so
``<!channel>``, ``<@U123>`` or ``<https://evil|click>`` written by someone else arrive as
visible text, never as a ping or a disguised link. :class:`Mrkdwn` marks text that is
already safe (our templates, :func:`link`).
"""

from __future__ import annotations

ELLIPSIS = "…"


class Mrkdwn(str):
    """Text already safe for Slack mrkdwn: never escaped again."""

    __slots__ = ()


def escape(text: object) -> Mrkdwn:
    """Escape ``&``, ``<`` and ``>`` as Slack requires, so text cannot ping or link.

    ``&`` first: ``"&lt;"`` typed by a user must show as ``&lt;``, so it becomes ``&amp;lt;``.
    Already safe :class:`Mrkdwn` is returned unchanged.
    """
    if isinstance(text, Mrkdwn):
        return text
    return Mrkdwn(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def link(url: str | None, label: object | None = None) -> Mrkdwn:
    """A ``<url|label>`` link; a non-http(s) URL is shown as plain escaped text, never linked."""
    shown = escape(label if label is not None else (url or ""))
    if not url or not url.lower().startswith(("https://", "http://")):
        return shown
    # Inside <...> Slack ends the URL at '|' or '>': encode them instead of escaping.
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return Mrkdwn(f"<{safe_url}|{shown}>")


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut.

    The cut never splits an escape (``&amp;``) or a ``<link|label>``: a half entity would
    show as garbage and a half link could swallow what follows.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return type(text)(cut + ELLIPSIS) if isinstance(text, Mrkdwn) else cut + ELLIPSIS
