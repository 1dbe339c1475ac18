"""Starts renderer: `python -m services.renderer` serves; `... migrate` only migrates."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from contracts import (
    ArticlePublished,
    ArticleSyndicated,
    ArticleWithdrawn,
    CategoryTreeUpdated,
    TenantUpserted,
    topics,
)
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.renderer import handlers, pages, rendering

NAME = "renderer"
MIGRATIONS = Path(__file__).parent / "migrations"

SUBSCRIPTIONS = (
    Subscription(topics.TENANT, {TenantUpserted: handlers.on_tenant_upserted}),
    Subscription(topics.CATEGORY, {CategoryTreeUpdated: handlers.on_category_tree_updated}),
    Subscription(
        topics.ARTICLE,
        {
            ArticlePublished: handlers.on_article_published,
            ArticleWithdrawn: handlers.on_article_withdrawn,
        },
    ),
    # Copies of articles on other sites; SyndicationProposed, on the same topic, is the
    # city board's (editorial's) and is skipped here.
    Subscription(topics.SYNDICATION, {ArticleSyndicated: handlers.on_article_syndicated}),
)


def build(settings: Settings) -> tuple[Service, Litestar]:
    service = Service(NAME, settings, migrations_dir=MIGRATIONS, subscriptions=SUBSCRIPTIONS)
    # Citizens' pages are open (exclude_from_auth); only the editors' preview needs a token.
    auth = service.token_auth()
    return service, service.http_app(
        pages.ROUTES, on_app_init=[auth.on_app_init, rendering.on_app_init(service)]
    )


if __name__ == "__main__":
    run_service(NAME, build)
