"""admin's use cases: each runs in one unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from runtime.auth import Principal
from runtime.messaging import UnitOfWork
from services.admin import store
from services.admin.domain import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    SEED_TENANTS,
    Tenant,
    default_profile,
    hash_password,
    next_version,
    read_tenants_csv,
)
from services.admin.security import demo_totp_secret, totp_required

#: Fields of a tenant an audit entry shows before and after.
AUDITED_FIELDS = ("kind", "name", "domain", "languages", "parent", "owner", "active", "profile")


def tenant_action(current: Tenant | None, stored: Tenant) -> str:
    """The audit action a change to a tenant is (pure): creation, the domain moved, the
    site closed or reopened, its profile edited, or another edit."""
    if current is None:
        return "tenant.create"
    if current.active != stored.active:
        return "tenant.deactivate" if not stored.active else "tenant.reactivate"
    if current.domain != stored.domain:
        return "tenant.domain_change"
    changed = {f for f in AUDITED_FIELDS if getattr(current, f) != getattr(stored, f)}
    return "tenant.profile_edit" if changed == {"profile"} else "tenant.update"


def _fields(tenant: Tenant | None) -> dict[str, object] | None:
    if tenant is None:
        return None
    return {f: getattr(tenant, f) for f in AUDITED_FIELDS}


async def upsert_tenant(
    uow: UnitOfWork, wanted: Tenant, *, actor: str = "system"
) -> tuple[Tenant, bool]:
    """Store the tenant; emit TenantUpserted and an audit entry (who, what, before and
    after) when something changed. Returns (tenant, changed)."""
    current = await store.get_tenant(uow.session, wanted.slug, for_update=True)
    stored = next_version(current, wanted)
    if stored is None:
        assert current is not None
        return current, False
    uow.audit(
        actor=actor,
        action=tenant_action(current, stored),
        subject=f"tenant:{stored.slug}",
        tenant=stored.slug,
        before=_fields(current),
        after=_fields(stored),
    )
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
        "profile": dict(stored.profile),
    }
    if current is None:
        await uow.session.execute(insert(store.tenants).values(slug=stored.slug, **values))
    else:
        await uow.session.execute(
            update(store.tenants).where(store.tenants.c.slug == stored.slug).values(**values)
        )
    uow.emit(stored.to_event())
    return stored, True


async def announce_tenants(uow: UnitOfWork) -> list[Tenant]:
    """Announce every tenant again, so a consumer whose broker lost the compacted topic
    (the embedded broker keeps nothing) catches up. Harmless: consumers keep the
    highest sequence."""
    existing = await store.all_tenants(uow.session)
    for tenant in existing:
        uow.emit(tenant.to_event())
    return existing


async def seed_tenants(uow: UnitOfWork) -> int:
    """Load the launch tenants missing from the database, and announce them all."""
    with SEED_TENANTS.open(encoding="utf-8") as lines:
        seeded = list(read_tenants_csv(lines))
    existing = await announce_tenants(uow)
    known = {t.slug for t in existing}
    new = [t for t in seeded if t.slug not in known]
    names = {t.slug: t.name for t in seeded}
    for tenant in new:
        await upsert_tenant(uow, replace(tenant, profile=default_profile(tenant, names)))
    for tenant in existing:  # sites created before profiles existed
        if not tenant.profile:
            await upsert_tenant(uow, replace(tenant, profile=default_profile(tenant, names)))
    await uow.commit()
    return len(new)


async def ensure_demo_accounts(uow: UnitOfWork) -> None:
    """Create the PORTAL_DEMO accounts. Those that need a second factor get the demo TOTP
    secret derived from their username, so the demo seeder and people trying the demo
    can log in without scanning a QR code (never on a real deployment)."""
    now = datetime.now(UTC)
    for account in DEMO_ACCOUNTS:
        principal = Principal(
            account.username, account.display_name, account.roles, account.operator
        )
        totp_secret = demo_totp_secret(account.username) if totp_required(principal) else None
        existing = (
            await uow.session.execute(
                select(store.accounts.c.totp_secret).where(
                    store.accounts.c.username == account.username
                )
            )
        ).first()
        if existing is not None:
            if existing.totp_secret is None and totp_secret is not None:
                await store.update_account(uow.session, account.username, totp_secret=totp_secret)
            continue
        await uow.session.execute(
            insert(store.accounts).values(
                username=account.username,
                display_name=account.display_name,
                password_hash=hash_password(DEMO_PASSWORD),
                operator=account.operator,
                active=True,
                created_at=now,
                totp_secret=totp_secret,
                password_changed_at=now,
            )
        )
        for tenant, role in account.roles.items():
            await uow.session.execute(
                insert(store.account_roles).values(
                    username=account.username, tenant=tenant, role=role.name
                )
            )
    await uow.commit()
