"""RSS/Atom feeds for listening (``listening.feeds``): news and blog feeds about the brand.

* ``/feeds/news.xml`` — RSS 2.0, an article every 6 hours (some name the brand, some not),
  with ``ETag`` and ``Last-Modified``; a conditional GET that matches either answers 304.
* ``/feeds/blog.atom`` — the same articles as Atom 1.0.
* ``/feeds/broken.xml`` — not a feed (truncated XML): feedparser finds no entry.
* ``/feeds/slow.xml`` — a valid feed; make it time out with a ``hold`` fault on network
  ``feeds`` (``docs/sandbox.md``), as the tests do.

The brand is the world's first owned account's name; articles are placed relative to the
world's clock, so a frozen clock serves the same feed every time.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from xml.sax.saxutils import escape

from socialops.sandbox.server import Emulator, Request, Response, route

ARTICLES = 8
EVERY = timedelta(hours=6)
_TITLES = (
    ("{brand} : des bougies parfumées coulées à la main", "Reportage dans l'atelier de {brand}."),
    ("Décoration d'hiver : nos idées pour le salon", "Plaids, lumières douces et bougies."),
    ("Clients mécontents : {brand} répond sur les retards", "Des commandes de {brand} en retard."),
    ("Five candle makers to watch this winter", "Including {brand} and its amber scent."),
)


class FeedsEmulator(Emulator):
    network = "feeds"
    conn_id = ""  # feeds are plain URLs in listening.feeds, no connection

    def _articles(self) -> list[dict[str, Any]]:
        now = self.world.now().replace(minute=0, second=0, microsecond=0)
        owned = [a for a in self.world.accounts.values() if a.role == "owned"]
        brand = owned[0].name if owned else "Maison Lumière"
        articles = []
        for number in range(ARTICLES):
            title, summary = _TITLES[number % len(_TITLES)]
            published = now - number * EVERY
            articles.append(
                {
                    "id": f"urn:sandbox:article:{int(published.timestamp())}",
                    "title": title.format(brand=brand),
                    "summary": summary.format(brand=brand),
                    "link": f"https://news.example/{int(published.timestamp())}",
                    "published": published,
                }
            )
        return articles

    def _conditional(self, request: Request, body: str, content_type: str) -> Response:
        articles = self._articles()
        tag = '"' + hashlib.sha1(body.encode()).hexdigest()[:16] + '"'
        modified = articles[0]["published"]
        headers = {"ETag": tag, "Last-Modified": format_datetime(modified, usegmt=True)}
        if request.headers.get("if-none-match") == tag:
            return Response(304, None, headers)
        since = request.headers.get("if-modified-since")
        if since and "if-none-match" not in request.headers:
            try:
                if modified <= parsedate_to_datetime(since):
                    return Response(304, None, headers)
            except (TypeError, ValueError):
                pass
        return Response(200, body, headers, content_type=content_type)

    @route("GET", r"/(news|slow)\.xml")
    def rss(self, request: Request) -> Response:
        items = "".join(
            f"<item><guid>{a['id']}</guid><title>{escape(a['title'])}</title>"
            f"<link>{a['link']}</link><description>{escape(a['summary'])}</description>"
            f"<pubDate>{format_datetime(a['published'], usegmt=True)}</pubDate></item>"
            for a in self._articles()
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Sandbox news</title><link>https://news.example/</link>{items}"
            "</channel></rss>"
        )
        return self._conditional(request, body, "application/rss+xml; charset=utf-8")

    @route("GET", r"/blog\.atom")
    def atom(self, request: Request) -> Response:
        entries = "".join(
            f"<entry><id>{a['id']}</id><title>{escape(a['title'])}</title>"
            f'<link href="{a["link"]}"/><summary>{escape(a["summary"])}</summary>'
            f"<updated>{_rfc3339(a['published'])}</updated><author><name>Lea</name></author>"
            "</entry>"
            for a in self._articles()
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Sandbox blog</title><id>urn:sandbox:blog</id>"
            f"<updated>{_rfc3339(self._articles()[0]['published'])}</updated>{entries}</feed>"
        )
        return self._conditional(request, body, "application/atom+xml; charset=utf-8")

    @route("GET", r"/broken\.xml")
    def broken(self, request: Request) -> Response:
        body = '<?xml version="1.0"?><rss version="2.0"><channel><title>Broken<item><tit'
        return Response(200, body, content_type="application/rss+xml")


def _rfc3339(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
