"""The outbox relay: publishes committed outbox rows to Kafka, in id order.

Rows are published one after another and marked afterwards; a failed send stops
the pass, so no later row (maybe of the same aggregate) overtakes it. A row that can
never be sent (larger than the broker takes, say) does not stop it: it is parked
(kept, with the reason, counted in `portal_outbox_parked`, announced on the topic's
dead-letter topic) and the relay carries on with the next. A crash
between send and mark republishes the row: consumers drop the duplicate by its
event id. On PostgreSQL several replicas may run; a renewed lease
(runtime/lease.py) makes one of them the relay and the others stand by, and the
relay stops sending the moment its lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from aiokafka.errors import (
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
)
from opentelemetry import trace
from prometheus_client import Counter, Gauge
from sqlalchemy import delete, func, select, update

from runtime.db import Database
from runtime.lease import DEFAULT_TTL, LeaseLost, run_singleton, singleton_lease
from runtime.messaging import OUTBOX, stored_size_problem
from runtime.telemetry import context_from, current_trace_headers, tracer

log = logging.getLogger("portal.outbox")

Send = Callable[[str, str, bytes, Mapping[str, str]], Awaitable[None]]

PUBLISHED = Counter("portal_outbox_published", "Outbox rows published", ["service"])
FAILURES = Counter("portal_outbox_publish_failures", "Failed outbox publish passes", ["service"])
PENDING = Gauge("portal_outbox_pending", "Outbox rows not yet published", ["service"])
PARKED = Counter(
    "portal_outbox_parked", "Outbox rows set aside because they can never be sent", ["service"]
)

#: Errors that no retry can cure: the row itself is at fault, not the broker's state.
UNSENDABLE: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    UnicodeError,
)


class Unsendable(Exception):
    """A row the relay refuses before trying (its own size check)."""


KEEP_PUBLISHED = timedelta(days=7)


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        send: Send,
        *,
        service: str,
        poll_seconds: float = 0.5,
        batch: int = 200,
        before_retry: Callable[[], Awaitable[None]] | None = None,
        before_publish: Callable[[], Awaitable[None]] | None = None,
        lease_ttl: float = DEFAULT_TTL,
    ) -> None:
        self._db = db
        self._send = send
        self._service = service
        self._poll = poll_seconds
        self._batch = batch
        self._before_retry = before_retry
        self._before_publish = before_publish
        self._wake = asyncio.Event()
        self._last_cleanup = datetime.min.replace(tzinfo=UTC)
        self.last_error: str | None = None
        self.lease = singleton_lease(db, "outbox", lease_ttl)

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        # The leader keeps its lease through broker outages: it retries, the standbys
        # wait. Only losing the lease (the database, a frozen node) ends it.
        await run_singleton(self.lease, self._serve)

    async def _serve(self) -> None:
        backoff = self._poll
        while True:
            try:
                await self._loop()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                FAILURES.labels(self._service).inc()
                log.warning("outbox relay pass failed, retrying", extra={"error": self.last_error})
                await self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                if self._before_retry is not None:
                    # e.g. recreate topics a restarted broker lost, before the next send
                    # auto-creates them with the wrong partition count.
                    with suppress(Exception):
                        await self._before_retry()

    async def _loop(self) -> None:
        while True:
            sent = await self.publish_pending()
            self.last_error = None
            if sent < self._batch:
                await self._cleanup()
                await self._sleep(self._poll)

    async def _sleep(self, seconds: float) -> None:
        with suppress(TimeoutError):
            async with asyncio.timeout(seconds):  # not wait_for: see Service.ensure_topics
                await self._wake.wait()
        self._wake.clear()

    async def publish_pending(self) -> int:
        """Publish up to one batch of pending rows in order; return how many went out."""
        async with self._db.read() as session:
            rows = (
                await session.execute(
                    select(OUTBOX)
                    .where(OUTBOX.c.published_at.is_(None), OUTBOX.c.parked_at.is_(None))
                    .order_by(OUTBOX.c.id)
                    .limit(self._batch)
                )
            ).all()
        if rows and self._before_publish is not None:
            await self._before_publish()  # raising fails this pass: retried, nothing lost
        sent: list[int] = []
        parked: dict[int, str] = {}
        error: Exception | None = None
        lost = False
        for row in rows:
            if self.lease is not None and not self.lease.valid():
                lost = True  # another replica may lead by now: send nothing more
                break
            try:
                await self._publish(row)
            except (*UNSENDABLE, Unsendable) as exc:
                parked[row.id] = f"parked: {type(exc).__name__}: {exc}"[:2000]
                await self._announce_parked(row, parked[row.id])
                continue
            except Exception as exc:
                error = exc
                break
            sent.append(row.id)
        async with self._db.session() as session:
            now = datetime.now(UTC)
            if sent:
                await session.execute(
                    update(OUTBOX).where(OUTBOX.c.id.in_(sent)).values(published_at=now)
                )
            for row_id, reason in parked.items():
                await session.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == row_id)
                    .values(parked_at=now, attempts=OUTBOX.c.attempts + 1, last_error=reason)
                )
            if error is not None:
                await session.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id == rows[len(sent) + len(parked)].id)
                    .values(attempts=OUTBOX.c.attempts + 1, last_error=str(error)[:2000])
                )
            await session.commit()
        PUBLISHED.labels(self._service).inc(len(sent))
        for row_id, reason in parked.items():
            PARKED.labels(self._service).inc()
            log.error(
                "outbox row can never be sent: parked, later rows go on",
                extra={"outbox_id": row_id, "service": self._service, "error": reason},
            )
        if lost:
            raise LeaseLost("outbox")
        if error is not None:
            PENDING.labels(self._service).set(await self.pending())
            raise error
        if len(rows) < self._batch:
            PENDING.labels(self._service).set(0)
        return len(sent) + len(parked)

    async def _announce_parked(self, row: object, reason: str) -> None:
        """Tell the topic's dead-letter topic, small: the event's headers and why, not
        its body (which is what could not be sent). Best effort: the row stays parked
        in the outbox whatever happens here."""
        headers = {
            **dict(row.headers),  # type: ignore[attr-defined]
            "dlt_reason": reason[:500],
            "dlt_source": f"outbox:{self._service}",
            "dlt_outbox_id": str(row.id),  # type: ignore[attr-defined]
            "dlt_payload_bytes": str(len(row.payload.encode("utf-8", "replace"))),  # type: ignore[attr-defined]
        }
        try:
            await self._send(f"{row.topic}.dlt", row.key, b"", headers)  # type: ignore[attr-defined]
        except Exception as exc:  # the broker may be the problem; the row is kept anyway
            log.warning("could not announce a parked outbox row", extra={"error": str(exc)})

    async def _publish(self, row: object) -> None:
        headers: dict[str, str] = dict(row.headers)  # type: ignore[attr-defined]
        topic: str = row.topic  # type: ignore[attr-defined]
        with tracer.start_as_current_span(
            f"{topic} publish",
            context=context_from(headers),
            kind=trace.SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": topic,
                "messaging.message.id": row.event_id,  # type: ignore[attr-defined]
                "portal.service": self._service,
            },
        ):
            # The consumer's span becomes a child of this producer span.
            headers.update(current_trace_headers())
            payload = row.payload.encode()  # type: ignore[attr-defined]
            over = stored_size_problem(payload)
            if over is not None:  # written before the check at commit existed, say
                raise Unsendable(f"event of {len(payload)} bytes exceeds the broker's limit")
            await self._send(topic, row.key, payload, headers)  # type: ignore[attr-defined]

    async def pending(self) -> int:
        async with self._db.read() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OUTBOX)
                .where(OUTBOX.c.published_at.is_(None), OUTBOX.c.parked_at.is_(None))
            )
        return int(count or 0)

    async def parked(self) -> int:
        async with self._db.read() as session:
            count = await session.scalar(
                select(func.count()).select_from(OUTBOX).where(OUTBOX.c.parked_at.is_not(None))
            )
        return int(count or 0)

    async def _cleanup(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_cleanup < timedelta(hours=1):
            return
        self._last_cleanup = now
        async with self._db.session() as session:
            await session.execute(
                delete(OUTBOX).where(OUTBOX.c.published_at < now - KEEP_PUBLISHED)
            )
            await session.commit()
