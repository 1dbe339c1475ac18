"""Participation's state changes: each runs in the caller's unit of work, writing the
rows, the confirmation mails and the audit entries together. Consultations on draft
documents (rules: consultation_rules.py), online dialogues (dialogue_rules.py) and
satisfaction ratings (rating_rules.py); the tables are in participation_store.py.
Comments and dialogue questions are confirmed by a mailed link (confirmations.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.engine import Row

from runtime.html import sanitize_html
from runtime.messaging import UnitOfWork
from services.feedback import confirmations, participation_store
from services.feedback.calendar import TZ
from services.feedback.commands import NotFound
from services.feedback.consultation_rules import (
    CommentStatus,
    article_label,
    check_article,
    check_dates,
    check_moderation,
    check_numbers,
    check_responses,
    phase,
    require_closed,
    require_open,
    window,
)
from services.feedback.dialogue_rules import (
    QuestionStatus,
    check_answerable,
    check_times,
    current_state,
    require,
)
from services.feedback.domain import Invalid, NotAllowed
from services.feedback.participation_rules import has_text
from services.feedback.participation_store import (
    consultation_comments,
    consultation_responses,
    consultations,
    dialogue_questions,
    dialogues,
)
from services.feedback.personal_data import Person, redact_answer

# --- consultations -----------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Response:
    text: str
    comment_ids: tuple[str, ...]


async def create_consultation(uow: UnitOfWork, draft: Draft, *, by: str, now: datetime) -> str:
    problem = check_dates(draft.opens_on, draft.closes_on, now) or check_numbers(
        [a.number for a in draft.articles]
    )
    if problem:
        raise Invalid(problem)
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


async def _consultation(uow: UnitOfWork, consultation_id: str, *, lock: bool = False) -> Row:
    row = await participation_store.consultation(uow.session, consultation_id, lock=lock)
    if row is None:
        raise NotFound("Không có dự thảo này.")
    return row


async def comment(
    uow: UnitOfWork, consultation_id: str, c: Comment, *, now: datetime, site_url: str
) -> str:
    """A citizen's comment, waiting for its sender to confirm by the mailed link."""
    row = await _consultation(uow, consultation_id)
    require_open(phase(row.opens_at, row.closes_at, now))
    problem = check_article(row.articles, c.article)
    if problem:
        raise Invalid(problem)
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


async def confirm_comment(uow: UnitOfWork, token: str, now: datetime) -> Row:
    """The sender opened the link: the comment counts and waits for moderation. The
    consultation's row."""

    async def still_open(comment: Row) -> Row:
        consultation = await _consultation(uow, comment.consultation_id)
        require_open(phase(consultation.opens_at, consultation.closes_at, now))
        return consultation

    return await confirmations.confirm(
        uow, consultation_comments, token, now, waiting=CommentStatus.UNCONFIRMED,
        to=CommentStatus.PENDING, owner=still_open,
    )  # fmt: skip


async def moderate_comment(
    uow: UnitOfWork, consultation_id: str, comment_id: str, *, publish: bool, by: str,
    now: datetime,
) -> Row:  # fmt: skip
    """The board publishes a confirmed comment or keeps it off the page."""
    consultation = await _consultation(uow, consultation_id)
    row = await participation_store.comment(uow.session, consultation.id, comment_id, lock=True)
    if row is None:
        raise NotFound("Không có ý kiến này trong dự thảo.")
    problem = check_moderation(row.status, publish=publish, answered=row.response_id is not None)
    if problem:
        raise NotAllowed(problem)
    status = CommentStatus.PUBLISHED if publish else CommentStatus.REJECTED
    await uow.session.execute(
        update(consultation_comments)
        .where(consultation_comments.c.id == row.id)
        .values(status=status, moderated_by=by, moderated_at=now)
    )
    uow.audit(actor=by, action="consultation.moderate", subject=f"comment:{row.id}",
              tenant=consultation.tenant, before={"status": row.status},
              after={"status": status})  # fmt: skip
    done = await participation_store.comment(uow.session, consultation.id, row.id)
    assert done is not None
    return done


async def publish_report(
    uow: UnitOfWork, consultation_id: str, *, report_html: str, responses: Sequence[Response],
    by: str, now: datetime,
) -> Row:  # fmt: skip
    """After closing, the agency's summary of the comments and its responses (each to
    one published comment or to a group of them); publishing again replaces them."""
    consultation = await _consultation(uow, consultation_id, lock=True)
    require_closed(phase(consultation.opens_at, consultation.closes_at, now))
    clean = sanitize_html(report_html)
    if not has_text(clean):
        raise Invalid("Bản tổng hợp không có nội dung.")
    wanted = [cid for r in responses for cid in r.comment_ids]
    problem = check_responses(wanted)
    if problem:
        raise Invalid(problem)
    if wanted:
        found = await participation_store.published_comment_ids(
            uow.session, consultation.id, wanted
        )
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
    return await _consultation(uow, consultation.id)


# --- dialogues ---------------------------------------------------------------------------------


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


async def schedule_dialogue(uow: UnitOfWork, s: Session, *, by: str, now: datetime) -> str:
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


async def _dialogue(uow: UnitOfWork, dialogue_id: str, *, lock: bool = False) -> Row:
    row = await participation_store.dialogue(uow.session, dialogue_id, lock=lock)
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


async def confirm_question(uow: UnitOfWork, token: str, now: datetime) -> Row:
    """The sender opened the link: the question goes to the board. The session's row."""

    async def still_asking(question: Row) -> Row:
        dialogue = await _dialogue(uow, question.dialogue_id)
        require("ask", current_state(dialogue, now))
        return dialogue

    return await confirmations.confirm(
        uow, dialogue_questions, token, now, waiting=QuestionStatus.UNCONFIRMED,
        to=QuestionStatus.RECEIVED, owner=still_asking,
    )  # fmt: skip


async def answer_question(
    uow: UnitOfWork, dialogue_id: str, question_id: str, *, answer_html: str, by: str,
    now: datetime,
) -> Row:  # fmt: skip
    """During the session, the leader's answer to a confirmed question, numbered next."""
    dialogue = await _dialogue(uow, dialogue_id, lock=True)  # numbers answers one at a time
    require("answer", current_state(dialogue, now))
    row = await participation_store.question(uow.session, dialogue.id, question_id, lock=True)
    if row is None:
        raise NotFound("Không có câu hỏi này trong buổi đối thoại.")
    problem = check_answerable(row.status)
    if problem:
        raise NotAllowed(problem)
    # Published at once: without the asker's contacts or house number, nor their name
    # unless they chose to show it beside their question.
    asker = Person(row.name if not row.show_name else "", row.email)
    clean = redact_answer(sanitize_html(answer_html), asker, row.text)
    if not has_text(clean):
        raise Invalid("Câu trả lời không có nội dung.")
    sequence = await participation_store.last_sequence(uow.session, dialogue.id) + 1
    await uow.session.execute(
        update(dialogue_questions)
        .where(dialogue_questions.c.id == row.id)
        .values(status=QuestionStatus.ANSWERED, answer_html=clean, answered_by=by,
                answered_at=now, sequence=sequence)
    )  # fmt: skip
    uow.audit(actor=by, action="dialogue.answer", subject=f"dialogue-question:{row.id}",
              tenant=dialogue.tenant, after={"sequence": sequence})  # fmt: skip
    done = await participation_store.question(uow.session, dialogue.id, row.id)
    assert done is not None
    return done


async def end_dialogue(uow: UnitOfWork, dialogue_id: str, *, by: str, now: datetime) -> Row:
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


async def publish_transcript(
    uow: UnitOfWork, dialogue_id: str, *, note: str, by: str, now: datetime
) -> Row:
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


# --- ratings -----------------------------------------------------------------------------------


async def rate(uow: UnitOfWork, *, tenant: str, scores: Mapping[str, int], now: datetime) -> None:
    """Ratings (criterion → score, checked by rating_rules.check_scores) of a site or of
    its answers: one more on each counter, nothing else kept (participation_store.py)."""
    await participation_store.record_ratings(uow.session, tenant=tenant, scores=scores, now=now)
