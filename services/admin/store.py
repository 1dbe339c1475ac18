"""admin's tables and queries: tenants, accounts and roles, and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.auth import Principal, Role
from runtime.messaging import messaging_tables
from runtime.types import UtcDateTime
from services.admin.audit import GENESIS, AuditEntry, AuditQuery
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
    #: Footer facts (contracts.SiteProfile fields), edited by the site's administrator.
    Column("profile", JSON, nullable=True),
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
    #: Base32 TOTP secret once enrolment is confirmed; None: no second factor yet.
    Column("totp_secret", String(64), nullable=True),
    #: Secret shown at enrolment, active only after a code from it is confirmed.
    Column("totp_pending", String(64), nullable=True),
    #: Last accepted TOTP step, so a code cannot be used twice.
    Column("totp_last_step", BigInteger, nullable=True),
    #: Consecutive failed logins, and the end of the lock they caused (security.LoginGuard).
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("password_changed_at", UtcDateTime(), nullable=True),
    #: Raised to revoke every token issued before (runtime.auth.Revocations).
    Column("token_version", Integer, nullable=False, server_default="0"),
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


#: Every action of every service, from AuditRecorded events, as a hash chain
#: (services.admin.audit). Append-only: database triggers refuse UPDATE and DELETE.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("tenant", String(50), nullable=True),
    Column("action", String(100), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_tenant_at", "tenant", "at"),
    Index("ix_audit_log_actor", "actor", "seq"),
    Index("ix_audit_log_action", "action", "seq"),
    Index("ix_audit_log_subject", "subject", "seq"),
)

#: The chain's head (one row), updated in the same transaction as each append. Kept
#: apart from the log so that cutting entries off the log's end shows (truncation).
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
AUDIT_HEAD_ID = 1


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
        profile=row.profile or {},  # type: ignore[attr-defined]
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


# --- accounts --------------------------------------------------------------------------


async def get_account(
    session: AsyncSession, username: str, *, for_update: bool = False, active_only: bool = True
) -> Row | None:
    query = select(accounts).where(accounts.c.username == username)
    if active_only:
        query = query.where(accounts.c.active.is_(True))
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def roles_of(session: AsyncSession, username: str) -> dict[str, Role]:
    rows = await session.execute(
        select(account_roles.c.tenant, account_roles.c.role)
        .where(account_roles.c.username == username)
        .order_by(account_roles.c.tenant)
    )
    return {tenant: Role[role] for tenant, role in rows}


async def principal_of(session: AsyncSession, account: Row) -> Principal:
    return Principal(
        username=account.username,
        display_name=account.display_name,
        roles=await roles_of(session, account.username),
        operator=account.operator,
        version=account.token_version,
    )


async def update_account(session: AsyncSession, username: str, **values: Any) -> None:
    await session.execute(update(accounts).where(accounts.c.username == username).values(**values))


async def users_of_tenant(session: AsyncSession, tenant: str) -> list[Row]:
    """Accounts with a role on `tenant`, with that role, by username."""
    query = (
        select(accounts, account_roles.c.role)
        .join(account_roles, account_roles.c.username == accounts.c.username)
        .where(account_roles.c.tenant == tenant)
        .order_by(accounts.c.username)
    )
    return list((await session.execute(query)).all())


async def set_role(session: AsyncSession, username: str, tenant: str, role: Role) -> None:
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(account_roles).values(username=username, tenant=tenant, role=role.name)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["username", "tenant"], set_={"role": stmt.excluded.role}
        )
    )


async def remove_role(session: AsyncSession, username: str, tenant: str) -> None:
    await session.execute(
        delete(account_roles).where(
            account_roles.c.username == username, account_roles.c.tenant == tenant
        )
    )


# --- audit log ---------------------------------------------------------------------------


def audit_entry(row: Row) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        event_id=row.event_id,
        at=row.at,
        actor=row.actor,
        tenant=row.tenant,
        action=row.action,
        subject=row.subject,
        before=row.before,
        after=row.after,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


async def lock_audit_head(session: AsyncSession) -> Row:
    """The head row, locked until commit so that appenders queue (PostgreSQL; SQLite
    serialises writers already). Created at GENESIS if missing."""
    query = select(audit_head).where(audit_head.c.id == AUDIT_HEAD_ID).with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
        await session.execute(
            dialect.insert(audit_head)
            .values(id=AUDIT_HEAD_ID, seq=0, hash=GENESIS, updated_at=datetime.now(UTC))
            .on_conflict_do_nothing()
        )
        row = (await session.execute(query)).one()
    return row


async def read_audit_head(session: AsyncSession) -> Row | None:
    return (await session.execute(select(audit_head))).first()


async def audit_event_seen(session: AsyncSession, event_id: str) -> bool:
    found = await session.scalar(select(audit_log.c.seq).where(audit_log.c.event_id == event_id))
    return found is not None


async def append_audit(session: AsyncSession, entry: AuditEntry, now: datetime) -> None:
    """Insert the entry and move the head to it (call with the head locked)."""
    await session.execute(
        insert(audit_log).values(
            seq=entry.seq,
            event_id=entry.event_id,
            at=entry.at,
            actor=entry.actor,
            tenant=entry.tenant,
            action=entry.action,
            subject=entry.subject,
            before=entry.before,
            after=entry.after,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
    )
    await session.execute(
        update(audit_head)
        .where(audit_head.c.id == AUDIT_HEAD_ID)
        .values(seq=entry.seq, hash=entry.hash, updated_at=now)
    )


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _audit_filters(query: AuditQuery, tenants: Sequence[str] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if tenants is not None:
        # Tenant admins see their own tenants' entries; platform-wide ones (no tenant)
        # are for operators.
        where.append(audit_log.c.tenant.in_(list(tenants)))
    if query.tenant is not None:
        where.append(audit_log.c.tenant == query.tenant)
    if query.actor is not None:
        where.append(audit_log.c.actor == query.actor)
    if query.action_prefix is not None:
        where.append(audit_log.c.action.like(_like_escaped(query.action_prefix) + "%", escape="\\"))
    if query.subject is not None:
        where.append(audit_log.c.subject == query.subject)
    if query.since is not None:
        where.append(audit_log.c.at >= query.since)
    if query.until is not None:
        where.append(audit_log.c.at <= query.until)
    if query.text is not None:
        pattern = "%" + _like_escaped(query.text.lower()) + "%"
        where.append(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (audit_log.c.action, audit_log.c.subject, audit_log.c.actor)
                )
            )
        )
    return where


async def search_audit(
    session: AsyncSession,
    query: AuditQuery,
    *,
    tenants: Sequence[str] | None,
    limit: int,
    offset: int,
) -> list[AuditEntry]:
    """Entries matching a validated query, newest first; `tenants` None means all."""
    statement = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit).offset(offset)
    where = _audit_filters(query, tenants)
    if where:
        statement = statement.where(*where)
    rows = await session.execute(statement)
    return [audit_entry(r) for r in rows]


async def audit_batch(session: AsyncSession, after_seq: int, limit: int) -> list[AuditEntry]:
    """Up to `limit` entries after `after_seq`, in seq order (for verifying in batches)."""
    rows = await session.execute(
        select(audit_log).where(audit_log.c.seq > after_seq).order_by(audit_log.c.seq).limit(limit)
    )
    return [audit_entry(r) for r in rows]
