"""Syndication's figures.

webhook_deliveries_per_s: signed webhook deliveries a second from one dispatcher to a
local receiver. syndication's own database (SQLite under a temporary directory, or
PostgreSQL when DATABASE_URL is set) gets a partner with WEBHOOKS webhooks; MESSAGES
messages are queued for each (partners.enqueue, the same call the event handlers
make); the clock runs from the enqueue until every delivery is marked delivered in the
database. The receiver runs in its own process, verifies every delivery with the
`standardwebhooks` package and answers 204; the run fails if one does not verify.

    .venv/bin/python scripts/bench_syndication.py [--messages 500] [--webhooks 4]

Last line: RESULT webhook_deliveries_per_s=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvloop
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runtime.db import Database
from runtime.messaging import UnitOfWork
from runtime.migrations import upgrade
from runtime.settings import Settings
from services.syndication import partners, store
from services.syndication.__main__ import MIGRATIONS
from services.syndication.webhook_rules import new_secret
from services.syndication.webhooks import Dispatcher

#: Messages queued per transaction.
PER_TRANSACTION = 10
#: One figure per function; main() prints them all on the RESULT line.
FIGURES: dict[str, Callable[[argparse.Namespace], float]] = {}


def figure(name: str) -> Callable[[Callable[[argparse.Namespace], float]], Any]:
    def register(fn: Callable[[argparse.Namespace], float]) -> Callable[..., float]:
        FIGURES[name] = fn
        return fn

    return register


# --- the receiver, in its own process ---------------------------------------------------


def _receiver(secrets: list[str], ports: Any, counts: Any) -> None:
    """A partner's endpoint: verifies each delivery; counts[0] verified, counts[1] not."""
    import socket

    import uvicorn
    from standardwebhooks import Webhook, WebhookVerificationError

    signers = {s: Webhook(s) for s in secrets}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        ok = False
        for signer in signers.values():
            try:
                signer.verify(body, headers, json_parse=False)
                ok = True
                break
            except WebhookVerificationError:
                continue
        counts[0 if ok else 1] += 1
        await send({"type": "http.response.start", "status": 204 if ok else 401, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    socks = []
    for _ in secrets:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        socks.append(sock)
    ports.put([s.getsockname()[1] for s in socks])
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", timeout_keep_alive=60,
        loop="uvloop", http="httptools",
    )  # fmt: skip
    uvicorn.Server(config).run(sockets=socks)


# --- webhooks ---------------------------------------------------------------------------


async def _bench_webhooks(messages: int, hooks: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().with_overrides(
            data_dir=Path(tmp),
            schema_prefix=f"bench{uuid.uuid4().hex[:6]}_",
            webhooks_allow_private=True,
            webhook_timeout_seconds=10.0,
        )
        db = Database("syndication", settings)
        await db.prepare()
        await upgrade(db, MIGRATIONS)
        context = multiprocessing.get_context("spawn")
        secrets = [new_secret() for _ in range(hooks)]
        ports, counts = context.Queue(), context.Array("l", 2)
        receiver = context.Process(target=_receiver, args=(secrets, ports, counts), daemon=True)
        receiver.start()
        try:
            return await _run(db, settings, secrets, ports.get(timeout=30), counts,
                              messages)  # fmt: skip
        finally:
            receiver.terminate()
            receiver.join(5)
            if db.is_postgres:
                async with db.write_engine.begin() as conn:
                    await conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
            await db.dispose()


async def _run(
    db: Database, settings: Settings, secrets: list[str], ports: list[int], counts: Any,
    messages: int,
) -> float:  # fmt: skip
    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(db, "/services/syndication", on_commit=lambda: None)

    now = datetime.now(UTC)
    partner_id = str(uuid.uuid4())
    async with unit_of_work() as uow:
        await uow.session.execute(
            store.partners.insert().values(
                id=partner_id, name="Đo tải", description="", sites=["*"],
                topics=["article.published"], active=True, created_by="bench",
                created_at=now, changed_at=now,
            )
        )  # fmt: skip
        for secret, port in zip(secrets, ports, strict=True):
            await uow.session.execute(
                store.webhooks.insert().values(
                    id=str(uuid.uuid4()), partner_id=partner_id,
                    url=f"http://127.0.0.1:{port}/hook", secret=secret, active=True,
                    created_at=now, changed_at=now,
                )
            )  # fmt: skip
        await uow.commit()
    dispatcher = Dispatcher(db, unit_of_work, settings)
    task = asyncio.create_task(dispatcher.run())
    try:
        while len(dispatcher.endpoints) < len(secrets):  # noqa: ASYNC110 - polls the dispatcher
            await asyncio.sleep(0.05)
        total = messages * len(secrets)
        started = time.perf_counter()
        # A few messages a transaction, as the event handlers queue them (one event
        # each, or a cross-post's copies): the dispatcher starts on the first at once.
        for start in range(0, messages, PER_TRANSACTION):
            async with unit_of_work() as uow:
                for i in range(start, min(messages, start + PER_TRANSACTION)):
                    await partners.enqueue(
                        uow, tenant="hoankiem", type="article.published",
                        subject=str(uuid.uuid4()), source_sequence=None,
                        occurred_at=datetime.now(UTC),
                        data={"title": f"Tin đo tải {i}",
                              "body_html": "<p>" + "Nội dung. " * 200},
                    )  # fmt: skip
                await uow.commit()
            dispatcher.wake()
        enqueued = time.perf_counter() - started
        d = store.deliveries
        hooks = list(dispatcher.endpoints)
        while True:
            # On the queue's index: what is still pending (a count of the delivered
            # would read every body each time, and slow what it measures).
            async with db.read() as session:
                pending = await session.scalar(
                    select(func.count()).where(d.c.webhook_id.in_(hooks), d.c.status == "pending")
                )
            if not pending:
                break
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        async with db.read() as session:
            done = await session.scalar(select(func.count()).where(d.c.status == "delivered"))
        if done != total:
            raise SystemExit(f"{done} of {total} delivered")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    verified, refused = counts[0], counts[1]
    print(f"webhooks: {total} deliveries over {len(secrets)} webhooks in {elapsed:.2f} s "
          f"(queued in {enqueued:.2f} s); "
          f"receiver verified {verified}, refused {refused}")  # fmt: skip
    if refused or verified < total:
        raise SystemExit("a delivery did not verify at the receiver")
    return total / elapsed


@figure("webhook_deliveries_per_s")
def bench_webhooks(args: argparse.Namespace | None = None) -> float:
    """Signed deliveries a second to a local receiver, enqueue to all delivered."""
    messages = args.messages if args else 500
    hooks = args.webhooks if args else 4
    # uvloop, as the service runs (runtime.service.serve).
    return uvloop.run(_bench_webhooks(messages, hooks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500, help="messages per webhook")
    parser.add_argument("--webhooks", type=int, default=4)
    args = parser.parse_args()
    results = {}
    for name, run in FIGURES.items():
        results[name] = run(args)
        print(f"{name}: {results[name]:.0f}")
    print("RESULT " + " ".join(f"{name}={value:.0f}" for name, value in results.items()))


if __name__ == "__main__":
    main()
