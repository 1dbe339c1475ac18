"""Rebuild the search index from search's record of every public document, without
stopping search: a new index is built beside the live one and swapped in atomically.

    .venv/bin/python scripts/reindex.py            # the settings of this environment
    python -m services.search reindex              # the same, in the service's image
    PORTAL_DATA_DIR=var .venv/bin/python scripts/reindex.py

It reads the same settings as the service (DATABASE_URL, OPENSEARCH_URL,
PORTAL_DATA_DIR, PORTAL_SCHEMA_PREFIX). With the embedded engine, the running search
process follows the swap within a second; with OpenSearch, the alias moves.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runtime.settings import Settings
from services.search.reindex import main as reindex


async def main() -> None:
    settings = Settings()
    started = time.perf_counter()
    counts = await reindex(settings)
    seconds = time.perf_counter() - started
    engine = "opensearch" if settings.opensearch_url else "tantivy"
    print(f"engine={engine} indexed={counts['indexed']} "
          f"replayed={counts['replayed']} seconds={seconds:.1f}")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
