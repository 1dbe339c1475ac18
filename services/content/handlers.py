"""content's event consumers: tenants it may write for, and the board's decisions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import update

from contracts import (
    Envelope,
    RevisionApproved,
    RevisionRejected,
    TenantUpserted,
)
from runtime.messaging import UnitOfWork
from runtime.upsert import upsert_newer
from services.content import categories as trees
from services.content import category_commands, commands, store
from services.content.commands import publish_revision
from services.content.domain import (
    ALREADY_DECIDED,
    Action,
    Lapse,
    State,
    approval_action,
    approval_fate,
    next_state,
)

log = logging.getLogger("portal.content")


async def on_tenant_upserted(uow: UnitOfWork, event: TenantUpserted, _env: Envelope) -> None:
    await upsert_newer(
        uow.session,
        store.tenants,
        key={"slug": event.tenant},
        values={"name": event.name, "active": event.active},
        sequence=event.sequence,
    )
    if not await store.category_tree(uow.session, event.tenant):
        # A new site starts with the categories the law asks every portal to have.
        await category_commands.replace_tree(uow, event.tenant, trees.default_tree(event.kind))


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
    article = await store.get_article(uow.session, event.article_id, for_update=True)
    revision = await store.get_revision(uow.session, event.revision_id)
    if article is None or revision is None or revision.article_id != article.id:
        log.warning("approval of an unknown revision", extra={"revision": event.revision_id})
        return
    fate = approval_fate(
        state=State(article.state),
        current_revision_id=article.current_revision_id,
        revision_id=revision.id,
        revision_decision=revision.decision,
    )
    now = datetime.now(UTC)
    if fate == ALREADY_DECIDED:
        log.info("approval of a revision decided before", extra={"revision": revision.id})
        return
    if isinstance(fate, Lapse):
        # Not published, and said so: editorial would otherwise wait for it forever.
        await commands.lapse_approval(
            uow, article, revision.id, fate, approved_by=event.decided_by, by="", now=now
        )
        return
    await uow.session.execute(
        update(store.revisions)
        .where(store.revisions.c.id == event.revision_id)
        .values(decision="approved", decided_by=event.decided_by, decided_at=event.decided_at)
    )
    revision = await store.get_revision(uow.session, event.revision_id)
    assert revision is not None
    action = approval_action(event.publish_at, now)
    if action is Action.schedule:
        await uow.session.execute(
            update(store.articles)
            .where(store.articles.c.id == article.id)
            .values(
                state=next_state(State.submitted, action),
                version=article.version + 1,
                scheduled_revision_id=revision.id,
                publish_at=event.publish_at,
                updated_at=now,
            )
        )
        return
    await publish_revision(uow, article, revision, approved_by=event.decided_by, now=now)


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
            ground=event.ground,
        )
    )
