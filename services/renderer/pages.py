"""renderer's pages: every page of every site, chosen by the Host header.

Reads only its own read model, a few indexed queries a page. Everything a citizen
reads is Vietnamese (English on /english and on English articles). Every public
page carries the cache contract of `cache.py`; the saved list and the editors'
preview are never stored. Search (`/tim-kiem`) is the search service's: the gateway
routes it there.

Routes (one visible list, `ROUTES`, at the end):

    /                         home                    /{category}            category list
    /{category}/{slug}        article (301, 410)      /van-ban               document library
    /english                  English edition         /dan-toc               ethnic languages
    /da-luu                   saved articles
    /rss.xml, /rss/{c}.xml    RSS 2.0                 /sitemap.xml           sitemap
    /atom.xml, /atom/{c}.xml  the same feeds as Atom  /robots.txt
    /sitemap-index.xml        the city's index        /trang-thanh-phan      the city's sites
    /sitemap/{n}.xml          more sitemap files (sites over 50,000 pages)

A copy of another site's article (syndication) is an article page of its own site,
with the original as its canonical URL and a credit line linking to it.

How a request becomes a page (site, query, chrome, errors) is in `rendering.py`;
the feeds, sitemaps and robots.txt are in `feed_pages.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect
from pydantic import BaseModel, Field

from contracts.content import VALIDITY_LABELS_VI
from runtime.auth import Role
from runtime.html import sanitize_html
from runtime.service import Service
from runtime.text import fold
from services.renderer import cache, feed_pages, feeds, metadata, store
from services.renderer.layout import (
    LABELS,
    Crumb,
    Site,
    category_crumbs,
    language_name,
)
from services.renderer.query import BadQuery, text_value
from services.renderer.rendering import (
    ASSETS,
    MAX_PATH,
    SLUG,
    Head,
    PageMissing,
    Visit,
    category_scope,
    lead_image,
    listing,
    page_of,
    paged_head,
    pager,
    render,
    serve,
    title,
    with_page,
)

MEDIA_KINDS = ("gallery", "video", "audio", "infographic")
#: The city's directory of its component sites (Quy chế 004 Điều 16.1).
DIRECTORY_PATH = "/trang-thanh-phan"
#: How the directory groups the component sites, in this order.
SITE_GROUPS = (
    ("department", "Sở, ban, ngành"),
    ("ward", "Phường"),
    ("commune", "Xã"),
    ("special", "Chuyên trang"),
)
#: News from the component sites on the city's home page.
COMPONENT_NEWS = 8


@dataclass(frozen=True)
class SiteLink:
    name: str
    url: str


@dataclass(frozen=True)
class ComponentNews:
    """A component site's article as the city's home page lists it: on its own site."""

    title: str
    url: str
    site_name: str
    site_url: str
    published_at: datetime


def _site_url(v: Visit, slug: str, domain: str) -> str:
    """A site's public address, as every link between sites makes it (MailSettings)."""
    return v.settings.site_url(slug, domain).rstrip("/")


async def _component_news(v: Visit) -> list[ComponentNews]:
    rows = await store.component_news(v.session, limit=COMPONENT_NEWS)
    out = []
    for row in rows:
        base = _site_url(v, row.tenant, row.domain)
        out.append(ComponentNews(row.title, base + row.path, row.site_name, base, row.published_at))
    return out


# --- home ------------------------------------------------------------------------------------


async def _home(v: Visit) -> Response[Any]:
    site, session = v.site, v.session
    vi: dict[str, Any] = {"languages": ("vi",)}
    news = await store.list_pages(session, listing(site, kinds=("news",), **vi), limit=7)
    directions = await store.list_pages(session, listing(site, kinds=("direction",), **vi), limit=5)
    notices = await store.list_pages(session, listing(site, kinds=("announcement",), **vi), limit=5)
    documents = await store.list_pages(session, listing(site, kinds=("document",), **vi), limit=5)
    media = await store.list_pages(session, listing(site, kinds=MEDIA_KINDS, **vi), limit=4)
    # The city portal links to and brings together its component sites' news.
    components = await _component_news(v) if site.kind == "city" else []
    featured = next((a for a in news if lead_image(a)), news[0] if news else None)
    news = [a for a in news if a is not featured][:6]
    shown = [*([featured] if featured else []), *news, *directions, *notices, *documents, *media]
    alternates = [("vi", site.url("/"))]
    if site.has_english:
        alternates.append(("en", site.url("/english")))
    head = Head(
        title=site.name,
        description=f"Thông tin chính thức của {site.name}: tin tức, chỉ đạo điều hành, "
        "thông báo, văn bản, dịch vụ công.",
        path="/",
        image=lead_image(featured) if featured else None,
        jsonld=[
            metadata.government_organization(
                name=site.name, url=site.url("/"), profile=site.profile, name_en=site.name_en
            ),
            metadata.web_site(name=site.name, url=site.url("/")),
        ],
        alternates=alternates,
        feeds=[(f"Tin mới - {site.name}", None)],
    )
    response = render(
        "home.html",
        site,
        head,
        is_home=True,
        edition="vi",
        featured=featured,
        news=news,
        directions=directions,
        notices=notices,
        documents=documents,
        media=media,
        components=components,
        directory_href=DIRECTORY_PATH if site.kind == "city" else None,
    )
    more = [cache.COMPONENTS] if site.kind == "city" else []
    return cache.public(
        response,
        cache.keys(site.slug, cache.list_key(site.slug), cache.article_keys(shown), more),
    )


# --- the city's component sites ----------------------------------------------------------


async def _directory(v: Visit) -> Response[Any]:
    site = v.site
    if site.kind != "city":
        # Only the city has component sites; elsewhere the path is an ordinary one.
        return await _category(v, DIRECTORY_PATH[1:])
    # Ordered here, as the document filters are, the same on every database's collation.
    rows = sorted(await store.component_sites(v.session), key=lambda r: (fold(r.name), r.name))
    groups = [
        (
            kind,
            label,
            [SiteLink(r.name, _site_url(v, r.slug, r.domain)) for r in rows if r.kind == kind],
        )
        for kind, label in SITE_GROUPS
    ]
    heading = "Các trang thành phần"
    head = Head(
        title=title(site, heading),
        description=f"Danh sách trang thông tin điện tử của các sở, ban, ngành, phường, xã "
        f"và chuyên trang thuộc {site.name}.",
        path=DIRECTORY_PATH,
    )
    response = render(
        "directory.html",
        site,
        head,
        crumbs=[Crumb("Trang chủ", "/"), Crumb(heading, DIRECTORY_PATH)],
        heading=heading,
        groups=[g for g in groups if g[2]],
        total=sum(len(g[2]) for g in groups),
    )
    return cache.public(response, cache.keys(site.slug, cache.COMPONENTS))


# --- categories ------------------------------------------------------------------------------


async def _category(v: Visit, slug: str) -> Response[Any]:
    site = v.site
    name, slugs = await category_scope(v, slug)
    category_keys = [cache.category_key(site.slug, s) for s in slugs]
    p, rows = await page_of(
        v, listing(site, categories=slugs, languages=("vi",)), missing_keys=category_keys
    )
    paged = pager(p, lambda n: with_page(f"/{slug}", [], n))
    head = paged_head(
        Head(
            title=title(site, name),
            description=f"{name}: tin, bài mới nhất của {site.name}.",
            path=with_page(f"/{slug}", [], p.page),
            feeds=[(f"{name} - {site.name}", slug), (f"Tin mới - {site.name}", None)],
        ),
        paged,
    )
    response = render(
        "category.html",
        site,
        head,
        crumbs=category_crumbs(site, slug, name),
        heading=name,
        subcategories=site.tree.children(slug),
        show_category=len(slugs) > 1,
        articles=rows,
        pages=paged,
        feed_href=feeds.rss_path(slug),
        atom_href=feeds.atom_path(slug),
    )
    return cache.public(response, cache.keys(site.slug, category_keys, cache.article_keys(rows)))


# --- articles --------------------------------------------------------------------------------


def _local_redirect(target: str | None) -> str | None:
    """A redirect target on the same site, or None (content checks it; so do we)."""
    if not target or target.startswith("//") or not re.fullmatch(r"/[A-Za-z0-9/_.~%-]*", target):
        return None
    return target


def _moved(site: Site, target: str, article_id: str) -> Response[Any]:
    response = Redirect(target, status_code=301)
    return cache.public(response, cache.keys(site.slug, cache.article_key(article_id)))


def media_source(site: Site, url: str | None) -> str | None:
    """The path of a video or audio file served by this site (/media/...), else None:
    such files play in the page; others are linked to."""
    if not url:
        return None
    parts = urlsplit(str(url))
    hosts = {site.domain, f"www.{site.domain}", f"{site.slug}.localhost"}
    on_site = parts.scheme in ("http", "https") and (parts.hostname or "") in hosts
    if on_site and parts.path.startswith("/media/") and ".." not in parts.path:
        return parts.path
    return None


async def _article(v: Visit, category: str, slug: str) -> Response[Any]:
    site, session = v.site, v.session
    path = f"/{category}/{slug}"
    if len(path) > MAX_PATH:
        raise PageMissing()
    page = await store.page_at(session, site.slug, path)
    if page is None or page.status != "live":
        moved = await store.redirect_from(session, site.slug, path)
        if moved:
            return _moved(site, moved.path, moved.article_id)
    if page is None:
        raise PageMissing()
    if page.status != "live":
        target = _local_redirect(page.redirect_to) if page.withdrawal_kind == "redirect" else None
        if target:
            return _moved(site, target, page.article_id)
        head = Head(
            title=title(site, "Bài viết đã được gỡ"),
            description=f"Bài viết «{page.title}» không còn được đăng.",
            path=path,
            noindex=True,
        )
        response = render("gone.html", site, head, status=410, page=page)
        return cache.public(response, cache.keys(site.slug, cache.article_key(page.article_id)))
    translations = await store.translations(session, page)
    response = article_response(site, page, translations)
    shown = cache.article_keys([page, *translations])
    return cache.public(response, cache.keys(site.slug, shown))


def article_response(
    site: Site, page: Any, translations: Sequence[Any], *, preview: bool = False
) -> Response[str]:
    lang = "en" if page.language == "en" else "vi"
    category_name = site.tree.name(page.category or "", page.category_name) if page.category else ""
    # A copy of another site's article says the original is the article (canonical
    # link, Open Graph, JSON-LD), so that search engines list the original only.
    canonical = getattr(page, "canonical_url", None)
    url = canonical or (site.url(page.path) if page.path else site.url("/"))
    details = page.details if isinstance(page.details, Mapping) else {}
    if lang == "en":
        crumbs = [Crumb(LABELS["en"]["home"], "/english"), Crumb(page.title)]
    elif page.category:
        crumbs = [*category_crumbs(site, page.category, category_name), Crumb(page.title)]
    else:
        crumbs = [Crumb(LABELS["vi"]["home"], "/")]
        crumbs += [Crumb(page.category_name)] if page.category_name else []
        crumbs.append(Crumb(page.title))
    alternates = []
    if translations:
        alternates = [(page.language, url)] + [(t.language, site.url(t.path)) for t in translations]
    origin_name = getattr(page, "origin_name", None)
    head = Head(
        title=title(site, page.title),
        description=page.summary or page.title,
        path=page.path or "/",
        canonical=canonical,
        og_type="article",
        image=lead_image(page),
        jsonld=[
            metadata.article_data(
                page,
                url=url,
                base=site.base,
                site_name=site.name,
                category_name=category_name,
                origin=metadata.Origin(origin_name or "", canonical) if canonical else None,
            )
        ],
        alternates=alternates,
    )
    return render(
        "article.html",
        site,
        head,
        lang=lang,
        crumbs=crumbs,
        page=page,
        translations=translations,
        media_src=media_source(site, details.get("source_url")),
        preview=preview,
        origin_name=origin_name,
        origin_url=canonical,
    )


# --- document library ------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    current: str | None
    options: list[tuple[str, str]]


def _document_filters(query: Mapping[str, str]) -> dict[str, Any]:
    """loai, co-quan, nam, linh-vuc, hieu-luc; BadQuery for a malformed one."""
    year_text = text_value(query, "nam", limit=4)
    year = None
    if year_text is not None:
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 2100:
            raise BadQuery("Năm ban hành không hợp lệ.")
        year = int(year_text)
    validity = text_value(query, "hieu-luc", limit=30)
    if validity is not None and validity not in VALIDITY_LABELS_VI:
        raise BadQuery("Tình trạng hiệu lực không hợp lệ.")
    return {
        "doc_type": text_value(query, "loai", limit=100),
        "doc_issuer": text_value(query, "co-quan", limit=300),
        "doc_year": year,
        "doc_field": text_value(query, "linh-vuc", limit=200),
        "doc_validity": validity,
    }


#: (query name, label, column) of each filter, in the form's order.
DOCUMENT_FILTERS = (
    ("loai", "Loại văn bản", "doc_type"),
    ("co-quan", "Cơ quan ban hành", "doc_issuer"),
    ("nam", "Năm ban hành", "doc_year"),
    ("linh-vuc", "Lĩnh vực", "doc_field"),
    ("hieu-luc", "Tình trạng hiệu lực", "doc_validity"),
)


def _options(column: str, values: set[Any], current: Any) -> list[tuple[str, str]]:
    if current is not None:
        values = values | {current}
    if column == "doc_year":
        return [(str(y), str(y)) for y in sorted(values, reverse=True)]
    if column == "doc_validity":
        return [(k, label) for k, label in VALIDITY_LABELS_VI.items() if k in values]
    return [(str(x), str(x)) for x in sorted(values, key=lambda x: (fold(str(x)), str(x)))]


async def _documents(v: Visit) -> Response[Any]:
    site = v.site
    chosen = _document_filters(v.query)
    facets = await store.document_facets(v.session, site.slug)
    filters = []
    params: list[tuple[str, str]] = []
    for index, (name, label, column) in enumerate(DOCUMENT_FILTERS):
        current = chosen[column]
        values = {row[index] for row in facets if row[index] is not None}
        filters.append(
            Filter(
                name,
                label,
                None if current is None else str(current),
                _options(column, values, current),
            )
        )
        if current is not None:
            params.append((name, str(current)))
    p, rows = await page_of(v, listing(site, kinds=("document",), **chosen))
    paged = pager(p, lambda n: with_page("/van-ban", params, n))
    head = paged_head(
        Head(
            title=title(site, "Văn bản"),
            description=f"Tra cứu văn bản của {site.name} theo loại, cơ quan ban hành, năm, "
            "lĩnh vực và tình trạng hiệu lực.",
            path=with_page("/van-ban", params, p.page),
        ),
        paged,
    )
    response = render(
        "documents.html",
        site,
        head,
        crumbs=[Crumb("Trang chủ", "/"), Crumb("Văn bản", "/van-ban")],
        filters=filters,
        filtered=bool(params),
        articles=rows,
        pages=paged,
    )
    return cache.public(
        response, cache.keys(site.slug, cache.list_key(site.slug), cache.article_keys(rows))
    )


# --- editions in other languages -------------------------------------------------------------


async def _english(v: Visit) -> Response[Any]:
    site = v.site
    if not site.has_english:
        raise PageMissing()
    p, rows = await page_of(v, listing(site, languages=("en",)))
    paged = pager(p, lambda n: with_page("/english", [], n))
    heading = site.name_en or "News in English"
    head = paged_head(
        Head(
            title=f"{heading} - English" if site.name_en else heading,
            description=f"News and information in English from {site.name_en or site.name}.",
            path=with_page("/english", [], p.page),
            jsonld=[
                metadata.government_organization(
                    name=site.name_en or site.name,
                    url=site.url("/english"),
                    profile=site.profile,
                    name_en="",
                )
            ],
            alternates=[("vi", site.url("/")), ("en", site.url("/english"))],
        ),
        paged,
    )
    response = render(
        "listing.html",
        site,
        head,
        lang="en",
        edition="en",
        heading=heading,
        intro="",
        articles=rows,
        pages=paged,
    )
    return cache.public(
        response, cache.keys(site.slug, cache.list_key(site.slug), cache.article_keys(rows))
    )


async def _ethnic(v: Visit) -> Response[Any]:
    site = v.site
    if not site.ethnic_languages:
        raise PageMissing()
    p, rows = await page_of(v, listing(site, exclude_languages=("vi", "en")))
    paged = pager(p, lambda n: with_page("/dan-toc", [], n))
    names = ", ".join(language_name(code) for code in site.ethnic_languages)
    heading = "Thông tin bằng tiếng dân tộc thiểu số"
    head = paged_head(
        Head(
            title=title(site, heading),
            description=f"Bài viết của {site.name} bằng {names}.",
            path=with_page("/dan-toc", [], p.page),
        ),
        paged,
    )
    response = render(
        "listing.html",
        site,
        head,
        edition="ethnic",
        crumbs=[Crumb("Trang chủ", "/"), Crumb(heading, "/dan-toc")],
        heading=heading,
        intro=f"Bài viết bằng {names}.",
        articles=rows,
        pages=paged,
    )
    return cache.public(
        response, cache.keys(site.slug, cache.list_key(site.slug), cache.article_keys(rows))
    )


# --- saved articles --------------------------------------------------------------------------


async def _saved(v: Visit) -> Response[Any]:
    site = v.site
    head = Head(
        title=title(site, "Bài đã lưu"),
        description="Các bài bạn đã lưu trên trình duyệt này.",
        path="/da-luu",
        noindex=True,
    )
    crumbs = [Crumb("Trang chủ", "/"), Crumb("Bài đã lưu", "/da-luu")]
    return cache.private(render("saved.html", site, head, crumbs=crumbs))


# --- routes ----------------------------------------------------------------------------------

Svc = NamedDependency[Service]
Req = Request[Any, Any, Any]
OPEN: dict[str, Any] = {"include_in_schema": False, "exclude_from_auth": True}


@get("/", **OPEN)
async def home(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, _home)


@get("/english", **OPEN)
async def english(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, _english)


@get("/dan-toc", **OPEN)
async def ethnic(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, _ethnic)


@get("/van-ban", **OPEN)
async def documents(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, _documents)


@get("/da-luu", **OPEN)
async def saved(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, _saved)


@get("/rss.xml", **OPEN)
async def rss(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, feed_pages.rss_feed)


@get("/rss/{name:str}", **OPEN)
async def category_rss(name: FromPath[str], service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, lambda v: feed_pages.category_feed(v, name))


@get("/atom.xml", **OPEN)
async def atom(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, feed_pages.atom_feed)


@get("/atom/{name:str}", **OPEN)
async def category_atom(name: FromPath[str], service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, lambda v: feed_pages.category_atom_feed(v, name))


@get(DIRECTORY_PATH, **OPEN)
async def directory(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, _directory)


@get("/sitemap.xml", **OPEN)
async def sitemap(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, feed_pages.sitemap_file)


@get("/sitemap/{name:str}", **OPEN)
async def sitemap_part(name: FromPath[str], service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, lambda v: feed_pages.sitemap_part_file(v, name))


@get("/sitemap-index.xml", **OPEN)
async def sitemap_index(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, feed_pages.sitemap_index_file)


@get("/robots.txt", **OPEN)
async def robots(service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, feed_pages.robots_file)


@get("/{category:str}", **OPEN)
async def category(category: FromPath[str], service: Svc, request: Req) -> Response[Any]:
    return await serve(service, request, lambda v: _category(v, category))


@get("/{category:str}/{slug:str}", **OPEN)
async def article(
    category: FromPath[str], slug: FromPath[str], service: Svc, request: Req
) -> Response[Any]:
    return await serve(service, request, lambda v: _article(v, category, slug))


IMMUTABLE = "public, max-age=31536000, immutable"


def _static(name: str, request: Req) -> Response[bytes]:
    asset = ASSETS[name]
    # A versioned URL never changes; an unversioned one may, soon.
    fresh = request.query_params.get("v") == asset.version
    return Response(
        asset.body,
        media_type=asset.media_type,
        headers={
            "cache-control": IMMUTABLE if fresh else "public, max-age=300",
            "x-content-type-options": "nosniff",
        },
    )


@get("/static/portal.css", **OPEN)
async def stylesheet(request: Req) -> Response[bytes]:
    return _static("portal.css", request)


@get("/static/site.js", **OPEN)
async def script(request: Req) -> Response[bytes]:
    return _static("site.js", request)


# --- the editors' preview --------------------------------------------------------------------


class PreviewIn(BaseModel):
    """An article as the editor has it now, to see exactly as the site would show it."""

    tenant: str = Field(pattern=r"^[a-z0-9-]{1,50}$")
    category: str = Field(default="", max_length=60)
    category_name: str = Field(default="", max_length=200)
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=2000)
    body_html: str = Field(default="", max_length=1_000_000)
    author: str = Field(default="", max_length=200)
    kind: str = Field(default="news", max_length=20)
    details: dict[str, Any] | None = None
    language: str = Field(default="vi", pattern=r"^[a-z]{2,3}$")
    images: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    attachments: list[dict[str, Any]] = Field(default_factory=list, max_length=50)


@post("/api/v1/preview", status_code=200, operation_id="PreviewArticle")
async def preview(data: JSONBody[PreviewIn], service: Svc, request: Req) -> Response[Any]:
    """The article page, rendered with the site's own template, never stored."""
    request.user.require(data.tenant, Role.collaborator)
    assert service.db
    async with service.db.read() as session:
        row = await store.site_by_slug(session, data.tenant)
        tree = await store.category_tree(session, data.tenant) if row else []
    if row is None:
        raise NotFoundException(f"Không có trang {data.tenant}.")
    site = Site.of(row, tree)
    now = datetime.now(UTC)
    page = SimpleNamespace(
        **{
            **data.model_dump(exclude={"category"}),
            "article_id": "preview",
            "body_html": sanitize_html(data.body_html),
            "category": data.category if SLUG.fullmatch(data.category) else "",
            "path": "",
            "published_at": now,
            "updated_at": now,
            "translation_of": None,
        }
    )
    response = article_response(site, page, [], preview=True)
    # A preview must never be indexed or framed by anyone but the admin UI.
    response.headers["x-robots-tag"] = "noindex"
    return cache.private(response)


ROUTES = [
    home,
    english,
    ethnic,
    documents,
    saved,
    rss,
    category_rss,
    atom,
    category_atom,
    directory,
    sitemap,
    sitemap_part,
    sitemap_index,
    robots,
    category,
    article,
    stylesheet,
    script,
    preview,
]
