"""content's event consumers: tenants it may write for, and the board's decisions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import update

from contracts import (
    ArticlePublished,
    Envelope,
    RevisionApproved,
    RevisionRejected,
    TenantUpserted,
)
from runtime.messaging import UnitOfWork
from runtime.upsert import upsert_newer
from services.content import store
from services.content.domain import CATEGORIES, Action, State, next_state, slugify, unique_slug

log = logging.getLogger("portal.content")


async def on_tenant_upserted(uow: UnitOfWork, event: TenantUpserted, _env: Envelope) -> None:
    await upsert_newer(
        uow.session,
        store.tenants,
        key={"slug": event.tenant},
        values={"name": event.name, "active": event.active},
        sequence=event.sequence,
    )


async def _decided_article(uow: UnitOfWork, article_id: str, revision_id: str):
    article = await store.get_article(uow.session, article_id, for_update=True)
    if article is None or article.current_revision_id != revision_id:
        # A newer revision was submitted since: this decision is about an old one.
        log.info("ignoring decision on a superseded revision", extra={"revision": revision_id})
        return None
    if article.state != State.submitted:
        log.info("ignoring decision on an article not awaiting one", extra={"id": article_id})
        return None
    return article


async def on_revision_approved(uow: UnitOfWork, event: RevisionApproved, _env: Envelope) -> None:
    article = await _decided_article(uow, event.article_id, event.revision_id)
    if article is None:
        return
    state = next_state(State.submitted, Action.approve)
    revision = await store.get_revision(uow.session, event.revision_id)
    assert revision is not None
    slug = article.slug
    if slug is None:
        base = slugify(revision.title)
        slug = unique_slug(base, await store.slugs_like(uow.session, article.tenant, base))
    now = datetime.now(UTC)
    sequence = article.publish_sequence + 1
    first_published = article.first_published_at or now
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article.id)
        .values(
            state=state,
            version=article.version + 1,
            live_revision_id=revision.id,
            slug=slug,
            publish_sequence=sequence,
            first_published_at=first_published,
            updated_at=now,
        )
    )
    await uow.session.execute(
        update(store.revisions)
        .where(store.revisions.c.id == revision.id)
        .values(decision="approved", decided_by=event.decided_by, decided_at=event.decided_at)
    )
    uow.emit(
        ArticlePublished(
            tenant=article.tenant,
            article_id=article.id,
            revision_id=revision.id,
            sequence=sequence,
            category=revision.category,
            category_name=CATEGORIES[revision.category],
            slug=slug,
            path=f"/{revision.category}/{slug}",
            title=revision.title,
            summary=revision.summary,
            body_html=revision.body_html,
            author=revision.author,
            approved_by=event.decided_by,
            published_at=first_published,
            updated_at=now,
        )
    )


async def on_revision_rejected(uow: UnitOfWork, event: RevisionRejected, _env: Envelope) -> None:
    article = await _decided_article(uow, event.article_id, event.revision_id)
    if article is None:
        return
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.id == article.id)
        .values(
            state=next_state(State.submitted, Action.reject),
            version=article.version + 1,
            rejection_reason=event.reason,
            updated_at=datetime.now(UTC),
        )
    )
    await uow.session.execute(
        update(store.revisions)
        .where(store.revisions.c.id == event.revision_id)
        .values(
            decision="rejected",
            decided_by=event.decided_by,
            decided_at=event.decided_at,
            reason=event.reason,
        )
    )
