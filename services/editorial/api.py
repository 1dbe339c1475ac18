"""editorial's HTTP API: the review queue, the board's decisions, the publish
receipt, post-review of forced publications, and the royalties report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.security.jwt import Token
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.service import Service
from services.editorial import commands, royalties, store
from services.editorial.domain import (
    REJECTION_GROUNDS_VI,
    STEP_STATUS_VI,
    AlreadyDecided,
    OwnWork,
    Status,
    Step,
    lapse_message,
    receipt,
    receipt_steps,
    status_label,
)

Caller = Request[Principal, Token, Any]
TenantSlug = Annotated[str, QueryParameter(pattern=r"^[a-z0-9-]{1,50}$")]


class ApproveIn(Input):
    note: str = Field(default="", max_length=2000)
    publish_at: AwareDatetime | None = None
    royalty_coefficient: str | None = Field(default=None, max_length=10)


class RejectIn(Input):
    ground: str = Field(default="", max_length=30)
    #: The note for the editor (`reason` is accepted for older clients).
    note: str = Field(default="", max_length=2000)
    reason: str = Field(default="", max_length=2000)


class PostReviewIn(Input):
    note: str = Field(min_length=1, max_length=2000)


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
    kind: str
    details: dict[str, Any] | None
    language: str
    images: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    authors: list[dict[str, Any]]
    origin: str
    force_reason: str | None
    submitted_by: str
    submitted_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    ground: str | None
    note: str | None
    publish_at: datetime | None
    royalty_coefficient: Decimal | None
    needs_post_review: bool
    post_reviewed_by: str | None
    post_reviewed_at: datetime | None
    post_review_note: str | None
    #: Set when content will not publish the approval (the article changed since).
    lapse_reason: str | None = None
    lapsed_at: datetime | None = None
    #: What the editors read about it, in Vietnamese.
    lapse_message: str | None = None
    #: The status in the editors' words (domain.status_label).
    status_label: str = ""
    #: A proposal from a component site (origin "proposed"): that site and the article there.
    source_tenant: str | None = None
    source_url: str | None = None

    @classmethod
    def of(cls, row: Row) -> ReviewOut:
        values = dict(row._mapping)
        return cls.model_validate({
            **values, "lapse_message": lapse_message(row.lapse_reason),
            "status_label": status_label(row.status, lapsed=bool(row.lapse_reason)),
        })  # fmt: skip


class StepOut(BaseModel):
    step: str
    label: str
    status: Literal["done", "waiting", "late", "stopped"]
    at: datetime | None
    after_ms: int | None
    due_at: datetime | None
    #: The status in the editors' words (domain.STEP_STATUS_VI).
    status_label: str = ""

    @classmethod
    def of(cls, step: Step) -> StepOut:
        out = cls.model_validate(step, from_attributes=True)
        out.status_label = STEP_STATUS_VI[step.status]
        return out


class ReceiptOut(BaseModel):
    revision_id: str
    article_id: str
    status: str
    complete: bool
    late: bool
    steps: list[StepOut]
    #: Nothing more will happen: every step done, or the approval lapsed.
    ended: bool = False
    #: Why it ended without publication, in Vietnamese (None otherwise).
    message: str | None = None


async def _review(service: Service, revision_id: UUID, by: Principal, role: Role) -> Row:
    assert service.db
    async with service.db.read() as session:
        row = await store.get_review(session, str(revision_id))
    if row is None:
        raise NotFoundException(f"Không có bản gửi duyệt {revision_id}.")
    by.require(row.tenant, role)
    return row


class ReviewController(Controller):
    path = "/api/v1/reviews"

    @get("/", operation_id="ListReviews")
    async def queue(
        self,
        service: NamedDependency[Service],
        request: Caller,
        tenant: TenantSlug,
        status: FromQuery[Status] = Status.pending,
        post_review: Annotated[bool, QueryParameter(name="post_review")] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> list[ReviewOut]:
        """The queue (oldest first), or with `post_review=true` the forced publications
        waiting for the board's review."""
        request.user.require(tenant, Role.editor)
        assert service.db
        async with service.db.read() as session:
            if post_review:
                rows = await store.post_review_queue(session, tenant, limit)
            else:
                rows = await store.queue(session, tenant, status, limit, offset)
        return [ReviewOut.of(r) for r in rows]

    @get("/grounds", operation_id="RejectionGrounds", exclude_from_auth=True)
    async def grounds(self) -> dict[str, str]:
        """The grounds for refusing publication (Quy chế 004, Điều 14.3)."""
        return REJECTION_GROUNDS_VI

    @get("/{revision_id:uuid}", operation_id="GetReview")
    async def get_review(
        self, revision_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> ReviewOut:
        return ReviewOut.of(await _review(service, revision_id, request.user, Role.collaborator))

    @post("/{revision_id:uuid}/approve", operation_id="ApproveRevision", status_code=200)
    async def approve(
        self,
        revision_id: FromPath[UUID],
        service: NamedDependency[Service],
        request: Caller,
        data: JSONBody[ApproveIn | None] = None,
    ) -> ReviewOut:
        body = data or ApproveIn()
        decision = commands.Decision(
            approve=True,
            note=body.note,
            publish_at=body.publish_at,
            royalty_coefficient=body.royalty_coefficient,
        )
        return await _decide(service, request.user, str(revision_id), decision)

    @post("/{revision_id:uuid}/reject", operation_id="RejectRevision", status_code=200)
    async def reject(
        self,
        revision_id: FromPath[UUID],
        data: JSONBody[RejectIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ReviewOut:
        decision = commands.Decision(
            approve=False, ground=data.ground or None, note=data.note or data.reason
        )
        return await _decide(service, request.user, str(revision_id), decision)

    @post("/{revision_id:uuid}/post-review", operation_id="PostReview", status_code=200)
    async def post_review(
        self,
        revision_id: FromPath[UUID],
        data: JSONBody[PostReviewIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ReviewOut:
        return await _run(service, commands.post_review, request.user, str(revision_id), data.note)

    @get("/{revision_id:uuid}/receipt", operation_id="PublishReceipt")
    async def receipt(
        self, revision_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> ReceiptOut:
        """Which consumers have taken the approved revision, and when."""
        review = await _review(service, revision_id, request.user, Role.collaborator)
        lapsed = review.status == Status.superseded and review.lapsed_at is not None
        if (review.status != Status.approved and not lapsed) or review.decided_at is None:
            raise ClientException("Bài chưa được duyệt nên chưa có biên nhận đăng.", 409)
        assert service.db
        async with service.db.read() as session:
            publication = await store.publication_of(session, review.revision_id)
            confirmations = (
                {
                    d.step: d.confirmed_at
                    for d in await store.deliveries_of(
                        session, review.article_id, publication.sequence
                    )
                }
                if publication
                else {}
            )
        steps = receipt(
            decided_at=review.decided_at,
            publish_at=review.publish_at,
            published_at=publication.published_at if publication else None,
            confirmations=confirmations,
            consumer_steps=receipt_steps(review.origin, service.settings.receipt_steps),
            now=datetime.now(UTC),
            budget=timedelta(seconds=service.settings.receipt_budget_seconds),
            lapsed_at=review.lapsed_at if lapsed else None,
        )
        complete = all(s.status == "done" for s in steps)
        return ReceiptOut(
            revision_id=review.revision_id,
            article_id=review.article_id,
            status=review.status,
            complete=complete,
            late=any(s.status == "late" for s in steps),
            steps=[StepOut.of(s) for s in steps],
            ended=complete or lapsed,
            message=lapse_message(review.lapse_reason) if lapsed else None,
        )


async def _run(service: Service, command: Any, *args: Any) -> ReviewOut:
    try:
        async with service.unit_of_work() as uow:
            row = await command(uow, *args)
            await uow.commit()
    except commands.NotFound as exc:
        raise NotFoundException(str(exc)) from exc
    except AlreadyDecided as exc:
        raise ClientException(str(exc), status_code=409) from exc
    except OwnWork as exc:
        raise PermissionDeniedException(str(exc)) from exc
    except commands.DecisionError as exc:
        raise ClientException(str(exc), status_code=422) from exc
    return ReviewOut.of(row)


async def _decide(
    service: Service, by: Principal, revision_id: str, decision: commands.Decision
) -> ReviewOut:
    return await _run(service, commands.decide_revision, by, revision_id, decision)


class RoyaltyController(Controller):
    path = "/api/v1/royalties"

    @get("/", operation_id="RoyaltyReport")
    async def report(
        self,
        service: NamedDependency[Service],
        request: Caller,
        tenant: TenantSlug,
        year: Annotated[int, QueryParameter(ge=2000, le=2100)],
        half: Annotated[int, QueryParameter(ge=1, le=2)],
        fmt: Annotated[Literal["json", "csv", "xlsx"], QueryParameter(name="format")] = "json",
    ) -> Response[Any]:
        """Royalties (nhuận bút) of the works first published in a half-year."""
        request.user.require(tenant, Role.board_member)
        assert service.db
        async with service.db.read() as session:
            rows = await store.royalty_works(session, tenant)
            name = await store.tenant_name(session, tenant) or tenant
        works = [
            royalties.Work(
                article_id=r.article_id,
                tenant=r.tenant,
                title=r.title,
                kind=r.kind,
                published_at=r.published_at,
                authors=royalties.validate_authors(
                    [royalties.Author(name=a["name"], share=Decimal(str(a["share"])))
                     for a in r.authors]
                    or [royalties.Author(name=r.author or "Không rõ", share=Decimal(1))]
                ),
                coefficient=Decimal(str(r.royalty_coefficient)),
            )
            for r in rows
        ]  # fmt: skip
        report = royalties.build_report(
            works, tenant=tenant, tenant_name=name, year=year, half=half
        )
        filename = f"nhuan-but-{tenant}-{year}-{half}"
        if fmt == "csv":
            return Response(
                royalties.to_csv(report),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": f'attachment; filename="{filename}.csv"'},
            )
        if fmt == "xlsx":
            return Response(
                royalties.to_xlsx(report),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"content-disposition": f'attachment; filename="{filename}.xlsx"'},
            )
        return Response(
            {
                "tenant": report.tenant,
                "tenant_name": report.tenant_name,
                "year": report.year,
                "half": report.half,
                "unit_value_vnd": report.unit_value_vnd,
                "works": report.works,
                "total_vnd": report.total_vnd,
                "lines": [
                    {
                        "number": line.number,
                        "published_at": line.published_at.isoformat(),
                        "title": line.title,
                        "kind": line.kind,
                        "author": line.author,
                        "share": str(line.share),
                        "coefficient": str(line.coefficient),
                        "amount_vnd": line.amount_vnd,
                    }
                    for line in report.lines
                ],
            }
        )
