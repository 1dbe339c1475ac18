"""Partners' webhooks end to end, on a real broker and a real database: articles are
published (ArticlePublished on content's topic, consumed by syndication), queued for
every subscribed webhook and posted by the dispatcher to real local HTTP receivers.

Each receiver is what a partner would run: it verifies every delivery with the
`standardwebhooks` package (never our code) and applies each message once, deduping
on `webhook-id`. Covered: every delivery verifies and completes the publish
receipt's 'partners' step; an outage of a receiver loses nothing and applies nothing
twice; a slow receiver does not hold up another; dead letters after the schedule, and
an operator's retry; replay since a date; secret rotation, with both signatures
verifying; a 410 turns the webhook off.
"""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from conftest import bearer, bound_socket, eventually, running, token_for
from sqlalchemy import func, select
from standardwebhooks import Webhook, WebhookVerificationError

from contracts import ArticlePublished
from runtime.messaging import OUTBOX
from runtime.service import Service
from runtime.settings import Settings
from services.syndication import store
from services.syndication.__main__ import build as build_syndication

OPERATOR = token_for("vanhanh.doitac", {}, operator=True)
PARTNERS = "/api/v1/syndication/partners"


class Receiver:
    """A partner's endpoint. `secrets`: every one of them must verify each delivery
    (during a rotation, a partner holding the old secret and one holding the new)."""

    def __init__(self) -> None:
        self.secrets: list[str] = []
        #: ok | fail (500) | gone (410) | hold (wait for `release`) | flaky (apply, then
        #: answer 500 the first time: as if the partner crashed before answering)
        self.mode = "ok"
        self.release = asyncio.Event()
        self.received: list[str] = []
        self.signatures: dict[str, list[int]] = {}
        self.unverified = 0
        #: message id -> the payload, applied once.
        self.applied: dict[str, dict[str, Any]] = {}
        self.effects = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        try:
            payloads = [Webhook(s).verify(body, headers) for s in self.secrets]
        except WebhookVerificationError:
            self.unverified += 1
            await _answer(send, 401)
            return
        msg_id = headers["webhook-id"]
        self.received.append(msg_id)
        self.signatures.setdefault(msg_id, []).append(len(headers["webhook-signature"].split()))
        if self.mode == "hold":
            await self.release.wait()
        if self.mode == "fail":
            await _answer(send, 500)
            return
        if self.mode == "gone":
            await _answer(send, 410)
            return
        first = msg_id not in self.applied
        if first:  # the effect, once per message id
            self.applied[msg_id] = payloads[0]
            self.effects += 1
        await _answer(send, 500 if self.mode == "flaky" and first else 204)

    def titles(self) -> list[str]:
        return sorted(p["data"]["title"] for p in self.applied.values())


async def _answer(send: Any, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@asynccontextmanager
async def serving(receiver: Receiver, port: int | None = None) -> AsyncIterator[int]:
    """The receiver on 127.0.0.1 (on `port` again after an outage); its port."""
    if port is None:
        sock = bound_socket()
    else:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    server = uvicorn.Server(
        uvicorn.Config(receiver, log_config=None, access_log=False, lifespan="off")
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: server.started or task.done())
        yield sock.getsockname()[1]
    finally:
        receiver.release.set()
        server.should_exit = True
        await asyncio.wait_for(task, 15)
        sock.close()


def fast(settings: Settings, schedule: str = "0,0.1,0.1", timeout: float = 2.0) -> Settings:
    return settings.with_overrides(
        webhooks_allow_private=True,
        webhook_retry_schedule_csv=schedule,
        webhook_timeout_seconds=timeout,
    )


@asynccontextmanager
async def syndication(settings: Settings) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    async with running(build_syndication, settings) as (service, client):
        client.headers.update(bearer(OPERATOR))
        yield service, client


async def partner(client: httpx.AsyncClient, name: str | None = None) -> str:
    r = await client.post(
        PARTNERS + "/",
        json={"name": name or f"Đối tác {uuid.uuid4().hex[:6]}", "sites": ["*"],
              "topics": ["article.published", "article.withdrawn"]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def webhook(client: httpx.AsyncClient, partner_id: str, port: int) -> dict[str, Any]:
    r = await client.post(
        f"{PARTNERS}/{partner_id}/webhooks", json={"url": f"http://127.0.0.1:{port}/hook"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["secret"].startswith("whsec_")
    return dict(r.json())


async def dispatcher_knows(service: Service, *webhook_ids: str) -> None:
    """The dispatcher follows new webhooks within a second; wait for it, so a test
    knows its messages are not waiting for that."""
    dispatcher = service.background["webhooks"].__self__  # type: ignore[attr-defined]
    await eventually(lambda: all(w in dispatcher.endpoints for w in webhook_ids))


def article(title: str, tenant: str = "hoankiem") -> ArticlePublished:
    now = datetime.now(UTC)
    article_id = str(uuid.uuid4())
    return ArticlePublished(
        tenant=tenant, article_id=article_id, revision_id=str(uuid.uuid4()), sequence=1,
        category="tin-tuc", category_name="Tin tức", slug=article_id[:8],
        path=f"/tin-tuc/{article_id[:8]}", title=title, summary="Tóm tắt",
        body_html='<p>Nội dung, <a href="/lien-he">liên hệ</a></p>', author="Phóng viên",
        approved_by="bbt.hoankiem", published_at=now, updated_at=now,
    )  # fmt: skip


async def publish(service: Service, *titles: str) -> list[ArticlePublished]:
    """Put ArticlePublished events on content's topic (through an outbox and the relay,
    as content does), for syndication's consumer to take."""
    events = [article(t) for t in titles]
    async with service.unit_of_work() as uow:
        for event in events:
            uow.emit(event)
        await uow.commit()
    return events


async def deliveries(service: Service, webhook_id: str) -> list[Any]:
    assert service.db
    d = store.deliveries
    async with service.db.read() as session:
        return list((await session.execute(select(d).where(d.c.webhook_id == webhook_id))).all())


async def statuses(service: Service, webhook_id: str) -> Counter[str]:
    return Counter(r.status for r in await deliveries(service, webhook_id))


async def test_every_delivery_is_signed_and_verified_and_completes_the_receipt(
    settings: Settings,
) -> None:
    receiver = Receiver()
    async with serving(receiver) as port, syndication(fast(settings)) as (service, client):
        hook = await webhook(client, await partner(client), port)
        receiver.secrets = [hook["secret"]]
        await dispatcher_knows(service, hook["id"])
        titles = [f"Tin số {i}" for i in range(30)]
        events = await publish(service, *titles)

        await eventually(lambda: len(receiver.applied) == 30)
        assert receiver.titles() == sorted(titles)
        assert receiver.unverified == 0
        assert receiver.effects == 30
        payload = next(iter(receiver.applied.values()))
        assert payload["type"] == "article.published"
        # Public fields only, links absolute.
        assert "approved_by" not in payload["data"] and "revision_id" not in payload["data"]
        assert 'href="http' in payload["data"]["body_html"]

        async def settled() -> bool:
            return (await statuses(service, hook["id"])) == Counter(delivered=30)

        await eventually(settled)
        rows = await deliveries(service, hook["id"])
        assert all(r.attempts == 1 and r.last_status == 204 and r.delivered_at for r in rows)
        assert {r.id for r in rows} == set(receiver.applied)

        async def receipts_done() -> bool:
            assert service.db
            c = store.confirmations
            async with service.db.read() as session:
                done = await session.scalar(
                    select(func.count()).where(
                        c.c.step == "partners",
                        c.c.article_id.in_([e.article_id for e in events]),
                        c.c.confirmed_at.is_not(None),
                    )
                )
            return done == 30

        await eventually(receipts_done)

        log = await client.get(f"{PARTNERS}/{hook['partner_id']}/webhooks/{hook['id']}/deliveries")
        assert log.status_code == 200
        assert {e["status"] for e in log.json()} == {"delivered"}


async def test_a_receiver_outage_loses_nothing_and_applies_nothing_twice(
    settings: Settings,
) -> None:
    receiver = Receiver()
    receiver.mode = "flaky"
    schedule = "0,0.2,0.3,0.5,1,1,1,2,2,2,3,3"
    async with serving(receiver) as port:
        pass  # the port is known; the receiver is down from here
    async with syndication(fast(settings, schedule)) as (service, client):
        hook = await webhook(client, await partner(client), port)
        receiver.secrets = [hook["secret"]]
        await dispatcher_knows(service, hook["id"])
        titles = [f"Trong lúc mất kết nối {i}" for i in range(12)]
        await publish(service, *titles)

        async def all_tried() -> bool:
            rows = await deliveries(service, hook["id"])
            return len(rows) == 12 and all(r.attempts >= 1 for r in rows)

        await eventually(all_tried)
        rows = await deliveries(service, hook["id"])
        assert {r.status for r in rows} == {"pending"}
        assert all(r.last_error for r in rows)

        async with serving(receiver, port):
            await eventually(lambda: len(receiver.applied) == 12, timeout=40)

            async def settled() -> bool:
                return (await statuses(service, hook["id"])) == Counter(delivered=12)

            await eventually(settled, timeout=40)
        assert receiver.titles() == sorted(titles)
        assert receiver.effects == 12  # nothing applied twice
        assert receiver.unverified == 0
        # Each message came again after its first answer failed, with the same id.
        assert all(n >= 2 for n in Counter(receiver.received).values())


async def test_a_slow_receiver_does_not_delay_another(settings: Settings) -> None:
    slow, quick = Receiver(), Receiver()
    slow.mode = "hold"
    async with (
        serving(slow) as slow_port,
        serving(quick) as quick_port,
        syndication(fast(settings, timeout=30.0)) as (service, client),
    ):
        slow_hook = await webhook(client, await partner(client), slow_port)
        quick_hook = await webhook(client, await partner(client), quick_port)
        slow.secrets, quick.secrets = [slow_hook["secret"]], [quick_hook["secret"]]
        await dispatcher_knows(service, slow_hook["id"], quick_hook["id"])
        titles = [f"Tin {i}" for i in range(40)]
        await publish(service, *titles)

        # Every one of the quick receiver's messages arrives while the slow receiver
        # still holds each request it was given.
        await eventually(lambda: len(quick.applied) == 40)
        assert slow.applied == {}
        assert slow.received  # it is being sent to, and is holding them
        slow.mode = "ok"
        slow.release.set()
        await eventually(lambda: len(slow.applied) == 40)
        assert slow.titles() == quick.titles() == sorted(titles)
        assert slow.unverified == quick.unverified == 0


async def test_dead_letters_after_the_schedule_then_an_operators_retry(
    settings: Settings,
) -> None:
    receiver = Receiver()
    receiver.mode = "fail"
    async with serving(receiver) as port, syndication(fast(settings)) as (service, client):
        partner_id = await partner(client)
        hook = await webhook(client, partner_id, port)
        receiver.secrets = [hook["secret"]]
        await dispatcher_knows(service, hook["id"])
        events = await publish(service, "Tin không gửi được", "Tin thứ hai")
        log = f"{PARTNERS}/{partner_id}/webhooks/{hook['id']}/deliveries"

        async def dead() -> list[dict[str, Any]]:
            r = await client.get(log, params={"status": "dead"})
            return list(r.json()) if len(r.json()) == 2 else []

        letters = await eventually(dead)
        # Three attempts (the schedule has three entries), each answered 500.
        assert [e["attempts"] for e in letters] == [3, 3]
        assert {e["last_status"] for e in letters} == {500}
        assert all("HTTP 500" in e["last_error"] for e in letters)
        assert Counter(receiver.received) == Counter({e["id"]: 3 for e in letters})
        assert receiver.unverified == 0
        overview = (await client.get(f"{PARTNERS}/{partner_id}")).json()
        assert overview["webhooks"][0]["dead"] == 2

        # A dead letter still completes the receipt: the log shows it to the operators.
        assert service.db
        c = store.confirmations
        async with service.db.read() as session:
            open_steps = await session.scalar(
                select(func.count()).where(
                    c.c.article_id.in_([e.article_id for e in events]),
                    c.c.confirmed_at.is_(None),
                )
            )
        assert open_steps == 0

        receiver.mode = "ok"
        first = letters[0]["id"]
        retried = await client.post(f"{log}/{first}/retry")
        assert retried.status_code == 200, retried.text
        await eventually(lambda: first in receiver.applied)

        async def one_delivered() -> bool:
            return (await statuses(service, hook["id"])) == Counter(delivered=1, dead=1)

        await eventually(one_delivered)
        again = await client.post(f"{log}/{first}/retry")
        assert again.status_code == 409  # delivered now: not a dead letter any more
        missing = await client.post(f"{log}/msg_{uuid.uuid4().hex}/retry")
        assert missing.status_code == 409


async def test_replay_since_a_date_sends_the_same_messages_again(settings: Settings) -> None:
    receiver = Receiver()
    async with serving(receiver) as port, syndication(fast(settings)) as (service, client):
        partner_id = await partner(client)
        hook = await webhook(client, partner_id, port)
        receiver.secrets = [hook["secret"]]
        await dispatcher_knows(service, hook["id"])
        await publish(service, "Một", "Hai", "Ba")
        await eventually(lambda: len(receiver.applied) == 3)

        async def settled() -> bool:
            return (await statuses(service, hook["id"])) == Counter(delivered=3)

        await eventually(settled)
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        r = await client.post(
            f"{PARTNERS}/{partner_id}/webhooks/{hook['id']}/replay", json={"since": since}
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"requeued": 3}
        await eventually(lambda: len(receiver.received) == 6)
        await eventually(settled)
        # The same ids again: the receiver had them, so nothing is applied twice.
        assert Counter(receiver.received) == Counter({i: 2 for i in receiver.applied})
        assert receiver.effects == 3
        future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        r = await client.post(
            f"{PARTNERS}/{partner_id}/webhooks/{hook['id']}/replay", json={"since": future}
        )
        assert r.status_code == 400


async def test_a_rotated_secret_signs_beside_the_new_one(settings: Settings) -> None:
    receiver = Receiver()
    async with serving(receiver) as port, syndication(fast(settings)) as (service, client):
        partner_id = await partner(client)
        hook = await webhook(client, partner_id, port)
        old = hook["secret"]
        receiver.secrets = [old]
        await dispatcher_knows(service, hook["id"])
        await publish(service, "Trước khi đổi khoá")
        await eventually(lambda: len(receiver.applied) == 1)

        rotated = await client.post(f"{PARTNERS}/{partner_id}/webhooks/{hook['id']}/rotate")
        assert rotated.status_code == 201, rotated.text
        new = rotated.json()["secret"]
        assert new != old and new.startswith("whsec_")
        assert rotated.json()["previous_secret_until"]
        # From now on both must verify every delivery: a partner still on the old
        # secret, and one already on the new.
        receiver.secrets = [old, new]
        await publish(service, "Sau khi đổi khoá")
        await eventually(lambda: len(receiver.applied) == 2)
        assert receiver.unverified == 0
        after = [i for i, p in receiver.applied.items() if p["data"]["title"] == "Sau khi đổi khoá"]
        assert receiver.signatures[after[0]] == [2]
        # The secrets are never shown again, nor written to the audit.
        listed = (await client.get(f"{PARTNERS}/{partner_id}")).text
        assert old not in listed and new not in listed
        assert service.db
        async with service.db.read() as session:
            payloads = (await session.execute(select(OUTBOX.c.payload))).scalars().all()
        assert not any(old in p or new in p for p in payloads)
        audited = [json.loads(p) for p in payloads if '"action"' in p]
        assert "partner.webhook_secret_rotated" in {a["action"] for a in audited}


async def test_410_gone_turns_the_webhook_off(settings: Settings) -> None:
    receiver = Receiver()
    receiver.mode = "hold"  # until all three are queued: then it answers 410
    async with serving(receiver) as port, syndication(fast(settings)) as (service, client):
        partner_id = await partner(client)
        hook = await webhook(client, partner_id, port)
        receiver.secrets = [hook["secret"]]
        await dispatcher_knows(service, hook["id"])
        await publish(service, "Một", "Hai", "Ba")

        async def queued() -> bool:
            return len(await deliveries(service, hook["id"])) == 3

        await eventually(queued)
        receiver.mode = "gone"
        receiver.release.set()

        async def off() -> bool:
            r = await client.get(f"{PARTNERS}/{partner_id}")
            return r.json()["webhooks"][0]["active"] is False

        await eventually(off)

        async def all_dead() -> bool:
            return (await statuses(service, hook["id"])) == Counter(dead=3)

        await eventually(all_dead)
        rows = await deliveries(service, hook["id"])
        assert all("410" in (r.last_error or "") for r in rows)
        sent = len(receiver.received)
        assert 1 <= sent <= 3
        # Nothing more is queued for it.
        (fourth,) = await publish(service, "Bốn")

        async def taken() -> bool:
            assert service.db
            async with service.db.read() as session:
                return bool(await session.scalar(
                    select(store.articles.c.article_id).where(
                        store.articles.c.article_id == fourth.article_id
                    )
                ))  # fmt: skip

        await eventually(taken)  # syndication handled it, and queued nothing for the webhook
        assert len(await deliveries(service, hook["id"])) == 3
        assert len(receiver.received) == sent
        assert service.db
        async with service.db.read() as session:
            payloads = (await session.execute(select(OUTBOX.c.payload))).scalars().all()
        assert any("partner.webhook_disabled" in p for p in payloads)
