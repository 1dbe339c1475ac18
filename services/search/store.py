"""search's tables: what is indexed (the record an index is a projection of), and the
sites it knows.

`documents` keeps the latest state of every document, keyed by its source's
sequence: an older or repeated event changes nothing, and a withdrawal leaves a
tombstone (withdrawn, no data) so a late publish event cannot bring it back.
`pending` rows are what the indexer has not yet applied to the engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.messaging import messaging_tables
from runtime.types import UtcDateTime
from services.search.documents import SearchDoc

metadata = MetaData()
outbox, inbox = messaging_tables(metadata)

documents = Table(
    "documents",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("site", String(50), nullable=False),
    #: The source's version: ArticlePublished/Withdrawn.sequence, or for answers the
    #: publication time in microseconds.
    Column("sequence", BigInteger, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    Column("data", JSON, nullable=True),
    Column("pending", Boolean, nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    #: What to confirm to the publish receipt once the change is searchable
    #: ({"article_id", "sequence", "action", "path"}), or null.
    Column("receipt", JSON, nullable=True),
    Index("ix_documents_pending", "pending", "changed_at"),
)

sites = Table(
    "sites",
    metadata,
    Column("slug", String(50), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("domain", String(253), nullable=False),
    Column("kind", String(20), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("sequence", Integer, nullable=False),
)

#: Each site's category names ({slug: name}), from CategoryTreeUpdated: facet labels.
category_trees = Table(
    "category_trees",
    metadata,
    Column("tenant", String(50), primary_key=True),
    Column("names", JSON, nullable=False),
    Column("sequence", Integer, nullable=False),
)


async def pending(session: AsyncSession, limit: int) -> Sequence[Row[Any]]:
    rows = await session.execute(
        select(documents)
        .where(documents.c.pending.is_(True))
        .order_by(documents.c.changed_at)
        .limit(limit)
    )
    return rows.all()


async def mark_indexed(session: AsyncSession, done: Sequence[tuple[str, int]]) -> None:
    """Clear `pending` only where the row is still the version indexed: a newer event
    that arrived meanwhile stays pending."""
    if not done:
        return
    stmt = (
        update(documents)
        .where(
            and_(documents.c.id == bindparam("doc_id"), documents.c.sequence == bindparam("seq"))
        )
        .values(pending=False, receipt=None)
    )
    connection = await session.connection()
    await connection.execute(stmt, [{"doc_id": i, "seq": s} for i, s in done])


async def mark_all_pending(session: AsyncSession, since: datetime | None = None) -> int:
    stmt = update(documents).values(pending=True)
    if since is not None:
        stmt = stmt.where(documents.c.changed_at >= since)
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def mark_site_pending(session: AsyncSession, site: str) -> None:
    await session.execute(update(documents).where(documents.c.site == site).values(pending=True))


async def closed_sites(session: AsyncSession) -> set[str]:
    """Sites that are no longer active: their documents are not searchable."""
    rows = await session.execute(select(sites.c.slug).where(sites.c.active.is_(False)))
    return set(rows.scalars())


async def live_batches(session: AsyncSession, size: int = 2000) -> AsyncIterator[list[SearchDoc]]:
    """Every live document, in id order, `size` at a time (keyset paging)."""
    after = ""
    while True:
        rows = (
            await session.execute(
                select(documents.c.id, documents.c.data)
                .where(
                    and_(
                        documents.c.withdrawn.is_(False),
                        documents.c.id > after,
                        documents.c.site.not_in(
                            select(sites.c.slug).where(sites.c.active.is_(False))
                        ),
                    )
                )
                .order_by(documents.c.id)
                .limit(size)
            )
        ).all()
        if not rows:
            return
        yield [SearchDoc.from_json(row.data) for row in rows]
        after = rows[-1].id


async def counts(session: AsyncSession) -> dict[str, int]:
    live = await session.scalar(
        select(func.count()).select_from(documents).where(documents.c.withdrawn.is_(False))
    )
    waiting = await session.scalar(
        select(func.count()).select_from(documents).where(documents.c.pending.is_(True))
    )
    return {"live": int(live or 0), "pending": int(waiting or 0)}


async def site_names(session: AsyncSession) -> dict[str, tuple[str, str]]:
    rows = await session.execute(select(sites.c.slug, sites.c.name, sites.c.domain))
    return {row.slug: (row.name, row.domain) for row in rows}


async def category_names(session: AsyncSession) -> dict[str, dict[str, str]]:
    rows = await session.execute(select(category_trees.c.tenant, category_trees.c.names))
    return {row.tenant: dict(row.names) for row in rows}
