"""Ranking quality of a search engine on the judged query set: NDCG@10 and recall@10.

Indexes tests/data/search/corpus.jsonl into a throw-away index, runs every query of
tests/data/search/judged.jsonl and compares the first 10 hits with the grades.

    PYTHONPATH=. .venv/bin/python scripts/eval_search.py [--engine tantivy|opensearch] [-v]

The last line is machine-readable:
    RESULT ndcg_at_10=<x.xxx> recall_at_10=<x.xxx> queries=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The repository first: scripts/ holds a contracts.py that would shadow the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.search.documents import SearchDoc, make_query
from services.search.engine import Engine
from services.search.metrics import ndcg_at_k, recall_at_k

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "search"
CORPUS = DATA / "corpus.jsonl"
JUDGED = DATA / "judged.jsonl"
K = 10
BATCH = 100


@dataclass(frozen=True)
class Judged:
    q: str
    site: str | None
    relevant: dict[str, int]


@dataclass(frozen=True)
class QueryScore:
    q: str
    site: str | None
    ndcg: float
    recall: float
    ranked: list[str]
    relevant: dict[str, int]

    @property
    def missed(self) -> list[str]:
        """Relevant ids not in the results, best grade first."""
        found = set(self.ranked)
        return sorted(
            (i for i, g in self.relevant.items() if g > 0 and i not in found),
            key=lambda i: (-self.relevant[i], i),
        )


def _lines(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_corpus(path: Path = CORPUS) -> list[SearchDoc]:
    return [SearchDoc.from_json(item) for item in _lines(path)]


def load_judged(path: Path = JUDGED) -> list[Judged]:
    return [Judged(item["q"], item.get("site"), dict(item["relevant"])) for item in _lines(path)]


async def evaluate(
    engine: Engine,
    *,
    corpus: Sequence[SearchDoc] | None = None,
    judged: Sequence[Judged] | None = None,
    index: bool = True,
    k: int = K,
) -> tuple[float, float, list[QueryScore]]:
    """Mean NDCG@k, mean recall@k and the per-query scores, on a started engine.

    With `index` the corpus is upserted first (the engine should be empty, or hold
    only the corpus: any other document can take a place in the first k).
    """
    docs = load_corpus() if corpus is None else corpus
    queries = load_judged() if judged is None else judged
    if index:
        for start in range(0, len(docs), BATCH):
            await engine.upsert(docs[start : start + BATCH])
    scores: list[QueryScore] = []
    for item in queries:
        results = await engine.search(make_query(item.q, site=item.site, size=k))
        ranked = [hit.id for hit in results.hits]
        scores.append(
            QueryScore(
                q=item.q,
                site=item.site,
                ndcg=ndcg_at_k(ranked, item.relevant, k),
                recall=recall_at_k(ranked, item.relevant, k),
                ranked=ranked,
                relevant=item.relevant,
            )
        )
    if not scores:
        raise ValueError("no judged queries")
    return (
        statistics.fmean(s.ndcg for s in scores),
        statistics.fmean(s.recall for s in scores),
        scores,
    )


def worst(scores: Sequence[QueryScore], n: int) -> list[QueryScore]:
    """The n lowest by NDCG, then recall: what ranking work should look at first."""
    return sorted(scores, key=lambda s: (s.ndcg, s.recall, s.q))[:n]


def _label(score: QueryScore) -> str:
    return f"{score.q!r}" + (f" site={score.site}" if score.site else "")


def _graded(ids: Sequence[str], relevant: dict[str, int]) -> str:
    return " ".join(f"{i.split(':', 1)[1]}({relevant.get(i, 0)})" for i in ids)


def report(scores: Sequence[QueryScore], *, verbose: bool, n_worst: int) -> None:
    if verbose:
        for s in scores:
            print(f"ndcg={s.ndcg:.3f} recall={s.recall:.3f}  {_label(s)}")
    if n_worst:
        print(f"\nworst {n_worst} queries (ndcg, recall, query; top 5 with grades; missed):")
        for s in worst(scores, n_worst):
            print(f"  {s.ndcg:.3f} {s.recall:.3f}  {_label(s)}")
            print(f"        top: {_graded(s.ranked[:5], s.relevant) or '(no results)'}")
            if s.missed:
                print(f"        missed: {_graded(s.missed, s.relevant)}")


async def _run(engine_name: str, verbose: bool, n_worst: int) -> tuple[float, float, int]:
    if engine_name == "tantivy":
        from services.search.tantivy_engine import TantivyEngine

        with tempfile.TemporaryDirectory(prefix="eval-search-") as tmp:
            engine = TantivyEngine(Path(tmp) / "index")
            await engine.start()
            try:
                ndcg, recall, scores = await evaluate(engine)
            finally:
                await engine.close()
    else:
        # Imported here: the OpenSearch client is only needed for this engine.
        from services.search.opensearch_engine import OpenSearchEngine

        url = os.environ.get("OPENSEARCH_URL")
        if not url:
            raise SystemExit("--engine opensearch needs OPENSEARCH_URL")
        # A fresh alias per run: a crashed run's leftovers cannot skew the next one.
        alias = f"eval-search-{uuid.uuid4().hex[:8]}"
        engine = OpenSearchEngine(url, alias=alias)
        await engine.start()
        try:
            ndcg, recall, scores = await evaluate(engine)
        finally:
            await _drop_opensearch(engine, alias)
            await engine.close()
    report(scores, verbose=verbose, n_worst=n_worst)
    return ndcg, recall, len(scores)


async def _drop_opensearch(engine: Any, alias: str) -> None:
    """Remove the throw-away index and template (best effort)."""
    try:
        await engine.client.indices.delete(index=f"{alias}-*")
        await engine.client.indices.delete_index_template(name=alias)
    except Exception as error:  # cleanup must not hide the figures
        print(f"warning: could not drop {alias}: {error}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description="NDCG@10 and recall@10 on the judged set.")
    parser.add_argument("--engine", choices=("tantivy", "opensearch"), default="tantivy")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per query")
    parser.add_argument("--worst", type=int, default=10, help="list the N worst queries")
    args = parser.parse_args()
    ndcg, recall, n = asyncio.run(_run(args.engine, args.verbose, args.worst))
    print(f"\nmean NDCG@{K} {ndcg:.3f}, mean recall@{K} {recall:.3f} over {n} queries")
    print(f"RESULT ndcg_at_10={ndcg:.3f} recall_at_10={recall:.3f} queries={n}")


if __name__ == "__main__":
    main()
