"""Rewrite the expected OpenSearch request bodies under tests/data/search/opensearch/.

    python scripts/opensearch_bodies.py

tests/unit/test_opensearch_bodies.py checks the engine still sends exactly these, so a
deliberate change to a body is this one command and a reviewed diff.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# First: scripts/ holds a contracts.py that would shadow the package.
sys.path.insert(0, str(ROOT))

from services.search.documents import Query  # noqa: E402
from services.search.opensearch_bodies import (  # noqa: E402
    index_template_body,
    search_body,
    suggest_body,
)

DATA_DIR = ROOT / "tests/data/search/opensearch"
NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
BASIC_QUERY = Query(
    q="thủ tục cấp giấy phép xây dựng",
    site="hoankiem",
    type="document",
    date_from=date(2026, 1, 1),
    date_to=date(2026, 6, 30),
    page=2,
    size=10,
)
EMPTY_QUERY = Query(site="hoankiem")


def bodies() -> dict[str, dict[str, Any]]:
    """File name -> the body the engine sends for that case."""
    return {
        "index_template.json": index_template_body("portal-search"),
        "search_basic.json": search_body(BASIC_QUERY, NOW),
        "search_empty.json": search_body(EMPTY_QUERY, NOW),
        "suggest.json": suggest_body("thu tuc", "hoankiem", 8),
    }


def dump(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for name, body in bodies().items():
        (DATA_DIR / name).write_text(dump(body), encoding="utf-8")
        print(f"wrote {(DATA_DIR / name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
