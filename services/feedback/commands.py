"""feedback's state changes: each runs in one unit of work, writing the question, its
log, the watcher's alarms, the mails and the events together."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Row

from contracts import (
    AnswerPublished,
    QuestionClassified,
    QuestionRejectedOutOfScope,
    QuestionSubmitted,
)
from runtime.html import sanitize_html
from runtime.messaging import UnitOfWork
from services.feedback import store
from services.feedback.attachments import Attachment
from services.feedback.calendar import TZ, WorkCalendar
from services.feedback.deadlines import Clock, Pause, check_answer_by, compute, warning_at
from services.feedback.domain import (
    KIND_VI,
    STATUS_VI,
    Invalid,
    NotAllowed,
    Status,
    is_overdue,
    new_code,
    require,
)
from services.feedback.personal_data import Person, redact, redact_answer


class NotFound(LookupError):
    pass


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def calendar(uow: UnitOfWork) -> WorkCalendar:
    return WorkCalendar(await store.adjustments(uow.session))


@dataclass(frozen=True)
class Submission:
    tenant: str
    kind: str
    field: str
    title: str
    text: str
    name: str
    email: str | None
    phone: str | None
    #: Checked files (attachments.from_uploads / attachments.check), kept privately.
    attachments: Sequence[Attachment] = ()


async def submit(uow: UnitOfWork, s: Submission, now: datetime, site_url: str) -> tuple[str, str]:
    """A new question waiting for its sender to confirm by the mailed link; (id, code).
    Its attachments are written in the same transaction: all or nothing."""
    question_id, code, token = str(uuid.uuid4()), new_code(), secrets.token_urlsafe(32)
    await uow.session.execute(
        store.questions.insert().values(
            id=question_id, code=code, tenant=s.tenant, kind=s.kind, field=s.field,
            title=s.title, text=s.text, sender_name=s.name, sender_email=s.email,
            sender_phone=s.phone, status=Status.UNCONFIRMED, submitted_at=now,
            confirm_hash=token_hash(token),
        )
    )  # fmt: skip
    if s.attachments:
        await uow.session.execute(store.attachments.insert(), [
            {"id": str(uuid.uuid4()), "question_id": question_id, "position": i,
             "filename": a.filename, "media_type": a.media_type, "size": a.size,
             "sha256": a.sha256, "data": a.data, "created_at": now}
            for i, a in enumerate(s.attachments)
        ])  # fmt: skip
    await store.log(uow.session, question_id, at=now, action="submit",
                    status=Status.UNCONFIRMED, actor="citizen", public=True)  # fmt: skip
    if s.email:
        await store.queue_mail(
            uow.session, to=s.email, question_id=question_id, now=now,
            subject=f"Xác nhận {KIND_VI[s.kind].lower()} {code}",
            body=(
                f"Kính gửi {s.name},\n\n"
                f"Cổng thông tin điện tử đã nhận “{s.title}”. Để gửi chính thức, xin mở "
                f"đường dẫn sau trong vòng 7 ngày:\n\n{site_url}/hoi-dap/xac-nhan/{token}\n\n"
                f"Mã tra cứu: {code}\n"
                "Nếu Quý vị không gửi nội dung này, xin bỏ qua thư.\n"
            ),
        )  # fmt: skip
    return question_id, code


async def confirm(uow: UnitOfWork, token: str, now: datetime) -> Row:
    """The sender opened the link: the question is received and the clock starts."""
    row = await store.by_confirm_hash(uow.session, token_hash(token))
    if row is None:
        raise NotFound("Đường dẫn xác nhận không đúng hoặc đã được dùng.")
    require("confirm", row.status)
    cal = await calendar(uow)
    deadlines = compute(cal, now)
    assert deadlines.answer_due is not None
    await store.change(uow.session, row.id, {
        "status": Status.RECEIVED, "received_at": now, "confirm_hash": None,
        "out_of_scope_notice_due": deadlines.out_of_scope_notice_due,
        "classification_due": deadlines.classification_due,
        "answer_due": deadlines.answer_due,
    })  # fmt: skip
    await store.set_alarms(
        uow.session, row.id, Clock.CLASSIFICATION, deadlines.classification_due,
        warning_at(cal, deadlines.classification_due),
    )  # fmt: skip
    await store.log(uow.session, row.id, at=now, action="confirm", status=Status.RECEIVED,
                    actor="citizen", public=True)  # fmt: skip
    uow.emit(
        QuestionSubmitted(
            tenant=row.tenant, question_id=row.id, code=row.code, kind=row.kind,
            field=row.field, received_at=now,
            out_of_scope_notice_due=deadlines.out_of_scope_notice_due,
            classification_due=deadlines.classification_due, answer_due=deadlines.answer_due,
        )
    )  # fmt: skip
    return await _reload(uow, row.id)


async def _locked(uow: UnitOfWork, question_id: str, action: str) -> Row:
    row = await store.get(uow.session, question_id, lock=True)
    if row is None:
        raise NotFound(f"Không có câu hỏi {question_id}.")
    require(action, row.status)
    return row


async def _reload(uow: UnitOfWork, question_id: str) -> Row:
    row = await store.get(uow.session, question_id)
    assert row is not None
    return row


async def _answer_deadline(
    uow: UnitOfWork, cal: WorkCalendar, row: Row, answer_by: date | None
) -> datetime | None:
    pauses = [
        Pause(p.start, p.end, p.reason) for p in await store.question_pauses(uow.session, row.id)
    ]
    return compute(cal, row.received_at, pauses, answer_by).answer_due


async def _set_answer_clock(
    uow: UnitOfWork, cal: WorkCalendar, row: Row, due: datetime | None
) -> None:
    await store.set_alarms(
        uow.session, row.id, Clock.ANSWER, due, warning_at(cal, due) if due else None
    )


async def classify(
    uow: UnitOfWork, question_id: str, *, unit: str, field: str | None, by: str, now: datetime
) -> Row:
    row = await _locked(uow, question_id, "classify")
    cal = await calendar(uow)
    answer_due = await _answer_deadline(uow, cal, row, row.answer_by)
    await store.change(uow.session, row.id, {
        "status": Status.CLASSIFIED, "unit": unit, "classified_at": now,
        "field": field or row.field, "answer_due": answer_due,
    })  # fmt: skip
    await store.clear_alarms(uow.session, row.id, Clock.CLASSIFICATION)
    await _set_answer_clock(uow, cal, row, answer_due)
    await store.log(uow.session, row.id, at=now, action="classify", status=Status.CLASSIFIED,
                    actor=by, note=f"Chuyển {unit}", public=True)  # fmt: skip
    uow.emit(
        QuestionClassified(
            tenant=row.tenant, question_id=row.id, code=row.code, field=field or row.field,
            unit=unit, classified_at=now, answer_due=answer_due,
        )
    )  # fmt: skip
    uow.audit(actor=by, action="question.classify", subject=f"question:{row.id}",
              tenant=row.tenant, before={"status": row.status},
              after={"status": Status.CLASSIFIED, "unit": unit})  # fmt: skip
    return await _reload(uow, row.id)


async def reject_out_of_scope(
    uow: UnitOfWork, question_id: str, *, competent_body: str, note: str, by: str, now: datetime
) -> Row:
    row = await _locked(uow, question_id, "out_of_scope")
    await store.change(uow.session, row.id, {
        "status": Status.OUT_OF_SCOPE, "competent_body": competent_body or None,
        "answer_html": sanitize_html(f"<p>{_escape(note)}</p>"), "classified_at": now,
    })  # fmt: skip
    await store.clear_alarms(uow.session, row.id)
    where = f" Cơ quan có thẩm quyền: {competent_body}." if competent_body else ""
    await store.log(uow.session, row.id, at=now, action="out_of_scope",
                    status=Status.OUT_OF_SCOPE, actor=by, note=note + where,
                    public=True)  # fmt: skip
    await _mail_sender(uow, row, now, f"Trả lời {row.code}: không thuộc phạm vi",
                       f"{note}{where}")  # fmt: skip
    uow.emit(
        QuestionRejectedOutOfScope(
            tenant=row.tenant, question_id=row.id, code=row.code, competent_body=competent_body,
            note=note, rejected_at=now, on_time=now <= row.out_of_scope_notice_due,
        )
    )  # fmt: skip
    uow.audit(actor=by, action="question.out_of_scope", subject=f"question:{row.id}",
              tenant=row.tenant, before={"status": row.status},
              after={"status": Status.OUT_OF_SCOPE, "competent_body": competent_body})  # fmt: skip
    return await _reload(uow, row.id)


async def clarify(
    uow: UnitOfWork, question_id: str, *, note: str, by: str, now: datetime, site_url: str
) -> Row:
    """Ask the sender for more: the answer clock stops until they reply."""
    row = await _locked(uow, question_id, "clarify")
    if not row.sender_email:
        raise NotAllowed("Người gửi không để lại email, không thể đề nghị bổ sung qua thư.")
    token = secrets.token_urlsafe(32)
    await uow.session.execute(
        store.pauses.insert().values(question_id=row.id, start=now, end=None, reason=note)
    )
    await store.change(uow.session, row.id, {
        "status": Status.WAITING_CITIZEN, "answer_due": None, "confirm_hash": token_hash(token),
    })  # fmt: skip
    await store.clear_alarms(uow.session, row.id, Clock.ANSWER)
    await store.log(uow.session, row.id, at=now, action="clarify",
                    status=Status.WAITING_CITIZEN, actor=by, note=note, public=True)  # fmt: skip
    await _mail_sender(
        uow, row, now, f"Đề nghị bổ sung thông tin cho {row.code}",
        f"{note}\n\nXin trả lời tại: {site_url}/hoi-dap/bo-sung/{token}\n"
        "Thời hạn trả lời tạm dừng cho đến khi Quý vị bổ sung.",
    )  # fmt: skip
    return await _reload(uow, row.id)


async def citizen_reply(uow: UnitOfWork, token: str, text: str, now: datetime) -> Row:
    row = await store.by_confirm_hash(uow.session, token_hash(token))
    if row is None:
        raise NotFound("Đường dẫn bổ sung không đúng hoặc đã được dùng.")
    require("citizen_reply", row.status)
    await uow.session.execute(
        store.pauses.update()
        .where(store.pauses.c.question_id == row.id, store.pauses.c.end.is_(None))
        .values(end=now)
    )
    cal = await calendar(uow)
    answer_due = await _answer_deadline(uow, cal, row, row.answer_by)
    addition = f"{row.text}\n\n— Bổ sung ngày {now.date().isoformat()}:\n{text}"
    await store.change(uow.session, row.id, {
        "status": Status.CLASSIFIED, "answer_due": answer_due, "confirm_hash": None,
        "text": addition,
    })  # fmt: skip
    await _set_answer_clock(uow, cal, row, answer_due)
    await store.log(uow.session, row.id, at=now, action="citizen_reply",
                    status=Status.CLASSIFIED, actor="citizen", public=True)  # fmt: skip
    return await _reload(uow, row.id)


async def extend(
    uow: UnitOfWork, question_id: str, *, answer_by: date, reason: str, by: str, now: datetime
) -> Row:
    """A progress notice: the agency states the date it will answer by."""
    row = await _locked(uow, question_id, "extend")
    cal = await calendar(uow)
    problem = check_answer_by(cal, row.answer_due, answer_by, now)
    if problem:
        raise Invalid(problem)
    answer_due = await _answer_deadline(uow, cal, row, answer_by)
    await store.change(uow.session, row.id, {"answer_by": answer_by, "answer_due": answer_due})
    await _set_answer_clock(uow, cal, row, answer_due)
    note = f"Thông báo tiến độ: sẽ trả lời trước hết ngày {answer_by:%d/%m/%Y}. {reason}"
    await store.log(uow.session, row.id, at=now, action="extend", status=row.status,
                    actor=by, note=note, public=True)  # fmt: skip
    await _mail_sender(uow, row, now, f"Tiến độ xử lý {row.code}", note)
    uow.audit(actor=by, action="question.extend", subject=f"question:{row.id}",
              tenant=row.tenant, before={"answer_due": row.answer_due},
              after={"answer_due": answer_due, "reason": reason})  # fmt: skip
    return await _reload(uow, row.id)


async def draft(
    uow: UnitOfWork, question_id: str, *, answer_html: str, by: str, now: datetime
) -> Row:
    row = await _locked(uow, question_id, "draft")
    # Stored as it will be published: the board approves what citizens will read,
    # without the asker's name, contacts or house number (the mail to them says so).
    clean = redact_answer(sanitize_html(answer_html), asker(row), row.text)
    if not _text_of(clean):
        raise Invalid("Câu trả lời không có nội dung.")
    await store.change(uow.session, row.id, {
        "status": Status.DRAFTED, "answer_html": clean, "answered_by": by,
    })  # fmt: skip
    await store.log(uow.session, row.id, at=now, action="draft", status=Status.DRAFTED,
                    actor=by, public=False)  # fmt: skip
    return await _reload(uow, row.id)


async def send_back(uow: UnitOfWork, question_id: str, *, note: str, by: str, now: datetime) -> Row:
    row = await _locked(uow, question_id, "return")
    await store.change(uow.session, row.id, {"status": Status.CLASSIFIED})
    await store.log(uow.session, row.id, at=now, action="return", status=Status.CLASSIFIED,
                    actor=by, note=note, public=False)  # fmt: skip
    return await _reload(uow, row.id)


async def approve(
    uow: UnitOfWork, question_id: str, *, by: str, now: datetime, site_url: str
) -> Row:
    """The board approves the answer: published without the sender's personal data."""
    row = await _locked(uow, question_id, "approve")
    public_text, public_title = public_question(row)
    on_time = row.answer_due is None or now <= row.answer_due
    path = f"/hoi-dap/{row.code}"
    await store.change(uow.session, row.id, {
        "status": Status.PUBLISHED, "published_at": now, "published_question": public_text,
        "title": public_title,
    })  # fmt: skip
    await store.clear_alarms(uow.session, row.id)
    await store.log(uow.session, row.id, at=now, action="publish", status=Status.PUBLISHED,
                    actor=by, public=True)  # fmt: skip
    await _mail_sender(
        uow, row, now, f"Trả lời {row.code}",
        f"Câu trả lời cho “{public_title}” đã được đăng tại {site_url}{path}\n\n"
        f"{_text_of(row.answer_html)}",
    )  # fmt: skip
    uow.emit(
        AnswerPublished(
            tenant=row.tenant, question_id=row.id, code=row.code, kind=row.kind,
            field=row.field, unit=row.unit or row.tenant, title=public_title,
            question_text=public_text, answer_html=row.answer_html, received_at=row.received_at,
            published_at=now, path=path, on_time=on_time,
        )
    )  # fmt: skip
    uow.audit(actor=by, action="question.publish", subject=f"question:{row.id}",
              tenant=row.tenant, before={"status": row.status},
              after={"status": Status.PUBLISHED, "on_time": on_time})  # fmt: skip
    return await _reload(uow, row.id)


def asker(row: Row) -> Person:
    return Person(row.sender_name, row.sender_email, row.sender_phone)


def public_question(row: Row) -> tuple[str, str]:
    """(text, title) of a question as it is, or will be, published: no personal data.
    Once published, what was published (the title was replaced by its public form)."""
    if row.published_question is not None:
        return row.published_question, row.title
    person = asker(row)
    return redact(row.text, person), redact(row.title, person)


async def _mail_sender(uow: UnitOfWork, row: Row, now: datetime, subject: str, text: str) -> None:
    if row.sender_email:
        body = f"Kính gửi {row.sender_name},\n\n{text}\n\nMã tra cứu: {row.code}\n"
        await store.queue_mail(uow.session, to=row.sender_email, subject=subject, body=body,
                               now=now, question_id=row.id)  # fmt: skip


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def status_label(status: str) -> str:
    return STATUS_VI[Status(status)]


def _hanoi(moment: datetime | None) -> datetime | None:
    return moment.astimezone(TZ) if moment else None


def public_view(row: Row, history: list[Row]) -> dict[str, Any]:
    return {
        "code": row.code,
        "kind": row.kind,
        "status": row.status,
        "status_label": status_label(row.status),
        "received_at": _hanoi(row.received_at),
        "classification_due": _hanoi(row.classification_due),
        "answer_due": _hanoi(row.answer_due),
        "overdue": is_overdue(row.classification_overdue, row.answer_overdue),
        "answer_path": f"/hoi-dap/{row.code}" if row.status == Status.PUBLISHED else None,
        "history": [
            {
                "at": _hanoi(h.at),
                "status": h.status,
                "label": status_label(h.status),
                "note": h.note,
            }
            for h in history
        ],
    }
