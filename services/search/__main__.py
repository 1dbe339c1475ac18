"""Starts search: `python -m services.search` serves; `... migrate` only migrates;
`... reindex` rebuilds the index without stopping search (services/search/reindex.py)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from litestar import Litestar
from litestar.di import Provide

from contracts import (
    AnswerPublished,
    ArticlePublished,
    ArticleWithdrawn,
    CategoryTreeUpdated,
    TenantUpserted,
    topics,
)
from runtime.auth import jwt_auth
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.search import handlers, pages, store
from services.search.api import SearchController, Searcher
from services.search.engine import Engine
from services.search.indexer import Indexer

NAME = "search"
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
    Subscription(topics.QUESTION, {AnswerPublished: handlers.on_answer_published}),
)


def make_engine(settings: Settings) -> Engine:
    """OpenSearch when OPENSEARCH_URL is set, else tantivy under the data directory."""
    if settings.opensearch_url:
        from services.search.opensearch_engine import OpenSearchEngine

        return OpenSearchEngine(
            settings.opensearch_url, alias=f"{settings.schema_prefix}portal-search"
        )
    from services.search.tantivy_engine import TantivyEngine

    return TantivyEngine(index_dir(settings))


def index_dir(settings: Settings) -> Path:
    return settings.data_dir / f"{settings.schema_prefix}search-index"


def build(settings: Settings, engine: Engine | None = None) -> tuple[Service, Litestar]:
    engine = engine or make_engine(settings)
    service = Service(NAME, settings, migrations_dir=MIGRATIONS, subscriptions=SUBSCRIPTIONS)
    indexer = Indexer(service.unit_of_work, engine, db=service.db)
    service.background["indexer"] = indexer.run
    searcher = Searcher(engine, settings, service)

    async def start_engine() -> None:
        await engine.start()
        if await engine.count() == 0:
            # A new or lost index with documents on record: index them all again.
            async with service.unit_of_work() as uow:
                await store.mark_all_pending(uow.session)
                await uow.commit()
        indexer.ready.set()

    async def check_engine() -> dict[str, str]:
        try:
            await engine.count()
        except Exception as exc:
            return {"engine": f"unavailable: {exc.__class__.__name__}"}
        return {"engine": "ok"}

    service.extra_checks.append(check_engine)
    auth = jwt_auth(settings)
    app = service.http_app(
        [SearchController, *pages.ROUTES],
        dependencies={"searcher": Provide(lambda: searcher, sync_to_thread=False)},
        on_app_init=[auth.on_app_init],
        on_startup=[start_engine],
        on_shutdown=[engine.close],
    )
    return service, app


if __name__ == "__main__":
    if sys.argv[1:] == ["reindex"]:
        # Rebuild beside the live index and swap; the serving processes carry on.
        from services.search.reindex import main as reindex

        print(asyncio.run(reindex(Settings())))
    else:
        run_service(NAME, build)
