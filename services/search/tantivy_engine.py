"""The embedded engine: tantivy (Rust, in process), with Vietnamese folding.

Text is indexed twice: folded (lower case, no marks, đ -> d: tantivy's ASCII folding
maps đ, which Unicode folding does not) so "dang ky ket hon" finds "Đăng ký kết hôn",
and exact (lower case, marks kept), so a query typed with marks ranks the documents
with exactly those marks first ("Đà" above "đá").

Index generations live under one root: `<root>/<generation>/`, and `<root>/CURRENT`
names the live one. A rebuild (in this process or in scripts/reindex.py) writes a new
generation beside the live one and then replaces CURRENT atomically; serving
processes see the change and switch, so search never stops. Only one process writes
a generation at a time (tantivy locks it).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import tantivy
from tantivy import Filter, Occur, Query, TextAnalyzerBuilder, Tokenizer

from services.search import documents as d
from services.search.synonyms import SYNONYMS

log = logging.getLogger("portal.search.tantivy")

T = TypeVar("T")
VN_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
FOLDED = "vi_folded"
EXACT = "vi_exact"
#: Stored, filterable keyword fields (also the facets, with year).
KEYWORDS = ("id", "site", "type", "category", "language")
#: Folded text fields and their weight in the match.
TEXT_BOOSTS = {"title": 3.0, "keywords": 2.0, "summary": 1.5, "body": 1.0}
#: Days since this epoch, /1000, weight a document's score by log2(2 + value): newer
#: documents gain a little (2016 -> 2026 is about x1.18), so recency breaks near-ties
#: without outranking phrase and title matches.
RECENCY_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
WRITER_HEAP = 64 * 1024 * 1024


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    for name in KEYWORDS:
        b.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    for name in ("path", "category_name"):
        b.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    for name in TEXT_BOOSTS:
        b.add_text_field(name, stored=True, tokenizer_name=FOLDED)
    b.add_text_field("title_exact", tokenizer_name=EXACT)
    b.add_text_field("text_exact", tokenizer_name=EXACT)
    b.add_date_field("published_at", stored=True, indexed=True, fast=True)
    b.add_integer_field("year", stored=True, indexed=True, fast=True)
    b.add_float_field("recency", fast=True)
    return b.build()


SCHEMA = _schema()


def _open(path: Path) -> tantivy.Index:
    index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
    simple = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(80))
    index.register_tokenizer(
        FOLDED, simple.filter(Filter.lowercase()).filter(Filter.ascii_fold()).build()
    )
    index.register_tokenizer(
        EXACT,
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(80))
        .filter(Filter.lowercase())
        .build(),
    )
    return index


def _document(doc: d.SearchDoc) -> tantivy.Document:
    body = doc.body[: d.MAX_BODY_CHARS]
    published = doc.published_at.astimezone(UTC)
    return tantivy.Document(
        id=doc.id,
        site=doc.site,
        type=doc.type,
        category=doc.category,
        language=doc.language,
        path=doc.path,
        category_name=doc.category_name,
        title=doc.title,
        keywords=doc.keywords,
        summary=doc.summary,
        body=body,
        title_exact=doc.title,
        text_exact=f"{doc.summary} {body}",
        published_at=published,
        year=int(published.astimezone(VN_TIME).year),
        recency=max((published - RECENCY_EPOCH).days, 0) / 1000,
    )


class TantivyEngine:
    name = "tantivy"

    def __init__(self, root: Path, *, now: Callable[[], datetime] | None = None) -> None:
        self.root = root
        self._now = now or (lambda: datetime.now(UTC))
        # One thread writes (tantivy's writer is not shared across threads safely);
        # searches run on their own small pool.
        self._write_pool = ThreadPoolExecutor(1, thread_name_prefix="tantivy-write")
        self._read_pool = ThreadPoolExecutor(4, thread_name_prefix="tantivy-read")
        self._generation: str | None = None
        self._index: tantivy.Index | None = None
        self._writer: Any = None
        self._checked_at = 0.0
        self._switch = asyncio.Lock()

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._current_name() is None:
            name = self._new_generation_name()
            (self.root / name).mkdir()
            await self._write(lambda: _open(self.root / name))
            self._point_to(name)
        await self._follow(force=True)

    async def close(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            await self._write(writer.wait_merging_threads)
        self._write_pool.shutdown(wait=True)
        self._read_pool.shutdown(wait=True)

    def _current_name(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name).is_dir() else None

    def _new_generation_name(self) -> str:
        return f"gen-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}"

    def _point_to(self, name: str) -> None:
        tmp = self.root / f"CURRENT.{uuid.uuid4().hex}"
        tmp.write_text(name)
        os.replace(tmp, self.root / "CURRENT")  # atomic on POSIX

    async def _follow(self, *, force: bool = False) -> None:
        """Switch to the generation CURRENT names, if another process swapped it."""
        if not force and time.monotonic() - self._checked_at < 0.25:
            return
        self._checked_at = time.monotonic()
        name = self._current_name()
        if name is None or name == self._generation:
            return
        async with self._switch:
            if name == self._generation:
                return
            old = self._writer
            self._writer = None
            if old is not None:
                await self._write(old.wait_merging_threads)
            index = await self._write(lambda: _open(self.root / name))
            self._index, self._generation = index, name
            self._writer = await self._write(lambda: index.writer(WRITER_HEAP, 1))
            log.info("search index generation", extra={"generation": name})
        self._remove_old_generations(keep=name)

    def _remove_old_generations(self, keep: str) -> None:
        for child in self.root.iterdir():
            # A generation a rebuild is writing is younger than the live one: kept.
            if child.is_dir() and child.name.startswith("gen-") and child.name < keep:
                shutil.rmtree(child, ignore_errors=True)

    async def _write(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._write_pool, fn)

    async def _read(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._read_pool, fn)

    # --- writes ------------------------------------------------------------------------------

    async def upsert(self, docs: Sequence[d.SearchDoc]) -> None:
        if not docs:
            return
        prepared = [_document(doc) for doc in docs]
        ids = [doc.id for doc in docs]

        def apply() -> None:
            for doc_id, doc in zip(ids, prepared, strict=True):
                self._writer.delete_documents_by_term("id", doc_id)
                self._writer.add_document(doc)
            self._writer.commit()

        await self._commit(apply)

    async def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return

        def apply() -> None:
            for doc_id in ids:
                self._writer.delete_documents_by_term("id", doc_id)
            self._writer.commit()

        await self._commit(apply)

    async def _commit(self, apply: Callable[[], None]) -> None:
        """Write to the live generation; if a rebuild swapped it meanwhile, write the
        same change to the new one too, so no write is lost in the swap."""
        await self._follow(force=True)
        while True:
            generation = self._generation
            async with self._switch:
                assert self._index is not None
                await self._write(apply)
                await self._write(self._index.reload)
            if self._current_name() in (None, generation):
                return
            await self._follow(force=True)

    async def rebuild(self, batches: AsyncIterable[Sequence[d.SearchDoc]]) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        name = self._new_generation_name()
        path = self.root / name
        path.mkdir()
        index = await self._write(lambda: _open(path))
        writer = await self._write(lambda: index.writer(WRITER_HEAP * 2, 1))
        count = 0
        try:
            async for batch in batches:
                prepared = [_document(doc) for doc in batch]

                def add(prepared: list[tantivy.Document] = prepared) -> None:
                    for doc in prepared:
                        writer.add_document(doc)

                await self._write(add)
                count += len(prepared)
            await self._write(writer.commit)
            await self._write(writer.wait_merging_threads)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._point_to(name)
        if self._index is not None:  # serving: switch now (another process follows)
            await self._follow(force=True)
        return count

    # --- reads -------------------------------------------------------------------------------

    async def count(self) -> int:
        await self._follow()
        assert self._index is not None
        index = self._index
        return await self._read(lambda: index.searcher().num_docs)

    async def search(self, query: d.Query) -> d.Results:
        await self._follow()
        assert self._index is not None
        index = self._index
        return await self._read(lambda: _search(index, query, self._now()))

    async def suggest(self, prefix: str, *, site: str | None = None, size: int = 8) -> list[str]:
        await self._follow()
        assert self._index is not None
        index = self._index
        return await self._read(lambda: _suggest(index, prefix, site, size))


# --- queries (run on a read thread) -----------------------------------------------------------


def _filters(query: d.Query) -> list[Query]:
    out: list[Query] = []
    for name, value in (("site", query.site), ("type", query.type), ("category", query.category)):
        if value:
            out.append(Query.term_query(SCHEMA, name, value))
    if query.date_from or query.date_to:
        low = _day_start(query.date_from) if query.date_from else None
        high = _day_start(query.date_to + timedelta(days=1)) if query.date_to else None
        out.append(
            Query.range_query(
                SCHEMA, "published_at", tantivy.FieldType.Date, low, high,
                include_upper=high is None,
            )
        )  # fmt: skip
    return out


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, dtime.min, tzinfo=VN_TIME).astimezone(UTC)


def _units(folded: list[str]) -> list[list[list[str]]]:
    """The query as units that must each match: a word, or a synonym phrase with its
    alternatives (each a list of folded words)."""
    groups = [[d.folded_words(p) for p in group] for group in SYNONYMS]
    units: list[list[list[str]]] = []
    i = 0
    while i < len(folded):
        best: tuple[int, list[list[str]]] | None = None
        for group in groups:
            for phrase in group:
                n = len(phrase)
                if n and folded[i : i + n] == phrase and (best is None or n > best[0]):
                    best = (n, group)
        if best:
            units.append(best[1])
            i += best[0]
        else:
            units.append([[folded[i]]])
            i += 1
    return units


def _match(words: list[str]) -> Query:
    """A word or phrase anywhere in the folded text, title weighted most."""
    parts = []
    for field, boost in TEXT_BOOSTS.items():
        if len(words) == 1:
            q = Query.term_query(SCHEMA, field, words[0])
        else:
            q = Query.phrase_query(SCHEMA, field, words)
        parts.append(Query.boost_query(q, boost))
    return Query.disjunction_max_query(parts, 0.2)


def _text_query(query: d.Query, *, all_units: bool) -> Query | None:
    """Every unit must match; or, with `all_units` off and three units or more, all
    but one (a long query with one word no document has still finds something)."""
    typed = query.text_words
    folded = [w for word in typed for w in d.folded_words(word)]
    if not folded:
        return None
    units = [
        Query.boolean_query([(Occur.Should, _match(alt)) for alt in unit])
        for unit in _units(folded)
    ]
    if all_units and len(units) >= 4:
        # Long queries: documents with every unit first, then those missing one (an
        # answer that paraphrases the question still counts).
        every = Query.boolean_query([(Occur.Must, q) for q in units])
        clauses: list[tuple[Any, Query]] = [
            (Occur.Must, _at_least(units, len(units) - 1)),
            (Occur.Should, Query.boost_query(every, 3.0)),
        ]
    elif all_units:
        clauses = [(Occur.Must, q) for q in units]
    elif len(units) >= 3:
        clauses = [(Occur.Must, _at_least(units, len(units) - 1))]
    else:
        return None
    # Ranking: the exact phrase first, then the title; typed marks count.
    if len(folded) > 1:
        title = Query.phrase_query(SCHEMA, "title", folded)
        clauses.append((Occur.Should, Query.boost_query(title, 6.0)))
        # Not the body: a phrase over every body costs more than it ranks.
        summary = Query.phrase_query(SCHEMA, "summary", folded, slop=1)
        clauses.append((Occur.Should, Query.boost_query(summary, 2.0)))
    if query.has_marks:
        for word in typed:
            exact_title = Query.term_query(SCHEMA, "title_exact", word)
            clauses.append((Occur.Should, Query.boost_query(exact_title, 2.5)))
            exact_text = Query.term_query(SCHEMA, "text_exact", word)
            clauses.append((Occur.Should, Query.boost_query(exact_text, 1.0)))
        if len(typed) > 1:
            phrase = Query.phrase_query(SCHEMA, "title_exact", typed)
            clauses.append((Occur.Should, Query.boost_query(phrase, 4.0)))
    return Query.boolean_query(clauses)


def _at_least(units: list[Query], n: int) -> Query:
    return Query.boolean_query([(Occur.Should, q) for q in units], minimum_number_should_match=n)


def _with_filters(text: Query | None, query: d.Query) -> Query:
    filters = [(Occur.Must, Query.const_score_query(f, 0.0)) for f in _filters(query)]
    if text is None:
        return Query.boolean_query(filters) if filters else Query.all_query()
    return Query.boolean_query([(Occur.Must, text), *filters])


def _search(index: tantivy.Index, query: d.Query, now: datetime) -> d.Results:
    searcher = index.searcher()
    text = _text_query(query, all_units=True)
    full = _with_filters(text, query)
    found = _run(searcher, full, query, text is None)
    suggestion = None
    if text is not None and found.count < 3:
        suggestion = _did_you_mean(searcher, query)
        loose_text = _text_query(query, all_units=False) if found.count == 0 else None
        if loose_text is not None:
            # No document has every word: show those that have all but one.
            full = _with_filters(loose_text, query)
            found = _run(searcher, full, query, False)
    hits = []
    typed = query.text_words
    for score, address in found.hits:
        doc = searcher.doc(address)
        hits.append(_hit(doc, typed, score))
    facets = _facets(searcher, full)
    return d.Results(total=found.count, hits=hits, facets=facets, suggestion=suggestion)


def _run(searcher: Any, q: Query, query: d.Query, newest_first: bool) -> Any:
    if newest_first:
        return searcher.search(
            q, query.size, count=True, offset=query.offset, order_by_field="published_at"
        )
    return searcher.search(
        q, query.size, count=True, offset=query.offset, weight_by_field="recency"
    )


def _first(doc: Any, name: str) -> Any:
    values = doc.get_all(name)
    return values[0] if values else ""


def _hit(doc: Any, typed: list[str], score: Any) -> d.Hit:
    published = _first(doc, "published_at")
    if isinstance(published, datetime) and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    summary, body = _first(doc, "summary"), _first(doc, "body")
    source = summary if _has_any(summary, typed) or not body else body
    return d.Hit(
        id=_first(doc, "id"),
        title=_first(doc, "title"),
        path=_first(doc, "path"),
        type=_first(doc, "type"),
        site=_first(doc, "site"),
        category=_first(doc, "category"),
        snippet=d.highlight(source or summary, typed),
        published_at=published,
        score=round(float(score), 4) if isinstance(score, float) else 0.0,
    )


def _has_any(text: str, typed: list[str]) -> bool:
    wanted = {d.fold(w) for w in typed}
    return bool(wanted & set(d.folded_words(text)))


def _facets(searcher: Any, q: Query) -> dict[str, list[d.FacetValue]]:
    spec = {
        name: {"terms": {"field": name, "size": 200 if name == "site" else 50}} for name in d.FACETS
    }
    result = searcher.aggregate(q, spec)
    facets: dict[str, list[d.FacetValue]] = {}
    for name in d.FACETS:
        buckets = result.get(name, {}).get("buckets", [])
        facets[name] = [
            d.FacetValue(str(int(b["key"]) if name == "year" else b["key"]), int(b["doc_count"]))
            for b in buckets
            if str(b["key"]) != ""
        ]
    return facets


def _suggest(index: tantivy.Index, prefix: str, site: str | None, size: int) -> list[str]:
    folded = d.folded_words(prefix[: d.MAX_QUERY_CHARS])[: d.MAX_QUERY_WORDS]
    if not folded or not prefix.strip():
        return []
    searcher = index.searcher()
    # "thu tuc c" completes the last word; "thu tuc " wants whole words only.
    if prefix.endswith(" "):
        q = _match_title(folded)
    else:
        q = Query.phrase_prefix_query(SCHEMA, "title", folded)
    filters = [(Occur.Must, Query.term_query(SCHEMA, "site", site))] if site else []
    full = Query.boolean_query([(Occur.Must, q), *filters])
    found = searcher.search(full, size * 3, count=False, weight_by_field="recency")
    titles: list[str] = []
    for _score, address in found.hits:
        title = _first(searcher.doc(address), "title")
        if title not in titles:
            titles.append(title)
        if len(titles) == size:
            break
    return titles


# --- did you mean ------------------------------------------------------------------------------


def _match_title(folded: list[str]) -> Query:
    if len(folded) == 1:
        return Query.term_query(SCHEMA, "title", folded[0])
    return Query.phrase_query(SCHEMA, "title", folded)


def _did_you_mean(searcher: Any, query: d.Query) -> str | None:
    """Respell words the index does not know with the nearest known word (edit distance
    ≤ 2, most frequent first), in the form with marks that titles use most."""
    typed = query.text_words
    changed = False
    out: list[str] = []
    for word in typed:
        folded = d.fold(word)
        if (
            len(folded) < 3
            or not folded.isalpha()
            or searcher.doc_freq("body", folded) + searcher.doc_freq("title", folded) > 0
        ):
            out.append(word)
            continue
        best = _nearest(searcher, folded)
        if best is None:
            out.append(word)
            continue
        # Answer in the person's own style: with marks if they typed marks.
        out.append(_with_marks(searcher, best) if query.has_marks else best)
        changed = True
    if not changed:
        return None
    respelled = " ".join(out)
    return respelled if d.fold(respelled) != d.fold(query.q) else None


def _nearest(searcher: Any, folded: str) -> str | None:
    candidates: dict[str, int] = {}
    for field in ("title", "body"):
        for term, count in searcher.terms_with_prefix(field, folded[0], limit=5000):
            if abs(len(term) - len(folded)) <= 2:
                candidates[term] = candidates.get(term, 0) + count
    best: tuple[int, int, str] | None = None
    for term, count in candidates.items():
        distance = edit_distance(folded, term, limit=2)
        if distance <= 2 and (best is None or (distance, -count) < (best[0], best[1])):
            best = (distance, -count, term)
    return best[2] if best else None


def _with_marks(searcher: Any, folded: str) -> str:
    """The most frequent exact spelling of a folded word."""
    best, best_count = folded, 0
    for first in {folded[0], *_MARKED_FIRST.get(folded[0], ())}:
        for term, count in searcher.terms_with_prefix("title_exact", first, limit=5000):
            if count > best_count and d.fold(term) == folded:
                best, best_count = term, count
    return best


_MARKED_FIRST = {
    "a": "áàảãạăắằẳẵặâấầẩẫậ", "e": "éèẻẽẹêếềểễệ", "i": "íìỉĩị", "o": "óòỏõọôốồổỗộơớờởỡợ",
    "u": "úùủũụưứừửữự", "y": "ýỳỷỹỵ", "d": "đ",
}  # fmt: skip


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps cost 1), stopping early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]
