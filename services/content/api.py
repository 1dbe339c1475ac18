"""content's HTTP API: articles and their revisions, categories, media."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body, FromPath, JSONBody, QueryParameter
from litestar.response import Stream
from litestar.security.jwt import Token
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.engine import Row

from runtime.api import Input
from runtime.auth import Principal, Role
from runtime.service import Service
from services.content import byteranges, category_commands, commands, store, uploads
from services.content.diff import diff_revisions
from services.content.domain import STATE_LABELS_VI, State
from services.content.media import MediaStorage

SLUG = r"^[a-z0-9-]{1,60}$"
TenantSlug = Annotated[str, QueryParameter(pattern=r"^[a-z0-9-]{1,50}$")]
Caller = Request[Principal, Token, Any]


class ContentFields(Input):
    category: str = Field(max_length=60)
    title: str = Field(min_length=1, max_length=500)
    summary: str = Field(default="", max_length=2000)
    body_html: str = Field(default="", max_length=1_000_000)
    author: str = Field(default="", max_length=200)
    kind: str = Field(default="news", max_length=20)
    details: dict[str, Any] | None = None
    language: str = Field(default="vi", max_length=10)
    translation_of: UUID | None = None
    images: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    attachments: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    authors: list[dict[str, Any]] = Field(default_factory=list, max_length=20)

    def draft(self) -> commands.Draft:
        return commands.Draft(
            category=self.category,
            title=self.title,
            summary=self.summary,
            body_html=self.body_html,
            author=self.author,
            kind=self.kind,
            details=self.details,
            language=self.language,
            translation_of=str(self.translation_of) if self.translation_of else None,
            images=self.images,
            attachments=self.attachments,
            authors=self.authors,
        )


class ArticleIn(ContentFields):
    tenant: str = Field(pattern=r"^[a-z0-9-]{1,50}$")


class ArticleEdit(ContentFields):
    version: int = Field(ge=1)


class VersionIn(Input):
    version: int = Field(ge=1)


class WithdrawIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)
    kind: str = Field(default="gone", max_length=20)
    notice: str = Field(default="", max_length=5000)
    redirect_to: str | None = Field(default=None, max_length=500)
    at: AwareDatetime | None = None


class ForceIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class ArticleOut(BaseModel):
    id: str
    tenant: str
    category: str
    title: str
    summary: str
    body_html: str
    author: str
    kind: str
    details: dict[str, Any] | None
    language: str
    translation_of: str | None
    images: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    authors: list[dict[str, Any]]
    origin: str
    state: str
    version: int
    current_revision_id: str | None
    live_revision_id: str | None
    scheduled_revision_id: str | None
    publish_at: datetime | None
    unpublish_at: datetime | None
    withdrawal: dict[str, Any] | None
    slug: str | None
    path: str | None
    rejection_reason: str | None
    first_published_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    #: The state in editors' words (domain.STATE_LABELS_VI), for screens to show as is.
    state_label: str = ""

    @classmethod
    def of(cls, row: Row) -> ArticleOut:
        data = dict(row._mapping)
        live_category = data.get("live_category") or data["category"]
        data["path"] = f"/{live_category}/{row.slug}" if row.slug else None
        data["state_label"] = STATE_LABELS_VI[State(row.state)]
        return cls.model_validate(data)


class RevisionOut(BaseModel):
    id: str
    article_id: str
    number: int
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
    decision: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    ground: str | None

    @classmethod
    def of(cls, row: Row) -> RevisionOut:
        return cls.model_validate(dict(row._mapping))


class DiffOut(BaseModel):
    before: str | None = Field(description="Revision id compared from; null: nothing before.")
    after: str
    fields: list[dict[str, Any]]
    body: list[dict[str, str]]
    changed: bool


async def run_command(service: Service, command: Any, *args: Any) -> Any:
    """Run one command in a unit of work and map its errors to HTTP."""
    try:
        async with service.unit_of_work() as uow:
            result = await command(uow, *args)
            await uow.commit()
    except commands.NotFound as exc:
        raise NotFoundException(str(exc)) from exc
    except commands.TooLarge as exc:
        raise ClientException(str(exc), status_code=413) from exc
    except commands.Invalid as exc:
        raise ClientException(str(exc), status_code=422) from exc
    except commands.Stale as exc:
        raise ClientException(
            "Bài viết đã được người khác sửa sau khi bạn mở. Hãy xem bản mới nhất rồi sửa lại.",
            status_code=409,
            extra={"current": ArticleOut.of(exc.current).model_dump(mode="json")},
        ) from exc
    return result


async def _article_for(service: Service, article_id: UUID, by: Principal, role: Role) -> Row:
    assert service.db
    async with service.db.read() as session:
        row = await store.get_article(session, str(article_id))
    if row is None:
        raise NotFoundException(f"Không tìm thấy bài viết {article_id}.")
    by.require(row.tenant, role)
    return row


class ArticleController(Controller):
    path = "/api/v1/articles"

    @post("/", operation_id="CreateArticle")
    async def create(
        self, data: JSONBody[ArticleIn], service: NamedDependency[Service], request: Caller
    ) -> ArticleOut:
        row = await run_command(
            service, commands.create_article, request.user, data.tenant, data.draft()
        )
        return ArticleOut.of(row)

    @get("/", operation_id="ListArticles")
    async def list_articles(
        self,
        service: NamedDependency[Service],
        request: Caller,
        tenant: TenantSlug,
        article_state: Annotated[
            str | None, QueryParameter(name="state", pattern=r"^[a-z]{1,20}$")
        ] = None,
        created_by: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> list[ArticleOut]:
        request.user.require(tenant, Role.collaborator)
        assert service.db
        async with service.db.read() as session:
            rows = await store.list_articles(
                session, tenant, article_state, limit, offset, created_by=created_by
            )
        return [ArticleOut.of(r) for r in rows]

    @get("/{article_id:uuid}", operation_id="GetArticle")
    async def get_article(
        self, article_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> ArticleOut:
        return ArticleOut.of(
            await _article_for(service, article_id, request.user, Role.collaborator)
        )

    @patch("/{article_id:uuid}", operation_id="EditArticle")
    async def edit(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[ArticleEdit],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ArticleOut:
        row = await run_command(
            service, commands.edit_article, request.user, str(article_id), data.version,
            data.draft(),
        )  # fmt: skip
        return ArticleOut.of(row)

    @post("/{article_id:uuid}/submit", operation_id="SubmitArticle", status_code=200)
    async def submit(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[VersionIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ArticleOut:
        row = await run_command(
            service, commands.submit_article, request.user, str(article_id), data.version
        )
        return ArticleOut.of(row)

    @post("/{article_id:uuid}/force-publish", operation_id="ForcePublish", status_code=200)
    async def force(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[ForceIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ArticleOut:
        row = await run_command(
            service, commands.force_publish, request.user, str(article_id), data.version,
            data.reason,
        )  # fmt: skip
        return ArticleOut.of(row)

    @post("/{article_id:uuid}/withdraw", operation_id="WithdrawArticle", status_code=200)
    async def withdraw(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[WithdrawIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ArticleOut:
        plan = commands.Withdrawal(
            reason=data.reason,
            kind=data.kind,
            notice=data.notice,
            redirect_to=data.redirect_to,
            at=data.at,
        )
        row = await run_command(
            service, commands.withdraw_article, request.user, str(article_id), data.version, plan
        )
        return ArticleOut.of(row)

    @post("/{article_id:uuid}/cancel-schedule", operation_id="CancelSchedule", status_code=200)
    async def cancel_schedule(
        self,
        article_id: FromPath[UUID],
        data: JSONBody[VersionIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> ArticleOut:
        row = await run_command(
            service, commands.cancel_schedule, request.user, str(article_id), data.version
        )
        return ArticleOut.of(row)

    @get("/{article_id:uuid}/revisions", operation_id="ListRevisions")
    async def revisions(
        self, article_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> list[RevisionOut]:
        await _article_for(service, article_id, request.user, Role.collaborator)
        assert service.db
        async with service.db.read() as session:
            rows = await store.revisions_of(session, str(article_id))
        return [RevisionOut.of(r) for r in rows]

    @get("/{article_id:uuid}/diff", operation_id="DiffRevisions")
    async def diff(
        self,
        article_id: FromPath[UUID],
        service: NamedDependency[Service],
        request: Caller,
        to: Annotated[
            UUID | None, QueryParameter(description="Default: the latest revision")
        ] = None,
        base: Annotated[
            UUID | None,
            QueryParameter(name="from", description="Default: the live revision"),
        ] = None,
        working_copy: Annotated[bool, QueryParameter(name="working")] = False,
    ) -> DiffOut:
        """What changed: from the live (or given) revision to the latest (or given) one,
        or to the unsaved working copy with `working=true`."""
        article = await _article_for(service, article_id, request.user, Role.collaborator)
        assert service.db
        async with service.db.read() as session:
            revisions = {r.id: r for r in await store.revisions_of(session, str(article_id))}
        base_id = str(base) if base else article.live_revision_id
        before = revisions.get(base_id) if base_id else None
        if base and before is None:
            raise NotFoundException("Không có phiên bản gốc để so sánh.")
        if working_copy:
            after, after_id = article, "working"
        else:
            after_id = str(to) if to else article.current_revision_id
            after = revisions.get(after_id) if after_id else None
            if after is None:
                raise NotFoundException("Bài chưa có phiên bản nào được gửi duyệt.")
        result = diff_revisions(dict(before._mapping) if before else None, dict(after._mapping))
        return DiffOut(
            before=before.id if before else None,
            after=after_id or "",
            fields=[
                {"field": f.field, "label": f.label, "before": f.before, "after": f.after}
                for f in result.fields
            ],
            body=[{"op": s.op, "text": s.text} for s in result.body],
            changed=result.changed,
        )


# --- categories ----------------------------------------------------------------


class CategoryOut(BaseModel):
    slug: str
    name: str
    name_en: str
    parent: str | None
    position: int
    kinds: list[str]
    legal_basis: str
    description: str


class CategoryIn(Input):
    tenant: str = Field(pattern=r"^[a-z0-9-]{1,50}$")
    name: str = Field(min_length=1, max_length=200)
    parent: str | None = Field(default=None, pattern=SLUG)


class CategoryChange(Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent: str | None = Field(default=None, pattern=SLUG)
    position: int | None = Field(default=None, ge=0, le=1000)


class CategoryController(Controller):
    path = "/api/v1/categories"

    @get("/", operation_id="ListCategories", exclude_from_auth=True)
    async def list_categories(
        self, service: NamedDependency[Service], tenant: TenantSlug
    ) -> list[CategoryOut]:
        return await _tree(service, tenant)

    @post("/", operation_id="AddCategory")
    async def add(
        self, data: JSONBody[CategoryIn], service: NamedDependency[Service], request: Caller
    ) -> list[CategoryOut]:
        await run_command(
            service, lambda uow, *a: category_commands.add(
                uow, request.user, data.tenant, name=data.name, parent=data.parent
            ),
        )  # fmt: skip
        return await _tree(service, data.tenant)

    @patch("/{tenant:str}/{slug:str}", operation_id="ChangeCategory")
    async def change(
        self,
        tenant: FromPath[str],
        slug: FromPath[str],
        data: JSONBody[CategoryChange],
        service: NamedDependency[Service],
        request: Caller,
    ) -> list[CategoryOut]:
        _check_slugs(tenant, slug)
        if data.name is not None:
            await run_command(
                service, category_commands.rename, request.user, tenant, slug, data.name
            )
        if data.position is not None or "parent" in data.model_fields_set:
            await run_command(
                service, category_commands.move, request.user, tenant, slug, data.parent,
                data.position or 0,
            )  # fmt: skip
        return await _tree(service, tenant)

    @delete("/{tenant:str}/{slug:str}", operation_id="RemoveCategory", status_code=200)
    async def remove(
        self,
        tenant: FromPath[str],
        slug: FromPath[str],
        service: NamedDependency[Service],
        request: Caller,
    ) -> list[CategoryOut]:
        _check_slugs(tenant, slug)
        await run_command(service, category_commands.remove, request.user, tenant, slug)
        return await _tree(service, tenant)


async def _tree(service: Service, tenant: str) -> list[CategoryOut]:
    assert service.db
    async with service.db.read() as session:
        rows = await store.category_tree(session, tenant)
    if not rows:
        raise NotFoundException(f"Trang {tenant} chưa có chuyên mục nào.")
    return [CategoryOut.model_validate(dict(r._mapping)) for r in rows]


def _check_slugs(tenant: str, slug: str) -> None:
    if not re.fullmatch(r"[a-z0-9-]{1,50}", tenant) or not re.fullmatch(SLUG[1:-1], slug):
        raise NotFoundException("Không có chuyên mục này.")


# --- media -----------------------------------------------------------------------


@dataclass
class UploadForm:
    tenant: str
    file: UploadFile
    alt: str = ""


class MediaOut(BaseModel):
    id: str
    tenant: str
    kind: str
    filename: str
    media_type: str
    size: int
    width: int | None
    height: int | None
    pages: int | None
    alt: str | None
    url: str
    variants: list[dict[str, Any]]
    text_excerpt: str

    @classmethod
    def of(cls, row: Row) -> MediaOut:
        variants = uploads.public_urls(row)
        return cls(
            id=row.id,
            tenant=row.tenant,
            kind=row.kind,
            filename=row.filename,
            media_type=row.media_type,
            size=row.size,
            width=row.width,
            height=row.height,
            pages=row.pages,
            alt=row.alt,
            url=variants[0]["url"],
            variants=variants,
            text_excerpt=row.text[:300],
        )


class MediaController(Controller):
    path = "/api/v1/media"

    @post("/", operation_id="UploadMedia", request_max_body_size=uploads.MAX_UPLOAD_BYTES)
    async def upload(
        self,
        data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        service: NamedDependency[Service],
        storage: NamedDependency[MediaStorage],
        request: Caller,
    ) -> MediaOut:
        """A PDF, DOCX, XLSX or image, checked by its content; images need alt text."""
        if not re.fullmatch(r"[a-z0-9-]{1,50}", data.tenant or ""):
            raise ClientException("Mã trang không hợp lệ.", status_code=400)
        content = await data.file.read()
        row = await run_command(
            service, uploads.upload, storage, request.user, data.tenant,
            data.file.filename or "tep", content, data.alt,
        )  # fmt: skip
        return MediaOut.of(row)

    @get("/{media_id:uuid}", operation_id="GetMedia")
    async def get_media(
        self, media_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> MediaOut:
        assert service.db
        async with service.db.read() as session:
            row = await store.get_media(session, str(media_id))
        if row is None:
            raise NotFoundException("Không tìm thấy tệp.")
        request.user.require(row.tenant, Role.collaborator)
        return MediaOut.of(row)


@get("/media/{tenant:str}/{media_id:uuid}/{name:str}", exclude_from_auth=True,
     include_in_schema=False)  # fmt: skip
async def media_file(
    tenant: FromPath[str],
    media_id: FromPath[UUID],
    name: FromPath[str],
    service: NamedDependency[Service],
    storage: NamedDependency[MediaStorage],
    request: Request[Any, Any, Any],
) -> Response[Any]:
    """An uploaded file for readers, streamed from storage, whole or one byte range
    (video and PDF viewers seek). Ids are random, files never change: cache for a year."""
    assert service.db
    async with service.db.read() as session:
        row = await store.get_media(session, str(media_id))
    variant = next((v for v in row.variants if v["name"] == name), None) if row else None
    if row is None or row.tenant != tenant or variant is None:
        raise NotFoundException("Không tìm thấy tệp.")
    key = store.storage_key(tenant, row.id, name)
    size = await storage.stat(key)
    if size is None:
        raise NotFoundException("Không tìm thấy tệp.")
    etag = f'"{row.id}-{name}"'
    headers = {
        "accept-ranges": "bytes",
        "etag": etag,
        # A file is data, never a page: no scripts even if a browser sniffed one.
        "content-security-policy": "sandbox; default-src 'none'",
        "x-content-type-options": "nosniff",
    }
    if_range = request.headers.get("if-range")
    wanted = (
        byteranges.parse_range(request.headers.get("range"), size)
        if if_range is None or if_range.strip() == etag
        else None
    )
    if wanted == byteranges.UNSATISFIABLE:
        return Response(
            "Khoảng byte yêu cầu nằm ngoài tệp.",
            status_code=416,
            media_type=MediaType.TEXT,
            headers={**headers, "content-range": f"bytes */{size}"},
        )
    start, stop = wanted if isinstance(wanted, tuple) else (0, size)
    chunks = await storage.read_range(key, start, stop)
    if chunks is None:
        raise NotFoundException("Không tìm thấy tệp.")
    disposition = "inline" if row.kind in ("image", "pdf") else "attachment"
    headers |= {
        "cache-control": "public, max-age=31536000, immutable",
        "content-disposition": f"{disposition}; filename*=UTF-8''{quote(row.filename)}",
        "content-length": str(stop - start),
    }
    if isinstance(wanted, tuple):
        headers["content-range"] = byteranges.content_range(start, stop, size)
    return Stream(
        chunks,
        status_code=206 if isinstance(wanted, tuple) else 200,
        media_type=variant["media_type"],
        headers=headers,
    )
