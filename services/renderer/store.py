"""renderer's read model: sites, their category trees and their pages, kept from events only.

Every query a citizen's page makes is here, each on an index: a page answers with a
handful of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
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
    #: SiteProfile as JSON: the footer's legal facts and the EMC / trust badge slots.
    Column("profile", JSON, nullable=True),
)

#: Each site's whole category tree, as CategoryTreeUpdated carried it: the menus.
category_trees = Table(
    "category_trees",
    metadata,
    Column("tenant", String(50), primary_key=True),
    #: [{slug, name, parent, position, name_en}], NFC.
    Column("categories", JSON, nullable=False),
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
    Column("kind", String(20), nullable=False, server_default="news"),
    Column("details", JSON, nullable=True),
    Column("language", String(10), nullable=False, server_default="vi"),
    Column("translation_of", String(36), nullable=True, index=True),
    Column("images", JSON, nullable=False, server_default="[]"),
    Column("attachments", JSON, nullable=False, server_default="[]"),
    #: How a withdrawn page answers: notice (410 with the notice), redirect (301), gone (410).
    Column("withdrawal_kind", String(20), nullable=True),
    Column("notice", Text, nullable=True),
    Column("redirect_to", String(500), nullable=True),
    #: Documents (kind "document"): the library's filters, taken from `details` at ingest.
    Column("doc_type", String(100), nullable=True),
    Column("doc_issuer", String(300), nullable=True),
    Column("doc_year", Integer, nullable=True),
    Column("doc_field", String(200), nullable=True),
    Column("doc_validity", String(30), nullable=True),
    #: Title and summary folded (no case, no diacritics) for the basic search.
    #: When the last event about the page took effect: the sitemaps' lastmod.
    Column("changed_at", UtcDateTime(), nullable=True),
    #: A copy of another site's article (syndication): where the original is, whose it
    #: is, and the credit line's name. All null on a site's own articles.
    Column("origin_tenant", String(50), nullable=True),
    Column("origin_article_id", String(36), nullable=True),
    Column("canonical_url", String(1000), nullable=True),
    Column("origin_name", String(300), nullable=True),
    Index("ix_pages_tenant_path", "tenant", "path"),
    Index("ix_pages_latest", "tenant", "status", "published_at"),
    Index("ix_pages_category", "tenant", "category", "status", "published_at"),
    Index("ix_pages_kind", "tenant", "kind", "status", "published_at"),
    Index("ix_pages_language", "tenant", "language", "status", "published_at"),
    Index("ix_pages_changed", "tenant", "changed_at"),
    #: Across sites, newest first: the city portal's news from its component sites.
    Index("ix_pages_recent", "kind", "status", "published_at"),
)

#: Old paths of moved articles: they answer 301 to where the article is now.
redirects = Table(
    "redirects",
    metadata,
    Column("tenant", String(50), primary_key=True),
    Column("path", String(300), primary_key=True),
    Column("article_id", String(36), nullable=False),
    Column("sequence", Integer, nullable=False),
)

#: A site's own article, not a copy of another site's (copies have their origin set).
OWN = pages.c.origin_article_id.is_(None)

#: What list pages show of an article (not its body).
LIST_COLUMNS = (
    pages.c.article_id,
    pages.c.path,
    pages.c.category,
    pages.c.category_name,
    pages.c.title,
    pages.c.summary,
    pages.c.published_at,
    pages.c.updated_at,
    pages.c.kind,
    pages.c.language,
    pages.c.images,
    pages.c.details,
)


# --- sites and trees ---------------------------------------------------------------------


async def find_site(session: AsyncSession, query: HostQuery) -> Row | None:
    stmt = select(sites).where(sites.c.active.is_(True))
    if query.by == "city":
        stmt = stmt.where(sites.c.kind == "city")
    elif query.by == "slug":
        stmt = stmt.where(sites.c.slug == query.value)
    else:
        stmt = stmt.where(sites.c.domain == query.value)
    return (await session.execute(stmt.limit(1))).first()


async def site_by_slug(session: AsyncSession, slug: str) -> Row | None:
    return (await session.execute(select(sites).where(sites.c.slug == slug))).first()


async def category_tree(session: AsyncSession, tenant: str) -> list[dict[str, Any]]:
    stmt = select(category_trees.c.categories).where(category_trees.c.tenant == tenant)
    return list(await session.scalar(stmt) or [])


async def city_slug(session: AsyncSession) -> str | None:
    """The city portal's slug, once renderer knows it."""
    stmt = select(sites.c.slug).where(sites.c.kind == "city", sites.c.active.is_(True))
    return await session.scalar(stmt.limit(1))


async def sites_by_slug(session: AsyncSession, slugs: Sequence[str]) -> dict[str, Row]:
    if not slugs:
        return {}
    stmt = select(sites.c.slug, sites.c.kind, sites.c.domain, sites.c.active).where(
        sites.c.slug.in_(list(slugs))
    )
    return {row.slug: row for row in (await session.execute(stmt)).all()}


#: The component sites' kinds, in the order the city's directory groups them.
COMPONENT_KINDS = ("department", "ward", "commune", "special")


async def component_sites(session: AsyncSession) -> list[Row]:
    """Every active site but the city, for the city's directory of its component sites."""
    stmt = (
        select(sites.c.slug, sites.c.kind, sites.c.name, sites.c.domain)
        .where(sites.c.active.is_(True), sites.c.kind != "city")
        .order_by(sites.c.kind, sites.c.slug)
    )
    return list((await session.execute(stmt)).all())


async def component_news(session: AsyncSession, *, limit: int) -> list[Row]:
    """The newest live Vietnamese news of the active component sites: their own
    articles, not copies (a copy on a ward of the city's article is the city's news),
    with the site each is on. Walks ix_pages_recent newest first."""
    stmt = (
        select(*LIST_COLUMNS, pages.c.tenant, sites.c.name.label("site_name"), sites.c.domain)
        .join(sites, sites.c.slug == pages.c.tenant)
        .where(
            pages.c.kind == "news",
            pages.c.status == "live",
            pages.c.language == "vi",
            OWN,
            sites.c.kind != "city",
            sites.c.active.is_(True),
        )
        .order_by(pages.c.published_at.desc(), pages.c.article_id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).all())


async def active_sites_with_lastmod(session: AsyncSession) -> list[Row]:
    """Every active site with when its pages last changed (None: never), for the
    city's sitemap index. One index seek per site."""
    last = (
        select(func.max(pages.c.changed_at))
        .where(pages.c.tenant == sites.c.slug)
        .scalar_subquery()
        .label("lastmod")
    )
    live = (
        select(func.count())
        .where(pages.c.tenant == sites.c.slug, pages.c.status == "live", OWN)
        .scalar_subquery()
        .label("live")
    )
    stmt = (
        select(sites.c.slug, sites.c.domain, last, live)
        .where(sites.c.active.is_(True))
        .order_by(sites.c.kind != "city", sites.c.slug)
    )
    return list((await session.execute(stmt)).all())


# --- one page ----------------------------------------------------------------------------


async def page_at(session: AsyncSession, tenant: str, path: str) -> Row | None:
    stmt = (
        select(pages)
        .where(pages.c.tenant == tenant, pages.c.path == path)
        .order_by((pages.c.status == "live").desc())  # a live page wins over a tombstone
        .limit(1)
    )
    return (await session.execute(stmt)).first()


async def page_by_id(session: AsyncSession, article_id: str) -> Row | None:
    """The stored row (to know where an article was before an event moves it)."""
    stmt = select(
        pages.c.tenant,
        pages.c.category,
        pages.c.status,
        pages.c.translation_of,
        pages.c.kind,
        pages.c.language,
    ).where(pages.c.article_id == article_id)
    return (await session.execute(stmt)).first()


async def pages_by_ids(session: AsyncSession, article_ids: Sequence[str]) -> dict[str, Row]:
    """Where each of these pages is now (one query), by id; unknown ids are absent."""
    if not article_ids:
        return {}
    stmt = select(pages.c.article_id, pages.c.tenant, pages.c.category, pages.c.path).where(
        pages.c.article_id.in_(list(article_ids))
    )
    return {row.article_id: row for row in (await session.execute(stmt)).all()}


#: Rows per statement of a batched upsert: far inside the bound-parameter limits of
#: SQLite (32,766) and asyncpg (32,767) at the pages table's ~35 columns.
UPSERT_BATCH = 200


async def upsert_newer_pages(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """runtime.upsert.upsert_newer for many pages in one statement per batch: each row
    is inserted, or updates the stored one when its `sequence` is higher. The ids of
    the rows written (RETURNING lists only rows inserted or updated, on PostgreSQL and
    SQLite alike). Every row must have the same columns."""
    if not rows:
        return set()
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    columns = [name for name in rows[0] if name != "article_id"]
    written: set[str] = set()
    for start in range(0, len(rows), UPSERT_BATCH):
        stmt = dialect.insert(pages).values(list(rows[start : start + UPSERT_BATCH]))
        stmt = stmt.on_conflict_do_update(
            index_elements=["article_id"],
            set_={name: stmt.excluded[name] for name in columns},
            where=pages.c.sequence < stmt.excluded.sequence,
        ).returning(pages.c.article_id)
        written.update((await session.execute(stmt)).scalars())
    return written


async def redirect_from(session: AsyncSession, tenant: str, path: str) -> Row | None:
    """Where an old path of a moved, live article now is (path and article id)."""
    stmt = (
        select(pages.c.path, pages.c.article_id)
        .join(redirects, redirects.c.article_id == pages.c.article_id)
        .where(
            redirects.c.tenant == tenant,
            redirects.c.path == path,
            pages.c.status == "live",
        )
    )
    return (await session.execute(stmt)).first()


async def translations(session: AsyncSession, page: Row) -> list[Row]:
    """Live versions of the same article in other languages (original included)."""
    original = page.translation_of or page.article_id
    stmt = select(pages.c.article_id, pages.c.language, pages.c.path, pages.c.title).where(
        pages.c.status == "live",
        pages.c.tenant == page.tenant,
        pages.c.article_id != page.article_id,
        (pages.c.translation_of == original) | (pages.c.article_id == original),
    )
    return list((await session.execute(stmt)).all())


# --- lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """Which live pages of a site a list shows; empty tuples mean "any"."""

    tenant: str
    categories: Sequence[str] = ()
    kinds: Sequence[str] = ()
    languages: Sequence[str] = ()
    exclude_languages: Sequence[str] = ()
    doc_type: str | None = None
    doc_issuer: str | None = None
    doc_year: int | None = None
    doc_field: str | None = None
    doc_validity: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        c = pages.c
        clauses: list[ColumnElement[bool]] = [c.tenant == self.tenant, c.status == "live"]
        if self.categories:
            clauses.append(_one_of(c.category, self.categories))
        if self.kinds:
            clauses.append(_one_of(c.kind, self.kinds))
        if self.languages:
            clauses.append(_one_of(c.language, self.languages))
        if self.exclude_languages:
            clauses.append(c.language.not_in(list(self.exclude_languages)))
        for column, value in (
            (c.doc_type, self.doc_type),
            (c.doc_issuer, self.doc_issuer),
            (c.doc_year, self.doc_year),
            (c.doc_field, self.doc_field),
            (c.doc_validity, self.doc_validity),
        ):
            if value is not None:
                clauses.append(column == value)
        return clauses


def _one_of(column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    return column == values[0] if len(values) == 1 else column.in_(list(values))


async def list_pages(
    session: AsyncSession, listing: Listing, *, limit: int, offset: int = 0
) -> list[Row]:
    """Newest first."""
    stmt = (
        select(*LIST_COLUMNS)
        .where(*listing.where())
        .order_by(pages.c.published_at.desc(), pages.c.article_id)
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(stmt)).all())


async def count_pages(session: AsyncSession, listing: Listing) -> int:
    stmt = select(func.count()).select_from(pages).where(*listing.where())
    return int(await session.scalar(stmt) or 0)


async def document_facets(session: AsyncSession, tenant: str) -> list[Row]:
    """The distinct (type, issuer, year, field, validity) of a site's live documents:
    the choices of the library's filters."""
    c = pages.c
    columns = (c.doc_type, c.doc_issuer, c.doc_year, c.doc_field, c.doc_validity)
    stmt = (
        select(*columns)
        .where(c.tenant == tenant, c.kind == "document", c.status == "live")
        .group_by(*columns)
    )
    return list((await session.execute(stmt)).all())


async def category_fallback_name(session: AsyncSession, tenant: str, category: str) -> str | None:
    """The name live pages give a category the tree does not (yet) have."""
    stmt = (
        select(pages.c.category_name)
        .where(pages.c.tenant == tenant, pages.c.category == category, pages.c.status == "live")
        .limit(1)
    )
    return await session.scalar(stmt)


async def sitemap_entries(
    session: AsyncSession, tenant: str, limit: int, offset: int = 0
) -> list[Row]:
    """The site's own live pages for the sitemap, the most recently changed first (ties
    by path, so consecutive windows neither repeat nor skip a page). Copies of other
    sites' articles are left out: a sitemap lists canonical URLs only, and theirs is
    the original's."""
    stmt = (
        select(pages.c.path, pages.c.category, pages.c.changed_at, pages.c.updated_at)
        .where(pages.c.tenant == tenant, pages.c.status == "live", OWN)
        .order_by(pages.c.changed_at.desc(), pages.c.path)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).all())


async def live_count(session: AsyncSession, tenant: str) -> int:
    """The site's own live pages (what its sitemap lists)."""
    stmt = select(func.count()).where(pages.c.tenant == tenant, pages.c.status == "live", OWN)
    return int(await session.scalar(stmt) or 0)


async def site_lastmod(session: AsyncSession, tenant: str) -> Any:
    stmt = select(func.max(pages.c.changed_at)).where(pages.c.tenant == tenant)
    return await session.scalar(stmt)
