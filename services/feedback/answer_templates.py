"""Answer templates per site, and bulk answers to repeated questions.

A template is reusable answer HTML (sanitised like every answer). Bulk drafting puts
the same answer on many questions at once, bulk approval publishes many drafts at
once; each goes through the single-question command (commands.draft, commands.approve)
for every question, all in one unit of work: either every listed question changes,
or none does and the caller learns which ones failed and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, Protocol

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, JSONBody
from pydantic import AfterValidator, BaseModel, Field, model_validator
from sqlalchemy import Column, Index, Integer, String, Table, Text, func, select
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.html import sanitize_html
from runtime.messaging import UnitOfWork
from runtime.service import Service
from runtime.types import UtcDateTime
from services.feedback import commands, store
from services.feedback.api import SLUG, Caller, TenantSlug, _site_url
from services.feedback.calendar import Now
from services.feedback.domain import Invalid, NotAllowed

#: Reusable answers, one set per site.
answer_templates = Table(
    "answer_templates",
    store.metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body_html", Text, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_answer_templates_tenant_title", "tenant", "title"),
)

TITLE_MAX = 200
BODY_MAX_BYTES = 50 * 1024
#: Enough for every recurring subject of a site; a bound so that no one fills the table.
TEMPLATES_PER_TENANT = 500
BULK_MAX = 200


# --- rules (pure) -------------------------------------------------------------------


class QuestionRef(Protocol):
    """What the bulk rules read of a question."""

    @property
    def tenant(self) -> str: ...

    @property
    def unit(self) -> str | None: ...

    @property
    def code(self) -> str: ...


@dataclass(frozen=True)
class Refusal:
    """One listed question the action cannot be done on, with the reason in Vietnamese."""

    id: str
    code: str | None
    status: int
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "status": self.status, "reason": self.reason}


def bulk_refusals(
    action: Literal["draft", "approve"],
    tenant: str,
    user: Principal,
    questions: Mapping[str, QuestionRef | None],
) -> list[Refusal]:
    """The listed questions `user`, working on site `tenant`, may not draft or approve.

    A question is treated as absent (404, nothing told about it) when it does not exist,
    the caller cannot see it (an editor of neither its site nor the unit it was sent
    to), or it does not belong to `tenant` (its site, or for drafts the unit it was
    sent to). It is refused (403) when visible but beyond the caller's role: drafting
    needs an editor of the unit or a board member of the site, approving a board
    member of the site.
    """
    refusals = []
    for question_id, q in questions.items():
        visible = q is not None and (
            user.has(q.tenant, Role.editor) or bool(q.unit and user.has(q.unit, Role.editor))
        )
        ours = q is not None and (q.tenant == tenant or (action == "draft" and q.unit == tenant))
        if q is None or not visible or not ours:
            refusals.append(
                Refusal(
                    question_id, None, 404, f"Không có câu hỏi {question_id} trên trang {tenant}."
                )
            )
            continue
        if action == "draft":
            allowed = bool(q.unit and user.has(q.unit, Role.editor)) or user.has(
                q.tenant, Role.board_member
            )
        else:
            allowed = user.has(q.tenant, Role.board_member)
        if not allowed:
            what = "soạn trả lời" if action == "draft" else "duyệt trả lời"
            refusals.append(
                Refusal(question_id, q.code, 403,
                        f"Tài khoản {user.username} không được {what} câu hỏi {q.code}.")
            )  # fmt: skip
    return refusals


def refused_summary(refusals: Sequence[Refusal], total: int) -> tuple[int, str]:
    """The status and message of a bulk request refused as a whole: the gravest
    reason wins (not found, then forbidden, then wrong state, then bad content)."""
    status = min((r.status for r in refusals), key=[404, 403, 409, 422].index)
    return status, (
        f"Không thực hiện được với {len(refusals)} trong {total} câu hỏi, nên chưa câu hỏi "
        "nào được thay đổi. Xin bỏ các câu hỏi đó ra rồi làm lại."
    )


def text_of(html: str) -> str:
    return commands._text_of(html)


# --- edge schemas -----------------------------------------------------------------------


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _body_size(value: str) -> str:
    if len(value.encode()) > BODY_MAX_BYTES:
        raise ValueError("Nội dung mẫu dài quá 50 kB.")
    return value


Title = Annotated[str, Field(min_length=2, max_length=TITLE_MAX), AfterValidator(_one_line)]
Body = Annotated[str, Field(min_length=1, max_length=BODY_MAX_BYTES), AfterValidator(_body_size)]


class TemplateIn(Input):
    tenant: str = Field(pattern=SLUG)
    title: Title
    body_html: Body


class TemplateUpdate(Input):
    title: Title
    body_html: Body
    #: The version the editor changed; a stale one gets 409.
    version: int = Field(ge=1, le=1_000_000_000)


class TemplateOut(BaseModel):
    id: str
    tenant: str
    title: str
    body_html: str
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, row: Row) -> TemplateOut:
        return cls.model_validate(dict(row._mapping))


class BulkApproveIn(Input):
    tenant: str = Field(pattern=SLUG)
    question_ids: list[uuid.UUID] = Field(min_length=1, max_length=BULK_MAX)


class BulkDraftIn(BulkApproveIn):
    html: str | None = Field(default=None, min_length=1, max_length=100_000)
    template_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_source(self) -> BulkDraftIn:
        if (self.html is None) == (self.template_id is None):
            raise ValueError(
                "Cần đúng một trong hai: nội dung trả lời (html) hoặc mẫu (template_id)."
            )
        return self


# --- the API -------------------------------------------------------------------------


def _clean_body(html: str) -> str:
    clean = sanitize_html(html)
    if not text_of(clean):
        raise ClientException("Mẫu trả lời không có nội dung.", status_code=422)
    return clean


async def _template(service: Service, template_id: str, user: Principal) -> Row:
    """The template, if `user` edits its site; otherwise as if it did not exist."""
    assert service.db
    async with service.db.read() as session:
        query = select(answer_templates).where(answer_templates.c.id == template_id)
        row = (await session.execute(query)).first()
    if row is None or not user.has(row.tenant, Role.editor):
        raise NotFoundException(f"Không có mẫu trả lời {template_id}.")
    return row


class TemplateController(Controller):
    """A site's answer templates: its editors and board keep them."""

    path = "/api/v1/feedback/templates"

    @get("/", operation_id="ListAnswerTemplates")
    async def list_templates(
        self, service: NamedDependency[Service], request: Caller, tenant: TenantSlug
    ) -> list[TemplateOut]:
        request.user.require(tenant, Role.editor)
        assert service.db
        async with service.db.read() as session:
            query = (
                select(answer_templates)
                .where(answer_templates.c.tenant == tenant)
                .order_by(answer_templates.c.title, answer_templates.c.id)
            )
            rows = (await session.execute(query)).all()
        return [TemplateOut.of(r) for r in rows]

    @get("/{template_id:uuid}", operation_id="GetAnswerTemplate")
    async def get_template(
        self, template_id: FromPath[uuid.UUID], service: NamedDependency[Service], request: Caller
    ) -> TemplateOut:
        return TemplateOut.of(await _template(service, str(template_id), request.user))

    @post("/", operation_id="CreateAnswerTemplate", status_code=201)
    async def create(
        self, data: JSONBody[TemplateIn], service: NamedDependency[Service], request: Caller,
        now: NamedDependency[Now],
    ) -> TemplateOut:  # fmt: skip
        request.user.require(data.tenant, Role.editor)
        body = _clean_body(data.body_html)
        at, by = now(), request.user.username
        template_id = str(uuid.uuid4())
        async with service.unit_of_work() as uow:
            count = (
                await uow.session.execute(
                    select(func.count())
                    .select_from(answer_templates)
                    .where(answer_templates.c.tenant == data.tenant)
                )
            ).scalar_one()
            if count >= TEMPLATES_PER_TENANT:
                raise ClientException(
                    f"Trang {data.tenant} đã có {TEMPLATES_PER_TENANT} mẫu trả lời; "
                    "xin xoá bớt mẫu không dùng.",
                    status_code=409,
                )
            await uow.session.execute(
                answer_templates.insert().values(
                    id=template_id, tenant=data.tenant, title=data.title, body_html=body,
                    created_by=by, created_at=at, updated_by=by, updated_at=at, version=1,
                )
            )  # fmt: skip
            uow.audit(actor=by, action="answer_template.create", subject=f"template:{template_id}",
                      tenant=data.tenant, after={"title": data.title})  # fmt: skip
            row = await _reload(uow, template_id)
            await uow.commit()
        return TemplateOut.of(row)

    @put("/{template_id:uuid}", operation_id="UpdateAnswerTemplate", status_code=200)
    async def update(
        self, template_id: FromPath[uuid.UUID], data: JSONBody[TemplateUpdate],
        service: NamedDependency[Service], request: Caller, now: NamedDependency[Now],
    ) -> TemplateOut:  # fmt: skip
        current = await _template(service, str(template_id), request.user)
        body = _clean_body(data.body_html)
        async with service.unit_of_work() as uow:
            table = answer_templates
            changed = await uow.session.execute(
                table.update()
                .where(table.c.id == current.id, table.c.version == data.version)
                .values(title=data.title, body_html=body, updated_by=request.user.username,
                        updated_at=now(), version=table.c.version + 1)
            )  # fmt: skip
            if changed.rowcount != 1:  # type: ignore[attr-defined]
                raise ClientException(
                    "Mẫu trả lời vừa được người khác sửa; xin mở lại để xem bản mới nhất.",
                    status_code=409,
                )
            uow.audit(actor=request.user.username, action="answer_template.update",
                      subject=f"template:{current.id}", tenant=current.tenant,
                      before={"title": current.title}, after={"title": data.title})  # fmt: skip
            row = await _reload(uow, current.id)
            await uow.commit()
        return TemplateOut.of(row)

    @delete("/{template_id:uuid}", operation_id="DeleteAnswerTemplate", status_code=204)
    async def remove(
        self, template_id: FromPath[uuid.UUID], service: NamedDependency[Service], request: Caller
    ) -> None:
        current = await _template(service, str(template_id), request.user)
        async with service.unit_of_work() as uow:
            await uow.session.execute(
                answer_templates.delete().where(answer_templates.c.id == current.id)
            )
            uow.audit(actor=request.user.username, action="answer_template.delete",
                      subject=f"template:{current.id}", tenant=current.tenant,
                      before={"title": current.title})  # fmt: skip
            await uow.commit()


async def _reload(uow: UnitOfWork, template_id: str) -> Row:
    query = select(answer_templates).where(answer_templates.c.id == template_id)
    row = (await uow.session.execute(query)).first()
    assert row is not None
    return row


class BulkController(Controller):
    """The same answer on many repeated questions; many drafts approved at once."""

    path = "/api/v1/feedback/questions"

    @post("/bulk-draft", operation_id="BulkDraftAnswers", status_code=200)
    async def bulk_draft(
        self, data: JSONBody[BulkDraftIn], service: NamedDependency[Service], request: Caller,
        now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        user = request.user
        user.require(data.tenant, Role.editor)
        if data.template_id is not None:
            template = await _template(service, str(data.template_id), user)
            if template.tenant != data.tenant:
                raise NotFoundException(f"Không có mẫu trả lời {data.template_id}.")
            html = template.body_html
        else:
            assert data.html is not None
            html = data.html
        if not text_of(sanitize_html(html)):
            raise ClientException("Câu trả lời không có nội dung.", status_code=422)
        ids = await _checked(service, "draft", data.tenant, user, data.question_ids)
        at = now()

        async def work(uow: UnitOfWork, question_id: str) -> Row:
            return await commands.draft(uow, question_id, answer_html=html, by=user.username,
                                        now=at)  # fmt: skip

        done = await _all_or_nothing(service, ids, work, user, "question.bulk_draft", data.tenant,
                                     {"template_id": str(data.template_id or "")})  # fmt: skip
        return _result(data.tenant, done)

    @post("/bulk-approve", operation_id="BulkApproveAnswers", status_code=200)
    async def bulk_approve(
        self, data: JSONBody[BulkApproveIn], service: NamedDependency[Service],
        request: Caller, now: NamedDependency[Now],
    ) -> dict[str, Any]:  # fmt: skip
        user = request.user
        user.require(data.tenant, Role.board_member)
        ids = await _checked(service, "approve", data.tenant, user, data.question_ids)
        at = now()
        site_url: list[str] = []

        async def work(uow: UnitOfWork, question_id: str) -> Row:
            if not site_url:
                site_url.append(await _site_url(service, uow, data.tenant))
            return await commands.approve(uow, question_id, by=user.username, now=at,
                                          site_url=site_url[0])  # fmt: skip

        done = await _all_or_nothing(service, ids, work, user, "question.bulk_approve",
                                     data.tenant, {})  # fmt: skip
        return _result(data.tenant, done)


def _result(tenant: str, done: list[Row]) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "count": len(done),
        "questions": [{"id": r.id, "code": r.code, "status": r.status} for r in done],
    }


def _refuse(refusals: Sequence[Refusal], total: int) -> ClientException:
    status, message = refused_summary(refusals, total)
    return ClientException(
        message, status_code=status, extra={"failed": [r.as_json() for r in refusals]}
    )


async def _checked(
    service: Service,
    action: Literal["draft", "approve"],
    tenant: str,
    user: Principal,
    question_ids: Sequence[uuid.UUID],
) -> list[str]:
    """The distinct ids, in a fixed order (so that two bulk requests lock rows in the
    same order), once every one is a question the caller may act on."""
    ids = sorted({str(i) for i in question_ids})
    assert service.db
    async with service.db.read() as session:
        query = select(
            store.questions.c.id, store.questions.c.tenant, store.questions.c.unit,
            store.questions.c.code,
        ).where(store.questions.c.id.in_(ids))  # fmt: skip
        found = {r.id: r for r in (await session.execute(query)).all()}
    refusals = bulk_refusals(action, tenant, user, {i: found.get(i) for i in ids})
    if refusals:
        raise _refuse(refusals, len(ids))
    return ids


async def _all_or_nothing(
    service: Service,
    ids: list[str],
    work: Any,
    user: Principal,
    action: str,
    tenant: str,
    details: dict[str, Any],
) -> list[Row]:
    """`work` on every question in one unit of work, committed only if none failed."""
    done: list[Row] = []
    refusals: list[Refusal] = []
    async with service.unit_of_work() as uow:
        for question_id in ids:
            # Each command checks the state before it writes anything, so a refusal
            # leaves the transaction clean for the next question.
            try:
                done.append(await work(uow, question_id))
            except commands.NotFound as exc:
                refusals.append(Refusal(question_id, None, 404, str(exc)))
            except NotAllowed as exc:
                code = await _code(uow, question_id)
                refusals.append(Refusal(question_id, code, 409, f"{code}: {exc}"))
            except Invalid as exc:
                code = await _code(uow, question_id)
                refusals.append(Refusal(question_id, code, 422, f"{code}: {exc}"))
        if refusals:
            raise _refuse(refusals, len(ids))  # rolled back: nothing changed
        uow.audit(actor=user.username, action=action, subject=f"tenant:{tenant}", tenant=tenant,
                  after={"questions": ids, **details})  # fmt: skip
        await uow.commit()
    return done


async def _code(uow: UnitOfWork, question_id: str) -> str:
    row = await store.get(uow.session, question_id)
    return row.code if row else question_id
