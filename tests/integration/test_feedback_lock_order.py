"""The deadline watcher and the staff's commands take their locks in one order: a
question's row first, then its alarms, log and other rows. The watcher takes the rows
of questions with due alarms FOR UPDATE SKIP LOCKED, in id order, so it never waits for
a command; a question a command holds is left for the next sweep.

Before, the watcher locked alarm rows and then updated their questions, while a
command locked its question and then deleted its alarms: on PostgreSQL the two waited
for each other until one was killed with a deadlock error."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import AUTH_PUBLIC_KEY, AUTH_SECRET, drop_schemas
from sqlalchemy import func, select

from runtime.service import Service
from runtime.settings import Settings
from services.feedback import commands, store
from services.feedback.__main__ import build
from services.feedback.calendar import TZ
from services.feedback.deadlines import Clock
from services.feedback.domain import Status
from services.feedback.watcher import Watcher

RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
DUE = RECEIVED + timedelta(days=2)
#: Long after every deadline: each question's classification is overdue.
LATER = RECEIVED + timedelta(days=60)


@pytest.fixture
async def feedback(tmp_path: Path) -> AsyncIterator[Service]:
    settings = Settings().with_overrides(
        data_dir=tmp_path,
        auth_secret=AUTH_SECRET,
        auth_public_key=AUTH_PUBLIC_KEY,
        schema_prefix=f"t{uuid.uuid4().hex[:8]}_",
        kafka_bootstrap_servers="127.0.0.1:9",  # never contacted: no broker needed here
        db_pool_size=12,
    )
    service = build(settings)[0]
    try:
        await service.migrate()
        yield service
    finally:
        assert service.db is not None
        await service.db.dispose()
        if settings.uses_postgres:
            await drop_schemas(settings.database_url or "", settings.schema_prefix)


def watcher_of(service: Service) -> Watcher:
    assert service.db is not None
    return Watcher(service.unit_of_work, lambda: LATER, postgres=service.db.is_postgres)


async def received(service: Service, count: int) -> list[str]:
    """Questions received and waiting for classification, each with its two alarms
    (a warning and the overdue notice), both due by LATER."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    async with service.unit_of_work() as uow:
        for i, question_id in enumerate(ids):
            await uow.session.execute(
                store.questions.insert().values(
                    id=question_id, code=f"HK-{i:05d}", tenant="hoankiem", kind="question",
                    field="Đất đai", title=f"Câu hỏi {i}", text="Xin hỏi thủ tục.",
                    sender_name="Nguyễn Văn Bình", status=Status.RECEIVED,
                    submitted_at=RECEIVED, received_at=RECEIVED,
                    out_of_scope_notice_due=RECEIVED + timedelta(hours=8),
                    classification_due=DUE, answer_due=RECEIVED + timedelta(days=21),
                )
            )  # fmt: skip
            await store.set_alarms(
                uow.session, question_id, Clock.CLASSIFICATION, DUE, DUE - timedelta(days=1)
            )
        await uow.commit()
    return ids


async def classify(service: Service, question_id: str) -> None:
    async with service.unit_of_work() as uow:
        await commands.classify(
            uow, question_id, unit="hoankiem", field=None, by="bbt.hoankiem", now=LATER
        )
        await uow.commit()


async def overdue_events(service: Service, clock: str = Clock.CLASSIFICATION) -> dict[str, int]:
    """QuestionOverdue events of one clock in the outbox, per question."""
    async with service.unit_of_work() as uow:
        payloads = (
            await uow.session.execute(
                select(store.outbox.c.payload).where(
                    store.outbox.c.event_type.like("%QuestionOverdue%")
                )
            )
        ).scalars()
        counts: dict[str, int] = {}
        for payload in payloads:
            event = json.loads(payload)
            if event["clock"] == clock:
                counts[event["question_id"]] = counts.get(event["question_id"], 0) + 1
        return counts


async def state(service: Service, ids: list[str]) -> dict[str, Any]:
    async with service.unit_of_work() as uow:
        q = store.questions
        rows = (await uow.session.execute(select(q).where(q.c.id.in_(ids)))).all()
        alarms = (
            await uow.session.execute(
                select(store.alarms).where(store.alarms.c.clock == Clock.CLASSIFICATION)
            )
        ).all()
        logs = (
            await uow.session.execute(
                select(store.question_log.c.question_id, func.count())
                .where(store.question_log.c.action == "overdue_classification")
                .group_by(store.question_log.c.question_id)
            )
        ).all()
    return {
        "questions": {r.id: r for r in rows},
        "classification_alarms": alarms,
        "overdue_logs": dict(logs),
    }


async def test_a_sweep_while_a_command_holds_a_question_neither_waits_nor_deadlocks(
    feedback: Service,
) -> None:
    assert feedback.db is not None
    if not feedback.db.is_postgres:
        pytest.skip("row locks are PostgreSQL's: SQLite serialises every write transaction")
    held, free = await received(feedback, 2)
    # The board opens a command on the first question: its row is locked ...
    async with feedback.unit_of_work() as uow:
        await store.get(uow.session, held, lock=True)
        # ... when the watcher sweeps: it must not wait for that question ...
        swept = await asyncio.wait_for(watcher_of(feedback).sweep(LATER), timeout=10)
        assert (swept.overdue, swept.warned) == (1, 1)
        # ... nor hold anything the command needs next: the alarms, the log.
        await asyncio.wait_for(
            commands.classify(uow, held, unit="hoankiem", field=None, by="bbt.hoankiem", now=LATER),
            timeout=10,
        )
        await uow.commit()
    # The swept question got its notices; the classified one needs none any more.
    assert await overdue_events(feedback) == {free: 1}
    # Classified late, its answer is late too by LATER: the next sweep says that, once.
    assert (await watcher_of(feedback).sweep(LATER)).overdue == 1
    assert await overdue_events(feedback, Clock.ANSWER) == {held: 1}
    assert await overdue_events(feedback) == {free: 1}
    after = await state(feedback, [held, free])
    assert after["questions"][held].status == Status.CLASSIFIED
    assert not after["questions"][held].classification_overdue
    assert after["questions"][free].classification_overdue
    assert after["classification_alarms"] == []


async def test_sweeps_and_commands_at_once_end_consistent(feedback: Service) -> None:
    """Two watchers (two replicas) and the board classifying half of the questions,
    all at once, in shuffled orders: no deadlock, no notice sent twice, and every
    question either classified in time for the sweep or reported overdue once."""
    ids = await received(feedback, 40)
    staff = random.Random(12).sample(ids, 20)

    async def sweeps(watcher: Watcher) -> None:
        for _ in range(5):
            await watcher.sweep(LATER)
            await asyncio.sleep(0)

    results = await asyncio.gather(
        sweeps(watcher_of(feedback)),
        sweeps(watcher_of(feedback)),
        *(classify(feedback, q) for q in staff),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], errors
    await watcher_of(feedback).sweep(LATER)  # what a command held during the sweeps

    events = await overdue_events(feedback)
    # The classified ones got an answer clock, due by LATER as well: once each.
    assert await overdue_events(feedback, Clock.ANSWER) == {q: 1 for q in staff}
    after = await state(feedback, ids)
    assert after["classification_alarms"] == []
    assert all(n == 1 for n in events.values()), events
    assert after["overdue_logs"] == events
    for question_id, row in after["questions"].items():
        assert row.classification_overdue == (question_id in events), question_id
        if question_id in staff:
            assert row.status == Status.CLASSIFIED
        else:
            assert question_id in events, "an unclassified question is reported overdue"
