"""The citizens' search pages on every site, in Vietnamese: this site or all sites,
facets, paging, highlighted snippets, autocomplete and "did you mean".

The gateway routes `/tim-kiem...` here and names the site in `x-portal-tenant` (it
drops any such header a client sends); without the gateway the Host header is used.

    /tim-kiem?q=&pham-vi=trang-nay|tat-ca&loai=&chuyen-muc=&nam=&trang-web=&tu=&den=&trang=
    /tim-kiem/goi-y.js        the autocomplete script (the page works without it)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import MediaType, Request, Response, get
from litestar.di import NamedDependency
from sqlalchemy import select

from runtime.tenancy import BadHost, classify_host
from services.search import store
from services.search.api import Searcher, Unavailable
from services.search.documents import TYPE_LABELS_VI, BadQuery, Query, make_query

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
SCRIPT = (Path(__file__).parent / "static" / "goi-y.js").read_bytes()
VN_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
NO_STORE = {"cache-control": "no-store"}
#: The empty form is the same for everyone.
FORM_CACHE = {"cache-control": "public, max-age=300"}
PAGE_SIZE = 10
#: The page's own parameters, in the order links carry them.
PARAMS = ("q", "pham-vi", "loai", "chuyen-muc", "nam", "trang-web", "tu", "den")
FACET_TITLES = {"type": "Loại nội dung", "year": "Năm", "site": "Trang", "category": "Chuyên mục"}
FACET_PARAM = {"type": "loai", "year": "nam", "site": "trang-web", "category": "chuyen-muc"}


@dataclass(frozen=True)
class Site:
    slug: str
    name: str
    domain: str


async def find_site(searcher: Searcher, request: Request[Any, Any, Any]) -> Site | None:
    slug = request.headers.get("x-portal-tenant")
    assert searcher.service.db
    async with searcher.service.db.read() as session:
        column = store.sites.c.slug
        value = slug[:50] if slug else None
        if value is None:
            try:
                host = classify_host(request.headers.get("host", ""))
            except BadHost:
                return None
            if host.by == "slug":
                value = host.value
            elif host.by == "domain":
                column, value = store.sites.c.domain, host.value
            else:
                return None
        row = (await session.execute(select(store.sites).where(column == value))).first()
    if row is None or not row.active:
        return None
    return Site(row.slug, row.name, row.domain)


def _html(name: str, status: int, headers: dict[str, str], **context: Any) -> Response[str]:
    body = templates.get_template(name).render(**context)
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=headers)


def _link(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    kept = [(k, merged[k]) for k in (*PARAMS, "trang") if merged.get(k)]
    return "/tim-kiem?" + urlencode(kept) if kept else "/tim-kiem"


def _year_range(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    if not (value.isdigit() and len(value) == 4):
        raise BadQuery("Năm không hợp lệ.")
    return f"{value}-01-01", f"{value}-12-31"


def _query(site: Site, params: dict[str, str]) -> Query:
    year_from, year_to = _year_range(params.get("nam"))
    scope_site = site.slug if params.get("pham-vi") == "trang-nay" else params.get("trang-web")
    return make_query(
        params.get("q"),
        site=scope_site,
        type=params.get("loai"),
        category=params.get("chuyen-muc"),
        date_from=params.get("tu") or year_from,
        date_to=params.get("den") or year_to,
        page=params.get("trang"),
        size=PAGE_SIZE,
    )


def _pages(page: int, last: int) -> list[tuple[int, bool]]:
    """Page numbers to show: first, last, and two either side of the current one."""
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    out: list[tuple[int, bool]] = []
    for i, n in enumerate(shown):
        if i and n - shown[i - 1] > 1:
            out.append((0, False))  # a gap
        out.append((n, True))
    return out


@get("/tim-kiem", exclude_from_auth=True, include_in_schema=False)
async def search_page(
    request: Request[Any, Any, Any], searcher: NamedDependency[Searcher]
) -> Response[str]:
    site = await find_site(searcher, request)
    if site is None:
        return Response(
            '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Không tìm thấy '
            "trang thông tin điện tử</title></head><body><main><h1>Không tìm thấy trang thông tin "
            "điện tử</h1></main></body></html>",
            status_code=404, media_type=MediaType.HTML, headers=NO_STORE,
        )  # fmt: skip
    params = {k: str(v)[:300] for k, v in request.query_params.items() if k in (*PARAMS, "trang")}
    params.setdefault("pham-vi", "trang-nay")
    if params["pham-vi"] not in ("trang-nay", "tat-ca"):
        params["pham-vi"] = "trang-nay"
    scope = params["pham-vi"]
    kept = [(k, params[k]) for k in ("loai", "chuyen-muc", "nam", "trang-web", "tu", "den")
            if params.get(k)]  # fmt: skip
    context: dict[str, Any] = {
        "site": site, "scope": scope, "kept": kept, "q": None, "title": "Tìm kiếm",
    }  # fmt: skip
    if "q" not in request.query_params and not kept:
        return _html("search.html", 200, FORM_CACHE, **context)
    context["q"] = params.get("q", "")
    try:
        query = _query(site, params)
        results = await searcher.run(query)
    except BadQuery as exc:
        return _html("search.html", 400, NO_STORE, **context, error=str(exc))
    except Unavailable:
        message = "Tìm kiếm tạm thời gián đoạn, xin vui lòng thử lại sau ít phút."
        return _html("search.html", 503, {**NO_STORE, "retry-after": "5"}, **context,
                     error=message)  # fmt: skip
    context["title"] = f"Tìm kiếm: {query.q[:60]}" if query.q else "Tìm kiếm"
    base = {k: v for k, v in params.items() if k != "trang"}
    rows = []
    for hit in results.hits:
        own = hit.site == site.slug
        rows.append({
            "title": hit.title,
            "href": hit.path if own else await searcher.url(hit.site, hit.path),
            "site_name": "" if own else await searcher.site_name(hit.site),
            "type_label": TYPE_LABELS_VI.get(hit.type, hit.type),
            "snippet": hit.snippet,
            "iso": hit.published_at.isoformat(timespec="seconds"),
            "date": hit.published_at.astimezone(VN_TIME).strftime("%d/%m/%Y"),
        })  # fmt: skip
    facets = []
    for name in ("type", "year", "site", "category"):
        if name == "site" and scope == "trang-nay":
            continue
        values = results.facets.get(name, [])
        if not values:
            continue
        param = FACET_PARAM[name]
        items = [
            {
                "label": await searcher.label(name, value.value, site.slug),
                "count": value.count,
                "current": params.get(param) == value.value,
                "href": _link(base, **{param: value.value}),
            }
            for value in values[:12]
        ]
        facets.append({"title": FACET_TITLES[name], "items": items})
    active = []
    for name, param in FACET_PARAM.items():
        if params.get(param):
            label = await searcher.label(name, params[param], site.slug)
            active.append((f"{FACET_TITLES[name]}: {label}", _link(base, **{param: None})))
    last_page = max(1, min(-(-results.total // PAGE_SIZE), 100))
    context.update(
        q=query.q,
        total=results.total,
        first=query.offset + 1,
        last=query.offset + len(rows),
        results=rows,
        facets=facets,
        active=active,
        page=query.page,
        pages=[(n, _link(base, trang=str(n)) if real else None)
               for n, real in _pages(query.page, last_page)] if last_page > 1 else [],
        prev_href=_link(base, trang=str(query.page - 1)) if query.page > 1 else None,
        next_href=_link(base, trang=str(query.page + 1)) if query.page < last_page else None,
        all_sites_href=_link(base, **{"pham-vi": "tat-ca"}),
        suggestion=results.suggestion,
        suggestion_href=_link(base, q=results.suggestion) if results.suggestion else None,
    )  # fmt: skip
    return _html("search.html", 200, NO_STORE, **context)


@get("/tim-kiem/goi-y.js", exclude_from_auth=True, include_in_schema=False)
async def autocomplete_script() -> Response[bytes]:
    return Response(
        SCRIPT,
        media_type="text/javascript; charset=utf-8",
        headers={"cache-control": "public, max-age=3600"},
    )


ROUTES = [search_page, autocomplete_script]
