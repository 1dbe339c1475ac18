"""Host → tenant at the edge, and the reverse proxy to the services.

Litestar has no host router, so an ASGI middleware resolves the tenant first:
a malformed Host gets 400, an unknown one a 404 page, before any route runs.
Nothing here caches pages yet; when a cache comes it must key on the tenant,
since Litestar's own response-cache key ignores the Host header.
"""

from __future__ import annotations

from typing import Any

import httpx
from litestar import MediaType, Request, Response, route
from litestar.types import ASGIApp, Receive, Scope, Send

from gateway.tenants import Directory
from runtime.service import send_plain
from runtime.settings import Settings
from runtime.tenancy import BadHost

OWN_PATHS = ("/healthz", "/readyz", "/metrics")
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
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "SAMEORIGIN",
}

UNKNOWN_SITE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Không tìm thấy trang thông tin điện tử</title></head>
<body><main><h1>Không tìm thấy trang thông tin điện tử</h1>
<p>Tên miền này không thuộc Cổng Thông tin điện tử thành phố Hà Nội.</p>
<p>Mời bạn truy cập <a href="https://hanoi.gov.vn/">hanoi.gov.vn</a>.</p></main></body></html>
"""
BAD_HOST = "Yêu cầu không hợp lệ: tên miền (Host) sai định dạng."
UPSTREAM_DOWN = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Hệ thống đang bận</title></head>
<body><main><h1>Hệ thống đang bận</h1>
<p>Dịch vụ tạm thời không phản hồi. Xin vui lòng thử lại sau ít phút.</p></main></body></html>
"""


def upstreams(settings: Settings) -> list[tuple[str, str]]:
    """(path prefix, base URL): the API of each service; everything else is a page."""
    return [
        ("/api/v1/auth/", settings.admin_url),
        ("/api/v1/tenants", settings.admin_url),
        ("/api/v1/articles", settings.content_url),
        ("/api/v1/reviews", settings.editorial_url),
    ]


def upstream_for(path: str, table: list[tuple[str, str]], renderer: str) -> str:
    for prefix, base in table:
        if path.startswith(prefix):
            return base
    return renderer


def host_middleware(directory: Directory):
    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"] in OWN_PATHS:
                await app(scope, receive, send)
                return
            host = ""
            for name, value in scope["headers"]:
                if name == b"host":
                    host = value.decode("latin-1")
                    break
            try:
                tenant = directory.resolve(host)
            except BadHost:
                await send_plain(send, 400, BAD_HOST, headers=SECURITY_HEADERS)
                return
            if tenant is None:
                await send_plain(
                    send, 404, UNKNOWN_SITE, "text/html; charset=utf-8", SECURITY_HEADERS
                )
                return
            scope.setdefault("state", {})["tenant"] = tenant
            await app(scope, receive, send)

        return middleware

    return factory


def make_proxy(settings: Settings, client_holder: dict[str, httpx.AsyncClient]):
    table = upstreams(settings)

    @route(
        ["/", "/{path:path}"],
        http_method=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    async def proxy(request: Request[Any, Any, Any]) -> Response[bytes]:
        path = request.url.path
        base = upstream_for(path, table, settings.renderer_url)
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        client_ip = request.client.host if request.client else ""
        headers += [
            ("x-forwarded-for", client_ip),
            ("x-forwarded-proto", request.url.scheme),
            ("x-portal-tenant", request.state.tenant),
        ]
        # The services answer GET; HEAD is the same response without its body.
        method = "GET" if request.method == "HEAD" else request.method
        try:
            upstream = await client_holder["client"].request(
                method,
                base + path,
                params=request.url.query,
                headers=headers,
                content=await request.body(),
            )
        except httpx.HTTPError:
            return Response(UPSTREAM_DOWN.encode(), status_code=502, media_type=MediaType.HTML,
                            headers=SECURITY_HEADERS)  # fmt: skip
        out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
        out_headers.update(SECURITY_HEADERS)
        body = b"" if request.method == "HEAD" else upstream.content
        return Response(body, status_code=upstream.status_code, headers=out_headers)

    return proxy
