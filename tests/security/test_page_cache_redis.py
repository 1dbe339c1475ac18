"""The shared page cache (Redis) failing under the gateway: Redis that hangs (a full
or overloaded server, a network that drops packets) or refuses; a purge that comes
while it is away; and one more gateway starting beside the others (autoscaling) on
the same Redis. Pages must be served all the while, and the cache must come back
correct and not emptied.

Redis is reached through a FaultyLink (tests/security/faultylink.py), so the faults
are real network behaviour between the gateway and a real Redis."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import eventually, running, settings_for
from faultylink import FaultyLink
from gatedplatform import Gated, gated_platform

from contracts import PagesChanged
from gateway.__main__ import build as build_gateway
from runtime.embedded import EmbeddedKafka

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="the shared page cache is Redis: set REDIS_URL"
)


@pytest.fixture(scope="module")
async def link() -> AsyncIterator[FaultyLink]:
    assert REDIS_URL
    target = urlsplit(REDIS_URL)
    faulty = await FaultyLink(target.hostname or "127.0.0.1", target.port or 6379).start()
    yield faulty
    await faulty.stop()


@pytest.fixture(scope="module")
async def platform(
    tmp_path_factory: pytest.TempPathFactory, link: FaultyLink
) -> AsyncIterator[Gated]:
    assert REDIS_URL
    path = urlsplit(REDIS_URL).path or "/0"
    with EmbeddedKafka() as kafka:
        async with settings_for(tmp_path_factory.mktemp("redis"), kafka) as settings:
            settings = settings.with_overrides(redis_url=f"redis://127.0.0.1:{link.port}{path}")
            async with gated_platform(settings) as gated:
                yield gated


async def timed_get(gated: Gated, path: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    r = await gated.get(path, timeout=httpx.Timeout(8.0))
    return r, time.monotonic() - started


async def cached(gated: Gated, path: str) -> bool:
    return (await gated.get(path)).headers.get("x-cache") == "HIT"


async def readiness(gated: Gated) -> dict[str, object]:
    r = await gated.get("/readyz", host="127.0.0.1")
    assert r.status_code == 200, r.text  # a cache away never takes the gateway out
    return r.json()


@pytest.mark.parametrize("fault", ["stalled", "refusing"])
async def test_pages_are_served_while_redis_is_away(
    platform: Gated, link: FaultyLink, fault: str
) -> None:
    link.set("passing")
    await eventually(lambda: cached(platform, "/"), timeout=30)
    link.set(fault)  # type: ignore[arg-type]
    try:
        for path in ("/", "/tin-tuc", "/van-ban"):
            r, took = await timed_get(platform, path)
            assert r.status_code in (200, 404), (path, r.status_code)
            assert "<html" in r.text
            assert took < 4.0, f"{path} took {took:.1f} s with Redis {fault}"
        checks = (await readiness(platform))["checks"]
        assert str(checks["cache"]).startswith("degraded")  # type: ignore[index]
    finally:
        link.set("passing")
    # Back: pages are stored and served from the cache again.
    await eventually(lambda: cached(platform, "/"), timeout=30)
    assert (await readiness(platform))["checks"]["cache"] == "ok"  # type: ignore[index]


async def test_a_purge_missed_while_redis_was_away_is_applied_when_it_is_back(
    platform: Gated, link: FaultyLink
) -> None:
    link.set("passing")
    await eventually(lambda: cached(platform, "/van-ban"), timeout=30)
    renderer = platform.services["renderer"]
    link.set("stalled")
    try:
        # What renderer emits when a site's pages change, while Redis cannot take it.
        async with renderer.unit_of_work() as uow:
            uow.emit(PagesChanged(tenant="hoankiem", keys=["site:hoankiem"]))
            await uow.commit()
        await asyncio.sleep(3)  # the gateway receives the purge and cannot apply it
    finally:
        link.set("passing")
    # The page stored before the change must not come back from the cache.
    r = await platform.get("/van-ban")
    assert r.headers.get("x-cache") == "MISS"


async def test_a_new_gateway_does_not_empty_the_shared_cache(platform: Gated) -> None:
    # The platform's start made purges (the demo sites and articles) on the topic.
    await eventually(lambda: cached(platform, "/"), timeout=30)
    # Purges from before its start are not its to apply (the first gateway applied
    # them); a short look-back keeps those of the tests above out of this one.
    settings = platform.settings.with_overrides(page_purge_lookback_seconds=0.5)
    async with running(build_gateway, settings) as (_svc, second):
        await eventually(
            lambda: second.get("/", headers={"Host": "hoankiem.localhost"}), timeout=60
        )
        # Long enough for the new gateway to read the whole purge topic.
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            assert await cached(platform, "/"), "the new gateway purged the shared cache"
            await asyncio.sleep(0.5)
