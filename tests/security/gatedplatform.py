"""The whole platform behind the gateway, for attacks made as an outsider would make
them: every request in tests/security goes through the gateway's public port with a
site's Host header, never straight to a service.

Test modules import the fixture: `from gatedplatform import gated  # noqa: F401`.
`gated` is module-scoped: one platform (admin with the demo accounts, content,
editorial, renderer, feedback, search and the gateway, on one embedded broker, on
SQLite or, with DATABASE_URL, PostgreSQL) per test module. Tests make their own
accounts and articles so that they do not depend on each other's order.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from conftest import bearer, bound_socket, eventually, running, settings_for, token_for
from sqlalchemy import func, select

from gateway.__main__ import build as build_gateway
from runtime.embedded import EmbeddedKafka
from runtime.settings import Settings
from services.admin.__main__ import build as build_admin
from services.content.__main__ import build as build_content
from services.editorial.__main__ import build as build_editorial
from services.feedback.__main__ import build as build_feedback
from services.renderer.__main__ import build as build_renderer
from services.search.__main__ import build as build_search
from services.syndication import store as syndication_store
from services.syndication.__main__ import build as build_syndication

SERVICES = {
    "admin": build_admin,
    "content": build_content,
    "editorial": build_editorial,
    "renderer": build_renderer,
    "feedback": build_feedback,
    "search": build_search,
}


#: A citizen's question as the feedback form sends it (add an email or a phone).
QUESTION = {
    "tenant": "hoankiem",
    "kind": "question",
    "field": "Đất đai",
    "title": "Hỏi về thủ tục cấp giấy phép",
    "text": "Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ cần những giấy tờ gì?",
    "name": "Nguyễn Văn Bình",
}


@dataclass
class Gated:
    """The platform as an outsider sees it: `gateway` is the only client tests attack
    through; `services` and `direct` are there to check effects, never to attack."""

    settings: Settings
    gateway: httpx.AsyncClient
    services: dict[str, Any] = field(default_factory=dict)
    direct: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    async def get(self, path: str, host: str = "hoankiem.localhost", **kw: Any) -> httpx.Response:
        headers = {"Host": host, **kw.pop("headers", {})}
        return await self.gateway.get(path, headers=headers, **kw)

    async def post(self, path: str, host: str = "hoankiem.localhost", **kw: Any) -> httpx.Response:
        headers = {"Host": host, **kw.pop("headers", {})}
        return await self.gateway.post(path, headers=headers, **kw)

    async def request(
        self, method: str, path: str, host: str = "hoankiem.localhost", **kw: Any
    ) -> httpx.Response:
        headers = {"Host": host, **kw.pop("headers", {})}
        return await self.gateway.request(method, path, headers=headers, **kw)


@asynccontextmanager
async def gated_platform(settings: Settings, **overrides: Any) -> AsyncIterator[Gated]:
    """Every service on a port it is told in advance (admin's UI and the gateway call
    the others by URL), then the gateway in front of them."""
    socks = {name: bound_socket() for name in SERVICES}
    urls = {f"{name}_url": f"http://127.0.0.1:{s.getsockname()[1]}" for name, s in socks.items()}
    settings = settings.with_overrides(demo=True, **urls, **overrides)
    async with AsyncExitStack() as stack:
        gated = Gated(settings=settings, gateway=None)  # type: ignore[arg-type]
        for name, build in SERVICES.items():
            service, client = await stack.enter_async_context(
                running(build, settings, sock=socks[name])
            )
            gated.services[name] = service
            gated.direct[name] = client
        _svc, gateway = await stack.enter_async_context(running(build_gateway, settings))
        gated.gateway = gateway
        await eventually(lambda: _sites_known(gateway), timeout=60)
        yield gated


#: The password of every account the security tests create.
ACCOUNT_PASSWORD = "Cổng-Hà-Nội-2026"


async def create_account(gated: Gated, role: str, tenant: str, prefix: str = "tk") -> str:
    """A new account with `role` on `tenant`, made by an operator; its username."""
    username = f"{prefix}.{uuid.uuid4().hex[:8]}"
    r = await gated.post(
        "/api/v1/users",
        json={"username": username, "display_name": "Người dùng thử",
              "password": ACCOUNT_PASSWORD, "tenant": tenant, "role": role},
        headers=bearer(token_for("vanhanh", {}, operator=True)),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return username


async def call_with(gated: Gated, method: str, path: str, token: str) -> httpx.Response:
    """A protected API call with `token` (a POST carries a preview's body)."""
    kw: dict[str, Any] = {"headers": bearer(token)}
    if method == "POST":
        kw["json"] = {"tenant": "hoankiem", "title": "Xem trước", "body_html": "<p>x</p>"}
    return await gated.request(method, path, **kw)


async def create_article(gated: Gated, token: str, title: str) -> dict[str, Any]:
    """A draft news article on hoankiem, written through the gateway by `token`."""
    r = await gated.post(
        "/api/v1/articles",
        json={
            "tenant": "hoankiem",
            "category": "tin-tuc",
            "title": title,
            "summary": "Tóm tắt",
            "body_html": "<p>Nội dung của bài, đủ dài để đọc.</p>",
        },
        headers=bearer(token),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def submit_article(
    gated: Gated, token: str, article: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Send the article to its board; (the article now, the revision), once editorial
    has the review."""
    auth = bearer(token)
    r = await gated.post(
        f"/api/v1/articles/{article['id']}/submit",
        json={"version": article["version"]},
        headers=auth,
    )
    assert r.status_code == 200, r.text
    revision = r.json()["current_revision_id"]

    async def queued() -> bool:
        return (await gated.get(f"/api/v1/reviews/{revision}", headers=auth)).status_code == 200

    await eventually(queued, timeout=30)
    return r.json(), revision


async def _sites_known(gateway: httpx.AsyncClient) -> bool:
    r = await gateway.get("/", headers={"Host": "hoankiem.localhost"})
    return r.status_code == 200


@pytest.fixture(scope="module")
async def gated(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gated]:
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("gated"), kafka) as settings,
            gated_platform(settings) as platform,
        ):
            yield platform


@asynccontextmanager
async def syndication_gated(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gated]:
    """The gated platform with syndication behind the gateway too, once syndication knows
    every seeded site and its category tree (its rules read both)."""
    sock = bound_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("gated"), kafka) as settings,
            gated_platform(settings, syndication_url=url) as platform,
            running(build_syndication, platform.settings, sock=sock) as (service, client),
        ):
            platform.services["syndication"] = service
            platform.direct["syndication"] = client

            async def known() -> bool:
                async with service.db.read() as session:
                    counts = [
                        await session.scalar(select(func.count()).select_from(table))
                        for table in (syndication_store.sites, syndication_store.trees)
                    ]
                return all((n or 0) >= 151 for n in counts)

            await eventually(known, timeout=60)
            yield platform
