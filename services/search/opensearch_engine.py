"""The search engine on OpenSearch, for production (`OPENSEARCH_URL`).

Search answers from an alias; behind it sits one physical index `<alias>-<time>-<id>`.
A rebuild loads a new index beside the live one and moves the alias in one atomic
`POST _aliases`, so every process serving search follows the swap without being told.
The bodies sent are built in `opensearch_bodies` (pure, tested byte for byte).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from opensearchpy import AsyncOpenSearch, NotFoundError, RequestError
from opensearchpy.helpers import async_bulk

from services.search.documents import MAX_QUERY_CHARS, Query, Results, SearchDoc
from services.search.opensearch_bodies import (
    LIVE_SETTINGS,
    LOAD_SETTINGS,
    bulk_actions,
    delete_actions,
    index_template_body,
    parse_results,
    parse_suggestions,
    search_body,
    suggest_body,
)

T = TypeVar("T")
MAX_SUGGESTIONS = 20


class OpenSearchEngine:
    name = "opensearch"

    def __init__(
        self,
        url: str,
        *,
        alias: str = "portal-search",
        client: AsyncOpenSearch | None = None,
        ca_file: Path | None = None,
    ) -> None:
        """`url` may carry the user (https://user:password@host:9200); `ca_file` is the
        CA that signed the cluster's certificate, when it is not a public one."""
        self.alias = alias
        tls = {"ca_certs": str(ca_file)} if ca_file else {}
        self.client = client or AsyncOpenSearch(
            hosts=[url], timeout=10, max_retries=2, retry_on_timeout=True, **tls
        )

    async def start(self) -> None:
        """Install or update the template; create the first index behind the alias."""
        await self.client.indices.put_index_template(
            name=self.alias, body=index_template_body(self.alias)
        )
        if await self.client.indices.exists_alias(name=self.alias):
            return
        # A fixed first name: processes starting together create one index, not two.
        first = f"{self.alias}-initial"
        try:
            await self.client.indices.create(index=first, body={"aliases": {self.alias: {}}})
        except RequestError as error:
            if error.error != "resource_already_exists_exception":
                raise

    async def close(self) -> None:
        await self.client.close()

    async def upsert(self, docs: Sequence[SearchDoc]) -> None:
        if docs:
            await async_bulk(
                self.client, bulk_actions(self.alias, docs), refresh="wait_for", max_retries=3
            )

    async def delete(self, ids: Sequence[str]) -> None:
        if ids:
            # 404: the id was never indexed or is gone already; the goal is reached.
            await async_bulk(
                self.client,
                delete_actions(self.alias, ids),
                refresh="wait_for",
                ignore_status=(404,),
                max_retries=3,
            )

    async def search(self, query: Query) -> Results:
        body = search_body(query, datetime.now(UTC))
        response = await self._retry_swap(lambda: self.client.search(index=self.alias, body=body))
        return parse_results(query, response)

    async def suggest(self, prefix: str, *, site: str | None = None, size: int = 8) -> list[str]:
        prefix = prefix[:MAX_QUERY_CHARS]
        if not prefix.strip():
            return []
        body = suggest_body(prefix, site, min(max(size, 1), MAX_SUGGESTIONS))
        response = await self._retry_swap(lambda: self.client.search(index=self.alias, body=body))
        return parse_suggestions(response)[:size]

    async def count(self) -> int:
        response = await self._retry_swap(lambda: self.client.count(index=self.alias))
        return int(response["count"])

    async def rebuild(self, batches: AsyncIterable[Sequence[SearchDoc]]) -> int:
        """Load a new index, swap the alias to it in one step, drop the old one."""
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        index = f"{self.alias}-{stamp}-{uuid.uuid4().hex[:8]}"
        # The template may have changed since this process started: install it first.
        await self.client.indices.put_index_template(
            name=self.alias, body=index_template_body(self.alias)
        )
        await self.client.indices.create(index=index, body={"settings": {"index": LOAD_SETTINGS}})
        count = 0
        try:
            async for batch in batches:
                if batch:
                    await async_bulk(self.client, bulk_actions(index, batch), max_retries=3)
                    count += len(batch)
            await self.client.indices.put_settings(index=index, body={"index": LIVE_SETTINGS})
            await self.client.indices.refresh(index=index)
            old = await self._live_indices()
            actions: list[dict[str, Any]] = [
                {"remove": {"index": name, "alias": self.alias}} for name in old
            ]
            actions.append({"add": {"index": index, "alias": self.alias}})
            await self.client.indices.update_aliases(body={"actions": actions})
        except BaseException:
            await self.client.indices.delete(index=index, ignore_unavailable=True)
            raise
        for name in old:
            await self.client.indices.delete(index=name, ignore_unavailable=True)
        return count

    async def _live_indices(self) -> list[str]:
        try:
            response = await self.client.indices.get_alias(name=self.alias)
        except NotFoundError:
            return []
        return sorted(response)

    async def _retry_swap(self, call: Callable[[], Awaitable[T]]) -> T:
        # A request that resolved the alias just before a rebuild dropped the old index
        # finds it gone; the alias already names the new one, so asking again answers.
        try:
            return await call()
        except NotFoundError:
            return await call()
