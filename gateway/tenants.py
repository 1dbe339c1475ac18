"""The gateway's map of sites, rebuilt in memory from the compacted tenant topic."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts import Envelope, TenantUpserted
from runtime.tenancy import tenant_for_host


@dataclass
class Directory:
    by_slug: dict[str, TenantUpserted] = field(default_factory=dict)
    by_domain: dict[str, str] = field(default_factory=dict)
    city: str | None = None

    async def on_tenant_upserted(self, event: TenantUpserted, _env: Envelope) -> None:
        current = self.by_slug.get(event.tenant)
        if current is not None and current.sequence >= event.sequence:
            return
        if current is not None:
            self.by_domain.pop(current.domain, None)
        if not event.active:
            self.by_slug.pop(event.tenant, None)
            if self.city == event.tenant:
                self.city = None
            return
        self.by_slug[event.tenant] = event
        self.by_domain[event.domain] = event.tenant
        if event.kind == "city":
            self.city = event.tenant

    def resolve(self, host: str) -> str | None:
        """Tenant slug for a Host header; BadHost if it is malformed."""
        return tenant_for_host(host, domains=self.by_domain, slugs=self.by_slug, city=self.city)
