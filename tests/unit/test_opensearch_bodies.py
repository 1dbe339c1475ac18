"""The OpenSearch engine sends exactly the committed bodies, and they say what we mean.

After a deliberate change: `python scripts/opensearch_bodies.py`, then review the diff.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import pytest

from scripts.opensearch_bodies import DATA_DIR, NOW, bodies
from services.search.documents import MAX_BODY_CHARS, MAX_PAGE_SIZE, Query, SearchDoc, fold
from services.search.opensearch_bodies import (
    ALL_SITES,
    bulk_actions,
    delete_actions,
    index_template_body,
    search_body,
    suggest_body,
)
from services.search.synonyms import SYNONYMS, synonym_lines


def _json(body: dict[str, Any]) -> Any:
    return json.loads(json.dumps(body))


@pytest.mark.parametrize("name", sorted(bodies()))
def test_body_is_the_committed_one(name: str) -> None:
    expected = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    assert _json(bodies()[name]) == expected, f"run scripts/opensearch_bodies.py? ({name})"


def _analysis(alias: str = "portal-search") -> dict[str, Any]:
    return index_template_body(alias)["template"]["settings"]["analysis"]


def test_template_targets_the_alias_indices_and_longer_aliases_win() -> None:
    body = index_template_body("portal-search")
    assert body["index_patterns"] == ["portal-search-*"]
    assert "aliases" not in body["template"]  # the alias moves only by an atomic swap
    assert index_template_body("portal-search-test")["priority"] > body["priority"]


def test_synonyms_are_in_the_template_with_folded_forms() -> None:
    synonyms = _analysis()["filter"]["vi_synonyms"]
    assert synonyms["type"] == "synonym_graph"
    assert synonyms["synonyms"] == synonym_lines()
    lines = synonym_lines()
    assert len(SYNONYMS) >= 8 and len(lines) == len(SYNONYMS)
    assert "ubnd, ủy ban nhân dân, uỷ ban nhân dân, uy ban nhan dan" in lines
    assert any("hdnd" in line and "hđnd" in line for line in lines)
    for group in SYNONYMS:
        assert all(p == p.lower() and p == p.strip() for p in group)
    # Search time only: the index analyzers never expand.
    analyzers = _analysis()["analyzer"]
    assert "vi_synonyms" not in analyzers["vi_folded"]["filter"]
    assert "vi_synonyms" not in analyzers["vi_exact"]["filter"]
    assert analyzers["vi_folded_search"]["filter"][-1] == "vi_synonyms"


def test_title_is_exact_with_a_folded_subfield() -> None:
    mappings = index_template_body("portal-search")["template"]["mappings"]["properties"]
    for name in ("title", "summary", "body", "keywords"):
        assert mappings[name]["analyzer"] == "vi_exact"
        assert mappings[name]["fields"]["folded"]["analyzer"] == "vi_folded"
    analysis = _analysis()
    assert analysis["analyzer"]["vi_exact"]["filter"] == ["lowercase"]  # marks kept
    folded = analysis["analyzer"]["vi_folded"]
    assert folded["filter"] == ["lowercase", "vi_ascii"] and folded["char_filter"] == ["vi_dd"]
    assert analysis["filter"]["vi_ascii"] == {"type": "asciifolding", "preserve_original": False}
    assert "đ => d" in analysis["char_filter"]["vi_dd"]["mappings"]
    suggest = mappings["suggest"]
    assert suggest["type"] == "completion" and suggest["analyzer"] == "vi_folded"
    assert suggest["contexts"] == [{"name": "site", "type": "category"}]
    for name in ("site", "type", "category", "id"):
        assert mappings[name]["type"] == "keyword"


def _doc(**changes: Any) -> SearchDoc:
    values: dict[str, Any] = {
        "id": "article:1", "site": "hoankiem", "type": "news", "title": "Đà Nẵng",
        "summary": "", "body": "Nội dung", "path": "/a", "published_at": NOW,
    }  # fmt: skip
    return SearchDoc(**{**values, **changes})


def test_bulk_actions_carry_year_suggest_contexts_and_composed_text() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký kết hôn")
    [action] = bulk_actions("portal-search", [_doc(title=decomposed, body="x" * 30_000)])
    assert action["_op_type"] == "index" and action["_id"] == "article:1"
    source = action["_source"]
    assert source["title"] == unicodedata.normalize("NFC", decomposed)
    assert source["year"] == 2026 and len(source["body"]) == MAX_BODY_CHARS
    assert source["suggest"] == {
        "input": [source["title"]],
        "contexts": {"site": ["hoankiem", ALL_SITES]},
    }
    mapped = index_template_body("portal-search")["template"]["mappings"]["properties"]
    assert set(source) <= set(mapped)  # the mapping is strict
    assert delete_actions("a", ["x"]) == [{"_op_type": "delete", "_index": "a", "_id": "x"}]


def _bool(body: dict[str, Any]) -> dict[str, Any]:
    return body["query"]["function_score"]["query"]["bool"]


def _query_texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["query"]] if isinstance(node.get("query"), str) else []
        return own + [t for value in node.values() for t in _query_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in _query_texts(value)]
    return []


def test_hostile_text_reaches_the_engine_as_words_only() -> None:
    body = search_body(Query(q='"Đà" OR *:* \\ (a AND] {{x}} <script>'), NOW)
    texts = _query_texts(body["query"])
    assert len(texts) == 6
    assert set(texts) == {"đà or a and x script"}
    assert body["suggest"]["did_you_mean"]["text"] == "đà or a and x script"


def test_exact_phrase_outranks_folded_and_body() -> None:
    should = _bool(search_body(Query(q="Đà"), NOW))["should"]
    boosts = {
        f"{kind}:{field}": spec["boost"]
        for c in should
        for kind, f in c.items()
        for field, spec in f.items()
    }
    assert (
        boosts["match_phrase:title"] > boosts["match_phrase:title.folded"] > boosts["match:title"]
    )
    assert boosts["match:title"] > boosts["match:summary"] > boosts["match:body"]


def test_recency_is_a_small_multiplier() -> None:
    score = search_body(Query(q="x"), NOW)["query"]["function_score"]
    assert score["boost_mode"] == "multiply" and score["score_mode"] == "sum"
    assert sum(f["weight"] for f in score["functions"]) == 1.25  # recency_weight's maximum


def test_dates_are_whole_days_in_hanoi() -> None:
    body = search_body(Query(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)), NOW)
    [range_filter] = body["query"]["bool"]["filter"]
    bounds = range_filter["range"]["published_at"]
    assert datetime.fromisoformat(bounds["gte"]) == datetime(2026, 2, 28, 17, tzinfo=UTC)
    assert datetime.fromisoformat(bounds["lt"]) == datetime(2026, 3, 1, 17, tzinfo=UTC)


def test_empty_query_is_newest_first_without_suggester() -> None:
    body = search_body(Query(q="  ?! "), NOW)
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"][0] == {"published_at": {"order": "desc"}}
    assert "suggest" not in body


def test_paging_is_bounded() -> None:
    body = search_body(Query(q="x", page=3, size=10_000), NOW)
    assert body["size"] == MAX_PAGE_SIZE and body["from"] == 2 * MAX_PAGE_SIZE


def test_suggest_without_site_spans_all_sites() -> None:
    body = suggest_body(unicodedata.normalize("NFD", "Thủ tục "), None, 5)
    completion = body["suggest"]["titles"]
    assert completion["prefix"] == "Thủ tục" and fold(completion["prefix"]) == "thu tuc"
    assert completion["completion"]["contexts"] == {"site": [ALL_SITES]}
    assert body["size"] == 0
