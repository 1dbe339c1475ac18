"""feedback's HTTP API: the public clock and calendar, citizens' submissions and
tracking, and the board's and units' handling of questions."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.security.jwt import Token
from pydantic import BaseModel, EmailStr, Field, field_validator, model_validator
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.messaging import UnitOfWork
from runtime.service import Service
from services.feedback import commands, store
from services.feedback.calendar import DayKind, Now, WorkCalendar, public_holidays
from services.feedback.deadlines import compute
from services.feedback.domain import Invalid, NotAllowed, normalise_code, valid_phone

Caller = Request[Principal, Token, Any]
TenantSlug = Annotated[str, QueryParameter(pattern=r"^[a-z0-9-]{1,50}$")]
SLUG = r"^[a-z0-9-]{1,50}$"


class SubmissionIn(Input):
    tenant: str = Field(pattern=SLUG)
    kind: Literal["question", "feedback"] = "question"
    field: str = Field(min_length=2, max_length=100)
    title: str = Field(min_length=5, max_length=300)
    text: str = Field(min_length=10, max_length=10_000)
    name: str = Field(min_length=2, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=20)
    #: The honeypot: hidden from people, filled in by form-filling robots.
    website: str = Field(default="", max_length=500)

    @field_validator("field", "title", "name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        phone = valid_phone(value)
        if phone is None:
            raise ValueError("Số điện thoại không hợp lệ.")
        return phone

    @model_validator(mode="after")
    def _contact(self) -> SubmissionIn:
        if not self.email:
            # The email link is how a submission is confirmed (no CAPTCHA here).
            raise ValueError("Xin cho biết địa chỉ email để xác nhận và nhận trả lời.")
        return self


class ConfirmIn(Input):
    token: str = Field(min_length=20, max_length=100)


class ReplyIn(Input):
    token: str = Field(min_length=20, max_length=100)
    text: str = Field(min_length=2, max_length=10_000)


class CalendarDayIn(Input):
    kind: DayKind
    reason: str = Field(min_length=3, max_length=300)


class ClassifyIn(Input):
    unit: str = Field(pattern=SLUG)
    field: str | None = Field(default=None, min_length=2, max_length=100)


class OutOfScopeIn(Input):
    note: str = Field(min_length=5, max_length=5000)
    competent_body: str = Field(default="", max_length=300)


class NoteIn(Input):
    note: str = Field(min_length=5, max_length=5000)


class ExtendIn(Input):
    answer_by: date
    reason: str = Field(min_length=5, max_length=2000)


class DraftIn(Input):
    answer_html: str = Field(min_length=1, max_length=100_000)


class QuestionOut(BaseModel):
    id: str
    code: str
    tenant: str
    kind: str
    field: str
    title: str
    text: str
    sender_name: str
    sender_email: str | None
    sender_phone: str | None
    status: str
    submitted_at: datetime
    received_at: datetime | None
    out_of_scope_notice_due: datetime | None
    classification_due: datetime | None
    answer_due: datetime | None
    answer_by: date | None
    unit: str | None
    competent_body: str | None
    answer_html: str | None
    published_at: datetime | None
    classification_overdue: bool
    answer_overdue: bool
    history: list[dict[str, Any]] = []

    @classmethod
    def of(cls, row: Row, history: list[Row] | None = None) -> QuestionOut:
        out = cls.model_validate(dict(row._mapping))
        out.history = [
            {"at": h.at, "action": h.action, "status": h.status, "actor": h.actor,
             "note": h.note, "public": h.public}
            for h in history or []
        ]  # fmt: skip
        return out


_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?", re.ASCII
)


def _received_at(value: str) -> datetime:
    example = "ví dụ 2026-11-23T09:30:00+07:00"
    if not _MOMENT.fullmatch(value):
        raise ClientException(f"received_at phải là thời điểm ISO 8601 có múi giờ, {example}.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ClientException(f"received_at không phải một thời điểm có thật, {example}.") from exc
    if moment.tzinfo is None:
        raise ClientException(f"received_at phải ghi múi giờ, {example}.")
    if not 2000 <= moment.year <= 2100:
        raise ClientException("received_at phải nằm trong khoảng năm 2000–2100.")
    return moment


async def _site_url(uow: UnitOfWork, tenant: str) -> str:
    site = await store.site(uow.session, tenant)
    if site is None or not site.active:
        raise NotFoundException(f"Không có trang {tenant} để gửi câu hỏi.")
    return f"https://{site.domain}"


async def _run(service: Service, work: Callable[[UnitOfWork], Awaitable[Row]]) -> Row:
    try:
        async with service.unit_of_work() as uow:
            row = await work(uow)
            await uow.commit()
    except commands.NotFound as exc:
        raise NotFoundException(str(exc)) from exc
    except NotAllowed as exc:
        raise ClientException(str(exc), status_code=409) from exc
    except Invalid as exc:
        raise ClientException(str(exc), status_code=422) from exc
    return row


class PublicController(Controller):
    """What anyone may call, without an account."""

    path = "/api/v1/feedback"

    @get("/deadlines", operation_id="ComputeDeadlines", exclude_from_auth=True)
    async def deadlines(
        self, service: NamedDependency[Service], received_at: FromQuery[str]
    ) -> dict[str, str | None]:
        """The legal deadlines of a question received at `received_at` (Quy chế 004
        Điều 13.1.e, counted on the official working-day calendar)."""
        moment = _received_at(received_at)
        assert service.db
        async with service.db.read() as session:
            cal = WorkCalendar(await store.adjustments(session))
        return {"received_at": moment.isoformat(), **compute(cal, moment).as_json()}

    @get("/calendar", operation_id="WorkingCalendar", exclude_from_auth=True)
    async def calendar(
        self,
        service: NamedDependency[Service],
        year: Annotated[int, QueryParameter(ge=2000, le=2100)],
    ) -> dict[str, Any]:
        """The year's public holidays and the operators' days off and make-up days."""
        assert service.db
        async with service.db.read() as session:
            rows = await store.calendar_rows(session, year)
        return {
            "year": year,
            "holidays": [{"day": d, "name": n} for d, n in public_holidays(year).items()],
            "adjustments": [{"day": r.day, "kind": r.kind, "reason": r.reason} for r in rows],
        }

    @post("/confirm", operation_id="ConfirmQuestion", exclude_from_auth=True, status_code=200)
    async def confirm(
        self,
        data: JSONBody[ConfirmIn],
        service: NamedDependency[Service],
        now: NamedDependency[Now],
    ) -> dict[str, Any]:
        row = await _run(service, lambda uow: commands.confirm(uow, data.token, now()))
        return await _public(service, row)

    @post("/replies", operation_id="ReplyToClarification", exclude_from_auth=True, status_code=200)
    async def reply(
        self, data: JSONBody[ReplyIn], service: NamedDependency[Service], now: NamedDependency[Now]
    ) -> dict[str, Any]:
        row = await _run(
            service, lambda uow: commands.citizen_reply(uow, data.token, data.text.strip(), now())
        )
        return await _public(service, row)

    @get("/status/{code:str}", operation_id="QuestionStatus", exclude_from_auth=True)
    async def status(
        self, code: FromPath[str], service: NamedDependency[Service]
    ) -> dict[str, Any]:
        """Where a question stands, by its tracking code."""
        canonical = normalise_code(code[:40])
        if canonical is None:
            raise ClientException(
                "Mã tra cứu không hợp lệ: mã gồm 12 chữ và số, dạng XXXX-XXXX-XXXX."
            )
        assert service.db
        async with service.db.read() as session:
            row = await store.by_code(session, canonical)
        if row is None:
            raise NotFoundException(f"Không tìm thấy câu hỏi có mã {canonical}.")
        return await _public(service, row)


_SENT = "Đã nhận. Xin mở thư xác nhận gửi tới email của Quý vị để hoàn tất."


async def _public(service: Service, row: Row) -> dict[str, Any]:
    assert service.db
    async with service.db.read() as session:
        history = await store.history(session, row.id, public_only=True)
    return commands.public_view(row, history)


class CalendarController(Controller):
    """Operators keep the year's days off and make-up working days."""

    path = "/api/v1/feedback/calendar"

    @put("/{day:date}", operation_id="SetCalendarDay", status_code=200)
    async def set_day(
        self,
        day: FromPath[date],
        data: JSONBody[CalendarDayIn],
        service: NamedDependency[Service],
        request: Caller,
        now: NamedDependency[Now],
    ) -> dict[str, Any]:
        _operator(request.user)
        if not 2000 <= day.year <= 2100:
            raise ClientException("Ngày phải nằm trong khoảng năm 2000–2100.")
        async with service.unit_of_work() as uow:
            before = await store.calendar_day(uow.session, day)
            await upsert_calendar(uow, day, data.kind, data.reason.strip(), request.user, now())
            uow.audit(
                actor=request.user.username, action="calendar.set", subject=f"day:{day}",
                tenant=None, before=dict(before._mapping) if before else None,
                after={"kind": data.kind, "reason": data.reason},
            )  # fmt: skip
            await uow.commit()
        return {"day": day, "kind": data.kind, "reason": data.reason.strip()}

    @delete("/{day:date}", operation_id="ClearCalendarDay", status_code=204)
    async def clear_day(
        self, day: FromPath[date], service: NamedDependency[Service], request: Caller
    ) -> None:
        _operator(request.user)
        async with service.unit_of_work() as uow:
            before = await store.calendar_day(uow.session, day)
            if before is None:
                raise NotFoundException(f"Ngày {day:%d/%m/%Y} không có điều chỉnh nào.")
            await uow.session.execute(
                store.calendar_days.delete().where(store.calendar_days.c.day == day)
            )
            uow.audit(
                actor=request.user.username, action="calendar.clear", subject=f"day:{day}",
                tenant=None, before=dict(before._mapping),
            )  # fmt: skip
            await uow.commit()


def _operator(user: Principal) -> None:
    if not user.operator:
        raise PermissionDeniedException("Chỉ người vận hành cổng mới sửa được lịch làm việc.")


async def upsert_calendar(
    uow: UnitOfWork, day: date, kind: DayKind, reason: str, by: Principal, now: datetime
) -> None:
    table = store.calendar_days
    await uow.session.execute(table.delete().where(table.c.day == day))
    await uow.session.execute(
        table.insert().values(day=day, kind=kind, reason=reason, changed_by=by.username,
                              changed_at=now)
    )  # fmt: skip


class HandlingController(Controller):
    """The board classifies and approves; the unit drafts the answer."""

    path = "/api/v1/feedback/questions"

    @post("/", operation_id="SubmitQuestion", exclude_from_auth=True, status_code=202)
    async def submit(
        self,
        data: JSONBody[SubmissionIn],
        service: NamedDependency[Service],
        now: NamedDependency[Now],
    ) -> dict[str, str]:
        """A citizen's question or feedback; it counts as received once the sender
        opens the link mailed to them."""
        if data.website:
            # A robot filled the hidden field: answer as if accepted, keep nothing.
            return {"code": "", "status": "unconfirmed", "message": _SENT}
        submission = commands.Submission(
            tenant=data.tenant, kind=data.kind, field=data.field, title=data.title,
            text=data.text.strip(), name=data.name, email=str(data.email) if data.email else None,
            phone=data.phone,
        )  # fmt: skip
        async with service.unit_of_work() as uow:
            site_url = await _site_url(uow, data.tenant)
            _id, code = await commands.submit(uow, submission, now(), site_url)
            await uow.commit()
        return {"code": code, "status": "unconfirmed", "message": _SENT}

    @get("/", operation_id="ListQuestions")
    async def list_questions(
        self,
        service: NamedDependency[Service],
        request: Caller,
        tenant: TenantSlug,
        status: Annotated[str | None, QueryParameter(max_length=30)] = None,
        overdue: FromQuery[bool | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> list[QuestionOut]:
        """Questions of a site, and those forwarded to it as the answering unit."""
        request.user.require(tenant, Role.editor)
        assert service.db
        async with service.db.read() as session:
            rows = await store.list_questions(
                session, tenants=[tenant], status=status, overdue=overdue, limit=limit,
                offset=offset,
            )  # fmt: skip
        return [QuestionOut.of(r) for r in rows]

    @get("/{question_id:uuid}", operation_id="GetQuestion")
    async def get_question(
        self, question_id: FromPath[Any], service: NamedDependency[Service], request: Caller
    ) -> QuestionOut:
        row = await _readable(service, str(question_id), request.user)
        assert service.db
        async with service.db.read() as session:
            history = await store.history(session, row.id, public_only=False)
        return QuestionOut.of(row, history)

    @post("/{question_id:uuid}/classify", operation_id="ClassifyQuestion", status_code=200)
    async def classify(
        self, question_id: FromPath[Any], data: JSONBody[ClassifyIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, board=True)
        assert service.db
        async with service.db.read() as session:  # a read: no write transaction
            unit = await store.site(session, data.unit)
        if unit is None or not unit.active:
            raise ClientException(f"Không có đơn vị {data.unit}.", status_code=422)
        done = await _run(service, lambda uow: commands.classify(
            uow, row.id, unit=data.unit, field=data.field, by=request.user.username,
            now=now()))  # fmt: skip
        return QuestionOut.of(done)

    @post("/{question_id:uuid}/out-of-scope", operation_id="RejectOutOfScope", status_code=200)
    async def out_of_scope(
        self, question_id: FromPath[Any], data: JSONBody[OutOfScopeIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, board=True)
        done = await _run(service, lambda uow: commands.reject_out_of_scope(
            uow, row.id, competent_body=data.competent_body.strip(), note=data.note.strip(),
            by=request.user.username, now=now()))  # fmt: skip
        return QuestionOut.of(done)

    @post("/{question_id:uuid}/clarify", operation_id="AskForClarification", status_code=200)
    async def clarify(
        self, question_id: FromPath[Any], data: JSONBody[NoteIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, unit=True)

        async def work(uow: UnitOfWork) -> Row:
            return await commands.clarify(
                uow, row.id, note=data.note.strip(), by=request.user.username, now=now(),
                site_url=await _site_url(uow, row.tenant),
            )  # fmt: skip

        done = await _run(service, work)
        return QuestionOut.of(done)

    @post("/{question_id:uuid}/extend", operation_id="ExtendAnswerDeadline", status_code=200)
    async def extend(
        self, question_id: FromPath[Any], data: JSONBody[ExtendIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, board=True)
        done = await _run(service, lambda uow: commands.extend(
            uow, row.id, answer_by=data.answer_by, reason=data.reason.strip(),
            by=request.user.username, now=now()))  # fmt: skip
        return QuestionOut.of(done)

    @post("/{question_id:uuid}/draft", operation_id="DraftAnswer", status_code=200)
    async def draft(
        self, question_id: FromPath[Any], data: JSONBody[DraftIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, unit=True)
        done = await _run(service, lambda uow: commands.draft(
            uow, row.id, answer_html=data.answer_html, by=request.user.username,
            now=now()))  # fmt: skip
        return QuestionOut.of(done)

    @post("/{question_id:uuid}/return", operation_id="ReturnDraft", status_code=200)
    async def send_back(
        self, question_id: FromPath[Any], data: JSONBody[NoteIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, board=True)
        done = await _run(service, lambda uow: commands.send_back(
            uow, row.id, note=data.note.strip(), by=request.user.username, now=now()))  # fmt: skip
        return QuestionOut.of(done)

    @post("/{question_id:uuid}/approve", operation_id="ApproveAnswer", status_code=200)
    async def approve(
        self, question_id: FromPath[Any], service: NamedDependency[Service], request: Caller,
        now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, board=True)

        async def work(uow: UnitOfWork) -> Row:
            return await commands.approve(
                uow, row.id, by=request.user.username, now=now(),
                site_url=await _site_url(uow, row.tenant),
            )  # fmt: skip

        done = await _run(service, work)
        return QuestionOut.of(done)


async def _readable(
    service: Service, question_id: str, user: Principal, *, board: bool = False, unit: bool = False
) -> Row:
    """The question, if `user` may see it (editors of its site or of the unit it was
    forwarded to); board actions need a board member of its site, unit actions an
    editor of the unit (or the board)."""
    assert service.db
    async with service.db.read() as session:
        row = await store.get(session, question_id)
    if row is None or not (
        user.has(row.tenant, Role.editor) or (row.unit and user.has(row.unit, Role.editor))
    ):
        raise NotFoundException(f"Không có câu hỏi {question_id}.")
    if board:
        user.require(row.tenant, Role.board_member)
    if unit and not (row.unit and user.has(row.unit, Role.editor)):
        user.require(row.tenant, Role.board_member)
    return row
