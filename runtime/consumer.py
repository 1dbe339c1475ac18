"""Event consumers: at-least-once delivery, one effect, bounded retries, dead letters.

FastStream's default policies either commit before the handler runs or commit
even when it raised, so both would lose a message. Subscribers here use manual
acknowledgement: the offset is committed only after the effect (and its inbox
row) committed, or after the message was parked on the dead-letter topic.

- A handler that keeps failing is tried `max_attempts` times, then the message
  goes to `<topic>.dlt` with the error, and the consumer carries on.
- A database or network outage is not the message's fault: it is retried with
  backoff for as long as it lasts, never dead-lettered.
- Events of types this service does not handle are acknowledged and skipped:
  topics gain new event types without breaking old consumers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import trace
from prometheus_client import Counter, Histogram
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from contracts import EVENTS_BY_TYPE, Envelope, EnvelopeError, Event, Topic, parse_headers
from runtime.messaging import UnitOfWork
from runtime.relay import Send
from runtime.telemetry import context_from, tracer

log = logging.getLogger("portal.consumer")

CONSUMED = Counter(
    "portal_events_consumed", "Events consumed, by outcome", ["service", "topic", "outcome"]
)
HANDLE_SECONDS = Histogram(
    "portal_event_handle_seconds", "Time to apply one event", ["service", "topic"]
)

#: A handler applies one event inside the given unit of work; it must not commit.
Handler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]
#: A handler for services without a database (their effect must be idempotent).
MemoryHandler = Callable[[Any, Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    topic: Topic
    handlers: Mapping[type[Event], Handler | MemoryHandler]
    #: Read the topic from the start on every start (in-memory state, no offsets kept).
    replay: bool = False
    #: With replay: apply only events from at most this many seconds before this
    #: instance started, skip (unparsed) the older ones. For effects the past cannot
    #: improve: purging a cache that the instances already running kept current.
    recent_only: float | None = None


def is_outage(exc: BaseException) -> bool:
    """An infrastructure failure (database or network away), not the message's fault."""
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Consumer:
    def __init__(
        self,
        *,
        service: str,
        subscription: Subscription,
        unit_of_work: Callable[[], UnitOfWork] | None,
        send: Send,
        max_attempts: int = 5,
        group_settings: Mapping[str, Any] | None = None,
        group_id: str | None = None,
    ) -> None:
        self.service = service
        self.subscription = subscription
        self.topic = subscription.topic
        self._uow = unit_of_work
        self._send = send
        self._max_attempts = max_attempts
        self._group = group_settings or {}
        # One group per (service, topic): a member joining for one topic must not
        # stop the service's other topics for a rebalance (the embedded broker takes
        # seconds per rebalance). The inbox makes the switch from older group ids safe.
        self.group_id = group_id or f"{service}.{subscription.topic.aggregate}"
        self._by_type = {cls.ce_type: cls for cls in subscription.handlers}
        self._subscriber: Any = None
        self._started = time.time()

    def register(self, broker: KafkaBroker) -> None:
        options: dict[str, Any] = dict(self._group)
        if self.subscription.replay:
            # Every instance reads the whole (compacted) topic; offsets are never committed.
            options = {}
            ack_policy = AckPolicy.ACK_FIRST
        else:
            ack_policy = AckPolicy.MANUAL

        subscriber = broker.subscriber(
            self.topic.name,
            group_id=self.group_id,
            auto_offset_reset="earliest",
            ack_policy=ack_policy,
            title=f"{self.service}:{self.topic.name}",
            **options,
        )

        async def consume(msg: KafkaMessage) -> None:
            await self.handle(msg)

        subscriber(consume)
        self._subscriber = subscriber

    async def read_new_log(self, cluster_id: str) -> None:
        """Read every partition again from its start: the embedded broker came back empty.

        tansu keeps its log in memory, so after a restart each partition begins again at
        offset 0 while we wait at our old position, and it sends no OffsetOutOfRange as
        Kafka would. Seeking is not enough: when the group rejoins it takes back the
        committed offset (an old commit may even have reached the new broker). A group
        named for the new broker starts clean; messages read again are dropped by the
        inbox.
        """
        subscriber = self._subscriber
        await subscriber.stop()
        subscriber.group_id = f"{self.group_id}.{cluster_id}"
        await subscriber.start()
        log.warning(
            "the embedded broker restarted with a new log; reading it from the start",
            extra={"topic": self.topic.name, "group": subscriber.group_id},
        )

    async def handle(self, msg: Any) -> None:
        """Apply one Kafka message; ack it unless it must be delivered again."""
        record = msg.raw_message
        headers: dict[str, str] = dict(msg.headers)
        try:
            envelope = parse_headers(headers)
        except EnvelopeError as exc:
            await self._finish(msg, await self._dead_letter(msg, f"EnvelopeError: {exc}", 1))
            return
        recent = self.subscription.recent_only
        if recent is not None and envelope.time.timestamp() < self._started - recent:
            CONSUMED.labels(self.service, self.topic.name, "skipped").inc()
            await msg.ack()
            return
        event_cls = self._by_type.get(envelope.type)
        if event_cls is None:
            CONSUMED.labels(self.service, self.topic.name, "skipped").inc()
            if envelope.type not in EVENTS_BY_TYPE:
                log.info("skipping unknown event type", extra={"ce_type": envelope.type})
            await msg.ack()
            return
        with tracer.start_as_current_span(
            f"{self.topic.name} process",
            context=context_from(headers),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": self.topic.name,
                "messaging.message.id": envelope.id,
                "messaging.kafka.message.offset": record.offset,
                "messaging.kafka.destination.partition": record.partition,
                "portal.service": self.service,
                "portal.event_type": envelope.type,
            },
        ):
            outcome = await self._apply_with_retries(msg, event_cls, envelope)
        await self._finish(msg, outcome)

    async def _finish(self, msg: Any, outcome: str | None) -> None:
        if outcome is None:
            # Not applied and not parked: deliver it again rather than lose it.
            await msg.nack()
            return
        CONSUMED.labels(self.service, self.topic.name, outcome).inc()
        await msg.ack()

    async def _apply_with_retries(
        self, msg: Any, event_cls: type[Event], envelope: Envelope
    ) -> str | None:
        attempt = 0
        outage_backoff = 0.1
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                event = event_cls.model_validate_json(msg.body)
                outcome = await self._apply(event, envelope)
            except Exception as exc:
                if not is_outage(exc):
                    log.warning(
                        "handler failed",
                        extra={"ce_id": envelope.id, "attempt": attempt, "error": repr(exc)},
                    )
                    if attempt >= self._max_attempts:
                        error = f"{type(exc).__name__}: {exc}"
                        return await self._dead_letter(msg, error, attempt)
                    await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
                    continue
                attempt -= 1
                log.warning(
                    "infrastructure error while handling event; retrying",
                    extra={"ce_id": envelope.id, "error": repr(exc)},
                )
                await asyncio.sleep(outage_backoff)
                outage_backoff = min(outage_backoff * 2, 5.0)
                continue
            HANDLE_SECONDS.labels(self.service, self.topic.name).observe(
                time.perf_counter() - started
            )
            return outcome

    async def _apply(self, event: Event, envelope: Envelope) -> str:
        handler = self.subscription.handlers[type(event)]
        if self._uow is None:
            await handler(event, envelope)  # type: ignore[call-arg,arg-type]
            return "applied"
        async with self._uow() as uow:
            if not await uow.claim(self.service, envelope):
                return "duplicate"
            await handler(uow, event, envelope)  # type: ignore[call-arg]
            await uow.commit()
        return "applied"

    async def _dead_letter(self, msg: Any, error: str, attempts: int) -> str | None:
        record = msg.raw_message
        headers = {
            **dict(msg.headers),
            "dlt_error": error[:2000],
            "dlt_attempts": str(attempts),
            "dlt_consumer": self.service,
            "dlt_original_topic": record.topic,
            "dlt_original_partition": str(record.partition),
            "dlt_original_offset": str(record.offset),
        }
        key = record.key.decode() if isinstance(record.key, bytes) else str(record.key or "")
        try:
            await self._send(self.topic.dead_letter, key, msg.body, headers)
        except Exception as exc:
            log.exception(
                "could not dead-letter a message; it will be retried", extra={"error": repr(exc)}
            )
            return None
        log.error(
            "message dead-lettered",
            extra={"topic": record.topic, "offset": record.offset, "error": error},
        )
        return "dead_lettered"
