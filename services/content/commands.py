"""content's use cases, called by the HTTP API; each runs in one unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, update
from sqlalchemy.engine import Row

from contracts import ArticleWithdrawn, RevisionSubmitted
from runtime.auth import Principal, Role
from runtime.html import sanitize_html
from runtime.messaging import UnitOfWork
from services.content import store
from services.content.domain import (
    CATEGORIES,
    Action,
    State,
    TransitionError,
    clean_text,
    next_state,
)


class NotFound(LookupError):
    pass


class Invalid(ValueError):
    pass


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


def _clean(draft: Draft) -> Draft:
    if draft.category not in CATEGORIES:
        raise Invalid(f"Chuyên mục không hợp lệ; chọn một trong: {', '.join(CATEGORIES)}.")
    title = clean_text(draft.title)
    if not title:
        raise Invalid("Tiêu đề không được để trống.")
    return Draft(
        category=draft.category,
        title=title,
        summary=clean_text(draft.summary),
        body_html=sanitize_html(draft.body_html),
        author=clean_text(draft.author),
    )


async def create_article(uow: UnitOfWork, by: Principal, tenant: str, draft: Draft) -> Row:
    by.require(tenant, Role.collaborator)
    if await store.active_tenant(uow.session, tenant) is None:
        raise Invalid(f"Không có trang thông tin điện tử nào mang mã {tenant}.")
    draft = _clean(draft)
    now = datetime.now(UTC)
    article_id = str(uuid.uuid4())
    await uow.session.execute(
        insert(store.articles).values(
            id=article_id,
            tenant=tenant,
            category=draft.category,
            title=draft.title,
            summary=draft.summary,
            body_html=draft.body_html,
            author=draft.author or by.display_name,
            state=State.draft,
            version=1,
            revision_count=0,
            publish_sequence=0,
            created_by=by.username,
            created_at=now,
            updated_at=now,
        )
    )
    return await _reload(uow, article_id)


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


async def edit_article(
    uow: UnitOfWork, by: Principal, article_id: str, version: int, draft: Draft
) -> Row:
    article = await _load(uow, article_id, by, Role.collaborator)
    _check_version(article, version)
    state = _transition(State(article.state), Action.edit, article)
    draft = _clean(draft)
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article_id)
        .values(
            category=draft.category,
            title=draft.title,
            summary=draft.summary,
            body_html=draft.body_html,
            author=draft.author or article.author,
            state=state,
            version=article.version + 1,
            updated_at=datetime.now(UTC),
        )
    )
    return await _reload(uow, article_id)


def _transition(state: State, action: Action, article: Row) -> State:
    try:
        return next_state(state, action, live=article.live_revision_id is not None)
    except TransitionError as exc:
        raise Invalid(str(exc)) from exc


async def submit_article(uow: UnitOfWork, by: Principal, article_id: str, version: int) -> Row:
    article = await _load(uow, article_id, by, Role.editor)
    _check_version(article, version)
    state = _transition(State(article.state), Action.submit, article)
    now = datetime.now(UTC)
    revision_id = str(uuid.uuid4())
    number = article.revision_count + 1
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article_id)
        .values(
            state=state,
            version=article.version + 1,
            revision_count=number,
            current_revision_id=revision_id,
            rejection_reason=None,
            updated_at=now,
        )
    )
    await uow.session.execute(
        insert(store.revisions).values(
            id=revision_id,
            article_id=article_id,
            number=number,
            category=article.category,
            title=article.title,
            summary=article.summary,
            body_html=article.body_html,
            author=article.author,
            submitted_by=by.username,
            submitted_at=now,
            decision="pending",
        )
    )
    uow.emit(
        RevisionSubmitted(
            tenant=article.tenant,
            article_id=article_id,
            revision_id=revision_id,
            revision_number=number,
            category=article.category,
            title=article.title,
            summary=article.summary,
            body_html=article.body_html,
            author=article.author,
            submitted_by=by.username,
            submitted_at=now,
        )
    )
    return await _reload(uow, article_id)


async def withdraw_article(
    uow: UnitOfWork, by: Principal, article_id: str, version: int, reason: str
) -> Row:
    article = await _load(uow, article_id, by, Role.board_member)
    _check_version(article, version)
    reason = clean_text(reason)
    if not reason:
        raise Invalid("Cần ghi rõ lý do gỡ bài.")
    state = _transition(State(article.state), Action.withdraw, article)
    now = datetime.now(UTC)
    sequence = article.publish_sequence + 1
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article_id)
        .values(
            state=state,
            version=article.version + 1,
            live_revision_id=None,
            publish_sequence=sequence,
            updated_at=now,
        )
    )
    uow.emit(
        ArticleWithdrawn(
            tenant=article.tenant,
            article_id=article_id,
            sequence=sequence,
            path=f"/{article.category}/{article.slug}",
            reason=reason,
            withdrawn_by=by.username,
            withdrawn_at=now,
        )
    )
    return await _reload(uow, article_id)
