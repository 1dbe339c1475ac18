"""Starts admin: `python -m services.admin` serves; `... migrate` only migrates."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from contracts import AuditRecorded, topics
from runtime.auth import TokenIssuer
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings, demo_refusal
from services.admin import commands, handlers
from services.admin.accounts_api import UserController
from services.admin.api import AuthController, TenantController
from services.admin.audit_api import AuditController
from services.admin.throttle import Throttle
from services.admin.ui.app import ui_options

NAME = "admin"
MIGRATIONS = Path(__file__).parent / "migrations"

SUBSCRIPTIONS = (
    # Every service's audit events, appended to the hash-chained log in topic order
    # (one partition, so one consumer appends at a time).
    Subscription(topics.AUDIT, {AuditRecorded: handlers.on_audit_recorded}),
)


def build(settings: Settings) -> tuple[Service, Litestar]:
    refusal = demo_refusal(settings)
    if refusal is not None:  # a public password and TOTP: never on a reachable server
        raise SystemExit(f"admin refuses to start: {refusal}")
    service = Service(NAME, settings, migrations_dir=MIGRATIONS, subscriptions=SUBSCRIPTIONS)
    auth = service.token_auth()
    tokens = TokenIssuer(settings)
    throttle = Throttle.create(settings)

    async def seed() -> None:
        async with service.unit_of_work() as uow:
            await commands.seed_tenants(uow)
        if settings.demo:
            async with service.unit_of_work() as uow:
                await commands.ensure_demo_accounts(uow)

    async def announce() -> None:
        async with service.unit_of_work() as uow:
            await commands.announce_tenants(uow)
            await uow.commit()

    service.on_new_log.append(announce)
    ui = ui_options(settings)
    app = service.http_app(
        [AuthController, TenantController, UserController, AuditController,
         *ui.pop("route_handlers")],
        dependencies={"tokens": Provide(lambda: tokens, sync_to_thread=False),
                      "throttle": Provide(lambda: throttle, sync_to_thread=False),
                      **ui.pop("dependencies")},
        middleware=ui.pop("middleware"),
        on_app_init=[auth.on_app_init],
        on_startup=[seed],
        on_shutdown=[*ui.pop("on_shutdown"), throttle.close],
        **ui,
    )  # fmt: skip
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
