"""feedback's tables and queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.messaging import messaging_tables
from runtime.types import UtcDateTime
from services.feedback.calendar import Adjustment, DayKind

metadata = MetaData()
outbox, inbox = messaging_tables(metadata)

#: Sites, from TenantUpserted: where a question may be sent, and its address for links.
sites = Table(
    "sites",
    metadata,
    Column("slug", String(50), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("domain", String(253), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("sequence", Integer, nullable=False),
    #: city, department, ward, commune or special (TenantUpserted.kind): the city
    #: portal's board sees the city-wide reports.
    Column("kind", String(20), nullable=True),
)

#: Operators' entries to the official calendar: extra days off and make-up working days.
calendar_days = Table(
    "calendar_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("reason", String(300), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)

#: One row per question or feedback, from submission to published answer.
questions = Table(
    "questions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("tenant", String(50), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("field", String(100), nullable=False),
    Column("title", String(300), nullable=False),
    Column("text", Text, nullable=False),
    Column("sender_name", String(200), nullable=False),
    Column("sender_email", String(254), nullable=True),
    Column("sender_phone", String(20), nullable=True),
    Column("attachments", JSON, nullable=False, server_default="[]"),
    Column("status", String(30), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    #: sha256 of the secret in the confirmation link; the link itself is never stored.
    Column("confirm_hash", String(64), nullable=True, unique=True),
    #: The moment of receipt that the legal clock counts from (the sender's confirmation).
    Column("received_at", UtcDateTime(), nullable=True),
    Column("out_of_scope_notice_due", UtcDateTime(), nullable=True),
    Column("classification_due", UtcDateTime(), nullable=True),
    Column("answer_due", UtcDateTime(), nullable=True),
    #: A progress notice's stated date, which replaces the counted answer deadline.
    Column("answer_by", Date, nullable=True),
    Column("unit", String(50), nullable=True),
    Column("classified_at", UtcDateTime(), nullable=True),
    Column("competent_body", String(300), nullable=True),
    Column("answer_html", Text, nullable=True),
    Column("answered_by", String(100), nullable=True),
    Column("published_at", UtcDateTime(), nullable=True),
    Column("published_question", Text, nullable=True),
    Column("classification_overdue", Boolean, nullable=False, server_default="0"),
    Column("answer_overdue", Boolean, nullable=False, server_default="0"),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_questions_tenant_status", "tenant", "status", "received_at"),
    Index("ix_questions_unit_status", "unit", "status"),
)

#: Files citizens attached to their questions, checked by content before they get
#: here (services/feedback/attachments.py). Private: only the board and the unit
#: handling the question read them. The bytes are kept in the row (at most 3 files,
#: 20 MB in all, per question), so a question and its files are written in one
#: transaction and backed up together.
attachments = Table(
    "attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("question_id", String(36), ForeignKey("questions.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

#: What happened to a question, in order: the status history citizens see (public
#: rows) and the board's log of pauses, extensions and their reasons.
question_log = Table(
    "question_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", String(36), ForeignKey("questions.id"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("action", String(40), nullable=False),
    Column("status", String(30), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("public", Boolean, nullable=False),
)

#: Requests for clarification: the answer clock stops from `start` to `end`.
pauses = Table(
    "pauses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", String(36), ForeignKey("questions.id"), nullable=False, index=True),
    Column("start", UtcDateTime(), nullable=False),
    Column("end", UtcDateTime(), nullable=True),
    Column("reason", Text, nullable=False),
)

#: The watcher's agenda: one row per warning or overdue notice still to send. A row
#: is deleted in the transaction that sends its event, so each is sent once; rows of
#: a step that is done are deleted with the step.
alarms = Table(
    "alarms",
    metadata,
    Column("question_id", String(36), primary_key=True),
    Column("clock", String(20), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("fire_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Index("ix_alarms_fire_at", "fire_at"),
)

#: Mail to citizens, written in the transaction that decides to send it and delivered
#: by the mailer afterwards (with retries), so a mail server outage loses nothing.
mails = Table(
    "mails",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", String(36), nullable=True, index=True),
    Column("to_address", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Index("ix_mails_pending", "sent_at", "next_attempt_at"),
)


# --- calendar ------------------------------------------------------------------


async def adjustments(session: AsyncSession) -> list[Adjustment]:
    rows = (await session.execute(select(calendar_days).order_by(calendar_days.c.day))).all()
    return [Adjustment(r.day, DayKind(r.kind), r.reason) for r in rows]


async def calendar_rows(session: AsyncSession, year: int | None = None) -> Sequence[Row]:
    query = select(calendar_days).order_by(calendar_days.c.day)
    if year is not None:
        query = query.where(calendar_days.c.day.between(date(year, 1, 1), date(year, 12, 31)))
    return (await session.execute(query)).all()


async def calendar_day(session: AsyncSession, day: date) -> Row | None:
    return (await session.execute(select(calendar_days).where(calendar_days.c.day == day))).first()


async def site(session: AsyncSession, slug: str) -> Row | None:
    return (await session.execute(select(sites).where(sites.c.slug == slug))).first()


async def site_by_domain(session: AsyncSession, domain: str) -> Row | None:
    return (await session.execute(select(sites).where(sites.c.domain == domain))).first()


# --- questions -----------------------------------------------------------------


async def get(session: AsyncSession, question_id: str, *, lock: bool = False) -> Row | None:
    query = select(questions).where(questions.c.id == question_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def by_code(session: AsyncSession, code: str) -> Row | None:
    return (await session.execute(select(questions).where(questions.c.code == code))).first()


async def by_confirm_hash(session: AsyncSession, digest: str) -> Row | None:
    query = select(questions).where(questions.c.confirm_hash == digest).with_for_update()
    return (await session.execute(query)).first()


async def change(session: AsyncSession, question_id: str, values: dict[str, Any]) -> None:
    await session.execute(
        update(questions)
        .where(questions.c.id == question_id)
        .values(**values, version=questions.c.version + 1)
    )


async def log(
    session: AsyncSession,
    question_id: str,
    *,
    at: datetime,
    action: str,
    status: str,
    actor: str,
    note: str = "",
    public: bool,
) -> None:
    await session.execute(
        question_log.insert().values(
            question_id=question_id, at=at, action=action, status=status, actor=actor,
            note=note, public=public,
        )
    )  # fmt: skip


async def history(session: AsyncSession, question_id: str, *, public_only: bool) -> list[Row]:
    query = select(question_log).where(question_log.c.question_id == question_id)
    if public_only:
        query = query.where(question_log.c.public.is_(True))
    return list((await session.execute(query.order_by(question_log.c.id))).all())


async def question_pauses(session: AsyncSession, question_id: str) -> list[Row]:
    query = select(pauses).where(pauses.c.question_id == question_id).order_by(pauses.c.id)
    return list((await session.execute(query)).all())


async def list_questions(
    session: AsyncSession,
    *,
    tenants: Sequence[str] | None,
    status: str | None = None,
    overdue: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Row]:
    query = select(questions).where(questions.c.status != "unconfirmed")
    if tenants is not None:
        query = query.where(questions.c.tenant.in_(tenants) | questions.c.unit.in_(tenants))
    if status:
        query = query.where(questions.c.status == status)
    if overdue is not None:
        flag = questions.c.classification_overdue | questions.c.answer_overdue
        query = query.where(flag if overdue else ~flag)
    query = query.order_by(questions.c.received_at.desc(), questions.c.id)
    return list((await session.execute(query.limit(limit).offset(offset))).all())


async def published_answers(
    session: AsyncSession, tenant: str, *, q: str = "", limit: int = 20, offset: int = 0
) -> tuple[int, list[Row]]:
    """A site's published answers, newest first, optionally those containing `q` (a plain
    substring match until the search service indexes them)."""
    where = [questions.c.tenant == tenant, questions.c.status == "published"]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        where.append(
            questions.c.title.ilike(pattern, escape="\\")
            | questions.c.published_question.ilike(pattern, escape="\\")
            | questions.c.answer_html.ilike(pattern, escape="\\")
        )
    counted = select(func.count()).select_from(questions).where(*where)
    total = (await session.execute(counted)).scalar_one()
    query = (
        select(questions)
        .where(*where)
        .order_by(questions.c.published_at.desc(), questions.c.id)
        .limit(limit)
        .offset(offset)
    )
    return total, list((await session.execute(query)).all())


# --- attachments ------------------------------------------------------------------

_ATTACHMENT_INFO = (
    attachments.c.id,
    attachments.c.question_id,
    attachments.c.filename,
    attachments.c.media_type,
    attachments.c.size,
)


async def attachment_list(session: AsyncSession, question_ids: Sequence[str]) -> list[Row]:
    """What is attached to these questions (without the bytes), in order."""
    if not question_ids:
        return []
    query = (
        select(*_ATTACHMENT_INFO)
        .where(attachments.c.question_id.in_(question_ids))
        .order_by(attachments.c.question_id, attachments.c.position)
    )
    return list((await session.execute(query)).all())


async def attachment(session: AsyncSession, question_id: str, attachment_id: str) -> Row | None:
    """One file of one question, with its bytes."""
    query = select(attachments).where(
        attachments.c.id == attachment_id, attachments.c.question_id == question_id
    )
    return (await session.execute(query)).first()


# --- the watcher's agenda --------------------------------------------------------


async def set_alarms(
    session: AsyncSession,
    question_id: str,
    clock: str,
    due_at: datetime | None,
    warn_at: datetime | None,
) -> None:
    """Replace the alarms of one clock of one question (none if `due_at` is None)."""
    await session.execute(
        delete(alarms).where(alarms.c.question_id == question_id, alarms.c.clock == clock)
    )
    if due_at is None:
        return
    # Overdue once the last day has ended: the first second after 23:59:59.
    rows = [{"question_id": question_id, "clock": clock, "kind": "overdue",
             "fire_at": due_at + timedelta(seconds=1), "due_at": due_at}]  # fmt: skip
    if warn_at is not None:
        rows.append({"question_id": question_id, "clock": clock, "kind": "warn",
                     "fire_at": warn_at, "due_at": due_at})  # fmt: skip
    await session.execute(alarms.insert(), rows)


async def clear_alarms(session: AsyncSession, question_id: str, clock: str | None = None) -> None:
    query = delete(alarms).where(alarms.c.question_id == question_id)
    if clock:
        query = query.where(alarms.c.clock == clock)
    await session.execute(query)


async def due_alarms(
    session: AsyncSession, now: datetime, limit: int, *, skip_locked: bool
) -> list[Row]:
    """Alarms whose time came, with their questions, for at most `limit` questions.

    Lock order, the one every writer of a question follows: the question's row first
    (FOR UPDATE), then its alarms, log and other rows. Commands lock their question
    and then delete or replace its alarms; the watcher used to lock alarms and then
    update their questions, and on PostgreSQL the two deadlocked. Here the questions
    with due alarms are locked first, in id order, skipping those a command (or
    another watcher) holds: the watcher never waits for a command, and leaves that
    question for the next sweep. Their due alarms are then read under those locks (a
    command may have cleared them meanwhile), oldest first; every writer of alarms
    holds the question, so nobody else can hold them.
    """
    due = select(alarms.c.question_id).where(alarms.c.fire_at <= now)
    lock = (
        select(questions.c.id).where(questions.c.id.in_(due)).order_by(questions.c.id).limit(limit)
    )
    if skip_locked:
        # LIMIT counts the rows taken: locked ones are skipped, not counted.
        lock = lock.with_for_update(skip_locked=True)
    locked = list((await session.execute(lock)).scalars())
    if not locked:
        return []
    query = (
        select(
            alarms,
            questions.c.tenant,
            questions.c.code,
            questions.c.unit,
            questions.c.status,
        )
        .join(questions, questions.c.id == alarms.c.question_id)
        .where(alarms.c.fire_at <= now, alarms.c.question_id.in_(locked))
        .order_by(alarms.c.fire_at, alarms.c.question_id, alarms.c.clock, alarms.c.kind)
    )
    return list((await session.execute(query)).all())


async def next_alarm(session: AsyncSession) -> datetime | None:
    query = select(alarms.c.fire_at).order_by(alarms.c.fire_at).limit(1)
    return (await session.execute(query)).scalar()


# --- mail --------------------------------------------------------------------------


async def queue_mail(
    session: AsyncSession, *, to: str, subject: str, body: str, now: datetime,
    question_id: str | None = None,
) -> None:  # fmt: skip
    await session.execute(
        mails.insert().values(
            question_id=question_id, to_address=to, subject=subject, body=body,
            created_at=now, next_attempt_at=now,
        )
    )  # fmt: skip


async def pending_mails(session: AsyncSession, now: datetime, limit: int = 50) -> list[Row]:
    query = (
        select(mails)
        .where(mails.c.sent_at.is_(None), mails.c.next_attempt_at <= now)
        .order_by(mails.c.id)
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def claim_mail(session: AsyncSession, mail_id: int, now: datetime, until: datetime) -> bool:
    """Take a pending mail for sending until `until`: true for one sender only, however
    many replicas saw it pending (the row is re-checked under the row lock)."""
    result = await session.execute(
        update(mails)
        .where(mails.c.id == mail_id, mails.c.sent_at.is_(None), mails.c.next_attempt_at <= now)
        .values(next_attempt_at=until)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
