"""content's tables and queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.messaging import messaging_tables
from runtime.types import UtcDateTime

metadata = MetaData()
outbox, inbox = messaging_tables(metadata)

#: Sites known from TenantUpserted: an article must belong to an active one.
tenants = Table(
    "tenants",
    metadata,
    Column("slug", String(50), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("sequence", Integer, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False),
    Column("category", String(60), nullable=False),
    Column("title", String(500), nullable=False),
    Column("summary", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("state", String(20), nullable=False),
    #: Optimistic lock: every change bumps it; a stale edit gets 409.
    Column("version", Integer, nullable=False),
    Column("revision_count", Integer, nullable=False),
    Column("current_revision_id", String(36), nullable=True),
    Column("live_revision_id", String(36), nullable=True),
    Column("slug", String(100), nullable=True),
    Column("publish_sequence", Integer, nullable=False),
    Column("first_published_at", UtcDateTime(), nullable=True),
    Column("rejection_reason", Text, nullable=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # The working copy's type-specific fields (see contracts/content.py).
    Column("kind", String(20), nullable=False, server_default="news"),
    Column("details", JSON, nullable=True),
    Column("language", String(10), nullable=False, server_default="vi"),
    Column("translation_of", String(36), nullable=True, index=True),
    Column("images", JSON, nullable=False, server_default="[]"),
    Column("attachments", JSON, nullable=False, server_default="[]"),
    Column("authors", JSON, nullable=False, server_default="[]"),
    Column("origin", String(20), nullable=False, server_default="editor"),
    #: Id on the old portal, for imports: importing the same line twice is a no-op.
    Column("legacy_id", String(200), nullable=True),
    #: Approved revision waiting for its time (state scheduled), and that time.
    Column("scheduled_revision_id", String(36), nullable=True),
    Column("publish_at", UtcDateTime(), nullable=True),
    #: A planned withdrawal of what is live.
    Column("unpublish_at", UtcDateTime(), nullable=True),
    Column("unpublish_plan", JSON, nullable=True),
    #: How it was withdrawn (notice / redirect / gone) and what readers see.
    Column("withdrawal", JSON, nullable=True),
    #: Paths the article had before (category or slug changed): redirect from there.
    Column("previous_paths", JSON, nullable=False, server_default="[]"),
    #: The live revision's category: the page's path does not move with the draft.
    Column("live_category", String(60), nullable=True),
    UniqueConstraint("tenant", "slug", name="uq_articles_tenant_slug"),
    UniqueConstraint("tenant", "legacy_id", name="uq_articles_tenant_legacy"),
    Index("ix_articles_tenant_updated", "tenant", "updated_at"),
    Index("ix_articles_due", "state", "publish_at"),
    Index("ix_articles_unpublish_due", "unpublish_at"),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("article_id", String(36), ForeignKey("articles.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("category", String(60), nullable=False),
    Column("title", String(500), nullable=False),
    Column("summary", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("submitted_by", String(100), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("reason", Text, nullable=True),
    Column("kind", String(20), nullable=False, server_default="news"),
    Column("details", JSON, nullable=True),
    Column("language", String(10), nullable=False, server_default="vi"),
    Column("translation_of", String(36), nullable=True),
    Column("images", JSON, nullable=False, server_default="[]"),
    Column("attachments", JSON, nullable=False, server_default="[]"),
    Column("authors", JSON, nullable=False, server_default="[]"),
    Column("origin", String(20), nullable=False, server_default="editor"),
    Column("force_reason", Text, nullable=True),
    Column("ground", String(30), nullable=True),
    Column("original_published_at", UtcDateTime(), nullable=True),
    UniqueConstraint("article_id", "number", name="uq_revisions_article_number"),
)

#: Each site's category tree; tenant admins edit it (services/content/categories.py).
categories = Table(
    "categories",
    metadata,
    Column("tenant", String(50), primary_key=True),
    Column("slug", String(60), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent", String(60), nullable=True),
    Column("position", Integer, nullable=False),
    Column("kinds", JSON, nullable=False),
    Column("legal_basis", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("name_en", String(200), nullable=False, server_default=""),
)

#: Version of each site's tree, announced with CategoryTreeUpdated.
category_trees = Table(
    "category_trees",
    metadata,
    Column("tenant", String(50), primary_key=True),
    Column("sequence", Integer, nullable=False),
)

#: Uploaded files, checked by content (services/content/media.py).
media = Table(
    "media",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("extension", String(10), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    #: Extracted text, for search.
    Column("text", Text, nullable=False),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("pages", Integer, nullable=True),
    Column("alt", String(300), nullable=True),
    #: Stored copies: [{key, width, media_type}] (the original first).
    Column("variants", JSON, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)


async def get_article(
    session: AsyncSession, article_id: str, *, for_update: bool = False
) -> Row | None:
    query = select(articles).where(articles.c.id == article_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def list_articles(
    session: AsyncSession,
    tenant: str,
    state: str | None,
    limit: int,
    offset: int,
    *,
    created_by: str | None = None,
) -> list[Row]:
    query = select(articles).where(articles.c.tenant == tenant)
    if state:
        query = query.where(articles.c.state == state)
    if created_by:
        query = query.where(articles.c.created_by == created_by)
    query = query.order_by(articles.c.updated_at.desc()).limit(limit).offset(offset)
    return list((await session.execute(query)).all())


async def get_revision(session: AsyncSession, revision_id: str) -> Row | None:
    return (await session.execute(select(revisions).where(revisions.c.id == revision_id))).first()


async def active_tenant(session: AsyncSession, slug: str) -> Row | None:
    query = select(tenants).where(tenants.c.slug == slug, tenants.c.active.is_(True))
    return (await session.execute(query)).first()


async def slugs_like(session: AsyncSession, tenant: str, base: str) -> set[str]:
    query = select(articles.c.slug).where(
        articles.c.tenant == tenant, articles.c.slug.like(f"{base}%")
    )
    return {s for (s,) in await session.execute(query) if s}


async def due_for_publication(session: AsyncSession, now: datetime, limit: int = 50) -> list[str]:
    query = (
        select(articles.c.id)
        .where(articles.c.state == "scheduled", articles.c.publish_at <= now)
        .order_by(articles.c.publish_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def due_for_withdrawal(session: AsyncSession, now: datetime, limit: int = 50) -> list[str]:
    query = (
        select(articles.c.id)
        .where(articles.c.unpublish_at <= now, articles.c.live_revision_id.is_not(None))
        .order_by(articles.c.unpublish_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def next_due(session: AsyncSession) -> datetime | None:
    """The earliest scheduled publication or withdrawal, to sleep until then."""
    publish = await session.scalar(
        select(func.min(articles.c.publish_at)).where(articles.c.state == "scheduled")
    )
    unpublish = await session.scalar(
        select(func.min(articles.c.unpublish_at)).where(articles.c.live_revision_id.is_not(None))
    )
    times = [t for t in (publish, unpublish) if t is not None]
    return min(times) if times else None


async def category_tree(session: AsyncSession, tenant: str) -> list[Row]:
    query = (
        select(categories)
        .where(categories.c.tenant == tenant)
        .order_by(categories.c.parent.is_not(None), categories.c.parent, categories.c.position)
    )
    return list((await session.execute(query)).all())


async def get_category(session: AsyncSession, tenant: str, slug: str) -> Row | None:
    query = select(categories).where(categories.c.tenant == tenant, categories.c.slug == slug)
    return (await session.execute(query)).first()


async def articles_in_category(session: AsyncSession, tenant: str, slug: str) -> int:
    query = select(func.count()).where(articles.c.tenant == tenant, articles.c.category == slug)
    return int(await session.scalar(query) or 0)


def storage_key(tenant: str, media_id: str, name: str) -> str:
    """Where one stored copy of an upload lives in MediaStorage."""
    return f"{tenant}/{media_id}/{name}"


async def media_keys(session: AsyncSession) -> set[str]:
    """Every stored copy of every upload, as storage keys (for backups)."""
    result = await session.stream(select(media.c.tenant, media.c.id, media.c.variants))
    return {
        storage_key(tenant, media_id, v["name"])
        async for tenant, media_id, variants in result
        for v in variants
    }


async def get_media(session: AsyncSession, media_id: str) -> Row | None:
    return (await session.execute(select(media).where(media.c.id == media_id))).first()


async def translations_of(session: AsyncSession, article_id: str) -> list[Row]:
    query = select(articles).where(articles.c.translation_of == article_id)
    return list((await session.execute(query)).all())


async def revisions_of(session: AsyncSession, article_id: str) -> list[Row]:
    query = (
        select(revisions).where(revisions.c.article_id == article_id).order_by(revisions.c.number)
    )
    return list((await session.execute(query)).all())
