"""Online dialogues (đối thoại trực tuyến, Quy chế Điều 4.2.e and the operators' duty
to hold them): the board schedules a session with a leader; citizens send questions
ahead of it (and while it runs); during the session the board publishes the leader's
answers; afterwards it publishes the transcript, the answered questions in the order
they were answered.

    scheduled ─(starts_at)─▶ live ─(ends_at, or ended early)─▶ ended ─publish─▶ published

The state follows from the clock and two facts (`state`, pure): the session's times and
whether the transcript was published. Which action fits which state is `ALLOWED`.

A question counts once its sender confirms it by the mailed link (email required, as
for questions and comments: it is the only guard against robots besides the rate limits
and the honeypot), and the confirmation must come while questions are taken. Questions
are never shown until answered: answering is the moderation. With an answer the
question is shown with the sender's name only if they agreed, and with emails, phone
and ID numbers removed; the email is never shown.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.html import sanitize_html
from runtime.messaging import UnitOfWork
from runtime.types import UtcDateTime
from services.feedback import confirmations, store
from services.feedback.calendar import TZ
from services.feedback.commands import NotFound
from services.feedback.consultations import public_name, public_text
from services.feedback.domain import Invalid, NotAllowed
from services.feedback.personal_data import Person, redact_answer

# --- tables ----------------------------------------------------------------------------------

dialogues = Table(
    "dialogues",
    store.metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False),
    Column("topic", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("leader_name", String(200), nullable=False),
    Column("leader_title", String(300), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("ends_at", UtcDateTime(), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("transcript_published_at", UtcDateTime(), nullable=True),
    #: The board's closing words published with the transcript (plain text).
    Column("transcript_note", Text, nullable=True),
    Column("published_by", String(100), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_dialogues_tenant_starts", "tenant", "starts_at"),
)

dialogue_questions = Table(
    "dialogue_questions",
    store.metadata,
    Column("id", String(36), primary_key=True),
    Column("dialogue_id", String(36), ForeignKey("dialogues.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    Column("show_name", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("confirmed_at", UtcDateTime(), nullable=True),
    Column("confirm_hash", String(64), nullable=True, unique=True),
    Column("answer_html", Text, nullable=True),
    Column("answered_by", String(100), nullable=True),
    Column("answered_at", UtcDateTime(), nullable=True),
    #: The place in the transcript: answers are numbered in the order they are given.
    Column("sequence", Integer, nullable=True),
    Index("ix_dialogue_questions_status", "dialogue_id", "status"),
)


# --- rules (pure) ------------------------------------------------------------------------------


class State(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    PUBLISHED = "published"


STATE_VI = {
    State.SCHEDULED: "Sắp diễn ra",
    State.LIVE: "Đang diễn ra",
    State.ENDED: "Đã kết thúc, đang hoàn thiện biên bản",
    State.PUBLISHED: "Đã kết thúc, đã đăng biên bản",
}

ALLOWED: dict[str, frozenset[State]] = {
    "ask": frozenset({State.SCHEDULED, State.LIVE}),
    "answer": frozenset({State.LIVE}),
    "end": frozenset({State.LIVE}),
    "publish": frozenset({State.ENDED}),
}

REFUSALS_VI = {
    "ask": "Buổi đối thoại đã kết thúc, không nhận thêm câu hỏi.",
    "answer": "Chỉ trả lời câu hỏi trong thời gian diễn ra buổi đối thoại.",
    "end": "Chỉ kết thúc được buổi đối thoại đang diễn ra.",
    "publish": "Chỉ đăng biên bản sau khi buổi đối thoại kết thúc, và chỉ đăng một lần.",
}


class QuestionStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"
    RECEIVED = "received"
    ANSWERED = "answered"


MAX_HOURS = 12
MAX_AHEAD_DAYS = 366


def state(
    starts_at: datetime, ends_at: datetime, published_at: datetime | None, now: datetime
) -> State:
    """Where a session stands at `now`: it is live from `starts_at` (included) to
    `ends_at` (excluded); once the transcript is published it stays published."""
    if published_at is not None:
        return State.PUBLISHED
    if now < starts_at:
        return State.SCHEDULED
    if now < ends_at:
        return State.LIVE
    return State.ENDED


def allowed(action: str, current: State) -> bool:
    return current in ALLOWED[action]


def require(action: str, current: State) -> None:
    if not allowed(action, current):
        raise NotAllowed(REFUSALS_VI[action])


def check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> str | None:
    """What is wrong with a session's times, in Vietnamese, or None."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        return "Thời gian phải ghi múi giờ, ví dụ 2026-12-01T09:00:00+07:00."
    if ends_at <= starts_at:
        return "Giờ kết thúc phải sau giờ bắt đầu."
    if starts_at <= now:
        return "Giờ bắt đầu phải ở trong tương lai."
    if ends_at - starts_at > timedelta(hours=MAX_HOURS):
        return f"Một buổi đối thoại không kéo dài quá {MAX_HOURS} giờ."
    if starts_at - now > timedelta(days=MAX_AHEAD_DAYS):
        return f"Chỉ lên lịch trước tối đa {MAX_AHEAD_DAYS} ngày."
    return None


def current_state(row: Row, now: datetime) -> State:
    return state(row.starts_at, row.ends_at, row.transcript_published_at, now)


# --- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    tenant: str
    topic: str
    description: str
    leader_name: str
    leader_title: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Asked:
    name: str
    email: str
    show_name: bool
    text: str


async def schedule(uow: UnitOfWork, s: Session, *, by: str, now: datetime) -> str:
    problem = check_times(s.starts_at, s.ends_at, now)
    if problem:
        raise Invalid(problem)
    dialogue_id = str(uuid.uuid4())
    await uow.session.execute(
        dialogues.insert().values(
            id=dialogue_id, tenant=s.tenant, topic=s.topic, description=s.description,
            leader_name=s.leader_name, leader_title=s.leader_title, starts_at=s.starts_at,
            ends_at=s.ends_at, created_by=by, created_at=now,
        )
    )  # fmt: skip
    uow.audit(actor=by, action="dialogue.schedule", subject=f"dialogue:{dialogue_id}",
              tenant=s.tenant, after={"topic": s.topic, "leader": s.leader_name,
                                      "starts_at": s.starts_at, "ends_at": s.ends_at})  # fmt: skip
    return dialogue_id


async def get(session: AsyncSession, dialogue_id: str, *, lock: bool = False) -> Row | None:
    query = select(dialogues).where(dialogues.c.id == dialogue_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def _dialogue(uow: UnitOfWork, dialogue_id: str, *, lock: bool = False) -> Row:
    row = await get(uow.session, dialogue_id, lock=lock)
    if row is None:
        raise NotFound("Không có buổi đối thoại này.")
    return row


async def ask(uow: UnitOfWork, dialogue_id: str, a: Asked, *, now: datetime, site_url: str) -> str:
    row = await _dialogue(uow, dialogue_id)
    require("ask", current_state(row, now))
    question_id, token = await confirmations.add(
        uow, dialogue_questions, status=QuestionStatus.UNCONFIRMED, now=now,
        dialogue_id=row.id, name=a.name, email=a.email, show_name=a.show_name, text=a.text,
    )  # fmt: skip
    starts = row.starts_at.astimezone(TZ)
    await confirmations.mail(
        uow.session, to=a.email, name=a.name, now=now,
        subject="Xác nhận câu hỏi gửi buổi đối thoại", noun="câu hỏi",
        about=f"gửi buổi đối thoại “{row.topic}” với {row.leader_title} {row.leader_name} "
              f"({starts:%H:%M} ngày {starts:%d/%m/%Y})",
        before="trước khi buổi đối thoại kết thúc", link=f"{site_url}/doi-thoai/xac-nhan/{token}",
    )  # fmt: skip
    return question_id


async def confirm(uow: UnitOfWork, token: str, now: datetime) -> Row:
    """The sender opened the link: the question goes to the board. The session's row."""

    async def still_asking(question: Row) -> Row:
        dialogue = await _dialogue(uow, question.dialogue_id)
        require("ask", current_state(dialogue, now))
        return dialogue

    return await confirmations.confirm(
        uow, dialogue_questions, token, now, waiting=QuestionStatus.UNCONFIRMED,
        to=QuestionStatus.RECEIVED, owner=still_asking,
    )  # fmt: skip


async def answer(
    uow: UnitOfWork, dialogue_id: str, question_id: str, *, answer_html: str, by: str,
    now: datetime,
) -> Row:  # fmt: skip
    """During the session, the leader's answer to a confirmed question, numbered next."""
    dialogue = await _dialogue(uow, dialogue_id, lock=True)  # numbers answers one at a time
    require("answer", current_state(dialogue, now))
    q = dialogue_questions.c
    query = select(dialogue_questions).where(q.id == question_id, q.dialogue_id == dialogue.id)
    row = (await uow.session.execute(query.with_for_update())).first()
    if row is None:
        raise NotFound("Không có câu hỏi này trong buổi đối thoại.")
    if row.status == QuestionStatus.UNCONFIRMED:
        raise NotAllowed("Câu hỏi chưa được người hỏi xác nhận.")
    if row.status == QuestionStatus.ANSWERED:
        raise NotAllowed("Câu hỏi đã được trả lời.")
    # Published at once: without the asker's contacts or house number, nor their name
    # unless they chose to show it beside their question.
    asker = Person(row.name if not row.show_name else "", row.email)
    clean = redact_answer(sanitize_html(answer_html), asker, row.text)
    if not _has_text(clean):
        raise Invalid("Câu trả lời không có nội dung.")
    last = select(func.max(q.sequence)).where(q.dialogue_id == dialogue.id)
    sequence = ((await uow.session.execute(last)).scalar() or 0) + 1
    await uow.session.execute(
        update(dialogue_questions)
        .where(q.id == row.id)
        .values(status=QuestionStatus.ANSWERED, answer_html=clean, answered_by=by,
                answered_at=now, sequence=sequence)
    )  # fmt: skip
    uow.audit(actor=by, action="dialogue.answer", subject=f"dialogue-question:{row.id}",
              tenant=dialogue.tenant, after={"sequence": sequence})  # fmt: skip
    done = (await uow.session.execute(select(dialogue_questions).where(q.id == row.id))).first()
    assert done is not None
    return done


def _has_text(html: str) -> bool:
    return bool(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


async def end(uow: UnitOfWork, dialogue_id: str, *, by: str, now: datetime) -> Row:
    """The session ends now, before its planned end."""
    dialogue = await _dialogue(uow, dialogue_id, lock=True)
    require("end", current_state(dialogue, now))
    await uow.session.execute(
        update(dialogues).where(dialogues.c.id == dialogue.id)
        .values(ends_at=now, version=dialogues.c.version + 1)
    )  # fmt: skip
    uow.audit(actor=by, action="dialogue.end", subject=f"dialogue:{dialogue.id}",
              tenant=dialogue.tenant, before={"ends_at": dialogue.ends_at},
              after={"ends_at": now})  # fmt: skip
    return await _dialogue(uow, dialogue.id)


async def publish(uow: UnitOfWork, dialogue_id: str, *, note: str, by: str, now: datetime) -> Row:
    """After the session, the transcript: the answered questions, in order."""
    dialogue = await _dialogue(uow, dialogue_id, lock=True)
    require("publish", current_state(dialogue, now))
    await uow.session.execute(
        update(dialogues).where(dialogues.c.id == dialogue.id)
        .values(transcript_published_at=now, transcript_note=note or None, published_by=by,
                version=dialogues.c.version + 1)
    )  # fmt: skip
    uow.audit(actor=by, action="dialogue.publish", subject=f"dialogue:{dialogue.id}",
              tenant=dialogue.tenant, after={"published_at": now})  # fmt: skip
    return await _dialogue(uow, dialogue.id)


# --- queries -----------------------------------------------------------------------------------


async def for_site(session: AsyncSession, tenant: str, limit: int = 300) -> list[Row]:
    query = (
        select(dialogues)
        .where(dialogues.c.tenant == tenant)
        .order_by(dialogues.c.starts_at.desc(), dialogues.c.id)
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def questions(
    session: AsyncSession, dialogue_id: str, *, answered_only: bool = False
) -> list[Row]:
    q = dialogue_questions.c
    query = select(dialogue_questions).where(q.dialogue_id == dialogue_id)
    if answered_only:
        query = query.where(q.status == QuestionStatus.ANSWERED).order_by(q.sequence)
    else:
        query = query.where(q.status != QuestionStatus.UNCONFIRMED).order_by(q.confirmed_at, q.id)
    return list((await session.execute(query)).all())


async def received_count(session: AsyncSession, dialogue_id: str) -> int:
    q = dialogue_questions.c
    query = select(func.count()).where(
        q.dialogue_id == dialogue_id, q.status != QuestionStatus.UNCONFIRMED
    )
    return int((await session.execute(query)).scalar_one())


async def public_view(session: AsyncSession, row: Row, now: datetime) -> dict[str, Any]:
    """A session as anyone may see it: answered questions are shown while it runs and
    after it; the transcript is final once published."""
    current = current_state(row, now)
    answered = []
    if current is not State.SCHEDULED:
        answered = [
            {"number": q.sequence, "name": public_name(q.name, q.show_name),
             "question": public_text(q.text, q.name), "answer_html": q.answer_html,
             "answered_at": q.answered_at}
            for q in await questions(session, row.id, answered_only=True)
        ]  # fmt: skip
    return {
        "id": row.id,
        "tenant": row.tenant,
        "topic": row.topic,
        "description": row.description,
        "leader_name": row.leader_name,
        "leader_title": row.leader_title,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "state": current.value,
        "state_label": STATE_VI[current],
        "taking_questions": allowed("ask", current),
        "questions_received": await received_count(session, row.id),
        "answered": answered,
        "transcript_published_at": row.transcript_published_at,
        "transcript_note": row.transcript_note,
    }
