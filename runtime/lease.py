"""Leadership by lease: one replica of a service runs a singleton loop (the outbox
relay, the search indexer) while the others stand by.

A lease is a row in the service's own `leases` table: who holds it and until when,
by the database's clock, so replicas' clocks do not matter. The holder renews it
every third of its time to live; anyone may take it once it has expired. The holder
also keeps a local deadline (monotonic, started before each renewal was sent, so it
always ends before the row's expiry): when the deadline passes without a renewal
(the database is unreachable, the node was frozen, the connection dropped) the work
is cancelled before a standby can take over, and `valid()` is false from then on,
which the work checks before each side effect.

Nothing is held between renewals: each is one short statement on a pooled
connection, so a dropped connection costs one renewal, not the leadership of two.
A hard-killed holder is replaced one time-to-live later; a clean stop hands the
lease over at once. SQLite runs one process per service, so there is no lease.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress

from prometheus_client import Counter, Gauge
from sqlalchemy import text

from runtime.db import Database

log = logging.getLogger("portal.lease")

HELD = Gauge("portal_lease_held", "1 while this process holds the lease", ["lease"])
LOST = Counter("portal_lease_lost", "Leases lost before they were given up", ["lease"])

DEFAULT_TTL = 15.0

_TAKE = """
INSERT INTO leases (name, holder, expires_at)
VALUES (:name, :holder, now() + make_interval(secs => :ttl))
ON CONFLICT (name) DO UPDATE
   SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
 WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
RETURNING holder
"""
_GIVE_UP = "DELETE FROM leases WHERE name = :name AND holder = :holder"


class LeaseLost(Exception):
    """The lease ran out while the work still ran."""


def holder_id() -> str:
    """Names this process in the table: an operator sees which pod leads."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(
        self,
        db: Database,
        name: str,
        *,
        ttl: float = DEFAULT_TTL,
        holder: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not db.is_postgres:
            raise ValueError("leases are for PostgreSQL; SQLite runs one process per service")
        self._db = db
        self.name = name
        self.ttl = ttl
        self.holder = holder or holder_id()
        self._clock = clock
        self._deadline = 0.0

    def valid(self) -> bool:
        """True while this process may act as the leader."""
        return self._clock() < self._deadline

    def remaining(self) -> float:
        return max(0.0, self._deadline - self._clock())

    async def try_take(self) -> bool:
        """One attempt to take or renew the lease; True if this process holds it now."""
        sent = self._clock()
        try:
            async with asyncio.timeout(self.ttl / 3):
                async with self._db.write_engine.begin() as conn:
                    got = await conn.scalar(
                        text(_TAKE), {"name": self.name, "holder": self.holder, "ttl": self.ttl}
                    )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("lease not renewed", extra={"lease": self.name, "error": str(exc)})
            return False
        if got == self.holder:
            # The row says now()+ttl by the database's clock, read after `sent`.
            self._deadline = sent + self.ttl
            return True
        self._deadline = 0.0  # someone else holds it: whatever we thought, we do not
        return False

    async def give_up(self) -> None:
        self._deadline = 0.0
        HELD.labels(self.name).set(0)
        with suppress(Exception):
            async with asyncio.timeout(2.0):
                async with self._db.write_engine.begin() as conn:
                    await conn.execute(text(_GIVE_UP), {"name": self.name, "holder": self.holder})

    async def run_while_held(
        self, work: Callable[[], Awaitable[None]], *, standby_poll: float | None = None
    ) -> None:
        """Wait for the lease, then run `work` while it is renewed; if it is lost,
        cancel the work and wait again. Returns (or raises) only when `work` does."""
        poll = standby_poll if standby_poll is not None else self.ttl / 3
        while True:
            while not await self.try_take():  # noqa: ASYNC110 - polls the database
                await asyncio.sleep(poll)
            HELD.labels(self.name).set(1)
            log.info("lease taken", extra={"lease": self.name, "holder": self.holder})
            task = asyncio.ensure_future(work())
            try:
                if await self._renew_until_lost(task):
                    return
            finally:
                if not task.done():
                    task.cancel()
                    with suppress(BaseException):
                        await task
                await self.give_up()  # only deletes the row if it is still ours
            LOST.labels(self.name).inc()
            log.error("lease lost; work stopped", extra={"lease": self.name})

    async def _renew_until_lost(self, task: asyncio.Future[None]) -> bool:
        """Renew until the work ends (True; its error is raised) or the lease is lost."""
        while True:
            # Wake for the next renewal, or at once if the work ends.
            done, _ = await asyncio.wait({task}, timeout=min(self.ttl / 3, self.remaining()))
            if done:
                task.result()
                return True
            # A frozen process wakes late: the local deadline is checked first.
            if not self.valid():
                return False
            await self.try_take()  # a failed renewal is retried while time is left


def singleton_lease(db: Database | None, name: str, ttl: float) -> Lease | None:
    """The lease a singleton loop needs: one on PostgreSQL, where replicas share the
    database; none on SQLite (one process per service) or without a database."""
    return Lease(db, name, ttl=ttl) if db is not None and db.is_postgres else None


async def run_singleton(lease: Lease | None, work: Callable[[], Awaitable[None]]) -> None:
    """Run `work` while this replica leads (`lease`), or outright when there is none."""
    if lease is None:
        await work()
    else:
        await lease.run_while_held(work)
