"""feedback's event consumers: the sites questions may be sent to."""

from __future__ import annotations

from contracts import Envelope, TenantUpserted
from runtime.messaging import UnitOfWork
from runtime.upsert import upsert_newer
from services.feedback import store


async def on_tenant_upserted(uow: UnitOfWork, event: TenantUpserted, _env: Envelope) -> None:
    await upsert_newer(
        uow.session,
        store.sites,
        key={"slug": event.tenant},
        values={
            "name": event.name,
            "domain": event.domain,
            "active": event.active,
            "kind": event.kind,
        },
        sequence=event.sequence,
    )
