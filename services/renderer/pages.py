"""renderer's pages: a site's home and article pages, chosen by the Host header.

Reads only its own read model. Everything a citizen reads is Vietnamese.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.service import Service
from runtime.tenancy import BadHost, classify_host
from services.renderer import store

HERE = Path(__file__).parent
VN_TIME = ZoneInfo("Asia/Ho_Chi_Minh")

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def vn_datetime(value: datetime | None) -> str:
    """ "24/11/2026 09:15" in Hanoi time."""
    return value.astimezone(VN_TIME).strftime("%d/%m/%Y %H:%M") if value else ""


templates.filters["vn_datetime"] = vn_datetime


def html(template: str, status: int = 200, **context: Any) -> Response[str]:
    body = templates.get_template(template).render(**context)
    return Response(body, status_code=status, media_type=MediaType.HTML)


async def _site(session: AsyncSession, request: Request[Any, Any, Any]) -> Row | None:
    try:
        query = classify_host(request.headers.get("host", ""))
    except BadHost:
        return None
    return await store.find_site(session, query)


def unknown_site(host: str) -> Response[str]:
    return html("unknown_site.html", 404, host=host[:100])


@get("/", include_in_schema=False)
async def home(service: NamedDependency[Service], request: Request[Any, Any, Any]) -> Response[str]:
    assert service.db
    async with service.db.read() as session:
        site = await _site(session, request)
        if site is None:
            return unknown_site(request.headers.get("host", ""))
        articles = await store.latest(session, site.slug)
    return html("home.html", site=site, articles=articles)


@get("/{category:str}/{slug:str}", include_in_schema=False)
async def article(
    category: FromPath[str],
    slug: FromPath[str],
    service: NamedDependency[Service],
    request: Request[Any, Any, Any],
) -> Response[str]:
    assert service.db
    async with service.db.read() as session:
        site = await _site(session, request)
        if site is None:
            return unknown_site(request.headers.get("host", ""))
        page = await store.page_at(session, site.slug, f"/{category}/{slug}")
    if page is None:
        return html("not_found.html", 404, site=site)
    if page.status != "live":
        return html("gone.html", 410, site=site, page=page)
    return html("article.html", site=site, page=page)


@get("/static/portal.css", include_in_schema=False)
async def stylesheet() -> File:
    return File(HERE / "static" / "portal.css", content_disposition_type="inline")


ROUTES = [home, article, stylesheet]
