"""The page stores' contract, on the in-process store and, with REDIS_URL, on Redis."""

from __future__ import annotations

import gzip
import os
import uuid
from collections.abc import AsyncIterator

import brotli
import pytest

from gateway.cache import MemoryStore, PageStore, RedisStore, dump, load, make_page

STORES = ["memory", "redis"] if os.environ.get("REDIS_URL") else ["memory"]
HTML = [(b"content-type", b"text/html; charset=utf-8")]


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[PageStore]:
    if request.param == "memory":
        memory = MemoryStore(max_bytes=1024 * 1024)
        yield memory
        return
    redis_store = RedisStore(os.environ["REDIS_URL"], namespace=f"test:{uuid.uuid4().hex}")
    try:
        yield redis_store
    finally:
        keys = [k async for k in redis_store.redis.scan_iter(match=f"{redis_store.ns}:*")]
        if keys:
            await redis_store.redis.delete(*keys)
        await redis_store.close()


def page(text: str, *keys: str, ttl: float = 300) -> object:
    return make_page(200, HTML, text.encode(), frozenset(keys), ttl)


async def test_a_page_is_kept_and_served_by_key(store: PageStore) -> None:
    body = "<p>Tin mới</p>" * 100
    generation = await store.generation("hk")
    assert await store.put("hoankiem|/?", page(body, "site:hoankiem"), "hk", generation)
    got = await store.get("hoankiem|/?")
    assert got is not None
    assert got.body == body.encode()
    assert gzip.decompress(got.gzip) == got.body
    assert brotli.decompress(got.br) == got.body
    assert await store.get("badinh|/?") is None


async def test_purge_drops_every_page_with_the_key_and_no_other(store: PageStore) -> None:
    generation = await store.generation("hk")
    await store.put("hk|/a?", page("a", "site:hk", "article:1"), "hk", generation)
    await store.put("hk|/?", page("home", "site:hk", "list:hk", "article:1"), "hk", generation)
    await store.put("hk|/b?", page("b", "site:hk", "article:2"), "hk", generation)
    await store.put("bd|/a?", page("a", "site:bd", "article:3"), "bd", await store.generation("bd"))
    assert await store.purge(["hk"], ["article:1"]) == 2
    assert await store.get("hk|/a?") is None
    assert await store.get("hk|/?") is None
    assert await store.get("hk|/b?") is not None
    assert await store.get("bd|/a?") is not None
    assert await store.purge(["hk"], ["site:hk"]) == 1
    assert await store.get("hk|/b?") is None
    assert await store.get("bd|/a?") is not None


async def test_a_page_fetched_before_a_purge_is_not_kept(store: PageStore) -> None:
    """A render that started before the purge may show the old content: dropping it is
    the only way never to serve it after the change."""
    before = await store.generation("hk")
    await store.purge(["hk"], ["article:1"])
    assert not await store.put("hk|/a?", page("old", "article:1"), "hk", before)
    assert await store.get("hk|/a?") is None
    assert await store.put("hk|/a?", page("new", "article:1"), "hk", await store.generation("hk"))
    # Another site's purge does not hold this one up.
    now = await store.generation("hk")
    await store.purge(["bd"], ["article:9"])
    assert await store.put("hk|/b?", page("b", "article:2"), "hk", now)


async def test_expired_pages_are_not_served(store: PageStore) -> None:
    stale = page("old", "site:hk", ttl=1)
    object.__setattr__(stale, "stored_at", stale.stored_at - 5)
    await store.put("hk|/?", stale, "hk", await store.generation("hk"))
    assert await store.get("hk|/?") is None


def test_dump_and_load_keep_everything() -> None:
    original = make_page(
        301, [(b"location", b"/moi"), *HTML], b"x" * 1000, frozenset({"a", "b"}), 60
    )
    assert load(dump(original)) == original


async def test_memory_store_stays_within_its_bytes() -> None:
    store = MemoryStore(max_bytes=20_000)
    generation = await store.generation("hk")
    for n in range(50):
        await store.put(f"k{n}", page("x" * 400 + str(n), f"article:{n}"), "hk", generation)
    assert store._bytes <= 20_000
    assert await store.get("k49") is not None  # the newest stay
    assert await store.get("k0") is None  # the oldest went first
    # The tag index forgets evicted pages: a purge finds only what is there.
    assert "article:0" not in store._tagged
    assert await store.purge(["hk"], ["article:49"]) == 1
