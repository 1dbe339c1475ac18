"""Rebuild the index from search's own record (`documents`) without stopping search.

The engine builds a new index beside the live one and swaps it in atomically
(OpenSearch: an alias; tantivy: the CURRENT pointer, which serving processes follow).
Changes that arrive while the rebuild reads the record are marked pending again
afterwards, so the indexer applies them to the new index too.

Run it as `python -m services.search reindex` (in a container: `kubectl exec`), or
`scripts/reindex.py` from a checkout.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from runtime.db import Database
from runtime.migrations import upgrade
from runtime.settings import Settings
from services.search import store
from services.search.documents import SearchDoc
from services.search.engine import Engine
from services.search.wiring import MIGRATIONS, NAME, make_engine

#: Covers clock skew between this process and the writers of `changed_at`.
SKEW = timedelta(seconds=5)
#: A batch the indexer was writing to the old index as the swap happened is marked
#: done after it; marking the recent changes again once it has finished covers it.
SETTLE_SECONDS = 2.0


async def reindex(db: Database, engine: Engine, *, batch: int = 2000) -> dict[str, int]:
    started = datetime.now(UTC) - SKEW

    async def batches() -> AsyncIterator[list[SearchDoc]]:
        async with db.read() as session:
            async for docs in store.live_batches(session, batch):
                yield docs

    indexed = await engine.rebuild(batches())
    replayed = await _replay(db, started)
    await asyncio.sleep(SETTLE_SECONDS)
    await _replay(db, started)
    return {"indexed": indexed, "replayed": replayed}


async def _replay(db: Database, since: datetime) -> int:
    async with db.session() as session:
        count = await store.mark_all_pending(session, since=since)
        await session.commit()
    return count


async def main(settings: Settings) -> dict[str, int]:
    """Migrate search's record if needed, then rebuild the index of these settings."""
    db = Database(NAME, settings)
    await upgrade(db, MIGRATIONS)
    engine = make_engine(settings)
    try:
        return await reindex(db, engine)
    finally:
        await engine.close()
        await db.dispose()
