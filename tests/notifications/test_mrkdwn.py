"""Escaping: text someone else wrote can never ping, format or disguise a link."""

from __future__ import annotations

import pytest

from socialops.notifications.mrkdwn import Mrkdwn, code, escape, link, truncate

WJ = "\u2060"


@pytest.mark.parametrize(
    "raw, sent",
    [
        ("<!channel> venez", "&lt;!channel&gt; venez"),
        ("merci <@U123>", "merci &lt;@U123&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&amp;", "&amp;amp;"),
        ("@channel @Here @everyone", f"@{WJ}channel @{WJ}Here @{WJ}everyone"),
        ("@channels", "@channels"),  # not a keyword: a handle
        ("*gras* et _italique_", "\u2217gras\u2217 et \u02cditalique\u02cd"),
        ("~barré~ `code`", "\u223cbarré\u223c \u02cbcode\u02cb"),
        ("maison_lumiere 2026_noel", "maison_lumiere 2026_noel"),  # inside a word: kept
        ("__init__", "\u02cd\u02cdinit\u02cd\u02cd"),
        ("ligne 1\n> citation\r\n• faux", "ligne 1 &gt; citation • faux"),
        ("<!here|here> et <!everyone>", "&lt;!here|here&gt; et &lt;!everyone&gt;"),
        ("<https://evil.example|maison.example>", "&lt;https://evil.example|maison.example&gt;"),
        # Text that already looks escaped is shown literally, so it is escaped again.
        ("&lt;!channel&gt;", "&amp;lt;!channel&amp;gt;"),
        ("a > b < c 🕯️", "a &gt; b &lt; c 🕯️"),
        (42, "42"),
    ],
)
def test_escape(raw, sent):
    assert escape(raw) == sent
    assert isinstance(escape(raw), Mrkdwn)


def test_inside_a_code_span_only_the_backtick_is_replaced():
    assert escape("a_*b*~`c", code=True) == "a_*b*~\u02cbc"
    assert code("e1`*x*") == "`e1\u02cb*x*`"
    assert escape("<!here> @here", code=True) == f"&lt;!here&gt; @{WJ}here"


def test_safe_text_is_not_escaped_twice():
    once = escape("a & b")
    assert escape(once) == once == "a &amp; b" and isinstance(once, Mrkdwn)


@pytest.mark.parametrize(
    "url, label, sent",
    [
        ("https://x.com/a?b=1&c=2", "voir", "<https://x.com/a?b=1&amp;c=2|voir>"),
        (
            "https://evil.example/a|b>c d",
            "<@U1> *",
            "<https://evil.example/a%7Cb%3Ec%20d|&lt;@U1&gt; \u2217>",
        ),
        ("javascript:alert(1)", "clic", "clic"),
        (None, "sans lien", "sans lien"),
        ("https://x.com/\nfake", "ok", "<https://x.com/fake|ok>"),
        ("<!channel>", None, "&lt;!channel&gt;"),
    ],
)
def test_links_are_ours_only(url, label, sent):
    assert link(url, label) == sent


def test_truncation_never_splits_an_escape_or_a_link():
    assert truncate("a" * 10, 10) == "a" * 10
    assert truncate("x" * 20, 10) == "x" * 9 + "…"
    assert truncate("abc &amp; def", 8) == "abc …"
    assert truncate("ab <https://x.com|voir> cd", 12) == "ab …"
    assert isinstance(truncate(Mrkdwn("x" * 20), 5), Mrkdwn)
