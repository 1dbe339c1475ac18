"""The indexer: applies pending `documents` rows to the engine in batches, then
confirms them searchable (DeliveryConfirmed, step "search", for the publish receipt).

A batch is applied before its rows are marked done, so a crash in between applies it
again: engine writes are idempotent (replace by id). While the engine is down the
rows wait, and the loop retries with backoff.

On PostgreSQL, replicas share one index (OpenSearch): only the replica holding the
renewed lease (runtime/lease.py) indexes, and it checks the lease before each write,
or a slow replica could write an old version of a document back over another
replica's newer write. The embedded engine is one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram

from contracts import DeliveryConfirmed
from runtime.db import Database
from runtime.lease import DEFAULT_TTL, LeaseLost, run_singleton, singleton_lease
from runtime.messaging import UnitOfWork
from services.search import store
from services.search.documents import SearchDoc
from services.search.engine import Engine

log = logging.getLogger("portal.search.indexer")

INDEXED = Counter("portal_search_indexed", "Documents applied to the index", ["action"])
BATCH_SECONDS = Histogram("portal_search_batch_seconds", "Time to apply one batch")
CONSUMER = "search"


class Indexer:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        engine: Engine,
        *,
        db: Database | None = None,
        batch: int = 2000,
        poll_seconds: float = 0.1,
        lease_ttl: float = DEFAULT_TTL,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.db = db
        self.engine = engine
        self.batch = batch
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        #: Set once the engine has started: nothing is applied before.
        self.ready = asyncio.Event()
        self.lease = singleton_lease(db, "search-indexer", lease_ttl)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        await self.ready.wait()
        await run_singleton(self.lease, self._loop)

    async def _loop(self) -> None:
        backoff = self.poll_seconds
        while True:
            try:
                applied = await self.step()
                backoff = self.poll_seconds
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("indexing failed; retrying")
                backoff = min(backoff * 2, 10.0)
                applied = 0
            if applied < self.batch:
                self._wake.clear()
                try:
                    async with asyncio.timeout(backoff):
                        await self._wake.wait()
                except TimeoutError:
                    pass

    async def step(self) -> int:
        """Apply one batch of pending rows; the number applied."""
        async with self.unit_of_work() as uow:
            rows = await store.pending(uow.session, self.batch)
            closed = await store.closed_sites(uow.session) if rows else set()
        if not rows:
            return 0
        if self.lease is not None and not self.lease.valid():
            raise LeaseLost("search-indexer")
        with BATCH_SECONDS.time():
            # Withdrawn, or on a site that closed: out of the index.
            gone = [r.id for r in rows if r.withdrawn or r.site in closed]
            hidden = set(gone)
            live = [SearchDoc.from_json(r.data) for r in rows if r.id not in hidden]
            await self.engine.upsert(live)
            await self.engine.delete(gone)
        INDEXED.labels("upsert").inc(len(live))
        INDEXED.labels("delete").inc(len(gone))
        async with self.unit_of_work() as uow:
            await store.mark_indexed(uow.session, [(r.id, r.sequence) for r in rows])
            now = datetime.now(UTC)
            for row in rows:
                if row.receipt:
                    uow.emit(
                        DeliveryConfirmed(
                            tenant=row.site,
                            article_id=row.receipt["article_id"],
                            sequence=row.receipt["sequence"],
                            step="search",
                            consumer=CONSUMER,
                            action=row.receipt["action"],
                            confirmed_at=now,
                            detail=row.receipt.get("path", ""),
                        )
                    )
            await uow.commit()
        return len(rows)
