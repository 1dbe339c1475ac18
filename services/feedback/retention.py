"""What feedback forgets, and when (data minimisation, Nghị định 13/2023/NĐ-CP):

- a question, comment or dialogue question never confirmed by its sender is deleted,
  with its files and history, once its link has expired: the mail promises the link
  for 7 days (commands.py), after which the row can never become anything;
- a mail's body (it holds a one-time link) is erased once the mail has been sent or
  given up, and the rows themselves go after MAIL_KEEP_DAYS, kept that long only to
  show an operator what was sent when.

`sweep` runs in the feedback process every RUN_EVERY. Questions (with their files and
history) go BATCH at a time until none is left, so a backlog never makes one long
transaction; comments, dialogue questions and mails are single-table deletes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, or_, select, update

from runtime.messaging import UnitOfWork
from services.feedback import store
from services.feedback.consultation_rules import CommentStatus
from services.feedback.dialogue_rules import QuestionStatus
from services.feedback.domain import Status
from services.feedback.participation_store import consultation_comments, dialogue_questions

log = logging.getLogger("portal.feedback.retention")

#: The confirmation link's promised life; an unconfirmed row outlives it by nothing.
UNCONFIRMED_DAYS = 7
MAIL_KEEP_DAYS = 30
BATCH = 500
RUN_EVERY = timedelta(hours=1)


@dataclass
class Forgotten:
    questions: int = 0
    comments: int = 0
    dialogue_questions: int = 0
    mail_bodies: int = 0
    mails: int = 0


async def sweep(unit_of_work: Callable[[], UnitOfWork], now: datetime) -> Forgotten:
    done = Forgotten()
    expired = now - timedelta(days=UNCONFIRMED_DAYS)
    while True:
        async with unit_of_work() as uow:
            n = await _unconfirmed_questions(uow, expired)
            await uow.commit()
        done.questions += n
        if n < BATCH:
            break
    for table, status, field in (
        (consultation_comments, CommentStatus.UNCONFIRMED, "comments"),
        (dialogue_questions, QuestionStatus.UNCONFIRMED, "dialogue_questions"),
    ):
        async with unit_of_work() as uow:
            result = await uow.session.execute(
                delete(table).where(table.c.status == status, table.c.submitted_at < expired)
            )
            await uow.commit()
        setattr(done, field, result.rowcount or 0)
    mails = store.mails
    async with unit_of_work() as uow:
        # Sent, or given up (next attempt pushed years ahead): the link has no use now.
        finished = or_(
            mails.c.sent_at.is_not(None), mails.c.next_attempt_at > now + timedelta(days=365)
        )
        erased = await uow.session.execute(
            update(mails).where(finished, mails.c.body != "").values(body="")
        )
        gone = await uow.session.execute(
            delete(mails).where(mails.c.created_at < now - timedelta(days=MAIL_KEEP_DAYS))
        )
        await uow.commit()
    done.mail_bodies, done.mails = erased.rowcount or 0, gone.rowcount or 0
    return done


async def _unconfirmed_questions(uow: UnitOfWork, expired: datetime) -> int:
    q = store.questions
    # The question rows first, as every writer of a question takes them (then its
    # other rows): locked in id order, skipping one whose sender is confirming it
    # right now (its status is checked again under the lock).
    ids = list(
        (
            await uow.session.execute(
                select(q.c.id)
                .where(q.c.status == Status.UNCONFIRMED, q.c.submitted_at < expired)
                .order_by(q.c.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    if not ids:
        return 0
    dependants: tuple[Table, ...] = (
        store.attachments, store.question_log, store.pauses, store.alarms, store.mails,
    )  # fmt: skip
    for table in dependants:
        await uow.session.execute(delete(table).where(table.c.question_id.in_(ids)))
    await uow.session.execute(delete(q).where(q.c.id.in_(ids)))
    return len(ids)


async def run(unit_of_work: Callable[[], UnitOfWork], clock: Callable[[], datetime]) -> None:
    while True:
        try:
            done = await sweep(unit_of_work, clock())
            if any(vars(done).values()):
                log.info("retention sweep", extra=vars(done))
        except Exception:
            log.exception("retention sweep failed; trying again later")
        await asyncio.sleep(RUN_EVERY.total_seconds())
