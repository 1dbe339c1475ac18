"""The port every search engine implements: tantivy embedded, or OpenSearch.

The service owns what is indexed (its `documents` table, versioned, with
tombstones); an engine only holds a projection of it, which `reindex` can rebuild
at any time. So engines need no versioning of their own: the indexer hands them the
latest state of each document, and deletes.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Sequence
from typing import Protocol

from services.search.documents import Query, Results, SearchDoc


class Engine(Protocol):
    name: str

    async def start(self) -> None:
        """Open or create the live index."""

    async def close(self) -> None: ...

    async def upsert(self, docs: Sequence[SearchDoc]) -> None:
        """Add or replace documents by id; visible to search on return."""

    async def delete(self, ids: Sequence[str]) -> None:
        """Remove documents by id (unknown ids are fine); visible on return."""

    async def search(self, query: Query) -> Results: ...

    async def suggest(self, prefix: str, *, site: str | None = None, size: int = 8) -> list[str]:
        """Titles that complete what a person is typing (autocomplete)."""

    async def count(self) -> int:
        """Documents in the live index."""

    async def rebuild(self, batches: AsyncIterable[Sequence[SearchDoc]]) -> int:
        """Build a new index beside the live one from `batches`, then make it the live
        index in one atomic step; search answers from the old one meanwhile. Returns
        the number of documents indexed. Another process may run it (scripts/reindex.py):
        the serving processes follow the swap."""
