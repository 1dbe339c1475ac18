"""The webhook dispatcher: posts every pending message of the delivery queue
(`deliveries`, filled by partners.enqueue) to its partner's URL, signed, and keeps the
delivery log.

Isolation. Each webhook has its own endpoint here: its own HTTP client and
connections, its own queue, and IN_FLIGHT senders; at most BACKLOG of its messages
are claimed at once. A slow or dead receiver fills only its own slots and its own
backlog; the claimer skips it until it has room, so every other webhook goes on at
its own pace. After PROBE_AFTER failures in a row a webhook gets one message at a
time until one goes through, so a receiver that is down is not hammered.

Claims, and replicas. A claim is a short transaction that takes due rows (FOR UPDATE
SKIP LOCKED on PostgreSQL: replicas share the queue, none waits for another's rows;
SQLite runs one process) and moves their `next_attempt_at` CLAIM_SECONDS ahead,
so nobody else takes them meanwhile, and nothing is held open while we post. That
value is also the claim's token: a result is written only where the row still has it
(and is pending), so a result that comes back after an operator's replay, a disabled
webhook or another replica's reclaim of an expired claim changes nothing. If this
process dies, its claims expire and the messages go again, with the same
`webhook-id`: receivers dedup on it (at least once, no effect twice).

Results are written in batches (one transaction per FLUSH_SECONDS or FLUSH_ROWS),
which is what makes hundreds of deliveries a second; each batch completes the
publish receipt's 'partners' step of what it settled (partners.confirm_if_delivered).
If the database is away, results wait in memory (and no more is claimed) until it is
back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from prometheus_client import Counter
from sqlalchemy import bindparam, select, union_all, update
from standardwebhooks import Webhook

from runtime.db import Database
from runtime.messaging import UnitOfWork
from runtime.settings import SyndicationSettings
from services.syndication import partners, store
from services.syndication.ssrf import Resolver, check_literal, checked_addresses, system_resolver
from services.syndication.webhook_rules import (
    Outcome,
    UrlRefused,
    delivery_headers,
    error_text,
    next_attempt_at,
    outcome,
    signing_secrets,
)

log = logging.getLogger("portal.syndication.webhooks")

IN_FLIGHT = 8
BACKLOG = 64
PROBE_AFTER = 3
POLL_SECONDS = 0.2
REFRESH_SECONDS = 1.0
FLUSH_SECONDS = 0.05
FLUSH_ROWS = 500
#: Claimed but not yet written, over every webhook: beyond it, nothing more is claimed.
MAX_UNWRITTEN = 20_000
#: How long a resolved and checked address is used before the host is resolved again.
RESOLVE_TTL = 10.0
#: What of a receiver's answer body is read (the rest is dropped with its connection).
MAX_READ = 4096
#: Webhooks looked for at once in one claim query.
CLAIM_CHUNK = 50
USER_AGENT = "HanoiPortal-Webhooks/1"
GONE_VI = "Đầu nhận trả lời 410 Gone: webhook đã bị tắt."

DELIVERED = Counter("portal_webhook_attempts", "Webhook delivery attempts, by outcome", ["outcome"])

d = store.deliveries


def claim_seconds(timeout: float) -> float:
    """How long a claim holds a message: its wait behind the rest of its webhook's
    backlog, its own attempt, and a margin for writing the result."""
    return timeout * (BACKLOG / IN_FLIGHT + 2) + 30.0


@dataclass
class Claimed:
    id: str
    webhook_id: str
    body: str
    attempts: int
    subject: str
    source_sequence: int | None
    #: The row's next_attempt_at as we claimed it: the token the result is written under.
    claim: datetime
    #: next_attempt_at before the claim, restored when we let the row go unsent.
    due: datetime


@dataclass
class Result:
    row: Claimed
    outcome: Outcome
    status: int | None
    error: str | None
    at: datetime


@dataclass
class _Config:
    url: str
    secret: str
    previous: str | None
    previous_until: datetime | None


class Endpoint:
    """One webhook as the dispatcher serves it: its client, queue and senders."""

    def __init__(
        self,
        webhook_id: str,
        config: _Config,
        dispatcher: Dispatcher,
    ) -> None:
        self.id = webhook_id
        self.config = config
        self._dispatcher = dispatcher
        self.queue: asyncio.Queue[Claimed] = asyncio.Queue()
        #: Claimed and not yet written.
        self.held = 0
        self.failures = 0
        self._signers: dict[str, Webhook] = {}
        self.client = self._client()
        self._senders = [
            asyncio.create_task(self._send_loop(), name=f"webhook-{webhook_id[:8]}-{i}")
            for i in range(IN_FLIGHT)
        ]

    def _client(self) -> aiohttp.ClientSession:
        dispatcher = self._dispatcher
        connector = aiohttp.TCPConnector(
            limit=IN_FLIGHT,
            # Every address the connector connects to comes from this resolver, which
            # refuses forbidden ones (ssrf.py); its answers are kept RESOLVE_TTL.
            resolver=CheckedResolver(dispatcher.allow_private, dispatcher.resolver),
            ttl_dns_cache=int(RESOLVE_TTL),
            keepalive_timeout=30,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=dispatcher.timeout),
            # No HTTP(S)_PROXY from the environment: the request must go to the
            # address the resolver checked, not wherever a proxy would resolve the name.
            trust_env=False,
            auto_decompress=False,
            skip_auto_headers=("User-Agent",),
        )

    def capacity(self) -> int:
        limit = 1 if self.failures >= PROBE_AFTER else BACKLOG
        return max(0, limit - self.held)

    def update(self, config: _Config) -> None:
        if config.url != self.config.url:
            # A new host gets new connections: the old client's are closed once its
            # last requests are done.
            old = self.client
            self.client = self._client()
            self._dispatcher.later(_close_later(old, self._dispatcher.timeout))
        self.config = config

    async def close(self) -> None:
        for task in self._senders:
            task.cancel()
        await asyncio.gather(*self._senders, return_exceptions=True)
        await self.client.close()

    def _signer(self, secret: str) -> Webhook:
        signer = self._signers.get(secret)
        if signer is None:
            if len(self._signers) > 8:
                self._signers.clear()
            signer = self._signers[secret] = Webhook(secret)
        return signer

    async def _send_loop(self) -> None:
        while True:
            row = await self.queue.get()
            result = await self.deliver(row)
            if result.outcome is Outcome.delivered:
                self.failures = 0
            elif result.status is None or result.status >= 500:
                self.failures += 1
            DELIVERED.labels(result.outcome.value).inc()
            self._dispatcher.settled(result)

    async def deliver(self, row: Claimed) -> Result:
        """One attempt: the stored body, signed now, posted to a checked address."""
        now = self._dispatcher.clock()
        config = self.config
        status: int | None = None
        detail = ""
        try:
            # The URL's text again (settings may have changed since it was stored), and
            # an address written in it, which no resolver sees.
            check_literal(config.url, allow_private=self._dispatcher.allow_private)
            signers = [
                self._signer(s)
                for s in signing_secrets(config.secret, config.previous, config.previous_until, now)
            ]
            headers = delivery_headers(row.id, row.body, signers, now)
            headers["user-agent"] = USER_AGENT
            # One bound on the whole attempt (ClientTimeout.total, and this for the
            # reading of the answer): a receiver dripping a byte at a time cannot hold
            # the slot for ever.
            async with asyncio.timeout(self._dispatcher.timeout):
                async with self.client.post(
                    config.url, data=row.body.encode(), headers=headers, allow_redirects=False
                ) as response:
                    status = response.status
                    # Read to the end (a bounded amount) even when it is not kept: a
                    # response read whole leaves its connection for the next message.
                    head = await response.content.read(MAX_READ)
                    if not 200 <= status < 300:
                        detail = head.decode("utf-8", "replace")
        except UrlRefused as exc:
            detail = str(exc)
        except TimeoutError:
            detail = f"không trả lời trong {self._dispatcher.timeout:g} giây"
        except aiohttp.ClientConnectorError as exc:
            refused = exc.os_error if isinstance(exc.os_error, UrlRefused) else None
            detail = str(refused) if refused else f"{type(exc).__name__}: {exc.os_error}"
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            detail = f"{type(exc).__name__}: {exc}"
        what = outcome(status)
        return Result(
            row=row,
            outcome=what,
            status=status,
            error=None if what is Outcome.delivered else error_text(status, detail),
            at=self._dispatcher.clock(),
        )


async def _close_later(client: aiohttp.ClientSession, after: float) -> None:
    await asyncio.sleep(after)
    await client.close()


class CheckedResolver(AbstractResolver):
    """aiohttp's resolver for webhooks: resolves with ssrf.checked_addresses, so a
    connection only ever goes to an address that was just checked (DNS rebinding), and
    TLS still names and verifies the partner's host."""

    def __init__(self, allow_private: bool, resolver: Resolver) -> None:
        self._allow_private = allow_private
        self._resolver = resolver

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await checked_addresses(
            host, port, allow_private=self._allow_private, resolver=self._resolver
        )
        return [
            ResolveResult(
                hostname=host,
                host=str(a),
                port=port,
                family=socket.AF_INET6 if a.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for a in addresses
        ]

    async def close(self) -> None:
        return None


def _now() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    """The loop `service.background["webhooks"]` runs (see the module's docstring)."""

    def __init__(
        self,
        db: Database,
        unit_of_work: Callable[[], UnitOfWork],
        settings: SyndicationSettings,
        *,
        resolver: Resolver = system_resolver,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._db = db
        self._uow = unit_of_work
        self.allow_private = settings.webhooks_allow_private
        self.timeout = settings.webhook_timeout_seconds
        self.schedule = settings.webhook_retry_schedule
        self._postgres = db.is_postgres
        self.resolver = resolver
        self.clock = clock
        self.endpoints: dict[str, Endpoint] = {}
        #: Every row claimed and not yet written, by id.
        self._held: dict[str, Claimed] = {}
        self._results: list[Result] = []
        self._kick = asyncio.Event()
        self._flush = asyncio.Event()
        self._later: set[asyncio.Task[Any]] = set()
        self._refreshed = -1e9
        #: The claimer's and the writer's transactions take turns: on SQLite two writers
        #: of one process would otherwise wait on each other in SQLite's busy handler,
        #: which sleeps up to 100 ms a time.
        self._db_turn = asyncio.Lock()

    def later(self, work: Any) -> None:
        """Run a clean-up beside the loop (closing a replaced client)."""
        task = asyncio.ensure_future(work)
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._kick.set()

    def settled(self, result: Result) -> None:
        self._results.append(result)
        if len(self._results) >= FLUSH_ROWS:
            self._flush.set()

    # --- the loop ----------------------------------------------------------------------

    async def run(self) -> None:
        writer = asyncio.create_task(self._write_loop(), name="webhooks-writer")
        try:
            await self._claim_loop()
        finally:
            writer.cancel()
            with contextlib.suppress(BaseException):
                await writer
            await self._shutdown()

    async def _claim_loop(self) -> None:
        pause = POLL_SECONDS
        while True:
            try:
                loop = asyncio.get_running_loop()
                if loop.time() - self._refreshed >= REFRESH_SECONDS:
                    await self._refresh()
                    self._refreshed = loop.time()
                await self._claim()
                pause = POLL_SECONDS
            except Exception:
                log.exception("webhook claim failed; trying again")
                pause = min(pause * 2, 5.0)
            self._kick.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._kick.wait()

    async def _refresh(self) -> None:
        """Follow the operators' changes: webhooks added, removed, moved, rotated."""
        w, p = store.webhooks, store.partners
        async with self._db.read() as session:
            rows = (
                await session.execute(
                    select(w.c.id, w.c.url, w.c.secret, w.c.previous_secret, w.c.previous_until)
                    .join(p, p.c.id == w.c.partner_id)
                    .where(w.c.active.is_(True), p.c.active.is_(True))
                )
            ).all()
        seen = set()
        for row in rows:
            seen.add(row.id)
            config = _Config(row.url, row.secret, row.previous_secret, row.previous_until)
            if row.id in self.endpoints:
                self.endpoints[row.id].update(config)
            else:
                self.endpoints[row.id] = Endpoint(row.id, config, self)
        for gone in [e for e in self.endpoints if e not in seen]:
            await self._drop(gone)

    async def _drop(self, webhook_id: str) -> None:
        endpoint = self.endpoints.pop(webhook_id, None)
        if endpoint is None:
            return
        await endpoint.close()
        # Its rows were settled by whoever stopped it (stop_deliveries): forget them.
        for key in [k for k, c in self._held.items() if c.webhook_id == webhook_id]:
            del self._held[key]

    async def _claim(self) -> None:
        if len(self._held) >= MAX_UNWRITTEN:
            return
        wanted = {wid: e.capacity() for wid, e in self.endpoints.items()}
        wanted = {wid: n for wid, n in wanted.items() if n > 0}
        items = sorted(wanted.items())
        for start in range(0, len(items), CLAIM_CHUNK):
            claimed = await self._claim_some(dict(items[start : start + CLAIM_CHUNK]))
            for row in claimed:
                endpoint = self.endpoints.get(row.webhook_id)
                if endpoint is None:
                    continue
                self._held[row.id] = row
                endpoint.held += 1
                endpoint.queue.put_nowait(row)

    async def _claim_some(self, wanted: dict[str, int]) -> list[Claimed]:
        now = self.clock()
        arms = [
            select(
                select(d.c.id)
                .where(d.c.webhook_id == wid, d.c.status == "pending",
                       d.c.next_attempt_at <= now)
                .order_by(d.c.next_attempt_at)
                .limit(n)
                .subquery()
                .c.id
            )
            for wid, n in wanted.items()
        ]  # fmt: skip
        # Which rows are due: a plain read, so the write lock is held only to take them.
        async with self._db.read() as session:
            ids = list((await session.execute(union_all(*arms))).scalars())
        ids = [i for i in ids if i not in self._held]
        if not ids:
            return []
        async with self._db_turn, self._uow() as uow:
            now = self.clock()
            # The webhook's URL and secrets come with each claim: a rotation or a new
            # URL applies to every message claimed after it committed, on any replica.
            w = store.webhooks
            query = (
                select(
                    d.c.id, d.c.webhook_id, d.c.body, d.c.attempts, d.c.subject,
                    d.c.source_sequence, d.c.next_attempt_at, w.c.url, w.c.secret,
                    w.c.previous_secret, w.c.previous_until,
                )
                .join(w, w.c.id == d.c.webhook_id)
                .where(d.c.id.in_(ids), d.c.status == "pending", d.c.next_attempt_at <= now,
                       w.c.active.is_(True))
            )  # fmt: skip
            if self._postgres:
                query = query.with_for_update(skip_locked=True, of=d)
            rows = (await uow.session.execute(query.order_by(d.c.id))).all()
            if not rows:
                return []
            claim = now + timedelta(seconds=claim_seconds(self.timeout))
            await uow.session.execute(
                update(d).where(d.c.id.in_([r.id for r in rows])).values(next_attempt_at=claim)
            )
            await uow.commit()
        for r in rows:
            endpoint = self.endpoints.get(r.webhook_id)
            if endpoint is not None:
                endpoint.update(_Config(r.url, r.secret, r.previous_secret, r.previous_until))
        by_time = sorted(rows, key=lambda r: (r.next_attempt_at, r.id))
        return [
            Claimed(r.id, r.webhook_id, r.body, r.attempts, r.subject, r.source_sequence,
                    claim, r.next_attempt_at)
            for r in by_time
        ]  # fmt: skip

    async def _write_loop(self) -> None:
        pause = FLUSH_SECONDS
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._flush.wait()
            self._flush.clear()
            if not self._results:
                continue
            batch = self._results[: FLUSH_ROWS * 4]
            try:
                await self._write(batch)
            except Exception:
                log.exception("webhook results not written; trying again")
                pause = min(max(pause, FLUSH_SECONDS) * 2, 5.0)
                continue
            pause = FLUSH_SECONDS
            written = {id(r) for r in batch}
            self._results = [r for r in self._results if id(r) not in written]
            self._forget(batch)

    def _forget(self, batch: Iterable[Result]) -> None:
        for result in batch:
            if self._held.pop(result.row.id, None) is not None:
                endpoint = self.endpoints.get(result.row.webhook_id)
                if endpoint is not None:
                    endpoint.held -= 1
        self._kick.set()

    async def _write(self, batch: Sequence[Result]) -> None:
        delivered: list[dict[str, Any]] = []
        retried: list[dict[str, Any]] = []
        dead: list[dict[str, Any]] = []
        gone: set[str] = set()
        settled: set[tuple[str, int | None]] = set()
        for result in sorted(batch, key=lambda r: r.row.id):
            row = result.row
            attempts = row.attempts + 1
            values = {"b_id": row.id, "b_claim": row.claim, "b_attempts": attempts,
                      "b_status": result.status, "b_error": result.error}  # fmt: skip
            if result.outcome is Outcome.delivered:
                delivered.append({**values, "b_at": result.at})
                settled.add((row.subject, row.source_sequence))
                continue
            if result.outcome is Outcome.gone:
                gone.add(row.webhook_id)
                dead.append({**values, "b_error": GONE_VI})
                settled.add((row.subject, row.source_sequence))
                continue
            at = next_attempt_at(attempts, self.schedule, result.at, jitter=random.random())  # noqa: S311
            if at is None:
                dead.append(values)
                settled.add((row.subject, row.source_sequence))
            else:
                retried.append({**values, "b_next": at})
        guard = (
            (d.c.id == bindparam("b_id"))
            & (d.c.status == "pending")
            & (d.c.next_attempt_at == bindparam("b_claim"))
        )
        common = {
            "attempts": bindparam("b_attempts"),
            "last_status": bindparam("b_status"),
            "last_error": bindparam("b_error"),
        }
        async with self._db_turn, self._uow() as uow:
            session = uow.session
            if delivered:
                await session.execute(
                    update(d)
                    .where(guard)
                    .values(status="delivered", delivered_at=bindparam("b_at"), **common),
                    delivered,
                )
            if retried:
                await session.execute(
                    update(d).where(guard).values(next_attempt_at=bindparam("b_next"), **common),
                    retried,
                )
            if dead:
                await session.execute(update(d).where(guard).values(status="dead", **common), dead)
            now = self.clock()
            for webhook_id in sorted(gone):
                settled |= await disable_webhook(uow, webhook_id, now=now)
            for subject, sequence in sorted(settled, key=lambda s: (s[0], s[1] or 0)):
                await partners.confirm_if_delivered(uow, subject, sequence)
            await uow.commit()
        # Results of its other messages still in flight find their rows dead already:
        # the guard leaves them so.
        for webhook_id in gone:
            await self._drop(webhook_id)

    async def _shutdown(self) -> None:
        """Write what is settled and let go of what was claimed but not sent, so that a
        restart sends it at once rather than when the claims expire. Bounded: the
        database may be what is gone."""
        endpoints = list(self.endpoints.values())
        self.endpoints.clear()
        await asyncio.gather(*(e.close() for e in endpoints), return_exceptions=True)
        for task in list(self._later):
            task.cancel()
        try:
            async with asyncio.timeout(3.0):
                if self._results:
                    await self._write(list(self._results))
                    self._forget(self._results)
                    self._results.clear()
                unsent = list(self._held.values())
                if unsent:
                    await self._release(unsent)
        except Exception as exc:  # their claims expire by themselves
            log.warning("webhook state not saved at shutdown", extra={"error": repr(exc)})
        self._held.clear()

    async def _release(self, rows: Sequence[Claimed]) -> None:
        async with self._uow() as uow:
            await uow.session.execute(
                update(d)
                .where(
                    (d.c.id == bindparam("b_id"))
                    & (d.c.status == "pending")
                    & (d.c.next_attempt_at == bindparam("b_claim"))
                )
                .values(next_attempt_at=bindparam("b_due")),
                [{"b_id": r.id, "b_claim": r.claim, "b_due": r.due}
                 for r in sorted(rows, key=lambda r: r.id)],
            )  # fmt: skip
            await uow.commit()


# --- the queue, for the operators' API --------------------------------------------------


async def stop_deliveries(
    uow: UnitOfWork, webhook_ids: Sequence[str], *, reason: str
) -> set[tuple[str, int | None]]:
    """Mark every pending message of these webhooks dead with `reason` (the webhook was
    removed, its partner deactivated, or its receiver answered 410) and complete the
    receipts that waited for them; the (subject, sequence) pairs settled."""
    if not webhook_ids:
        return set()
    pending = (d.c.webhook_id.in_(list(webhook_ids))) & (d.c.status == "pending")
    subjects = {
        (r.subject, r.source_sequence)
        for r in (
            await uow.session.execute(select(d.c.subject, d.c.source_sequence).where(pending))
        ).all()
    }
    await uow.session.execute(update(d).where(pending).values(status="dead", last_error=reason))
    for subject, sequence in sorted(subjects, key=lambda s: (s[0], s[1] or 0)):
        await partners.confirm_if_delivered(uow, subject, sequence)
    return subjects


async def disable_webhook(
    uow: UnitOfWork, webhook_id: str, *, now: datetime
) -> set[tuple[str, int | None]]:
    """The receiver answered 410 Gone: the webhook is turned off, its queue dead-lettered."""
    done = await uow.session.execute(
        update(store.webhooks)
        .where(store.webhooks.c.id == webhook_id, store.webhooks.c.active.is_(True))
        .values(active=False, changed_at=now)
    )
    if done.rowcount:  # type: ignore[attr-defined]
        uow.audit(
            actor="system", action="partner.webhook_disabled", subject=f"webhook:{webhook_id}",
            tenant=None, before={"active": True}, after={"active": False, "reason": "410 Gone"},
        )  # fmt: skip
    return await stop_deliveries(uow, [webhook_id], reason=GONE_VI)


async def requeue(
    uow: UnitOfWork,
    webhook_id: str,
    *,
    now: datetime,
    message_id: str | None = None,
    since: datetime | None = None,
) -> int:
    """Send messages again, with their ids (receivers dedup on webhook-id): one dead
    message (a retry), or every message of the webhook since a date (a replay)."""
    where = d.c.webhook_id == webhook_id
    if message_id is not None:
        where &= (d.c.id == message_id) & (d.c.status == "dead")
    if since is not None:
        where &= d.c.occurred_at >= since
    done = await uow.session.execute(
        update(d)
        .where(where)
        .values(status="pending", attempts=0, next_attempt_at=now, last_error=None,
                delivered_at=None)
    )  # fmt: skip
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
