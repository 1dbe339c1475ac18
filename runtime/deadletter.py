"""Dead letters: what a parked message carries, and how an operator sends it back.

A consumer parks a message it cannot apply on `<topic>.dlt` (runtime/consumer.py):
the message exactly as it came (key, value and headers as bytes, so one that does
not even decode is kept as it was), plus `dlt_*` headers saying why, who parked it
and where it came from. `portal dlt list` shows them; `portal dlt replay` sends the
chosen ones back to their topic (portal/dlt_cli.py).

Replay is at-least-once and safe to repeat: a replayed message keeps its `ce_id`,
so a consumer that applied it already drops it in its inbox, and one that never did
(the inbox row is written only with the effect) applies it now. The replayer commits
its position on each dead-letter topic (group `portal.dlt-replay`), so one parked
message is sent back once; messages a replay leaves alone (filtered out) are put
back at the end of the dead-letter topic, so that "after the committed position" is
always exactly what is still parked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts import TOPICS
from contracts.envelope import H_ID, H_TYPE
from contracts.topics import DEAD_LETTER_SUFFIX
from runtime.messaging import EVENT_MAX_BYTES

Headers = list[tuple[str, bytes]]

H_REASON = "dlt_reason"
H_KIND = "dlt_kind"
H_ERROR = "dlt_error"
H_ATTEMPTS = "dlt_attempts"
H_CONSUMER = "dlt_consumer"
H_PARKED_AT = "dlt_parked_at"
H_ORIGINAL_TOPIC = "dlt_original_topic"
H_ORIGINAL_PARTITION = "dlt_original_partition"
H_ORIGINAL_OFFSET = "dlt_original_offset"
H_ORIGINAL_TIMESTAMP = "dlt_original_timestamp"
#: On a replayed message: the dead letter it was sent back from, and when.
H_REPLAYED_FROM = "dlt_replayed_from"
H_REPLAYED_AT = "dlt_replayed_at"
#: The outbox relay's notices of rows it parked (runtime/relay.py).
H_SOURCE = "dlt_source"
DLT_PREFIX = "dlt_"

#: The consumer group whose committed offsets mark what has been replayed.
REPLAY_GROUP = "portal.dlt-replay"


class Kind(StrEnum):
    """Why a message was parked."""

    #: Key or a header is not UTF-8: no consumer of ours can read it.
    UNDECODABLE = "undecodable"
    #: The headers do not make a CloudEvent.
    ENVELOPE = "envelope"
    #: A type this consumer's contracts do not list on the topic (a newer producer).
    UNKNOWN_TYPE = "unknown_type"
    #: The body does not validate as the event its type names.
    INVALID = "invalid"
    #: The handler failed in a way no retry changes (see runtime/failures.py).
    DETERMINISTIC = "deterministic"
    #: The handler kept failing for reasons unknown; it was tried the maximum times.
    EXHAUSTED = "exhausted"
    #: Not a message: the outbox relay's notice of a row it could never send.
    OUTBOX = "outbox"


# --- pure parts ------------------------------------------------------------------------


def undecodable(key: bytes | None, headers: Iterable[tuple[str, bytes | None]]) -> str | None:
    """Why a record's key or headers cannot be read as text, or None when they can.
    A header name that was not UTF-8 arrives with surrogates (runtime/lenient_records.py)."""
    if key is not None and not _utf8(key):
        return "key is not valid UTF-8"
    for name, value in headers:
        if not _utf8_name(name):
            raw = name.encode("utf-8", "surrogateescape")
            return f"header name {raw[:100]!r} is not valid UTF-8"
        if value is not None and not _utf8(value):
            return f"header {name!r} is not valid UTF-8"
    return None


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


#: A header name that is not UTF-8 cannot be sent again (the protocol's names are
#: strings): it is kept as this prefix and the name's bytes in hex.
HEX_NAME_PREFIX = "dlt_header_name_hex:"


def sendable_name(name: str) -> str:
    if _utf8_name(name):
        return name
    return HEX_NAME_PREFIX + name.encode("utf-8", "surrogateescape").hex()


def parked_headers(
    original: Iterable[tuple[str, bytes | None]],
    *,
    kind: Kind,
    reason: str,
    error: str | None,
    attempts: int,
    consumer: str,
    topic: str,
    partition: int,
    offset: int,
    timestamp: int,
    now: datetime,
) -> Headers:
    """The headers of a dead letter: the message's own, as they came, then ours."""
    ours = {
        H_REASON: reason[:1000],
        H_KIND: str(kind),
        H_ERROR: (error or reason)[:2000],
        H_ATTEMPTS: str(attempts),
        H_CONSUMER: consumer,
        H_PARKED_AT: now.isoformat(),
        H_ORIGINAL_TOPIC: topic,
        H_ORIGINAL_PARTITION: str(partition),
        H_ORIGINAL_OFFSET: str(offset),
        H_ORIGINAL_TIMESTAMP: str(timestamp),
    }
    kept = [(sendable_name(k), v if v is not None else b"") for k, v in original if k not in ours]
    return [*kept, *((k, v.encode()) for k, v in ours.items())]


def replay_headers(parked: Parked, now: datetime) -> Headers:
    """The message's own headers (without any of ours), and where it was replayed from."""
    kept = [(k, v) for k, v in parked.headers if not k.startswith(DLT_PREFIX)]
    return [
        *kept,
        (H_REPLAYED_FROM, parked.coordinates.encode()),
        (H_REPLAYED_AT, now.isoformat().encode()),
    ]


def _text(value: bytes | None) -> str:
    return (value or b"").decode("utf-8", "replace")


@dataclass(frozen=True)
class Parked:
    """One record of a dead-letter topic."""

    topic: str
    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: Headers

    @classmethod
    def of(cls, record: Any) -> Parked:
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp=record.timestamp,
            key=record.key,
            value=record.value,
            headers=[(k, v if v is not None else b"") for k, v in (record.headers or ())],
        )

    def header(self, name: str) -> str:
        """The last value of a header, as text ("" when absent)."""
        found = [v for k, v in self.headers if k == name]
        return _text(found[-1]) if found else ""

    @property
    def coordinates(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"

    @property
    def kind(self) -> str:
        if self.header(H_SOURCE).startswith("outbox:"):
            return Kind.OUTBOX
        return self.header(H_KIND) or "?"

    @property
    def reason(self) -> str:
        # Dead letters from before dlt_reason existed had only dlt_error.
        return self.header(H_REASON) or self.header(H_ERROR)

    @property
    def consumer(self) -> str:
        return self.header(H_CONSUMER) or self.header(H_SOURCE)

    @property
    def home(self) -> str:
        """The topic this dead-letter topic belongs to: the only one it replays to."""
        return self.topic.removesuffix(DEAD_LETTER_SUFFIX)

    @property
    def original_topic(self) -> str:
        return self.header(H_ORIGINAL_TOPIC) or self.home

    @property
    def original_partition(self) -> int | None:
        value = self.header(H_ORIGINAL_PARTITION)
        return int(value) if value.isdigit() else None

    @property
    def original_offset(self) -> int | None:
        value = self.header(H_ORIGINAL_OFFSET)
        return int(value) if value.isdigit() else None

    @property
    def identity(self) -> str:
        """The message this is a copy of: each consumer that parked it made one."""
        if self.original_offset is not None:
            return f"{self.original_topic}/{self.original_partition}/{self.original_offset}"
        return f"{self.original_topic}/id/{self.header(H_ID) or self.coordinates}"

    @property
    def parked_at(self) -> datetime:
        stamp = self.header(H_PARKED_AT)
        try:
            return datetime.fromisoformat(stamp)
        except ValueError:
            return datetime.fromtimestamp(self.timestamp / 1000, UTC)

    def matches(self, reason_contains: str | None, consumer: str | None) -> bool:
        if consumer is not None and self.consumer != consumer:
            return False
        if reason_contains is None:
            return True
        needle = reason_contains.casefold()
        return needle in self.reason.casefold() or needle in self.header(H_ERROR).casefold()

    def summary(self) -> dict[str, Any]:
        return {
            "dlt": self.coordinates,
            "parked_at": self.parked_at.isoformat(),
            "consumer": self.consumer,
            "kind": self.kind,
            "reason": self.reason,
            "original": f"{self.original_topic}/{self.original_partition}/{self.original_offset}",
            "ce_type": self.header(H_TYPE),
            "ce_id": self.header(H_ID),
            "key": _text(self.key),
            "replayed_from": self.header(H_REPLAYED_FROM) or None,
        }


class Decision(StrEnum):
    SEND = "send"  # back to its topic
    REQUEUE = "requeue"  # left parked: appended again to the dead-letter topic
    SETTLE = "settle"  # nothing to send, nothing to keep


@dataclass
class Step:
    parked: Parked
    decision: Decision
    note: str = ""


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)

    def of(self, decision: Decision) -> list[Step]:
        return [s for s in self.steps if s.decision is decision]


def plan_replay(
    records: Sequence[Parked],
    *,
    reason_contains: str | None = None,
    consumer: str | None = None,
    sent: set[str] | None = None,
) -> Plan:
    """What a replay does with each record, in order. `sent` holds the identities of
    messages this replay sent already (from an earlier chunk), and is updated."""
    sent = set() if sent is None else sent
    plan = Plan()
    for parked in records:
        decision, note = _decide(parked, reason_contains, consumer, sent)
        if decision is Decision.SEND:
            sent.add(parked.identity)
        plan.steps.append(Step(parked, decision, note))
    return plan


def _decide(
    parked: Parked, reason_contains: str | None, consumer: str | None, sent: set[str]
) -> tuple[Decision, str]:
    if not parked.matches(reason_contains, consumer):
        return Decision.REQUEUE, "not chosen: left parked"
    if parked.kind == Kind.OUTBOX:
        return Decision.SETTLE, "notice of a parked outbox row, which stays in its outbox"
    if parked.original_topic != parked.home:
        # A dead letter sends back only to its own topic, whatever a header says.
        return Decision.REQUEUE, f"names another topic ({parked.original_topic[:100]!r})"
    if parked.identity in sent:
        return Decision.SETTLE, "another consumer's copy of a message sent back already"
    return Decision.SEND, ""


COMPACTED = frozenset(t.name for t in TOPICS if t.compacted)


# --- Kafka ------------------------------------------------------------------------------


class ReplayError(Exception):
    """The dead-letter topics cannot be read or written; the message says why."""


def dead_letter_topics(topic: str | None) -> list[str]:
    """The dead-letter topics a command is about: one (its name or its topic's), or all."""
    if topic is None:
        return [t.name + DEAD_LETTER_SUFFIX for t in TOPICS]
    return [topic if topic.endswith(DEAD_LETTER_SUFFIX) else topic + DEAD_LETTER_SUFFIX]


@dataclass
class Replayed:
    topic: str
    plan: Plan = field(default_factory=Plan)
    committed: int | None = None


class DeadLetters:
    """The dead-letter topics of one cluster, read (and, to replay, written) as the
    operator's command does."""

    def __init__(
        self,
        bootstrap: str,
        security: dict[str, Any] | None = None,
        *,
        idempotent: bool = False,
        chunk: int = 500,
        timeout: float = 30.0,
    ) -> None:
        self._bootstrap = bootstrap
        self._security = security or {}
        # Off by default: the embedded broker has no idempotent producer, and a duplicate
        # a retried send might make is dropped by the consumers' inbox anyway.
        self._idempotent = idempotent
        self._chunk = chunk
        self._timeout = timeout
        self._consumer: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._producer: AIOKafkaProducer | None = None

    async def __aenter__(self) -> DeadLetters:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=REPLAY_GROUP,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._security,
        )
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, **self._security)
        try:
            async with asyncio.timeout(self._timeout):
                await self._consumer.start()
                await self._admin.start()
        except Exception as exc:
            await self.__aexit__()
            raise ReplayError(f"cannot reach Kafka at {self._bootstrap}: {exc!r}") from exc
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._producer is not None:
            await self._producer.stop()
        if self._admin is not None:
            await self._admin.close()
        if self._consumer is not None:
            await self._consumer.stop()

    async def _partitions(self, topic: str) -> list[TopicPartition]:
        assert self._admin is not None
        # Listed first: asking about a missing topic would create it on a broker that
        # creates topics on demand (the embedded one does).
        if topic not in await self._admin.list_topics():
            raise ReplayError(f"there is no topic {topic}")
        (described,) = await self._admin.describe_topics([topic])
        return sorted(TopicPartition(topic, p["partition"]) for p in described["partitions"])

    async def _chunks(
        self, topic: str, *, everything: bool
    ) -> AsyncIterator[tuple[TopicPartition, list[Parked], int]]:
        """The topic's records from the replayer's committed position (or the start) to
        the end as it is now, in chunks, each with the offset that follows it. Records
        parked meanwhile (a replayed message parked again, say) are for the next run."""
        consumer = self._consumer
        assert consumer is not None
        partitions = await self._partitions(topic)
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        for tp in partitions:
            committed = None if everything else await consumer.committed(tp)
            start = max(starts[tp], min(committed or 0, ends[tp]))
            if start >= ends[tp]:
                continue
            consumer.seek(tp, start)
            idle_until = asyncio.get_running_loop().time() + self._timeout
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=500, max_records=self._chunk)
                raw = batch.get(tp, [])
                if not raw:
                    if asyncio.get_running_loop().time() > idle_until:
                        raise ReplayError(f"{tp.topic}: no records arrive below offset {ends[tp]}")
                    continue
                idle_until = asyncio.get_running_loop().time() + self._timeout
                records = [Parked.of(r) for r in raw if r.offset < ends[tp]]
                following = min(raw[-1].offset + 1, ends[tp])
                yield tp, records, following
                if following >= ends[tp]:
                    break

    async def parked(self, topic: str, *, everything: bool = False) -> list[Parked]:
        """What is still parked on a dead-letter topic (with `everything`: all it holds).
        `topic` is the dead-letter topic or the one it belongs to."""
        (topic,) = dead_letter_topics(topic)
        found: list[Parked] = []
        async for _tp, records, _next in self._chunks(topic, everything=everything):
            found.extend(records)
        return found

    async def replay(
        self,
        topic: str,
        *,
        reason_contains: str | None = None,
        consumer: str | None = None,
        dry_run: bool = False,
    ) -> Replayed:
        """Send the chosen parked messages back to their topic, put the others back at
        the end of the dead-letter topic, then commit: each is done once. `topic` is
        the dead-letter topic or the one it belongs to."""
        (topic,) = dead_letter_topics(topic)
        result = Replayed(topic)
        sent: set[str] = set()
        async for tp, records, following in self._chunks(topic, everything=False):
            plan = plan_replay(
                records, reason_contains=reason_contains, consumer=consumer, sent=sent
            )
            await self._drop_superseded(plan)
            result.plan.steps.extend(plan.steps)
            if dry_run:
                continue
            await self._execute(plan)
            assert self._consumer is not None
            await self._consumer.commit({tp: following})
            result.committed = following
        return result

    async def _drop_superseded(self, plan: Plan) -> None:
        """On a compacted topic the newest record of a key is the state: sending an old
        one back would shadow the newer. Such a message is settled, not sent."""
        for step in plan.of(Decision.SEND):
            parked = step.parked
            if parked.home not in COMPACTED:
                continue
            newer = await self._newer_offset(parked)
            if newer is not None:
                step.decision = Decision.SETTLE
                step.note = f"superseded on the compacted topic by offset {newer} of its key"

    async def _newer_offset(self, parked: Parked) -> int | None:
        if parked.original_partition is None or parked.original_offset is None:
            return None
        reader = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap, enable_auto_commit=False, **self._security
        )
        await reader.start()
        try:
            tp = TopicPartition(parked.home, parked.original_partition)
            reader.assign([tp])
            end = (await reader.end_offsets([tp]))[tp]
            reader.seek(tp, parked.original_offset + 1)
            while await reader.position(tp) < end:
                async with asyncio.timeout(self._timeout):
                    batch = await reader.getmany(tp, timeout_ms=1000)
                for record in batch.get(tp, []):
                    if record.key == parked.key and record.offset > parked.original_offset:
                        return int(record.offset)
        finally:
            await reader.stop()
        return None

    async def _execute(self, plan: Plan) -> None:
        """One send at a time, each acknowledged before the next: without an idempotent
        producer, batches in flight could be reordered by a retry (and the embedded
        broker misreports the end offset after a batch of several records)."""
        producer = await self._producer_started()
        now = datetime.now(UTC)
        for step in plan.steps:
            parked = step.parked
            if step.decision is Decision.SEND:
                topic, headers = parked.home, replay_headers(parked, now)
            elif step.decision is Decision.REQUEUE:
                topic, headers = parked.topic, parked.headers
            else:
                continue
            async with asyncio.timeout(self._timeout):
                await producer.send_and_wait(topic, parked.value, key=parked.key, headers=headers)

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap,
                acks="all",
                enable_idempotence=self._idempotent,
                compression_type="gzip",
                max_request_size=EVENT_MAX_BYTES + 64 * 1024,
                **self._security,
            )
            await producer.start()
            self._producer = producer
        return self._producer
