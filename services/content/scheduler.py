"""Publishes and withdraws articles at their scheduled times.

The schedule is the articles table itself (state scheduled + publish_at, and
unpublish_at), so it survives restarts: on start the loop finds whatever fell
due while the service was down and does it at once. There is no minimum lead
time: the loop sleeps until the next due time, at most `max_sleep`, so a new
schedule is seen within that. Each article is handled in its own unit of
work with its row locked, so two replicas never publish the same one twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from runtime.messaging import UnitOfWork
from services.content import commands, store

log = logging.getLogger("portal.content.scheduler")


class Scheduler:
    def __init__(self, unit_of_work: Callable[[], UnitOfWork], *, max_sleep: float = 0.5) -> None:
        self._unit_of_work = unit_of_work
        self._max_sleep = max_sleep

    async def run_once(self) -> int:
        """Do everything due now; how many articles changed."""
        now = datetime.now(UTC)
        async with self._unit_of_work() as uow:
            publish = await store.due_for_publication(uow.session, now)
            withdraw = await store.due_for_withdrawal(uow.session, now)
        changed = 0
        for article_id in publish:
            changed += await self._one(commands.publish_due, article_id, now)
        for article_id in withdraw:
            changed += await self._one(commands.withdraw_due, article_id, now)
        return changed

    async def _one(self, command: Callable[..., Any], article_id: str, now: datetime) -> int:
        async with self._unit_of_work() as uow:
            if not await command(uow, article_id, now):
                return 0
            await uow.commit()
        log.info("scheduled change done", extra={"article": article_id, "step": command.__name__})
        return 1

    async def _sleep_seconds(self) -> float:
        async with self._unit_of_work() as uow:
            due = await store.next_due(uow.session)
        if due is None:
            return self._max_sleep
        return max(0.0, min(self._max_sleep, (due - datetime.now(UTC)).total_seconds()))

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
                pause = await self._sleep_seconds()
            except Exception:
                # The database may be away for a moment; the schedule is still there.
                log.exception("scheduler round failed; trying again")
                pause = self._max_sleep * 4
            await asyncio.sleep(pause)
