"""A consumer keeps receiving after the embedded broker restarts empty.

tansu keeps its log in memory: after a restart every partition begins again at
offset 0. A consumer that kept its old position (it depends on how its group
rejoins, which is timing) then waits past the end of the new log, and tansu sends
no OffsetOutOfRange to reset it. The test puts the consumer in that state on
purpose; without the rewind it waits forever for "after".
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from conftest import eventually

from contracts import TenantUpserted, envelope_for, topics
from runtime.consumer import Subscription
from runtime.embedded import EmbeddedKafka
from runtime.service import Service


def _tenant(name: str, sequence: int) -> TenantUpserted:
    return TenantUpserted(
        tenant="thu", kind="ward", name=name, domain="thu.hanoi.gov.vn", languages=["vi"],
        parent="hanoi", owner="thu", sequence=sequence,
    )  # fmt: skip


async def _send(bootstrap: str, event: TenantUpserted) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        headers = [(k, v.encode()) for k, v in envelope_for(event, source="/t").headers().items()]
        await producer.send_and_wait(
            topics.TENANT.name, event.model_dump_json().encode(), key=b"thu", headers=headers
        )
    finally:
        await producer.stop()


async def test_consumer_reads_the_new_log_after_a_restart(settings, kafka) -> None:
    seen: list[str] = []

    async def record(event: TenantUpserted, _env: object) -> None:
        seen.append(event.name)

    service = Service(
        "probe", settings, subscriptions=[Subscription(topics.TENANT, {TenantUpserted: record})]
    )
    await service.start()
    restarted: EmbeddedKafka | None = None
    try:
        for n in range(3):
            await _send(kafka.bootstrap, _tenant(f"before {n}", n + 1))
        await eventually(lambda: len(seen) == 3)
        kafka.stop()
        restarted = EmbeddedKafka(port=kafka.port).start()
        await _send(restarted.bootstrap, _tenant("restarted", 4))
        await eventually(lambda: "restarted" in seen, timeout=60)
        consumer = service.consumers[0]._subscriber.consumer
        for partition in consumer.assignment():
            consumer.seek(partition, 5)  # past the new log's end, as after an unlucky rejoin
        await _send(restarted.bootstrap, _tenant("after", 9))
        await eventually(lambda: "after" in seen, timeout=60)
    finally:
        await service.stop()
        if restarted:
            restarted.stop()
    assert seen[:4] == ["before 0", "before 1", "before 2", "restarted"]
    assert seen[-1] == "after"
