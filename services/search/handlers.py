"""search's event consumers: every public document's latest state into `documents`
(versioned, with tombstones), marked pending for the indexer; and the sites.

Handlers never call the engine: the indexer applies pending rows in batches, so an
engine outage delays search instead of failing (or dead-lettering) events.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from contracts import (
    AnswerPublished,
    ArticlePublished,
    ArticleWithdrawn,
    CategoryTreeUpdated,
    Envelope,
    TenantUpserted,
)
from runtime.html import plain_text
from runtime.messaging import UnitOfWork
from runtime.upsert import upsert_newer
from services.search import store
from services.search.documents import SearchDoc


def article_doc(event: ArticlePublished) -> SearchDoc:
    details: dict[str, Any] = event.details.model_dump(mode="json") if event.details else {}
    # What people search a document by that its text may not say: number, issuer, type.
    keywords = " ".join(
        str(details.get(name) or "") for name in ("number", "doc_type", "issuer", "signer", "field")
    )
    transcript = str(details.get("transcript") or details.get("long_description") or "")
    return SearchDoc(
        id=f"article:{event.article_id}",
        site=event.tenant,
        type=event.kind,
        title=event.title,
        summary=event.summary,
        body=" ".join(filter(None, (plain_text(event.body_html), transcript))),
        path=event.path,
        category=event.category,
        category_name=event.category_name,
        language=event.language,
        published_at=event.published_at,
        keywords=" ".join(keywords.split()),
    )


def answer_doc(event: AnswerPublished) -> SearchDoc:
    return SearchDoc(
        id=f"answer:{event.question_id}",
        site=event.tenant,
        type="answer",
        title=event.title,
        summary=event.question_text[:500],
        body=f"{event.question_text} {plain_text(event.answer_html)}",
        path=event.path,
        category="hoi-dap",
        category_name="Hỏi đáp",
        published_at=event.published_at,
        keywords=f"{event.code} {event.field}",
    )


async def on_article_published(uow: UnitOfWork, event: ArticlePublished, _env: Envelope) -> None:
    doc = article_doc(event)
    await _put(uow, doc, event.sequence, withdrawn=False, receipt={
        "article_id": event.article_id, "sequence": event.sequence,
        "action": "published", "path": event.path,
    })  # fmt: skip


async def on_article_withdrawn(uow: UnitOfWork, event: ArticleWithdrawn, _env: Envelope) -> None:
    await _put(uow, None, event.sequence, withdrawn=True, doc_id=f"article:{event.article_id}",
               site=event.tenant, receipt={
        "article_id": event.article_id, "sequence": event.sequence,
        "action": "withdrawn", "path": event.path,
    })  # fmt: skip


async def on_answer_published(uow: UnitOfWork, event: AnswerPublished, _env: Envelope) -> None:
    version = int(event.published_at.timestamp() * 1_000_000)
    await _put(uow, answer_doc(event), version, withdrawn=False, receipt=None)


async def _put(
    uow: UnitOfWork,
    doc: SearchDoc | None,
    sequence: int,
    *,
    withdrawn: bool,
    receipt: dict[str, Any] | None,
    doc_id: str | None = None,
    site: str | None = None,
) -> None:
    await upsert_newer(
        uow.session,
        store.documents,
        key={"id": doc.id if doc else doc_id},
        values={
            "site": doc.site if doc else site,
            "withdrawn": withdrawn,
            "data": doc.as_json() if doc else None,
            "pending": True,
            "changed_at": datetime.now(UTC),
            "receipt": receipt,
        },
        sequence=sequence,
    )


async def on_tenant_upserted(uow: UnitOfWork, event: TenantUpserted, _env: Envelope) -> None:
    before = await uow.session.scalar(
        select(store.sites.c.active).where(store.sites.c.slug == event.tenant)
    )
    written = await upsert_newer(
        uow.session,
        store.sites,
        key={"slug": event.tenant},
        values={
            "name": event.name,
            "domain": event.domain,
            "kind": event.kind,
            "active": event.active,
        },
        sequence=event.sequence,
    )
    if written and before is not None and bool(before) != event.active:
        # A site closed (or reopened): the indexer takes its documents out (or back).
        await store.mark_site_pending(uow.session, event.tenant)


async def on_category_tree_updated(
    uow: UnitOfWork, event: CategoryTreeUpdated, _env: Envelope
) -> None:
    await upsert_newer(
        uow.session,
        store.category_trees,
        key={"tenant": event.tenant},
        values={"names": {c.slug: c.name for c in event.categories}},
        sequence=event.sequence,
    )
