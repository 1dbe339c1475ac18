"""content's use cases, called by the HTTP API and the scheduler; each runs in one
unit of work, and each records who did what in the audit log."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from litestar.exceptions import PermissionDeniedException
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import insert, update
from sqlalchemy.engine import Row

from contracts import ApprovalSuperseded, ArticlePublished, ArticleWithdrawn, RevisionSubmitted
from contracts.content import (
    CONTENT_KINDS,
    DETAILS_OF_KIND,
    LANGUAGES,
    Attachment,
    Author,
    Details,
    Image,
    ImageSource,
)
from runtime.auth import Principal, Role
from runtime.html import sanitize_html
from runtime.messaging import UnitOfWork, stored_size_problem
from services.content import store
from services.content.domain import (
    Action,
    Lapse,
    State,
    TransitionError,
    check_withdrawal,
    clean_text,
    next_state,
    publishes_without_review,
    schedule_lapse,
    slugify,
    unique_slug,
)

_DETAILS = TypeAdapter(Details)
log = logging.getLogger("portal.content")


class NotFound(LookupError):
    pass


class Invalid(ValueError):
    pass


class TooLarge(Invalid):
    """Content whose events (which carry it) would be more than the bus takes."""


class Stale(Exception):
    """The editor saved over a version that changed since they loaded it."""

    def __init__(self, current: Row) -> None:
        super().__init__("stale version")
        self.current = current


@dataclass(frozen=True)
class Draft:
    category: str
    title: str
    summary: str
    body_html: str
    author: str
    kind: str = "news"
    details: dict[str, Any] | None = None
    language: str = "vi"
    translation_of: str | None = None
    #: [{media_id, alt, caption}]: the lead image first.
    images: list[dict[str, Any]] = field(default_factory=list)
    #: [{media_id, title}]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    #: [{name, share}] for royalties; shares sum to 1.
    authors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Clean:
    """A draft checked against the site's categories and media, ready to store."""

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

    def columns(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "title": self.title,
            "summary": self.summary,
            "body_html": self.body_html,
            "author": self.author,
            "kind": self.kind,
            "details": self.details,
            "language": self.language,
            "translation_of": self.translation_of,
            "images": self.images,
            "attachments": self.attachments,
            "authors": self.authors,
        }


def media_url(tenant: str, media_id: str, name: str) -> str:
    return f"/media/{tenant}/{media_id}/{name}"


async def _image(uow: UnitOfWork, tenant: str, ref: dict[str, Any]) -> dict[str, Any]:
    """An image reference {media_id, alt, caption} made whole from the stored upload."""
    from services.content.media import Rejected, validate_alt_text

    media_id = str(ref.get("media_id") or "")
    row = await store.get_media(uow.session, media_id)
    if row is None or row.tenant != tenant or row.kind != "image":
        raise Invalid(f"Không tìm thấy ảnh {media_id[:40]} của trang này; hãy tải ảnh lên trước.")
    try:
        alt = validate_alt_text(str(ref.get("alt") or row.alt or ""))
    except Rejected as exc:
        raise Invalid(str(exc)) from exc
    variants = sorted(row.variants, key=lambda v: v["width"])
    largest = variants[-1]
    return Image(
        media_id=media_id,
        alt=alt,
        caption=clean_text(str(ref.get("caption") or "")),
        url=media_url(tenant, media_id, largest["name"]),
        width=largest["width"],
        height=largest["height"],
        sources=[
            ImageSource(url=media_url(tenant, media_id, v["name"]), width=v["width"])
            for v in variants
        ],
    ).model_dump(mode="json")


async def _attachment(uow: UnitOfWork, tenant: str, ref: dict[str, Any]) -> dict[str, Any]:
    media_id = str(ref.get("media_id") or "")
    row = await store.get_media(uow.session, media_id)
    if row is None or row.tenant != tenant:
        raise Invalid(f"Không tìm thấy tệp đính kèm {media_id[:40]} của trang này.")
    original = row.variants[0]
    return Attachment(
        media_id=media_id,
        filename=row.filename,
        title=clean_text(str(ref.get("title") or "")) or row.filename,
        media_type=row.media_type,
        size=row.size,
        url=media_url(tenant, media_id, original["name"]),
    ).model_dump(mode="json")


async def _resolve_images(uow: UnitOfWork, tenant: str, value: Any) -> Any:
    """Fill in every image reference inside a kind's details (gallery photos, posters …)."""
    if isinstance(value, dict):
        if "media_id" in value and "alt" in value:
            return await _image(uow, tenant, value)
        return {k: await _resolve_images(uow, tenant, v) for k, v in value.items()}
    if isinstance(value, list):
        return [await _resolve_images(uow, tenant, v) for v in value]
    return value


def _authors(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not raw:
        return []
    try:
        authors = [
            Author(name=clean_text(str(a.get("name", ""))), share=Decimal(str(a.get("share"))))
            for a in raw
        ]
    except (ValidationError, InvalidOperation, TypeError) as exc:
        raise Invalid(
            "Tác giả phải có tên và tỷ lệ đóng góp lớn hơn 0, không quá 1 (ví dụ 0.5)."
        ) from exc
    if abs(sum(a.share for a in authors) - 1) > Decimal("0.0001"):
        raise Invalid("Tổng tỷ lệ đóng góp của các tác giả phải bằng 1 (100%).")
    names = [a.name.casefold() for a in authors]
    if len(set(names)) != len(names):
        raise Invalid("Mỗi tác giả chỉ ghi một lần.")
    return [a.model_dump(mode="json") for a in authors]


async def _clean(uow: UnitOfWork, tenant: str, draft: Draft, article_id: str | None) -> Clean:
    if await store.get_category(uow.session, tenant, draft.category) is None:
        raise Invalid(f"Chuyên mục “{draft.category[:60]}” không có trên trang này.")
    if draft.kind not in CONTENT_KINDS:
        raise Invalid(f"Loại bài không hợp lệ; chọn một trong: {', '.join(CONTENT_KINDS)}.")
    title = clean_text(draft.title)
    if not title:
        raise Invalid("Tiêu đề không được để trống.")
    details = None
    if draft.kind in DETAILS_OF_KIND:
        if not draft.details:
            raise Invalid("Loại bài này cần điền các trường riêng (ví dụ số, ký hiệu văn bản).")
        raw = await _resolve_images(uow, tenant, {**draft.details, "kind": draft.kind})
        try:
            details = _DETAILS.validate_python(raw).model_dump(mode="json")
        except ValidationError as exc:
            raise Invalid(_details_problem(exc)) from exc
    elif draft.details:
        raise Invalid("Tin tức, chỉ đạo điều hành và thông báo không có trường riêng.")
    if draft.language not in LANGUAGES:
        raise Invalid(f"Ngôn ngữ không hợp lệ; chọn một trong: {', '.join(LANGUAGES)}.")
    translation_of = await _check_translation(uow, tenant, draft, article_id)
    clean = Clean(
        category=draft.category,
        title=title,
        summary=clean_text(draft.summary),
        body_html=sanitize_html(draft.body_html),
        author=clean_text(draft.author),
        kind=draft.kind,
        details=details,
        language=draft.language,
        translation_of=translation_of,
        images=[await _image(uow, tenant, ref) for ref in draft.images],
        attachments=[await _attachment(uow, tenant, ref) for ref in draft.attachments],
        authors=_authors(draft.authors),
    )
    _check_size(clean)
    return clean


def _check_size(clean: Clean) -> None:
    """Refuse, before storing, a draft that could never be submitted or published:
    RevisionSubmitted and ArticlePublished carry all of it (the bus's limits are in
    runtime/messaging.py). Real text compresses well; this catches what does not."""
    content = json.dumps(clean.columns(), ensure_ascii=False, default=str).encode()
    if stored_size_problem(content) is not None:  # its margins cover ids, paths, names
        megabytes = f"{len(content) / 1_000_000:.1f}".replace(".", ",")
        raise TooLarge(
            f"Bài viết quá lớn để đăng ({megabytes} MB, kể cả sau khi nén vẫn vượt giới "
            "hạn). Chưa có gì được lưu. Hãy chia thành nhiều bài, hoặc đưa bảng biểu, "
            "văn bản dài thành tệp đính kèm."
        )


def _details_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"][1:]) or "chi tiết"
    return f"Trường riêng “{where}” chưa đúng: {first['msg']}."


async def _check_translation(
    uow: UnitOfWork, tenant: str, draft: Draft, article_id: str | None
) -> str | None:
    if draft.translation_of is None:
        if draft.language != "vi":
            raise Invalid("Bản dịch phải gắn với bài gốc tiếng Việt (translation_of).")
        return None
    if draft.language == "vi":
        raise Invalid("Bản dịch phải là tiếng Anh hoặc tiếng dân tộc, không phải tiếng Việt.")
    original = await store.get_article(uow.session, draft.translation_of)
    if original is None or original.tenant != tenant:
        raise Invalid("Không tìm thấy bài gốc của bản dịch trên trang này.")
    if original.translation_of is not None:
        raise Invalid("Bài gốc của bản dịch phải là bài tiếng Việt, không phải một bản dịch.")
    for other in await store.translations_of(uow.session, original.id):
        if other.language == draft.language and other.id != article_id:
            raise Invalid(f"Bài này đã có bản {LANGUAGES[draft.language]} ({other.id}).")
    return original.id


def snapshot(article: Row) -> dict[str, Any]:
    """What the audit log keeps of an article (the body as its length, to stay small)."""
    return {
        "state": article.state,
        "version": article.version,
        "category": article.category,
        "kind": article.kind,
        "title": article.title,
        "summary": article.summary,
        "body_length": len(article.body_html),
        "language": article.language,
        "live_revision_id": article.live_revision_id,
        "publish_at": article.publish_at,
        "unpublish_at": article.unpublish_at,
    }


# --- the working copy -----------------------------------------------------------


async def create_article(uow: UnitOfWork, by: Principal, tenant: str, draft: Draft) -> Row:
    by.require(tenant, Role.collaborator)
    if await store.active_tenant(uow.session, tenant) is None:
        raise Invalid(f"Không có trang thông tin điện tử nào mang mã {tenant}.")
    clean = await _clean(uow, tenant, draft, None)
    now = datetime.now(UTC)
    article_id = str(uuid.uuid4())
    await uow.session.execute(
        insert(store.articles).values(
            id=article_id,
            tenant=tenant,
            **{**clean.columns(), "author": clean.author or by.display_name},
            state=State.draft,
            version=1,
            revision_count=0,
            publish_sequence=0,
            created_by=by.username,
            created_at=now,
            updated_at=now,
        )
    )
    article = await _reload(uow, article_id)
    uow.audit(
        actor=by.username,
        action="article.create",
        subject=f"article:{article_id}",
        tenant=tenant,
        after=snapshot(article),
    )
    return article


async def _load(uow: UnitOfWork, article_id: str, by: Principal, role: Role) -> Row:
    article = await store.get_article(uow.session, article_id, for_update=True)
    if article is None:
        raise NotFound(f"Không tìm thấy bài viết {article_id}.")
    by.require(article.tenant, role)
    return article


async def _reload(uow: UnitOfWork, article_id: str) -> Row:
    article = await store.get_article(uow.session, article_id)
    assert article is not None
    return article


def _check_version(article: Row, version: int) -> None:
    if article.version != version:
        raise Stale(article)


def _transition(state: State, action: Action, article: Row) -> State:
    try:
        return next_state(
            state,
            action,
            live=article.live_revision_id is not None,
            ever_published=article.first_published_at is not None,
        )
    except TransitionError as exc:
        raise Invalid(str(exc)) from exc


async def edit_article(
    uow: UnitOfWork, by: Principal, article_id: str, version: int, draft: Draft
) -> Row:
    article = await _load(uow, article_id, by, Role.collaborator)
    _check_version(article, version)
    state = _transition(State(article.state), Action.edit, article)
    clean = await _clean(uow, article.tenant, draft, article_id)
    now = datetime.now(UTC)
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article_id)
        .values(
            **{**clean.columns(), "author": clean.author or article.author},
            state=state,
            version=article.version + 1,
            # An edit cancels a pending schedule: the approved text is no longer this one.
            scheduled_revision_id=None,
            publish_at=None,
            updated_at=now,
        )
    )
    await _lapse_schedule(uow, article, Action.edit, by.username, now)
    after = await _reload(uow, article_id)
    uow.audit(
        actor=by.username,
        action="article.edit",
        subject=f"article:{article_id}",
        tenant=article.tenant,
        before=snapshot(article),
        after=snapshot(after),
    )
    return after


async def _new_revision(
    uow: UnitOfWork,
    by: Principal,
    article: Row,
    state: State,
    *,
    origin: str = "editor",
    force_reason: str = "",
    original_published_at: datetime | None = None,
) -> str:
    """Freeze the working copy as the next revision and send it to the board."""
    now = datetime.now(UTC)
    revision_id = str(uuid.uuid4())
    number = article.revision_count + 1
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article.id)
        .values(
            state=state,
            version=article.version + 1,
            revision_count=number,
            current_revision_id=revision_id,
            rejection_reason=None,
            updated_at=now,
        )
    )
    content = {
        "category": article.category,
        "title": article.title,
        "summary": article.summary,
        "body_html": article.body_html,
        "author": article.author,
        "kind": article.kind,
        "details": article.details,
        "language": article.language,
        "translation_of": article.translation_of,
        "images": article.images,
        "attachments": article.attachments,
        "authors": article.authors,
    }
    await uow.session.execute(
        insert(store.revisions).values(
            id=revision_id,
            article_id=article.id,
            number=number,
            **content,
            submitted_by=by.username,
            submitted_at=now,
            decision="pending",
            origin=origin,
            force_reason=force_reason or None,
            original_published_at=original_published_at,
        )
    )
    uow.emit(
        RevisionSubmitted(
            tenant=article.tenant,
            article_id=article.id,
            revision_id=revision_id,
            revision_number=number,
            submitted_by=by.username,
            submitted_at=now,
            origin=origin,  # type: ignore[arg-type]
            force_reason=force_reason,
            original_published_at=original_published_at,
            **content,
        )
    )
    return revision_id


async def submit_article(uow: UnitOfWork, by: Principal, article_id: str, version: int) -> Row:
    article = await _load(uow, article_id, by, Role.editor)
    _check_version(article, version)
    state = _transition(State(article.state), Action.submit, article)
    revision_id = await _new_revision(uow, by, article, state)
    after = await _reload(uow, article_id)
    uow.audit(
        actor=by.username,
        action="article.submit",
        subject=f"article:{article_id}",
        tenant=article.tenant,
        before=snapshot(article),
        after={**snapshot(after), "revision_id": revision_id},
    )
    return after


async def force_publish(
    uow: UnitOfWork, by: Principal, article_id: str, version: int, reason: str
) -> Row:
    """The board head publishes at once; the board reviews it afterwards."""
    article = await _load(uow, article_id, by, Role.board_head)
    if not publishes_without_review(by.role_in(article.tenant)):
        # The regulation gives this to the head of the board alone, not to admins.
        raise PermissionDeniedException(
            "Chỉ Trưởng Ban Biên tập của trang được đăng ngay không qua duyệt."
        )
    _check_version(article, version)
    reason = clean_text(reason)
    if len(reason) < 10:
        raise Invalid("Đăng ngay không qua duyệt phải ghi rõ lý do (ít nhất 10 ký tự).")
    state = _transition(State(article.state), Action.force_publish, article)
    revision_id = await _new_revision(uow, by, article, state, origin="forced", force_reason=reason)
    after = await _reload(uow, article_id)
    uow.audit(
        actor=by.username,
        action="article.force_publish",
        subject=f"article:{article_id}",
        tenant=article.tenant,
        before=snapshot(article),
        after={**snapshot(after), "revision_id": revision_id, "reason": reason},
    )
    return after


# --- approvals that will not be published -------------------------------------------


async def lapse_approval(
    uow: UnitOfWork,
    article: Row,
    revision_id: str,
    reason: Lapse,
    *,
    approved_by: str,
    by: str,
    now: datetime,
) -> None:
    """Announce that the approval of `revision_id` will not be published (the article
    changed since), and mark the revision so: nothing waits for it any more."""
    await uow.session.execute(
        update(store.revisions)
        .where(store.revisions.c.id == revision_id)
        .values(decision="superseded")
    )
    log.info(
        "approval lapsed",
        extra={"article": article.id, "revision": revision_id, "reason": str(reason)},
    )
    uow.emit(
        ApprovalSuperseded(
            tenant=article.tenant,
            article_id=article.id,
            revision_id=revision_id,
            current_revision_id=article.current_revision_id or revision_id,
            article_state=article.state,
            reason=reason.value,
            approved_by=approved_by,
            superseded_by=by,
            superseded_at=now,
        )
    )


async def _lapse_schedule(
    uow: UnitOfWork, article: Row, action: Action, by: str, now: datetime
) -> None:
    """An edit, a cancellation or a withdrawal of a scheduled article drops the approval
    that waited for its time: say so, as for an approval that arrived too late."""
    reason = schedule_lapse(
        State(article.state), action, has_schedule=article.scheduled_revision_id is not None
    )
    if reason is None:
        return
    revision = await store.get_revision(uow.session, article.scheduled_revision_id)
    await lapse_approval(
        uow,
        await _reload(uow, article.id),
        article.scheduled_revision_id,
        reason,
        approved_by=(revision.decided_by or "") if revision else "",
        by=by,
        now=now,
    )


# --- publication and withdrawal ---------------------------------------------------


async def publish_revision(
    uow: UnitOfWork, article: Row, revision: Row, *, approved_by: str, now: datetime
) -> None:
    """Put an approved revision on the site: the one path to ArticlePublished."""
    category = await store.get_category(uow.session, article.tenant, revision.category)
    slug = article.slug
    if slug is None:
        base = slugify(revision.title)
        slug = unique_slug(base, await store.slugs_like(uow.session, article.tenant, base))
    path = f"/{revision.category}/{slug}"
    previous = list(article.previous_paths or [])
    if article.live_category and article.live_category != revision.category:
        old = f"/{article.live_category}/{slug}"
        if old not in previous:
            previous.append(old)
    sequence = article.publish_sequence + 1
    first_published = article.first_published_at or revision.original_published_at or now
    state = State.updated if article.first_published_at is not None else State.published
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article.id)
        .values(
            state=state,
            version=article.version + 1,
            live_revision_id=revision.id,
            live_category=revision.category,
            scheduled_revision_id=None,
            publish_at=None,
            withdrawal=None,
            slug=slug,
            previous_paths=previous,
            publish_sequence=sequence,
            first_published_at=first_published,
            updated_at=now,
        )
    )
    uow.emit(
        ArticlePublished(
            tenant=article.tenant,
            article_id=article.id,
            revision_id=revision.id,
            sequence=sequence,
            category=revision.category,
            category_name=category.name if category else revision.category,
            slug=slug,
            path=path,
            title=revision.title,
            summary=revision.summary,
            body_html=revision.body_html,
            author=revision.author,
            approved_by=approved_by,
            published_at=first_published,
            updated_at=now,
            kind=revision.kind,
            details=revision.details,
            language=revision.language,
            translation_of=revision.translation_of,
            images=revision.images,
            attachments=revision.attachments,
            authors=revision.authors,
            origin=revision.origin,
            previous_paths=previous,
        )
    )


async def publish_due(uow: UnitOfWork, article_id: str, now: datetime) -> bool:
    """Publish a scheduled article whose time has come; False if nothing to do."""
    article = await store.get_article(uow.session, article_id, for_update=True)
    if (
        article is None
        or article.state != State.scheduled
        or article.publish_at is None
        or article.publish_at > now
        or article.scheduled_revision_id is None
    ):
        return False  # another replica did it, or the schedule changed
    revision = await store.get_revision(uow.session, article.scheduled_revision_id)
    assert revision is not None
    await publish_revision(uow, article, revision, approved_by=revision.decided_by or "", now=now)
    uow.audit(
        actor="system",
        action="article.publish_scheduled",
        subject=f"article:{article_id}",
        tenant=article.tenant,
        before=snapshot(article),
        after=snapshot(await _reload(uow, article_id)),
    )
    return True


@dataclass(frozen=True)
class Withdrawal:
    reason: str
    kind: str = "gone"
    notice: str = ""
    redirect_to: str | None = None
    #: None: now. A future time plans the withdrawal (unpublishing on schedule).
    at: datetime | None = None


async def withdraw_article(
    uow: UnitOfWork, by: Principal, article_id: str, version: int, plan: Withdrawal
) -> Row:
    article = await _load(uow, article_id, by, Role.board_member)
    _check_version(article, version)
    plan = Withdrawal(
        reason=clean_text(plan.reason),
        kind=plan.kind,
        notice=clean_text(plan.notice),
        redirect_to=plan.redirect_to,
        at=plan.at,
    )
    try:
        check_withdrawal(plan.kind, plan.reason, plan.notice, plan.redirect_to)
    except TransitionError as exc:
        raise Invalid(str(exc)) from exc
    now = datetime.now(UTC)
    if plan.at is not None and plan.at > now:
        if article.live_revision_id is None and article.state != State.scheduled:
            raise Invalid("Chỉ hẹn giờ gỡ được bài đang đăng hoặc đã hẹn giờ đăng.")
        await uow.session.execute(
            update(store.articles)
            .where(store.articles.c.id == article_id)
            .values(
                version=article.version + 1,
                unpublish_at=plan.at,
                unpublish_plan=_plan_json(plan, by.username),
                updated_at=now,
            )
        )
        action = "article.schedule_withdrawal"
    else:
        _transition(State(article.state), Action.withdraw, article)
        await _withdraw(uow, article, plan, by.username, now)
        action = "article.withdraw"
    after = await _reload(uow, article_id)
    uow.audit(
        actor=by.username,
        action=action,
        subject=f"article:{article_id}",
        tenant=article.tenant,
        before=snapshot(article),
        after={**snapshot(after), "withdrawal": _plan_json(plan, by.username)},
    )
    return after


def _plan_json(plan: Withdrawal, by: str) -> dict[str, Any]:
    return {
        "reason": plan.reason,
        "kind": plan.kind,
        "notice": plan.notice,
        "redirect_to": plan.redirect_to,
        "by": by,
    }


async def _withdraw(
    uow: UnitOfWork, article: Row, plan: Withdrawal, by: str, now: datetime
) -> None:
    sequence = article.publish_sequence + 1
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article.id)
        .values(
            state=State.withdrawn,
            version=article.version + 1,
            live_revision_id=None,
            scheduled_revision_id=None,
            publish_at=None,
            unpublish_at=None,
            unpublish_plan=None,
            withdrawal=_plan_json(plan, by),
            publish_sequence=sequence,
            updated_at=now,
        )
    )
    uow.emit(
        ArticleWithdrawn(
            tenant=article.tenant,
            article_id=article.id,
            sequence=sequence,
            path=f"/{article.live_category or article.category}/{article.slug}",
            reason=plan.reason,
            withdrawn_by=by,
            withdrawn_at=now,
            kind=plan.kind,  # type: ignore[arg-type]
            notice=plan.notice,
            redirect_to=plan.redirect_to,
        )
    )
    await _lapse_schedule(uow, article, Action.withdraw, by, now)


async def withdraw_due(uow: UnitOfWork, article_id: str, now: datetime) -> bool:
    article = await store.get_article(uow.session, article_id, for_update=True)
    if article is None or article.unpublish_at is None or article.unpublish_at > now:
        return False
    plan = article.unpublish_plan or {}
    if article.live_revision_id is None:
        # Scheduled to go up and come down, and the publication never came: drop both.
        await uow.session.execute(
            update(store.articles)
            .where(store.articles.c.id == article_id)
            .values(unpublish_at=None, unpublish_plan=None, version=article.version + 1)
        )
        return True
    withdrawal = Withdrawal(
        reason=plan.get("reason", ""),
        kind=plan.get("kind", "gone"),
        notice=plan.get("notice", ""),
        redirect_to=plan.get("redirect_to"),
    )
    await _withdraw(uow, article, withdrawal, plan.get("by", "system"), now)
    uow.audit(
        actor="system",
        action="article.withdraw_scheduled",
        subject=f"article:{article_id}",
        tenant=article.tenant,
        before=snapshot(article),
        after=snapshot(await _reload(uow, article_id)),
    )
    return True


async def cancel_schedule(uow: UnitOfWork, by: Principal, article_id: str, version: int) -> Row:
    """Stop a planned publication (back to draft) and any planned withdrawal."""
    article = await _load(uow, article_id, by, Role.board_member)
    _check_version(article, version)
    values: dict[str, Any] = {"unpublish_at": None, "unpublish_plan": None}
    if article.state == State.scheduled:
        values |= {
            "state": _transition(State.scheduled, Action.cancel_schedule, article),
            "scheduled_revision_id": None,
            "publish_at": None,
        }
    elif article.unpublish_at is None:
        raise Invalid("Bài này không có lịch đăng hay lịch gỡ nào để huỷ.")
    now = datetime.now(UTC)
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article_id)
        .values(**values, version=article.version + 1, updated_at=now)
    )
    await _lapse_schedule(uow, article, Action.cancel_schedule, by.username, now)
    after = await _reload(uow, article_id)
    uow.audit(
        actor=by.username,
        action="article.cancel_schedule",
        subject=f"article:{article_id}",
        tenant=article.tenant,
        before=snapshot(article),
        after=snapshot(after),
    )
    return after
