"""Event consumers: at-least-once delivery, one effect, bounded retries, dead letters.

FastStream's default policies either commit before the handler runs or commit
even when it raised, so both would lose a message. Subscribers here use manual
acknowledgement: the offset is committed only after the effect (and its inbox
row) committed, or after the message was parked on the dead-letter topic.

No message is skipped unseen. One that cannot be applied goes to `<topic>.dlt`,
as it came (key, value and headers as bytes: runtime/deadletter.py), with the
reason, and the consumer carries on with the next:

- a key or header (value or name: runtime/lenient_records.py) that is not UTF-8,
  headers that are not a CloudEvent, a body that does not validate as its event: at
  once, no retry can change them;
- an event type this service's contracts do not list on the topic (a newer producer
  during a rolling upgrade): parked, counted in `portal_events_unknown_type`, for
  `portal dlt replay` once this service knows it. A type the contracts know but this
  service does not handle is acknowledged and skipped: topics carry events for
  many consumers;
- a handler error is classified (runtime/failures.py): an outage (database or
  network away, locked, failing over) is retried with backoff for as long as it
  lasts, never dead-lettered; an error the message causes every time (a constraint,
  data the database refuses) is dead-lettered after a second, immediate try; any
  other error after `max_attempts`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, TopicPartition
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import trace
from prometheus_client import Counter, Histogram
from pydantic import ValidationError

from contracts import Envelope, EnvelopeError, Event, Topic, parse_headers
from runtime import lenient_records
from runtime.deadletter import Kind, parked_headers, undecodable
from runtime.failures import Failure, classify
from runtime.kafka import RawSend
from runtime.messaging import UnitOfWork
from runtime.telemetry import context_from, tracer

log = logging.getLogger("portal.consumer")

CONSUMED = Counter(
    "portal_events_consumed", "Events consumed, by outcome", ["service", "topic", "outcome"]
)
HANDLE_SECONDS = Histogram(
    "portal_event_handle_seconds", "Time to apply one event", ["service", "topic"]
)
DEAD_LETTERED = Counter(
    "portal_events_dead_lettered",
    "Messages parked on the dead-letter topic, by why (runtime/deadletter.py Kind)",
    ["service", "topic", "kind"],
)
UNKNOWN_TYPES = Counter(
    "portal_events_unknown_type",
    "Events of a type this service's contracts do not know (a newer producer): parked "
    "for replay after the upgrade",
    ["service", "topic"],
)

#: A handler applies one event inside the given unit of work; it must not commit.
Handler = Callable[[UnitOfWork, Any, Envelope], Awaitable[None]]
#: A handler for services without a database (their effect must be idempotent).
MemoryHandler = Callable[[Any, Envelope], Awaitable[None]]

#: Tries at a handler whose error the message causes every time (a constraint, data
#: the database refuses). The second try, at once, tells such an error from a row a
#: concurrent writer had just inserted: on the second try the handler sees it.
DETERMINISTIC_ATTEMPTS = 2


@dataclass(frozen=True)
class Subscription:
    topic: Topic
    handlers: Mapping[type[Event], Handler | MemoryHandler]
    #: Read the topic from the start on every start, into memory (handlers take no unit
    #: of work; no offsets kept), in no consumer group: every partition assigned.
    replay: bool = False
    #: With replay: apply only events from at most this many seconds before this
    #: instance started, skip (unparsed) the older ones. For effects the past cannot
    #: improve: purging a cache that the instances already running kept current.
    recent_only: float | None = None


def attempts_allowed(failure: Failure, max_attempts: int) -> int | None:
    """How many times a handler failing so is tried before its message is parked
    (None: for as long as the failure lasts)."""
    if failure is Failure.TRANSIENT:
        return None
    if failure is Failure.DETERMINISTIC:
        return min(DETERMINISTIC_ATTEMPTS, max_attempts)
    return max_attempts


async def lenient_parse(record: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's parser, except that a header it cannot decode as UTF-8 (or one
    without a value) does not make it drop the message: it reads such headers with
    replacement characters and keeps the record itself, with its bytes, for
    `Consumer.handle` to park."""
    try:
        return await original(record)
    except (UnicodeDecodeError, AttributeError):
        readable = [(k, (v or b"").decode("utf-8", "replace").encode()) for k, v in record.headers]
        message = await original(dataclasses.replace(record, headers=readable))
        message.raw_message = record
        return message


async def raw_body(message: Any) -> Any:
    """The body stays bytes: the event model validates it (FastStream would parse the
    JSON first, and drop the message when that fails)."""
    return message.body


class Consumer:
    def __init__(
        self,
        *,
        service: str,
        subscription: Subscription,
        unit_of_work: Callable[[], UnitOfWork] | None,
        send_raw: RawSend,
        max_attempts: int = 5,
        group_settings: Mapping[str, Any] | None = None,
        group_id: str | None = None,
    ) -> None:
        self.service = service
        self.subscription = subscription
        self.topic = subscription.topic
        self._uow = unit_of_work
        self._send_raw = send_raw
        self._max_attempts = max_attempts
        self._group = group_settings or {}
        # One group per (service, topic): a member joining for one topic must not
        # stop the service's other topics for a rebalance (the embedded broker takes
        # seconds per rebalance). The inbox makes the switch from older group ids safe.
        self.group_id = group_id or f"{service}.{subscription.topic.aggregate}"
        self._by_type = {cls.ce_type: cls for cls in subscription.handlers}
        #: The types this service's contracts list on the topic: the others are newer
        #: than this build (or do not belong here), and are parked rather than lost.
        self.known_types = frozenset(cls.ce_type for cls in subscription.topic.events)
        self._subscriber: Any = None
        self._started = time.time()

    def register(self, broker: KafkaBroker) -> None:
        lenient_records.install()  # a header name that is not UTF-8 must not stop us
        topics: tuple[str, ...] = (self.topic.name,)
        options: dict[str, Any] = {"group_id": self.group_id, **self._group}
        if self.subscription.replay:
            # Every instance reads every partition of the whole (compacted) topic, in no
            # consumer group: nothing to join (a join costs seconds of rebalance delay at
            # every start), no offsets kept, nothing to rebalance when instances come
            # and go.
            topics = ()
            parts = range(self.topic.partitions)
            options = {"partitions": [TopicPartition(self.topic.name, p) for p in parts]}
            ack_policy = AckPolicy.ACK_FIRST
        else:
            ack_policy = AckPolicy.MANUAL

        subscriber = broker.subscriber(
            *topics,
            auto_offset_reset="earliest",
            ack_policy=ack_policy,
            parser=lenient_parse,
            decoder=raw_body,
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
        if not self.subscription.replay:  # in no group, a new consumer starts at 0
            subscriber.group_id = f"{self.group_id}.{cluster_id}"
        await subscriber.start()
        log.warning(
            "the embedded broker restarted with a new log; reading it from the start",
            extra={"topic": self.topic.name, "group": subscriber.group_id},
        )

    async def handle(self, msg: Any) -> None:
        """Apply one Kafka message; ack it unless it must be delivered again."""
        try:
            outcome = await self._handle(msg)
        except Exception as exc:  # our own bug, not the handler's: still never skip
            log.exception("consumer failed on a message", extra={"topic": self.topic.name})
            reason = f"the consumer failed on it: {type(exc).__name__}: {exc}"
            outcome = await self._dead_letter(msg, Kind.EXHAUSTED, reason, attempts=1)
        await self._finish(msg, outcome)

    async def _handle(self, msg: Any) -> str | None:
        record = msg.raw_message
        problem = undecodable(record.key, record.headers or ())
        if problem is not None:
            return await self._dead_letter(msg, Kind.UNDECODABLE, problem, attempts=0)
        headers: dict[str, str] = dict(msg.headers)
        try:
            envelope = parse_headers(headers)
        except EnvelopeError as exc:
            return await self._dead_letter(msg, Kind.ENVELOPE, f"not a CloudEvent: {exc}", 0)
        recent = self.subscription.recent_only
        if recent is not None and envelope.time.timestamp() < self._started - recent:
            return "skipped"
        event_cls = self._by_type.get(envelope.type)
        if event_cls is None:
            return await self._not_handled(msg, envelope)
        try:
            event = event_cls.model_validate_json(msg.body)
        except ValidationError as exc:
            reason = f"body is not a valid {event_cls.__name__}: {_first_error(exc)}"
            error = f"ValidationError: {exc}"
            return await self._dead_letter(msg, Kind.INVALID, reason, 0, error=error)
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
            return await self._apply_with_retries(msg, event, envelope)

    async def _not_handled(self, msg: Any, envelope: Envelope) -> str | None:
        if envelope.type in self.known_types:
            return "skipped"  # for other consumers of the topic
        UNKNOWN_TYPES.labels(self.service, self.topic.name).inc()
        if self.subscription.replay:
            # This instance reads the whole topic at every start: once upgraded it will
            # read this event again. Parking it at every start would only repeat it.
            log.warning(
                "event type unknown to this version; it stays on the topic",
                extra={"ce_type": envelope.type[:200], "topic": self.topic.name},
            )
            return "skipped"
        reason = (
            f"unknown event type {envelope.type[:200]!r}: not among the types this "
            f"version of {self.service} knows on {self.topic.name}; replay it once "
            "the consumer is upgraded"
        )
        return await self._dead_letter(msg, Kind.UNKNOWN_TYPE, reason, attempts=0)

    async def _finish(self, msg: Any, outcome: str | None) -> None:
        if outcome is None:
            # Not applied and not parked: deliver it again rather than lose it.
            await msg.nack()
            return
        CONSUMED.labels(self.service, self.topic.name, outcome).inc()
        await msg.ack()

    async def _apply_with_retries(self, msg: Any, event: Event, envelope: Envelope) -> str | None:
        attempt = 0
        outage_backoff = 0.1
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                outcome = await self._apply(event, envelope)
            except Exception as exc:
                failure = classify(exc)
                allowed = attempts_allowed(failure, self._max_attempts)
                if allowed is None:
                    attempt -= 1
                    log.warning(
                        "infrastructure error while handling event; retrying",
                        extra={"ce_id": envelope.id, "error": repr(exc)},
                    )
                    await asyncio.sleep(outage_backoff)
                    outage_backoff = min(outage_backoff * 2, 5.0)
                    continue
                log.warning(
                    "handler failed",
                    extra={
                        "ce_id": envelope.id,
                        "attempt": attempt,
                        "failure": str(failure),
                        "error": repr(exc),
                    },
                )
                if attempt >= allowed:
                    error = f"{type(exc).__name__}: {exc}"
                    if failure is Failure.DETERMINISTIC:
                        kind, reason = Kind.DETERMINISTIC, f"{error} (the same on every try)"
                    else:
                        kind, reason = Kind.EXHAUSTED, f"failed {attempt} times: {error}"
                    return await self._dead_letter(msg, kind, reason, attempt, error=error)
                await asyncio.sleep(min(0.05 * 2**attempt, 2.0))
                continue
            HANDLE_SECONDS.labels(self.service, self.topic.name).observe(
                time.perf_counter() - started
            )
            return outcome

    async def _apply(self, event: Event, envelope: Envelope) -> str:
        handler = self.subscription.handlers[type(event)]
        if self._uow is None or self.subscription.replay:  # state in memory, read whole
            await handler(event, envelope)  # type: ignore[call-arg,arg-type]
            return "applied"
        async with self._uow() as uow:
            if not await uow.claim(self.service, envelope):
                return "duplicate"
            await handler(uow, event, envelope)  # type: ignore[call-arg]
            await uow.commit()
        return "applied"

    async def _dead_letter(
        self, msg: Any, kind: Kind, reason: str, attempts: int, *, error: str | None = None
    ) -> str | None:
        """Park the message as it came, with why; None if that failed (then it is
        delivered again: nothing is acknowledged that is neither applied nor parked)."""
        record = msg.raw_message
        headers = parked_headers(
            record.headers or (),
            kind=kind,
            reason=reason,
            error=error,
            attempts=attempts,
            consumer=self.service,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp=record.timestamp,
            now=datetime.now(UTC),
        )
        try:
            await self._send_raw(self.topic.dead_letter, record.key, record.value, headers)
        except Exception as exc:
            log.exception(
                "could not dead-letter a message; it will be retried", extra={"error": repr(exc)}
            )
            await asyncio.sleep(1.0)  # the broker is likely the problem: do not spin
            return None
        DEAD_LETTERED.labels(self.service, self.topic.name, str(kind)).inc()
        log.error(
            "message dead-lettered",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "kind": str(kind),
                "reason": reason,
            },
        )
        return "dead_lettered"


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if not errors:
        return str(exc)[:300]
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', '')}{more}"[:500]
