"""NDCG@k and recall@k against hand-computed values (no I/O)."""

from __future__ import annotations

import pytest

from services.search.metrics import dcg, ndcg_at_k, recall_at_k

# log2(3) = 1.5849625, log2(4) = 2, log2(12) = 3.5849625


def test_dcg_uses_exponential_gain_and_log_discount() -> None:
    # 7/1 + 3/log2(3) + 1/2
    assert dcg([3, 2, 1]) == pytest.approx(9.392789, rel=1e-6)
    assert dcg([0, 0]) == 0.0


def test_ideal_ranking_scores_one() -> None:
    grades = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert recall_at_k(["a", "b", "c"], grades) == 1.0


def test_reversed_ranking() -> None:
    # (1 + 3/log2(3) + 7/2) / (7 + 3/log2(3) + 1/2) = 6.392789 / 9.392789
    grades = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at_k(["c", "b", "a"], grades) == pytest.approx(0.680606, rel=1e-5)
    assert recall_at_k(["c", "b", "a"], grades) == 1.0


def test_missing_relevant_document_counts_in_the_ideal() -> None:
    # Found: a (3) at rank 2; b (1) never retrieved.
    # DCG = 7/log2(3) = 4.416508; ideal = 7 + 1/log2(3) = 7.630930
    grades = {"a": 3, "b": 1}
    assert ndcg_at_k(["x", "a"], grades) == pytest.approx(0.578764, rel=1e-5)
    assert recall_at_k(["x", "a"], grades) == 0.5


def test_unjudged_and_zero_graded_documents_gain_nothing() -> None:
    # Ranks 1 and 3 relevant (grade 1), rank 2 judged 0.
    # DCG = 1 + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3) = 1.630930
    grades = {"a": 1, "b": 0, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(0.919721, rel=1e-5)
    assert recall_at_k(["a", "b", "c"], grades) == 1.0
    assert recall_at_k(["a", "b"], grades) == 0.5


def test_cut_at_k() -> None:
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    grades = {"a": 1}
    assert ndcg_at_k(ranked, grades, k=10) == 0.0
    assert recall_at_k(ranked, grades, k=10) == 0.0
    # Rank 11: 1/log2(12)
    assert ndcg_at_k(ranked, grades, k=11) == pytest.approx(0.278943, rel=1e-5)
    assert recall_at_k(ranked, grades, k=11) == 1.0


def test_ideal_is_cut_at_k_too() -> None:
    # Twelve documents of grade 1: the ideal holds only the first 3 of them.
    grades = {f"d{i}": 1 for i in range(12)}
    assert ndcg_at_k(["d5", "d7", "d9"], grades, k=3) == pytest.approx(1.0)
    assert recall_at_k(["d5", "d7", "d9"], grades, k=3) == pytest.approx(3 / 12)


def test_a_document_returned_twice_gains_once() -> None:
    grades = {"a": 3, "b": 1}
    # Distinct first two: a, b -> ideal.
    assert ndcg_at_k(["a", "a", "b"], grades, k=2) == pytest.approx(1.0)
    assert recall_at_k(["a", "a", "b"], grades, k=2) == 1.0


def test_empty_results() -> None:
    assert ndcg_at_k([], {"a": 2}) == 0.0
    assert recall_at_k([], {"a": 2}) == 0.0


def test_a_query_without_relevant_documents_is_an_error() -> None:
    with pytest.raises(ValueError, match="relevant"):
        ndcg_at_k(["a"], {"a": 0})
    with pytest.raises(ValueError, match="relevant"):
        recall_at_k(["a"], {})


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must"):
        ndcg_at_k(["a"], {"a": 1}, k=0)
