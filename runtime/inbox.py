"""Pruning the consumers' inbox: event ids are remembered for a retention, not for ever.

The inbox (runtime/messaging.py) stops a redelivered event from being applied twice:
its id is found there. An event can come again only while the broker still has it,
so ids are kept for `PORTAL_INBOX_RETENTION_DAYS` (30), longer than the topics keep
their events (Kafka's default, 7 days): within the retention nothing is pruned, and
after it no broker can deliver the event again. Compacted topics keep their latest
events for ever; those consumers apply state with versioned upserts, so a replay
changes nothing (docs/adr/0002).

Deleting is in small batches, one transaction each, by the `received_at` index, once
an hour. On PostgreSQL one replica prunes, under a lease (runtime/lease.py); SQLite
runs one process per service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter
from sqlalchemy import delete, select, tuple_

from runtime.db import Database
from runtime.lease import DEFAULT_TTL, run_singleton, singleton_lease
from runtime.messaging import INBOX

log = logging.getLogger("portal.inbox")

PRUNED = Counter("portal_inbox_pruned", "Inbox rows deleted after their retention", ["service"])

PRUNE_EVERY = timedelta(hours=1)
BATCH = 5000


def prune_before(now: datetime, retention: timedelta) -> datetime:
    """Rows received before this moment may go; a retention under a day is refused
    (an event redelivered after it would be applied a second time)."""
    if retention < timedelta(days=1):
        raise ValueError("an inbox retention under a day would let redelivered events through")
    return now - retention


class InboxPruner:
    def __init__(
        self,
        db: Database,
        *,
        service: str,
        retention: timedelta,
        every: timedelta = PRUNE_EVERY,
        batch: int = BATCH,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lease_ttl: float = DEFAULT_TTL,
    ) -> None:
        prune_before(datetime.now(UTC), retention)  # refuse a bad retention at start
        self._db = db
        self._service = service
        self.retention = retention
        self._every = every
        self._batch = batch
        self._clock = clock
        self.lease = singleton_lease(db, "inbox-pruner", lease_ttl)

    async def run(self) -> None:
        await run_singleton(self.lease, self._loop)

    async def _loop(self) -> None:
        while True:
            try:
                pruned = await self.prune(while_leading=self.lease is not None)
                if pruned:
                    log.info("inbox pruned", extra={"service": self._service, "rows": pruned})
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database away: next round
                log.warning("inbox pruning failed", extra={"error": repr(exc)})
            await asyncio.sleep(self._every.total_seconds())

    async def prune(self, *, while_leading: bool = False) -> int:
        """Delete every row older than the retention; how many went. `while_leading`:
        stop as soon as this replica's lease is no longer valid (the loop's case; a
        one-off call may run anywhere: deleting rows past their retention is safe
        twice over, the lease only saves the other replicas the work)."""
        cutoff = prune_before(self._clock(), self.retention)
        total = 0
        while True:
            if while_leading and self.lease is not None and not self.lease.valid():
                return total  # another replica may lead by now (this loop is cancelled)
            old = (
                select(INBOX.c.consumer, INBOX.c.event_id)
                .where(INBOX.c.received_at < cutoff)
                .limit(self._batch)
            )
            async with self._db.session() as session:
                result = await session.execute(
                    delete(INBOX).where(tuple_(INBOX.c.consumer, INBOX.c.event_id).in_(old))
                )
                await session.commit()
            deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
            total += deleted
            PRUNED.labels(self._service).inc(deleted)
            if deleted < self._batch:
                return total
