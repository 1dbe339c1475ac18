"""syndication's event consumers: it learns the sites, their categories and every
published article; carries each article's changes to its copies on other sites;
follows the target sites' confirmations into the publish receipt; and acts on the
city board's decisions on proposals.

The partner side (partner topics, webhooks) is `partners.py`; these handlers call it
in the same transaction, so a change and what partners are told of it commit together.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from contracts import (
    AnswerPublished,
    ArticlePublished,
    ArticleWithdrawn,
    CategoryTreeUpdated,
    DeliveryConfirmed,
    Envelope,
    RevisionApproved,
    RevisionRejected,
    TenantUpserted,
)
from runtime.messaging import UnitOfWork
from runtime.settings import Settings
from runtime.upsert import upsert_newer
from services.syndication import copies, partners, store, websub
from services.syndication.domain import revived_after_republication

CONSUMER = "syndication"


async def on_tenant_upserted(uow: UnitOfWork, event: TenantUpserted, _env: Envelope) -> None:
    await upsert_newer(
        uow.session,
        store.sites,
        key={"slug": event.tenant},
        values={
            "kind": event.kind,
            "name": event.name,
            "domain": event.domain,
            "parent": event.parent,
            "active": event.active,
        },
        sequence=event.sequence,
    )


async def on_category_tree_updated(
    uow: UnitOfWork, event: CategoryTreeUpdated, _env: Envelope
) -> None:
    await upsert_newer(
        uow.session,
        store.trees,
        key={"tenant": event.tenant},
        values={"categories": [c.model_dump(mode="json") for c in event.categories]},
        sequence=event.sequence,
    )


async def on_article_published(
    uow: UnitOfWork, event: ArticlePublished, _env: Envelope, *, settings: Settings
) -> None:
    now = datetime.now(UTC)
    before = await copies.article_row(uow.session, event.article_id)
    written = await upsert_newer(
        uow.session,
        store.articles,
        key={"article_id": event.article_id},
        values={
            "tenant": event.tenant,
            "status": "live",
            "state": event.model_dump(mode="json"),
            "withdrawal": None,
            "changed_at": now,
        },
        sequence=event.sequence,
    )
    if not written:
        return
    rows = await copies.of_article(uow.session, event.article_id, for_update=True)
    carried = [
        c for c in rows if c.status == "live" or revived_after_republication(c.status, c.reason)
    ]
    await copies.send(
        uow,
        settings,
        event,
        carried,
        status="live",
        reason="",
        now=now,
        receipt_sequence=event.sequence,
    )
    await partners.article_published(uow, settings, event, now=now)
    site = await copies.get_site(uow.session, event.tenant)
    old = ArticlePublished.model_validate(before.state).category if before else None
    await websub.feeds_changed(uow.session, settings, site, [event.category, old or ""], now=now)


async def on_article_withdrawn(
    uow: UnitOfWork, event: ArticleWithdrawn, _env: Envelope, *, settings: Settings
) -> None:
    now = datetime.now(UTC)
    row = await copies.article_row(uow.session, event.article_id, for_update=True)
    if row is None or row.sequence >= event.sequence:
        return
    await uow.session.execute(
        update(store.articles)
        .where(store.articles.c.article_id == event.article_id)
        .values(
            status="withdrawn",
            withdrawal=event.model_dump(mode="json"),
            sequence=event.sequence,
            changed_at=now,
        )
    )
    origin = ArticlePublished.model_validate(row.state)
    rows = await copies.of_article(uow.session, event.article_id, for_update=True)
    live = [c for c in rows if c.status == "live"]
    await copies.send(
        uow, settings, origin, live, status="withdrawn", reason="origin_withdrawn", now=now,
        receipt_sequence=event.sequence,
    )  # fmt: skip
    pending = [c for c in rows if c.status == "pending"]
    if pending:
        await copies.withdraw_proposals(uow, [c.proposal_id for c in pending if c.proposal_id])
    await partners.article_withdrawn(uow, settings, event, now=now)
    site = await copies.get_site(uow.session, event.tenant)
    await websub.feeds_changed(uow.session, settings, site, [origin.category], now=now)


async def on_delivery_confirmed(uow: UnitOfWork, event: DeliveryConfirmed, _env: Envelope) -> None:
    """renderer confirms each page it applied; those of copies complete the origin's
    'syndication' receipt step once every copy of that publication is in."""
    if event.step != "site":
        return
    copy = (
        await uow.session.execute(
            select(store.copies).where(store.copies.c.copy_id == event.article_id)
        )
    ).first()
    if copy is None:
        return
    await uow.session.execute(
        update(store.copies)
        .where(
            store.copies.c.copy_id == event.article_id,
            (store.copies.c.confirmed_sequence.is_(None))
            | (store.copies.c.confirmed_sequence < event.sequence),
        )
        .values(confirmed_sequence=event.sequence, confirmed_at=event.confirmed_at)
    )
    await copies.confirm_receipt_if_complete(uow, copy.article_id)


async def on_revision_approved(
    uow: UnitOfWork, event: RevisionApproved, _env: Envelope, *, settings: Settings
) -> None:
    await copies.proposal_decided(
        uow, settings, event.revision_id, approved=True, by=event.decided_by, at=event.decided_at
    )


async def on_revision_rejected(
    uow: UnitOfWork, event: RevisionRejected, _env: Envelope, *, settings: Settings
) -> None:
    await copies.proposal_decided(
        uow, settings, event.revision_id, approved=False, by=event.decided_by, at=event.decided_at,
        ground=event.ground, reason=event.reason,
    )  # fmt: skip


async def on_answer_published(
    uow: UnitOfWork, event: AnswerPublished, _env: Envelope, *, settings: Settings
) -> None:
    await partners.answer_published(uow, settings, event, now=datetime.now(UTC))
