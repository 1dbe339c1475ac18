"""OpenSearch answers (recorded-style, hand-written) become the Results both engines give."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import pytest

from scripts.opensearch_bodies import BASIC_QUERY, DATA_DIR
from services.search.documents import FACETS, FacetValue, Query
from services.search.opensearch_bodies import parse_results, parse_suggestions


@pytest.fixture
def response() -> dict[str, Any]:
    return json.loads((DATA_DIR / "response_basic.json").read_text(encoding="utf-8"))


def test_hits_keep_order_fields_and_scores(response: dict[str, Any]) -> None:
    results = parse_results(BASIC_QUERY, response)
    assert results.total == 13
    assert [h.id for h in results.hits] == ["article:4711", "article:4650", "answer:88"]
    first = results.hits[0]
    assert first.title == "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ"
    assert first.path == "/van-ban/thu-tuc-cap-giay-phep-xay-dung-nha-o-rieng-le"
    assert (first.site, first.type, first.category) == (
        "hoankiem",
        "document",
        "thu-tuc-hanh-chinh",
    )
    assert first.score == 41.27
    assert first.published_at == datetime.fromisoformat("2026-05-20T01:30:00+00:00")
    assert results.hits[1].category == ""


def test_snippets_prefer_engine_fragments_then_fall_back(response: dict[str, Any]) -> None:
    first, second, third = parse_results(BASIC_QUERY, response).hits
    assert first.snippet.startswith("Hướng dẫn hồ sơ, trình tự <mark>cấp</mark>")  # summary
    assert second.snippet.startswith("Điều 1.") and "&lt;sửa đổi&gt;" in second.snippet  # body
    # No fragment: documents.highlight over the summary, escaped, folded matches marked.
    assert third.snippet.startswith("<mark>Giấy</mark> <mark>phép</mark> <mark>xây</mark>")


def test_without_summary_or_match_the_body_start_is_shown(response: dict[str, Any]) -> None:
    hit = response["hits"]["hits"][1]
    hit["highlight"] = {"body.folded": ["Điều 1. Công bố kèm theo &amp; …"]}
    assert (
        parse_results(BASIC_QUERY, response).hits[1].snippet == "Điều 1. Công bố kèm theo &amp; …"
    )
    del hit["highlight"]
    assert parse_results(BASIC_QUERY, response).hits[1].snippet == ""


def test_facets_for_each_name_without_empty_values(response: dict[str, Any]) -> None:
    facets = parse_results(BASIC_QUERY, response).facets
    assert list(facets) == list(FACETS)
    assert facets["site"] == [FacetValue("hoankiem", 13)]
    assert facets["category"] == [FacetValue("thu-tuc-hanh-chinh", 8), FacetValue("xay-dung", 2)]
    assert facets["year"] == [FacetValue("2026", 13)]


def test_suggestion_only_when_few_results_and_different(response: dict[str, Any]) -> None:
    assert parse_results(BASIC_QUERY, response).suggestion is None  # 13 results
    few = copy.deepcopy(response)
    few["hits"]["total"]["value"] = 2
    assert parse_results(BASIC_QUERY, few).suggestion is None  # the query itself, folded
    typo = Query(q="thu tuk cap giay phep xay dung")
    assert parse_results(typo, few).suggestion == "thu tuc cap giay phep xay dung"
    assert parse_results(typo, response).suggestion is None


def test_an_empty_answer_is_empty_results() -> None:
    results = parse_results(Query(), {"hits": {"total": {"value": 0}, "hits": []}})
    assert results.total == 0 and results.hits == [] and results.suggestion is None
    assert results.facets == {name: [] for name in FACETS}


def test_sorted_hits_without_score_get_zero(response: dict[str, Any]) -> None:
    for hit in response["hits"]["hits"]:
        hit["_score"] = None
    assert {h.score for h in parse_results(Query(), response).hits} == {0.0}


def test_autocomplete_options_give_full_titles_once() -> None:
    long_title = "Thủ tục đăng ký kết hôn có yếu tố nước ngoài tại Ủy ban nhân dân quận Hoàn Kiếm"
    answer = {
        "suggest": {
            "titles": [
                {
                    "text": "thu tuc",
                    "options": [
                        {"text": long_title[:100], "_source": {"title": long_title}},
                        {"text": "Thủ tục cấp phép", "_source": {"title": "Thủ tục cấp phép"}},
                        {"text": "Thủ tục cấp phép", "_source": {"title": "Thủ tục cấp phép"}},
                    ],
                }
            ]
        }
    }
    assert parse_suggestions(answer) == [long_title, "Thủ tục cấp phép"]
    assert parse_suggestions({}) == []
