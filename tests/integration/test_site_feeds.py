"""The sites' feeds as Atom 1.0 beside RSS 2.0, with their WebSub hubs: the services in
this process on a real broker and database, articles arriving as content's events;
read back as feed readers and WebSub subscribers would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from conftest import InProcessPlatform, eventually, settings_for
from lxml import etree

from contracts import ArticlePublished, envelope_for
from contracts import topics as t
from runtime.embedded import EmbeddedKafka

HOST = "hoankiem.localhost"
BASE = "https://hoankiem.hanoi.gov.vn"
HUBS = ("https://pubsubhubbub.appspot.com/", "https://hub.example.org/websub")
ATOM_NS = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM_NS}}}"


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with settings_for(tmp_path_factory.mktemp("feeds"), kafka) as base:
            settings = base.with_overrides(websub_hubs_csv=",".join(HUBS))
            async with InProcessPlatform(settings) as p:
                yield p


async def page(p: InProcessPlatform, path: str) -> Any:
    return await p.renderer_http.get(path, headers={"Host": HOST})


@pytest.fixture(scope="module")
async def articles(platform) -> list[ArticlePublished]:
    p = platform
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    out = []
    for n, (category, name) in enumerate(
        [("tin-tuc", "Tin tức")] * 3 + [("thong-bao", "Thông báo")] * 2
    ):
        slug = f"bai-{n}-{uuid.uuid4().hex[:6]}"
        event = ArticlePublished(
            tenant="hoankiem", article_id=str(uuid.uuid4()), revision_id=str(uuid.uuid4()),
            sequence=1, category=category, category_name=name, slug=slug,
            path=f"/{category}/{slug}", title=f"Bài số {n} <đặc biệt> & \"trích dẫn\"",
            summary=f"Tóm tắt bài số {n}.", body_html="<p>x</p>", author="",
            approved_by="bbt.hoankiem", published_at=start + timedelta(minutes=n),
            updated_at=start + timedelta(minutes=n, seconds=30),
        )  # fmt: skip
        envelope = envelope_for(event, source="/services/content")
        await p.content.send(
            t.ARTICLE.name, event.key(), event.model_dump_json().encode(), envelope.headers()
        )
        out.append(event)
    for event in out:

        async def live(path: str = event.path) -> bool:
            return (await page(p, path)).status_code == 200

        await eventually(live, timeout=30)
    return out


def _one(element: Any, name: str) -> Any:
    found = element.findall(A + name)
    assert len(found) == 1, (name, len(found))
    return found[0]


def check_atom(body: bytes, self_url: str, alternate: str) -> Any:
    """RFC 4287's required elements, by hand, and feedparser's reading."""
    feed = etree.fromstring(body)
    assert feed.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert _one(feed, name).text, name
    assert _one(_one(feed, "author"), "name").text == "Phường Hoàn Kiếm"
    links = {(link.get("rel"), link.get("href")) for link in feed.findall(A + "link")}
    assert ("self", self_url) in links and ("alternate", alternate) in links
    assert {href for rel, href in links if rel == "hub"} == set(HUBS)
    for entry in feed.findall(A + "entry"):
        for name in ("id", "title", "updated", "published"):
            assert _one(entry, name).text, name
        assert _one(entry, "id").text.startswith("urn:uuid:")
        (alt,) = [x for x in entry.findall(A + "link") if x.get("rel") == "alternate"]
        assert alt.get("href").startswith(f"{BASE}/")
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


async def test_the_site_feed_as_atom(platform, articles) -> None:
    r = await page(platform, "/atom.xml")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = check_atom(r.content, f"{BASE}/atom.xml", f"{BASE}/")
    assert feed.feed.title == "Phường Hoàn Kiếm" and feed.feed.language == "vi"
    by_link = {e.link: e for e in feed.entries}
    for a in articles:
        entry = by_link[f"{BASE}{a.path}"]
        assert entry.title == a.title  # escaped in the XML, read back whole
        assert entry.id == f"urn:uuid:{a.article_id}"
        assert entry.summary == a.summary
        assert entry.published_parsed[:6] == a.published_at.utctimetuple()[:6]
        assert entry.updated_parsed[:6] == a.updated_at.utctimetuple()[:6]
    # Newest first, the feed's updated its newest entry's, like RSS's order.
    rss = feedparser.parse((await page(platform, "/rss.xml")).content)
    assert [e.link for e in feed.entries] == [e.link for e in rss.entries]
    newest = max(a.updated_at for a in articles)
    assert feed.feed.updated_parsed[:6] == newest.utctimetuple()[:6]
    assert {"site:hoankiem", "list:hoankiem"} <= set(r.headers["surrogate-key"].split())


async def test_category_feeds_as_atom(platform, articles) -> None:
    r = await page(platform, "/atom/thong-bao.xml")
    assert r.status_code == 200
    feed = check_atom(r.content, f"{BASE}/atom/thong-bao.xml", f"{BASE}/thong-bao")
    notices = {f"{BASE}{a.path}" for a in articles if a.category == "thong-bao"}
    assert {e.link for e in feed.entries} == notices
    assert all(e.tags[0].term == "thong-bao" for e in feed.entries)
    assert "category:hoankiem:thong-bao" in r.headers["surrogate-key"].split()
    for bad in ("/atom/khong-co.xml", "/atom/thong-bao", "/atom/..%2Fx.xml"):
        assert (await page(platform, bad)).status_code == 404, bad


async def test_both_feeds_name_their_websub_hubs(platform, articles) -> None:
    for path in ("/rss.xml", "/rss/tin-tuc.xml", "/atom.xml", "/atom/tin-tuc.xml"):
        r = await page(platform, path)
        doc = etree.fromstring(r.content)
        links = doc.iter(A + "link")
        found = {(x.get("rel"), x.get("href")) for x in links}
        assert {("hub", hub) for hub in HUBS} | {("self", f"{BASE}{path}")} <= found, path
        # And in the HTTP Link header, for subscribers that do not read the body.
        header = r.headers["link"]
        assert all(f'<{hub}>; rel="hub"' in header for hub in HUBS), path
        assert f'<{BASE}{path}>; rel="self"' in header, path
    rss = feedparser.parse((await page(platform, "/rss.xml")).content)
    assert not rss.bozo and rss.version == "rss20"
    assert {x.href for x in rss.feed.links if x.rel == "hub"} == set(HUBS)


async def test_pages_advertise_both_feeds(platform, articles) -> None:
    home = (await page(platform, "/")).text
    assert '<link rel="alternate" type="application/rss+xml" title="Tin mới - Phường Hoàn Kiếm' \
        ' (RSS)" href="/rss.xml">' in home  # fmt: skip
    assert '<link rel="alternate" type="application/atom+xml" title="Tin mới - Phường Hoàn ' \
        'Kiếm (Atom)" href="/atom.xml">' in home  # fmt: skip
    category = (await page(platform, "/thong-bao")).text
    assert 'type="application/atom+xml" title="Thông báo - Phường Hoàn Kiếm (Atom)" ' \
        'href="/atom/thong-bao.xml">' in category  # fmt: skip
    assert 'href="/rss/thong-bao.xml"' in category and 'href="/atom.xml"' in category
    assert '<a href="/atom/thong-bao.xml">Tin Atom: Thông báo</a>' in category
    article = (await page(platform, articles[0].path)).text
    assert 'type="application/atom+xml"' in article and 'href="/atom.xml"' in article
    assert '<a href="/atom.xml">Tin Atom</a>' in home
