"""Slack mrkdwn that is safe: user text is escaped, links are links only where we made them.

Post texts, mentions, error messages and row values go through :func:`escape`, so text
written by someone else arrives as visible text, never as

* a ping: ``<!channel>``, ``<@U123>`` (``<``/``>`` escaped) and the plain words
  ``@channel``, ``@here``, ``@everyone`` (a word joiner after the ``@``);
* a disguised link: ``<https://evil|click>``;
* markup: ``*bold*``, ``_italic_``, ``~strike~``, `` `code` `` (the markup characters are
  replaced by look-alikes, see :data:`MARKUP`), or a new line that would start a quote or a
  fake line of the message (new lines become spaces).

Slack has no escape character for markup, hence the look-alikes. An underscore between two
letters or digits (``maison_lumiere``, ``2026_noel``) is kept: Slack only reads ``_`` as
italic at the edge of a word. Inside a code span (``code=True``) only the backtick can end
the span, so only it is replaced and the value is shown exactly otherwise.

:class:`Mrkdwn` marks text that is already safe (our templates, :func:`link`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from socialops.i18n import Text

ELLIPSIS = "…"

#: Markup character → the look-alike shown instead (asterisk operator, tilde operator,
#: modifier letter grave accent, modifier letter low macron).
MARKUP = {"*": "\u2217", "~": "\u223c", "`": "\u02cb", "_": "\u02cd"}
WORD_JOINER = "\u2060"

_MARKUP = re.compile(r"[*~`]|(?<![^\W_])_|_(?![^\W_])")
_MENTION = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_NEW_LINE = re.compile(r"\r\n|[\r\n\u2028\u2029]")


class Mrkdwn(str):
    """Text already safe for Slack mrkdwn: never escaped again."""

    __slots__ = ()


def escape(text: object, *, code: bool = False) -> Mrkdwn:
    """``text`` made inert for Slack mrkdwn (see the module docstring); ``code``: the value
    goes inside a code span. Already safe :class:`Mrkdwn` is returned unchanged.

    ``&`` is escaped first: ``"&lt;"`` typed by a user must show as ``&lt;``. A
    :class:`~socialops.i18n.Text` is refused: it must be rendered in the reader's language
    first (:meth:`~socialops.notifications.catalogue.Reader.render`), not shown in English.
    """
    if isinstance(text, Mrkdwn):
        return text
    if isinstance(text, Text):
        raise TypeError(f"render {text.msgid!r} with a Reader before escaping it")
    value = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _NEW_LINE.sub(" ", value)
    value = _MENTION.sub("@" + WORD_JOINER, value)
    if code:
        value = value.replace("`", MARKUP["`"])
    else:
        value = _MARKUP.sub(lambda match: MARKUP[match.group()], value)
    return Mrkdwn(value)


def code(value: object) -> Mrkdwn:
    """``value`` in a code span: an id, a column, a command the reader uses as it is."""
    return Mrkdwn(f"`{escape(value, code=True)}`")


def link(url: str | None, label: object | None = None) -> Mrkdwn:
    """A ``<url|label>`` link; a non-http(s) URL is shown as plain escaped text, never linked."""
    shown = escape(label if label is not None else (url or ""))
    if not url or not url.lower().startswith(("https://", "http://")):
        return shown
    # Inside <...> Slack ends the URL at '|' or '>': encode them (and spaces) instead.
    safe_url = (
        url.replace("&", "&amp;")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace("|", "%7C")
        .replace(" ", "%20")
    )
    return Mrkdwn(f"<{_NEW_LINE.sub('', safe_url)}|{shown}>")


def join(parts: Iterable[str], separator: str = "\n") -> Mrkdwn:
    """Parts joined into safe text: rendered (:class:`Mrkdwn`) parts as they are, others
    escaped; the separator is ours."""
    return Mrkdwn(separator.join(escape(part) for part in parts))


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
