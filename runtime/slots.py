"""Bounded room for costly work in one process: argon2 checks, parsing uploaded files,
decoding images. Each takes tens of megabytes and a core for a while; unbounded, a
burst of anonymous requests exhausts the process and every site it serves.

`Slots("uploads", 2)` lets two run at once (per event loop); the next waits up to
`wait` seconds, then gets `Busy`, which services answer with 503 and Retry-After: the
sender is told to come back, nothing is lost, and the process stays up.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

from prometheus_client import Gauge

ACTIVE = Gauge("portal_slots_active", "Costly tasks running now", ["slots"])

BUSY = "Hệ thống đang bận, xin vui lòng thử lại sau ít giây."


class Busy(Exception):
    """No room within the wait: 503, come back later."""

    def __init__(self, message: str = BUSY, retry_after: int = 5) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class Slots:
    def __init__(self, name: str, size: int, *, wait: float = 10.0, message: str = BUSY) -> None:
        self.name = name
        self.size = size
        self.wait = wait
        self.message = message
        self._semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()
        self.running = 0
        #: The most that ever ran at once (tests and benchmarks read it).
        self.peak = 0

    @contextlib.asynccontextmanager
    async def take(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.setdefault(loop, asyncio.Semaphore(self.size))
        try:
            async with asyncio.timeout(self.wait):
                await semaphore.acquire()
        except TimeoutError:
            raise Busy(self.message) from None
        self.running += 1
        self.peak = max(self.peak, self.running)
        ACTIVE.labels(self.name).inc()
        try:
            yield
        finally:
            self.running -= 1
            ACTIVE.labels(self.name).dec()
            semaphore.release()
