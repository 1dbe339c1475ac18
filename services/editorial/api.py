"""editorial's HTTP API: the review queue and the board's decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.security.jwt import Token
from pydantic import BaseModel, Field
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.service import Service
from services.editorial import commands, store
from services.editorial.domain import Status

Caller = Request[Principal, Token, Any]


class ApproveIn(Input):
    note: str = Field(default="", max_length=2000)


class RejectIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class ReviewOut(BaseModel):
    revision_id: str
    article_id: str
    tenant: str
    revision_number: int
    category: str
    title: str
    summary: str
    body_html: str
    author: str
    submitted_by: str
    submitted_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    note: str | None

    @classmethod
    def of(cls, row: Row) -> ReviewOut:
        return cls.model_validate(row._mapping)


class ReviewController(Controller):
    path = "/api/v1/reviews"

    @get("/", operation_id="ListReviews")
    async def queue(
        self,
        service: NamedDependency[Service],
        request: Caller,
        tenant: Annotated[str, QueryParameter(pattern=r"^[a-z0-9-]{1,50}$")],
        status: FromQuery[Status] = Status.pending,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> list[ReviewOut]:
        request.user.require(tenant, Role.editor)
        assert service.db
        async with service.db.read() as session:
            rows = await store.queue(session, tenant, status, limit, offset)
        return [ReviewOut.of(r) for r in rows]

    @get("/{revision_id:uuid}", operation_id="GetReview")
    async def get_review(
        self, revision_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> ReviewOut:
        assert service.db
        async with service.db.read() as session:
            row = await store.get_review(session, str(revision_id))
        if row is None:
            raise NotFoundException(f"Không có bản gửi duyệt {revision_id}.")
        request.user.require(row.tenant, Role.editor)
        return ReviewOut.of(row)

    @post("/{revision_id:uuid}/approve", operation_id="ApproveRevision", status_code=200)
    async def approve(
        self,
        revision_id: FromPath[UUID],
        service: NamedDependency[Service],
        request: Caller,
        data: JSONBody[ApproveIn | None] = None,
    ) -> ReviewOut:
        note = data.note if data else ""
        return await _decide(service, request.user, str(revision_id), approve=True, note=note)

    @post("/{revision_id:uuid}/reject", operation_id="RejectRevision", status_code=200)
    async def reject(
        self,
        revision_id: FromPath[UUID],
        data: JSONBody[RejectIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ReviewOut:
        return await _decide(
            service, request.user, str(revision_id), approve=False, reason=data.reason.strip()
        )


async def _decide(
    service: NamedDependency[Service], by: Principal, revision_id: str, **decision: Any
) -> ReviewOut:
    try:
        async with service.unit_of_work() as uow:
            row = await commands.decide_revision(uow, by, revision_id, **decision)
            await uow.commit()
    except commands.NotFound as exc:
        raise NotFoundException(str(exc)) from exc
    except commands.DecisionError as exc:
        raise ClientException(str(exc), status_code=409) from exc
    return ReviewOut.of(row)
