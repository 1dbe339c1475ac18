"""Starts admin: `python -m services.admin` serves; `... migrate` only migrates."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from runtime.auth import TokenIssuer, jwt_auth
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.admin import commands
from services.admin.api import AuthController, TenantController

NAME = "admin"
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: Settings) -> tuple[Service, Litestar]:
    service = Service(NAME, settings, migrations_dir=MIGRATIONS)
    auth = jwt_auth(settings.auth_secret)
    tokens = TokenIssuer(auth)

    async def seed() -> None:
        async with service.unit_of_work() as uow:
            await commands.seed_tenants(uow)
        if settings.demo:
            async with service.unit_of_work() as uow:
                await commands.ensure_demo_accounts(uow)

    app = service.http_app(
        [AuthController, TenantController],
        dependencies={"tokens": Provide(lambda: tokens, sync_to_thread=False)},
        on_app_init=[auth.on_app_init],
        on_startup=[seed],
    )
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
