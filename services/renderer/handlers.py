"""renderer's event consumers: keep the read model of every site, tell the page caches
what changed (PagesChanged, in the same transaction), and confirm each publication or
withdrawal it has taken (the editors' publish receipt).

All text is stored NFC, whatever form the producer sent. The surrogate keys emitted
here are the ones `cache.py` says pages carry.

Copies of an article on other sites (syndication's ArticleSyndicated) are pages like
any other, keyed by their copy id on their own site, which also remember where the
original is (canonical link, credit line).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Row

from contracts import (
    ArticlePublished,
    ArticleSyndicated,
    ArticleWithdrawn,
    CategoryTreeUpdated,
    DeliveryConfirmed,
    Envelope,
    PagesChanged,
    SyndicatedCopy,
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
        # The city's directory and its component news name and link every site.
        await _components_changed(uow, event.tenant, "site upserted")


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


async def _components_changed(uow: UnitOfWork, tenant: str, reason: str) -> None:
    """The city's pages that show its component sites change (when `tenant` is one):
    told as the city's own change, so that the gateway's purge moves the city's cache
    generation and a fetch of the city's page that raced it is not stored."""
    city = await store.city_slug(uow.session)
    if city is not None and city != tenant:
        _changed(uow, city, [cache.COMPONENTS], reason)


def _component_news(row: Any) -> bool:
    """Whether the city's "news from the component sites" block may show this page."""
    return row is not None and row.kind == "news" and row.language == "vi"


def _article_keys(
    tenant: str, article_id: str, categories: list[str], translation_of: str | None
) -> list[str]:
    keys = [cache.article_key(article_id)]
    keys += [cache.category_key(tenant, c) for c in dict.fromkeys(categories) if c]
    keys += [cache.list_key(tenant), cache.SITEMAPS]
    if translation_of:
        keys.append(cache.article_key(translation_of))  # the original lists its translations
    return keys


def _confirm(
    uow: UnitOfWork, tenant: str, article_id: str, sequence: int, path: str | None, action: str
) -> None:
    """The receipt's `site` step: this version of the page has taken effect on its site."""
    uow.emit(
        DeliveryConfirmed(
            tenant=tenant,
            article_id=article_id,
            sequence=sequence,
            step="site",
            consumer=CONSUMER,
            action=action,  # type: ignore[arg-type]
            confirmed_at=datetime.now(UTC),
            detail=path,
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
        if _component_news(event) or _component_news(before):
            await _components_changed(uow, event.tenant, "component news published")
    _confirm(uow, event.tenant, event.article_id, event.sequence, event.path, "published")


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
        if same_site and _component_news(before):
            await _components_changed(uow, event.tenant, "component news withdrawn")
    _confirm(uow, event.tenant, event.article_id, event.sequence, event.path, "withdrawn")


# --- copies of other sites' articles (syndication) ---------------------------------------

#: A relative link in the original's body (to a page of its own site); /media/ files
#: are served on every site's host and stay as they are.
_RELATIVE_HREF = re.compile(r'(<a\b[^>]*?\shref=")(/(?!/|media/)[^"]*)"')
_ORIGIN_NAME_WIDTH: int = store.pages.c.origin_name.type.length  # type: ignore[attr-defined]
_CANONICAL_WIDTH: int = store.pages.c.canonical_url.type.length  # type: ignore[attr-defined]


def canonical_of(origin_url: str, origin_site: Row | None, path: str) -> str | None:
    """The original's absolute URL, the copy's canonical link: the event's, when it is an
    absolute http(s) URL that fits; else made from the origin site's domain as renderer
    makes every site's URLs; else None (the copy is then credited, but not linked)."""
    url = origin_url.strip()
    parts = urlsplit(url) if len(url) <= _CANONICAL_WIDTH else None
    if (
        parts is not None
        and parts.scheme in ("http", "https")
        and parts.hostname
        and not any(c.isspace() or ord(c) < 32 for c in url)
    ):
        return url
    if origin_site is not None and path.startswith("/"):
        return f"https://{origin_site.domain}{path}"[:_CANONICAL_WIDTH]
    return None


def links_to_origin(body_html: str, canonical: str | None) -> str:
    """The original's body with its links to its own site's pages made absolute: on the
    copy's site the same path is another page, or none."""
    if not canonical:
        return body_html
    parts = urlsplit(canonical)
    base = f"{parts.scheme}://{parts.netloc}"
    return _RELATIVE_HREF.sub(lambda m: f'{m.group(1)}{base}{m.group(2)}"', body_html)


def _latest_copies(copies: list[SyndicatedCopy]) -> list[SyndicatedCopy]:
    """One copy per id, the highest sequence (a statement may not write a row twice)."""
    latest: dict[str, SyndicatedCopy] = {}
    for copy in copies:
        if copy.copy_id not in latest or copy.sequence > latest[copy.copy_id].sequence:
            latest[copy.copy_id] = copy
    return list(latest.values())


def _copy_content(event: ArticleSyndicated, canonical: str | None) -> dict[str, Any]:
    """What every copy of the article shows: the original as last published, NFC and
    sanitised once for all the copies."""
    origin = event.article
    details = nfc_deep(origin.details.model_dump(mode="json")) if origin.details else None
    return {
        "title": nfc(origin.title),
        "summary": nfc(origin.summary),
        # Sanitised again here: what we serve must be safe whoever produced it.
        "body_html": links_to_origin(sanitize_html(origin.body_html), canonical),
        "author": nfc(origin.author),
        "published_at": origin.published_at,
        "updated_at": origin.updated_at,
        "kind": origin.kind,
        "details": details,
        "language": origin.language,
        # The original's translations are pages of its own site, not of the copy's.
        "translation_of": None,
        "images": [nfc_deep(i.model_dump(mode="json")) for i in origin.images],
        "attachments": [nfc_deep(a.model_dump(mode="json")) for a in origin.attachments],
        **document_columns(details),
        "origin_tenant": event.tenant,
        "origin_article_id": event.article_id,
        "canonical_url": canonical,
        "origin_name": nfc(event.origin_name).strip()[:_ORIGIN_NAME_WIDTH] or None,
    }


def _copy_row(copy: SyndicatedCopy, content: dict[str, Any], at: datetime) -> dict[str, Any]:
    live = copy.status == "live"
    return {
        "article_id": copy.copy_id,
        "tenant": copy.tenant,
        "path": copy.path,
        "category": copy.category,
        "category_name": nfc(copy.category_name),
        **content,
        "status": "live" if live else "withdrawn",
        # A copy taken off its site is gone there (410); the original stays where it is.
        "withdrawn_reason": None if live else nfc(copy.reason),
        "withdrawal_kind": None if live else "gone",
        "notice": None,
        "redirect_to": None,
        "changed_at": at,
        "sequence": copy.sequence,
    }


async def on_article_syndicated(uow: UnitOfWork, event: ArticleSyndicated, env: Envelope) -> None:
    """Every copy of one article, on every site it stands on, in one transaction: a few
    statements whatever the number of copies (one event may carry a copy for each of
    the 150 sites), then each site's PagesChanged and each copy's DeliveryConfirmed."""
    copies = _latest_copies(list(event.copies))
    before = await store.pages_by_ids(uow.session, [c.copy_id for c in copies])
    origin_site = (await store.sites_by_slug(uow.session, [event.tenant])).get(event.tenant)
    canonical = canonical_of(event.origin_url, origin_site, event.article.path)
    content = _copy_content(event, canonical)
    rows = [_copy_row(copy, content, env.time) for copy in copies]
    written = await store.upsert_newer_pages(uow.session, rows)

    keys_by_site: dict[str, list[str]] = {}
    for copy in copies:
        if copy.copy_id not in written:
            continue  # an older version than the one shown: nothing changed
        old = before.get(copy.copy_id)
        moved = old is not None and old.tenant == copy.tenant and old.path != copy.path
        if moved and copy.status == "live":
            # Refiled under another category: the old address leads to the new one.
            await upsert_newer(
                uow.session,
                store.redirects,
                key={"tenant": copy.tenant, "path": old.path},
                values={"article_id": copy.copy_id},
                sequence=copy.sequence,
            )
        categories = [copy.category]
        if old is not None and old.tenant == copy.tenant:
            categories.append(old.category)
        keys_by_site.setdefault(copy.tenant, []).extend(
            _article_keys(copy.tenant, copy.copy_id, categories, None)
        )
    for tenant, keys in keys_by_site.items():
        _changed(uow, tenant, keys, "copies of other sites' articles")

    for copy in copies:
        # Confirmed even when older than what is shown: a newer version is on the site.
        action = "published" if copy.status == "live" else "withdrawn"
        _confirm(uow, copy.tenant, copy.copy_id, copy.sequence, copy.path, action)
