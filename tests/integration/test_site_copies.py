"""Copies of an article on other sites (syndication's ArticleSyndicated), as renderer
shows them: admin, content, editorial and renderer in-process on a real embedded broker
and a real database. The events are sent on portal.syndication.copy.v1 as syndication
sends them; every page is read back as a citizen, a crawler and the gateway would."""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from conftest import InProcessPlatform, eventually, settings_for
from sqlalchemy import select

from contracts import (
    ArticlePublished,
    ArticleSyndicated,
    Envelope,
    SyndicatedCopy,
    SyndicationProposed,
    envelope_for,
)
from contracts import topics as t
from contracts.content import Attachment, Image
from runtime.consumer import CONSUMED
from runtime.embedded import EmbeddedKafka
from services.renderer import store

CITY = "hanoi"
CITY_NAME = "Cổng Thông tin điện tử thành phố Hà Nội"
WARD = "hoankiem"
WARD_BASE = "https://hoankiem.hanoi.gov.vn"


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("site-copies"), kafka) as settings,
            InProcessPlatform(settings) as p,
        ):
            # Every seeded site is known to renderer before copies arrive for them.
            await eventually(lambda: _sites_known(p), timeout=60)
            yield p


async def _sites_known(p: InProcessPlatform) -> bool:
    async with p.renderer.db.read() as session:
        rows = (await session.execute(select(store.sites.c.slug))).all()
    return len(rows) >= 151


# --- events ------------------------------------------------------------------------------


def origin(**fields: Any) -> ArticlePublished:
    """The city's article as it was last published on the city portal."""
    now = datetime.now(UTC).replace(microsecond=0)
    slug = f"bai-goc-{uuid.uuid4().hex[:8]}"
    values: dict[str, Any] = {
        "tenant": CITY,
        "article_id": str(uuid.uuid4()),
        "revision_id": str(uuid.uuid4()),
        "sequence": 3,
        "category": "tin-tuc",
        "category_name": "Tin tức",
        "slug": slug,
        "path": f"/tin-tuc/{slug}",
        "title": f"Thành phố ra quân làm sạch môi trường {slug}",
        "summary": "Toàn thành phố ra quân trong ngày Chủ nhật xanh.",
        "body_html": "<p>Nội dung.</p>",
        "author": "Ban Biên tập Cổng",
        "approved_by": "bbt.hanoi",
        "published_at": now - timedelta(hours=1),
        "updated_at": now,
        **fields,
    }
    return ArticlePublished(**values)


def copy_of(
    article: ArticlePublished,
    tenant: str,
    *,
    status: str = "live",
    sequence: int = 1,
    category: str = "tin-tuc",
    category_name: str = "Tin tức",
    copy_id: str | None = None,
    reason: str = "",
) -> SyndicatedCopy:
    cid = copy_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{article.article_id}/{tenant}"))
    return SyndicatedCopy(
        copy_id=cid,
        tenant=tenant,
        path=f"/{category}/{article.slug}-{cid.replace('-', '')[:6]}",
        category=category,
        category_name=category_name,
        status=status,  # type: ignore[arg-type]
        sequence=sequence,
        reason=reason,
    )


def syndicated(
    article: ArticlePublished,
    copies: list[SyndicatedCopy],
    *,
    origin_url: str | None = None,
    origin_name: str = CITY_NAME,
) -> ArticleSyndicated:
    return ArticleSyndicated(
        tenant=article.tenant,
        article_id=article.article_id,
        origin_url=origin_url or f"https://hanoi.gov.vn{article.path}",
        origin_name=origin_name,
        article=article,
        copies=copies,
    )


async def send(
    p: InProcessPlatform,
    event: ArticleSyndicated | SyndicationProposed,
    envelope: Envelope | None = None,
) -> Envelope:
    """Send as syndication's relay does; with `envelope`, the same event once more."""
    envelope = envelope or envelope_for(event, source="/services/syndication")
    await p.renderer.send(
        t.SYNDICATION.name, event.key(), event.model_dump_json().encode(), envelope.headers()
    )
    return envelope


async def page(p: InProcessPlatform, path: str, host: str = f"{WARD}.localhost") -> Any:
    return await p.renderer_http.get(path, headers={"Host": host})


async def shown(p: InProcessPlatform, path: str, host: str = f"{WARD}.localhost", status=200):
    async def check() -> Any:
        r = await page(p, path, host)
        return r if r.status_code == status else None

    return await eventually(check, timeout=30)


async def outbox(p: InProcessPlatform, topic: str) -> list[dict[str, Any]]:
    async with p.renderer.db.read() as session:
        rows = await session.execute(
            select(store.outbox.c.payload)
            .where(store.outbox.c.topic == topic)
            .order_by(store.outbox.c.id)
        )
        return [json.loads(r.payload) for r in rows]


async def confirmations(p: InProcessPlatform, copy_id: str) -> list[dict[str, Any]]:
    return [e for e in await outbox(p, t.RECEIPT.name) if e["article_id"] == copy_id]


def json_ld(html: str) -> list[dict[str, Any]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(b) for b in blocks]


def og(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)">', html))


def surrogate_keys(response: Any) -> set[str]:
    return set(response.headers.get("surrogate-key", "").split())


# --- one copy, as citizens and machines read it -------------------------------------------


async def test_a_copy_shows_the_original_credited_with_the_original_as_canonical(
    platform,
) -> None:
    p = platform
    title = unicodedata.normalize("NFD", "Hà Nội ra quân dọn vệ sinh môi trường")
    article = origin(
        title=title,
        summary=unicodedata.normalize("NFD", "Người dân tham gia đông đủ."),
        body_html='<p>Nội dung <script>alert(1)</script><a href="/tin-tuc/bai-khac">bài khác'
        '</a> và <a href="/media/hanoi/a/ke-hoach.pdf">kế hoạch</a></p>'
        '<p><img src="/media/hanoi/b/w960.webp" alt="Ảnh" onerror="alert(2)"></p>',
        images=[Image(media_id="b", alt="Người dân dọn rác ven hồ", url="/media/hanoi/b/w960.webp",
                      width=960, height=640)],
        attachments=[Attachment(media_id="a", filename="ke-hoach.pdf", title="Kế hoạch",
                                media_type="application/pdf", size=20480,
                                url="/media/hanoi/a/ke-hoach.pdf")],
    )  # fmt: skip
    copy = copy_of(article, WARD)
    event = syndicated(article, [copy])
    envelope = await send(p, event)
    r = await shown(p, copy.path)
    html = r.text
    composed = unicodedata.normalize("NFC", title)
    assert f"<h1>{composed}</h1>" in html and title not in html

    # The original is the article: canonical link, Open Graph, structured data.
    assert f'<link rel="canonical" href="{event.origin_url}">' in html
    assert f'<link rel="canonical" href="{WARD_BASE}{copy.path}">' not in html
    assert og(html)["og:url"] == event.origin_url
    (data,) = [d for d in json_ld(html) if d["@type"] == "NewsArticle"]
    assert data["url"] == event.origin_url and data["mainEntityOfPage"] == event.origin_url
    assert data["publisher"] == {
        "@type": "GovernmentOrganization",
        "name": CITY_NAME,
        "url": "https://hanoi.gov.vn/",
    }
    # The credit line, visible, in Vietnamese.
    assert f'Nguồn: <a href="{event.origin_url}">{CITY_NAME}</a>' in html

    # The body is sanitised again, and its links to the city's pages lead there.
    assert "<script" not in html.split("<main", 1)[1] and "onerror" not in html
    assert 'href="https://hanoi.gov.vn/tin-tuc/bai-khac"' in html
    assert 'href="/media/hanoi/a/ke-hoach.pdf"' in html  # files are served on every host
    assert 'src="/media/hanoi/b/w960.webp"' in html and "Kế hoạch" in html

    # Stored NFC, as a copy of the original, on the ward.
    async with p.renderer.db.read() as session:
        row = (
            await session.execute(
                select(store.pages).where(store.pages.c.article_id == copy.copy_id)
            )
        ).one()
    assert row.tenant == WARD and row.title == composed
    assert unicodedata.is_normalized("NFC", row.summary)
    assert row.canonical_url == event.origin_url and row.origin_name == CITY_NAME
    assert row.origin_tenant == CITY and row.origin_article_id == article.article_id
    assert row.sequence == copy.sequence and row.translation_of is None

    # The page's cache keys; PagesChanged for the ward in the same transaction.
    assert {"site:hoankiem", f"article:{copy.copy_id}"} <= surrogate_keys(r)
    changed = [e for e in await outbox(p, t.PAGES.name) if f"article:{copy.copy_id}" in e["keys"]]
    assert len(changed) == 1 and changed[0]["tenant"] == WARD
    assert {"category:hoankiem:tin-tuc", "list:hoankiem"} <= set(changed[0]["keys"])

    # It lists in its category, on the home page and in the feeds, like any article...
    for path in ("/tin-tuc", "/"):
        listed = await page(p, path)
        assert f'href="{copy.path}"' in listed.text, path
    for feed in ("/rss.xml", "/atom.xml", "/rss/tin-tuc.xml", "/atom/tin-tuc.xml"):
        entries = feedparser.parse((await page(p, feed)).content).entries
        assert f"{WARD_BASE}{copy.path}" in {e.link for e in entries}, feed
    # ...but not in the sitemap, which lists canonical URLs only.
    assert copy.path not in (await page(p, "/sitemap.xml")).text

    # The site confirmed it: syndication knows this target took it.
    (confirmed,) = await confirmations(p, copy.copy_id)
    assert confirmed["tenant"] == WARD and confirmed["step"] == "site"
    assert confirmed["sequence"] == copy.sequence and confirmed["action"] == "published"
    assert confirmed["detail"] == copy.path and confirmed["consumer"] == "renderer"

    # A redelivery of the same event (its id) changes nothing and confirms nothing more.
    await send(p, event, envelope)
    # Then another event of the same article (the same key, so the same partition, in
    # order): once it is in, the redelivery before it has been taken too.
    marker = copy_of(article, "badinh")
    await send(p, syndicated(article, [marker]))
    await shown(p, marker.path, host="badinh.localhost")
    assert len(await confirmations(p, copy.copy_id)) == 1
    assert (await page(p, copy.path)).status_code == 200


async def test_an_english_copy_credits_its_source_in_english(platform) -> None:
    """A component's English article on the city portal (which has an English edition),
    after the city board approved the proposal."""
    p = platform
    article = origin(
        tenant=WARD,
        title="Hoan Kiem lake walking street reopens",
        summary="The walking street opens on weekend evenings.",
        language="en",
        category="english",
        category_name="English",
    )
    copy = copy_of(article, CITY, category="tin-tuc")
    copy = copy.model_copy(update={"proposal_id": str(uuid.uuid4())})
    event = syndicated(
        article, [copy], origin_url=f"{WARD_BASE}{article.path}", origin_name="Phường Hoàn Kiếm"
    )
    await send(p, event)
    r = await shown(p, copy.path, host=f"{CITY}.localhost")
    assert '<html lang="en">' in r.text
    assert f'Source: <a href="{WARD_BASE}{article.path}" lang="vi">Phường Hoàn Kiếm</a>' in r.text
    assert f'<link rel="canonical" href="{WARD_BASE}{article.path}">' in r.text
    english = await page(p, "/english", host=f"{CITY}.localhost")
    assert f'href="{copy.path}"' in english.text
    # A copy is not a component's own news: the city's block of component news skips it.
    home = (await page(p, "/", host=f"{CITY}.localhost")).text
    block = home.split('id="tin-thanh-phan"', 1)[1].split("</section>", 1)[0]
    assert article.title not in block


async def test_a_withdrawn_copy_is_gone_and_an_older_version_changes_nothing(platform) -> None:
    p = platform
    article = origin()
    live = copy_of(article, WARD, sequence=1)
    await send(p, syndicated(article, [live]))
    await shown(p, live.path)

    reason = "Trang phường không đăng lại bài này."
    withdrawn = live.model_copy(update={"status": "withdrawn", "sequence": 2, "reason": reason})
    await send(p, syndicated(article, [withdrawn]))
    gone = await shown(p, live.path, status=410)
    assert (
        "Bài viết đã được gỡ" in gone.text and '<meta name="robots" content="noindex">' in gone.text
    )
    assert f'href="{live.path}"' not in (await page(p, "/tin-tuc")).text

    # Version 1 again (a replay): the copy stays withdrawn, and the site says so.
    await send(p, syndicated(article, [live]))
    await eventually(lambda: _confirmed(p, live.copy_id, 3), timeout=30)
    assert (await page(p, live.path)).status_code == 410
    async with p.renderer.db.read() as session:
        row = (
            await session.execute(
                select(store.pages).where(store.pages.c.article_id == live.copy_id)
            )
        ).one()
    assert row.status == "withdrawn" and row.withdrawal_kind == "gone" and row.sequence == 2
    assert row.withdrawn_reason == reason
    actions = [(c["sequence"], c["action"]) for c in await confirmations(p, live.copy_id)]
    assert actions == [(1, "published"), (2, "withdrawn"), (1, "published")]

    # Live again, filed under another category: the old address leads to the new one.
    moved = copy_of(article, WARD, sequence=3, category="thong-bao", category_name="Thông báo")
    await send(p, syndicated(article, [moved]))
    await shown(p, moved.path)
    old = await page(p, live.path)
    assert old.status_code == 301 and old.headers["location"] == moved.path
    assert f'href="{moved.path}"' in (await page(p, "/thong-bao")).text
    changed = [e for e in await outbox(p, t.PAGES.name) if f"article:{live.copy_id}" in e["keys"]]
    # Published, withdrawn, moved: the replay of version 1 changed no page.
    assert len(changed) == 3
    assert {"category:hoankiem:thong-bao", "category:hoankiem:tin-tuc"} <= set(changed[-1]["keys"])


async def _confirmed(p: InProcessPlatform, copy_id: str, count: int) -> bool:
    return len(await confirmations(p, copy_id)) >= count


async def test_one_event_puts_a_copy_live_on_140_sites(platform) -> None:
    p = platform
    async with p.renderer.db.read() as session:
        slugs = (
            await session.scalars(
                select(store.sites.c.slug).where(store.sites.c.kind != "city").order_by("slug")
            )
        ).all()
    targets = list(slugs)[:140]
    assert len(targets) == 140
    article = origin(title="Thông báo chung của Thành phố gửi mọi phường, xã, sở, ngành")
    copies = [copy_of(article, slug) for slug in targets]
    await send(p, syndicated(article, copies))

    async def all_confirmed() -> bool:
        confirmed = {e["article_id"] for e in await outbox(p, t.RECEIPT.name)}
        return all(c.copy_id in confirmed for c in copies)

    await eventually(all_confirmed, timeout=30)
    # Every copy is live on its own site (and only there).
    for copy in copies:
        r = await page(p, copy.path, host=f"{copy.tenant}.localhost")
        assert r.status_code == 200, (copy.tenant, r.status_code)
        assert f'<link rel="canonical" href="https://hanoi.gov.vn{article.path}">' in r.text
    assert (await page(p, copies[0].path, host=f"{copies[1].tenant}.localhost")).status_code == 404
    # One confirmation per copy, each for its own site, path and version.
    receipts = {e["article_id"]: e for e in await outbox(p, t.RECEIPT.name)}
    for copy in copies:
        got = receipts[copy.copy_id]
        assert (got["tenant"], got["sequence"], got["detail"], got["action"], got["step"]) == (
            copy.tenant, copy.sequence, copy.path, "published", "site",
        )  # fmt: skip
    # One PagesChanged per site, with that site's keys.
    changed = [
        e
        for e in await outbox(p, t.PAGES.name)
        if any(f"article:{c.copy_id}" in e["keys"] for c in copies)
    ]
    assert sorted(e["tenant"] for e in changed) == sorted(targets)
    for event in changed:
        assert f"list:{event['tenant']}" in event["keys"]
        assert f"category:{event['tenant']}:tin-tuc" in event["keys"]


async def test_proposals_on_the_same_topic_are_not_renderer_s(platform) -> None:
    """SyndicationProposed joins the city board's review queue: renderer takes it off the
    topic (skipped, not dead-lettered) and shows nothing for it."""
    p = platform
    before = _outcomes()
    copy_id = str(uuid.uuid4())
    proposal = SyndicationProposed(
        tenant=CITY, proposal_id=str(uuid.uuid4()), copy_id=copy_id,
        article_id=str(uuid.uuid4()), origin_tenant=WARD, origin_name="Phường Hoàn Kiếm",
        origin_url=f"{WARD_BASE}/tin-tuc/de-xuat", category="tin-tuc", title="Đề xuất",
        summary="", body_html="<p>x</p>", author="", proposed_by="bbt.hoankiem",
        proposed_at=datetime.now(UTC),
    )  # fmt: skip
    await send(p, proposal)
    await eventually(lambda: _outcomes()["skipped"] > before["skipped"], timeout=30)
    assert _outcomes()["dead_lettered"] == before["dead_lettered"]
    async with p.renderer.db.read() as session:
        stmt = select(store.pages.c.article_id).where(store.pages.c.article_id == copy_id)
        assert (await session.execute(stmt)).first() is None
    assert await confirmations(p, copy_id) == []


def _outcomes() -> dict[str, float]:
    """renderer's outcomes on the syndication topic in this process so far."""
    return {
        outcome: CONSUMED.labels("renderer", t.SYNDICATION.name, outcome)._value.get()
        for outcome in ("applied", "skipped", "dead_lettered")
    }
