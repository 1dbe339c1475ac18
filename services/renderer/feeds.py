"""Feeds and files for machines (pure): RSS 2.0 and Atom 1.0 (RFC 4287), sitemaps,
robots.txt.

All links are absolute on https://<the site's domain>. Text is escaped for XML
and stripped of the characters XML 1.0 cannot hold at all. Both feeds name the
WebSub hubs they are announced to (`<link rel="hub">`, WebSub 4), so that readers
may subscribe for pushes instead of polling.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from services.renderer.text import iso_datetime, rfc822

#: sitemaps.org: at most 50,000 URLs (and 50 MB) in one sitemap file.
SITEMAP_MAX_URLS = 50_000
FEED_ITEMS = 50

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def xml_attr(value: object) -> str:
    return quoteattr(_NOT_XML.sub("", str(value)))


def rss_path(category: str | None = None) -> str:
    """Where a site's RSS feed is (/rss.xml), or one category's (/rss/<slug>.xml)."""
    return f"/rss/{category}.xml" if category else "/rss.xml"


def atom_path(category: str | None = None) -> str:
    """The same feed as Atom: /atom.xml, /atom/<slug>.xml."""
    return f"/atom/{category}.xml" if category else "/atom.xml"


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    description: str
    published_at: datetime
    category: str = ""
    #: The page's id (a UUID): Atom's entry id, which must never change, even when
    #: the article moves to another address.
    item_id: str = ""
    updated_at: datetime | None = None
    category_slug: str = ""


def _hub_links(hubs: Sequence[str], tag: str) -> list[str]:
    return [f'<{tag} href={xml_attr(hub)} rel="hub"/>\n' for hub in hubs]


def rss(
    *,
    title: str,
    link: str,
    self_url: str,
    description: str,
    items: Sequence[FeedItem],
    language: str = "vi",
    built_at: datetime | None = None,
    hubs: Sequence[str] = (),
) -> str:
    """An RSS 2.0 channel with its atom:link rel="self" (as the RSS Advisory Board asks)
    and an atom:link rel="hub" for each WebSub hub."""
    built = built_at or (items[0].published_at if items else None)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n',
        f"<title>{xml_text(title)}</title>\n",
        f"<link>{xml_text(link)}</link>\n",
        f"<description>{xml_text(description)}</description>\n",
        f"<language>{xml_text(language)}</language>\n",
        f'<atom:link href={xml_attr(self_url)} rel="self" type="application/rss+xml"/>\n',
        *_hub_links(hubs, "atom:link"),
    ]
    if built:
        out.append(f"<lastBuildDate>{rfc822(built)}</lastBuildDate>\n")
    for item in items:
        out.append("<item>\n")
        out.append(f"<title>{xml_text(item.title)}</title>\n")
        out.append(f"<link>{xml_text(item.link)}</link>\n")
        if item.description:
            out.append(f"<description>{xml_text(item.description)}</description>\n")
        if item.category:
            out.append(f"<category>{xml_text(item.category)}</category>\n")
        out.append(f"<pubDate>{rfc822(item.published_at)}</pubDate>\n")
        out.append(f'<guid isPermaLink="true">{xml_text(item.link)}</guid>\n')
        out.append("</item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def _entry_id(item: FeedItem) -> str:
    """urn:uuid:<id> for a page id that is a UUID (RFC 4287 4.2.6: an id never changes,
    and a path may), else the page's URL."""
    try:
        return uuid.UUID(item.item_id).urn
    except ValueError:
        return item.link


def atom(
    *,
    title: str,
    link: str,
    self_url: str,
    subtitle: str,
    author: str,
    items: Sequence[FeedItem],
    updated_at: datetime,
    language: str = "vi",
    hubs: Sequence[str] = (),
) -> str:
    """An Atom 1.0 feed (RFC 4287): id, title, updated, author and the self link at the
    top; each entry with its id, title, alternate link, updated and published.
    `updated_at` is for a feed without entries; with entries, the newest entry's is used."""
    updated = max((i.updated_at or i.published_at for i in items), default=updated_at)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={xml_attr(language)}>\n',
        f"<id>{xml_text(self_url)}</id>\n",
        f"<title>{xml_text(title)}</title>\n",
        f"<subtitle>{xml_text(subtitle)}</subtitle>\n",
        f"<updated>{iso_datetime(updated)}</updated>\n",
        f"<author><name>{xml_text(author)}</name><uri>{xml_text(link)}</uri></author>\n",
        f'<link href={xml_attr(link)} rel="alternate" type="text/html"/>\n',
        f'<link href={xml_attr(self_url)} rel="self" type="application/atom+xml"/>\n',
        *_hub_links(hubs, "link"),
    ]
    for item in items:
        out.append("<entry>\n")
        out.append(f"<id>{xml_text(_entry_id(item))}</id>\n")
        out.append(f"<title>{xml_text(item.title)}</title>\n")
        out.append(f'<link href={xml_attr(item.link)} rel="alternate" type="text/html"/>\n')
        out.append(f"<published>{iso_datetime(item.published_at)}</published>\n")
        out.append(f"<updated>{iso_datetime(item.updated_at or item.published_at)}</updated>\n")
        if item.description:
            out.append(f"<summary>{xml_text(item.description)}</summary>\n")
        if item.category:
            term = item.category_slug or item.category
            out.append(f"<category term={xml_attr(term)} label={xml_attr(item.category)}/>\n")
        out.append("</entry>\n")
    out.append("</feed>\n")
    return "".join(out)


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: datetime | None = None


def sitemap(urls: Iterable[SitemapUrl]) -> str:
    """A sitemaps.org 0.9 urlset; callers keep it within SITEMAP_MAX_URLS."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
    ]
    for url in urls:
        out.append(f"<url><loc>{xml_text(url.loc)}</loc>")
        if url.lastmod:
            out.append(f"<lastmod>{iso_datetime(url.lastmod)}</lastmod>")
        out.append("</url>\n")
    out.append("</urlset>\n")
    return "".join(out)


def sitemap_files(fixed: int, live: int, per_file: int | None = None) -> int:
    """How many sitemap files a site needs: the first holds its fixed pages
    (home, categories...) and the newest articles, each further one the next
    `per_file` articles (sitemaps.org: a file holds at most 50,000 URLs)."""
    per_file = per_file or SITEMAP_MAX_URLS
    first = max(0, per_file - fixed)
    rest = max(0, live - first)
    return 1 + -(-rest // per_file)


def sitemap_window(part: int, fixed: int, per_file: int | None = None) -> tuple[int, int]:
    """(offset, limit) of the articles in sitemap file `part` (1-based)."""
    per_file = per_file or SITEMAP_MAX_URLS
    first = max(0, per_file - fixed)
    if part == 1:
        return 0, first
    return first + (part - 2) * per_file, per_file


def sitemap_path(part: int) -> str:
    """Where file `part` is served: /sitemap.xml, then /sitemap/2.xml, /sitemap/3.xml..."""
    return "/sitemap.xml" if part == 1 else f"/sitemap/{part}.xml"


def sitemap_index(sitemaps: Iterable[SitemapUrl]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
    ]
    for entry in sitemaps:
        out.append(f"<sitemap><loc>{xml_text(entry.loc)}</loc>")
        if entry.lastmod:
            out.append(f"<lastmod>{iso_datetime(entry.lastmod)}</lastmod>")
        out.append("</sitemap>\n")
    out.append("</sitemapindex>\n")
    return "".join(out)


#: Not for crawlers: the editors' side, the APIs, and search results (endless, and
#: each one a copy of pages indexed anyway).
DISALLOWED = ("/admin", "/api", "/tim-kiem", "/da-luu")


def robots(sitemap_urls: Sequence[str]) -> str:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines.append("")
    lines += [f"Sitemap: {url}" for url in sitemap_urls]
    return "\n".join(lines) + "\n"
