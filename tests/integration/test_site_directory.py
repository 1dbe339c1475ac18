"""The city portal links to and brings together its component sites (Quy chế 004
Điều 16.1): the directory of every active site, and the home page's news from the
component sites. Every service in this process on a real broker and database, read
through the gateway, whose page cache must drop these pages when a component site
publishes or changes."""

from __future__ import annotations

import csv
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from conftest import InProcessPlatform, bearer, eventually, running, settings_for, token_for
from sqlalchemy import select

from contracts import (
    ArticlePublished,
    ArticleSyndicated,
    SyndicatedCopy,
    TenantUpserted,
    envelope_for,
)
from contracts import topics as t
from gateway.__main__ import build as build_gateway
from runtime.embedded import EmbeddedKafka
from runtime.text import fold
from services.admin.domain import SEED_TENANTS
from services.renderer import store

CITY = "hanoi.localhost"
#: Links between sites follow the platform's site URL template (as in `make run`).
TEMPLATE = "http://{slug}.localhost:8000"
WARD_EDITOR = token_for("bientap.hoankiem", {"hoankiem": "editor"})
WARD_HEAD = token_for("truongban.hoankiem", {"hoankiem": "board_head"})
CITY_EDITOR = token_for("bientap.hanoi", {"hanoi": "editor"})
CITY_HEAD = token_for("truongban.hanoi", {"hanoi": "board_head"})
GROUPS = [("Sở, ban, ngành", "department"), ("Phường", "ward"), ("Xã", "commune"),
          ("Chuyên trang", "special")]  # fmt: skip


class World:
    def __init__(self, platform: InProcessPlatform, gateway: httpx.AsyncClient) -> None:
        self.p = platform
        self.gateway = gateway

    async def get(self, path: str, host: str = CITY) -> httpx.Response:
        return await self.gateway.get(path, headers={"Host": host})


@pytest.fixture(scope="module")
async def world(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with settings_for(tmp_path_factory.mktemp("directory"), kafka) as base:
            settings = base.with_overrides(site_url_template=TEMPLATE)
            async with InProcessPlatform(settings) as p:
                urls = {
                    f"{name}_url": str(getattr(p, f"{name}_http").base_url).rstrip("/")
                    for name in ("admin", "content", "editorial", "renderer")
                }
                gateway_settings = settings.with_overrides(**urls)
                async with running(build_gateway, gateway_settings) as (_svc, http):
                    w = World(p, http)
                    await eventually(lambda: _ready(w), timeout=60)
                    yield w


async def _ready(w: World) -> bool:
    """Every seeded site is known to renderer, and the gateway serves the city."""
    async with w.p.renderer.db.read() as session:
        known = len((await session.execute(select(store.sites.c.slug))).all())
    return known >= len(seeded()) and (await w.get("/tin-tuc")).status_code == 200


def seeded() -> list[dict[str, str]]:
    with SEED_TENANTS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


async def cached(w: World, path: str, host: str = CITY) -> None:
    """Until the gateway serves `path` from its cache (a purge still on its way rightly
    keeps a page fetched across it out of the cache: one more fetch may be needed)."""

    async def hit() -> bool:
        return (await w.get(path, host)).headers.get("x-cache") == "HIT"

    await eventually(hit, timeout=30)


async def publish(w: World, tenant: str, editor: str, head: str, **fields: Any) -> dict[str, Any]:
    """Draft, then publish at once (board head); the article as content has it."""
    body = {"tenant": tenant, "category": "tin-tuc", "title": f"Bài {uuid.uuid4().hex[:8]}",
            "summary": "Tóm tắt.", "body_html": "<p>Nội dung.</p>", **fields}  # fmt: skip
    r = await w.p.content_http.post("/api/v1/articles", json=body, headers=bearer(editor))
    assert r.status_code == 201, r.text
    article = r.json()
    r = await w.p.content_http.post(
        f"/api/v1/articles/{article['id']}/force-publish",
        json={"version": article["version"], "reason": "Đăng ngay để kiểm thử."},
        headers=bearer(head),
    )
    assert r.status_code == 200, r.text

    async def live() -> dict[str, Any] | None:
        r = await w.p.content_http.get(f"/api/v1/articles/{article['id']}", headers=bearer(editor))
        a = r.json()
        return a if a["state"] in ("published", "updated") and a.get("path") else None

    return await eventually(live, timeout=30)


async def renderer_keys(w: World, path: str, host: str = CITY) -> set[str]:
    r = await w.p.renderer_http.get(path, headers={"Host": host})
    return set(r.headers["surrogate-key"].split())


def component_block(html: str) -> str:
    return html.split('id="tin-thanh-phan"', 1)[1].split("</section>", 1)[0]


async def pages_changed(w: World) -> list[dict[str, Any]]:
    async with w.p.renderer.db.read() as session:
        rows = await session.execute(
            select(store.outbox.c.payload)
            .where(store.outbox.c.topic == t.PAGES.name)
            .order_by(store.outbox.c.id)
        )
        return [json.loads(r.payload) for r in rows]


# --- the directory -----------------------------------------------------------------------


async def test_the_directory_lists_every_active_site_by_kind_with_its_link(world) -> None:
    r = await world.get("/trang-thanh-phan")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Các trang thành phần</h1>" in html
    assert '<link rel="canonical" href="https://hanoi.gov.vn/trang-thanh-phan">' in html
    headings = re.findall(r'<h2 id="nhom-([a-z]+)">([^<]+) <span class="count">\((\d+)\)', html)
    sites = seeded()
    expected = [
        (kind, label, str(sum(1 for s in sites if s["kind"] == kind))) for label, kind in GROUPS
    ]
    assert headings == expected
    # Each component site once, by name, at its public address; the city is not its own.
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    for s in sites:
        link = f'<a href="http://{s["slug"]}.localhost:8000">{s["name"]}</a>'
        assert main.count(link) == (0 if s["kind"] == "city" else 1), s["slug"]
    # Within a group, sites are in name order (diacritics folded, as readers look them up).
    wards = main.split('id="nhom-ward"', 1)[1].split("</section>", 1)[0]
    names = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', wards)
    assert names == sorted(names, key=lambda n: (fold(n), n)) and len(names) == int(expected[1][2])
    # The gateway keeps the surrogate keys to itself: renderer's answer carries them.
    assert {"site:hanoi", "components"} <= await renderer_keys(world, "/trang-thanh-phan")


async def test_the_directory_is_reached_from_the_city_s_pages_only(world) -> None:
    home = (await world.get("/")).text
    footer = home.split('<footer class="site-footer">', 1)[1]
    assert '<a href="/trang-thanh-phan">Các trang thành phần</a>' in footer
    assert '<a href="/trang-thanh-phan">Xem tất cả các trang thành phần</a>' in home
    english = (await world.get("/english")).text
    assert '<a href="/trang-thanh-phan" lang="vi">Các trang thành phần</a>' in english
    ward = await world.get("/", host="hoankiem.localhost")
    assert "/trang-thanh-phan" not in ward.text and 'id="tin-thanh-phan"' not in ward.text
    assert (await world.get("/trang-thanh-phan", host="hoankiem.localhost")).status_code == 404


async def test_a_site_renamed_or_closed_changes_the_cached_directory(world) -> None:
    w = world
    await cached(w, "/trang-thanh-phan")
    slug = "cuanam"
    t_ = (await w.p.admin_http.get(f"/api/v1/tenants/{slug}")).json()

    async def announce(sequence: int, **changes: Any) -> None:
        event = TenantUpserted(
            tenant=slug, kind=t_["kind"], name=changes.get("name", t_["name"]),
            domain=t_["domain"], languages=t_["languages"], parent=t_["parent"],
            owner=t_["owner"], active=changes.get("active", True), sequence=sequence,
        )  # fmt: skip
        env = envelope_for(event, source="/services/admin")
        await w.p.admin.send(
            t.TENANT.name, event.key(), event.model_dump_json().encode(), env.headers()
        )

    await announce(t_["sequence"] + 100, name="Phường Cửa Nam (mới)")

    async def renamed() -> bool:
        return "Phường Cửa Nam (mới)</a>" in (await w.get("/trang-thanh-phan")).text

    await eventually(renamed, timeout=30)
    # The city is told as itself, so that the gateway's purge covers the city's pages.
    told = [e for e in await pages_changed(w) if e["keys"] == ["components"]]
    assert told and all(e["tenant"] == "hanoi" for e in told)

    await cached(w, "/trang-thanh-phan")
    await announce(t_["sequence"] + 101, active=False)

    async def closed() -> bool:
        return f'href="http://{slug}.localhost:8000"' not in (await w.get("/trang-thanh-phan")).text

    await eventually(closed, timeout=30)
    await announce(t_["sequence"] + 102)  # open again, for the other tests
    await eventually(lambda: _listed(w, slug), timeout=30)


async def _listed(w: World, slug: str) -> bool:
    return f'href="http://{slug}.localhost:8000"' in (await w.get("/trang-thanh-phan")).text


# --- news from the component sites on the city's home page -------------------------------


async def test_the_city_home_shows_its_component_sites_latest_news(world) -> None:
    w = world
    await cached(w, "/")
    ward_news = await publish(w, "hoankiem", WARD_EDITOR, WARD_HEAD,
                              title="Phường Hoàn Kiếm khai trương phố đi bộ mới")  # fmt: skip
    link = f'<a href="http://hoankiem.localhost:8000{ward_news["path"]}">{ward_news["title"]}</a>'

    async def on_city_home() -> str | None:
        html = (await w.get("/")).text
        return html if link in component_block(html) else None

    # The cached home page was dropped: the component's news shows at once.
    html = await eventually(on_city_home, timeout=30)
    block = component_block(html)
    assert '<a href="http://hoankiem.localhost:8000">Phường Hoàn Kiếm</a>' in block
    assert "components" in await renderer_keys(w, "/")
    assert any(
        e["tenant"] == "hanoi" and e["keys"] == ["components"]
        and e["reason"] == "component news published"
        for e in await pages_changed(w)
    )  # fmt: skip

    # Not the city's own news (it is in the city's own lists), not other kinds.
    city_news = await publish(w, "hanoi", CITY_EDITOR, CITY_HEAD,
                              title="Thành phố họp báo thường kỳ tháng mười hai")  # fmt: skip
    notice = await publish(
        w, "hoankiem", WARD_EDITOR, WARD_HEAD,
        category="thong-bao", kind="announcement", title="Thông báo lịch tiếp dân của phường",
    )  # fmt: skip
    # A copy of the city's article on a ward is the city's news, not the ward's.
    copy_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    origin = ArticlePublished(
        tenant="hanoi", article_id=str(uuid.uuid4()), revision_id=str(uuid.uuid4()), sequence=1,
        category="tin-tuc", category_name="Tin tức", slug="ban-sao", path="/tin-tuc/ban-sao",
        title="Bản sao bài của Thành phố trên phường", summary="", body_html="<p>x</p>",
        author="", approved_by="bbt.hanoi", published_at=now, updated_at=now,
    )  # fmt: skip
    copy = SyndicatedCopy(copy_id=copy_id, tenant="badinh", path="/tin-tuc/ban-sao-1",
                          category="tin-tuc", category_name="Tin tức", status="live",
                          sequence=1)  # fmt: skip
    event = ArticleSyndicated(tenant="hanoi", article_id=origin.article_id,
                              origin_url="http://hanoi.localhost:8000/tin-tuc/ban-sao",
                              origin_name="Cổng Thông tin điện tử thành phố Hà Nội",
                              article=origin, copies=[copy])  # fmt: skip
    env = envelope_for(event, source="/services/syndication")
    await w.p.renderer.send(
        t.SYNDICATION.name, event.key(), event.model_dump_json().encode(), env.headers()
    )

    async def all_in() -> bool:
        city = (await w.get("/")).text
        ward = await w.get(notice["path"], host="hoankiem.localhost")
        copied = await w.get(copy.path, host="badinh.localhost")
        return city_news["title"] in city and ward.status_code == copied.status_code == 200

    await eventually(all_in, timeout=30)
    block = component_block((await w.get("/")).text)
    assert ward_news["title"] in block
    for title in (city_news["title"], notice["title"], origin.title):
        assert title not in block, title


async def test_a_withdrawn_component_article_leaves_the_city_home(world) -> None:
    w = world
    article = await publish(w, "hoankiem", WARD_EDITOR, WARD_HEAD,
                            title="Tin phường sẽ được gỡ khỏi trang")  # fmt: skip

    async def shown() -> bool:
        return article["title"] in component_block((await w.get("/")).text)

    await eventually(shown, timeout=30)
    await cached(w, "/")
    r = await w.p.content_http.post(
        f"/api/v1/articles/{article['id']}/withdraw",
        json={"version": article["version"], "reason": "Gỡ để kiểm thử.", "kind": "gone"},
        headers=bearer(WARD_HEAD),
    )
    assert r.status_code == 200, r.text

    async def gone() -> bool:
        return article["title"] not in component_block((await w.get("/")).text)

    await eventually(gone, timeout=30)
