"""content's tables and queries."""

from __future__ import annotations

from sqlalchemy import (
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
    UniqueConstraint("tenant", "slug", name="uq_articles_tenant_slug"),
    Index("ix_articles_tenant_updated", "tenant", "updated_at"),
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
    UniqueConstraint("article_id", "number", name="uq_revisions_article_number"),
)


async def get_article(
    session: AsyncSession, article_id: str, *, for_update: bool = False
) -> Row | None:
    query = select(articles).where(articles.c.id == article_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def list_articles(
    session: AsyncSession, tenant: str, state: str | None, limit: int, offset: int
) -> list[Row]:
    query = select(articles).where(articles.c.tenant == tenant)
    if state:
        query = query.where(articles.c.state == state)
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
