"""Starts feedback: `python -m services.feedback` serves; `... migrate` only migrates."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from contracts import TenantUpserted, topics
from runtime.auth import jwt_auth
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.feedback import handlers
from services.feedback.api import CalendarController, HandlingController, PublicController
from services.feedback.calendar import Now
from services.feedback.mail import Mailer, Smtp
from services.feedback.watcher import Watcher

NAME = "feedback"
MIGRATIONS = Path(__file__).parent / "migrations"

SUBSCRIPTIONS = (Subscription(topics.TENANT, {TenantUpserted: handlers.on_tenant_upserted}),)


def build(settings: Settings, now: Now | None = None) -> tuple[Service, Litestar]:
    """`now` is the service's clock; tests pass one they can move."""
    clock = now or Now()
    service = Service(NAME, settings, migrations_dir=MIGRATIONS, subscriptions=SUBSCRIPTIONS)
    service.background["watcher"] = Watcher(
        service.unit_of_work, clock, postgres=settings.uses_postgres
    ).run
    service.background["mailer"] = Mailer(service.unit_of_work, Smtp(settings), clock).run
    auth = jwt_auth(settings.auth_secret)
    app = service.http_app(
        [PublicController, CalendarController, HandlingController],
        dependencies={"now": Provide(lambda: clock, sync_to_thread=False)},
        on_app_init=[auth.on_app_init],
    )
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
