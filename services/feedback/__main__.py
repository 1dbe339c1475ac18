"""Starts feedback: `python -m services.feedback` serves; `... migrate` only migrates."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.di import Provide

from contracts import TenantUpserted, topics
from runtime.consumer import Subscription
from runtime.ratelimit import Limiter
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.feedback import handlers, pages, participation_pages, retention
from services.feedback.abuse import Guard, Limits
from services.feedback.answer_templates import BulkController, TemplateController
from services.feedback.api import (
    CalendarController,
    ClockController,
    HandlingController,
    PublicController,
)
from services.feedback.calendar import Now
from services.feedback.mail import Mailer, Smtp
from services.feedback.open311_api import Open311Controller
from services.feedback.participation_api import CONTROLLERS as PARTICIPATION
from services.feedback.recent_votes import RecentVotes
from services.feedback.reports_api import ReportsController
from services.feedback.watcher import Watcher

NAME = "feedback"
MIGRATIONS = Path(__file__).parent / "migrations"

SUBSCRIPTIONS = (Subscription(topics.TENANT, {TenantUpserted: handlers.on_tenant_upserted}),)


def build(
    settings: Settings, now: Now | None = None, limits: Limits | None = None
) -> tuple[Service, Litestar]:
    """`now` is the service's clock; tests pass one they can move, and may pass their
    own abuse `limits` (else the defaults, or PORTAL_FEEDBACK_LIMIT_* from the env)."""
    clock = now or Now()
    limiter = Limiter(settings, NAME)
    guard = Guard(limiter, limits)
    service = Service(NAME, settings, migrations_dir=MIGRATIONS, subscriptions=SUBSCRIPTIONS)
    service.background["watcher"] = Watcher(
        service.unit_of_work, clock, postgres=settings.uses_postgres
    ).run
    service.background["mailer"] = Mailer(service.unit_of_work, Smtp(settings), clock).run
    service.background["retention"] = functools.partial(retention.run, service.unit_of_work, clock)
    auth = service.token_auth()
    # Repeat ratings are damped in this process's memory only (see recent_votes.py).
    recent_votes = RecentVotes()
    routes: list[Any] = [
        PublicController, CalendarController, HandlingController, TemplateController,
        BulkController, Open311Controller, ReportsController, *PARTICIPATION, *pages.ROUTES,
        *participation_pages.ROUTES,
    ]  # fmt: skip
    if settings.controllable_clock:
        routes.append(ClockController)
    app = service.http_app(
        routes,
        dependencies={
            "now": Provide(lambda: clock, sync_to_thread=False),
            "guard": Provide(lambda: guard, sync_to_thread=False),
            "recent_votes": Provide(lambda: recent_votes, sync_to_thread=False),
        },
        on_app_init=[auth.on_app_init],
        on_shutdown=[limiter.close],
    )
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
