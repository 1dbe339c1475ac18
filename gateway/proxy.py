"""Host → tenant at the edge, and the reverse proxy to the services.

Litestar has no host router, so an ASGI middleware resolves the tenant first:
a malformed Host gets 400, an unknown one a 404 page, before any route runs.
Pages (GET and HEAD outside the APIs) are answered by the page cache in
gateway.serving; this proxy carries everything else.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx
from litestar import MediaType, Request, route
from litestar.background_tasks import BackgroundTask
from litestar.response.base import ASGIResponse
from litestar.response.streaming import ASGIStreamingResponse
from litestar.types import ASGIApp, Receive, Scope, Send

from gateway.paths import is_internal, page_path, path_problem
from gateway.serving import SECURITY, UPSTREAM_DOWN
from gateway.tenants import Directory
from runtime.clientip import client_address, forwarded_proto
from runtime.service import send_plain
from runtime.settings import Settings
from runtime.tenancy import LOCAL_NAMES, BadHost, host_name

OWN_PATHS = ("/healthz", "/readyz", "/metrics")
TRUSTED_PREFIXES = ("x-portal-", "x-forwarded-", "forwarded", "x-real-ip")
MAX_BODY_BYTES = 22 * 1024 * 1024
#: What nginx accepts by default (4 buffers of 8 KB), not counting the request line.
MAX_HEADER_BYTES = 32 * 1024
TOO_LARGE = "Yêu cầu không hợp lệ: phần tiêu đề (header) quá lớn."
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "content-encoding",
        # Set by our own server; the upstream's copies would be duplicates.
        "date",
        "server",
    }
)

UNKNOWN_SITE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Không tìm thấy trang thông tin điện tử</title></head>
<body><main><h1>Không tìm thấy trang thông tin điện tử</h1>
<p>Tên miền này không thuộc Cổng Thông tin điện tử thành phố Hà Nội.</p>
<p>Mời bạn truy cập <a href="https://hanoi.gov.vn/">hanoi.gov.vn</a>.</p></main></body></html>
"""
BAD_HOST = "Yêu cầu không hợp lệ: tên miền (Host) sai định dạng."
NOT_FOUND = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Không tìm thấy trang</title></head>
<body><main><h1>Không tìm thấy trang</h1>
<p>Địa chỉ này không có trên trang thông tin điện tử.</p></main></body></html>
"""
#: The gateway's own endpoints a site's visitors may call; the rest are for the cluster.
OPEN_OWN_PATHS = ("/healthz",)


def no_cookies() -> CookieJar:
    """A cookie jar that stores nothing: for clients shared by every user's requests."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def upstreams(settings: Settings) -> list[tuple[str, str]]:
    """(path prefix, base URL): the API of each service; everything else is a page."""
    return [
        ("/api/v1/auth/", settings.admin_url),
        ("/api/v1/tenants", settings.admin_url),
        ("/api/v1/articles", settings.content_url),
        ("/api/v1/categories", settings.content_url),
        ("/api/v1/media", settings.content_url),
        ("/api/v1/imports", settings.content_url),
        ("/media/", settings.content_url),
        ("/api/v1/reviews", settings.editorial_url),
        ("/api/v1/royalties", settings.editorial_url),
        ("/api/v1/audit", settings.admin_url),
        ("/api/v1/users", settings.admin_url),
        ("/admin", settings.admin_url),
        ("/api/v1/preview", settings.renderer_url),
        ("/api/v1/feedback", settings.feedback_url),
        ("/open311/", settings.feedback_url),
        *((section, settings.feedback_url) for section in FEEDBACK_SECTIONS),
        ("/api/v1/search", settings.search_url),
        ("/api/v1/syndication", settings.syndication_url),
        ("/api/v1/partner/", settings.syndication_url),
        *((section, settings.search_url) for section in SEARCH_SECTIONS),
    ]


#: Page sections that feedback serves on every site (its forms, answers, consultations
#: and dialogues); every other page is renderer's.
FEEDBACK_SECTIONS = ("/hoi-dap", "/du-thao", "/doi-thoai", "/danh-gia")
#: The citizens' search pages, which search serves on every site.
SEARCH_SECTIONS = ("/tim-kiem",)


def upstream_for(path: str, table: list[tuple[str, str]], renderer: str) -> str:
    for prefix, base in table:
        if path.startswith(prefix) and (
            prefix.endswith("/") or len(path) == len(prefix) or path[len(prefix)] in "/?"
        ):
            return base
    return renderer


def page_upstream(path: str, settings: Settings) -> str:
    """Who renders the page at `path`: feedback and search for their sections, else
    renderer."""
    table = [(section, settings.feedback_url) for section in FEEDBACK_SECTIONS]
    table += [(section, settings.search_url) for section in SEARCH_SECTIONS]
    return upstream_for(path, table, settings.renderer_url)


def admin_hosts(settings: Settings) -> frozenset[str]:
    return frozenset(h.strip().lower() for h in settings.admin_hosts.split(",") if h.strip())


def is_admin_path(path: str) -> bool:
    return path == "/admin" or path.startswith("/admin/")


def host_middleware(directory: Directory, settings: Settings):
    """Host → tenant, with the client's address found once (for the services' limits),
    and the editors' UI only on the admin host(s): its session cookie and login form are
    not the business of 151 public sites."""
    editors_hosts = admin_hosts(settings)

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            problem = path_problem(scope["path"], scope.get("raw_path") or b"")
            if problem is not None:
                await send_plain(send, 400, problem, headers=SECURITY)
                return
            if scope["path"] in OWN_PATHS:
                if scope["path"] in OPEN_OWN_PATHS or not _site_host(scope, directory):
                    await app(scope, receive, send)  # a probe, Prometheus: by address
                else:
                    await send_plain(send, 404, NOT_FOUND, "text/html; charset=utf-8", SECURITY)
                return
            if is_internal(scope["path"]):  # the services' probes, metrics, OpenAPI
                await send_plain(send, 404, NOT_FOUND, "text/html; charset=utf-8", SECURITY)
                return
            if sum(len(n) + len(v) for n, v in scope["headers"]) > MAX_HEADER_BYTES:
                await send_plain(send, 431, TOO_LARGE, headers=SECURITY)
                return
            host = _host(scope)
            state = scope.setdefault("state", {})
            address = client_address(scope, settings.forwarded_allow_ips)
            state["client"] = str(address) if address is not None else ""
            state["scheme"] = forwarded_proto(scope, settings.forwarded_allow_ips)
            try:
                name = host_name(host)
            except BadHost:
                name = ""
            if name in editors_hosts:
                if not is_admin_path(scope["path"]):
                    await send_plain(send, 404, NOT_FOUND, "text/html; charset=utf-8", SECURITY)
                    return
                state["tenant"] = directory.city or ""
                await app(scope, receive, send)
                return
            if is_admin_path(scope["path"]):
                await send_plain(send, 404, NOT_FOUND, "text/html; charset=utf-8", SECURITY)
                return
            try:
                tenant = directory.resolve(host)
            except BadHost:
                await send_plain(send, 400, BAD_HOST, headers=SECURITY)
                return
            if tenant is None:
                await send_plain(send, 404, UNKNOWN_SITE, "text/html; charset=utf-8", SECURITY)
                return
            state["tenant"] = tenant
            await app(scope, receive, send)

        return middleware

    return factory


def _has_body(request: Request[Any, Any, Any]) -> bool:
    headers = request.headers
    return int(headers.get("content-length") or 0) > 0 or "transfer-encoding" in headers


def _host(scope: Scope) -> str:
    """The request's one Host header; "" when it has none or several (RFC 9112 §3.2:
    a bad request)."""
    hosts = [value for name, value in scope["headers"] if name == b"host"]
    return hosts[0].decode("latin-1") if len(hosts) == 1 else ""


def _site_host(scope: Scope, directory: Directory) -> bool:
    """True when the request names a site (what the public reaches us by), not a pod's
    address or the developer's own machine."""
    host = _host(scope)
    try:
        if host_name(host) in LOCAL_NAMES:
            return False
        return directory.resolve(host) is not None
    except BadHost:
        return False


def make_proxy(settings: Settings, client_holder: dict[str, httpx.AsyncClient]):
    table = upstreams(settings)

    @route(
        ["/", "/{path:path}"],
        http_method=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
        # Uploads (20 MB documents) pass through; the service enforces each kind's limit.
        request_max_body_size=MAX_BODY_BYTES,
    )
    async def proxy(request: Request[Any, Any, Any]) -> ASGIResponse:
        path = request.scope["path"]
        base = upstream_for(path, table, settings.renderer_url)
        # As bytes: a header with non-ASCII bytes passes on as it came, not as a 500.
        headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in request.headers.items()
            # What the gateway itself vouches for is never taken from the client.
            if k.lower() not in HOP_BY_HOP and not k.lower().startswith(TRUSTED_PREFIXES)
        ]
        headers += [
            # The one hop the services believe from us: the client we found.
            (b"x-forwarded-for", str(request.state.get("client", "")).encode()),
            (b"x-forwarded-proto", str(request.state.get("scheme", "http")).encode()),
            (b"x-portal-tenant", request.state.tenant.encode()),
        ]
        # The services answer GET; HEAD is the same response without its body.
        method = "GET" if request.method == "HEAD" else request.method
        client = client_holder["client"]
        outgoing = client.build_request(
            method,
            base + page_path(path),
            params=request.url.query,
            headers=headers,
            # Streamed both ways: a 20 MB upload or download holds one chunk here at a
            # time, not the whole file per request (the route's limit still counts it).
            content=request.stream() if _has_body(request) else None,
        )
        try:
            upstream = await client.send(outgoing, stream=True)
        except httpx.HTTPError:
            return ASGIResponse(
                body=UPSTREAM_DOWN.encode(), status_code=502, media_type=MediaType.HTML
            )
        # multi_items: several Set-Cookie headers must stay several headers. The body
        # is passed on as it came (raw), so its encoding and length stay true.
        out_headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in upstream.headers.multi_items()
            if k.lower() not in HOP_BY_HOP or k.lower() in ("content-length", "content-encoding")
        ]
        return ASGIStreamingResponse(
            iterator=upstream.aiter_raw(),
            status_code=upstream.status_code,
            encoded_headers=out_headers,
            is_head_response=request.method == "HEAD",
            background=BackgroundTask(upstream.aclose),
        )

    return proxy
