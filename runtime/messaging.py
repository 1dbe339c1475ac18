"""Transactional outbox, idempotent inbox, and the unit of work that ties them.

A state change and the event announcing it are written in one transaction (the
outbox row); the relay publishes rows in id order after commit. A consumer
records the event id in its inbox in the same transaction as the effect, so a
redelivered event finds its id there and changes nothing.
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import AuditRecorded, Envelope, Event, envelope_for, topic_of
from runtime.db import Database
from runtime.telemetry import current_trace_headers
from runtime.types import UtcDateTime

#: Largest event a topic holds as the broker stores it (a gzip-compressed record
#: batch): Kafka's default `message.max.bytes`, set on every topic we create
#: (runtime/kafka.py, deploy/k8s/base/kafka/create-topics.sh) so all three agree.
EVENT_MAX_STORED_BYTES = 1_048_588
#: Largest event before compression: the producer's `max_request_size` is a little
#: more, for the headers. Body limits of 1,000,000 characters (3 bytes each at most
#: in UTF-8) stay well inside it.
EVENT_MAX_BYTES = 8 * 1024 * 1024
#: What we let through compressed: a margin under the stored limit for the batch
#: header, the key and the headers (our measure is gzip level 6, the producer's is 9).
_STORED_BUDGET = EVENT_MAX_STORED_BYTES - 48 * 1024


class EventTooLarge(ValueError):
    """An event that no broker would take: refused before anything is stored."""

    def __init__(self, event_type: str, size: int, stored: int | None = None) -> None:
        self.event_type = event_type
        self.size = size
        self.stored = stored
        what = f"{size} bytes" + (f", {stored} compressed" if stored is not None else "")
        super().__init__(f"{event_type} is too large to publish ({what})")


def stored_size_problem(payload: bytes) -> int | None:
    """None if an event body of these bytes fits every limit, else its measured size
    (compressed when that is what is over). Compresses only bodies that could be over."""
    if len(payload) > EVENT_MAX_BYTES:
        return len(payload)
    if len(payload) <= _STORED_BUDGET:
        return None
    compressed = len(zlib.compress(payload, 6))
    return compressed if compressed > _STORED_BUDGET else None


def check_event_size(event_type: str, payload: bytes) -> None:
    over = stored_size_problem(payload)
    if over is not None:
        stored = over if len(payload) <= EVENT_MAX_BYTES else None
        raise EventTooLarge(event_type, len(payload), stored)


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add the outbox, inbox and leases tables to a service's metadata."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("headers", JSON, nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text, nullable=True),
        #: Set when the relay gave up on a row that can never be sent (too large for
        #: the broker, say): it is kept, with the reason in last_error, for an operator.
        Column("parked_at", UtcDateTime(), nullable=True),
        Index("ix_outbox_pending", "published_at", "id"),
        # Ids must never be reused, or the relay's order could go backwards.
        sqlite_autoincrement=True,
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
        # runtime/inbox.py prunes by age.
        Index("ix_inbox_received_at", "received_at"),
    )
    Table(  # runtime/lease.py: which replica runs the relay, the indexer
        "leases",
        metadata,
        Column("name", String(100), primary_key=True),
        Column("holder", String(200), nullable=False),
        Column("expires_at", UtcDateTime(), nullable=False),
    )
    return outbox, inbox


def _jsonable(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Rows and Pydantic parts as plain JSON values (datetimes as ISO text)."""
    if value is None:
        return None
    return json.loads(json.dumps(dict(value), default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)


_META = MetaData()
OUTBOX, INBOX = messaging_tables(_META)


class UnitOfWork:
    """One transaction: the caller's changes, the events they emit, the inbox claim.

    Rolled back unless `commit()` was called. Events are written to the outbox at
    commit, after the caller's own writes, so that for one aggregate the outbox
    ids follow the order in which transactions took the aggregate's row lock.
    """

    def __init__(self, db: Database, source: str, on_commit: Callable[[], None]) -> None:
        self._db = db
        self._source = source
        self._on_commit = on_commit
        self._events: list[Event] = []
        self.session: AsyncSession
        self.committed = False

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._db.session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self.committed:
                await self.session.rollback()
        finally:
            await self.session.close()

    def emit(self, event: Event) -> None:
        self._events.append(event)

    def audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        tenant: str | None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        """Record who did what, in the same transaction as the doing (admin keeps the log)."""
        self.emit(
            AuditRecorded(
                tenant=tenant or "",
                entry_id=str(uuid.uuid4()),
                actor=actor,
                action=action,
                subject=subject,
                at=datetime.now(UTC),
                before=_jsonable(before),
                after=_jsonable(after),
            )
        )

    async def claim(self, consumer: str, envelope: Envelope) -> bool:
        """Record that `consumer` handles this event; False if it already did."""
        values = {
            "consumer": consumer,
            "event_id": envelope.id,
            "event_type": envelope.type,
            "received_at": datetime.now(UTC),
        }
        dialect = sqlite if not self._db.is_postgres else postgresql
        stmt = dialect.insert(INBOX).values(**values).on_conflict_do_nothing()
        result = await self.session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def commit(self) -> None:
        if self._events:
            trace = current_trace_headers()
            now = datetime.now(UTC)
            rows: list[dict[str, Any]] = []
            for event in self._events:
                envelope = envelope_for(event, source=self._source, at=now, trace=trace)
                payload = event.model_dump_json()
                # Refused here, with the caller's transaction rolled back, rather than
                # stored and then jamming the relay.
                check_event_size(envelope.type, payload.encode())
                rows.append(
                    {
                        "event_id": envelope.id,
                        "topic": topic_of(event).name,
                        "key": event.key(),
                        "event_type": envelope.type,
                        "headers": envelope.headers(),
                        "payload": payload,
                        "created_at": now,
                    }
                )
            await self.session.execute(insert(OUTBOX), rows)
        await self.session.commit()
        self.committed = True
        if self._events:
            self._on_commit()
