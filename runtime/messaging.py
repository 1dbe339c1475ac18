"""Transactional outbox, idempotent inbox, and the unit of work that ties them.

A state change and the event announcing it are written in one transaction (the
outbox row); the relay publishes rows in id order after commit. A consumer
records the event id in its inbox in the same transaction as the effect, so a
redelivered event finds its id there and changes nothing.
"""

from __future__ import annotations

import json
import uuid
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


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add the outbox and inbox tables to a service's metadata."""
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
                rows.append(
                    {
                        "event_id": envelope.id,
                        "topic": topic_of(event).name,
                        "key": event.key(),
                        "event_type": envelope.type,
                        "headers": envelope.headers(),
                        "payload": event.model_dump_json(),
                        "created_at": now,
                    }
                )
            await self.session.execute(insert(OUTBOX), rows)
        await self.session.commit()
        self.committed = True
        if self._events:
            self._on_commit()
