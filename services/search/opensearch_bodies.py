"""What the OpenSearch engine sends and how it reads the answers, as pure functions:
the index template, search, autocomplete and bulk bodies, and Results from a response.

No I/O here, so every body is checked byte for byte against the JSON files under
tests/data/search/opensearch/ (`scripts/opensearch_bodies.py` rewrites them).

Each text field is indexed twice: as typed (lower case, diacritics kept: `vi_exact`)
and folded (`vi_folded`: "Đà Nẵng" -> "da nang"). Queries match on the folded fields,
so people who type without marks find everything; the exact fields only add score, so
a query typed with marks ("Đà") ranks those exact words ("Đà") above the others ("đá").
Synonyms apply at search time only, but they live in the index template: a change
takes effect with the next reindex (scripts/reindex.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.search.documents import (
    FACETS,
    MAX_BODY_CHARS,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_QUERY_WORDS,
    TYPES,
    FacetValue,
    Hit,
    Query,
    Results,
    SearchDoc,
    fold,
    highlight,
    words,
)
from services.search.synonyms import synonym_lines

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
#: Completion context value every document carries, so autocomplete can span all sites.
ALL_SITES = "_all"  # no site slug can start with "_"
#: Exact phrase > folded phrase > exact title words > summary > body (added to the match).
BOOSTS = {
    "title_phrase": 8.0,
    "title_folded_phrase": 4.0,
    "title": 3.0,
    "summary": 1.0,
    "body": 0.5,
}
#: Recency multiplies the score by 1 + RECENCY * 0.5 ** (age / half-life): only near-ties move.
RECENCY, HALF_LIFE = 0.25, "365d"
MINIMUM_SHOULD_MATCH = "2<75%"  # one or two words: all of them; more: three in four
FRAGMENT_CHARS = 200
FEW_RESULTS = 3  # fewer than this, and a respelling that finds more is offered
SOURCE_FIELDS = ["id", "site", "type", "title", "summary", "path", "category", "published_at"]
FACET_SIZES = {"site": 100, "type": len(TYPES), "category": 100, "year": 50}
#: While a new index loads: no refreshes, no replicas; after it, back to serving.
LOAD_SETTINGS: dict[str, Any] = {
    "refresh_interval": "-1", "number_of_replicas": 0, "auto_expand_replicas": "false",
}  # fmt: skip
LIVE_SETTINGS: dict[str, Any] = {"refresh_interval": "1s", "auto_expand_replicas": "0-1"}


def _text_field() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "vi_exact",
        "search_analyzer": "vi_exact_search",
        "fields": {
            "folded": {
                "type": "text",
                "analyzer": "vi_folded",
                "search_analyzer": "vi_folded_search",
            }
        },
    }


def index_template_body(alias: str) -> dict[str, Any]:
    """`PUT _index_template/<alias>`: analysis and mappings of every `<alias>-*` index."""
    keyword = {"type": "keyword"}
    return {
        "index_patterns": [f"{alias}-*"],
        # Overlapping patterns need distinct priorities ("a-*" matches "a-b-*"): the
        # longer alias, the more specific template, wins.
        "priority": 100 + len(alias),
        "template": {
            "settings": {
                "index": {"number_of_shards": 1, **LIVE_SETTINGS},
                "analysis": {
                    # asciifolding folds đ too; the mapping keeps that true whatever
                    # filter order or version comes along.
                    "char_filter": {"vi_dd": {"type": "mapping", "mappings": ["đ => d", "Đ => D"]}},
                    "filter": {
                        "vi_ascii": {"type": "asciifolding", "preserve_original": False},
                        "vi_synonyms": {
                            "type": "synonym_graph",
                            "synonyms": synonym_lines(),
                            "lenient": True,
                        },
                    },
                    "analyzer": {
                        "vi_exact": {
                            "type": "custom",
                            "tokenizer": "standard",
                            "filter": ["lowercase"],
                        },
                        "vi_exact_search": {
                            "type": "custom",
                            "tokenizer": "standard",
                            "filter": ["lowercase", "vi_synonyms"],
                        },
                        "vi_folded": {
                            "type": "custom",
                            "tokenizer": "standard",
                            "char_filter": ["vi_dd"],
                            "filter": ["lowercase", "vi_ascii"],
                        },
                        "vi_folded_search": {
                            "type": "custom",
                            "tokenizer": "standard",
                            "char_filter": ["vi_dd"],
                            "filter": ["lowercase", "vi_ascii", "vi_synonyms"],
                        },
                    },
                },
            },
            "mappings": {
                "dynamic": "strict",
                "properties": {
                    "id": keyword,
                    "site": keyword,
                    "type": keyword,
                    "category": keyword,
                    "category_name": {"type": "keyword", "index": False},
                    "language": keyword,
                    "path": {"type": "keyword", "index": False},
                    "title": _text_field(),
                    "summary": _text_field(),
                    "body": _text_field(),
                    "keywords": _text_field(),
                    "published_at": {"type": "date"},
                    "year": {"type": "integer"},
                    "suggest": {
                        "type": "completion",
                        "analyzer": "vi_folded",
                        "max_input_length": 100,
                        "contexts": [{"name": "site", "type": "category"}],
                    },
                },
            },
        },
    }


def _nfc(text: str) -> str:
    # Marks must be composed for asciifolding and for exact matches to see one letter.
    return unicodedata.normalize("NFC", text)


def doc_source(doc: SearchDoc) -> dict[str, Any]:
    source = doc.as_json()
    for name in ("title", "summary", "keywords", "category_name"):
        source[name] = _nfc(source[name])
    source["body"] = _nfc(doc.body[:MAX_BODY_CHARS])
    source["year"] = doc.year
    source["suggest"] = {"input": [source["title"]], "contexts": {"site": [doc.site, ALL_SITES]}}
    return source


def bulk_actions(index: str, docs: Sequence[SearchDoc]) -> list[dict[str, Any]]:
    """Index (add or replace) actions for `helpers.async_bulk`."""
    return [
        {"_op_type": "index", "_index": index, "_id": d.id, "_source": doc_source(d)} for d in docs
    ]


def delete_actions(index: str, ids: Sequence[str]) -> list[dict[str, Any]]:
    return [{"_op_type": "delete", "_index": index, "_id": i} for i in ids]


def _query_text(query: Query) -> str:
    # Words only (no operators reach the engine), in order, bounded like Query.text_words.
    return " ".join(words(query.q)[:MAX_QUERY_WORDS])


def _day_start(day: date) -> str:
    return datetime.combine(day, time(), HANOI).isoformat()


def _filters(query: Query) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = [
        {"term": {name: value}}
        for name, value in (
            ("site", query.site),
            ("type", query.type),
            ("category", query.category),
        )
        if value
    ]
    if query.date_from or query.date_to:
        # Whole days in Hanoi time: [from 00:00, day after `to` 00:00).
        bounds = {}
        if query.date_from:
            bounds["gte"] = _day_start(query.date_from)
        if query.date_to:
            bounds["lt"] = _day_start(query.date_to + timedelta(days=1))
        filters.append({"range": {"published_at": bounds}})
    return filters


def _relevance(text: str, filters: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    matches = {
        "multi_match": {
            "query": text,
            "type": "cross_fields",  # each word may be in any field
            "fields": ["title.folded^3", "keywords.folded^2", "summary.folded^2", "body.folded"],
            "operator": "or",
            "minimum_should_match": MINIMUM_SHOULD_MATCH,
        }
    }
    boosts = [
        {"match_phrase": {"title": {"query": text, "boost": BOOSTS["title_phrase"]}}},
        {"match_phrase": {"title.folded": {"query": text, "boost": BOOSTS["title_folded_phrase"]}}},
        {"match": {"title": {"query": text, "boost": BOOSTS["title"]}}},
        {"match": {"summary": {"query": text, "boost": BOOSTS["summary"]}}},
        {"match": {"body": {"query": text, "boost": BOOSTS["body"]}}},
    ]
    origin = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "function_score": {
            "query": {"bool": {"must": [matches], "should": boosts, "filter": filters}},
            "functions": [
                {"weight": 1},
                {
                    "exp": {"published_at": {"origin": origin, "scale": HALF_LIFE, "decay": 0.5}},
                    "weight": RECENCY,
                },
            ],
            "score_mode": "sum",
            "boost_mode": "multiply",
        }
    }


def search_body(query: Query, now: datetime) -> dict[str, Any]:
    """`POST <alias>/_search` for a Query; `now` anchors the recency decay."""
    size = min(max(query.size, 1), MAX_PAGE_SIZE)
    page = min(max(query.page, 1), MAX_PAGE)
    text = _query_text(query)
    filters = _filters(query)
    body: dict[str, Any] = {
        "from": (page - 1) * size,
        "size": size,
        "track_total_hits": True,
        "_source": SOURCE_FIELDS,
        "aggs": {f: {"terms": {"field": f, "size": FACET_SIZES[f]}} for f in FACETS},
        "highlight": {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "fields": {
                "summary.folded": {"fragment_size": FRAGMENT_CHARS, "number_of_fragments": 1},
                "body.folded": {
                    "fragment_size": FRAGMENT_CHARS,
                    "number_of_fragments": 1,
                    "no_match_size": FRAGMENT_CHARS,
                },
            },
        },
    }
    if not text:
        body["query"] = {"bool": {"must": [{"match_all": {}}], "filter": filters}}
        body["sort"] = [{"published_at": {"order": "desc"}}, {"id": {"order": "asc"}}]
        return body
    body["query"] = _relevance(text, filters, now)
    body["suggest"] = {
        "did_you_mean": {
            "text": text,
            "phrase": {
                "field": "title.folded",
                "analyzer": "vi_folded",  # the phrase model wants plain tokens, no synonym graph
                "size": 1,
                "max_errors": 2,
                "direct_generator": [
                    # Vietnamese syllables are short: correct words from two letters on.
                    {"field": "title.folded", "suggest_mode": "always", "min_word_length": 2}
                ],
                "collate": {
                    "query": {
                        "source": {
                            "match": {
                                "title.folded": {"query": "{{suggestion}}", "operator": "and"}
                            }
                        }
                    },
                    "prune": False,
                },
            },
        }
    }
    return body


def suggest_body(prefix: str, site: str | None, size: int) -> dict[str, Any]:
    """Autocomplete: titles whose folded words start with the folded prefix."""
    return {
        "size": 0,  # suggestions only, no hits
        "_source": ["title"],
        "suggest": {
            "titles": {
                "prefix": _nfc(prefix).strip(),
                "completion": {
                    "field": "suggest",
                    "size": size,
                    "skip_duplicates": True,
                    "contexts": {"site": [site or ALL_SITES]},
                },
            }
        },
    }


def parse_suggestions(response: dict[str, Any]) -> list[str]:
    titles: list[str] = []
    for entry in response.get("suggest", {}).get("titles", []):
        for option in entry.get("options", []):
            title = option.get("_source", {}).get("title") or option.get("text", "")
            if title and title not in titles:
                titles.append(title)
    return titles


def _snippet(fragments: dict[str, list[str]], source: dict[str, Any], query: Query) -> str:
    for field in ("summary.folded", "body.folded"):
        for fragment in fragments.get(field, []):
            if "<mark>" in fragment:
                return fragment
    if source.get("summary"):
        return highlight(source["summary"], query.text_words)
    # No match and no summary: the start of the body (no_match_size), already escaped.
    return next(iter(fragments.get("body.folded", [])), "")


def parse_results(query: Query, response: dict[str, Any]) -> Results:
    hits_part = response.get("hits", {})
    total = hits_part.get("total", {})
    total = total.get("value", 0) if isinstance(total, dict) else int(total or 0)
    hits = []
    for raw in hits_part.get("hits", []):
        source = raw["_source"]
        hits.append(
            Hit(
                id=source["id"],
                title=source["title"],
                path=source["path"],
                type=source["type"],
                site=source["site"],
                snippet=_snippet(raw.get("highlight", {}), source, query),
                published_at=datetime.fromisoformat(source["published_at"]),
                score=float(raw.get("_score") or 0.0),
                category=source.get("category", ""),
            )
        )
    aggregations = response.get("aggregations", {})
    facets = {
        name: [
            FacetValue(str(bucket["key"]), bucket["doc_count"])
            for bucket in aggregations.get(name, {}).get("buckets", [])
            if str(bucket["key"])
        ]
        for name in FACETS
    }
    return Results(
        total=total, hits=hits, facets=facets, suggestion=_suggestion(query, total, response)
    )


def _suggestion(query: Query, total: int, response: dict[str, Any]) -> str | None:
    if total >= FEW_RESULTS:
        return None
    for entry in response.get("suggest", {}).get("did_you_mean", []):
        for option in entry.get("options", []):
            text = option.get("text", "")
            if text and fold(text) != fold(query.q):
                return text
    return None
