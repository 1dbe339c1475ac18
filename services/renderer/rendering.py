"""How renderer answers a page request (no page of its own): finding the site from the
Host header, reading the query strictly, rendering a template inside the site's
chrome with its <head> metadata, and mapping refusals to the site's own 400, 404 and
unknown-site pages. Static files and the Jinja environment live here too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import MediaType, Request, Response
from litestar.config.app import AppConfig
from litestar.exceptions import NotFoundException
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.content import KIND_LABELS_VI, VALIDITY_LABELS_VI
from runtime.service import Service
from runtime.settings import Settings
from runtime.tenancy import BadHost, classify_host
from services.renderer import cache, feeds, metadata, store
from services.renderer.layout import (
    LABELS,
    Site,
    language_name,
    tel_href,
)
from services.renderer.paging import (
    PER_PAGE,
    BadPageNumber,
    PageOutOfRange,
    Paging,
    page_number,
    paging,
)
from services.renderer.query import BadQuery, parse_query
from services.renderer.text import (
    clip,
    en_datetime,
    iso_datetime,
    iso_duration,
    vn_date,
    vn_datetime,
    vn_duration,
)

HERE = Path(__file__).parent
#: A category slug, as content makes them.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_PATH = 300  # pages.path is String(300)


# --- static files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    version: str


def _asset(name: str, media_type: str) -> Asset:
    body = (HERE / "static" / name).read_bytes()
    return Asset(body, media_type, hashlib.sha256(body).hexdigest()[:12])


ASSETS = {
    "portal.css": _asset("portal.css", "text/css; charset=utf-8"),
    "site.js": _asset("site.js", "text/javascript; charset=utf-8"),
}


def asset_url(name: str) -> str:
    """The file's URL with its content hash: cached for a year, new on every change."""
    return f"/static/{name}?v={ASSETS[name].version}"


# --- templates -------------------------------------------------------------------------------

FILE_LABELS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
}


def file_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} KB"


def lead_image(row: Any) -> Any:
    return metadata.first_image(row.kind, row.images or [], row.details)


templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # compiled once per process
)
templates.filters.update(
    vn_datetime=vn_datetime,
    vn_date=vn_date,
    en_datetime=en_datetime,
    iso_datetime=iso_datetime,
    iso_duration=iso_duration,
    vn_duration=vn_duration,
    file_size=file_size,
    file_label=lambda media_type: FILE_LABELS.get(media_type, "tệp"),
)
templates.globals.update(
    validity_labels=VALIDITY_LABELS_VI,
    kind_labels=KIND_LABELS_VI,
    language_name=language_name,
    tel_href=tel_href,
    lead_image=lead_image,
    asset=asset_url,
)


@dataclass
class Head:
    """What the page's <head> says about it."""

    title: str
    description: str
    #: Path (and query) of the page on the site: its canonical URL, unless `canonical`.
    path: str
    #: The canonical URL when it is not on this site: a copy's original.
    canonical: str | None = None
    og_type: str = "website"
    image: Mapping[str, Any] | None = None
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    #: (hreflang, absolute URL) of this page in each language, itself included.
    alternates: list[tuple[str, str]] = field(default_factory=list)
    prev: str | None = None
    next: str | None = None
    noindex: bool = False
    #: (title, category) of the feeds the page advertises, each as RSS and as Atom;
    #: category None is the site's feed. None advertises the site's feed.
    feeds: list[tuple[str, str | None]] | None = None


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    total: int
    first_item: int
    last_item: int
    prev_href: str | None
    next_href: str | None


def pager(p: Paging, href: Callable[[int], str]) -> Pager:
    return Pager(
        page=p.page,
        pages=p.pages,
        total=p.total,
        first_item=p.first_item,
        last_item=p.last_item,
        prev_href=href(p.prev) if p.prev else None,
        next_href=href(p.next) if p.next else None,
    )


def render(
    template: str,
    site: Site,
    head: Head,
    *,
    lang: str = "vi",
    status: int = 200,
    **context: Any,
) -> Response[str]:
    canonical = head.canonical or site.url(head.path)
    image = head.image
    advertised = head.feeds if head.feeds is not None else [(f"Tin mới - {site.name}", None)]
    context.setdefault("crumbs", [])
    context.setdefault("is_home", False)
    context.setdefault("edition", None)
    context.setdefault("search_value", None)
    body = templates.get_template(template).render(
        site=site,
        lang=lang,
        t=LABELS[lang],
        menu=site.tree.menu(lang),
        home_href="/english" if lang == "en" else "/",
        category_of=lambda row, in_lang="vi": site.tree.name(
            row.category, row.category_name, in_lang
        ),
        head={
            "title": head.title,
            "description": clip(head.description, 300),
            "canonical": canonical,
            "og": metadata.og_tags(
                title=head.title,
                description=clip(head.description, 300),
                url=canonical,
                og_type=head.og_type,
                image=metadata.absolute(site.base, image["url"]) if image else None,
                image_alt=image.get("alt") if image else None,
                language=lang,
                site_name=site.name_en if lang == "en" and site.name_en else site.name,
            ),
            "jsonld": [metadata.json_for_html(data) for data in head.jsonld],
            "alternates": head.alternates,
            "prev": head.prev,
            "next": head.next,
            "noindex": head.noindex,
            "feeds": [
                {"title": name, "rss": feeds.rss_path(c), "atom": feeds.atom_path(c)}
                for name, c in advertised
            ],
        },
        **context,
    )
    return Response(body, status_code=status, media_type=MediaType.HTML)


# --- answering -------------------------------------------------------------------------------


class PageMissing(Exception):
    """Answer 404 with the site's chrome; `keys` say when the answer may change."""

    def __init__(self, *keys: str, private: bool = False) -> None:
        super().__init__("not found")
        self.keys = keys
        self.private = private


@dataclass
class Visit:
    """One request for a page of a known site."""

    session: AsyncSession
    site: Site
    query: dict[str, str]
    request: Request[Any, Any, Any]
    settings: Settings

    def page_number(self) -> int:
        return page_number(self.query.get("trang"))


PageFunction = Callable[[Visit], Awaitable[Response[Any]]]


async def _site_row(session: AsyncSession, request: Request[Any, Any, Any]) -> Row | None:
    try:
        query = classify_host(request.headers.get("host", ""))
    except BadHost:
        return None
    return await store.find_site(session, query)


async def _load_site(session: AsyncSession, request: Request[Any, Any, Any]) -> Site | None:
    row = await _site_row(session, request)
    if row is None:
        return None
    return Site.of(row, await store.category_tree(session, row.slug))


async def serve(
    service: Service, request: Request[Any, Any, Any], page: PageFunction
) -> Response[Any]:
    """Find the site, read the query strictly, run `page`, map refusals to pages."""
    assert service.db
    async with service.db.read() as session:
        site = await _load_site(session, request)
        if site is None:
            return unknown_site(request.headers.get("host", ""))
        try:
            query = parse_query(request.scope.get("query_string", b""))
            return await page(Visit(session, site, query, request, service.settings))
        except BadQuery as exc:
            return bad_request(site, str(exc))
        except BadPageNumber:
            return bad_request(site, "Số trang không hợp lệ: «trang» phải là một số từ 1 trở lên.")
        except PageMissing as exc:
            return not_found(site, request.url.path, exc.keys, private=exc.private)
        except PageOutOfRange:  # `trang` on a page that is not a list
            return not_found(site, request.url.path)


def unknown_site(host: str) -> Response[str]:
    body = templates.get_template("unknown_site.html").render(host=host[:100])
    return cache.private(Response(body, status_code=404, media_type=MediaType.HTML))


def bad_request(site: Site, message: str) -> Response[str]:
    head = Head(title=f"Yêu cầu không hợp lệ - {site.name}", description=message, path="/")
    head.noindex = True
    return cache.private(render("bad_request.html", site, head, status=400, message=message))


def not_found(
    site: Site, path: str, keys: Iterable[str] = (), *, private: bool = False
) -> Response[str]:
    head = Head(
        title=f"Không tìm thấy trang - {site.name}",
        description=f"Trang không có trên {site.name}.",
        path=quote(path[:MAX_PATH], safe="/-._~"),
        noindex=True,
    )
    response = render("not_found.html", site, head, status=404)
    if private:
        return cache.private(response)
    return cache.public(response, cache.keys(site.slug, cache.list_key(site.slug), keys))


def listing(site: Site, **filters: Any) -> store.Listing:
    return store.Listing(tenant=site.slug, **filters)


async def page_of(
    v: Visit, listing: store.Listing, *, missing_keys: Sequence[str] = (), private: bool = False
) -> tuple[Paging, list[Row]]:
    """The requested page of a list; PageMissing past its end (or for page 0)."""
    try:
        wanted = v.page_number()
        p = paging(wanted, await store.count_pages(v.session, listing))
    except PageOutOfRange:
        raise PageMissing(*missing_keys, private=private) from None
    rows = await store.list_pages(v.session, listing, limit=PER_PAGE, offset=p.offset)
    return p, rows


def with_page(path: str, params: Sequence[tuple[str, str]], number: int) -> str:
    pairs = [*params, ("trang", str(number))] if number > 1 else list(params)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def paged_head(head: Head, p: Pager) -> Head:
    head.prev, head.next = p.prev_href, p.next_href
    if p.page > 1:
        head.title = f"{head.title} - trang {p.page}"
    return head


def title(site: Site, *parts: str) -> str:
    return " - ".join([*parts, site.name])


async def category_scope(v: Visit, slug: str) -> tuple[str, list[str]]:
    """The category's name and the categories its page lists (itself and its children)."""
    if len(slug) > 60 or not SLUG.fullmatch(slug):
        raise PageMissing()
    category = v.site.tree.get(slug)
    if category is not None:
        return category.name, v.site.tree.subtree(slug)
    # Not in the tree (the tree has not arrived yet): it exists if live pages say so.
    name = await store.category_fallback_name(v.session, v.site.slug, slug)
    if name is None:
        raise PageMissing()
    return name, [slug]


# --- unknown paths ---------------------------------------------------------------------------


class _Deferred(Response[str]):
    """A response that needs the database, made from a (synchronous) exception handler:
    Litestar awaits the ASGI app this returns, so the page is rendered there."""

    def __init__(self, make: Callable[[], Awaitable[Response[Any]]]) -> None:
        super().__init__("")
        self._make = make

    def to_asgi_response(self, app: Any, request: Request[Any, Any, Any], **kwargs: Any) -> Any:
        make = self._make

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            response = await make()
            await response.to_asgi_response(app, request, **kwargs)(scope, receive, send)

        return asgi


def on_app_init(service: Service) -> Callable[[AppConfig], AppConfig]:
    """Paths no route takes (/a/b/c) get the site's own 404 page, not JSON."""

    def not_found_handler(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
        if request.url.path.startswith("/api/") or request.method != "GET":
            return Response(
                {"status_code": 404, "detail": exc.detail},
                status_code=404,
                media_type=MediaType.JSON,
            )

        async def page(_v: Visit) -> Response[Any]:
            raise PageMissing()

        return _Deferred(lambda: serve(service, request, page))

    def hook(config: AppConfig) -> AppConfig:
        config.exception_handlers[NotFoundException] = not_found_handler
        return config

    return hook
