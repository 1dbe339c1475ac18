"""Tenant isolation: every API endpoint of every service, called with every role
of another site, on objects of Hoàn Kiếm, is refused.

The walk is driven by the apps' own route tables: a new endpoint that is neither
walked here nor listed as public by design makes the test fail, so nobody adds a
route without deciding who may call it.
"""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pytest
from conftest import BOARD, EDITOR, InProcessPlatform, bearer, eventually, settings_for, token_for
from PIL import Image

from runtime.embedded import EmbeddedKafka

OUTSIDERS = {
    role: token_for(f"{role}.badinh", {"badinh": role})
    for role in ("collaborator", "editor", "board_member", "board_head", "tenant_admin")
}
HOST = "hoankiem"
#: Open to anyone by design (citizens' pages, public lists, login, health).
PUBLIC = {
    ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
    ("GET", "/api/v1/categories"),
    ("GET", "/media/{tenant:str}/{media_id:uuid}/{name:str}"),
    ("GET", "/api/v1/reviews/grounds"),
    ("GET", "/api/v1/tenants"), ("GET", "/api/v1/tenants/{slug:str}"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/totp/enrol"), ("POST", "/api/v1/auth/totp/confirm"),
    ("GET", "/"), ("GET", "/{category:str}/{slug:str}"), ("GET", "/static/portal.css"),
    ("GET", "/{category:str}"), ("GET", "/english"), ("GET", "/dan-toc"), ("GET", "/van-ban"),
    ("GET", "/tim-kiem"), ("GET", "/da-luu"), ("GET", "/rss.xml"), ("GET", "/rss/{name:str}"),
    ("GET", "/sitemap.xml"), ("GET", "/sitemap/{name:str}"), ("GET", "/sitemap-index.xml"),
    ("GET", "/robots.txt"),
    ("GET", "/atom.xml"), ("GET", "/atom/{name:str}"), ("GET", "/trang-thanh-phan"),
    ("GET", "/static/site.js"),
}  # fmt: skip
#: Not about any one site: the caller's own identity, or operators only.
NOT_TENANT_SCOPED = {
    ("GET", "/api/v1/auth/me"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password"),
    ("PUT", "/api/v1/tenants/{slug:str}"),
}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 60)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
async def world(tmp_path_factory):
    """Hoàn Kiếm's objects: a live article, a pending revision, an upload."""
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("isolation"), kafka) as settings,
            InProcessPlatform(settings) as p,
        ):
            live = await p.draft_and_submit("Bài của Hoàn Kiếm")
            r = await p.editorial_http.post(
                f"/api/v1/reviews/{live['current_revision_id']}/approve", json={},
                headers=bearer(BOARD),
            )  # fmt: skip
            assert r.status_code == 200

            async def published():
                r = await p.content_http.get(f"/api/v1/articles/{live['id']}",
                                             headers=bearer(EDITOR))  # fmt: skip
                return r.json() if r.json()["state"] == "published" else None

            live = await eventually(published)
            pending = await p.draft_and_submit("Bài chờ duyệt của Hoàn Kiếm")
            media = await p.content_http.post(
                "/api/v1/media", data={"tenant": HOST, "alt": "Ảnh hồ Gươm"},
                files={"file": ("a.png", png(), "image/png")}, headers=bearer(EDITOR),
            )  # fmt: skip
            assert media.status_code == 201, media.text
            ids = {
                "article_id": live["id"],
                "revision_id": pending["current_revision_id"],
                "media_id": media.json()["id"],
                "tenant": HOST,
                "slug": "tin-tuc",
                "username": "bientap.hoankiem",
                "name": "w64.webp",
                "category": "tin-tuc",
            }
            yield p, ids, live


def _routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}):
            found.append((method, route.path))
    return found


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+):\w+\}", lambda m: ids.get(m.group(1), "x"), path)


def _body(method: str, path: str, live: dict[str, Any]) -> dict[str, Any]:
    """A body the endpoint would accept from a rightful caller."""
    version = {"version": live["version"]}
    bodies = {
        "/api/v1/articles": {"tenant": HOST, "category": "tin-tuc", "title": "Lấn sân"},
        "/api/v1/articles/{article_id:uuid}": {**version, "category": "tin-tuc", "title": "Sửa"},
        "/api/v1/articles/{article_id:uuid}/submit": version,
        "/api/v1/articles/{article_id:uuid}/force-publish": {**version,
                                                             "reason": "Khẩn cấp, đăng ngay."},
        "/api/v1/articles/{article_id:uuid}/withdraw": {**version, "reason": "Gỡ bài."},
        "/api/v1/articles/{article_id:uuid}/cancel-schedule": version,
        "/api/v1/categories": {"tenant": HOST, "name": "Chuyên mục lạ"},
        "/api/v1/categories/{tenant:str}/{slug:str}": {"name": "Đổi tên"},
        "/api/v1/reviews/{revision_id:uuid}/approve": {},
        "/api/v1/reviews/{revision_id:uuid}/reject": {"ground": "untrue", "note": "Sai sự thật."},
        "/api/v1/reviews/{revision_id:uuid}/post-review": {"note": "Đã hậu kiểm."},
        "/api/v1/imports/articles": {"tenant": HOST, "items": [
            {"line": 1, "title": "Nhập lấn sân", "category": "tin-tuc",
             "published_at": "2020-01-01T00:00:00+07:00"}]},
        "/api/v1/imports/articles/known": {"tenant": HOST, "legacy_ids": ["a"]},
        "/api/v1/preview": {"tenant": HOST, "title": "Xem trộm"},
        "/api/v1/users": {"username": "xam.nhap", "display_name": "Xâm nhập",
                          "password": "Mat-khau-rat-dai-2026!", "tenant": HOST,
                          "role": "editor"},
        "/api/v1/users/{username:str}/roles/{tenant:str}": {"role": "tenant_admin"},
        "/api/v1/users/{username:str}/password": {"password": "Mat-khau-moi-rat-dai-2026!"},
    }  # fmt: skip
    return bodies.get(path, {})


QUERIES = {
    "/api/v1/articles": {"tenant": HOST},
    "/api/v1/reviews": {"tenant": HOST},
    "/api/v1/royalties": {"tenant": HOST, "year": "2026", "half": "2"},
    "/api/v1/users": {"tenant": HOST},
    "/api/v1/audit": {"tenant": HOST},
}


async def test_every_endpoint_refuses_every_role_of_another_site(world) -> None:
    p, ids, live = world
    walked = 0
    for service in ("admin", "content", "editorial", "renderer"):
        app = getattr(p, f"{service}_http")
        litestar_app = _app_of(p, service)
        for method, path in _routes(litestar_app):
            if (method, path) in PUBLIC or (method, path) in NOT_TENANT_SCOPED:
                continue
            if path.startswith(("/admin", "/schema")):
                continue  # the UI walks below; the OpenAPI schema is not served
            url = _fill(path, ids)
            for role, token in OUTSIDERS.items():
                kwargs: dict[str, Any] = {"headers": bearer(token), "params": QUERIES.get(path)}
                if path == "/api/v1/media" and method == "POST":
                    kwargs |= {"data": {"tenant": HOST, "alt": "Ảnh lấn sân"},
                               "files": {"file": ("a.png", png(), "image/png")}}  # fmt: skip
                elif method in ("POST", "PUT", "PATCH"):
                    kwargs["json"] = _body(method, path, live)
                r = await app.request(method, url, **kwargs)
                assert r.status_code in (403, 404), (service, method, path, role, r.status_code,
                                                     r.text[:200])  # fmt: skip
                # A refusal tells nothing of what the site holds.
                assert "Bài của Hoàn Kiếm" not in r.text and "Ảnh hồ Gươm" not in r.text, path
            walked += 1
    assert walked >= 25
    # Nothing changed on Hoàn Kiếm's side.
    r = await p.content_http.get(f"/api/v1/articles/{live['id']}", headers=bearer(EDITOR))
    assert r.json()["version"] == live["version"] and r.json()["state"] == "published"


def _app_of(p: InProcessPlatform, service: str) -> Any:
    return getattr(p, service).app


async def test_every_route_is_classified(world) -> None:
    """A route added later must be walked above or declared public here."""
    p, _ids, _live = world
    for service in ("admin", "content", "editorial", "renderer"):
        for method, path in _routes(_app_of(p, service)):
            assert path.startswith(("/api/", "/admin", "/schema", "/media/")) or (
                (method, path) in PUBLIC
            ), (service, method, path)


async def test_outsider_token_cannot_list_a_site_by_id_guessing(world) -> None:
    p, _ids, _live = world
    r = await p.content_http.get(f"/api/v1/articles/{uuid.uuid4()}",
                                 headers=bearer(OUTSIDERS["tenant_admin"]))  # fmt: skip
    assert r.status_code == 404
