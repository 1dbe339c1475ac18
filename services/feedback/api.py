"""feedback's HTTP API: the public clock and calendar, citizens' submissions and
tracking, and the board's and units' handling of questions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import (
    ClientException,
    NotFoundException,
    PermissionDeniedException,
    SerializationException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.security.jwt import Token
from pydantic import BaseModel, EmailStr, Field, ValidationError, field_validator, model_validator
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.clientip import client_key
from runtime.messaging import UnitOfWork
from runtime.service import Service
from services.feedback import attachments, commands, store
from services.feedback.abuse import Guard, TooMany
from services.feedback.calendar import DAY_KIND_VI, DayKind, Now, WorkCalendar, public_holidays
from services.feedback.deadlines import compute
from services.feedback.domain import (
    ACTION_VI,
    ACTORS,
    KIND_VI,
    STATUS_VI,
    Invalid,
    NotAllowed,
    Status,
    allowed_actions,
    canonical_field,
    is_overdue,
    may_act,
    normalise_code,
    running_deadline,
    valid_phone,
)

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

    @field_validator("title", "name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("field")
    @classmethod
    def _field(cls, value: str) -> str:
        return canonical_field(value)

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

    @field_validator("field")
    @classmethod
    def _field(cls, value: str | None) -> str | None:
        return canonical_field(value) if value else value


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


class AttachmentOut(BaseModel):
    id: str
    filename: str
    media_type: str
    size: int
    #: Where the board or unit downloads it (with their token); never public.
    url: str

    @classmethod
    def of(cls, row: Row) -> AttachmentOut:
        url = f"/api/v1/feedback/questions/{row.question_id}/attachments/{row.id}"
        return cls(id=row.id, filename=row.filename, media_type=row.media_type, size=row.size,
                   url=url)  # fmt: skip


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
    #: The question as it is (or will be) published, what the board approves; given
    #: when one question is read (None in lists and in answers to actions).
    public_title: str | None = None
    public_text: str | None = None
    history: list[dict[str, Any]] = []
    #: The files sent with it; listed when one question is read (None in lists).
    attachments: list[AttachmentOut] | None = None
    #: Words for people, from the rules (domain.py): screens show them as they are.
    status_label: str = ""
    kind_label: str = ""
    #: The deadline that runs now: its label and moment (None while paused or done).
    deadline_label: str = ""
    deadline_at: datetime | None = None
    #: Either step's deadline passed unmet (domain.is_overdue).
    overdue: bool = False
    #: What the caller may do to it now (its status and their role: domain.ACTORS),
    #: each the last part of its `POST .../{id}/<action>` path ("out_of_scope":
    #: out-of-scope). The API checks again when it is done.
    allowed_actions: list[str] = []

    @classmethod
    def of(
        cls, row: Row, caller: Principal, history: list[Row] | None = None,
        files: Sequence[Row] | None = None,
    ) -> QuestionOut:  # fmt: skip
        fields = dict(row._mapping)
        fields.pop("attachments", None)  # the questions table's unused JSON column
        out = cls.model_validate(fields)
        if files is not None:
            out.attachments = [AttachmentOut.of(f) for f in files]
            out.public_text, out.public_title = commands.public_question(row)
        out.history = [
            {"at": h.at, "action": h.action, "action_label": ACTION_VI.get(h.action, h.action),
             "status": h.status, "status_label": STATUS_VI[Status(h.status)], "actor": h.actor,
             "note": h.note, "public": h.public}
            for h in history or []
        ]  # fmt: skip
        out.status_label = STATUS_VI[Status(row.status)]
        out.kind_label = KIND_VI.get(row.kind, row.kind)
        out.deadline_label, field = running_deadline(row.status)
        out.deadline_at = getattr(row, field) if field else None
        out.overdue = is_overdue(row.classification_overdue, row.answer_overdue)
        out.allowed_actions = allowed_actions(row.status, **_standing(row, caller))
        return out


def _standing(row: Row, user: Principal) -> dict[str, bool]:
    """Whether `user` is on the board of the question's site, and an editor of the unit
    it was forwarded to: what domain.ACTORS asks of those who act on it."""
    return {
        "board": user.has(row.tenant, Role.board_member),
        "unit": bool(row.unit) and user.has(row.unit, Role.editor),
    }


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


async def _site_url(service: Service, uow: UnitOfWork, tenant: str) -> str:
    site = await store.site(uow.session, tenant)
    if site is None or not site.active:
        raise NotFoundException(f"Không có trang {tenant} để gửi câu hỏi.")
    return service.settings.site_url(site.slug, site.domain)


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
            # The kinds an operator may set, in their words.
            "kinds": {kind.value: label for kind, label in DAY_KIND_VI.items()},
        }  # fmt: skip

    @post("/confirm", operation_id="ConfirmQuestion", exclude_from_auth=True, status_code=200)
    async def confirm(
        self,
        data: JSONBody[ConfirmIn],
        service: NamedDependency[Service],
        now: NamedDependency[Now],
        guard: NamedDependency[Guard],
        request: Caller,
    ) -> dict[str, Any]:
        row = await _with_link(
            guard, client_ip(request, service),
            lambda: _run(service, lambda uow: commands.confirm(uow, data.token, now())),
        )  # fmt: skip
        return await _public(service, row)

    @post("/replies", operation_id="ReplyToClarification", exclude_from_auth=True, status_code=200)
    async def reply(
        self,
        data: JSONBody[ReplyIn],
        service: NamedDependency[Service],
        now: NamedDependency[Now],
        guard: NamedDependency[Guard],
        request: Caller,
    ) -> dict[str, Any]:
        row = await _with_link(
            guard, client_ip(request, service),
            lambda: _run(service, lambda uow: commands.citizen_reply(
                uow, data.token, data.text.strip(), now())),
        )  # fmt: skip
        return await _public(service, row)

    @get("/status/{code:str}", operation_id="QuestionStatus", exclude_from_auth=True)
    async def status(
        self,
        code: FromPath[str],
        service: NamedDependency[Service],
        guard: NamedDependency[Guard],
        request: Caller,
    ) -> dict[str, Any]:
        """Where a question stands, by its tracking code."""
        ip = client_ip(request, service)
        await _guarded(guard.check("lookup", ip))
        canonical = normalise_code(code[:40])
        if canonical is None:
            await guard.failed("lookup", ip)
            raise ClientException(
                "Mã tra cứu không hợp lệ: mã gồm 12 chữ và số, dạng XXXX-XXXX-XXXX."
            )
        assert service.db
        async with service.db.read() as session:
            row = await store.by_code(session, canonical)
        if row is None:
            await guard.failed("lookup", ip)
            raise NotFoundException(f"Không tìm thấy câu hỏi có mã {canonical}.")
        return await _public(service, row)


def client_ip(request: Request[Any, Any, Any], service: Service) -> str:
    """The key the client's address is counted under (runtime.clientip: the last hop
    the gateway added to X-Forwarded-For, believed only from FORWARDED_ALLOW_IPS)."""
    return client_key(request.scope, service.settings.forwarded_allow_ips)


async def _guarded(check: Awaitable[None]) -> None:
    try:
        await check
    except TooMany as exc:
        raise too_many_response(exc) from exc


def too_many_response(exc: TooMany) -> TooManyRequestsException:
    return TooManyRequestsException(
        detail=exc.message, headers={"Retry-After": str(exc.retry_after)}
    )


async def _with_link(guard: Guard, ip: str, work: Callable[[], Awaitable[Row]]) -> Row:
    """A confirmation or clarification link tried from `ip`: refused while `ip` has
    tried too many wrong ones, and counted when it is wrong."""
    await _guarded(guard.check("token", ip))
    try:
        return await work()
    except NotFoundException:
        await guard.failed("token", ip)
        raise


_SENT = "Đã nhận. Xin mở thư xác nhận gửi tới email của Quý vị để hoàn tất."
#: A submission with its files: the gateway's limit too (gateway/proxy.py).
MAX_SUBMISSION_BYTES = 22 * 1024 * 1024
#: A submission as JSON has no files: its text is at most 10,000 characters.
MAX_JSON_BYTES = 256 * 1024
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


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
        return {"day": day, "kind": data.kind, "kind_label": DAY_KIND_VI[DayKind(data.kind)],
                "reason": data.reason.strip()}  # fmt: skip

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


class ClockIn(Input):
    now: datetime | None


class ClockController(Controller):
    """Sets the service's clock (PORTAL_CONTROLLABLE_CLOCK=1 only): end-to-end tests and
    deadline drills move time to see the watcher act on the right day."""

    path = "/api/v1/feedback/clock"

    @put("/", operation_id="SetClock", status_code=200)
    async def set_clock(
        self, data: JSONBody[ClockIn], request: Caller, now: NamedDependency[Now]
    ) -> dict[str, Any]:
        if not request.user.operator:
            raise PermissionDeniedException("Chỉ người vận hành cổng mới đặt được đồng hồ.")
        if data.now is not None and data.now.tzinfo is None:
            raise ClientException("Thời điểm phải ghi múi giờ, ví dụ 2026-11-27T00:00:00+07:00.")
        now.set(data.now)
        return {"now": now().isoformat(), "fixed": data.now is not None}


class HandlingController(Controller):
    """The board classifies and approves; the unit drafts the answer."""

    path = "/api/v1/feedback/questions"

    @post(
        "/", operation_id="SubmitQuestion", exclude_from_auth=True, status_code=202,
        request_max_body_size=MAX_SUBMISSION_BYTES,
    )  # fmt: skip
    async def submit(
        self,
        request: Caller,
        service: NamedDependency[Service],
        now: NamedDependency[Now],
        guard: NamedDependency[Guard],
    ) -> dict[str, str]:
        """A citizen's question or feedback, as JSON (SubmissionIn) or as a form
        (multipart/form-data: the same fields, and up to 3 files in `attachments`).
        It counts as received once the sender opens the link mailed to them."""
        ip = client_ip(request, service)
        await _guarded(guard.before_reading(ip))
        data, files = await read_submission(request)
        try:
            code = await take_submission(
                service, guard, client_ip=ip, data=data, files=files, now=now()
            )
        except TooMany as exc:
            raise too_many_response(exc) from exc
        except Invalid as exc:
            raise ClientException(str(exc), status_code=422) from exc
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
        return [QuestionOut.of(r, request.user) for r in rows]

    @get("/statuses", operation_id="QuestionStatuses", exclude_from_auth=True)
    async def statuses(self) -> list[dict[str, str]]:
        """The statuses the staff's list can be filtered on (`status=`), with their words:
        every status but "unconfirmed", which is never listed."""
        return [
            {"value": status.value, "label": STATUS_VI[status]}
            for status in Status
            if status is not Status.UNCONFIRMED
        ]

    @get("/{question_id:uuid}", operation_id="GetQuestion")
    async def get_question(
        self, question_id: FromPath[Any], service: NamedDependency[Service], request: Caller
    ) -> QuestionOut:
        row = await _readable(service, str(question_id), request.user)
        assert service.db
        async with service.db.read() as session:
            history = await store.history(session, row.id, public_only=False)
            files = await store.attachment_list(session, [row.id])
        return QuestionOut.of(row, request.user, history, files)

    @get(
        "/{question_id:uuid}/attachments/{attachment_id:uuid}",
        operation_id="DownloadAttachment", media_type="application/octet-stream",
    )  # fmt: skip
    async def attachment(
        self, question_id: FromPath[Any], attachment_id: FromPath[Any],
        service: NamedDependency[Service], request: Caller,
    ) -> Response[bytes]:  # fmt: skip
        """A file the citizen attached: for the board of the question's site and the
        unit it was forwarded to only; always a download, never shown in the page."""
        row = await _readable(service, str(question_id), request.user, acting="unit")
        assert service.db
        async with service.db.read() as session:
            found = await store.attachment(session, row.id, str(attachment_id))
        if found is None:
            raise NotFoundException("Không tìm thấy tệp đính kèm.")
        return Response(
            found.data,
            media_type=found.media_type,
            headers={
                "content-disposition": content_disposition(found.filename),
                "x-content-type-options": "nosniff",
                # A file is data, never a page: no scripts even if a browser sniffed one.
                "content-security-policy": "sandbox; default-src 'none'",
                "cache-control": "private, no-store",
            },
        )

    @post("/{question_id:uuid}/classify", operation_id="ClassifyQuestion", status_code=200)
    async def classify(
        self, question_id: FromPath[Any], data: JSONBody[ClassifyIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, acting=ACTORS["classify"])
        assert service.db
        async with service.db.read() as session:  # a read: no write transaction
            unit = await store.site(session, data.unit)
        if unit is None or not unit.active:
            raise ClientException(f"Không có đơn vị {data.unit}.", status_code=422)
        done = await _run(service, lambda uow: commands.classify(
            uow, row.id, unit=data.unit, field=data.field, by=request.user.username,
            now=now()))  # fmt: skip
        return QuestionOut.of(done, request.user)

    @post("/{question_id:uuid}/out-of-scope", operation_id="RejectOutOfScope", status_code=200)
    async def out_of_scope(
        self, question_id: FromPath[Any], data: JSONBody[OutOfScopeIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(
            service, str(question_id), request.user, acting=ACTORS["out_of_scope"]
        )
        done = await _run(service, lambda uow: commands.reject_out_of_scope(
            uow, row.id, competent_body=data.competent_body.strip(), note=data.note.strip(),
            by=request.user.username, now=now()))  # fmt: skip
        return QuestionOut.of(done, request.user)

    @post("/{question_id:uuid}/clarify", operation_id="AskForClarification", status_code=200)
    async def clarify(
        self, question_id: FromPath[Any], data: JSONBody[NoteIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, acting=ACTORS["clarify"])

        async def work(uow: UnitOfWork) -> Row:
            return await commands.clarify(
                uow, row.id, note=data.note.strip(), by=request.user.username, now=now(),
                site_url=await _site_url(service, uow, row.tenant),
            )  # fmt: skip

        done = await _run(service, work)
        return QuestionOut.of(done, request.user)

    @post("/{question_id:uuid}/extend", operation_id="ExtendAnswerDeadline", status_code=200)
    async def extend(
        self, question_id: FromPath[Any], data: JSONBody[ExtendIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, acting=ACTORS["extend"])
        done = await _run(service, lambda uow: commands.extend(
            uow, row.id, answer_by=data.answer_by, reason=data.reason.strip(),
            by=request.user.username, now=now()))  # fmt: skip
        return QuestionOut.of(done, request.user)

    @post("/{question_id:uuid}/draft", operation_id="DraftAnswer", status_code=200)
    async def draft(
        self, question_id: FromPath[Any], data: JSONBody[DraftIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, acting=ACTORS["draft"])
        done = await _run(service, lambda uow: commands.draft(
            uow, row.id, answer_html=data.answer_html, by=request.user.username,
            now=now()))  # fmt: skip
        return QuestionOut.of(done, request.user)

    @post("/{question_id:uuid}/return", operation_id="ReturnDraft", status_code=200)
    async def send_back(
        self, question_id: FromPath[Any], data: JSONBody[NoteIn],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, acting=ACTORS["return"])
        done = await _run(service, lambda uow: commands.send_back(
            uow, row.id, note=data.note.strip(), by=request.user.username, now=now()))  # fmt: skip
        return QuestionOut.of(done, request.user)

    @post("/{question_id:uuid}/approve", operation_id="ApproveAnswer", status_code=200)
    async def approve(
        self, question_id: FromPath[Any], service: NamedDependency[Service], request: Caller,
        now: NamedDependency[Now],
    ) -> QuestionOut:  # fmt: skip
        row = await _readable(service, str(question_id), request.user, acting=ACTORS["approve"])

        async def work(uow: UnitOfWork) -> Row:
            return await commands.approve(
                uow, row.id, by=request.user.username, now=now(),
                site_url=await _site_url(service, uow, row.tenant),
            )  # fmt: skip

        done = await _run(service, work)
        return QuestionOut.of(done, request.user)


# --- submissions -------------------------------------------------------------------


async def read_submission(
    request: Request[Any, Any, Any],
) -> tuple[SubmissionIn, list[UploadFile]]:
    """The submission's fields, checked by SubmissionIn, and its uploaded files, from
    a JSON body or a form (files only in `attachments`; a field sent twice is refused)."""
    content_type = request.headers.get("content-type", "").lower()
    files: list[UploadFile] = []
    if content_type.startswith(_FORMS):
        form = await request.form()
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key != "attachments":
                    raise ClientException("Tệp đính kèm phải gửi trong trường attachments.")
                files.append(value)
            elif key == "attachments":
                if value:
                    raise ClientException("Trường attachments chỉ nhận tệp.")
            elif key in fields:
                raise ClientException(f"Trường {key[:50]} được gửi nhiều lần.")
            else:
                fields[key] = value
        for optional in ("email", "phone"):  # a form's empty box means "not given"
            if fields.get(optional) == "":
                fields[optional] = None
        payload: Any = fields
    else:
        if len(await request.body()) > MAX_JSON_BYTES:
            raise ClientException(
                "Nội dung gửi quá lớn; tệp đính kèm xin gửi bằng biểu mẫu "
                "multipart/form-data.", status_code=413,
            )  # fmt: skip
        try:
            payload = await request.json()
        except SerializationException as exc:
            raise ClientException("Dữ liệu JSON không hợp lệ.") from exc
    try:
        return SubmissionIn.model_validate(payload), files
    except ValidationError as exc:
        raise ValidationException(
            detail=f"Validation failed for {request.method} {request.url.path}",
            extra=[{"message": e["msg"], "key": ".".join(map(str, e["loc"]))}
                   for e in exc.errors(include_url=False)],
        ) from exc  # fmt: skip


async def take_submission(
    service: Service,
    guard: Guard,
    *,
    client_ip: str,
    data: SubmissionIn,
    files: Sequence[attachments.Upload],
    now: datetime,
) -> str:
    """Take a citizen's submission (from the API or a site's form): the abuse limits,
    the honeypot, the files checked by content, then the question and its files
    stored in one transaction. Its tracking code ("" for a robot caught by the
    honeypot, answered as if accepted). Raises abuse.TooMany (429), domain Invalid
    (422), or NotFoundException for a site that takes no questions."""
    await guard.admit(client_ip, str(data.email) if data.email else None, data.phone)
    if data.website:
        # A robot filled the hidden field: answer as if accepted, keep nothing.
        return ""
    checked = await attachments.from_uploads(files)
    submission = commands.Submission(
        tenant=data.tenant, kind=data.kind, field=data.field, title=data.title,
        text=data.text.strip(), name=data.name, email=str(data.email) if data.email else None,
        phone=data.phone, attachments=checked,
    )  # fmt: skip
    async with service.unit_of_work() as uow:
        site_url = await _site_url(service, uow, data.tenant)
        _id, code = await commands.submit(uow, submission, now, site_url)
        await uow.commit()
    return code


def content_disposition(filename: str) -> str:
    """`attachment` with the name twice: plain ASCII for old clients, UTF-8 (RFC 5987)
    for the rest; the name is already safe (runtime.uploads.safe_filename)."""
    plain = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    ascii_name = plain.encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name) or "tep"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


async def _readable(
    service: Service,
    question_id: str,
    user: Principal,
    *,
    acting: Literal["board", "unit"] | None = None,
) -> Row:
    """The question, if `user` may see it (editors of its site or of the unit it was
    forwarded to) and, `acting` as the board or the unit (domain.ACTORS), may do so."""
    assert service.db
    async with service.db.read() as session:
        row = await store.get(session, question_id)
    if row is None or not (
        user.has(row.tenant, Role.editor) or (row.unit and user.has(row.unit, Role.editor))
    ):
        raise NotFoundException(f"Không có câu hỏi {question_id}.")
    if acting and not may_act(acting, **_standing(row, user)):
        user.require(row.tenant, Role.board_member)  # what is missing: the board's role
    return row
