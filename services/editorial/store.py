"""editorial's tables and queries."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.messaging import messaging_tables
from runtime.types import UtcDateTime

metadata = MetaData()
outbox, inbox = messaging_tables(metadata)

#: One row per submitted revision: what the board reads and decides on.
reviews = Table(
    "reviews",
    metadata,
    Column("revision_id", String(36), primary_key=True),
    Column("article_id", String(36), nullable=False, index=True),
    Column("tenant", String(50), nullable=False),
    Column("revision_number", Integer, nullable=False),
    Column("category", String(60), nullable=False),
    Column("title", String(500), nullable=False),
    Column("summary", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("submitted_by", String(100), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("reason", Text, nullable=True),
    Column("note", Text, nullable=True),
    Index("ix_reviews_queue", "tenant", "status", "submitted_at"),
)


async def get_review(
    session: AsyncSession, revision_id: str, *, for_update: bool = False
) -> Row | None:
    query = select(reviews).where(reviews.c.revision_id == revision_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def queue(
    session: AsyncSession, tenant: str, status: str, limit: int, offset: int
) -> list[Row]:
    query = (
        select(reviews)
        .where(reviews.c.tenant == tenant, reviews.c.status == status)
        .order_by(reviews.c.submitted_at)
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(query)).all())
