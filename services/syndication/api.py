"""syndication's HTTP API between sites: the city board's cross-posts, the target
boards' copies (decline, category), and the component boards' proposals to the city."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.security.jwt import Token
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.messaging import UnitOfWork
from runtime.service import Service
from services.syndication import copies, store
from services.syndication.domain import (
    COPY_STATUS_VI,
    KIND_LABELS_VI,
    MAX_REASON,
    MAX_TARGETS,
    PROPOSAL_STATUS_VI,
    REASON_VI,
    Forbidden,
    SyndicationError,
)

Caller = Request[Principal, Token, Any]
TenantSlug = Annotated[str, QueryParameter(pattern=r"^[a-z0-9-]{1,50}$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9-]{1,60}$")]
SiteSlug = Annotated[str, Field(pattern=r"^[a-z0-9-]{1,50}$")]
Kind = Literal["department", "ward", "commune", "special"]
#: What an editor's request may weigh: 200 target sites or a 2,000-character reason
#: fit many times over; the framework's default (10 MB) would be read and parsed.
MAX_BODY = 64 * 1024
TOO_LARGE_VI = (
    f"Yêu cầu quá lớn: mỗi lần gửi tối đa {MAX_BODY // 1024} KB "
    f"({MAX_TARGETS} trang nhận, lý do hay ghi chú {MAX_REASON} ký tự)."
)


def _too_large(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return Response(
        {"status_code": 413, "detail": TOO_LARGE_VI}, status_code=413, media_type=MediaType.JSON
    )


class _Bounded(Controller):
    request_max_body_size = MAX_BODY
    exception_handlers = {413: _too_large}  # noqa: RUF012 - Litestar's layered attribute


class Targets(Input):
    all: bool = False
    kinds: list[Kind] = Field(default_factory=list, max_length=4)
    sites: list[SiteSlug] = Field(default_factory=list, max_length=MAX_TARGETS)


class CrosspostIn(Input):
    article_id: UUID
    targets: Targets
    category: Slug | None = None


class DeclineIn(Input):
    reason: str = Field(default="", max_length=MAX_REASON)


class CategoryIn(Input):
    category: Slug


class ProposeIn(Input):
    article_id: UUID
    note: str = Field(default="", max_length=MAX_REASON)
    category: Slug | None = None

    @model_validator(mode="after")
    def _stripped(self) -> ProposeIn:
        self.note = self.note.strip()
        return self


class CopyOut(BaseModel):
    copy_id: str
    article_id: str
    origin: str
    tenant: str
    path: str
    category: str
    category_name: str
    status: str
    status_label: str
    reason: str
    reason_label: str
    sequence: int
    confirmed: bool
    confirmed_at: datetime | None
    crosspost_id: str | None
    proposal_id: str | None
    title: str
    created_at: datetime

    @classmethod
    def of(cls, row: Row, title: str = "") -> CopyOut:
        return cls(
            copy_id=row.copy_id, article_id=row.article_id, origin=row.origin, tenant=row.tenant,
            path=row.path, category=row.category, category_name=row.category_name,
            status=row.status, status_label=COPY_STATUS_VI.get(row.status, row.status),
            reason=row.reason, reason_label=REASON_VI.get(row.reason, ""),
            sequence=row.sequence,
            confirmed=bool(row.sequence) and (row.confirmed_sequence or 0) >= row.sequence,
            confirmed_at=row.confirmed_at, crosspost_id=row.crosspost_id,
            proposal_id=row.proposal_id, title=title, created_at=row.created_at,
        )  # fmt: skip


class CrosspostOut(BaseModel):
    id: str
    article_id: str
    title: str
    origin: str
    targets: dict[str, Any]
    category: str | None
    status: str
    created_by: str
    created_at: datetime
    stopped_by: str | None
    stopped_at: datetime | None
    #: Copies by status, and how many of the live ones their site confirmed showing.
    counts: dict[str, int]
    live_confirmed: int
    copies: list[CopyOut] | None = None


class ProposalOut(BaseModel):
    id: str
    article_id: str
    title: str
    origin: str
    target: str
    copy_id: str
    category: str
    note: str
    status: str
    status_label: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    ground: str | None
    reason: str | None
    path: str | None


async def _run(service: Service, command: Callable[[UnitOfWork], Awaitable[Row]]) -> Row:
    try:
        async with service.unit_of_work() as uow:
            row = await command(uow)
            await uow.commit()
            return row
    except copies.NotFound as exc:
        raise NotFoundException(str(exc)) from exc
    except Forbidden as exc:
        raise PermissionDeniedException(str(exc)) from exc
    except copies.Conflict as exc:
        raise ClientException(str(exc), status_code=409) from exc
    except SyndicationError as exc:
        raise ClientException(str(exc), status_code=422) from exc


async def _title(service: Service, article_id: str) -> str:
    assert service.db
    async with service.db.read() as session:
        row = await copies.article_row(session, article_id)
    return str(row.state.get("title", "")) if row else ""


async def _crosspost_out(service: Service, post: Row, *, with_copies: bool) -> CrosspostOut:
    assert service.db
    async with service.db.read() as session:
        rows = [c for c in await copies.of_article(session, post.article_id)
                if c.crosspost_id == post.id]  # fmt: skip
    counts: dict[str, int] = {}
    for c in rows:
        counts[c.status] = counts.get(c.status, 0) + 1
    title = await _title(service, post.article_id)
    return CrosspostOut(
        id=post.id, article_id=post.article_id, title=title, origin=post.origin,
        targets=post.targets, category=post.category, status=post.status,
        created_by=post.created_by, created_at=post.created_at, stopped_by=post.stopped_by,
        stopped_at=post.stopped_at, counts=counts,
        live_confirmed=sum(
            1 for c in rows if c.status == "live" and (c.confirmed_sequence or 0) >= c.sequence
        ),
        copies=[CopyOut.of(c, title) for c in rows] if with_copies else None,
    )  # fmt: skip


class CrosspostController(_Bounded):
    path = "/api/v1/syndication/crossposts"

    @post("/", operation_id="Crosspost", status_code=201)
    async def create(
        self, data: JSONBody[CrosspostIn], service: NamedDependency[Service], request: Caller
    ) -> CrosspostOut:
        """The city board sends a published city article to component sites (Điều 12.1.b)."""
        now = datetime.now(UTC)
        post_row = await _run(
            service,
            lambda uow: copies.crosspost(
                uow, service.settings, request.user, article_id=str(data.article_id),
                targets=data.targets.model_dump(exclude_defaults=True),
                category=data.category, now=now,
            ),
        )  # fmt: skip
        return await _crosspost_out(service, post_row, with_copies=True)

    @get("/", operation_id="Crossposts")
    async def index(
        self,
        tenant: FromQuery[TenantSlug],
        service: NamedDependency[Service],
        request: Caller,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> list[CrosspostOut]:
        request.user.require(tenant, Role.collaborator)
        assert service.db
        async with service.db.read() as session:
            rows = (
                await session.execute(
                    select(store.crossposts)
                    .where(store.crossposts.c.origin == tenant)
                    .order_by(store.crossposts.c.created_at.desc())
                    .limit(limit)
                )
            ).all()
        return [await _crosspost_out(service, r, with_copies=False) for r in rows]

    @get("/{post_id:uuid}", operation_id="GetCrosspost")
    async def get_one(
        self, post_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> CrosspostOut:
        assert service.db
        async with service.db.read() as session:
            try:
                post_row = await copies.get_crosspost(session, str(post_id))
            except copies.NotFound as exc:
                raise NotFoundException(str(exc)) from exc
        if not request.user.has(post_row.origin, Role.collaborator):
            raise NotFoundException("Không tìm thấy lần đăng lại này.")
        return await _crosspost_out(service, post_row, with_copies=True)

    @post("/{post_id:uuid}/stop", operation_id="StopCrosspost", status_code=200)
    async def stop(
        self, post_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> CrosspostOut:
        """Take every copy of this cross-post off its site."""
        now = datetime.now(UTC)
        post_row = await _run(
            service,
            lambda uow: copies.stop_crosspost(uow, service.settings, request.user, str(post_id),
                                              now=now),
        )  # fmt: skip
        return await _crosspost_out(service, post_row, with_copies=True)

    @get("/kinds", operation_id="CrosspostKinds", exclude_from_auth=True)
    async def kinds(self) -> dict[str, str]:
        """The kinds of component site a cross-post can target, in Vietnamese."""
        return KIND_LABELS_VI


class CopyController(_Bounded):
    path = "/api/v1/syndication/copies"

    @get("/", operation_id="IncomingCopies")
    async def index(
        self,
        tenant: FromQuery[TenantSlug],
        service: NamedDependency[Service],
        request: Caller,
        status: Annotated[str | None, QueryParameter(pattern=r"^[a-z]{1,20}$")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[CopyOut]:
        """What other sites' articles stand on this site (its board's list)."""
        request.user.require(tenant, Role.collaborator)
        assert service.db
        query = (
            select(store.copies, store.articles.c.state)
            .join(store.articles, store.articles.c.article_id == store.copies.c.article_id)
            .where(store.copies.c.tenant == tenant)
        )
        if status:
            query = query.where(store.copies.c.status == status)
        query = query.order_by(store.copies.c.created_at.desc()).limit(limit)
        async with service.db.read() as session:
            rows = (await session.execute(query)).all()
        return [CopyOut.of(r, str(r.state.get("title", ""))) for r in rows]

    @post("/{copy_id:uuid}/decline", operation_id="DeclineCopy", status_code=200)
    async def decline(
        self,
        copy_id: FromPath[UUID],
        data: JSONBody[DeclineIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> CopyOut:
        """The target site's board takes the copy off its site."""
        now = datetime.now(UTC)
        row = await _run(
            service,
            lambda uow: copies.decline_copy(uow, service.settings, request.user, str(copy_id),
                                            data.reason, now=now),
        )  # fmt: skip
        return CopyOut.of(row, await _title(service, row.article_id))

    @put("/{copy_id:uuid}/category", operation_id="RecategoriseCopy")
    async def category(
        self,
        copy_id: FromPath[UUID],
        data: JSONBody[CategoryIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> CopyOut:
        """The target site's board files the copy under one of its own categories."""
        now = datetime.now(UTC)
        row = await _run(
            service,
            lambda uow: copies.recategorise(uow, service.settings, request.user, str(copy_id),
                                            data.category, now=now),
        )  # fmt: skip
        return CopyOut.of(row, await _title(service, row.article_id))


def _proposal_out(row: Row, title: str, path: str | None) -> ProposalOut:
    return ProposalOut(
        id=row.id, article_id=row.article_id, title=title, origin=row.origin, target=row.target,
        copy_id=row.copy_id, category=row.category, note=row.note, status=row.status,
        status_label=PROPOSAL_STATUS_VI.get(row.status, row.status), proposed_by=row.proposed_by,
        proposed_at=row.proposed_at, decided_by=row.decided_by, decided_at=row.decided_at,
        ground=row.ground, reason=row.reason, path=path,
    )  # fmt: skip


class ProposalController(_Bounded):
    path = "/api/v1/syndication/proposals"

    @post("/", operation_id="Propose", status_code=201)
    async def create(
        self, data: JSONBody[ProposeIn], service: NamedDependency[Service], request: Caller
    ) -> ProposalOut:
        """A component site's board proposes one of its articles to the city portal
        (Điều 12.1.a): it joins the city board's review queue."""
        now = datetime.now(UTC)
        row = await _run(
            service,
            lambda uow: copies.propose(
                uow, service.settings, request.user, article_id=str(data.article_id),
                note=data.note, category=data.category, now=now,
            ),
        )  # fmt: skip
        return _proposal_out(row, await _title(service, row.article_id), None)

    @get("/", operation_id="Proposals")
    async def index(
        self,
        tenant: FromQuery[TenantSlug],
        service: NamedDependency[Service],
        request: Caller,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> list[ProposalOut]:
        """A site's proposals: those it made, or (the city) those made to it."""
        request.user.require(tenant, Role.collaborator)
        assert service.db
        query = (
            select(store.proposals, store.articles.c.state, store.copies.c.path,
                   store.copies.c.status.label("copy_status"))
            .join(store.articles, store.articles.c.article_id == store.proposals.c.article_id)
            .join(store.copies, store.copies.c.copy_id == store.proposals.c.copy_id)
            .where((store.proposals.c.origin == tenant) | (store.proposals.c.target == tenant))
            .order_by(store.proposals.c.proposed_at.desc())
            .limit(limit)
        )  # fmt: skip
        async with service.db.read() as session:
            rows = (await session.execute(query)).all()
        return [
            _proposal_out(r, str(r.state.get("title", "")),
                          r.path if r.status == "approved" and r.copy_status == "live" else None)
            for r in rows
        ]  # fmt: skip
