"""The consumers' inbox is pruned by age: rows older than PORTAL_INBOX_RETENTION_DAYS
go, in batches, and within the retention a redelivered event is still found and
changes nothing. On PostgreSQL one replica prunes, under a lease."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import AUTH_PUBLIC_KEY, AUTH_SECRET, drop_schemas, eventually
from sqlalchemy import func, insert, select

from contracts import TenantUpserted, envelope_for
from runtime.db import Database
from runtime.inbox import InboxPruner, prune_before
from runtime.messaging import INBOX, UnitOfWork
from runtime.migrations import upgrade
from runtime.settings import REPO_ROOT, Settings
from services.editorial.__main__ import build as build_editorial

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
RETENTION = timedelta(days=30)


@pytest.fixture
async def settings(tmp_path: Path) -> AsyncIterator[Settings]:
    value = Settings().with_overrides(
        data_dir=tmp_path,
        auth_secret=AUTH_SECRET,
        auth_public_key=AUTH_PUBLIC_KEY,
        schema_prefix=f"t{uuid.uuid4().hex[:8]}_",
        kafka_bootstrap_servers="127.0.0.1:9",  # never contacted
    )
    yield value
    if value.uses_postgres:
        await drop_schemas(value.database_url or "", value.schema_prefix)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database("editorial", settings)
    await upgrade(database, REPO_ROOT / "services/editorial/migrations")
    yield database
    await database.dispose()


def event(n: int) -> TenantUpserted:
    return TenantUpserted(
        tenant=f"phuong-{n}", kind="ward", name=f"Phường {n}", domain=f"p{n}.hanoi.gov.vn",
        languages=["vi"], parent="hanoi", owner=f"phuong-{n}", sequence=1,
    )  # fmt: skip


async def received(db: Database, ages: dict[str, timedelta]) -> None:
    """Inbox rows as if their events were handled `age` before NOW."""
    async with db.session() as session:
        await session.execute(
            insert(INBOX),
            [
                {"consumer": "editorial", "event_id": event_id, "event_type": "t",
                 "received_at": NOW - age}
                for event_id, age in ages.items()
            ],
        )  # fmt: skip
        await session.commit()


async def ids(db: Database) -> set[str]:
    async with db.read() as session:
        return set((await session.execute(select(INBOX.c.event_id))).scalars())


async def claim(db: Database, event_id: str) -> bool:
    """What a consumer does first with a delivered event: True means apply it."""
    uow = UnitOfWork(db, "/services/editorial", on_commit=lambda: None)
    async with uow:
        env = envelope_for(event(1), source="/services/admin", at=NOW, event_id=event_id)
        fresh = await uow.claim("editorial", env)
        await uow.commit()
    return fresh


def pruner(db: Database, now: datetime, **kw: object) -> InboxPruner:
    return InboxPruner(db, service="editorial", retention=RETENTION, clock=lambda: now, **kw)  # type: ignore[arg-type]


async def test_rows_older_than_the_retention_go_in_batches_the_rest_stay(db: Database) -> None:
    old = {f"old-{i}": RETENTION + timedelta(minutes=i + 1) for i in range(7)}
    kept = {"fresh": timedelta(hours=1), "edge": RETENTION - timedelta(seconds=1)}
    await received(db, {**old, **kept})
    assert await pruner(db, NOW, batch=3).prune() == 7  # three batches: 3, 3, 1
    assert await ids(db) == set(kept)
    assert await pruner(db, NOW, batch=3).prune() == 0


async def test_within_the_retention_a_redelivered_event_is_still_applied_once(
    db: Database,
) -> None:
    handled_at = NOW - RETENTION + timedelta(minutes=5)
    await received(db, {"e-1": NOW - handled_at})
    assert not await claim(db, "e-1"), "a redelivery is a duplicate"
    # Pruning now (five minutes short of its retention) keeps it, so a redelivery of
    # it is still a duplicate, however often pruning ran meanwhile.
    for _ in range(2):
        assert await pruner(db, NOW).prune() == 0
        assert not await claim(db, "e-1")
    # Past its retention (longer than any topic keeps the event) it goes.
    assert await pruner(db, NOW + timedelta(minutes=6)).prune() == 1
    assert await ids(db) == set()


def test_a_retention_too_short_to_be_safe_is_refused() -> None:
    with pytest.raises(ValueError, match="redelivered"):
        prune_before(NOW, timedelta(hours=12))
    with pytest.raises(ValueError, match="greater than or equal to 8"):
        Settings(PORTAL_INBOX_RETENTION_DAYS="7")  # not longer than Kafka's 7 days
    assert Settings().inbox_retention_days == 30


def test_every_service_with_consumers_prunes_with_the_configured_retention(
    settings: Settings,
) -> None:
    service, _app = build_editorial(settings.with_overrides(inbox_retention_days=45))
    assert service.inbox_pruner is not None
    assert service.inbox_pruner.retention == timedelta(days=45)


async def test_one_replica_prunes_under_a_lease(db: Database, settings: Settings) -> None:
    if not db.is_postgres:
        pytest.skip("leases are PostgreSQL's: SQLite runs one process per service")
    other = Database("editorial", settings)  # a second replica, its own pool
    first = pruner(db, NOW, every=timedelta(seconds=0.1), lease_ttl=3.0)
    second = pruner(other, NOW, every=timedelta(seconds=0.1), lease_ttl=3.0)
    tasks = [asyncio.create_task(first.run())]
    try:
        assert first.lease is not None and second.lease is not None
        await eventually(first.lease.valid, timeout=10)
        tasks.append(asyncio.create_task(second.run()))
        await received(db, {"old": RETENTION + timedelta(days=1), "new": timedelta(days=1)})

        async def pruned() -> bool:
            return await ids(db) == {"new"}

        await eventually(pruned, timeout=10)
        await asyncio.sleep(0.5)
        assert not second.lease.valid(), "the standby never pruned"
        async with db.read() as session:
            holders = await session.scalar(select(func.count()).select_from(_leases()))
        assert holders == 1
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await other.dispose()


def _leases():
    from sqlalchemy import column, table

    return (
        table("leases", column("name")).select().where(column("name") == "inbox-pruner").subquery()
    )
