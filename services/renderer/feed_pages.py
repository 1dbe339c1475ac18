"""renderer's pages for machines: RSS 2.0 and Atom 1.0 feeds, sitemaps and robots.txt,
with the same cache contract as the pages citizens read (see cache.py).

Every feed is served twice, at parallel paths: /rss.xml and /atom.xml for the site,
/rss/<category>.xml and /atom/<category>.xml for a category. Both name the WebSub
hubs (settings.websub_hubs), in the document and in the Link header (WebSub 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import MediaType, Response
from sqlalchemy.engine import Row

from services.renderer import cache, feeds, store
from services.renderer.layout import Site
from services.renderer.rendering import PageMissing, Visit, category_scope, listing

FEED_NAME = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)\.xml")
SITEMAP_PART = re.compile(r"([1-9][0-9]{0,5})\.xml")


def _xml(body: str, media_type: str, keys: Iterable[str]) -> Response[Any]:
    response: Response[Any] = Response(body, media_type=media_type)
    return cache.public(response, keys)


def _feed_items(site: Site, rows: Sequence[Row]) -> list[feeds.FeedItem]:
    return [
        feeds.FeedItem(
            title=row.title,
            link=site.url(row.path),
            description=row.summary,
            published_at=row.published_at,
            category=site.tree.name(row.category, row.category_name),
            item_id=row.article_id,
            updated_at=row.updated_at,
            category_slug=row.category,
        )
        for row in rows
        if row.published_at
    ]


RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"


@dataclass(frozen=True)
class Feed:
    """One feed, whatever its format: what it lists and what it is called."""

    title: str
    description: str
    #: The page the feed follows (the site's home, the category's page).
    link_path: str
    #: None: the site's feed; else the category whose feed it is.
    category: str | None
    items: list[feeds.FeedItem]
    keys: list[str]


async def _site_feed(v: Visit) -> Feed:
    site = v.site
    rows = await store.list_pages(
        v.session, listing(site, languages=("vi",)), limit=feeds.FEED_ITEMS
    )
    return Feed(
        title=site.name,
        description=f"Tin mới nhất của {site.name}",
        link_path="/",
        category=None,
        items=_feed_items(site, rows),
        keys=cache.keys(site.slug, cache.list_key(site.slug), cache.article_keys(rows)),
    )


async def _category_feed(v: Visit, name: str) -> Feed:
    site = v.site
    match = FEED_NAME.fullmatch(name)
    if not match:
        raise PageMissing()
    slug = match.group(1)
    category_name, slugs = await category_scope(v, slug)
    rows = await store.list_pages(
        v.session, listing(site, categories=slugs, languages=("vi",)), limit=feeds.FEED_ITEMS
    )
    category_keys = [cache.category_key(site.slug, s) for s in slugs]
    return Feed(
        title=f"{category_name} - {site.name}",
        description=f"{category_name}: tin mới nhất của {site.name}",
        link_path=f"/{slug}",
        category=slug,
        items=_feed_items(site, rows),
        keys=cache.keys(site.slug, category_keys, cache.article_keys(rows)),
    )


def _feed_response(
    v: Visit, feed: Feed, body: str, media_type: str, self_url: str
) -> Response[Any]:
    response = _xml(body, media_type, feed.keys)
    # WebSub discovery also by HTTP header, for subscribers that do not parse the feed.
    links = [f'<{hub}>; rel="hub"' for hub in v.settings.websub_hubs]
    if links:
        response.headers["link"] = ", ".join([*links, f'<{self_url}>; rel="self"'])
    return response


def _rss(v: Visit, feed: Feed) -> Response[Any]:
    site = v.site
    self_url = site.url(feeds.rss_path(feed.category))
    body = feeds.rss(
        title=feed.title,
        link=site.url(feed.link_path),
        self_url=self_url,
        description=feed.description,
        items=feed.items,
        hubs=v.settings.websub_hubs,
    )
    return _feed_response(v, feed, body, RSS, self_url)


def _atom(v: Visit, feed: Feed) -> Response[Any]:
    site = v.site
    self_url = site.url(feeds.atom_path(feed.category))
    body = feeds.atom(
        title=feed.title,
        link=site.url(feed.link_path),
        self_url=self_url,
        subtitle=feed.description,
        author=site.name,
        items=feed.items,
        # A feed with no entry yet has changed, as far as anyone can tell, now.
        updated_at=datetime.now(UTC),
        hubs=v.settings.websub_hubs,
    )
    return _feed_response(v, feed, body, ATOM, self_url)


async def rss_feed(v: Visit) -> Response[Any]:
    return _rss(v, await _site_feed(v))


async def category_feed(v: Visit, name: str) -> Response[Any]:
    return _rss(v, await _category_feed(v, name))


async def atom_feed(v: Visit) -> Response[Any]:
    return _atom(v, await _site_feed(v))


async def category_atom_feed(v: Visit, name: str) -> Response[Any]:
    return _atom(v, await _category_feed(v, name))


def _fixed_paths(site: Site) -> list[str]:
    """The pages every site has: home, documents, editions, then each category."""
    fixed = ["/", "/van-ban"]
    if site.has_english:
        fixed.append("/english")
    if site.ethnic_languages:
        fixed.append("/dan-toc")
    fixed += [
        f"/{slug}"
        for top in site.tree.children(None)
        for slug in site.tree.subtree(top.slug)
        if f"/{slug}" not in fixed
    ]
    return fixed


async def _sitemap_count(v: Visit) -> int:
    live = await store.live_count(v.session, v.site.slug)
    return feeds.sitemap_files(len(_fixed_paths(v.site)), live)


async def sitemap_file(v: Visit, part: int = 1) -> Response[Any]:
    """File `part` of the site's sitemap: the first has the fixed pages and the newest
    articles, later ones (only on sites with more than 50,000 pages) older articles."""
    site = v.site
    fixed = _fixed_paths(site)
    if part > 1 and part > await _sitemap_count(v):
        raise PageMissing()  # its 404 carries the list key: it may exist later
    offset, limit = feeds.sitemap_window(part, len(fixed))
    entries = await store.sitemap_entries(v.session, site.slug, limit=limit, offset=offset)
    urls: list[feeds.SitemapUrl] = []
    if part == 1:
        last = await store.site_lastmod(v.session, site.slug)
        newest: dict[str, datetime] = {}
        for entry in entries:
            changed = entry.changed_at or entry.updated_at
            if changed and (entry.category not in newest or changed > newest[entry.category]):
                newest[entry.category] = changed

        def lastmod(path: str) -> datetime | None:
            if path == "/":
                return last
            times = [newest[s] for s in site.tree.subtree(path[1:]) if s in newest]
            return max(times) if times else None

        urls += [feeds.SitemapUrl(site.url(path), lastmod(path)) for path in fixed]
    urls += [
        feeds.SitemapUrl(site.url(e.path), e.changed_at or e.updated_at)
        for e in entries
        if e.path.startswith("/")
    ]
    body = feeds.sitemap(urls[: feeds.SITEMAP_MAX_URLS])
    return _xml(body, XML, cache.keys(site.slug, cache.list_key(site.slug)))


async def sitemap_part_file(v: Visit, name: str) -> Response[Any]:
    """/sitemap/2.xml, /sitemap/3.xml...: the further files of a very large site."""
    found = SITEMAP_PART.fullmatch(name)
    if found is None or int(found[1]) < 2:
        raise PageMissing()
    return await sitemap_file(v, int(found[1]))


async def sitemap_index_file(v: Visit) -> Response[Any]:
    site = v.site
    if site.kind != "city":
        raise PageMissing()
    rows = await store.active_sites_with_lastmod(v.session)
    entries: list[feeds.SitemapUrl] = []
    for row in rows:
        files = 1
        if row.live >= feeds.SITEMAP_MAX_URLS // 2:  # only a very large site may need more
            other_row = await store.site_by_slug(v.session, row.slug)
            assert other_row is not None  # just listed as active
            other = Site.of(other_row, await store.category_tree(v.session, row.slug))
            files = feeds.sitemap_files(len(_fixed_paths(other)), row.live)
        entries += [
            feeds.SitemapUrl(f"https://{row.domain}{feeds.sitemap_path(n)}", row.lastmod)
            for n in range(1, files + 1)
        ]
    body = feeds.sitemap_index(entries)
    return _xml(body, XML, cache.keys(site.slug, cache.SITEMAPS))


async def robots_file(v: Visit) -> Response[Any]:
    site = v.site
    files = await _sitemap_count(v)
    sitemaps = [site.url(feeds.sitemap_path(n)) for n in range(1, files + 1)]
    if site.kind == "city":
        sitemaps.append(site.url("/sitemap-index.xml"))
    response: Response[Any] = Response(feeds.robots(sitemaps), media_type=MediaType.TEXT)
    # The list key too: the number of sitemap files follows the number of pages.
    return cache.public(response, cache.keys(site.slug, cache.list_key(site.slug)))
