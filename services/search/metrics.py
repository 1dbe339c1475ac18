"""Ranking quality against judged queries, with no I/O: NDCG@k and recall@k.

Grades are graded relevance: 3 exactly what was asked, 2 highly relevant, 1 related;
a document not judged (or judged 0) is not relevant. The ideal ranking for NDCG is
built from every judged document, retrieved or not, so an engine that misses a
relevant document is penalised rather than normalised against its own results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def _first_k(ranked: Sequence[str], k: int) -> list[str]:
    """The first k distinct ids: an engine returning a document twice gains once."""
    if k < 1:
        raise ValueError("k must be at least 1")
    seen: dict[str, None] = {}
    for doc_id in ranked:
        if len(seen) == k:
            break
        seen.setdefault(doc_id, None)
    return list(seen)


def _gain(grade: int) -> float:
    return float(2**grade - 1) if grade > 0 else 0.0


def dcg(grades: Sequence[int]) -> float:
    """Discounted cumulative gain of grades in rank order: sum (2^g - 1) / log2(i + 1)."""
    return sum(_gain(g) / math.log2(i + 1) for i, g in enumerate(grades, start=1))


def ndcg_at_k(ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """NDCG@k of `ranked_ids` against judged grades; 1.0 is the ideal ranking."""
    top = _first_k(ranked_ids, k)
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        raise ValueError("a judged query needs at least one relevant document")
    return dcg([grades.get(doc_id, 0) for doc_id in top]) / ideal


def recall_at_k(ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Share of the relevant documents (grade > 0) found in the first k results."""
    relevant = {doc_id for doc_id, g in grades.items() if g > 0}
    if not relevant:
        raise ValueError("a judged query needs at least one relevant document")
    return len(relevant.intersection(_first_k(ranked_ids, k))) / len(relevant)
