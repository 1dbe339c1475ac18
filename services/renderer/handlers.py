"""renderer's event consumers: keep the read model of every site, tell the page caches
what changed (PagesChanged, in the same transaction), and confirm each publication or
withdrawal it has taken (the editors' publish receipt).

All text is stored NFC, whatever form the producer sent. The surrogate keys emitted
here are the ones `cache.py` says pages carry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contracts import (
    ArticlePublished,
    ArticleWithdrawn,
    CategoryTreeUpdated,
    DeliveryConfirmed,
    Envelope,
    PagesChanged,
    TenantUpserted,
)
from runtime.html import sanitize_html
from runtime.messaging import UnitOfWork
from runtime.upsert import upsert_newer
from services.renderer import cache, store
from services.renderer.text import nfc, nfc_deep

CONSUMER = "renderer"

# Column widths: events are not length-checked by their contract, and a value that
# cannot be stored would stop the consumer behind it.
_WIDTH = {
    name: store.pages.c[name].type.length  # type: ignore[attr-defined]
    for name in ("doc_type", "doc_issuer", "doc_field", "doc_validity")
}


async def on_tenant_upserted(uow: UnitOfWork, event: TenantUpserted, _env: Envelope) -> None:
    written = await upsert_newer(
        uow.session,
        store.sites,
        key={"slug": event.tenant},
        values={
            "kind": event.kind,
            "name": nfc(event.name),
            "domain": event.domain,
            "languages": event.languages,
            "parent": event.parent,
            "owner": event.owner,
            "active": event.active,
            "profile": nfc_deep(event.profile.model_dump(mode="json")) if event.profile else None,
        },
        sequence=event.sequence,
    )
    if written:
        # Name, domain, languages and footer are on every page; the city's sitemap
        # index lists every active site.
        keys = [cache.site_key(event.tenant), cache.SITEMAPS]
        _changed(uow, event.tenant, keys, "tenant upserted")


async def on_category_tree_updated(
    uow: UnitOfWork, event: CategoryTreeUpdated, _env: Envelope
) -> None:
    written = await upsert_newer(
        uow.session,
        store.category_trees,
        key={"tenant": event.tenant},
        values={"categories": [nfc_deep(c.model_dump(mode="json")) for c in event.categories]},
        sequence=event.sequence,
    )
    if written:
        # The menu and breadcrumbs are on every page of the site.
        _changed(uow, event.tenant, [cache.site_key(event.tenant)], "category tree updated")


def _changed(uow: UnitOfWork, tenant: str, keys: list[str], reason: str) -> None:
    uow.emit(PagesChanged(tenant=tenant, keys=list(dict.fromkeys(keys)), reason=reason))


def _article_keys(
    tenant: str, article_id: str, categories: list[str], translation_of: str | None
) -> list[str]:
    keys = [cache.article_key(article_id)]
    keys += [cache.category_key(tenant, c) for c in dict.fromkeys(categories) if c]
    keys += [cache.list_key(tenant), cache.SITEMAPS]
    if translation_of:
        keys.append(cache.article_key(translation_of))  # the original lists its translations
    return keys


def _confirm(uow: UnitOfWork, event: ArticlePublished | ArticleWithdrawn, action: str) -> None:
    uow.emit(
        DeliveryConfirmed(
            tenant=event.tenant,
            article_id=event.article_id,
            sequence=event.sequence,
            step="site",
            consumer=CONSUMER,
            action=action,  # type: ignore[arg-type]
            confirmed_at=datetime.now(UTC),
            detail=event.path,
        )
    )


def document_columns(details: dict[str, Any] | None) -> dict[str, Any]:
    """The document library's filter columns, from a document's details."""
    if not details or details.get("kind") != "document":
        return dict.fromkeys(
            ("doc_type", "doc_issuer", "doc_year", "doc_field", "doc_validity"), None
        )
    issued = str(details.get("issued_on") or "")
    year = int(issued[:4]) if issued[:4].isdigit() else None

    def text(name: str, column: str) -> str | None:
        value = " ".join(str(details.get(name) or "").split())
        return value[: _WIDTH[column]] or None

    return {
        "doc_type": text("doc_type", "doc_type"),
        "doc_issuer": text("issuer", "doc_issuer"),
        "doc_year": year,
        "doc_field": text("field", "doc_field"),
        "doc_validity": text("validity", "doc_validity"),
    }


async def on_article_published(uow: UnitOfWork, event: ArticlePublished, _env: Envelope) -> None:
    before = await store.page_by_id(uow.session, event.article_id)
    details = nfc_deep(event.details.model_dump(mode="json")) if event.details else None
    title, summary = nfc(event.title), nfc(event.summary)
    written = await upsert_newer(
        uow.session,
        store.pages,
        key={"article_id": event.article_id},
        values={
            "tenant": event.tenant,
            "path": event.path,
            "status": "live",
            "category": event.category,
            "category_name": nfc(event.category_name),
            "title": title,
            "summary": summary,
            # Sanitised again here: what we serve must be safe whoever produced it.
            "body_html": sanitize_html(event.body_html),
            "author": nfc(event.author),
            "published_at": event.published_at,
            "updated_at": event.updated_at,
            "withdrawn_reason": None,
            "kind": event.kind,
            "details": details,
            "language": event.language,
            "translation_of": event.translation_of,
            "images": [nfc_deep(i.model_dump(mode="json")) for i in event.images],
            "attachments": [nfc_deep(a.model_dump(mode="json")) for a in event.attachments],
            "withdrawal_kind": None,
            "notice": None,
            "redirect_to": None,
            **document_columns(details),
            "changed_at": event.updated_at,
        },
        sequence=event.sequence,
    )
    if written:
        for old in event.previous_paths:
            if old != event.path:
                await upsert_newer(
                    uow.session,
                    store.redirects,
                    key={"tenant": event.tenant, "path": old},
                    values={"article_id": event.article_id},
                    sequence=event.sequence,
                )
        categories = [event.category]
        if before is not None and before.tenant == event.tenant:
            categories.append(before.category)  # it moved: its old list changes too
        keys = _article_keys(event.tenant, event.article_id, categories, event.translation_of)
        _changed(uow, event.tenant, keys, "article published")
    _confirm(uow, event, "published")


async def on_article_withdrawn(uow: UnitOfWork, event: ArticleWithdrawn, _env: Envelope) -> None:
    before = await store.page_by_id(uow.session, event.article_id)
    written = await upsert_newer(
        uow.session,
        store.pages,
        key={"article_id": event.article_id},
        values={
            "tenant": event.tenant,
            "path": event.path,
            "status": "withdrawn",
            "withdrawn_reason": nfc(event.reason),
            "withdrawal_kind": event.kind,
            "notice": nfc(event.notice) or None,
            "redirect_to": event.redirect_to,
            "changed_at": event.withdrawn_at,
        },
        sequence=event.sequence,
    )
    if written:
        same_site = before is not None and before.tenant == event.tenant
        keys = _article_keys(
            event.tenant,
            event.article_id,
            [before.category] if same_site and before else [],
            before.translation_of if same_site and before else None,
        )
        _changed(uow, event.tenant, keys, "article withdrawn")
    _confirm(uow, event, "withdrawn")
