"""What a search process is made of, for the service (`__main__.py`) and the
operators' rebuild (`reindex.py`) alike: its name, its migrations, its engine."""

from __future__ import annotations

from pathlib import Path

from runtime.settings import Settings
from services.search.engine import Engine

NAME = "search"
MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    """OpenSearch when OPENSEARCH_URL is set, else tantivy under the data directory."""
    if settings.opensearch_url:
        from services.search.opensearch_engine import OpenSearchEngine

        return OpenSearchEngine(
            settings.opensearch_url,
            alias=f"{settings.schema_prefix}portal-search",
            ca_file=settings.opensearch_ca_file,
        )
    from services.search.tantivy_engine import TantivyEngine

    return TantivyEngine(index_dir(settings))


def index_dir(settings: Settings) -> Path:
    return settings.data_dir / f"{settings.schema_prefix}search-index"
