"""The FastStream Kafka broker, topic creation, and the raw send used by relay and DLT."""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

from contracts import TOPICS, Topic
from runtime.messaging import EVENT_MAX_BYTES, EVENT_MAX_STORED_BYTES
from runtime.relay import Send
from runtime.settings import KafkaSettings

log = logging.getLogger("portal.kafka")


def client_security(settings: KafkaSettings) -> dict[str, Any]:
    """aiokafka's connection options for the configured SASL and TLS (none: plaintext,
    the embedded broker and tests)."""
    context = None
    if settings.kafka_tls:
        context = ssl.create_default_context(
            cafile=str(settings.kafka_ca_file) if settings.kafka_ca_file else None
        )
    mechanism = settings.kafka_sasl_mechanism
    if mechanism is None:
        return {"security_protocol": "SSL", "ssl_context": context} if context else {}
    if not settings.kafka_sasl_username or not settings.kafka_sasl_password:
        raise RuntimeError("KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and _PASSWORD")
    if context is None and mechanism == "PLAIN":
        # PLAIN sends the password as is: only over TLS, or to compose's local broker.
        log.warning("Kafka SASL PLAIN without TLS: only for a local broker")
    return {
        "security_protocol": "SASL_SSL" if context else "SASL_PLAINTEXT",
        "sasl_mechanism": mechanism,
        "sasl_plain_username": settings.kafka_sasl_username,
        "sasl_plain_password": settings.kafka_sasl_password,
        **({"ssl_context": context} if context else {}),
    }


def broker_security(settings: KafkaSettings) -> BaseSecurity | None:
    """The same, as FastStream's security object for the broker."""
    options = client_security(settings)
    if not options:
        return None
    context = options.get("ssl_context")
    mechanism = options.get("sasl_mechanism")
    if mechanism is None:
        return BaseSecurity(ssl_context=context, use_ssl=True)
    kinds = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}
    return kinds[mechanism](
        username=options["sasl_plain_username"],
        password=options["sasl_plain_password"],
        ssl_context=context,
        use_ssl=context is not None,
    )


def make_broker(settings: KafkaSettings, client_id: str) -> KafkaBroker:
    if not settings.kafka_bootstrap_servers:
        raise RuntimeError(
            "KAFKA_BOOTSTRAP_SERVERS is not set. Start the platform with `make run` "
            "(it starts the embedded broker) or point it at a Kafka cluster."
        )
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        security=broker_security(settings),
        acks="all",
        # tansu (embedded) supports neither idempotent nor transactional producers.
        enable_idempotence=not settings.kafka_embedded,
        request_timeout_ms=10_000,
        # Article bodies compress several times over; the broker's limit applies to the
        # compressed batch (EVENT_MAX_STORED_BYTES, set on every topic), the producer's
        # to the record before compression. gzip needs no extra library.
        compression_type="gzip",
        max_request_size=EVENT_MAX_BYTES + 64 * 1024,
        # The embedded broker forgets its topics when it restarts; notice the new
        # ones within seconds rather than Kafka's default five minutes.
        metadata_max_age_ms=3_000 if settings.kafka_embedded else 300_000,
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,
        graceful_timeout=10.0,
    )


def consumer_group_settings(settings: KafkaSettings) -> dict[str, Any]:
    """Group timings: tight on the embedded broker (it waits a full rebalance timeout
    before the first assignment), Kafka's defaults otherwise."""
    if settings.kafka_embedded:
        return {
            # tansu answers a first JoinGroup after half the session timeout.
            "session_timeout_ms": settings.kafka_session_timeout_ms,
            "heartbeat_interval_ms": 500,
            "rebalance_timeout_ms": 1000,
        }
    return {}


def send_with(broker: KafkaBroker) -> Send:
    async def send(topic: str, key: str, value: bytes, headers: Mapping[str, str]) -> None:
        await broker.publish(value, topic, key=key.encode(), headers=dict(headers))

    return send


#: Send a record as bytes, exactly as given: (topic, key, value, headers).
RawSend = Callable[[str, bytes | None, bytes | None, Sequence[tuple[str, bytes]]], Awaitable[None]]


def send_raw_with(broker: KafkaBroker) -> RawSend:
    """For dead letters, which keep a message as it came: FastStream's publish takes
    text headers only (and adds its own), so this goes to the broker's aiokafka
    producer itself, waiting for the broker's acknowledgement."""

    async def send(
        topic: str, key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]
    ) -> None:
        producer = getattr(getattr(broker.config.producer, "_producer", None), "producer", None)
        if producer is None:
            raise RuntimeError("the broker's producer is not connected")
        await producer.send_and_wait(topic, value, key=key, headers=list(headers))

    return send


async def cluster_id(bootstrap: str, security: Mapping[str, Any] | None = None) -> str:
    """The broker's cluster id (the embedded broker draws a new one at each start)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(security or {}))
    try:  # closed even when start() is cut short by a timeout
        await admin.start()
        return str((await admin.describe_cluster())["cluster_id"])
    finally:
        await admin.close()


async def ensure_topics(
    bootstrap: str, topics: Iterable[Topic] = TOPICS, security: Mapping[str, Any] | None = None
) -> None:
    """Create the registry's topics and their dead-letter topics when missing."""
    wanted: list[NewTopic] = []
    for topic in topics:
        limit = {"max.message.bytes": str(EVENT_MAX_STORED_BYTES)}
        configs = {"cleanup.policy": "compact", **limit} if topic.compacted else limit
        wanted.append(NewTopic(topic.name, topic.partitions, 1, topic_configs=configs))
        wanted.append(NewTopic(topic.dead_letter, 1, 1, topic_configs=limit))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(security or {}))
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t.name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another service was first
                await admin.create_topics(missing)
            log.info("created topics", extra={"topics": [t.name for t in missing]})
    finally:
        await admin.close()
