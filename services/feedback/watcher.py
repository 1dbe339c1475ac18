"""The deadline watcher: warns a working day ahead and reports each missed deadline once.

Its agenda is the `alarms` table, written with the question in the same transaction,
so it survives restarts: on start it sends whatever fell due while it was down. An
alarm row is deleted in the transaction that writes its event to the outbox, so a
second sweep, a second watcher or a crash between the two never sends it twice;
finishing a step deletes its alarms.

Locks: like every command, a sweep locks the question rows first (in id order, SKIP
LOCKED on PostgreSQL: a question a command holds waits for the next sweep), then their
alarms and log (see store.due_alarms): one order, so no deadlock with the staff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, tuple_, update

from contracts import QuestionDeadlineNear, QuestionOverdue
from runtime.messaging import UnitOfWork
from services.feedback import store
from services.feedback.calendar import local_day
from services.feedback.deadlines import Clock

log = logging.getLogger("portal.feedback.watcher")
BATCH = 2000
CLOCK_VI = {Clock.CLASSIFICATION: "phân loại, chuyển xử lý", Clock.ANSWER: "trả lời"}


@dataclass
class Swept:
    overdue: int = 0
    warned: int = 0


class Watcher:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        clock: Callable[[], datetime],
        *,
        postgres: bool,
        max_sleep: float = 1.0,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._postgres = postgres
        self._max_sleep = max_sleep

    async def sweep(self, now: datetime | None = None) -> Swept:
        """Send every alarm due at `now`, in batches; what was sent."""
        now = now or self._clock()
        swept = Swept()
        while True:
            async with self._uow() as uow:
                due = await store.due_alarms(uow.session, now, BATCH, skip_locked=self._postgres)
                if not due:
                    return swept
                await self._send(uow, due, now, swept)
                await uow.commit()

    async def _send(self, uow: UnitOfWork, due: list, now: datetime, swept: Swept) -> None:
        overdue: dict[str, list[str]] = {Clock.CLASSIFICATION: [], Clock.ANSWER: []}
        logs = []
        for alarm in due:
            if alarm.kind == "overdue":
                uow.emit(
                    QuestionOverdue(
                        tenant=alarm.tenant, question_id=alarm.question_id, code=alarm.code,
                        clock=alarm.clock, due_at=alarm.due_at, detected_at=now, unit=alarm.unit,
                    )
                )  # fmt: skip
                overdue[alarm.clock].append(alarm.question_id)
                logs.append({
                    "question_id": alarm.question_id, "at": now, "action": f"overdue_{alarm.clock}",
                    "status": alarm.status, "actor": "system", "public": True,
                    "note": f"Quá hạn {CLOCK_VI[Clock(alarm.clock)]} "
                            f"({local_day(alarm.due_at):%d/%m/%Y}).",
                })  # fmt: skip
                swept.overdue += 1
            else:
                uow.emit(
                    QuestionDeadlineNear(
                        tenant=alarm.tenant, question_id=alarm.question_id, code=alarm.code,
                        clock=alarm.clock, due_at=alarm.due_at, unit=alarm.unit,
                    )
                )  # fmt: skip
                swept.warned += 1
        # The questions are locked already (store.due_alarms): these touch only rows of
        # questions this transaction holds, so they never wait.
        keys = [(a.question_id, a.clock, a.kind) for a in due]
        alarms = store.alarms
        await uow.session.execute(
            delete(alarms).where(
                tuple_(alarms.c.question_id, alarms.c.clock, alarms.c.kind).in_(keys)
            )
        )
        for clock, ids in overdue.items():
            if ids:
                await uow.session.execute(
                    update(store.questions)
                    .where(store.questions.c.id.in_(sorted(ids)))
                    .values({f"{clock}_overdue": True})
                )
        if logs:
            await uow.session.execute(store.question_log.insert(), logs)

    async def _sleep_seconds(self) -> float:
        async with self._uow() as uow:
            fire_at = await store.next_alarm(uow.session)
        if fire_at is None:
            return self._max_sleep
        return max(0.0, min(self._max_sleep, (fire_at - self._clock()).total_seconds()))

    async def run(self) -> None:
        while True:
            try:
                swept = await self.sweep()
                if swept.overdue or swept.warned:
                    log.info(
                        "deadlines swept", extra={"overdue": swept.overdue, "warned": swept.warned}
                    )
                pause = await self._sleep_seconds()
            except Exception:
                log.exception("deadline sweep failed; trying again")
                pause = self._max_sleep * 4
            await asyncio.sleep(pause)
