"""admin's tables and queries."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.auth import Principal, Role
from runtime.messaging import messaging_tables
from runtime.types import UtcDateTime
from services.admin.domain import Tenant

metadata = MetaData()
outbox, inbox = messaging_tables(metadata)

tenants = Table(
    "tenants",
    metadata,
    Column("slug", String(50), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(300), nullable=False),
    Column("domain", String(253), nullable=False, unique=True),
    Column("languages", JSON, nullable=False),
    Column("parent", String(50), nullable=True),
    Column("owner", String(50), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("operator", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

account_roles = Table(
    "account_roles",
    metadata,
    Column(
        "username",
        String(100),
        ForeignKey("accounts.username", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tenant", String(50), ForeignKey("tenants.slug"), primary_key=True),
    Column("role", String(30), nullable=False),
)


def _tenant(row: object) -> Tenant:
    return Tenant(
        slug=row.slug,  # type: ignore[attr-defined]
        kind=row.kind,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        domain=row.domain,  # type: ignore[attr-defined]
        languages=tuple(row.languages),  # type: ignore[attr-defined]
        parent=row.parent,  # type: ignore[attr-defined]
        owner=row.owner,  # type: ignore[attr-defined]
        active=row.active,  # type: ignore[attr-defined]
        sequence=row.sequence,  # type: ignore[attr-defined]
    )


async def all_tenants(session: AsyncSession) -> list[Tenant]:
    rows = await session.execute(select(tenants).order_by(tenants.c.slug))
    return [_tenant(r) for r in rows]


async def get_tenant(
    session: AsyncSession, slug: str, *, for_update: bool = False
) -> Tenant | None:
    query = select(tenants).where(tenants.c.slug == slug)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return _tenant(row) if row else None


async def find_account(session: AsyncSession, username: str) -> tuple[str, Principal] | None:
    """The stored password hash and the principal of an active account."""
    row = (
        await session.execute(
            select(accounts).where(accounts.c.username == username, accounts.c.active.is_(True))
        )
    ).first()
    if row is None:
        return None
    roles = await session.execute(
        select(account_roles.c.tenant, account_roles.c.role).where(
            account_roles.c.username == username
        )
    )
    principal = Principal(
        username=row.username,
        display_name=row.display_name,
        roles={tenant: Role[role] for tenant, role in roles},
        operator=row.operator,
    )
    return row.password_hash, principal
