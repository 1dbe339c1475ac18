"""Consultation on draft documents (lấy ý kiến góp ý dự thảo, Quy chế Điều 4.2.d):
the board publishes a draft split into articles and clauses (điều, khoản) with its
opening and closing dates; citizens comment on a chosen article or on the draft as a
whole; comments close with the phase; afterwards the agency publishes its summary of
the comments (tổng hợp) and its responses, one per comment or one per group.

    phase:    upcoming ─(opening day 00:00:00)─▶ open ─(closing day ends)─▶ closed
    comment:  unconfirmed ─confirm─▶ pending ─moderate─▶ published | rejected

Dates are Hanoi calendar days: the phase opens at 00:00:00 of the opening day and
closes when the closing day ends (Bộ luật Dân sự Điều 148), so a comment confirmed at
23:59:59.999 of the closing day is in time and one at 00:00:00 of the next day is not.

A comment counts once its sender confirms it by the mailed link, as a question does,
and the confirmation must come while the phase is open. Comments are shown publicly
only after the board's moderation (a portal of the city shows nothing unreviewed),
with the sender's name only if they agreed, and with emails, phone and ID numbers
removed from the text; the email itself is never shown.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
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
from services.feedback.calendar import TZ, end_of_day, local_day, start_of_day
from services.feedback.commands import NotFound
from services.feedback.domain import Invalid, NotAllowed
from services.feedback.personal_data import Person, redact

# --- tables ----------------------------------------------------------------------------------

consultations = Table(
    "consultations",
    store.metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False),
    Column("title", String(300), nullable=False),
    Column("summary", Text, nullable=False),
    #: [{"number": "Điều 1", "heading": "...", "text": "..."}], in order; a comment
    #: names an article by its 1-based position.
    Column("articles", JSON, nullable=False),
    Column("attachment_url", String(500), nullable=True),
    Column("opens_at", UtcDateTime(), nullable=False),
    Column("closes_at", UtcDateTime(), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    #: The agency's summary of the comments (sanitised HTML), after closing.
    Column("report_html", Text, nullable=True),
    Column("report_published_at", UtcDateTime(), nullable=True),
    Column("report_by", String(100), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_consultations_tenant_opens", "tenant", "opens_at"),
)

consultation_responses = Table(
    "consultation_responses",
    store.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "consultation_id", String(36), ForeignKey("consultations.id"), nullable=False, index=True
    ),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
)

consultation_comments = Table(
    "consultation_comments",
    store.metadata,
    Column("id", String(36), primary_key=True),
    Column("consultation_id", String(36), ForeignKey("consultations.id"), nullable=False),
    #: The article's 1-based position in the draft; None for the draft as a whole.
    Column("article", Integer, nullable=True),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    #: The sender agreed to have their name shown with the comment.
    Column("show_name", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("confirmed_at", UtcDateTime(), nullable=True),
    #: sha256 of the secret in the confirmation link; the link itself is never stored.
    Column("confirm_hash", String(64), nullable=True, unique=True),
    Column("moderated_by", String(100), nullable=True),
    Column("moderated_at", UtcDateTime(), nullable=True),
    Column("response_id", Integer, ForeignKey("consultation_responses.id"), nullable=True),
    Index("ix_consultation_comments_status", "consultation_id", "status"),
)


# --- rules (pure) ------------------------------------------------------------------------------


class Phase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


PHASE_VI = {
    Phase.UPCOMING: "Sắp lấy ý kiến",
    Phase.OPEN: "Đang lấy ý kiến",
    Phase.CLOSED: "Đã hết thời gian góp ý",
}


class CommentStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


COMMENT_STATUS_VI = {
    CommentStatus.UNCONFIRMED: "Chờ người góp ý xác nhận qua email",
    CommentStatus.PENDING: "Chờ duyệt",
    CommentStatus.PUBLISHED: "Đã đăng",
    CommentStatus.REJECTED: "Không đăng",
}

#: The longest phase a consultation may run, and how far ahead it may be announced.
MAX_DAYS = 366
MAX_AHEAD_DAYS = 366
ANONYMOUS_VI = "Người góp ý (ẩn danh)"


def window(opens_on: date, closes_on: date) -> tuple[datetime, datetime]:
    """(first moment, last whole second) of a phase from `opens_on` to `closes_on`."""
    return start_of_day(opens_on), end_of_day(closes_on)


def phase(opens_at: datetime, closes_at: datetime, now: datetime) -> Phase:
    """Where a consultation stands at `now`. `closes_at` is the last whole second of
    the closing day (23:59:59); the phase is open until that second has passed."""
    if now < opens_at:
        return Phase.UPCOMING
    if now < closes_at + timedelta(seconds=1):
        return Phase.OPEN
    return Phase.CLOSED


def check_dates(opens_on: date, closes_on: date, now: datetime) -> str | None:
    """What is wrong with a phase's dates, in Vietnamese, or None."""
    today = local_day(now)
    if closes_on < opens_on:
        return "Ngày kết thúc lấy ý kiến phải sau ngày bắt đầu."
    if opens_on < today:
        return "Ngày bắt đầu lấy ý kiến không được ở trong quá khứ."
    if (closes_on - opens_on).days >= MAX_DAYS:
        return f"Thời gian lấy ý kiến không quá {MAX_DAYS} ngày."
    if (opens_on - today).days > MAX_AHEAD_DAYS:
        return f"Ngày bắt đầu lấy ý kiến không quá {MAX_AHEAD_DAYS} ngày kể từ hôm nay."
    return None


def require_open(current: Phase) -> None:
    if current is Phase.UPCOMING:
        raise NotAllowed("Chưa đến thời gian góp ý cho dự thảo này.")
    if current is Phase.CLOSED:
        raise NotAllowed("Đã hết thời gian góp ý cho dự thảo này.")


def public_name(name: str, show_name: bool) -> str:
    return name if show_name else ANONYMOUS_VI


def public_text(text: str, name: str) -> str:
    """A comment's text as published: no emails, phone or ID numbers, nor the sender's
    name (which is shown, if at all, beside the text)."""
    return redact(text, Person(name))


def article_label(articles: Sequence[dict[str, Any]], position: int | None) -> str:
    if position is None:
        return "Góp ý chung cho dự thảo"
    article = articles[position - 1]
    return f"{article['number']}. {article['heading']}" if article["heading"] else article["number"]


# --- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    number: str
    heading: str
    text: str


@dataclass(frozen=True)
class Draft:
    tenant: str
    title: str
    summary: str
    articles: tuple[Article, ...]
    opens_on: date
    closes_on: date
    attachment_url: str | None


@dataclass(frozen=True)
class Comment:
    article: int | None
    name: str
    email: str
    show_name: bool
    text: str


async def create(uow: UnitOfWork, draft: Draft, *, by: str, now: datetime) -> str:
    problem = check_dates(draft.opens_on, draft.closes_on, now)
    if problem:
        raise Invalid(problem)
    numbers = [a.number.casefold() for a in draft.articles]
    if len(set(numbers)) != len(numbers):
        raise Invalid("Mỗi điều, khoản của dự thảo phải có số hiệu riêng.")
    opens_at, closes_at = window(draft.opens_on, draft.closes_on)
    consultation_id = str(uuid.uuid4())
    await uow.session.execute(
        consultations.insert().values(
            id=consultation_id, tenant=draft.tenant, title=draft.title, summary=draft.summary,
            articles=[{"number": a.number, "heading": a.heading, "text": a.text}
                      for a in draft.articles],
            attachment_url=draft.attachment_url, opens_at=opens_at, closes_at=closes_at,
            created_by=by, created_at=now,
        )
    )  # fmt: skip
    uow.audit(actor=by, action="consultation.create", subject=f"consultation:{consultation_id}",
              tenant=draft.tenant, after={"title": draft.title, "opens_on": draft.opens_on,
                                          "closes_on": draft.closes_on})  # fmt: skip
    return consultation_id


async def get(session: AsyncSession, consultation_id: str, *, lock: bool = False) -> Row | None:
    query = select(consultations).where(consultations.c.id == consultation_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def _consultation(uow: UnitOfWork, consultation_id: str, *, lock: bool = False) -> Row:
    row = await get(uow.session, consultation_id, lock=lock)
    if row is None:
        raise NotFound("Không có dự thảo này.")
    return row


async def comment(
    uow: UnitOfWork, consultation_id: str, c: Comment, *, now: datetime, site_url: str
) -> str:
    """A citizen's comment, waiting for its sender to confirm by the mailed link."""
    row = await _consultation(uow, consultation_id)
    require_open(phase(row.opens_at, row.closes_at, now))
    if c.article is not None and not 1 <= c.article <= len(row.articles):
        raise Invalid("Điều, khoản được chọn không có trong dự thảo.")
    comment_id, token = await confirmations.add(
        uow, consultation_comments, status=CommentStatus.UNCONFIRMED, now=now,
        consultation_id=row.id, article=c.article, name=c.name, email=c.email,
        show_name=c.show_name, text=c.text,
    )  # fmt: skip
    closes = row.closes_at.astimezone(TZ)
    await confirmations.mail(
        uow.session, to=c.email, name=c.name, now=now, subject="Xác nhận góp ý dự thảo",
        noun="góp ý",
        about=f"cho dự thảo “{row.title}” ({article_label(row.articles, c.article)})",
        before=f"trước khi hết thời gian góp ý ({closes:%H:%M:%S} ngày {closes:%d/%m/%Y})",
        link=f"{site_url}/du-thao/xac-nhan/{token}",
    )  # fmt: skip
    return comment_id


async def confirm(uow: UnitOfWork, token: str, now: datetime) -> Row:
    """The sender opened the link: the comment counts and waits for moderation."""

    async def still_open(comment: Row) -> Row:
        consultation = await _consultation(uow, comment.consultation_id)
        require_open(phase(consultation.opens_at, consultation.closes_at, now))
        return consultation

    return await confirmations.confirm(
        uow, consultation_comments, token, now, waiting=CommentStatus.UNCONFIRMED,
        to=CommentStatus.PENDING, owner=still_open,
    )  # fmt: skip


async def moderate(
    uow: UnitOfWork, consultation_id: str, comment_id: str, *, publish: bool, by: str,
    now: datetime,
) -> Row:  # fmt: skip
    """The board publishes a confirmed comment or keeps it off the page."""
    consultation = await _consultation(uow, consultation_id)
    query = (
        select(consultation_comments)
        .where(
            consultation_comments.c.id == comment_id,
            consultation_comments.c.consultation_id == consultation.id,
        )
        .with_for_update()
    )
    row = (await uow.session.execute(query)).first()
    if row is None:
        raise NotFound("Không có ý kiến này trong dự thảo.")
    if row.status == CommentStatus.UNCONFIRMED:
        raise NotAllowed("Ý kiến chưa được người góp ý xác nhận, chưa thể duyệt.")
    status = CommentStatus.PUBLISHED if publish else CommentStatus.REJECTED
    if row.response_id is not None and not publish:
        raise NotAllowed("Ý kiến đã có phần trả lời trong bản tổng hợp, không thể gỡ.")
    await uow.session.execute(
        update(consultation_comments)
        .where(consultation_comments.c.id == row.id)
        .values(status=status, moderated_by=by, moderated_at=now)
    )
    uow.audit(actor=by, action="consultation.moderate", subject=f"comment:{row.id}",
              tenant=consultation.tenant, before={"status": row.status},
              after={"status": status})  # fmt: skip
    return await _comment(uow.session, row.id)


async def _comment(session: AsyncSession, comment_id: str) -> Row:
    query = select(consultation_comments).where(consultation_comments.c.id == comment_id)
    row = (await session.execute(query)).first()
    assert row is not None
    return row


@dataclass(frozen=True)
class Response:
    text: str
    comment_ids: tuple[str, ...]


async def publish_report(
    uow: UnitOfWork, consultation_id: str, *, report_html: str, responses: Sequence[Response],
    by: str, now: datetime,
) -> Row:  # fmt: skip
    """After closing, the agency's summary of the comments and its responses (each to
    one published comment or to a group of them); publishing again replaces them."""
    consultation = await _consultation(uow, consultation_id, lock=True)
    if phase(consultation.opens_at, consultation.closes_at, now) is not Phase.CLOSED:
        raise NotAllowed("Chỉ công bố tổng hợp ý kiến sau khi hết thời gian góp ý.")
    clean = sanitize_html(report_html)
    if not " ".join(_strip_tags(clean).split()):
        raise Invalid("Bản tổng hợp không có nội dung.")
    wanted = [cid for r in responses for cid in r.comment_ids]
    if len(set(wanted)) != len(wanted):
        raise Invalid("Mỗi ý kiến chỉ được trả lời trong một mục.")
    if wanted:
        query = select(consultation_comments.c.id).where(
            consultation_comments.c.consultation_id == consultation.id,
            consultation_comments.c.status == CommentStatus.PUBLISHED,
            consultation_comments.c.id.in_(wanted),
        )
        found = set((await uow.session.execute(query)).scalars())
        missing = [cid for cid in wanted if cid not in found]
        if missing:
            raise Invalid(
                f"Không có ý kiến đã đăng với mã {missing[0]} trong dự thảo này; chỉ trả lời "
                "được các ý kiến đã duyệt đăng."
            )
    c = consultation_comments.c
    await uow.session.execute(
        update(consultation_comments).where(c.consultation_id == consultation.id)
        .values(response_id=None)
    )  # fmt: skip
    await uow.session.execute(
        consultation_responses.delete().where(
            consultation_responses.c.consultation_id == consultation.id
        )
    )
    for position, response in enumerate(responses, 1):
        result = await uow.session.execute(
            consultation_responses.insert().values(
                consultation_id=consultation.id, position=position, text=response.text
            )
        )
        response_id = result.inserted_primary_key[0]  # type: ignore[index]
        if response.comment_ids:
            await uow.session.execute(
                update(consultation_comments)
                .where(c.id.in_(response.comment_ids))
                .values(response_id=response_id)
            )
    await uow.session.execute(
        update(consultations)
        .where(consultations.c.id == consultation.id)
        .values(report_html=clean, report_published_at=now, report_by=by,
                version=consultations.c.version + 1)
    )  # fmt: skip
    uow.audit(actor=by, action="consultation.report", subject=f"consultation:{consultation.id}",
              tenant=consultation.tenant,
              after={"responses": len(responses), "comments_answered": len(wanted)})  # fmt: skip
    row = await get(uow.session, consultation.id)
    assert row is not None
    return row


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


# --- queries -----------------------------------------------------------------------------------


async def for_site(session: AsyncSession, tenant: str, limit: int = 300) -> list[Row]:
    query = (
        select(consultations)
        .where(consultations.c.tenant == tenant)
        .order_by(consultations.c.opens_at.desc(), consultations.c.id)
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def comments(
    session: AsyncSession, consultation_id: str, statuses: Sequence[str] | None = None
) -> list[Row]:
    c = consultation_comments.c
    query = select(consultation_comments).where(c.consultation_id == consultation_id)
    if statuses is not None:
        query = query.where(c.status.in_(list(statuses)))
    return list((await session.execute(query.order_by(c.confirmed_at, c.id))).all())


async def responses(session: AsyncSession, consultation_id: str) -> list[Row]:
    r = consultation_responses.c
    query = select(consultation_responses).where(r.consultation_id == consultation_id)
    return list((await session.execute(query.order_by(r.position))).all())


async def received_counts(session: AsyncSession, consultation_id: str) -> dict[int | None, int]:
    """Confirmed comments per article (None: on the draft as a whole)."""
    c = consultation_comments.c
    query = (
        select(c.article, func.count())
        .where(c.consultation_id == consultation_id, c.status != CommentStatus.UNCONFIRMED)
        .group_by(c.article)
    )
    return {article: int(n) for article, n in (await session.execute(query)).all()}


# --- what citizens see ---------------------------------------------------------------------------


def public_comment(row: Row, articles: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": row.id,
        "article": row.article,
        "article_label": article_label(articles, row.article),
        "name": public_name(row.name, row.show_name),
        "text": public_text(row.text, row.name),
        "confirmed_at": row.confirmed_at,
    }


async def public_view(session: AsyncSession, row: Row, now: datetime) -> dict[str, Any]:
    """A consultation as anyone may see it: the draft, the published comments, the
    number received per article and, after closing, the summary and responses."""
    current = phase(row.opens_at, row.closes_at, now)
    published = [
        public_comment(c, row.articles)
        for c in await comments(session, row.id, [CommentStatus.PUBLISHED])
    ]
    received = await received_counts(session, row.id)
    view: dict[str, Any] = {
        "id": row.id,
        "tenant": row.tenant,
        "title": row.title,
        "summary": row.summary,
        "attachment_url": row.attachment_url,
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "phase": current.value,
        "phase_label": PHASE_VI[current],
        "articles": [
            {
                "position": i,
                **a,
                "received": received.get(i, 0),
                "comments": [c for c in published if c["article"] == i],
            }
            for i, a in enumerate(row.articles, 1)
        ],
        "general": {
            "received": received.get(None, 0),
            "comments": [c for c in published if c["article"] is None],
        },
        "received": sum(received.values()),
        "report": None,
    }
    if row.report_published_at is not None:
        by_response: dict[int, list[dict[str, Any]]] = {}
        for c in await comments(session, row.id, [CommentStatus.PUBLISHED]):
            if c.response_id is not None:
                by_response.setdefault(c.response_id, []).append(public_comment(c, row.articles))
        view["report"] = {
            "html": row.report_html,
            "published_at": row.report_published_at,
            "responses": [
                {"text": r.text, "comments": by_response.get(r.id, [])}
                for r in await responses(session, row.id)
            ],
        }
    return view
