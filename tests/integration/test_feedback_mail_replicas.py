"""feedback runs as several replicas (an autoscaled Deployment), each with its mail
loop, on one database: every queued mail reaches the citizen exactly once, and a mail
claimed by a replica that died is sent when its claim runs out."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from conftest import AUTH_PUBLIC_KEY, AUTH_SECRET, drop_schemas
from sqlalchemy import select
from test_feedback_flow import Inbox

from runtime.embedded import free_port
from runtime.service import Service
from runtime.settings import Settings
from services.feedback import store
from services.feedback.__main__ import build
from services.feedback.calendar import TZ, Now
from services.feedback.mail import CLAIM, Mailer, Smtp

START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


class SlowInbox(Inbox):
    """Takes a while over each message, as a remote relay does: the window in which a
    second replica could pick the same mail."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.2)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
async def replicas(tmp_path: Path) -> AsyncIterator[tuple[list[Service], SlowInbox, Settings]]:
    inbox = SlowInbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    settings = Settings().with_overrides(
        data_dir=tmp_path,
        auth_secret=AUTH_SECRET,
        auth_public_key=AUTH_PUBLIC_KEY,
        schema_prefix=f"t{uuid.uuid4().hex[:8]}_",
        kafka_bootstrap_servers="127.0.0.1:9",  # never contacted: no broker needed here
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_starttls=False,
    )
    services = [build(settings)[0] for _ in range(2)]  # two pods, two connection pools
    try:
        await services[0].migrate()
        yield services, inbox, settings
    finally:
        for service in services:
            assert service.db is not None
            await service.db.dispose()
        smtp.stop()
        if settings.uses_postgres:
            await drop_schemas(settings.database_url or "", settings.schema_prefix)


async def queue(service: Service, addresses: list[str], now: datetime) -> None:
    async with service.unit_of_work() as uow:
        for address in addresses:
            await store.queue_mail(
                uow.session, to=address, subject="Xác nhận câu hỏi", body="Mở đường dẫn.", now=now
            )
        await uow.commit()


async def test_two_replicas_send_each_mail_once(replicas: Any) -> None:
    services, inbox, settings = replicas
    clock = Now()
    clock.set(START)
    addresses = [f"dan{i}@example.vn" for i in range(8)]
    await queue(services[0], addresses, START)
    mailers = [Mailer(s.unit_of_work, Smtp(settings), clock) for s in services]

    sent = await asyncio.gather(*(m.run_once() for m in mailers))

    assert sum(sent) == len(addresses)
    assert sorted(m["To"] for m in inbox.messages) == sorted(addresses)
    async with services[1].unit_of_work() as uow:
        rows = (await uow.session.execute(select(store.mails))).all()
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
    # Nothing is left for a later round.
    assert await asyncio.gather(*(m.run_once() for m in mailers)) == [0, 0]
    assert len(inbox.messages) == len(addresses)


async def test_a_mail_claimed_by_a_dead_replica_goes_when_the_claim_ends(replicas: Any) -> None:
    services, inbox, settings = replicas
    clock = Now()
    clock.set(START)
    await queue(services[0], ["an@example.vn"], START)
    async with services[0].unit_of_work() as uow:
        (mail,) = await store.pending_mails(uow.session, START)
        # Replica 0 claims it, then dies before sending.
        assert await store.claim_mail(uow.session, mail.id, START, START + CLAIM)
        await uow.commit()
    mailer = Mailer(services[1].unit_of_work, Smtp(settings), clock)

    clock.set(START + CLAIM - timedelta(seconds=1))
    assert await mailer.run_once() == 0
    assert not inbox.messages

    clock.set(START + CLAIM)
    assert await mailer.run_once() == 1
    assert [m["To"] for m in inbox.messages] == ["an@example.vn"]
