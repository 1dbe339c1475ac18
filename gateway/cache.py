"""The gateway's page cache: whole pages, keyed by tenant and URL, dropped by events.

renderer marks each page with surrogate keys (`Surrogate-Key: site:hoankiem
article:<id> ...`) and, in the transaction that changes its read model, emits
`PagesChanged` with the keys of every page that now reads differently. The gateway
drops those pages; the next request renders them again.

A fetch that started before a purge may carry the old page and arrive after it. Every
purge moves its site's generation counter; a page is stored only if its site's
generation did not move while it was being fetched, so the cache never keeps a page
older than the last purge. (Per site: the 151 sites' changes do not hold each other
up.) Entries also expire after the page's s-maxage, as a safety net.

Two stores with the same contract: in this process (bounded LRU) or Redis (shared by
every gateway instance, when REDIS_URL is set). A cache must never be why a page is not
served: `GuardedStore` bounds every call to the store by a short timeout, and after a
failure skips the store for a while (pages render through, nothing is stored); purges
it could not apply meanwhile are applied, to the whole site, when the store is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import json
import logging
import struct
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import brotli
from prometheus_client import Counter

log = logging.getLogger("portal.gateway.cache")

STORE_FAILURES = Counter(
    "portal_gateway_cache_store_failures", "Page store calls that failed or timed out", ["op"]
)

T = TypeVar("T")

#: Below this, compressing costs more than it saves.
MIN_COMPRESS_BYTES = 512
#: Brotli's quality for stored pages. 5 takes ~0.5 ms for a 10 KB page, a few per cent
#: larger than 9, which takes ~10 ms in the event loop: a burst of purged pages (a
#: cross-post to 140 sites) queued behind it.
BROTLI_QUALITY = 5
COMPRESSIBLE = (b"text/", b"application/xml", b"application/rss+xml", b"application/json")


@dataclass(frozen=True, slots=True)
class CachedPage:
    status: int
    #: Response headers as sent, without length, encoding, ETag or surrogate keys.
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    #: Compressed copies, made once when stored ("" when not worth it).
    gzip: bytes
    br: bytes
    etag: str
    keys: frozenset[str]
    stored_at: float
    ttl: float

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip) + len(self.br) + 200

    def fresh(self, now: float) -> bool:
        return now - self.stored_at < self.ttl


def make_page(
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    keys: frozenset[str],
    ttl: float,
) -> CachedPage:
    content_type = next((v for k, v in headers if k == b"content-type"), b"")
    packed_gzip = packed_br = b""
    if len(body) >= MIN_COMPRESS_BYTES and content_type.startswith(COMPRESSIBLE):
        packed_gzip = gzip.compress(body, compresslevel=6, mtime=0)
        packed_br = brotli.compress(body, quality=BROTLI_QUALITY)
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return CachedPage(
        status, tuple(headers), body, packed_gzip, packed_br, etag, keys, time.time(), ttl
    )


# --- serialisation (Redis) ---------------------------------------------------------

_HEAD = struct.Struct("!I")


def dump(page: CachedPage) -> bytes:
    meta = {
        "s": page.status,
        "h": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in page.headers],
        "e": page.etag,
        "k": sorted(page.keys),
        "t": page.stored_at,
        "l": page.ttl,
        "n": [len(page.body), len(page.gzip), len(page.br)],
    }
    head = json.dumps(meta, separators=(",", ":")).encode()
    return _HEAD.pack(len(head)) + head + page.body + page.gzip + page.br


def load(blob: bytes) -> CachedPage:
    (size,) = _HEAD.unpack_from(blob)
    meta = json.loads(blob[4 : 4 + size])
    start = 4 + size
    plain, packed_gzip, packed_br = meta["n"]
    body = blob[start : start + plain]
    start += plain
    gz = blob[start : start + packed_gzip]
    start += packed_gzip
    br = blob[start : start + packed_br]
    return CachedPage(
        status=meta["s"],
        headers=tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["h"]),
        body=body,
        gzip=gz,
        br=br,
        etag=meta["e"],
        keys=frozenset(meta["k"]),
        stored_at=meta["t"],
        ttl=meta["l"],
    )


# --- stores --------------------------------------------------------------------------


class PageStore(Protocol):
    async def get(self, key: str) -> CachedPage | None: ...

    async def generation(self, tenant: str) -> int: ...

    async def put(self, key: str, page: CachedPage, tenant: str, generation: int) -> bool:
        """Store unless a purge for `tenant` happened since `generation` was read."""
        ...

    async def purge(self, tenants: list[str], keys: list[str]) -> int:
        """Drop every page carrying one of `keys`, moving the tenants' generations;
        how many pages were dropped."""
        ...

    async def close(self) -> None: ...


@dataclass
class MemoryStore:
    """An LRU bounded by bytes, with an index from surrogate key to cache keys."""

    max_bytes: int = 256 * 1024 * 1024
    _pages: OrderedDict[str, CachedPage] = field(default_factory=OrderedDict)
    _tagged: dict[str, set[str]] = field(default_factory=dict)
    _bytes: int = 0
    _generations: dict[str, int] = field(default_factory=dict)

    async def get(self, key: str) -> CachedPage | None:
        page = self._pages.get(key)
        if page is None:
            return None
        if not page.fresh(time.time()):
            self._drop(key)
            return None
        self._pages.move_to_end(key)
        return page

    async def generation(self, tenant: str) -> int:
        return self._generations.get(tenant, 0)

    async def put(self, key: str, page: CachedPage, tenant: str, generation: int) -> bool:
        if generation != self._generations.get(tenant, 0) or page.size > self.max_bytes // 4:
            return False
        self._drop(key)
        self._pages[key] = page
        self._bytes += page.size
        for tag in page.keys:
            self._tagged.setdefault(tag, set()).add(key)
        while self._bytes > self.max_bytes and self._pages:
            self._drop(next(iter(self._pages)))
        return True

    async def purge(self, tenants: list[str], keys: list[str]) -> int:
        for tenant in tenants:
            self._generations[tenant] = self._generations.get(tenant, 0) + 1
        dropped = 0
        for tag in keys:
            for key in self._tagged.pop(tag, set()):
                dropped += self._drop(key)
        return dropped

    def _drop(self, key: str) -> int:
        page = self._pages.pop(key, None)
        if page is None:
            return 0
        self._bytes -= page.size
        for tag in page.keys:
            members = self._tagged.get(tag)
            if members is not None:
                members.discard(key)
                if not members:
                    del self._tagged[tag]
        return 1

    async def close(self) -> None:
        self._pages.clear()
        self._tagged.clear()


# Store only if the generation is unchanged, with the page's tags, atomically.
_PUT = """
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
for i = 4, #ARGV do
  redis.call('SADD', ARGV[i], KEYS[2])
  redis.call('EXPIRE', ARGV[i], tonumber(ARGV[3]) + 60)
end
return 1
"""
# Move the generations, then drop every page of every tag, and the tags.
_PURGE = """
for i = 1, #KEYS do redis.call('INCR', KEYS[i]) end
local dropped = 0
for i = 1, #ARGV do
  local pages = redis.call('SMEMBERS', ARGV[i])
  for _, page in ipairs(pages) do dropped = dropped + redis.call('DEL', page) end
  redis.call('DEL', ARGV[i])
end
return dropped
"""


class RedisStore:
    """Pages in Redis, shared by every gateway instance."""

    def __init__(self, url: str, namespace: str = "portal:pages", timeout: float = 0.25) -> None:
        from redis.asyncio import Redis

        # A cache that answers late is worse than none: give up fast, never retry.
        self.redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            socket_keepalive=True,
            retry_on_timeout=False,
            retry=None,
            health_check_interval=30,
        )
        self.ns = namespace
        self._put = self.redis.register_script(_PUT)
        self._purge = self.redis.register_script(_PURGE)

    def _page_key(self, key: str) -> str:
        return f"{self.ns}:page:{key}"

    def _tag_key(self, tag: str) -> str:
        return f"{self.ns}:tag:{tag}"

    def _gen_key(self, tenant: str) -> str:
        return f"{self.ns}:generation:{tenant}"

    async def get(self, key: str) -> CachedPage | None:
        blob = await self.redis.get(self._page_key(key))
        if blob is None:
            return None
        page = load(blob)
        return page if page.fresh(time.time()) else None

    async def generation(self, tenant: str) -> int:
        return int(await self.redis.get(self._gen_key(tenant)) or 0)

    async def put(self, key: str, page: CachedPage, tenant: str, generation: int) -> bool:
        tags = [self._tag_key(t) for t in sorted(page.keys)]
        ttl = max(1, int(page.ttl))
        stored = await self._put(
            keys=[self._gen_key(tenant), self._page_key(key)],
            args=[str(generation), dump(page), str(ttl), *tags],
        )
        return bool(stored)

    async def purge(self, tenants: list[str], keys: list[str]) -> int:
        return int(
            await self._purge(
                keys=[self._gen_key(t) for t in tenants], args=[self._tag_key(k) for k in keys]
            )
        )

    async def close(self) -> None:
        await self.redis.aclose()


class GuardedStore:
    """A store that may fail (Redis down, slow, full) behind one that does not.

    Every call is bounded by `timeout`; a failure opens the circuit for `cooldown`
    seconds, in which the store is not asked at all: `get` misses, `generation` is
    -1 and `put` keeps nothing, so pages render through at the renderer's pace. A
    purge that could not be applied is remembered by site and applied to every page
    of the site (`site:<tenant>`) before the store is read again.
    """

    def __init__(
        self,
        inner: PageStore,
        *,
        timeout: float = 0.3,
        cooldown: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.timeout = timeout
        self.cooldown = cooldown
        self._clock = clock
        self._open_until = 0.0
        self._dirty: set[str] = set()
        self.last_error: str | None = None

    @property
    def state(self) -> str:
        if self._clock() < self._open_until or self._dirty:
            return f"degraded: {self.last_error or 'purges waiting'}"
        return "ok"

    async def get(self, key: str) -> CachedPage | None:
        return await self._call("get", lambda: self.inner.get(key), None)

    async def generation(self, tenant: str) -> int:
        return await self._call("generation", lambda: self.inner.generation(tenant), -1)

    async def put(self, key: str, page: CachedPage, tenant: str, generation: int) -> bool:
        if generation < 0:  # read while the store was away: its age is unknown
            return False
        return await self._call("put", lambda: self.inner.put(key, page, tenant, generation), False)

    async def purge(self, tenants: list[str], keys: list[str]) -> int:
        dropped = await self._call("purge", lambda: self.inner.purge(tenants, keys), None)
        if dropped is None:
            self._dirty.update(tenants)
            return 0
        return dropped

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.inner.close()

    async def _call(self, op: str, call: Callable[[], Awaitable[T]], fallback: T) -> T:
        if self._clock() < self._open_until:
            return fallback
        try:
            async with asyncio.timeout(self.timeout):
                if self._dirty:
                    await self._catch_up()
                return await call()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any failure of a cache is a miss, never an error page
            STORE_FAILURES.labels(op).inc()
            self.last_error = f"{type(exc).__name__}: {exc}"[:200]
            self._open_until = self._clock() + self.cooldown
            log.warning(
                "page store failed: serving without it",
                extra={"op": op, "error": self.last_error, "retry_in": self.cooldown},
            )
            return fallback

    async def _catch_up(self) -> None:
        tenants = sorted(self._dirty)
        await self.inner.purge(tenants, [f"site:{t}" for t in tenants] + ["sitemaps"])
        self._dirty.difference_update(tenants)
        log.info("purges missed while the store was away applied", extra={"tenants": tenants})


@dataclass
class Singleflight:
    """One fetch per cache key at a time: a burst of misses on a purged page costs one
    render, not one per request."""

    _running: dict[str, asyncio.Future[object]] = field(default_factory=dict)

    def leader(self, key: str) -> asyncio.Future[object] | None:
        """None if the caller must fetch (and then call `done`); else a future to await."""
        running = self._running.get(key)
        if running is not None:
            return running
        self._running[key] = asyncio.get_running_loop().create_future()
        return None

    def done(self, key: str, result: object) -> None:
        future = self._running.pop(key, None)
        if future is not None and not future.done():
            future.set_result(result)
