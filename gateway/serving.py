"""Serving citizens' pages: security headers on every response, and the page cache.

Both are raw ASGI middleware in front of Litestar: a cached page is answered without
routing, parsing or a trip to renderer, which is what lets one gateway process serve
thousands of pages a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from litestar.types import Receive, Scope, Send

from contracts import Envelope, PagesChanged
from gateway.cache import CachedPage, PageStore, Singleflight, make_page
from gateway.paths import page_path, page_query
from runtime.service import send_plain

log = logging.getLogger("portal.gateway.cache")

# Pages never run inline code; JSON-LD data blocks are not scripts to the browser.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "media-src 'self' https:; font-src 'self'; connect-src 'self'; frame-src 'none'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (  # on every response
    (b"content-security-policy", PAGE_CSP.encode()),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

#: Request paths that are never pages (APIs, the admin UI, media files, our own).
NOT_PAGES = ("/api/", "/admin", "/media/", "/open311/", "/healthz", "/readyz", "/metrics")
MAX_KEY_LENGTH = 2048
#: Statuses worth keeping: pages, redirects and the answers for missing pages.
CACHEABLE = frozenset({200, 301, 404, 410})
# Response headers the cache replaces or must never pass on.
_DROP = frozenset(
    {
        *(name for name, _ in SECURITY_HEADERS),
        b"content-length",
        b"content-encoding",
        b"transfer-encoding",
        b"connection",
        b"keep-alive",
        b"etag",
        b"date",
        b"server",
        b"surrogate-key",
        b"vary",
    }
)


#: The same, for runtime.service.send_plain.
SECURITY = {k.decode(): v.decode() for k, v in SECURITY_HEADERS}


def security_headers(app: Any) -> Any:
    """Add the security headers to every response that does not set its own. (The page
    cache and the Host check write theirs directly: the hot path skips this wrapper.)"""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def cache_control_ttl(value: str) -> float | None:
    """s-maxage of a shared-cacheable response; None if it must not be stored."""
    directives = {}
    for part in value.lower().split(","):
        name, _, arg = part.strip().partition("=")
        directives[name] = arg
    if "public" not in directives or {"no-store", "private", "no-cache"} & directives.keys():
        return None
    try:
        return float(directives.get("s-maxage") or directives.get("max-age") or "")
    except ValueError:
        return None


def storable(status: int, headers: httpx.Headers) -> tuple[frozenset[str], float] | None:
    """(surrogate keys, ttl) if this renderer answer may be kept for everyone."""
    if status not in CACHEABLE or "set-cookie" in headers:
        return None
    keys = frozenset(headers.get("surrogate-key", "").split())
    ttl = cache_control_ttl(headers.get("cache-control", ""))
    if not keys or not ttl or ttl <= 0:
        return None
    return keys, ttl


def _accepts(header: str, coding: str) -> bool:
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == coding:
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    base = etag.strip('"')
    for candidate in if_none_match.split(","):
        tag = candidate.strip().removeprefix("W/").strip('"')
        if tag.split("-", 1)[0] == base:
            return True
    return False


async def send_page(
    send: Send, page: CachedPage, request_headers: Iterable[tuple[bytes, bytes]], *,
    head: bool, hit: bool,
) -> None:  # fmt: skip
    """The page, compressed as the client accepts, or 304 if it has it already."""
    accept_encoding = if_none_match = ""
    for name, value in request_headers:
        if name == b"accept-encoding":
            accept_encoding = value.decode("latin-1")
        elif name == b"if-none-match":
            if_none_match = value.decode("latin-1")
    body, coding, etag = page.body, b"", page.etag
    if page.br and _accepts(accept_encoding, "br"):
        body, coding, etag = page.br, b"br", page.etag[:-1] + '-br"'
    elif page.gzip and _accepts(accept_encoding, "gzip"):
        body, coding, etag = page.gzip, b"gzip", page.etag[:-1] + '-gz"'
    headers = [
        *page.headers,
        *SECURITY_HEADERS,
        (b"etag", etag.encode()),
        (b"vary", b"Accept-Encoding"),
        (b"x-cache", b"HIT" if hit else b"MISS"),
    ]
    if hit:
        headers.append((b"age", str(max(0, int(time.time() - page.stored_at))).encode()))
    status = page.status
    if if_none_match and status == 200 and _etag_matches(if_none_match, page.etag):
        status, body = 304, b""
        headers = [(k, v) for k, v in headers if k != b"content-type"]
    elif coding:
        headers.append((b"content-encoding", coding))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


class PageCache:
    """ASGI middleware: answers page requests (GET/HEAD, not APIs) from the store; on a
    miss fetches the page from renderer (or feedback, for its sections) and keeps it if
    the service marked it shareable."""

    def __init__(
        self,
        app: Any,  # the rest of the stack, set once built
        store: PageStore,
        upstream: Callable[[str], str],  # the base URL of the service rendering a path
        client: dict[str, httpx.AsyncClient],
        city: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.app = app
        self.city = city
        self.store = store
        self.upstream = upstream
        self.client = client
        self.flights = Singleflight()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"].startswith(NOT_PAGES)
        ):
            await self.app(scope, receive, send)
            return
        tenant = scope.get("state", {}).get("tenant")
        # One entry per page, however the URL was spelt or decorated (utm_*, fbclid):
        # the page is rendered from exactly what its key holds.
        query = page_query(scope.get("query_string", b""))
        path = page_path(scope["path"])
        key = f"{tenant}|{path}?{query}"
        if tenant is None or query is None or len(key) > MAX_KEY_LENGTH:
            await self.app(scope, receive, send)  # proxied as sent, never stored
            return
        head = scope["method"] == "HEAD"
        page = await self.store.get(key)
        if page is not None:
            await send_page(send, page, scope["headers"], head=head, hit=True)
            return
        page = await self._fetch(scope, key, tenant, path, query)
        if page is None:
            await send_plain(send, 502, UPSTREAM_DOWN, "text/html; charset=utf-8", SECURITY)
            return
        await send_page(send, page, scope["headers"], head=head, hit=False)

    async def _fetch(
        self, scope: Scope, key: str, tenant: str, path: str, query: str
    ) -> CachedPage | None:
        waiting = self.flights.leader(key)
        if waiting is not None:
            result = await waiting
            return result if isinstance(result, CachedPage) else None
        page: CachedPage | None = None
        try:
            page = await self._render(scope, key, tenant, path, query)
        finally:
            self.flights.done(key, page)
        return page

    async def _render(
        self, scope: Scope, key: str, tenant: str, path: str, query: str
    ) -> CachedPage | None:
        generation = await self.store.generation(tenant)
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in scope["headers"]
            # Pages are the same for everyone: nothing personal goes upstream.
            if name in (b"host", b"user-agent", b"accept-language")
        ]
        client = str(scope.get("state", {}).get("client", ""))  # found by host_middleware
        headers += [("x-forwarded-for", client), ("x-portal-tenant", tenant)]
        url = self.upstream(scope["path"]) + path
        try:
            upstream = await self.client["client"].get(url, params=query, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("page upstream did not answer", extra={"error": repr(exc)})
            return None
        out = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in upstream.headers.multi_items()
            if k.lower().encode("latin-1") not in _DROP
        ]
        marked = storable(upstream.status_code, upstream.headers)
        keys, ttl = marked if marked else (frozenset(), 0.0)
        page = make_page(upstream.status_code, out, upstream.content, keys, ttl)
        if marked:
            await self.store.put(key, page, tenant, generation)
        return page

    async def on_pages_changed(self, event: PagesChanged, _env: Envelope) -> None:
        tenants = [event.tenant]
        city = self.city()
        if "sitemaps" in event.keys and city and city != event.tenant:
            tenants.append(city)  # the sitemap index lives on the city portal
        dropped = await self.store.purge(tenants, event.keys)
        log.info(
            "pages purged",
            extra={"tenant": event.tenant, "keys": event.keys, "dropped": dropped},
        )


UPSTREAM_DOWN = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Hệ thống đang bận</title></head>
<body><main><h1>Hệ thống đang bận</h1>
<p>Dịch vụ tạm thời không phản hồi. Xin vui lòng thử lại sau ít phút.</p></main></body></html>
"""
