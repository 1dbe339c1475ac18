"""search on a real broker and database: public events in, versioned, with
tombstones; the query API with facets, suggestions and hostile input; the publish
receipt's "search" step; and a rebuild while citizens search."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from conftest import eventually, running, settings_for

from contracts import (
    AnswerPublished,
    ArticlePublished,
    ArticleWithdrawn,
    CategoryTreeUpdated,
    Event,
    TenantUpserted,
    envelope_for,
    topics,
)
from contracts.events import CategoryItem
from runtime.embedded import EmbeddedKafka
from runtime.settings import REPO_ROOT
from services.search import store
from services.search.__main__ import build as build_search
from services.search.__main__ import index_dir


class Bus:
    """Sends public events as their producers would (envelope in the headers)."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)

    async def send(self, event: Event) -> None:
        envelope = envelope_for(event, source="/tests")
        topic = topics.topic_of(event).name
        await self.producer.send_and_wait(
            topic, event.model_dump_json().encode(), key=event.key().encode(),
            headers=[(k, v.encode()) for k, v in envelope.headers().items()],
        )  # fmt: skip


@pytest.fixture(scope="module")
async def search(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("search"), kafka) as settings,
            running(build_search, settings) as (service, http),
        ):
            bus = Bus(settings)
            await bus.producer.start()
            try:
                yield service, http, bus
            finally:
                await bus.producer.stop()


NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def article(
    article_id: str, title: str, *, sequence: int = 1, tenant: str = "hoankiem",
    kind: str = "news", body: str = "", when: datetime = NOW, **extra: Any,
) -> ArticlePublished:  # fmt: skip
    return ArticlePublished(
        tenant=tenant, article_id=article_id, revision_id=uuid.uuid4().hex, sequence=sequence,
        category="tin-tuc", category_name="Tin tức", slug=article_id, path=f"/tin-tuc/{article_id}",
        title=title, summary=f"Tóm tắt: {title}", body_html=f"<p>{body or title}</p>",
        author="bientap", approved_by="bbt", published_at=when, updated_at=when, kind=kind,
        **extra,
    )  # fmt: skip


async def found(http, q: str, **params: Any) -> dict[str, Any]:
    r = await http.get("/api/v1/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


async def ids(http, q: str, **params: Any) -> list[str]:
    return [hit["id"] for hit in (await found(http, q, **params))["results"]]


async def test_published_articles_are_found_with_or_without_marks(search) -> None:
    _service, http, bus = search
    await bus.send(article("gpxd", "Thủ tục cấp giấy phép xây dựng", kind="document"))
    await bus.send(article("kethon", "Đăng ký kết hôn", tenant="badinh"))
    await bus.send(article("danang", "Đà Nẵng đón khách du lịch", when=NOW - timedelta(days=400)))
    await bus.send(article("da", "Giá đá ốp lát giảm mạnh"))
    await eventually(lambda: ids(http, "dang ky ket hon"), timeout=30)
    assert (await ids(http, "thu tuc cap giay phep xay dung"))[0] == "article:gpxd"
    assert (await ids(http, "Thủ tục cấp giấy phép xây dựng"))[0] == "article:gpxd"
    assert (await ids(http, "dang ky ket hon")) == ["article:kethon"]
    # Typed with its marks, "Đà" ranks the city above the stone, though the stone is newer.
    assert (await ids(http, "Đà"))[:2] == ["article:danang", "article:da"]
    hit = (await found(http, "ket hon"))["results"][0]
    assert hit["site"] == "badinh" and hit["type"] == "news"
    assert hit["url"].endswith("/tin-tuc/kethon") and hit["published_at"].startswith("2026-11-20")
    assert "<mark>kết hôn</mark>" in hit["snippet"].replace("</mark> <mark>", " ")
    # One site, one type, a date range.
    assert await ids(http, "dang ky ket hon", site="hoankiem") == []
    assert await ids(http, "giay phep", type="document") == ["article:gpxd"]
    assert await ids(http, "Đà Nẵng", **{"from": "2026-01-01"}) == []
    facets = (await found(http, ""))["facets"]
    assert {"value": "badinh", "label": "badinh", "count": 1} in facets["site"]  # not named yet
    assert {"value": "2025", "label": "2025", "count": 1} in facets["year"]
    assert {"value": "document", "label": "Văn bản", "count": 1} in facets["type"]


async def test_late_and_repeated_events_cannot_bring_back_withdrawn_content(search) -> None:
    service, http, bus = search
    first = article("rut", "Thông báo lịch tiếp công dân tháng mười hai", sequence=1)
    await bus.send(first)
    await eventually(lambda: ids(http, "lich tiep cong dan thang muoi hai"), timeout=30)
    await bus.send(ArticleWithdrawn(
        tenant="hoankiem", article_id="rut", sequence=3, path="/tin-tuc/rut",
        reason="Sai lịch", withdrawn_by="bbt", withdrawn_at=NOW,
    ))  # fmt: skip
    # Withdrawn: gone from the results well within the publish-to-live budget.
    await eventually(lambda: _empty(http, "lich tiep cong dan thang muoi hai"), timeout=10)
    # A late publish (sequence 2) and a repeated old one change nothing.
    await bus.send(article("rut", "Thông báo lịch tiếp công dân tháng mười hai", sequence=2))
    await bus.send(first)
    marker = article("sau-rut", "Bài đăng sau cùng để biết hàng đợi đã chạy hết")
    await bus.send(marker)
    await eventually(lambda: ids(http, "bai dang sau cung"), timeout=30)
    assert await ids(http, "lich tiep cong dan thang muoi hai") == []
    async with service.db.read() as session:
        row = (await session.execute(store.documents.select().where(
            store.documents.c.id == "article:rut"))).one()  # fmt: skip
    assert row.withdrawn and row.data is None and row.sequence == 3
    # A newer revision after the withdrawal is a real republication: found again.
    await bus.send(article("rut", "Thông báo lịch tiếp công dân tháng mười hai", sequence=4))
    await eventually(lambda: ids(http, "lich tiep cong dan thang muoi hai"), timeout=30)


async def _empty(http, q: str) -> bool:
    return (await ids(http, q)) == []


async def test_published_answers_are_found_as_answers(search) -> None:
    _service, http, bus = search
    await bus.send(AnswerPublished(
        tenant="hoankiem", question_id="q1", code="HK-2026-000123", kind="question",
        field="Hộ tịch", unit="badinh", title="Hỏi về đăng ký khai sinh cho con",
        question_text="Con tôi sinh ở nước ngoài, đăng ký khai sinh ở đâu?",
        answer_html="<p>Công dân nộp hồ sơ tại <b>UBND phường</b> nơi cư trú.</p>",
        received_at=NOW - timedelta(days=5), published_at=NOW, path="/hoi-dap/HK-2026-000123",
        on_time=True,
    ))  # fmt: skip
    await eventually(lambda: ids(http, "khai sinh", type="answer"), timeout=30)
    hit = (await found(http, "dang ky khai sinh", type="answer"))["results"][0]
    assert hit["id"] == "answer:q1" and hit["url"].endswith("/hoi-dap/HK-2026-000123")
    # The synonym: "ủy ban nhân dân" finds the answer that says UBND.
    assert "answer:q1" in await ids(http, "ủy ban nhân dân phường", type="answer")


async def test_autocomplete_and_did_you_mean(search) -> None:
    _service, http, bus = search
    await bus.send(article("gplx", "Cấp đổi giấy phép lái xe quốc tế"))
    await eventually(lambda: ids(http, "giay phep lai xe"), timeout=30)
    r = await http.get("/api/v1/search/suggest", params={"q": "cap doi giay p"})
    assert r.status_code == 200
    assert "Cấp đổi giấy phép lái xe quốc tế" in r.json()["suggestions"]
    body = await found(http, "giay phep lai xee quoc te")
    assert body["suggestion"] == "giay phep lai xe quoc te"
    # Typed with marks, the respelling keeps them.
    assert (await found(http, "giấy phép lái xe quốc tết"))["suggestion"] == (
        "giấy phép lái xe quốc tế"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"page": "0"},
        {"page": "abc"},
        {"page": "101"},
        {"size": "51"},
        {"size": "-1"},
        {"type": "virus"},
        {"site": "../etc"},
        {"site": "A B"},
        {"from": "2026-13-01"},
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"to": "hôm qua"},
    ],
)
async def test_bad_parameters_get_a_vietnamese_400(search, params) -> None:
    _service, http, _bus = search
    r = await http.get("/api/v1/search", params=params)
    assert r.status_code == 400, r.text
    assert r.json()["error"] and r.headers["cache-control"] == "no-store"


HOSTILE = [
    "",
    " ",
    "\x00",
    "<script>alert(1)</script>",
    '"unbalanced ( AND OR NOT',
    "*",
    "?",
    "~",
    "title:x",
    "a" * 200,
    "đ" * 200,
    "🙂🙂",
    "' OR 1=1 --",
    "%00%ff",
    "\\",
    "[1 TO 2]",
    "ｔｈｕ　ｔｕｃ",
    "tho\u0302i",
    "SELECT * FROM documents",
    "{{7*7}}",
    "$(rm -rf /)",
    " ".join(["ubnd"] * 60),
    "AND",
    "OR OR OR",
    "-",
    "+",
    "/regex/",
    "^2",
    "a:b:c",
    "\t\n",
]


@pytest.mark.parametrize("q", HOSTILE)
async def test_hostile_queries_never_fail(search, q) -> None:
    _service, http, _bus = search
    r = await http.get("/api/v1/search", params={"q": q})
    assert r.status_code in (200, 400), r.text
    body = r.json()
    if r.status_code == 200:
        assert isinstance(body["total"], int) and isinstance(body["results"], list)
        for hit in body["results"]:
            assert "<script" not in hit["snippet"]
    s = await http.get("/api/v1/search/suggest", params={"q": q})
    assert s.status_code in (200, 400)


async def test_the_publish_receipt_hears_when_an_article_is_searchable(search) -> None:
    service, http, bus = search
    consumer = AIOKafkaConsumer(
        topics.RECEIPT.name, bootstrap_servers=service.settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest", group_id=None,
    )  # fmt: skip
    await consumer.start()
    try:
        await bus.send(article("bien-nhan", "Bài kiểm tra biên nhận tìm kiếm", sequence=7))
        deadline = asyncio.get_running_loop().time() + 30
        confirmed = None
        while confirmed is None and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    event = json.loads(record.value)
                    if event.get("article_id") == "bien-nhan" and event.get("step") == "search":
                        confirmed = event
    finally:
        await consumer.stop()
    assert confirmed and confirmed["sequence"] == 7 and confirmed["consumer"] == "search"
    assert await ids(http, "bai kiem tra bien nhan tim kiem") == ["article:bien-nhan"]


async def test_status_says_what_the_index_holds(search) -> None:
    _service, http, bus = search
    await bus.send(article("trang-thai", "Bài để xem trạng thái chỉ mục"))
    await eventually(lambda: ids(http, "bai de xem trang thai"), timeout=30)
    body = (await http.get("/api/v1/search/status")).json()
    assert body["engine"] == "tantivy" and body["indexed"] == body["documents"] >= 1
    assert body["pending"] == 0


async def test_tenants_name_the_sites_in_results(search) -> None:
    _service, http, bus = search
    await bus.send(TenantUpserted(
        tenant="badinh", kind="ward", name="Phường Ba Đình", domain="badinh.hanoi.gov.vn",
        languages=["vi"], parent="hanoi", owner="badinh", sequence=99, active=True,
    ))  # fmt: skip

    async def named() -> bool:
        hits = (await found(http, "dang ky ket hon"))["results"]
        return bool(hits) and hits[0]["site_name"] == "Phường Ba Đình"

    await eventually(named, timeout=30)


async def test_reindex_from_another_process_while_citizens_search(search) -> None:
    service, http, bus = search
    await bus.send(article("truoc", "Bài có trước khi dựng lại chỉ mục"))
    await eventually(lambda: ids(http, "bai co truoc khi dung lai"), timeout=30)
    before = (await http.get("/api/v1/search/status")).json()
    statuses: list[int] = []
    stop = asyncio.Event()

    async def citizens() -> None:
        while not stop.is_set():
            r = await http.get("/api/v1/search", params={"q": "dung lai chi muc"})
            statuses.append(r.status_code)

    task = asyncio.create_task(citizens())
    # scripts/reindex.py, as an operator runs it: another process, the same settings.
    settings = service.settings
    env = {**os.environ, "PORTAL_DATA_DIR": str(settings.data_dir),
           "PORTAL_SCHEMA_PREFIX": settings.schema_prefix}  # fmt: skip
    script = await asyncio.create_subprocess_exec(
        sys.executable, str(REPO_ROOT / "scripts" / "reindex.py"), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output = (await script.communicate())[0].decode()
    assert script.returncode == 0, output
    counts = dict(part.split("=") for part in output.split()[-4:])
    # Published while the rebuild ran or just after: on the new index too.
    await bus.send(article("sau", "Bài đăng sau khi dựng lại chỉ mục"))
    await eventually(lambda: ids(http, "bai dang sau khi dung lai"), timeout=30)
    stop.set()
    await task
    assert statuses and set(statuses) == {200}
    assert counts["engine"] == "tantivy" and int(counts["indexed"]) == before["documents"]
    assert await ids(http, "bai co truoc khi dung lai") == ["article:truoc"]
    generations = [p for p in index_dir(service.settings).iterdir() if p.is_dir()]
    assert len(generations) == 1  # the old one is removed once nobody reads it
    assert (index_dir(service.settings) / "CURRENT").read_text() == generations[0].name


async def announce(bus: Bus, slug: str, name: str) -> None:
    await bus.send(TenantUpserted(
        tenant=slug, kind="ward", name=name, domain=f"{slug}.hanoi.gov.vn", languages=["vi"],
        parent="hanoi", owner=slug, sequence=100, active=True,
    ))  # fmt: skip


async def test_the_citizens_search_page(search) -> None:
    _service, http, bus = search
    await announce(bus, "hoankiem", "Phường Hoàn Kiếm")
    await announce(bus, "badinh", "Phường Ba Đình")
    for i in range(12):
        await bus.send(article(f"trang-{i}", f"Thông báo lịch tiêm chủng đợt {i + 1}",
                               when=NOW - timedelta(days=i)))  # fmt: skip
    await bus.send(article("bd-tiem", "Lịch tiêm chủng ở Ba Đình", tenant="badinh"))
    await eventually(lambda: _total(http, "lich tiem chung", 13), timeout=30)
    home = {"Host": "hoankiem.localhost"}

    async def page(**params: str):
        return await http.get("/tim-kiem", params=params, headers=home)

    async def sites_known() -> bool:  # the tenant topic has its own consumer
        everywhere = await page(q="lich tiem chung", **{"pham-vi": "tat-ca"})
        return everywhere.status_code == 200 and "Phường Ba Đình" in everywhere.text

    await eventually(sites_known, timeout=30)
    await bus.send(CategoryTreeUpdated(
        tenant="hoankiem", sequence=50, categories=[
            CategoryItem(slug="tin-tuc", name="Tin tức – Sự kiện", position=0)],
    ))  # fmt: skip

    async def category_named() -> bool:
        facets = (await found(http, "lich tiem chung", site="hoankiem"))["facets"]
        return {"value": "tin-tuc", "label": "Tin tức – Sự kiện", "count": 12} in facets["category"]

    await eventually(category_named, timeout=30)
    empty = await page()
    assert empty.status_code == 200 and "gõ có dấu hoặc không dấu" in empty.text
    assert 'src="/tim-kiem/goi-y.js"' in empty.text
    r = await page(q="lich tiem chung")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "Tìm thấy 12 kết quả" in r.text and "trên Phường Hoàn Kiếm" in r.text
    assert "<mark>lịch</mark>" in r.text.lower() and 'href="/tin-tuc/trang-0"' in r.text
    assert "Ba Đình" not in r.text.split('<p class="result-count"')[1]
    assert 'rel="next"' in r.text and "trang=2" in r.text
    assert ">Tin tức – Sự kiện</a>" in r.text  # the category facet, by its name
    second = await page(q="lich tiem chung", trang="2")
    assert "đang xem 11–12" in second.text and 'rel="prev"' in second.text
    everywhere = await page(q="lich tiem chung", **{"pham-vi": "tat-ca"})
    assert "Tìm thấy 13 kết quả" in everywhere.text
    assert "http://badinh.localhost:8000/tin-tuc/bd-tiem" in everywhere.text or (
        "https://badinh.hanoi.gov.vn/tin-tuc/bd-tiem" in everywhere.text
    )
    assert "Phường Ba Đình" in everywhere.text  # in the result and the site facet
    one_site = await page(q="lich tiem chung", **{"pham-vi": "tat-ca", "trang-web": "badinh"})
    assert "Tìm thấy 1 kết quả" in one_site.text and "bỏ lọc" in one_site.text
    typo = await page(q="lich tiem chunh")
    assert "Có phải bạn muốn tìm" in typo.text and "lich+tiem+chung" in typo.text
    nothing = await page(q="khong co gi ca xyzw")
    assert "Không tìm thấy kết quả nào" in nothing.text and "pham-vi=tat-ca" in nothing.text
    bad = await page(q="x", trang="abc")
    assert bad.status_code == 400 and "Trang kết quả phải là số." in bad.text
    hostile = await page(q='<script>alert(1)</script>"')
    assert hostile.status_code == 200 and "<script>alert" not in hostile.text
    for raw in ("q=%00", "q=%FF%FE", "q=%C3", "trang=%EF%BC%92", "q=" + "a" * 3000):
        odd = await http.get(f"/tim-kiem?{raw}", headers=home)
        assert odd.status_code in (200, 400), (raw, odd.status_code)
        assert "text/html" in odd.headers["content-type"]
    unknown = await http.get("/tim-kiem", params={"q": "x"}, headers={"Host": "khong-co.localhost"})
    assert unknown.status_code == 404
    script = await http.get("/tim-kiem/goi-y.js", headers=home)
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


async def _total(http, q: str, expected: int) -> bool:
    return (await found(http, q))["total"] == expected


async def test_a_closed_site_s_documents_leave_search_and_come_back_if_it_reopens(search) -> None:
    _service, http, bus = search

    async def site(active: bool, sequence: int) -> None:
        await bus.send(TenantUpserted(
            tenant="phuongcu", kind="ward", name="Phường Cũ", domain="phuongcu.hanoi.gov.vn",
            languages=["vi"], parent="hanoi", owner="phuongcu", sequence=sequence, active=active,
        ))  # fmt: skip

    await site(True, 1)
    await bus.send(article("cu-1", "Thông báo của phường sắp sáp nhập", tenant="phuongcu"))
    await eventually(lambda: ids(http, "phuong sap sap nhap"), timeout=30)
    await site(False, 2)
    await eventually(lambda: _empty(http, "phuong sap sap nhap"), timeout=30)
    await site(True, 3)
    await eventually(lambda: ids(http, "phuong sap sap nhap"), timeout=30)
