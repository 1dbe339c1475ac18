"""renderer's event consumers: keep the read model of every site."""

from __future__ import annotations

from contracts import ArticlePublished, ArticleWithdrawn, Envelope, TenantUpserted
from runtime.html import sanitize_html
from runtime.messaging import UnitOfWork
from runtime.upsert import upsert_newer
from services.renderer import store


async def on_tenant_upserted(uow: UnitOfWork, event: TenantUpserted, _env: Envelope) -> None:
    await upsert_newer(
        uow.session,
        store.sites,
        key={"slug": event.tenant},
        values={
            "kind": event.kind,
            "name": event.name,
            "domain": event.domain,
            "languages": event.languages,
            "parent": event.parent,
            "owner": event.owner,
            "active": event.active,
        },
        sequence=event.sequence,
    )


async def on_article_published(uow: UnitOfWork, event: ArticlePublished, _env: Envelope) -> None:
    await upsert_newer(
        uow.session,
        store.pages,
        key={"article_id": event.article_id},
        values={
            "tenant": event.tenant,
            "path": event.path,
            "status": "live",
            "category": event.category,
            "category_name": event.category_name,
            "title": event.title,
            "summary": event.summary,
            # Sanitised again here: what we serve must be safe whoever produced it.
            "body_html": sanitize_html(event.body_html),
            "author": event.author,
            "published_at": event.published_at,
            "updated_at": event.updated_at,
            "withdrawn_reason": None,
        },
        sequence=event.sequence,
    )


async def on_article_withdrawn(uow: UnitOfWork, event: ArticleWithdrawn, _env: Envelope) -> None:
    await upsert_newer(
        uow.session,
        store.pages,
        key={"article_id": event.article_id},
        values={
            "tenant": event.tenant,
            "path": event.path,
            "status": "withdrawn",
            "withdrawn_reason": event.reason,
        },
        sequence=event.sequence,
    )
