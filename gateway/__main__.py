"""Starts the gateway: `python -m gateway` (PORT defaults to 8000)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from contracts import PagesChanged, TenantUpserted, topics
from gateway.cache import GuardedStore, MemoryStore, PageStore, RedisStore
from gateway.proxy import host_middleware, make_proxy, no_cookies, page_upstream
from gateway.serving import PageCache, security_headers
from gateway.tenants import Directory
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings

NAME = "gateway"


def page_store(settings: Settings) -> PageStore:
    if settings.redis_url:
        # One namespace per deployment (tests run several side by side on one Redis).
        return RedisStore(settings.redis_url, namespace=f"portal:{settings.schema_prefix}pages")
    return MemoryStore(max_bytes=settings.page_cache_mb * 1024 * 1024)


def build(settings: Settings) -> tuple[Service, Any]:
    """The gateway's ASGI stack: Host → tenant, then the page cache, then Litestar
    (health, metrics and the proxy for everything but pages) with security headers
    added; the first two write their own security headers."""
    directory = Directory()
    clients: dict[str, httpx.AsyncClient] = {}
    store = GuardedStore(page_store(settings))
    cache = PageCache(
        None, store, lambda path: page_upstream(path, settings), clients, lambda: directory.city
    )
    subscriptions = [
        Subscription(topics.TENANT, {TenantUpserted: directory.on_tenant_upserted}, replay=True)
    ]
    if settings.page_cache:
        # Not the topic's past: a new gateway's own cache is empty, and the shared one
        # is kept current by the gateways already running; replaying every purge ever
        # made would empty it each time one more gateway starts. Read from the start
        # all the same (no offset race at joining), applying only the last few seconds'.
        subscriptions.append(
            Subscription(
                topics.PAGES,
                {PagesChanged: cache.on_pages_changed},
                replay=True,
                recent_only=settings.page_purge_lookback_seconds,
            )
        )
    service = Service(
        NAME,
        settings,
        subscriptions=subscriptions,
        # Every gateway instance reads the whole tenant topic into its own memory.
        consumer_group=f"gateway-{uuid.uuid4().hex[:12]}",
    )

    async def open_client() -> None:
        clients["client"] = httpx.AsyncClient(
            # A shared client must never keep one user's cookies for the next.
            cookies=no_cookies(),
            timeout=httpx.Timeout(10.0, connect=2.0),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            follow_redirects=False,
        )

    async def close_client() -> None:
        await clients["client"].aclose()
        await store.close()

    async def ready_when_sites_known() -> dict[str, str]:
        # A failing cache degrades the gateway but keeps it serving (pages render through).
        return {"sites": "ok" if directory.city else "loading", "cache": store.state}

    service.extra_checks.append(ready_when_sites_known)
    litestar = service.http_app(
        [make_proxy(settings, clients)],
        on_startup=[open_client],
        on_shutdown=[close_client],
        openapi_config=None,
    )
    secured = security_headers(litestar)
    cache.app = secured
    return service, host_middleware(directory, settings)(cache if settings.page_cache else secured)


if __name__ == "__main__":
    run_service(NAME, build)
