"""The judged search set is sound: valid documents, real ids, enough unaccented queries,
and the committed corpus is what its generator writes (no I/O beyond the data files)."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import pytest

from scripts.eval_search import CORPUS, JUDGED
from scripts.make_search_corpus import CATEGORIES, corpus
from services.search.documents import TYPES, SearchDoc, fold, make_query

TENANTS = Path(__file__).resolve().parents[2] / "services" / "admin" / "seed" / "tenants.csv"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


DOCS = _lines(CORPUS)
QUERIES = _lines(JUDGED)
IDS = {d["id"] for d in DOCS}
TEXT_FIELDS = ("title", "summary", "body", "category_name", "keywords")


def test_document_ids_are_unique() -> None:
    assert len(IDS) == len(DOCS)
    assert 250 <= len(DOCS) <= 400


@pytest.mark.parametrize("doc", DOCS, ids=[d["id"] for d in DOCS])
def test_every_document_is_a_valid_search_doc(doc: dict) -> None:
    parsed = SearchDoc.from_json(doc)
    assert parsed.as_json() == doc  # exactly the fields SearchDoc knows
    assert parsed.type in TYPES
    assert parsed.language == "vi"
    assert parsed.published_at.utcoffset() is not None
    assert 2023 <= parsed.year <= 2026
    assert parsed.category_name == CATEGORIES[parsed.category]
    prefix = "answer:" if parsed.type == "answer" else "article:"
    assert parsed.id.startswith(prefix)
    assert parsed.path.startswith("/hoi-dap/" if parsed.type == "answer" else "/tin-tuc/")
    for name in TEXT_FIELDS:
        value = doc[name]
        assert unicodedata.normalize("NFC", value) == value, f"{name} is not NFC"
    assert parsed.title and parsed.summary and parsed.body


def test_sites_are_real_tenants() -> None:
    with TENANTS.open(encoding="utf-8") as f:
        slugs = {row["slug"] for row in csv.DictReader(f)}
    assert {d["site"] for d in DOCS} <= slugs


def test_the_committed_corpus_is_what_the_generator_writes() -> None:
    assert [d.as_json() for d in corpus()] == DOCS


def test_enough_queries_and_enough_typed_without_diacritics() -> None:
    assert len(QUERIES) >= 50
    bare = [q for q in QUERIES if fold(q["q"]) == q["q"]]
    assert len(bare) / len(QUERIES) >= 0.4


def test_queries_are_unique_and_valid() -> None:
    keys = [(q["q"], q["site"]) for q in QUERIES]
    assert len(set(keys)) == len(keys)
    for q in QUERIES:
        assert set(q) == {"q", "site", "relevant"}
        assert unicodedata.normalize("NFC", q["q"]) == q["q"]
        make_query(q["q"], site=q["site"])  # raises BadQuery if the engine would refuse it


def test_every_judged_id_exists_with_a_grade_from_1_to_3() -> None:
    by_id = {d["id"]: d for d in DOCS}
    for q in QUERIES:
        assert q["relevant"], q["q"]
        assert any(g >= 2 for g in q["relevant"].values()), q["q"]
        for doc_id, grade in q["relevant"].items():
            assert doc_id in IDS, f"{q['q']}: {doc_id} is not in the corpus"
            assert grade in (1, 2, 3)
            if q["site"]:
                assert by_id[doc_id]["site"] == q["site"], f"{q['q']}: {doc_id} is off-site"


def test_the_set_covers_what_search_must_handle() -> None:
    """Abbreviations, confusable words, site filters: the cases the set exists for."""
    texts = {q["q"] for q in QUERIES}
    for abbreviation in ("CCCD", "GPLX", "BHXH", "TTHC"):
        assert abbreviation in texts
    assert {"Đà Nẵng", "da nang", "đá ốp lát", "Hà Đông", "ha dong"} <= texts
    assert sum(1 for q in QUERIES if q["site"]) >= 4
