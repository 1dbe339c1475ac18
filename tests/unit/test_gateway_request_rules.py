"""The gateway's request-line rules (gateway/paths.py) and its guard around the page
store (gateway/cache.GuardedStore)."""

from __future__ import annotations

import asyncio

import pytest

from gateway.cache import GuardedStore, MemoryStore, make_page
from gateway.paths import is_internal, page_path, page_query, path_problem


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/media/../metrics", b"/media/%2e%2e/metrics"),
        ("/media/./x", b"/media/./x"),
        ("/media/a/b", b"/media/a%2Fb"),
        ("/media/a\\b", b"/media/a%5cb"),
        ("/a\x00", b"/a%00"),
        ("/..", b"/.."),
    ],
)
def test_structural_paths_are_refused(path: str, raw: bytes) -> None:
    assert path_problem(path, raw) is not None


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/", b"/"),
        ("/tin-tuc/bai.viet", b"/tin-tuc/bai%2eviet"),
        ("/tin-tuc/đường-phố", "/tin-tuc/đường-phố".encode()),
        ("/media/hoankiem/1/a..b.pdf", b"/media/hoankiem/1/a..b.pdf"),
    ],
)
def test_ordinary_paths_pass(path: str, raw: bytes) -> None:
    assert path_problem(path, raw) is None


def test_internal_endpoints() -> None:
    for path in ("/metrics", "/readyz", "/healthz", "/schema", "/schema/openapi.json"):
        assert is_internal(path)
    for path in ("/metricsx", "/schemas-of-the-city", "/tin-tuc/metrics", "/"):
        assert not is_internal(path)


def test_page_query_keeps_what_pages_read_in_one_order() -> None:
    assert page_query(b"utm_source=zalo&fbclid=1") == ""
    assert page_query(b"trang=2&nam=2025") == page_query(b"nam=2025&utm=x&trang=2")
    assert page_query(b"trang=2&trang=3") == "trang=2"  # the first wins, as pages read it
    assert page_query("q=giấy phép".encode()) == "q=gi%E1%BA%A5y%20ph%C3%A9p"
    assert page_query(b"q=%ff") is None  # not UTF-8: the page says so, uncached
    assert page_query(b"a=1&" * 30) is None
    assert page_query(b"q=" + b"x" * 3000) is None


def test_page_path_spells_a_path_one_way() -> None:
    assert page_path("/tin-tuc") == "/tin-tuc"
    assert page_path("/tin tuc/đ") == "/tin%20tuc/%C4%91"


class BrokenStore(MemoryStore):
    """A store whose every call hangs (a Redis that stopped answering)."""

    hang = True

    async def get(self, key: str):  # type: ignore[no-untyped-def]
        if self.hang:
            await asyncio.sleep(60)
        return await super().get(key)

    async def purge(self, tenants: list[str], keys: list[str]) -> int:
        if self.hang:
            await asyncio.sleep(60)
        return await super().purge(tenants, keys)


async def test_the_guard_misses_fast_then_skips_the_store_then_catches_up() -> None:
    now = [0.0]
    inner = BrokenStore()
    page = make_page(200, [], b"<html>", frozenset({"site:hoankiem", "article:1"}), 300)
    assert await inner.put("k", page, "hoankiem", 0)
    guard = GuardedStore(inner, timeout=0.05, cooldown=5.0, clock=lambda: now[0])
    assert await guard.get("k") is None  # timed out: a miss, not an error
    assert guard.state.startswith("degraded")
    assert await guard.generation("hoankiem") == -1  # skipped while the circuit is open
    assert not await guard.put("k", page, "hoankiem", -1)
    assert await guard.purge(["hoankiem"], ["article:1"]) == 0  # remembered, not lost
    inner.hang = False
    now[0] = 6.0
    assert await guard.get("k") is None  # the site's pages were dropped before reading
    assert guard.state == "ok"
    assert await guard.generation("hoankiem") == 1
