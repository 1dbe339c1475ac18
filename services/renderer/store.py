"""renderer's read model: sites and live articles, kept from events only."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.messaging import messaging_tables
from runtime.tenancy import HostQuery
from runtime.types import UtcDateTime

metadata = MetaData()
outbox, inbox = messaging_tables(metadata)

sites = Table(
    "sites",
    metadata,
    Column("slug", String(50), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(300), nullable=False),
    Column("domain", String(253), nullable=False, index=True),
    Column("languages", JSON, nullable=False),
    Column("parent", String(50), nullable=True),
    Column("owner", String(50), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("sequence", Integer, nullable=False),
)

pages = Table(
    "pages",
    metadata,
    Column("article_id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False),
    Column("path", String(300), nullable=False),
    #: live, or withdrawn (the path then answers 410 Gone).
    Column("status", String(20), nullable=False),
    Column("category", String(60), nullable=False, server_default=""),
    Column("category_name", String(200), nullable=False, server_default=""),
    Column("title", String(500), nullable=False, server_default=""),
    Column("summary", Text, nullable=False, server_default=""),
    Column("body_html", Text, nullable=False, server_default=""),
    Column("author", String(200), nullable=False, server_default=""),
    Column("published_at", UtcDateTime(), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=True),
    Column("withdrawn_reason", Text, nullable=True),
    Column("sequence", Integer, nullable=False),
    Index("ix_pages_tenant_path", "tenant", "path"),
    Index("ix_pages_latest", "tenant", "status", "published_at"),
)


async def find_site(session: AsyncSession, query: HostQuery) -> Row | None:
    stmt = select(sites).where(sites.c.active.is_(True))
    if query.by == "city":
        stmt = stmt.where(sites.c.kind == "city")
    elif query.by == "slug":
        stmt = stmt.where(sites.c.slug == query.value)
    else:
        stmt = stmt.where(sites.c.domain == query.value)
    return (await session.execute(stmt.limit(1))).first()


async def latest(session: AsyncSession, tenant: str, limit: int = 20) -> list[Row]:
    stmt = (
        select(pages)
        .where(pages.c.tenant == tenant, pages.c.status == "live")
        .order_by(pages.c.published_at.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).all())


async def page_at(session: AsyncSession, tenant: str, path: str) -> Row | None:
    stmt = (
        select(pages)
        .where(pages.c.tenant == tenant, pages.c.path == path)
        .order_by((pages.c.status == "live").desc())  # a live page wins over a tombstone
        .limit(1)
    )
    return (await session.execute(stmt)).first()
