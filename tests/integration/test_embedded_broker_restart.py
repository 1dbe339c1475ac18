"""A consumer keeps receiving after the embedded broker restarts empty.

tansu keeps its log in memory: after a restart every partition begins again at
offset 0. A consumer that kept its old position (it depends on how its group
rejoins, which is timing) then waits past the end of the new log, and tansu sends
no OffsetOutOfRange to reset it. The broker's new cluster id tells the service,
which then reads the new log from its start; the inbox drops what was read twice.
"""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from conftest import eventually

from contracts import TenantUpserted, envelope_for, topics
from runtime.consumer import Subscription
from runtime.embedded import EmbeddedKafka
from runtime.kafka import cluster_id
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
    consumer = service.consumers[0]
    restarted: EmbeddedKafka | None = None
    try:
        for n in range(3):
            await _send(kafka.bootstrap, _tenant(f"before {n}", n + 1))
        await eventually(lambda: len(seen) == 3)
        old_cluster = await cluster_id(kafka.bootstrap)
        kafka.stop()
        restarted = EmbeddedKafka(port=kafka.port).start()
        new_cluster = await cluster_id(restarted.bootstrap)
        assert new_cluster != old_cluster
        # One message in the new log: offset 0, below where the consumer stood (3).
        await _send(restarted.bootstrap, _tenant("restarted", 4))
        # The service notices the new log and reads it from the start in a new group.
        await eventually(
            lambda: consumer._subscriber.group_id == f"probe.tenant.{new_cluster}", timeout=30
        )
        await eventually(lambda: "restarted" in seen, timeout=60)
        await _send(restarted.bootstrap, _tenant("after", 9))
        await eventually(lambda: "after" in seen, timeout=60)
    finally:
        await service.stop()
        if restarted:
            restarted.stop()
    assert seen == ["before 0", "before 1", "before 2", "restarted", "after"]


async def _topic_partitions(bootstrap: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        described = await admin.describe_topics(await admin.list_topics())
        return {t["topic"]: len(t["partitions"]) for t in described}
    finally:
        await admin.close()


async def test_the_relay_makes_the_topics_before_sending_to_a_restarted_broker(
    settings, kafka, monkeypatch
) -> None:
    """tansu acknowledges a send to a topic it lost in a restart, then drops that
    message when the topic is created: the relay's check makes the topics first."""
    service = Service("probe", settings)
    await service.start()
    made: list[str] = []
    real = service.ensure_topics

    async def counted() -> None:
        made.append("topics")
        await real()

    monkeypatch.setattr(service, "ensure_topics", counted)
    restarted: EmbeddedKafka | None = None
    try:
        await service.topics_ready()
        assert made == []  # same broker as at start: nothing to do
        kafka.stop()
        restarted = EmbeddedKafka(port=kafka.port).start()
        assert topics.ARTICLE.name not in await _topic_partitions(restarted.bootstrap)
        await service.topics_ready()
        assert made == ["topics"]
        partitions = await _topic_partitions(restarted.bootstrap)
        assert partitions[topics.ARTICLE.name] == topics.ARTICLE.partitions
        await service.topics_ready()
        assert made == ["topics"]  # once per new broker, not once per batch
    finally:
        await service.stop()
        if restarted:
            restarted.stop()
