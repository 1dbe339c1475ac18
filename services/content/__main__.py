"""Starts content: `python -m services.content` serves; `... migrate` only migrates."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from contracts import RevisionApproved, RevisionRejected, TenantUpserted, topics
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.content import category_commands, handlers, import_api
from services.content.api import (
    ArticleController,
    CategoryController,
    MediaController,
    media_file,
)
from services.content.objectstore import S3Storage, storage_for
from services.content.scheduler import Scheduler

NAME = "content"
MIGRATIONS = Path(__file__).parent / "migrations"

SUBSCRIPTIONS = (
    Subscription(topics.TENANT, {TenantUpserted: handlers.on_tenant_upserted}),
    Subscription(
        topics.REVIEW,
        {
            RevisionApproved: handlers.on_revision_approved,
            RevisionRejected: handlers.on_revision_rejected,
        },
    ),
)


def build(settings: Settings) -> tuple[Service, Litestar]:
    service = Service(NAME, settings, migrations_dir=MIGRATIONS, subscriptions=SUBSCRIPTIONS)
    service.background["scheduler"] = Scheduler(service.unit_of_work).run

    async def announce_trees() -> None:
        async with service.unit_of_work() as uow:
            await category_commands.announce_trees(uow)
            await uow.commit()

    service.on_new_log.append(announce_trees)
    storage = storage_for(settings)
    on_shutdown = []
    if isinstance(storage, S3Storage):
        service.extra_checks.append(storage.ready)
        on_shutdown.append(storage.close)
    auth = service.token_auth()  # open routes say exclude_from_auth
    app = service.http_app(
        [ArticleController, CategoryController, MediaController, media_file, *import_api.ROUTES],
        dependencies={"storage": Provide(lambda: storage, sync_to_thread=False)},
        on_app_init=[auth.on_app_init],
        on_startup=[announce_trees],
        on_shutdown=on_shutdown,
    )
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
