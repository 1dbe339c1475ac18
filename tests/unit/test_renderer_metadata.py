"""renderer's metadata, feeds, layout and cache keys (no I/O)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree

from services.renderer import cache, feeds, handlers, metadata
from services.renderer.layout import Site, Tree, category_crumbs, tel_href

BASE = "https://hoankiem.hanoi.gov.vn"
AT = datetime(2026, 11, 24, 2, 15, tzinfo=UTC)


def article(**fields: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "article_id": "a1",
        "title": "Tin",
        "summary": "Tóm tắt",
        "author": "Phóng viên",
        "published_at": AT,
        "updated_at": AT,
        "language": "vi",
        "kind": "news",
        "details": None,
        "images": [],
    }
    return SimpleNamespace(**{**values, **fields})


def test_json_for_html_cannot_close_the_script() -> None:
    hostile = {"t": "</script><script>alert(1)</script><!-- & \u2028"}
    text = metadata.json_for_html(hostile)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == hostile
    assert "Hà Nội" in metadata.json_for_html({"x": "Hà Nội"})  # readable, not \\u-escaped


def test_news_article_data() -> None:
    image = {"url": "/media/hoankiem/m/w960.webp", "alt": "Ảnh", "width": 960, "height": 640}
    data = metadata.article_data(
        article(title="T" * 200, images=[image]),
        url=f"{BASE}/tin-tuc/tin",
        base=BASE,
        site_name="Phường Hoàn Kiếm",
        category_name="Tin tức",
    )
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert len(data["headline"]) <= 110
    assert data["datePublished"] == "2026-11-24T09:15:00+07:00"
    assert data["image"] == [f"{BASE}/media/hoankiem/m/w960.webp"]
    assert data["author"] == {"@type": "Person", "name": "Phóng viên"}
    assert data["publisher"]["@type"] == "GovernmentOrganization"
    assert data["articleSection"] == "Tin tức"
    anonymous = metadata.article_data(article(author=""), url="u", base=BASE, site_name="S")
    assert anonymous["author"]["@type"] == "GovernmentOrganization"


def test_legislation_data() -> None:
    details = {
        "kind": "document",
        "number": "12/QĐ-UBND",
        "doc_type": "Quyết định",
        "issuer": "UBND phường Hoàn Kiếm",
        "signer": "Nguyễn Văn A",
        "issued_on": "2026-03-02",
        "validity": "partly_in_force",
        "field": "Đất đai",
    }
    data = metadata.article_data(
        article(kind="document", details=details), url="u", base=BASE, site_name="S"
    )
    assert data["@type"] == "Legislation"
    assert data["legislationIdentifier"] == "12/QĐ-UBND"
    assert data["legislationType"] == "Quyết định"
    assert data["legislationDate"] == "2026-03-02"
    assert data["legislationPassedBy"] == {
        "@type": "GovernmentOrganization",
        "name": "UBND phường Hoàn Kiếm",
    }
    assert data["legislationLegalForce"] == "https://schema.org/PartiallyInForce"
    assert data["legislationResponsible"]["name"] == "Nguyễn Văn A"


def test_video_and_static_page_data() -> None:
    video = metadata.article_data(
        article(
            kind="video",
            details={"kind": "video", "source_url": "https://x.vn/a.mp4", "duration_seconds": 65},
        ),
        url="u",
        base=BASE,
        site_name="S",
    )
    assert video["video"]["@type"] == "VideoObject" and video["video"]["duration"] == "PT1M5S"
    contacts = metadata.article_data(
        article(kind="page", details={"kind": "page", "page_kind": "contacts"}),
        url="u",
        base=BASE,
        site_name="S",
    )
    assert contacts["@type"] == "ContactPage"


def test_government_organization_and_open_graph() -> None:
    data = metadata.government_organization(
        name="Phường Hoàn Kiếm",
        url=f"{BASE}/",
        profile={"address": "126 Hàng Trống", "phone": "024 1", "governing_body": "UBND"},
        name_en="Hoan Kiem Ward",
    )
    assert data["@type"] == "GovernmentOrganization"
    assert data["address"]["streetAddress"] == "126 Hàng Trống"
    assert data["alternateName"] == "Hoan Kiem Ward"
    tags = dict(
        metadata.og_tags(title="T", description="D", url=f"{BASE}/", image=f"{BASE}/a.webp")
    )
    assert tags["og:locale"] == "vi_VN" and tags["og:image"] == f"{BASE}/a.webp"
    assert "og:image" not in dict(metadata.og_tags(title="T", description="D", url="u"))
    assert metadata.absolute(BASE, "/a b") == f"{BASE}/a%20b"
    assert metadata.absolute(BASE, "https://x.vn/y") == "https://x.vn/y"


def test_rss_is_rss_2() -> None:
    items = [
        feeds.FeedItem(
            title="A & B <c>",
            link=f"{BASE}/tin-tuc/a",
            description="Tóm tắt\x00",
            published_at=AT,
            category="Tin tức",
        )
    ]
    xml = feeds.rss(
        title="Phường",
        link=f"{BASE}/",
        self_url=f"{BASE}/rss.xml",
        description="Tin",
        items=items,
    )
    root = ElementTree.fromstring(xml)
    channel = root.find("channel")
    assert root.get("version") == "2.0" and channel is not None
    assert channel.findtext("language") == "vi"
    atom = channel.find("{http://www.w3.org/2005/Atom}link")
    assert atom is not None and atom.get("rel") == "self" and atom.get("href") == f"{BASE}/rss.xml"
    item = channel.find("item")
    assert item is not None
    assert item.findtext("title") == "A & B <c>" and item.findtext("description") == "Tóm tắt"
    assert item.findtext("pubDate") == "Tue, 24 Nov 2026 09:15:00 +0700"
    guid = item.find("guid")
    assert (
        guid is not None and guid.get("isPermaLink") == "true" and guid.text == f"{BASE}/tin-tuc/a"
    )


def test_sitemaps_and_robots() -> None:
    xml = feeds.sitemap([feeds.SitemapUrl(f"{BASE}/", AT), feeds.SitemapUrl(f"{BASE}/a?b&c")])
    root = ElementTree.fromstring(xml)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert [e.text for e in root.findall("s:url/s:loc", ns)] == [f"{BASE}/", f"{BASE}/a?b&c"]
    assert root.findtext("s:url/s:lastmod", namespaces=ns) == "2026-11-24T09:15:00+07:00"
    index = ElementTree.fromstring(feeds.sitemap_index([feeds.SitemapUrl(f"{BASE}/sitemap.xml")]))
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    robots = feeds.robots([f"{BASE}/sitemap.xml"]).splitlines()
    assert robots[:2] == ["User-agent: *", "Allow: /"]
    assert {"Disallow: /admin", "Disallow: /api", "Disallow: /tim-kiem"} <= set(robots)
    assert robots[-1] == f"Sitemap: {BASE}/sitemap.xml"


TREE = [
    {"slug": "tin-tuc", "name": "Tin tức", "parent": None, "position": 1, "name_en": "News"},
    {"slug": "gioi-thieu", "name": "Giới thiệu", "parent": None, "position": 0},
    {"slug": "lanh-dao", "name": "Lãnh đạo", "parent": "gioi-thieu", "position": 1},
    {"slug": "lien-he", "name": "Liên hệ", "parent": "gioi-thieu", "position": 0},
    {"slug": "hong", "parent": None},  # broken: no name
]


def test_tree_menus_and_breadcrumbs() -> None:
    tree = Tree(TREE)
    assert "hong" not in tree
    menu = tree.menu()
    assert [(m.name, [c.name for c in m.children]) for m in menu] == [
        ("Giới thiệu", ["Liên hệ", "Lãnh đạo"]),
        ("Tin tức", []),
    ]
    english = tree.menu("en")
    assert (english[1].name, english[1].lang) == ("News", None)
    assert (english[0].name, english[0].lang) == ("Giới thiệu", "vi")  # no English name
    assert [c.slug for c in tree.trail("lanh-dao")] == ["gioi-thieu", "lanh-dao"]
    assert tree.subtree("gioi-thieu") == ["gioi-thieu", "lien-he", "lanh-dao"]
    assert tree.name("khong-co", "Tên cũ") == "Tên cũ"
    loop = Tree(
        [{"slug": "a", "name": "A", "parent": "b"}, {"slug": "b", "name": "B", "parent": "a"}]
    )
    assert len(loop.trail("a")) == 2  # a broken tree never loops
    row = SimpleNamespace(
        slug="hoankiem", kind="ward", name="Phường Hoàn Kiếm", domain="hoankiem.hanoi.gov.vn",
        languages=["vi", "en", "mtq"], profile={"phone": "(024) 3825", "email": "", "x": 1},
    )  # fmt: skip
    site = Site.of(row, TREE)
    assert site.has_english and site.ethnic_languages == ["mtq"]
    assert site.footer_facts() == [("phone", "Điện thoại", "(024) 3825")]
    assert site.url("/a") == "https://hoankiem.hanoi.gov.vn/a"
    crumbs = category_crumbs(site, "lanh-dao", "")
    assert [(c.name, c.href) for c in crumbs] == [
        ("Trang chủ", "/"), ("Giới thiệu", "/gioi-thieu"), ("Lãnh đạo", "/lanh-dao"),
    ]  # fmt: skip
    assert tel_href("(024) 3825 3536") == "tel:02438253536" and tel_href("không có") == ""


def test_cache_keys() -> None:
    assert cache.keys("hk", "list:hk", ["article:1", "article:2", "list:hk"]) == [
        "site:hk", "list:hk", "article:1", "article:2",
    ]  # fmt: skip
    assert cache.category_key("hk", "tin-tuc") == "category:hk:tin-tuc"
    rows = [SimpleNamespace(article_id="x"), SimpleNamespace(article_id="y")]
    assert cache.article_keys(rows) == ["article:x", "article:y"]
    assert all(re.fullmatch(r"[a-z]+:[^\s]+", k) for k in cache.keys("hk", "article:x"))


def test_changed_article_keys_and_document_columns() -> None:
    keys = handlers._article_keys("hk", "a1", ["tin-tuc", "thong-bao", "tin-tuc", ""], "o1")
    assert keys == [
        "article:a1", "category:hk:tin-tuc", "category:hk:thong-bao", "list:hk", "sitemaps",
        "article:o1",
    ]  # fmt: skip
    assert handlers._article_keys("hk", "a1", [], None) == ["article:a1", "list:hk", "sitemaps"]
    columns = handlers.document_columns(
        {"kind": "document", "doc_type": " Quyết  định ", "issuer": "U" * 400,
         "issued_on": "2026-03-02", "validity": "expired", "field": ""}
    )  # fmt: skip
    assert columns == {
        "doc_type": "Quyết định", "doc_issuer": "U" * 300, "doc_year": 2026,
        "doc_field": None, "doc_validity": "expired",
    }  # fmt: skip
    assert set(handlers.document_columns({"kind": "video"}).values()) == {None}
    assert set(handlers.document_columns(None).values()) == {None}
