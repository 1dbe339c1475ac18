"""Starts the gateway: `python -m gateway` (PORT defaults to 8000)."""

from __future__ import annotations

import uuid

import httpx
from litestar import Litestar

from contracts import TenantUpserted, topics
from gateway.proxy import host_middleware, make_proxy
from gateway.tenants import Directory
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings

NAME = "gateway"


def build(settings: Settings) -> tuple[Service, Litestar]:
    directory = Directory()
    service = Service(
        NAME,
        settings,
        subscriptions=[
            Subscription(topics.TENANT, {TenantUpserted: directory.on_tenant_upserted}, replay=True)
        ],
        # Every gateway instance reads the whole tenant topic into its own memory.
        consumer_group=f"gateway-{uuid.uuid4().hex[:12]}",
    )
    clients: dict[str, httpx.AsyncClient] = {}

    async def open_client() -> None:
        clients["client"] = httpx.AsyncClient(
            timeout=httpx.Timeout(10.0, connect=2.0),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            follow_redirects=False,
        )

    async def close_client() -> None:
        await clients["client"].aclose()

    async def ready_when_sites_known() -> dict[str, str]:
        return {"sites": "ok" if directory.city else "loading"}

    service.extra_checks.append(ready_when_sites_known)
    app = service.http_app(
        [make_proxy(settings, clients)],
        middleware=[host_middleware(directory)],
        on_startup=[open_client],
        on_shutdown=[close_client],
        openapi_config=None,
    )
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
