"""content's HTTP API: write, edit, submit and withdraw articles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.security.jwt import Token
from pydantic import BaseModel, Field
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.service import Service
from services.content import commands, store

TenantSlug = Annotated[str, QueryParameter(pattern=r"^[a-z0-9-]{1,50}$")]
Caller = Request[Principal, Token, Any]


class ArticleIn(Input):
    tenant: str = Field(pattern=r"^[a-z0-9-]{1,50}$")
    category: str = Field(max_length=60)
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=2000)
    body_html: str = Field(default="", max_length=1_000_000)
    author: str = Field(default="", max_length=200)


class ArticleEdit(Input):
    version: int = Field(ge=1)
    category: str = Field(max_length=60)
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=2000)
    body_html: str = Field(default="", max_length=1_000_000)
    author: str = Field(default="", max_length=200)


class VersionIn(Input):
    version: int = Field(ge=1)


class WithdrawIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class ArticleOut(BaseModel):
    id: str
    tenant: str
    category: str
    title: str
    summary: str
    body_html: str
    author: str
    state: str
    version: int
    current_revision_id: str | None
    live_revision_id: str | None
    slug: str | None
    path: str | None
    rejection_reason: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Row) -> ArticleOut:
        return cls(
            id=row.id,
            tenant=row.tenant,
            category=row.category,
            title=row.title,
            summary=row.summary,
            body_html=row.body_html,
            author=row.author,
            state=row.state,
            version=row.version,
            current_revision_id=row.current_revision_id,
            live_revision_id=row.live_revision_id,
            slug=row.slug,
            path=f"/{row.category}/{row.slug}" if row.slug else None,
            rejection_reason=row.rejection_reason,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


def _draft(data: JSONBody[ArticleIn] | ArticleEdit) -> commands.Draft:
    return commands.Draft(
        category=data.category,
        title=data.title,
        summary=data.summary,
        body_html=data.body_html,
        author=data.author,
    )


async def _run(service: NamedDependency[Service], command: Any, *args: Any) -> ArticleOut:
    """Run one command in a unit of work and map its errors to HTTP."""
    try:
        async with service.unit_of_work() as uow:
            row = await command(uow, *args)
            await uow.commit()
    except commands.NotFound as exc:
        raise NotFoundException(str(exc)) from exc
    except commands.Invalid as exc:
        raise ClientException(str(exc), status_code=422) from exc
    except commands.Stale as exc:
        raise ClientException(
            "Bài viết đã được người khác sửa sau khi bạn mở. Hãy xem bản mới nhất rồi sửa lại.",
            status_code=409,
            extra={"current": ArticleOut.of(exc.current).model_dump(mode="json")},
        ) from exc
    return ArticleOut.of(row)


class ArticleController(Controller):
    path = "/api/v1/articles"

    @post("/", operation_id="CreateArticle")
    async def create(
        self, data: JSONBody[ArticleIn], service: NamedDependency[Service], request: Caller
    ) -> ArticleOut:
        return await _run(service, commands.create_article, request.user, data.tenant, _draft(data))

    @get("/", operation_id="ListArticles")
    async def list_articles(
        self,
        service: NamedDependency[Service],
        request: Caller,
        tenant: TenantSlug,
        article_state: Annotated[
            str | None, QueryParameter(name="state", pattern=r"^[a-z]{1,20}$")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> list[ArticleOut]:
        request.user.require(tenant, Role.collaborator)
        assert service.db
        async with service.db.read() as session:
            rows = await store.list_articles(session, tenant, article_state, limit, offset)
        return [ArticleOut.of(r) for r in rows]

    @get("/{article_id:uuid}", operation_id="GetArticle")
    async def get_article(
        self, article_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> ArticleOut:
        assert service.db
        async with service.db.read() as session:
            row = await store.get_article(session, str(article_id))
        if row is None:
            raise NotFoundException(f"Không tìm thấy bài viết {article_id}.")
        request.user.require(row.tenant, Role.collaborator)
        return ArticleOut.of(row)

    @patch("/{article_id:uuid}", operation_id="EditArticle")
    async def edit(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[ArticleEdit],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ArticleOut:
        return await _run(
            service, commands.edit_article, request.user, str(article_id), data.version,
            _draft(data),
        )  # fmt: skip

    @post("/{article_id:uuid}/submit", operation_id="SubmitArticle", status_code=200)
    async def submit(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[VersionIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ArticleOut:
        return await _run(
            service, commands.submit_article, request.user, str(article_id), data.version
        )

    @post("/{article_id:uuid}/withdraw", operation_id="WithdrawArticle", status_code=200)
    async def withdraw(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[WithdrawIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ArticleOut:
        if not data.reason.strip():
            raise ValidationException("Cần ghi rõ lý do gỡ bài.")
        return await _run(
            service, commands.withdraw_article, request.user, str(article_id), data.version,
            data.reason,
        )  # fmt: skip
