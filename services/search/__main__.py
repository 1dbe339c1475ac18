"""Starts search: `python -m services.search` serves; `... migrate` only migrates;
`... reindex` rebuilds the index without stopping search (services/search/reindex.py)."""

from __future__ import annotations

import asyncio
import sys

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
from runtime.consumer import Subscription
from runtime.service import Service, run_service
from runtime.settings import Settings
from services.search import handlers, pages, store
from services.search.api import SearchController, Searcher
from services.search.engine import Engine
from services.search.indexer import Indexer
from services.search.reindex import main as reindex
from services.search.wiring import MIGRATIONS, NAME, index_dir, make_engine

__all__ = ["MIGRATIONS", "NAME", "build", "index_dir", "make_engine"]

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
    auth = service.token_auth()
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
        print(asyncio.run(reindex(Settings())))
    else:
        run_service(NAME, build)
