"""admin's use cases: each runs in one unit of work."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from runtime.messaging import UnitOfWork
from services.admin import store
from services.admin.domain import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    SEED_TENANTS,
    Tenant,
    hash_password,
    next_version,
    read_tenants_csv,
)


async def upsert_tenant(uow: UnitOfWork, wanted: Tenant) -> tuple[Tenant, bool]:
    """Store the tenant; emit TenantUpserted when something changed. Returns (tenant, changed)."""
    current = await store.get_tenant(uow.session, wanted.slug, for_update=True)
    stored = next_version(current, wanted)
    if stored is None:
        assert current is not None
        return current, False
    values = {
        "kind": stored.kind,
        "name": stored.name,
        "domain": stored.domain,
        "languages": list(stored.languages),
        "parent": stored.parent,
        "owner": stored.owner,
        "active": stored.active,
        "sequence": stored.sequence,
        "updated_at": datetime.now(UTC),
    }
    if current is None:
        await uow.session.execute(insert(store.tenants).values(slug=stored.slug, **values))
    else:
        await uow.session.execute(
            update(store.tenants).where(store.tenants.c.slug == stored.slug).values(**values)
        )
    uow.emit(stored.to_event())
    return stored, True


async def seed_tenants(uow: UnitOfWork) -> int:
    """Load the launch tenants; then announce every tenant, so a consumer whose
    broker lost the compacted topic (the embedded broker keeps nothing) catches up.
    Re-announcing is harmless: consumers keep the highest sequence."""
    with SEED_TENANTS.open(encoding="utf-8") as lines:
        seeded = list(read_tenants_csv(lines))
    existing = await store.all_tenants(uow.session)
    for tenant in existing:
        uow.emit(tenant.to_event())
    known = {t.slug for t in existing}
    new = [t for t in seeded if t.slug not in known]
    for tenant in new:
        await upsert_tenant(uow, tenant)
    await uow.commit()
    return len(new)


async def ensure_demo_accounts(uow: UnitOfWork) -> None:
    now = datetime.now(UTC)
    for account in DEMO_ACCOUNTS:
        exists = await uow.session.scalar(
            select(store.accounts.c.username).where(store.accounts.c.username == account.username)
        )
        if exists:
            continue
        await uow.session.execute(
            insert(store.accounts).values(
                username=account.username,
                display_name=account.display_name,
                password_hash=hash_password(DEMO_PASSWORD),
                operator=account.operator,
                active=True,
                created_at=now,
            )
        )
        for tenant, role in account.roles.items():
            await uow.session.execute(
                insert(store.account_roles).values(
                    username=account.username, tenant=tenant, role=role.name
                )
            )
    await uow.commit()
