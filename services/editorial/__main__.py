"""Starts editorial: `python -m services.editorial` serves; `... migrate` only migrates."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from contracts import (
    ApprovalSuperseded,
    ArticlePublished,
    ArticleSyndicated,
    DeliveryConfirmed,
    RevisionSubmitted,
    SyndicationProposed,
    TenantUpserted,
    topics,
)
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.editorial import handlers
from services.editorial.api import ReviewController, RoyaltyController

NAME = "editorial"
MIGRATIONS = Path(__file__).parent / "migrations"

SUBSCRIPTIONS = (
    Subscription(
        topics.ARTICLE,
        {
            RevisionSubmitted: handlers.on_revision_submitted,
            ArticlePublished: handlers.on_article_published,
            ApprovalSuperseded: handlers.on_approval_superseded,
        },
    ),
    Subscription(topics.RECEIPT, {DeliveryConfirmed: handlers.on_delivery_confirmed}),
    Subscription(topics.TENANT, {TenantUpserted: handlers.on_tenant_upserted}),
    Subscription(
        topics.SYNDICATION,
        {
            SyndicationProposed: handlers.on_syndication_proposed,
            ArticleSyndicated: handlers.on_article_syndicated,
        },
    ),
)


def build(settings: Settings) -> tuple[Service, Litestar]:
    service = Service(NAME, settings, migrations_dir=MIGRATIONS, subscriptions=SUBSCRIPTIONS)
    auth = service.token_auth(open_paths=["/api/v1/reviews/grounds"])
    app = service.http_app([ReviewController, RoyaltyController], on_app_init=[auth.on_app_init])
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
