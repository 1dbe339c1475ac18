"""The indexer: applies pending `documents` rows to the engine in batches, then
confirms them searchable (DeliveryConfirmed, step "search", for the publish receipt).

A batch is applied before its rows are marked done, so a crash in between applies it
again: engine writes are idempotent (replace by id). While the engine is down the
rows wait, and the loop retries with backoff.

On PostgreSQL, replicas share one index (OpenSearch): only the replica holding an
advisory lock indexes, or a slow replica could write an old version of a document
back over another replica's newer write. The embedded engine is one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram
from sqlalchemy import text

from contracts import DeliveryConfirmed
from runtime.db import Database
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
    ) -> None:
        self.unit_of_work = unit_of_work
        self.db = db
        self.engine = engine
        self.batch = batch
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        #: Set once the engine has started: nothing is applied before.
        self.ready = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        await self.ready.wait()
        if self.db is None or not self.db.is_postgres:
            await self._loop()
            return
        key = f"search-indexer:{self.db.schema}"
        while True:
            try:
                async with self.db.write_engine.connect() as conn:
                    conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                    lock = text("SELECT pg_try_advisory_lock(hashtext(:k))")
                    while not await conn.scalar(lock, {"k": key}):  # noqa: ASYNC110 - polls PG
                        await asyncio.sleep(1.0)
                    try:
                        await self._loop()
                    finally:
                        with suppress(Exception):
                            unlock = text("SELECT pg_advisory_unlock(hashtext(:k))")
                            await conn.execute(unlock, {"k": key})
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("indexer lost its lock or database; retrying")
                await asyncio.sleep(1.0)

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
