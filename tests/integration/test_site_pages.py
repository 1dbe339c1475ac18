"""The citizens' pages end to end: admin, content, editorial and renderer in-process on a
real embedded broker. Articles of every kind are published through content's API; the
renderer builds its read model from the events alone, and every page type, feed and
sitemap is read back as a citizen, a feed reader, a crawler and the gateway's cache
would read it."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import (
    BOARD,
    EDITOR,
    InProcessPlatform,
    bearer,
    eventually,
    settings_for,
    token_for,
)
from lxml import etree
from PIL import Image
from sqlalchemy import select

from contracts import ArticlePublished, TenantUpserted, envelope_for, topics
from contracts.events import SiteProfile
from runtime.embedded import EmbeddedKafka
from services.renderer import feeds, store

HEAD = token_for("truongban.hoankiem", {"hoankiem": "board_head"})
ADMIN = token_for("quantri.hoankiem", {"hoankiem": "tenant_admin"})
HOST = "hoankiem.localhost"
BASE = "https://hoankiem.hanoi.gov.vn"
SITEMAP_XSD = Path(__file__).parent.parent / "data" / "sitemap.xsd"
SITEINDEX_XSD = Path(__file__).parent.parent / "data" / "siteindex.xsd"
NEWS_COUNT = 21
PROFILE = SiteProfile(
    governing_body="Ủy ban nhân dân phường Hoàn Kiếm",
    responsible_person="Nguyễn Văn Trách Nhiệm",
    licence="Giấy phép số 12/GP-TTĐT ngày 02/01/2026",
    address="126 Hàng Trống, Hoàn Kiếm, Hà Nội",
    phone="(024) 3825 3536",
    email="hoankiem@hanoi.gov.vn",
    name_en="Hoan Kiem Ward",
    emc_site_id="emc-7788",
    trust_badge_id="TNM-2026-0042",
)


# --- the platform and what is published on it --------------------------------------------


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("site-pages"), kafka) as settings,
            InProcessPlatform(settings) as p,
        ):
            yield p


def png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


async def upload_image(p, alt: str) -> dict[str, Any]:
    r = await p.content_http.post(
        "/api/v1/media",
        data={"tenant": "hoankiem", "alt": alt},
        files={"file": ("anh.png", png(), "application/octet-stream")},
        headers=bearer(EDITOR),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def publish(p, **fields: Any) -> dict[str, Any]:
    """Draft, then publish at once (board head); the article as content has it."""
    body = {
        "tenant": "hoankiem",
        "category": "tin-tuc",
        "title": f"Bài {uuid.uuid4().hex[:8]}",
        "summary": "Tóm tắt của bài.",
        "body_html": "<p>Nội dung của bài.</p>",
        **fields,
    }
    r = await p.content_http.post("/api/v1/articles", json=body, headers=bearer(EDITOR))
    assert r.status_code == 201, r.text
    return await force_publish(p, r.json())


async def force_publish(p, article: dict[str, Any]) -> dict[str, Any]:
    r = await p.content_http.post(
        f"/api/v1/articles/{article['id']}/force-publish",
        json={"version": article["version"], "reason": "Đăng ngay để kiểm thử trang công dân."},
        headers=bearer(HEAD),
    )
    assert r.status_code == 200, r.text

    async def live() -> dict[str, Any] | None:
        r = await p.content_http.get(f"/api/v1/articles/{article['id']}", headers=bearer(EDITOR))
        a = r.json()
        return a if a["state"] in ("published", "updated") and a.get("path") else None

    return await eventually(live)


async def page(p, path: str, host: str = HOST, **kwargs: Any):
    return await p.renderer_http.get(path, headers={"Host": host}, **kwargs)


async def on_site(p, path: str, text: str | None = None, host: str = HOST):
    async def shown():
        r = await page(p, path, host)
        return r if r.status_code == 200 and (text is None or text in r.text) else None

    return await eventually(shown, timeout=30)


async def announce_tenant(p, *, sequence_bump: int, **changes: Any) -> None:
    """admin's TenantUpserted for hoankiem with a profile (admin's API has no profile yet),
    sent on admin's own topic with a sequence above admin's."""
    t = (await p.admin_http.get("/api/v1/tenants/hoankiem")).json()
    event = TenantUpserted(
        tenant="hoankiem",
        kind=t["kind"],
        name=t["name"],
        domain=t["domain"],
        languages=changes.get("languages", t["languages"]),
        parent=t["parent"],
        owner=t["owner"],
        active=True,
        sequence=t["sequence"] + sequence_bump,
        profile=changes.get("profile", PROFILE),
    )
    envelope = envelope_for(event, source="/services/admin")
    await p.admin.send(
        topics.TENANT.name, event.key(), event.model_dump_json().encode(), envelope.headers()
    )


async def pages_changed(p) -> list[dict[str, Any]]:
    """Every PagesChanged renderer wrote to its outbox, oldest first."""
    async with p.renderer.db.read() as session:
        rows = await session.execute(
            select(store.outbox.c.payload, store.outbox.c.published_at)
            .where(store.outbox.c.topic == topics.PAGES.name)
            .order_by(store.outbox.c.id)
        )
        return [{**json.loads(r.payload), "_sent": r.published_at is not None} for r in rows]


@pytest.fixture(scope="module")
async def site(platform) -> dict[str, Any]:
    p = platform
    await announce_tenant(p, sequence_bump=100, languages=["vi", "en", "mtq"])
    await on_site(p, "/", PROFILE.trust_badge_id)
    photo = await upload_image(p, "Quang cảnh phố cổ Hà Nội")
    chart = await upload_image(p, "Biểu đồ dân số phường năm 2026")
    a: dict[str, Any] = {"news": []}
    for n in range(NEWS_COUNT):
        newest = n == NEWS_COUNT - 1
        images = [{"media_id": photo["id"], "alt": "Quang cảnh phố cổ Hà Nội"}] if newest else []
        a["news"].append(await publish(p, title=f"Tin phường số {n:02d}", images=images))
    a["direction"] = await publish(
        p, category="chi-dao-dieu-hanh", kind="direction", title="Chỉ đạo phòng cháy mùa khô"
    )
    a["announcement"] = await publish(
        p, category="thong-bao", kind="announcement", title="Thông báo lịch tiếp công dân"
    )
    docs = [
        ("12/QĐ-UBND", "Quyết định", "UBND phường Hoàn Kiếm", "2026-03-02", "in_force", "Đất đai"),
        ("3/CT-UBND", "Chỉ thị", "UBND phường Hoàn Kiếm", "2025-05-20", "expired", "Trật tự"),
        ("45/KH-UBND", "Kế hoạch", "UBND thành phố Hà Nội", "2026-01-10", "in_force", "Đất đai"),
    ]
    a["documents"] = [
        await publish(
            p,
            category="van-ban",
            kind="document",
            title=f"{doc_type} số {number}",
            details={
                "number": number,
                "doc_type": doc_type,
                "issuer": issuer,
                "signer": "Lê A",
                "issued_on": issued,
                "validity": validity,
                "field": field,
            },
        )
        for number, doc_type, issuer, issued, validity, field in docs
    ]
    a["video"] = await publish(
        p,
        category="video",
        kind="video",
        title="Video toàn cảnh hồ Hoàn Kiếm",
        details={
            "source_url": f"{BASE}/media/hoankiem/{uuid.uuid4()}/clip.mp4",
            "duration_seconds": 185,
            "transcript": "Lời dẫn: hồ Hoàn Kiếm buổi sáng.\nTiếng chuông đền Ngọc Sơn.",
        },
    )
    a["audio"] = await publish(
        p,
        category="am-thanh",
        kind="audio",
        title="Bản tin phát thanh phường",
        details={"source_url": "https://radio.example.org/ban-tin.mp3", "transcript": "Bản tin."},
    )
    a["gallery"] = await publish(
        p,
        category="thu-vien-anh",
        kind="gallery",
        title="Ảnh phố cổ mùa thu",
        details={"photos": [{"media_id": photo["id"], "alt": "Phố Hàng Gai mùa thu"}]},
    )
    a["infographic"] = await publish(
        p,
        category="infographic",
        kind="infographic",
        title="Infographic dân số phường",
        details={
            "image": {"media_id": chart["id"], "alt": "Biểu đồ dân số phường năm 2026"},
            "long_description": "Dân số phường năm 2026 là 10.000 người.",
        },
    )
    a["contacts"] = await publish(
        p,
        category="thong-tin-lien-he",
        kind="page",
        title="Liên hệ Ủy ban nhân dân phường",
        details={"page_kind": "contacts", "contacts": [
            {"unit": "Văn phòng UBND phường", "address": "126 Hàng Trống",
             "phone": "024 3825 3536", "email": "vanphong@hoankiem.hanoi.gov.vn"}]},
    )  # fmt: skip
    a["original"] = await publish(
        p, category="pho-bien-phap-luat", title="Lễ hội mùa thu Hoàn Kiếm"
    )
    a["english"] = await publish(
        p,
        category="pho-bien-phap-luat",
        title="Hoan Kiem autumn festival",
        summary="The festival opens on Sunday.",
        language="en",
        translation_of=a["original"]["id"],
    )
    a["muong"] = await publish(
        p,
        category="pho-bien-phap-luat",
        title="Hội mùa thu Hoàn Kiếm (tiếng Mường)",
        language="mtq",
        translation_of=a["original"]["id"],
    )
    every = [*a["news"], *a["documents"]] + [
        a[k] for k in ("direction", "announcement", "video", "audio", "gallery", "infographic",
                       "contacts", "original", "english", "muong")
    ]  # fmt: skip
    for article in every:
        await on_site(p, article["path"])
    return a


def titles(html: str) -> list[str]:
    return re.findall(r'class="item-title"><a href="[^"]+"[^>]*>([^<]+)</a>', html)


def surrogate_keys(response) -> set[str]:
    return set(response.headers.get("surrogate-key", "").split())


def json_ld(html: str) -> list[dict[str, Any]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def og(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)">', html))


PUBLIC = "public, max-age=0, s-maxage=300"


# --- HTML rules every page must keep -------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self.h1 = 0
        self.html_lang = ""
        self.landmarks: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a:
            self.problems.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in a):
            self.problems.append(f"event handler attribute on <{tag}>")
        if tag == "style":
            self.problems.append("<style> block")
        if tag == "script" and a.get("type") != "application/ld+json":
            if not a.get("src"):
                self.problems.append("inline <script>")
            elif "defer" not in a:
                self.problems.append("render-blocking <script>")
        if tag == "html":
            self.html_lang = a.get("lang") or ""
        if tag == "h1":
            self.h1 += 1
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a.get("id") or "")
        if tag == "img":
            for needed in ("alt", "width", "height"):
                if not a.get(needed):
                    self.problems.append(f"<img> without {needed}")
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)
        if tag == "a" and (a.get("href") or "").startswith("javascript:"):
            self.problems.append("javascript: link")


def check_html(html: str, lang: str = "vi") -> None:
    parsed = _Page()
    parsed.feed(html)
    assert html.startswith("<!doctype html>")
    assert parsed.problems == [], parsed.problems
    assert parsed.h1 == 1, f"{parsed.h1} <h1>"
    assert len(parsed.ids) == len(set(parsed.ids)), "duplicate ids"
    unlabelled = [c for c in parsed.controls if not c or c not in parsed.labels]
    assert unlabelled == [], f"form controls without a label: {unlabelled}"
    assert parsed.html_lang == lang
    assert {"header", "nav", "main", "footer"} <= parsed.landmarks
    assert 'class="skip" href="#noi-dung"' in html
    assert '<meta name="description" content="' in html
    assert re.search(r'<link rel="canonical" href="https://[a-z0-9.-]+/', html)


# --- layout ----------------------------------------------------------------------------------


async def test_home_has_its_sections_the_legal_footer_and_metadata(platform, site) -> None:
    r = await page(platform, "/")
    assert r.status_code == 200
    html = r.text
    check_html(html)
    # Legally required facts (NĐ 42/2022), the EMC slot and the trust badge.
    for label, value in [
        ("Cơ quan chủ quản", PROFILE.governing_body),
        ("Người chịu trách nhiệm chính", PROFILE.responsible_person),
        ("Giấy phép", PROFILE.licence),
        ("Địa chỉ", PROFILE.address),
        ("Điện thoại", PROFILE.phone),
        ("Thư điện tử", PROFILE.email),
    ]:
        assert f"<dt>{label}</dt>" in html and value in html, label
    assert f'data-emc-site-id="{PROFILE.emc_site_id}"' in html
    assert re.search(
        rf'<a [^>]*href="https://tinnhiemmang.vn/"[^>]*>[^<]*{PROFILE.trust_badge_id}', html
    )
    # Sections, with what each holds.
    for heading in ("Tin nổi bật", "Tin mới", "Chỉ đạo điều hành", "Thông báo", "Đa phương tiện",
                    "Văn bản mới"):  # fmt: skip
        assert f">{heading}</h2>" in html, heading
    assert "Chỉ đạo phòng cháy mùa khô" in html and "Thông báo lịch tiếp công dân" in html
    assert "Video toàn cảnh hồ Hoàn Kiếm" in html and "Ảnh phố cổ mùa thu" in html
    assert 'href="https://dichvucong.gov.vn/"' in html and 'href="/hoi-dap"' in html
    # Language switch, search box.
    assert 'href="/english" lang="en" hreflang="en"' in html and 'href="/dan-toc"' in html
    assert '<form class="search" role="search"' in html and 'action="/tim-kiem"' in html
    # Metadata.
    assert f'<link rel="canonical" href="{BASE}/">' in html
    tags = og(html)
    assert tags["og:url"] == f"{BASE}/" and tags["og:locale"] == "vi_VN"
    assert tags["og:type"] == "website" and tags["og:title"]
    assert tags["og:image"].startswith(f"{BASE}/media/hoankiem/")
    organisation = next(d for d in json_ld(html) if d["@type"] == "GovernmentOrganization")
    assert organisation["name"] == "Phường Hoàn Kiếm"
    assert organisation["telephone"] == PROFILE.phone
    # Cache contract: the site, the list, and each article shown.
    assert r.headers["cache-control"] == PUBLIC
    keys = surrogate_keys(r)
    assert {"site:hoankiem", "list:hoankiem"} <= keys
    assert f"article:{site['direction']['id']}" in keys
    assert f"article:{site['news'][-1]['id']}" in keys


async def test_menu_follows_the_category_tree(platform, site) -> None:
    p = platform
    html = (await page(p, "/")).text
    menu = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    # Top level and children, nested lists inside a disclosure that needs no script.
    assert "<details" in menu and "<summary>Chuyên mục</summary>" in menu
    assert re.search(
        r'<a href="/gioi-thieu">Giới thiệu</a>\s*<ul>\s*<li><a href="/gioi-thieu-chung">', menu
    )
    assert '<a href="/thu-vien-anh">Thư viện ảnh</a>' in menu
    before = len(await pages_changed(p))
    r = await p.content_http.patch(
        "/api/v1/categories/hoankiem/thong-bao", json={"name": "Thông báo của phường"},
        headers=bearer(ADMIN),
    )  # fmt: skip
    assert r.status_code == 200, r.text
    renamed = await on_site(p, "/tin-tuc", '<a href="/thong-bao">Thông báo của phường</a>')
    assert "Thông báo của phường" in (await page(p, "/thong-bao")).text
    check_html(renamed.text)

    async def emitted():
        new = (await pages_changed(p))[before:]
        return [e for e in new if e["reason"] == "category tree updated"]

    (event,) = await eventually(emitted)
    assert event["keys"] == ["site:hoankiem"] and event["tenant"] == "hoankiem"


# --- lists -----------------------------------------------------------------------------------


async def test_category_pages_are_paged_twenty_at_a_time(platform, site) -> None:
    p = platform
    first = await page(p, "/tin-tuc")
    assert first.status_code == 200
    check_html(first.text)
    assert "<h1>Tin tức</h1>" in first.text
    listed = titles(first.text)
    assert len(listed) == 20
    assert listed[0] == f"Tin phường số {NEWS_COUNT - 1:02d}"  # newest first
    assert '<link rel="next" href="/tin-tuc?trang=2">' in first.text
    assert 'rel="prev"' not in first.text
    second = await page(p, "/tin-tuc?trang=2")
    assert second.status_code == 200
    assert '<link rel="prev" href="/tin-tuc">' in second.text
    assert f'<link rel="canonical" href="{BASE}/tin-tuc?trang=2">' in second.text
    rest = titles(second.text)
    assert rest and not set(rest) & set(listed)
    news_titles = {a["title"] for a in site["news"]}
    assert news_titles <= set(listed) | set(rest)
    pages = 2 if len(listed) + len(rest) <= 40 else 3
    assert (await page(p, f"/tin-tuc?trang={pages + 1}")).status_code == 404
    for number in ("0", "007", "99999999"):  # numbers, but no list has such a page
        assert (await page(p, f"/tin-tuc?trang={number}")).status_code == 404, number
    for bad in ("-1", "abc", "1.5", "%00", "2%20"):
        r = await page(p, f"/tin-tuc?trang={bad}")
        assert r.status_code == 400, bad
        assert "Số trang không hợp lệ" in r.text or "ký tự không hợp lệ" in r.text
        assert r.headers["cache-control"] == "no-store"
    keys = surrogate_keys(first)
    assert "category:hoankiem:tin-tuc" in keys and "site:hoankiem" in keys
    assert f"article:{site['news'][-1]['id']}" in keys and "list:hoankiem" not in keys
    # A parent category lists its children's articles and carries their keys.
    parent = await page(p, "/da-phuong-tien")
    assert "Video toàn cảnh hồ Hoàn Kiếm" in parent.text and "Ảnh phố cổ mùa thu" in parent.text
    assert {"category:hoankiem:da-phuong-tien", "category:hoankiem:video"} <= surrogate_keys(parent)
    # Unknown category: the site's 404, which may become a page later.
    missing = await page(p, "/khong-co-chuyen-muc")
    assert missing.status_code == 404 and "Không tìm thấy trang" in missing.text
    assert surrogate_keys(missing) == {"site:hoankiem", "list:hoankiem"}
    check_html(missing.text)


async def test_document_library_filters(platform, site) -> None:
    p = platform
    r = await page(p, "/van-ban")
    assert r.status_code == 200
    check_html(r.text)
    for name, label in [("loai", "Loại văn bản"), ("co-quan", "Cơ quan ban hành"),
                        ("nam", "Năm ban hành"), ("linh-vuc", "Lĩnh vực"),
                        ("hieu-luc", "Tình trạng hiệu lực")]:  # fmt: skip
        assert f'<label for="loc-{name}">{label}</label>' in r.text
        assert f'<select id="loc-{name}" name="{name}">' in r.text
    assert set(titles(r.text)) == {d["title"] for d in site["documents"]}
    assert {"site:hoankiem", "list:hoankiem"} <= surrogate_keys(r)
    cases = [
        ("loai=Quy%E1%BA%BFt+%C4%91%E1%BB%8Bnh", {"Quyết định số 12/QĐ-UBND"}),
        ("co-quan=UBND+th%C3%A0nh+ph%E1%BB%91+H%C3%A0+N%E1%BB%99i", {"Kế hoạch số 45/KH-UBND"}),
        ("nam=2025", {"Chỉ thị số 3/CT-UBND"}),
        ("linh-vuc=%C4%90%E1%BA%A5t+%C4%91ai", {"Quyết định số 12/QĐ-UBND",
                                                 "Kế hoạch số 45/KH-UBND"}),
        ("hieu-luc=expired", {"Chỉ thị số 3/CT-UBND"}),
        ("nam=2026&hieu-luc=in_force&loai=K%E1%BA%BF+ho%E1%BA%A1ch", {"Kế hoạch số 45/KH-UBND"}),
        ("nam=2024", set()),
        ("loai=&co-quan=&nam=&linh-vuc=&hieu-luc=", {d["title"] for d in site["documents"]}),
    ]  # fmt: skip
    for query, expected in cases:
        r = await page(p, f"/van-ban?{query}")
        assert r.status_code == 200, query
        assert set(titles(r.text)) == expected, query
    chosen = await page(p, "/van-ban?nam=2025")
    assert '<option value="2025" selected>2025</option>' in chosen.text
    for bad in ("nam=abc", "nam=1800", "hieu-luc=bogus", "loai=" + "x" * 150, "trang=x"):
        r = await page(p, f"/van-ban?{bad}")
        assert r.status_code == 400, bad
    document = await page(p, site["documents"][0]["path"])
    legislation = next(d for d in json_ld(document.text) if d["@type"] == "Legislation")
    assert legislation["legislationIdentifier"] == "12/QĐ-UBND"
    assert legislation["legislationType"] == "Quyết định"
    assert legislation["legislationDate"] == "2026-03-02"
    assert legislation["legislationPassedBy"]["name"] == "UBND phường Hoàn Kiếm"
    assert legislation["legislationLegalForce"] == "https://schema.org/InForce"


async def test_english_and_ethnic_language_editions(platform, site) -> None:
    p = platform
    r = await page(p, "/english")
    assert r.status_code == 200
    check_html(r.text, lang="en")
    assert "<h1>Hoan Kiem Ward</h1>" in r.text
    assert titles(r.text) == ["Hoan Kiem autumn festival"]
    assert "Skip to main content" in r.text and "Governing body" in r.text
    assert og(r.text)["og:locale"] == "en_US"
    assert f"article:{site['english']['id']}" in surrogate_keys(r)
    english = await page(p, site["english"]["path"])
    check_html(english.text, lang="en")
    assert f'hreflang="vi" href="{site["original"]["path"]}"' in english.text
    assert {f"article:{site['english']['id']}", f"article:{site['original']['id']}",
            f"article:{site['muong']['id']}"} <= surrogate_keys(english)  # fmt: skip
    ethnic = await page(p, "/dan-toc")
    assert ethnic.status_code == 200
    check_html(ethnic.text)
    assert titles(ethnic.text) == ["Hội mùa thu Hoàn Kiếm (tiếng Mường)"]
    assert 'lang="mtq"' in ethnic.text and "Tiếng Mường" in ethnic.text
    muong = await page(p, site["muong"]["path"])
    assert '<article class="article" lang="mtq">' in muong.text
    # Neither edition exists on a site without those languages.
    for path in ("/english", "/dan-toc"):
        r = await page(p, path, host="badinh.localhost")
        assert r.status_code == 404, path
        assert "Không tìm thấy trang" in r.text
    home = (await page(p, "/", host="badinh.localhost")).text
    assert 'href="/english"' not in home and 'href="/dan-toc"' not in home


# --- article pages ---------------------------------------------------------------------------


async def test_article_pages_of_every_kind(platform, site) -> None:
    p = platform
    newest = site["news"][-1]
    news = await page(p, newest["path"])
    html = news.text
    check_html(html)
    assert news.headers["cache-control"] == PUBLIC
    assert surrogate_keys(news) == {"site:hoankiem", f"article:{newest['id']}"}
    article = next(d for d in json_ld(html) if d["@type"] == "NewsArticle")
    assert article["headline"] == f"Tin phường số {NEWS_COUNT - 1:02d}"
    assert article["url"] == f"{BASE}{newest['path']}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", article["datePublished"])
    assert article["publisher"]["@type"] == "GovernmentOrganization"
    tags = og(html)
    assert tags["og:type"] == "article" and tags["og:url"] == article["url"]
    assert tags["og:image"].startswith(f"{BASE}/media/hoankiem/")
    assert (
        'href="https://www.facebook.com/sharer/sharer.php?u=https%3A//hoankiem.hanoi.gov.vn' in html
    )
    assert re.search(r'<script src="/static/site.js\?v=[0-9a-f]+" defer></script>', html)
    assert "data-share hidden" in html and "data-save hidden" in html
    # Dates in Hanoi time, Vietnamese order.
    published = datetime.fromisoformat(newest["first_published_at"]).astimezone(UTC)
    local = published.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f">{local:%d/%m/%Y %H:%M}</time>" in html
    assert '<nav class="breadcrumb wrap" aria-label="Đường dẫn">' in html
    assert '<a href="/tin-tuc">Tin tức</a>' in html

    video = (await page(p, site["video"]["path"])).text
    check_html(video)
    assert re.search(
        r'<video controls preload="metadata">\s*<source src="/media/hoankiem/[^"]+/clip.mp4">',
        video,
    )
    assert (
        "Tiếng chuông đền Ngọc Sơn." in video
        and '<time datetime="PT3M5S">3 phút 5 giây</time>' in video
    )
    audio = (await page(p, site["audio"]["path"])).text
    check_html(audio)
    assert "<audio" not in audio and 'href="https://radio.example.org/ban-tin.mp3"' in audio
    gallery = (await page(p, site["gallery"]["path"])).text
    check_html(gallery)
    assert 'alt="Phố Hàng Gai mùa thu"' in gallery
    infographic = (await page(p, site["infographic"]["path"])).text
    check_html(infographic)
    assert "Dân số phường năm 2026 là 10.000 người." in infographic
    contacts = await page(p, site["contacts"]["path"])
    check_html(contacts.text)
    assert 'href="tel:02438253536"' in contacts.text
    assert next(d for d in json_ld(contacts.text))["@type"] == "ContactPage"


async def test_json_ld_cannot_break_out_of_its_script(platform, site) -> None:
    hostile = await publish(
        platform, title="Tin </script><script>alert(1)</script> mới", summary="a & b <!-- c"
    )
    r = await on_site(platform, hostile["path"])
    assert "<script>alert(1)" not in r.text
    (data,) = json_ld(r.text)
    assert data["headline"] == "Tin </script><script>alert(1)</script> mới"
    check_html(r.text)


# --- feeds, sitemaps, robots -----------------------------------------------------------------


async def test_rss_feeds(platform, site) -> None:
    p = platform
    r = await page(p, "/rss.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    assert feed.feed.language == "vi"
    assert feed.feed.title == "Phường Hoàn Kiếm"
    assert any(link.rel == "self" and link.href == f"{BASE}/rss.xml" for link in feed.feed.links)
    assert 0 < len(feed.entries) <= 50
    for entry in feed.entries:
        assert entry.link.startswith(f"{BASE}/")
        assert entry.id == entry.link  # the guid is the permalink
        assert entry.published_parsed is not None
    assert "Hoan Kiem autumn festival" not in {e.title for e in feed.entries}  # Vietnamese only
    assert {"site:hoankiem", "list:hoankiem"} <= surrogate_keys(r)
    assert f"article:{site['news'][-1]['id']}" in surrogate_keys(r)
    assert '<guid isPermaLink="true">' in r.text
    category = await page(p, "/rss/tin-tuc.xml")
    feed = feedparser.parse(category.content)
    assert not feed.bozo and len(feed.entries) >= NEWS_COUNT
    assert {e.title for e in feed.entries} >= {a["title"] for a in site["news"]}
    assert "category:hoankiem:tin-tuc" in surrogate_keys(category)
    assert "list:hoankiem" not in surrogate_keys(category)
    for bad in ("/rss/khong-co.xml", "/rss/tin-tuc", "/rss/..%2Fx.xml"):
        assert (await page(p, bad)).status_code == 404, bad


async def test_sitemaps_are_valid_and_complete(platform, site) -> None:
    p = platform
    schema = etree.XMLSchema(etree.parse(str(SITEMAP_XSD)))
    r = await page(p, "/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    doc = etree.fromstring(r.content)
    assert schema.validate(doc), schema.error_log
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in doc.findall("s:url/s:loc", ns)]
    assert all(loc.startswith(f"{BASE}/") for loc in locs)
    assert f"{BASE}/" in locs and f"{BASE}/tin-tuc" in locs and f"{BASE}/english" in locs
    for article in [*site["news"], site["video"], site["english"]]:
        assert f"{BASE}{article['path']}" in locs
    assert len(locs) == len(set(locs)) <= 50_000
    for lastmod in doc.findall("s:url/s:lastmod", ns):
        datetime.fromisoformat(lastmod.text)
    assert surrogate_keys(r) == {"site:hoankiem", "list:hoankiem"}
    index = await page(p, "/sitemap-index.xml", host="hanoi.localhost")
    assert index.status_code == 200
    root = etree.fromstring(index.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    index_schema = etree.XMLSchema(etree.parse(str(SITEINDEX_XSD)))
    assert index_schema.validate(root), index_schema.error_log
    entries = {
        e.findtext("s:loc", namespaces=ns): e.findtext("s:lastmod", namespaces=ns)
        for e in root.findall("s:sitemap", ns)
    }
    assert len(entries) >= 150  # every active site of the seed
    assert entries["https://hoankiem.hanoi.gov.vn/sitemap.xml"]  # it has pages: a lastmod
    assert "https://hanoi.gov.vn/sitemap.xml" in entries
    assert surrogate_keys(index) == {"site:hanoi", "sitemaps"}
    assert (await page(p, "/sitemap-index.xml")).status_code == 404  # not the city


async def test_a_site_over_the_url_limit_gets_more_sitemap_files(
    platform, site, monkeypatch
) -> None:
    """sitemaps.org caps a file at 50,000 URLs; a lower cap shows the split on few pages."""
    p = platform
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    whole = etree.fromstring((await page(p, "/sitemap.xml")).content)
    every = [e.text for e in whole.findall("s:url/s:loc", ns)]
    # The home, the library, the editions and the categories: one path segment.
    fixed = [loc for loc in every if loc.removeprefix(BASE).count("/") == 1]
    articles = len(every) - len(fixed)
    per_file = len(fixed) + 4  # the first file holds 4 articles
    assert articles > 4  # so there is a second file
    monkeypatch.setattr(feeds, "SITEMAP_MAX_URLS", per_file)
    schema = etree.XMLSchema(etree.parse(str(SITEMAP_XSD)))
    files = 1 + -(-(articles - 4) // per_file)
    seen: list[str] = []
    for n in range(1, files + 1):
        r = await page(p, "/sitemap.xml" if n == 1 else f"/sitemap/{n}.xml")
        assert r.status_code == 200, n
        doc = etree.fromstring(r.content)
        assert schema.validate(doc), schema.error_log
        locs = [e.text for e in doc.findall("s:url/s:loc", ns)]
        assert 0 < len(locs) <= per_file
        seen += locs
        assert surrogate_keys(r) == {"site:hoankiem", "list:hoankiem"}
    # Every page once, none twice, none lost between files.
    assert sorted(seen) == sorted(every)
    for missing in (f"/sitemap/{files + 1}.xml", "/sitemap/1.xml", "/sitemap/0.xml",
                    "/sitemap/x.xml", "/sitemap/2", "/sitemap/%2e%2e.xml"):  # fmt: skip
        assert (await page(p, missing)).status_code == 404, missing
    robots = (await page(p, "/robots.txt")).text.splitlines()
    assert [line for line in robots if line.startswith("Sitemap:")] == [
        f"Sitemap: {BASE}/sitemap.xml",
        *[f"Sitemap: {BASE}/sitemap/{n}.xml" for n in range(2, files + 1)],
    ]
    index = etree.fromstring((await page(p, "/sitemap-index.xml", host="hanoi.localhost")).content)
    listed = [e.text for e in index.findall("s:sitemap/s:loc", ns)]
    assert [loc for loc in listed if loc.startswith(BASE)] == [
        f"{BASE}/sitemap.xml",
        *[f"{BASE}/sitemap/{n}.xml" for n in range(2, files + 1)],
    ]


async def test_robots_txt(platform, site) -> None:
    r = await page(platform, "/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in ("/admin", "/api", "/tim-kiem"):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    city = await page(platform, "/robots.txt", host="hanoi.localhost")
    assert "Sitemap: https://hanoi.gov.vn/sitemap-index.xml" in city.text.splitlines()
    assert surrogate_keys(r) == {"site:hoankiem", "list:hoankiem"}


# --- saved, errors -------------------------------------------------------------------


async def test_saved_articles_page_and_preview_are_never_cached(platform, site) -> None:
    saved = await page(platform, "/da-luu")
    assert saved.status_code == 200
    check_html(saved.text)
    assert saved.headers["cache-control"] == "no-store" and "surrogate-key" not in saved.headers
    assert "<noscript>" in saved.text and "bật JavaScript" in saved.text
    r = await platform.renderer_http.post(
        "/api/v1/preview",
        json={"tenant": "hoankiem", "title": "Bản nháp", "body_html": "<p>x</p>"},
        headers=bearer(EDITOR),
    )
    assert r.status_code == 200 and "Bản xem trước" in r.text
    assert r.headers["cache-control"] == "no-store" and "surrogate-key" not in r.headers
    check_html(r.text)


async def test_static_files_are_versioned(platform, site) -> None:
    html = (await page(platform, "/")).text
    for name in ("portal.css", "site.js"):
        url = re.search(rf"/static/{re.escape(name)}\?v=[0-9a-f]+", html).group(0)
        r = await page(platform, url)
        assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    js = (await page(platform, "/static/site.js")).text
    assert "navigator.share" in js and "localStorage" in js and "clipboard" in js
    css = (await page(platform, "/static/portal.css")).text
    assert "@media print" in css and ":focus-visible" in css


async def test_hostile_queries_and_paths_are_refused_with_4xx(platform, site) -> None:
    p = platform
    for path in [
        "/tin-tuc?trang=%00", "/van-ban?loai=%00", "/van-ban?loai=%FF%FE", "/tin-tuc?trang=%C3",
        "/van-ban?loai=%0A%0D", "/?x=" + "a" * 3000, "/tin-tuc?" + "&".join(["a=1"] * 50),
        "/tin-tuc?trang=1e3", "/tin-tuc?trang=%EF%BC%92",  # a full-width digit
        "/english?trang=-1",
    ]:  # fmt: skip
        r = await page(p, path)
        assert r.status_code == 400, path
        assert "không hợp lệ" in r.text or "quá dài" in r.text, path
    for path in ["/a/b/c", "/tin-tuc/" + "x" * 400, "/TIN-TUC", "/tin_tuc", "/%F0%9F%99%82",
                 "/tin-tuc/khong-co"]:  # fmt: skip
        r = await page(p, path)
        assert r.status_code in (400, 404), (path, r.status_code)
        assert "text/html" in r.headers["content-type"], path
    # Any path no route takes still gets the site's own page, in Vietnamese.
    deep = await page(p, "/a/b/c")
    assert deep.status_code == 404 and "Không tìm thấy trang" in deep.text
    assert surrogate_keys(deep) == {"site:hoankiem", "list:hoankiem"}


# --- the read model and the cache keys -------------------------------------------------------


async def test_publishing_moving_and_withdrawing_emit_pages_changed(platform, site) -> None:
    p = platform
    before = len(await pages_changed(p))
    moved = await publish(p, category="thong-bao", kind="announcement", title="Thông báo sẽ chuyển")
    live = await on_site(p, moved["path"])
    assert f"article:{moved['id']}" in surrogate_keys(live)

    async def events_since(reason: str, count: int = 1):
        new = [e for e in (await pages_changed(p))[before:] if e["reason"] == reason]
        return new if len(new) >= count and all(e["_sent"] for e in new) else None

    (published,) = await eventually(lambda: events_since("article published"))
    assert set(published["keys"]) == {
        f"article:{moved['id']}",
        "category:hoankiem:thong-bao",
        "list:hoankiem",
        "sitemaps",
    }
    # Moved to another category: both lists change, the old path answers 301.
    r = await p.content_http.patch(
        f"/api/v1/articles/{moved['id']}",
        json={"version": moved["version"], "category": "thong-ke", "title": moved["title"],
              "summary": "Tóm tắt của bài.", "body_html": "<p>Nội dung của bài.</p>",
              "kind": "announcement"},
        headers=bearer(EDITOR),
    )  # fmt: skip
    assert r.status_code == 200, r.text
    again = await force_publish(p, r.json())
    assert again["path"] != moved["path"]
    await on_site(p, again["path"])
    events = await eventually(lambda: events_since("article published", 2))
    assert {"category:hoankiem:thong-bao", "category:hoankiem:thong-ke"} <= set(events[1]["keys"])
    old = await page(p, moved["path"], follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == again["path"]
    assert surrogate_keys(old) == {"site:hoankiem", f"article:{moved['id']}"}
    # Withdrawn: 410 with the site's chrome, and the same keys again.
    r = await p.content_http.post(
        f"/api/v1/articles/{moved['id']}/withdraw",
        json={"version": again["version"], "reason": "Hết hạn thông báo.", "kind": "gone"},
        headers=bearer(BOARD),
    )
    assert r.status_code == 200, r.text

    async def gone():
        r = await page(p, again["path"])
        return r if r.status_code == 410 else None

    withdrawn_page = await eventually(gone)
    assert "Bài viết đã được gỡ" in withdrawn_page.text and "Về trang chủ" in withdrawn_page.text
    check_html(withdrawn_page.text)
    assert f"article:{moved['id']}" in surrogate_keys(withdrawn_page)
    (withdrawn,) = await eventually(lambda: events_since("article withdrawn"))
    assert set(withdrawn["keys"]) == {
        f"article:{moved['id']}",
        "category:hoankiem:thong-ke",
        "list:hoankiem",
        "sitemaps",
    }
    # A translation's publication also changes its original's page.
    english = [e for e in await pages_changed(p) if f"article:{site['english']['id']}" in e["keys"]]
    assert f"article:{site['original']['id']}" in english[0]["keys"]


async def test_tenant_changes_emit_site_keys_once(platform, site) -> None:
    p = platform
    before = len(await pages_changed(p))
    profile = PROFILE.model_copy(update={"phone": "(024) 3999 8888"})
    await announce_tenant(p, sequence_bump=200, languages=["vi", "en", "mtq"], profile=profile)
    await on_site(p, "/", "(024) 3999 8888")
    # The same state again (a replay): nothing changes, nothing is emitted.
    await announce_tenant(p, sequence_bump=200, languages=["vi", "en", "mtq"], profile=profile)
    marker = await publish(p, title="Bài đánh dấu sau khi phát lại")
    await on_site(p, marker["path"])

    async def emitted():
        new = (await pages_changed(p))[before:]
        return new if any(e["reason"] == "article published" for e in new) else None

    new = await eventually(emitted)
    tenant_events = [e for e in new if e["reason"] == "tenant upserted"]
    assert len(tenant_events) == 1
    assert set(tenant_events[0]["keys"]) == {"site:hoankiem", "sitemaps"}


async def test_text_is_stored_nfc(platform, site) -> None:
    """A producer that sends decomposed Vietnamese (NFD) still gets composed pages."""
    p = platform
    title = unicodedata.normalize("NFD", "Phường Hoàn Kiếm tổ chức Tết Trung thu")
    assert title != unicodedata.normalize("NFC", title)
    now = datetime.now(UTC)
    article_id = str(uuid.uuid4())
    event = ArticlePublished(
        tenant="hoankiem", article_id=article_id, revision_id=str(uuid.uuid4()), sequence=1,
        category="tin-tuc", category_name=unicodedata.normalize("NFD", "Tin tức"),
        slug="tet-trung-thu-nfd", path="/tin-tuc/tet-trung-thu-nfd", title=title,
        summary=unicodedata.normalize("NFD", "Đêm hội trăng rằm"), body_html="<p>x</p>",
        author="", approved_by="bbt.hoankiem", published_at=now, updated_at=now,
    )  # fmt: skip
    envelope = envelope_for(event, source="/services/content")
    await p.content.send(
        topics.ARTICLE.name, event.key(), event.model_dump_json().encode(), envelope.headers()
    )
    r = await on_site(p, "/tin-tuc/tet-trung-thu-nfd")
    composed = unicodedata.normalize("NFC", title)
    assert f"<h1>{composed}</h1>" in r.text and title not in r.text
    async with p.renderer.db.read() as session:
        row = (
            await session.execute(select(store.pages).where(store.pages.c.article_id == article_id))
        ).one()
    assert row.title == composed and unicodedata.is_normalized("NFC", row.summary)
