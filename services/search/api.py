"""search's HTTP API: the query API every site and partner uses, autocomplete, and
the index's state for operators.

    GET /api/v1/search?q=&site=&type=&category=&from=&to=&page=&size=
    GET /api/v1/search/suggest?q=&site=
    GET /api/v1/search/status

Errors a person must fix are 400 with a Vietnamese message; an engine that cannot
answer is 503 (never a 500 with a trace).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from runtime.service import Service
from runtime.settings import Settings
from services.search import store
from services.search.documents import TYPE_LABELS_VI, BadQuery, Query, Results, make_query
from services.search.engine import Engine

log = logging.getLogger("portal.search.api")

NO_STORE = {"cache-control": "no-store"}
#: Results change with every publication; a short shared lifetime absorbs bursts.
SHORT = {"cache-control": "public, max-age=30"}


#: Seconds a copy of the sites' names and domains is used before it is read again.
SITES_TTL = 30.0


class Unavailable(RuntimeError):
    """The engine could not answer."""


@dataclass
class Searcher:
    """Runs queries, and says where each result lives (absolute URLs across sites)."""

    engine: Engine
    settings: Settings
    service: Service
    _sites: dict[str, tuple[str, str]] | None = None
    _loaded_at: float = 0.0
    _categories: dict[str, dict[str, str]] | None = None
    _categories_at: float = 0.0

    async def sites(self, *, fresh: bool = False) -> dict[str, tuple[str, str]]:
        """Site names and domains; reloaded when asked, at most every few seconds (a
        result from a site not announced yet must not cost a query per hit)."""
        stale = time.monotonic() - self._loaded_at > SITES_TTL
        if self._sites is None or stale or (fresh and time.monotonic() - self._loaded_at > 5):
            assert self.service.db
            async with self.service.db.read() as session:
                self._sites = await store.site_names(session)
            self._loaded_at = time.monotonic()
        return self._sites

    async def _site(self, slug: str) -> tuple[str, str] | None:
        known = await self.sites()
        if slug not in known:
            known = await self.sites(fresh=True)
        return known.get(slug)

    async def site_name(self, slug: str) -> str:
        site = await self._site(slug)
        return site[0] if site else slug

    async def url(self, slug: str, path: str) -> str:
        site = await self._site(slug)
        domain = site[1] if site else f"{slug}.hanoi.gov.vn"
        return self.settings.site_url(slug, domain).rstrip("/") + path

    async def category_name(self, slug: str, site: str | None = None) -> str:
        """A category's name on `site`, else on any site that has it, else its slug."""
        age = time.monotonic() - self._categories_at
        known = self._categories or {}
        missing = not any(slug in names for names in known.values())
        if self._categories is None or age > SITES_TTL or (missing and age > 5):
            assert self.service.db
            async with self.service.db.read() as session:
                self._categories = known = await store.category_names(session)
            self._categories_at = time.monotonic()
        if site and slug in known.get(site, {}):
            return known[site][slug]
        return next((names[slug] for names in known.values() if slug in names), slug)

    async def label(self, facet: str, value: str, site: str | None = None) -> str:
        if facet == "site":
            return await self.site_name(value)
        if facet == "type":
            return TYPE_LABELS_VI.get(value, value)
        if facet == "category":
            return await self.category_name(value, site)
        return value

    async def run(self, query: Query) -> Results:
        try:
            return await self.engine.search(query)
        except BadQuery:
            raise
        except Exception as exc:
            log.exception("search engine failed", extra={"q": query.q[:80]})
            raise Unavailable(str(exc)) from exc

    async def as_json(self, query: Query, results: Results) -> dict[str, Any]:
        items = [
                {
                    "id": hit.id, "title": hit.title, "url": await self.url(hit.site, hit.path),
                    "path": hit.path, "type": hit.type, "site": hit.site,
                    "site_name": await self.site_name(hit.site), "category": hit.category,
                    "snippet": hit.snippet, "published_at": hit.published_at.isoformat(),
                    "score": hit.score,
                }
            for hit in results.hits
        ]  # fmt: skip
        return {
            "query": query.q,
            "page": query.page,
            "size": query.size,
            "total": results.total,
            "results": items,
            "facets": {
                name: [
                    {
                        "value": f.value,
                        "label": await self.label(name, f.value, query.site),
                        "count": f.count,
                    }
                    for f in values
                ]
                for name, values in results.facets.items()
            },
            "suggestion": results.suggestion,
        }


def bad_request(message: str) -> Response[dict[str, Any]]:
    return Response(
        {"error": message}, status_code=400, headers=NO_STORE, media_type=MediaType.JSON
    )


def unavailable() -> Response[dict[str, Any]]:
    return Response(
        {"error": "Tìm kiếm tạm thời gián đoạn, xin vui lòng thử lại sau ít phút."},
        status_code=503,
        headers={**NO_STORE, "retry-after": "5"},
        media_type=MediaType.JSON,
    )


class SearchController(Controller):
    path = "/api/v1/search"
    tags: ClassVar[list[str]] = ["search"]

    @get("/", exclude_from_auth=True, summary="Search every site, or one")
    async def search(
        self,
        searcher: NamedDependency[Searcher],
        q: FromQuery[str | None] = None,
        site: FromQuery[str | None] = None,
        type: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        date_from: Annotated[str | None, QueryParameter(name="from")] = None,
        date_to: Annotated[str | None, QueryParameter(name="to")] = None,
        page: FromQuery[str | None] = None,
        size: FromQuery[str | None] = None,
    ) -> Response[dict[str, Any]]:
        try:
            query = make_query(
                q, site=site, type=type, category=category, date_from=date_from,
                date_to=date_to, page=page, size=size,
            )  # fmt: skip
            results = await searcher.run(query)
        except BadQuery as exc:
            return bad_request(str(exc))
        except Unavailable:
            return unavailable()
        body = await searcher.as_json(query, results)
        return Response(body, headers=SHORT, media_type=MediaType.JSON)

    @get("/suggest", exclude_from_auth=True, summary="Titles completing what is typed")
    async def suggest(
        self,
        searcher: NamedDependency[Searcher],
        q: FromQuery[str | None] = None,
        site: FromQuery[str | None] = None,
    ) -> Response[Any]:
        try:
            query = make_query(q, site=site)
            titles = await searcher.engine.suggest(q or "", site=query.site, size=8)
        except BadQuery as exc:
            return bad_request(str(exc))
        except Exception:
            log.exception("suggest failed")
            return unavailable()
        return Response({"query": query.q, "suggestions": titles}, headers=SHORT,
                        media_type=MediaType.JSON)  # fmt: skip

    @get("/status", exclude_from_auth=True, summary="What the index holds")
    async def status(self, searcher: NamedDependency[Searcher]) -> Response[dict[str, Any]]:
        assert searcher.service.db
        async with searcher.service.db.read() as session:
            counts = await store.counts(session)
        try:
            indexed: int | None = await searcher.engine.count()
        except Exception:
            indexed = None
        return Response(
            {"engine": searcher.engine.name, "documents": counts["live"],
             "pending": counts["pending"], "indexed": indexed},
            headers=NO_STORE, media_type=MediaType.JSON,
        )  # fmt: skip
