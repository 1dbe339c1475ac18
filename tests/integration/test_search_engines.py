"""The contract every search engine keeps, run against each: tantivy always, and
OpenSearch when OPENSEARCH_URL names one (none can run on this machine; the
OpenSearch request bodies are also checked in tests/unit/test_opensearch_bodies.py)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.search.documents import SearchDoc, make_query
from services.search.engine import Engine

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def make_engine(kind: str, root: Path) -> Engine:
    if kind == "tantivy":
        from services.search.tantivy_engine import TantivyEngine

        return TantivyEngine(root / "index", now=lambda: NOW)
    from services.search.opensearch_engine import OpenSearchEngine

    url = os.environ["OPENSEARCH_URL"]
    return OpenSearchEngine(url, alias=f"contract-{uuid.uuid4().hex[:8]}")


@pytest.fixture(params=["tantivy", "opensearch"])
async def engine(request, tmp_path) -> AsyncIterator[Engine]:
    if request.param == "opensearch" and not os.environ.get("OPENSEARCH_URL"):
        pytest.skip("OpenSearch: set OPENSEARCH_URL to run the contract on it")
    engine = make_engine(request.param, tmp_path)
    await engine.start()
    try:
        yield engine
    finally:
        await engine.close()


def doc(
    key: str, title: str, *, body: str = "", site: str = "hoankiem", type: str = "news",
    when: datetime = NOW, summary: str = "", category: str = "tin-tuc",
) -> SearchDoc:  # fmt: skip
    return SearchDoc(
        id=f"article:{key}", site=site, type=type, title=title, summary=summary,
        body=body or title, path=f"/tin-tuc/{key}", category=category,
        category_name="Tin tức", published_at=when,
    )  # fmt: skip


async def ids(engine: Engine, q: str, **params: object) -> list[str]:
    results = await engine.search(make_query(q, **params))  # type: ignore[arg-type]
    return [hit.id for hit in results.hits]


CORPUS = [
    doc("gpxd", "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ", type="document",
        body="Hồ sơ đề nghị cấp giấy phép xây dựng gồm đơn, bản vẽ thiết kế."),
    doc("gplx", "Cấp đổi giấy phép lái xe", body="Đổi giấy phép lái xe do ngành giao thông cấp."),
    doc("kethon", "Đăng ký kết hôn", site="badinh",
        body="Hai bên nam nữ nộp tờ khai đăng ký kết hôn tại UBND phường."),
    doc("lyhon", "Thủ tục ly hôn thuận tình", body="Ly hôn do tòa án giải quyết."),
    doc("danang", "Đà Nẵng đón khách du lịch Hà Nội", when=NOW - timedelta(days=700)),
    doc("da", "Giá đá ốp lát giảm mạnh", when=NOW - timedelta(days=1)),
    doc("ubnd", "Ủy ban nhân dân phường Hoàn Kiếm tiếp công dân", when=NOW - timedelta(days=30)),
    doc("tthc", "Công khai thủ tục hành chính năm 2026", type="announcement"),
    doc("scattered", "Cấp phép cho dự án xây dựng và giấy tờ thủ tục liên quan",
        when=NOW - timedelta(days=2)),
    doc("body-only", "Tin hoạt động tuần này",
        body="Trong tuần phường hướng dẫn thủ tục cấp giấy phép xây dựng cho người dân."),
]  # fmt: skip


async def load(engine: Engine) -> None:
    await engine.upsert(CORPUS)


async def test_documents_are_found_as_soon_as_written_and_replaced_by_id(engine) -> None:
    await load(engine)
    assert await engine.count() == len(CORPUS)
    assert "article:kethon" in await ids(engine, "dang ky ket hon")
    await engine.upsert([doc("kethon", "Đăng ký khai sinh", site="badinh")])
    assert await ids(engine, "dang ky ket hon") == []
    assert await ids(engine, "dang ky khai sinh") == ["article:kethon"]
    assert await engine.count() == len(CORPUS)


async def test_deleted_documents_are_gone_and_unknown_ids_are_fine(engine) -> None:
    await load(engine)
    await engine.delete(["article:gplx", "article:never-was"])
    assert "article:gplx" not in await ids(engine, "giay phep lai xe")
    assert await engine.count() == len(CORPUS) - 1


async def test_vietnamese_without_diacritics_finds_the_text_with_them(engine) -> None:
    await load(engine)
    assert (await ids(engine, "thu tuc cap giay phep xay dung"))[0] == "article:gpxd"
    assert (await ids(engine, "dang ky ket hon"))[0] == "article:kethon"
    assert (await ids(engine, "ĐĂNG KÝ KẾT HÔN"))[0] == "article:kethon"
    assert "article:lyhon" not in await ids(engine, "dang ky ket hon")


async def test_marks_typed_rank_the_exact_word_first(engine) -> None:
    await load(engine)
    # "đá" is newer; typed with its marks, "Đà" still puts Đà Nẵng first.
    assert (await ids(engine, "Đà"))[:2] == ["article:danang", "article:da"]
    assert (await ids(engine, "đá"))[0] == "article:da"


async def test_exact_phrase_then_title_then_body(engine) -> None:
    await load(engine)
    ranked = await ids(engine, "thu tuc cap giay phep xay dung")
    assert ranked.index("article:gpxd") < ranked.index("article:body-only")
    scattered = await ids(engine, "cap phep xay dung")
    # The title with the words in order beats the newer title with them scattered.
    assert scattered[0] == "article:gpxd"


async def test_recency_breaks_ties(engine) -> None:
    await engine.upsert([
        doc("old", "Lịch tiếp công dân", when=NOW - timedelta(days=900)),
        doc("new", "Lịch tiếp công dân", when=NOW - timedelta(days=3)),
    ])  # fmt: skip
    assert await ids(engine, "lich tiep cong dan") == ["article:new", "article:old"]


async def test_synonyms_match_both_ways(engine) -> None:
    await load(engine)
    assert "article:ubnd" in await ids(engine, "ubnd phuong hoan kiem")
    assert "article:kethon" in await ids(engine, "ủy ban nhân dân phường")
    assert "article:tthc" in await ids(engine, "tthc 2026")


async def test_filters_by_site_type_and_whole_days_in_hanoi_time(engine) -> None:
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC) + timedelta(hours=-7)  # 23:30 in Hanoi
    await engine.upsert([*CORPUS, doc("late", "Họp báo cuối ngày", when=late)])
    assert await ids(engine, "dang ky ket hon", site="hoankiem") == []
    assert await ids(engine, "giay phep", type="document") == ["article:gpxd"]
    assert await ids(engine, "hop bao", date_from="2026-03-01", date_to="2026-03-01") == [
        "article:late"
    ]
    assert await ids(engine, "hop bao", date_from="2026-03-02") == []
    assert await ids(engine, "hop bao", date_to="2026-02-28") == []


async def test_facets_count_the_results(engine) -> None:
    await load(engine)
    results = await engine.search(make_query(""))
    sites = {f.value: f.count for f in results.facets["site"]}
    assert sites == {"hoankiem": len(CORPUS) - 1, "badinh": 1}
    types = {f.value: f.count for f in results.facets["type"]}
    assert types["document"] == 1 and types["announcement"] == 1
    years = {f.value: f.count for f in results.facets["year"]}
    assert years["2024"] == 1 and sum(years.values()) == len(CORPUS)
    assert {f.value for f in results.facets["category"]} == {"tin-tuc"}


async def test_an_empty_query_lists_everything_newest_first_in_pages(engine) -> None:
    await load(engine)
    first = await engine.search(make_query("", size=4))
    second = await engine.search(make_query("", size=4, page=2))
    assert first.total == second.total == len(CORPUS)
    dates = [h.published_at for h in first.hits + second.hits]
    assert dates == sorted(dates, reverse=True)
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


async def test_snippets_mark_the_words_and_escape_the_text(engine) -> None:
    await engine.upsert([doc("x", "Thông báo", body="Hướng dẫn <b>đăng ký</b> kết hôn & ly hôn")])
    hit = (await engine.search(make_query("dang ky ket hon"))).hits[0]
    assert "<mark>" in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;b&gt;" in hit.snippet or "&amp;" in hit.snippet


async def test_autocomplete_completes_titles_on_one_site_or_all(engine) -> None:
    await load(engine)
    assert "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ" in await engine.suggest("thu tuc cap g")
    assert await engine.suggest("dang ky ket", site="hoankiem") == []
    assert await engine.suggest("dang ky ket", site="badinh") == ["Đăng ký kết hôn"]
    assert await engine.suggest("") == []


async def test_did_you_mean_respells_unknown_words(engine) -> None:
    await load(engine)
    results = await engine.search(make_query("dang ky ket hpn"))
    assert results.suggestion == "dang ky ket hon"
    assert (await engine.search(make_query("dang ky ket hon"))).suggestion is None


HOSTILE = ['"', "(", "AND", "title:x", "*", "~2", "[a TO b]", "\\", "🙂", "đ" * 200, "a:b"]


async def test_hostile_text_is_just_text(engine) -> None:
    await load(engine)
    for q in HOSTILE:
        results = await engine.search(make_query(q))
        assert results.total >= 0
        assert isinstance(await engine.suggest(q), list)


async def test_a_rebuild_swaps_in_the_new_index_while_search_goes_on(engine) -> None:
    await load(engine)
    failures: list[BaseException] = []
    searches = 0
    stop = asyncio.Event()

    async def citizens() -> None:
        nonlocal searches
        while not stop.is_set():
            try:
                await engine.search(make_query("giay phep"))
                searches += 1
            except Exception as exc:  # any failure during the swap breaks the contract
                failures.append(exc)
            await asyncio.sleep(0)

    async def batches() -> AsyncIterator[list[SearchDoc]]:
        for i in range(0, 3000, 500):
            yield [doc(f"r{j}", f"Văn bản số {j} về giấy phép") for j in range(i, i + 500)]
            await asyncio.sleep(0.01)

    task = asyncio.create_task(citizens())
    assert await engine.rebuild(batches()) == 3000
    stop.set()
    await task
    assert not failures and searches > 0
    assert await engine.count() == 3000
    assert await ids(engine, "dang ky ket hon") == []  # only the rebuilt documents
    assert (await engine.search(make_query("giay phep"))).total == 3000
    await engine.upsert([doc("after", "Đăng ký kết hôn sau khi dựng lại")])
    assert await ids(engine, "dang ky ket hon") == ["article:after"]
