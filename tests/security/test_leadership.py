"""Leadership of the relay and the indexer on PostgreSQL (runtime/lease.py): a leader
killed outright is replaced within the lease's time to live; a leader frozen (a hung
node, a long GC pause, a paused VM) is replaced too, and when it wakes it stops
before doing anything more; at no moment do two leaders act.

The leader runs in a child process so that it can really be killed and frozen
(SIGKILL, SIGSTOP); each leader writes a line per act, stamped with the wall clock,
only while `lease.valid()`, as the relay checks before each send."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import drop_schemas, eventually
from sqlalchemy import select, text

from runtime.db import Database
from runtime.embedded import EmbeddedKafka
from runtime.kafka import ensure_topics, make_broker, send_with
from runtime.lease import Lease
from runtime.messaging import OUTBOX
from runtime.migrations import upgrade
from runtime.relay import OutboxRelay
from runtime.settings import Settings

TTL = 2.0
MIGRATIONS = Path(__file__).parents[2] / "services" / "editorial" / "migrations"

CHILD = """
import asyncio, sys, time
from runtime.db import Database
from runtime.embedded import EmbeddedKafka
from runtime.kafka import ensure_topics, make_broker, send_with
from runtime.lease import Lease
from runtime.settings import Settings

async def main(prefix, log, ttl):
    db = Database("editorial", Settings().with_overrides(schema_prefix=prefix))
    lease = Lease(db, "outbox", ttl=ttl, holder="child")
    async def work():
        print("held", flush=True)
        with open(log, "a") as out:
            while True:
                if lease.valid():
                    out.write(f"child {time.time():.3f}\\n")
                    out.flush()
                await asyncio.sleep(0.02)
    await lease.run_while_held(work)

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
"""


@pytest.fixture
async def pg(tmp_path: Path) -> AsyncIterator[Settings]:
    base = Settings()
    if not base.uses_postgres:
        pytest.skip("leases exist on PostgreSQL only (SQLite: one process per service)")
    settings = base.with_overrides(data_dir=tmp_path, schema_prefix=f"t{uuid.uuid4().hex[:8]}_")
    db = Database("editorial", settings)
    await upgrade(db, MIGRATIONS)
    await db.dispose()
    yield settings
    await drop_schemas(settings.database_url or "", settings.schema_prefix)


@pytest.fixture
def child_leader(pg: Settings, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    log = tmp_path / "acts.log"
    log.touch()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, pg.schema_prefix, str(log), str(TTL)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
        env={**os.environ},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        yield proc, log
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.kill()
        proc.wait()


def acts(log: Path, who: str) -> list[float]:
    lines = [line.split() for line in log.read_text().splitlines()]
    return [float(stamp) for name, stamp in lines if name == who]


async def standby(settings: Settings, log: Path) -> tuple[Lease, asyncio.Task[None], Database]:
    db = Database("editorial", settings)
    lease = Lease(db, "outbox", ttl=TTL, holder="standby")

    async def work() -> None:
        with log.open("a") as out:
            while True:
                if lease.valid():
                    out.write(f"standby {time.time():.3f}\n")
                    out.flush()
                await asyncio.sleep(0.02)

    return lease, asyncio.create_task(lease.run_while_held(work, standby_poll=0.1)), db


async def test_hard_killed_leader_is_replaced_within_the_ttl(child_leader, pg) -> None:  # type: ignore[no-untyped-def]
    proc, log = child_leader
    _, task, db = await standby(pg, log)
    try:
        await asyncio.sleep(0.5)
        assert acts(log, "standby") == []  # the child leads: the standby waits
        proc.kill()
        killed = time.time()
        await eventually(lambda: acts(log, "standby"), timeout=TTL * 3)
        took = acts(log, "standby")[0] - killed
        assert took <= TTL + 1.0, f"took {took:.2f} s"
        assert max(acts(log, "child")) < acts(log, "standby")[0]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.dispose()


async def test_a_frozen_leader_is_replaced_and_stops_when_it_wakes(child_leader, pg) -> None:  # type: ignore[no-untyped-def]
    proc, log = child_leader
    lease, task, db = await standby(pg, log)
    try:
        await asyncio.sleep(0.5)
        os.kill(proc.pid, signal.SIGSTOP)  # a hung node: its connections stay open
        await eventually(lambda: acts(log, "standby"), timeout=TTL * 3)
        os.kill(proc.pid, signal.SIGCONT)
        await asyncio.sleep(TTL * 1.5)  # the child renews, finds the lease gone, stops
        first = acts(log, "standby")[0]
        assert max(acts(log, "child")) < first, "the woken leader acted after the new one began"
        assert lease.valid()
        assert proc.poll() is None  # it stands by again, it did not crash
        async with db.write_engine.connect() as conn:
            holder = await conn.scalar(text("SELECT holder FROM leases WHERE name = 'outbox'"))
        assert holder == "standby"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.dispose()


async def test_a_clean_stop_hands_the_lease_over_at_once(pg: Settings, tmp_path: Path) -> None:
    log = tmp_path / "acts.log"
    log.touch()
    first, first_task, first_db = await standby(pg, log)
    await eventually(first.valid)
    second_db = Database("editorial", pg)
    second = Lease(second_db, "outbox", ttl=60.0, holder="second")
    try:
        assert not await second.try_take()
        first_task.cancel()
        await asyncio.gather(first_task, return_exceptions=True)
        assert not first.valid()
        assert await second.try_take()  # no need to wait out the first one's time
    finally:
        await second.give_up()
        await first_db.dispose()
        await second_db.dispose()


async def test_a_relay_without_its_lease_sends_nothing(pg: Settings, kafka: EmbeddedKafka) -> None:
    db = Database("editorial", pg)
    settings = pg.with_overrides(kafka_bootstrap_servers=kafka.bootstrap, kafka_embedded=True)
    await ensure_topics(kafka.bootstrap)
    broker = make_broker(settings, client_id="lease-test")
    await broker.start()
    real = send_with(broker)
    sent: list[str] = []

    async def send(topic: str, key: str, payload: bytes, headers: Mapping[str, str]) -> None:
        await real(topic, key, payload, headers)  # the real broker; noted once it took it
        sent.append(key)

    relay = OutboxRelay(db, send, service="editorial", lease_ttl=TTL)
    try:
        async with db.session() as session:
            await session.execute(
                OUTBOX.insert().values(
                    event_id=uuid.uuid4().hex,
                    topic="portal.editorial.review.v1",
                    key="k1",
                    event_type="X",
                    headers={},
                    payload="{}",
                    created_at=datetime.now(UTC),
                )
            )
            await session.commit()
        assert relay.lease is not None
        with pytest.raises(Exception, match="outbox"):
            await relay.publish_pending()  # never took the lease
        assert sent == []
        assert await relay.lease.try_take()
        assert await relay.publish_pending() == 1
        assert sent == ["k1"]
        async with db.read() as session:
            assert (await session.execute(select(OUTBOX.c.published_at))).scalar() is not None
    finally:
        if relay.lease is not None:
            await relay.lease.give_up()
        await broker.stop()
        await db.dispose()
