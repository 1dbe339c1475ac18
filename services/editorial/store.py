"""editorial's tables and queries."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    select,
)
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
    Column("kind", String(20), nullable=False, server_default="news"),
    Column("details", JSON, nullable=True),
    Column("language", String(10), nullable=False, server_default="vi"),
    Column("images", JSON, nullable=False, server_default="[]"),
    Column("attachments", JSON, nullable=False, server_default="[]"),
    Column("authors", JSON, nullable=False, server_default="[]"),
    Column("origin", String(20), nullable=False, server_default="editor"),
    Column("force_reason", Text, nullable=True),
    #: Rejection ground of Quy chế 004 Điều 14.3.
    Column("ground", String(30), nullable=True),
    Column("publish_at", UtcDateTime(), nullable=True),
    Column("royalty_coefficient", Numeric(6, 1), nullable=True),
    #: Forced publications wait for the board's review afterwards.
    Column("needs_post_review", Boolean, nullable=False, server_default="0"),
    Column("post_reviewed_by", String(100), nullable=True),
    Column("post_reviewed_at", UtcDateTime(), nullable=True),
    Column("post_review_note", Text, nullable=True),
    #: An approval content will not publish (ApprovalSuperseded): why, and since when.
    Column("lapse_reason", String(30), nullable=True),
    Column("lapsed_at", UtcDateTime(), nullable=True),
    #: A component site's proposal (origin "proposed", Điều 12.1.a): the proposing site
    #: and the article's address there, for the city board to read before deciding.
    Column("source_tenant", String(50), nullable=True),
    Column("source_url", String(500), nullable=True),
    Index("ix_reviews_queue", "tenant", "status", "submitted_at"),
    Index("ix_reviews_post_review", "tenant", "needs_post_review"),
)

#: Each publication of an article, from ArticlePublished: the receipt's "published"
#: step and, for the first one, the date royalties count from.
publications = Table(
    "publications",
    metadata,
    Column("article_id", String(36), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("revision_id", String(36), nullable=False, index=True),
    Column("tenant", String(50), nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("first_published_at", UtcDateTime(), nullable=False),
    Column("title", String(500), nullable=False),
    Column("kind", String(20), nullable=False),
)

#: Consumers' confirmations (DeliveryConfirmed), keyed by the publication they took.
deliveries = Table(
    "deliveries",
    metadata,
    Column("article_id", String(36), primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("step", String(30), primary_key=True),
    Column("consumer", String(50), nullable=False),
    Column("action", String(20), nullable=False),
    Column("confirmed_at", UtcDateTime(), nullable=False),
    Column("detail", Text, nullable=False),
)

#: Site names, for reports.
tenants = Table(
    "tenants",
    metadata,
    Column("slug", String(50), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("sequence", Integer, nullable=False),
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


async def post_review_queue(session: AsyncSession, tenant: str, limit: int) -> list[Row]:
    query = (
        select(reviews)
        .where(reviews.c.tenant == tenant, reviews.c.needs_post_review.is_(True))
        .order_by(reviews.c.decided_at)
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def publication_of(session: AsyncSession, revision_id: str) -> Row | None:
    query = (
        select(publications)
        .where(publications.c.revision_id == revision_id)
        .order_by(publications.c.sequence)
        .limit(1)
    )
    return (await session.execute(query)).first()


async def deliveries_of(session: AsyncSession, article_id: str, sequence: int) -> list[Row]:
    query = select(deliveries).where(
        deliveries.c.article_id == article_id, deliveries.c.sequence == sequence
    )
    return list((await session.execute(query)).all())


async def tenant_name(session: AsyncSession, slug: str) -> str | None:
    return await session.scalar(select(tenants.c.name).where(tenants.c.slug == slug))


async def royalty_works(session: AsyncSession, tenant: str) -> list[Row]:
    """Approved reviews with a coefficient, joined to their first publication."""
    query = (
        select(
            reviews.c.article_id,
            reviews.c.tenant,
            reviews.c.title,
            reviews.c.kind,
            reviews.c.author,
            reviews.c.authors,
            reviews.c.royalty_coefficient,
            publications.c.published_at,
        )
        .join(publications, publications.c.revision_id == reviews.c.revision_id)
        .where(
            reviews.c.tenant == tenant,
            reviews.c.status == "approved",
            reviews.c.royalty_coefficient.is_not(None),
        )
        .order_by(publications.c.published_at)
    )
    return list((await session.execute(query)).all())
