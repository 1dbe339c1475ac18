"""Counting events per key in moving windows: the abuse limits services put on what
anyone may call (submissions per address or contact, guesses of secret links).

Built on the `limits` package's moving-window strategy: "at most N in any period
of T", exactly, with the moment the next event is allowed again. With REDIS_URL
set the counts live in Redis, shared by every replica; limits runs its check and
count there as one Lua script (atomic), and each key expires with its window. Without
Redis they live in this process, and at most `max_keys` keys are kept: past that the
keys idle longest are forgotten first (a flood of fresh keys cannot exhaust memory,
at worst it makes some old count restart).

Identifiers are hashed with the service's secret before they become keys: no email
address, phone number or IP address is written to Redis in the clear.

If Redis fails, the limiter lets events through and logs it: a limit is a guard
against abuse, and citizens must still be able to write when a cache is down.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Sequence

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool

from runtime.settings import Settings

log = logging.getLogger("portal.ratelimit")

Rule = RateLimitItem


def rules(text: str) -> tuple[Rule, ...]:
    """`"10 per 10 minutes; 50 per day"` as rules (ValueError if it does not parse)."""
    return tuple(parse_many(text))


class BoundedMemoryStorage(MemoryStorage):
    """limits' in-process storage for moving windows, kept small: per key only the
    times of the events still inside the window (at most the limit's count), and at
    most `max_keys` keys, the least recently used forgotten first. Nothing runs in
    the background: old times are dropped when their key is next touched."""

    def __init__(self, max_keys: int) -> None:
        super().__init__()
        self.max_keys = max_keys
        self.windows: OrderedDict[str, list[float]] = OrderedDict()

    def _live(self, key: str, limit: int, expiry: float, now: float) -> list[float]:
        stamps = [t for t in self.windows.get(key, ()) if t > now - expiry][-limit:]
        if not stamps:
            self.windows.pop(key, None)
        return stamps

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        now = time.time()
        stamps = self._live(key, limit, expiry, now)
        if len(stamps) + amount > limit:
            return False
        self.windows[key] = [*stamps, *[now] * amount]
        self.windows.move_to_end(key)
        while len(self.windows) > self.max_keys:
            self.windows.popitem(last=False)
        return True

    async def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        stamps = self._live(key, limit, expiry, now)
        return (stamps[0], len(stamps)) if stamps else (now, 0)

    async def clear(self, key: str) -> None:
        self.windows.pop(key, None)

    async def reset(self) -> int | None:
        count = len(self.windows)
        self.windows.clear()
        return count


class Limiter:
    """Moving-window limits, counted in Redis or in this process (see the module doc)."""

    def __init__(self, settings: Settings, namespace: str, *, max_keys: int = 200_000) -> None:
        self._secret = (settings.auth_secret or "portal").encode()[:64]
        self._pool: ConnectionPool | None = None
        if settings.redis_url:
            # Short timeouts: a Redis that hangs must not hold citizens' requests.
            self._pool = ConnectionPool.from_url(
                settings.redis_url, socket_connect_timeout=1, socket_timeout=1
            )
            self.key_prefix = f"{settings.schema_prefix}portal:ratelimit:{namespace}"
            self.storage: MemoryStorage | RedisStorage = RedisStorage(
                "async+" + settings.redis_url,
                implementation="redispy",
                key_prefix=self.key_prefix,
                wrap_exceptions=True,
                connection_pool=self._pool,
            )
        else:
            self.key_prefix = ""
            self.storage = BoundedMemoryStorage(max_keys)
        self._strategy = MovingWindowRateLimiter(self.storage)

    def _ids(self, name: str, value: str) -> tuple[str, str]:
        digest = hashlib.blake2b(value.encode(), digest_size=16, key=self._secret).hexdigest()
        return name, digest

    async def hit(self, limits: Sequence[Rule], name: str, value: str) -> int | None:
        """Count one event for `value` under every rule, if each has room: None then.
        Otherwise nothing is counted and the answer is the seconds until the fullest
        rule has room again (refused attempts do not push that moment further)."""
        ids = self._ids(name, value)
        try:
            wait = await self._wait(limits, ids)
            if wait is not None:
                return wait
            for rule in limits:
                if not await self._strategy.hit(rule, *ids):
                    # Another request took the last place since we looked.
                    return await self._wait(limits, ids) or 1
        except StorageError as exc:
            _storage_failed(exc)
        return None

    async def full(self, limits: Sequence[Rule], name: str, value: str) -> int | None:
        """Seconds until `value` may have one more event, or None if it may now;
        counts nothing (for limits on failures, counted with `hit` only when they fail)."""
        try:
            return await self._wait(limits, self._ids(name, value))
        except StorageError as exc:
            _storage_failed(exc)
            return None

    async def _wait(self, limits: Sequence[Rule], ids: tuple[str, str]) -> int | None:
        waits = []
        for rule in limits:
            if not await self._strategy.test(rule, *ids):
                stats = await self._strategy.get_window_stats(rule, *ids)
                waits.append(max(1, math.ceil(stats.reset_time - time.time())))
        return max(waits) if waits else None

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()


def _storage_failed(exc: StorageError) -> None:
    log.warning("rate limit storage failed, request let through: %s", exc.storage_error)
