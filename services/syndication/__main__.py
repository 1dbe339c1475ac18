"""Starts syndication: `python -m services.syndication` serves; `... migrate` only migrates."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from litestar import Litestar

from contracts import (
    AnswerPublished,
    ArticlePublished,
    ArticleWithdrawn,
    CategoryTreeUpdated,
    DeliveryConfirmed,
    RevisionApproved,
    RevisionRejected,
    TenantUpserted,
    topics,
)
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.syndication import handlers
from services.syndication.api import CopyController, CrosspostController, ProposalController
from services.syndication.partners_api import PartnerController
from services.syndication.read_api import PartnerArticleController
from services.syndication.webhooks import Dispatcher
from services.syndication.websub import HubPinger

NAME = "syndication"
MIGRATIONS = Path(__file__).parent / "migrations"


def subscriptions(settings: Settings) -> tuple[Subscription, ...]:
    def with_settings(handler: Any) -> Any:
        return functools.partial(handler, settings=settings)

    return (
        Subscription(topics.TENANT, {TenantUpserted: handlers.on_tenant_upserted}),
        Subscription(topics.CATEGORY, {CategoryTreeUpdated: handlers.on_category_tree_updated}),
        Subscription(
            topics.ARTICLE,
            {
                ArticlePublished: with_settings(handlers.on_article_published),
                ArticleWithdrawn: with_settings(handlers.on_article_withdrawn),
            },
        ),
        Subscription(topics.RECEIPT, {DeliveryConfirmed: handlers.on_delivery_confirmed}),
        Subscription(
            topics.REVIEW,
            {
                RevisionApproved: with_settings(handlers.on_revision_approved),
                RevisionRejected: with_settings(handlers.on_revision_rejected),
            },
        ),
        Subscription(
            topics.QUESTION, {AnswerPublished: with_settings(handlers.on_answer_published)}
        ),
    )


def build(settings: Settings) -> tuple[Service, Litestar]:
    service = Service(
        NAME, settings, migrations_dir=MIGRATIONS, subscriptions=subscriptions(settings)
    )
    assert service.db
    dispatcher = Dispatcher(service.db, service.unit_of_work, settings)
    service.background["webhooks"] = dispatcher.run
    service.background["websub"] = HubPinger(service.unit_of_work, settings).run
    # The partners' read API checks the partner's own key, not an editor's token.
    auth = service.token_auth(open_paths=["/api/v1/partner/*"])
    routes: list[Any] = [
        CrosspostController, CopyController, ProposalController, PartnerController,
        PartnerArticleController,
    ]  # fmt: skip
    app = service.http_app(routes, on_app_init=[auth.on_app_init])
    return service, app


if __name__ == "__main__":
    run_service(NAME, build)
