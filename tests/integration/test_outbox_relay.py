"""The outbox relay against the embedded broker: a row that can never be sent is
parked with its reason and announced on the dead-letter topic, and the rows after it
still go out; a passing outage stops the pass without losing order; the unit of work
refuses, before anything is stored, an event that no broker would take."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY
from sqlalchemy import insert, select

from runtime import migrations
from runtime.db import Database
from runtime.embedded import EmbeddedKafka
from runtime.kafka import ensure_topics, make_broker, send_with
from runtime.messaging import (
    EVENT_MAX_BYTES,
    OUTBOX,
    EventTooLarge,
    UnitOfWork,
    stored_size_problem,
)
from runtime.relay import OutboxRelay
from runtime.settings import REPO_ROOT, Settings

TOPIC = "portal.platform.audit.v1"
PROSE = (
    "Ủy ban nhân dân thành phố Hà Nội ban hành quyết định phê duyệt quy hoạch chi tiết "
    "khu đô thị mới tại quận Hoàn Kiếm theo đề nghị của Sở Quy hoạch Kiến trúc"
)
WORDS = PROSE.split(" ")


def real_text(chars: int) -> str:
    """Vietnamese prose of about `chars` characters: what a long article looks like."""
    rng = random.Random(7)
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def noise(chars: int) -> str:
    """Characters that do not compress (3 bytes each in UTF-8)."""
    rng = random.Random(11)
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(chars))


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database("editorial", settings)
    await migrations.upgrade(database, REPO_ROOT / "services" / "editorial" / "migrations")
    yield database
    await database.dispose()


@pytest.fixture
async def broker(settings: Settings) -> AsyncIterator[KafkaBroker]:
    await ensure_topics(settings.kafka_bootstrap_servers or "")
    value = make_broker(settings, client_id="relay-test")
    await value.start()
    yield value
    await value.stop()


async def add_row(db: Database, payload: str) -> int:
    async with db.session() as session:
        result = await session.execute(
            insert(OUTBOX).values(
                event_id=str(uuid.uuid4()),
                topic=TOPIC,
                key="k",
                event_type="AuditRecorded",
                headers={"ce_type": "AuditRecorded", "tenant": "hanoi"},
                payload=payload,
                created_at=datetime.now(UTC),
            )
        )
        await session.commit()
        return int(result.inserted_primary_key[0])


async def read_topic(bootstrap: str, topic: str, count: int) -> list[tuple[bytes, dict[str, str]]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    got: list[tuple[bytes, dict[str, str]]] = []
    try:
        for _ in range(40):
            batches = await consumer.getmany(timeout_ms=500)
            for messages in batches.values():
                for m in messages:
                    headers = {k: v.decode() for k, v in m.headers}
                    got.append((m.value or b"", headers))
            if len(got) >= count:
                break
    finally:
        await consumer.stop()
    return got


async def leading(relay: OutboxRelay) -> OutboxRelay:
    """On PostgreSQL the relay sends only while it holds the lease: take it."""
    if relay.lease is not None:
        assert await relay.lease.try_take()
    return relay


def parked_total() -> float:
    return REGISTRY.get_sample_value("portal_outbox_parked_total", {"service": "editorial"}) or 0


async def test_a_row_too_large_to_send_is_parked_and_later_rows_still_go_out(
    db: Database, broker: KafkaBroker, kafka: EmbeddedKafka
) -> None:
    before = parked_total()
    first = await add_row(db, json.dumps({"n": 1}))
    # Written before the check at commit existed, or by a producer with other limits.
    too_big = await add_row(db, json.dumps({"n": 2, "body": "x" * (EVENT_MAX_BYTES + 10)}))
    incompressible = await add_row(db, json.dumps({"n": 3, "body": noise(1_000_000)}))
    last = await add_row(db, json.dumps({"n": 4}))
    relay = await leading(OutboxRelay(db, send_with(broker), service="editorial"))

    assert await relay.publish_pending() == 4
    assert await relay.pending() == 0
    assert await relay.parked() == 2
    assert parked_total() - before == 2
    async with db.read() as session:
        rows = {r.id: r for r in (await session.execute(select(OUTBOX))).all()}
    assert rows[first].published_at is not None and rows[last].published_at is not None
    for row_id in (too_big, incompressible):
        assert rows[row_id].published_at is None and rows[row_id].parked_at is not None
        assert rows[row_id].last_error.startswith("parked:")
        assert "limit" in rows[row_id].last_error

    published = await read_topic(kafka.bootstrap, TOPIC, 2)
    assert [json.loads(v)["n"] for v, _ in published] == [1, 4]
    notices = await read_topic(kafka.bootstrap, f"{TOPIC}.dlt", 2)
    assert sorted(int(h["dlt_outbox_id"]) for _, h in notices) == [too_big, incompressible]
    assert all(v == b"" and h["dlt_reason"].startswith("parked:") for v, h in notices)
    assert all(h["ce_type"] == "AuditRecorded" for _, h in notices)
    # A second pass finds nothing left to do: the parked rows are not retried.
    assert await relay.publish_pending() == 0


async def test_a_long_real_article_is_compressed_under_the_brokers_limit(
    db: Database, broker: KafkaBroker, kafka: EmbeddedKafka
) -> None:
    body = real_text(1_000_000)
    payload = json.dumps({"n": 1, "body": body}, ensure_ascii=False)
    assert len(payload.encode()) > 1_048_576  # over the producer's default limit
    assert stored_size_problem(payload.encode()) is None
    await add_row(db, payload)
    relay = await leading(OutboxRelay(db, send_with(broker), service="editorial"))
    assert await relay.publish_pending() == 1
    assert await relay.parked() == 0
    [(value, _)] = await read_topic(kafka.bootstrap, TOPIC, 1)
    assert json.loads(value)["body"] == body


async def test_a_broker_refusing_a_record_as_too_large_parks_it(db: Database) -> None:
    """What a real Kafka answers (MESSAGE_TOO_LARGE) for a batch over its limit."""
    await add_row(db, json.dumps({"n": 1}))
    await add_row(db, json.dumps({"n": 2}))
    sent: list[str] = []

    async def send(topic: str, key: str, value: bytes, headers: Mapping[str, str]) -> None:
        if topic.endswith(".dlt"):
            sent.append("notice")
            return
        if json.loads(value)["n"] == 1:
            raise MessageSizeTooLargeError("The request included a message larger than allowed")
        sent.append(value.decode())

    relay = await leading(OutboxRelay(db, send, service="editorial"))
    assert await relay.publish_pending() == 2
    assert sent == ["notice", json.dumps({"n": 2})]
    assert await relay.parked() == 1


async def test_an_outage_stops_the_pass_and_keeps_the_order(db: Database) -> None:
    first = await add_row(db, json.dumps({"n": 1}))
    await add_row(db, json.dumps({"n": 2}))
    calls: list[int] = []

    async def send(topic: str, key: str, value: bytes, headers: Mapping[str, str]) -> None:
        calls.append(json.loads(value)["n"])
        raise KafkaConnectionError("broker gone")

    relay = await leading(OutboxRelay(db, send, service="editorial"))
    with pytest.raises(KafkaConnectionError):
        await relay.publish_pending()
    assert calls == [1]  # row 2 never overtakes row 1
    assert await relay.pending() == 2 and await relay.parked() == 0
    async with db.read() as session:
        row = (await session.execute(select(OUTBOX).where(OUTBOX.c.id == first))).one()
    assert row.attempts == 1 and "broker gone" in row.last_error


async def test_the_unit_of_work_refuses_an_event_no_broker_takes(db: Database) -> None:
    uow = UnitOfWork(db, "portal/editorial", on_commit=lambda: None)
    async with uow:
        uow.audit(
            actor="x",
            action="test",
            subject="s",
            tenant="hanoi",
            after={"text": noise(1_000_000)},
        )
        with pytest.raises(EventTooLarge) as caught:
            await uow.commit()
    assert "AuditRecorded" in caught.value.event_type
    async with db.read() as session:
        assert (await session.execute(select(OUTBOX))).all() == []


def test_stored_size_rules() -> None:
    assert stored_size_problem(b"x" * 100) is None
    assert stored_size_problem(real_text(1_000_000).encode()) is None
    assert stored_size_problem(noise(1_000_000).encode()) is not None
    assert stored_size_problem(b"x" * (EVENT_MAX_BYTES + 1)) == EVENT_MAX_BYTES + 1
