"""Starts content: `python -m services.content` serves; `... migrate` only migrates."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from contracts import RevisionApproved, RevisionRejected, TenantUpserted, topics
from runtime.auth import jwt_auth
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.content import handlers
from services.content.api import ArticleController

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
    auth = jwt_auth(settings.auth_secret)
    app = service.http_app([ArticleController], on_app_init=[auth.on_app_init])
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
