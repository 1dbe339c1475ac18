"""What search indexes and answers, with no I/O: documents, queries, results, and the
Vietnamese text rules both engines share.

Most people type Vietnamese without diacritics, and `đ` is a letter of its own in
Unicode (not d plus a mark), so NFKD folding alone leaves it: `fold` maps it by hand.
Engines keep the original words too, so a query typed with its marks ("Đà") ranks
the documents that have exactly those marks above the others ("đá").
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from contracts.content import KIND_LABELS_VI
from runtime.text import fold

#: Types a citizen can filter on; articles carry their content kind, answers "answer".
#: Procedures and gazette documents join when their events exist.
TYPE_LABELS_VI: dict[str, str] = {**KIND_LABELS_VI, "answer": "Hỏi đáp"}
TYPES = tuple(TYPE_LABELS_VI)
FACETS = ("site", "type", "category", "year")

MAX_QUERY_CHARS = 200
#: At most this many words of a query are used.
MAX_QUERY_WORDS = 16
MAX_PAGE_SIZE = 50
MAX_PAGE = 100  # deep pages cost the engine; nobody reads page 101 of a search
MAX_BODY_CHARS = 20_000  # what is indexed of one body; snippets come from it too


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """The words of a text as typed, NFC and lower case (diacritics kept)."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def folded_words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class SearchDoc:
    """One searchable document: an article of any kind, or a published answer."""

    id: str  # "article:<id>", "answer:<id>": unique across sources
    site: str
    type: str
    title: str
    summary: str
    body: str  # plain text
    path: str  # on its own site
    category: str = ""
    category_name: str = ""
    language: str = "vi"
    published_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Extra words people search by that are not in the text (document number, issuer).
    keywords: str = ""

    @property
    def year(self) -> int:
        return self.published_at.year

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "site": self.site, "type": self.type, "title": self.title,
            "summary": self.summary, "body": self.body, "path": self.path,
            "category": self.category, "category_name": self.category_name,
            "language": self.language, "published_at": self.published_at.isoformat(),
            "keywords": self.keywords,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchDoc:
        values = dict(data)
        values["published_at"] = datetime.fromisoformat(values["published_at"])
        return cls(**values)


class BadQuery(ValueError):
    """A query a person must fix; the message is Vietnamese, for them to read."""


@dataclass(frozen=True)
class Query:
    q: str = ""
    site: str | None = None
    type: str | None = None
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    size: int = 10

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def text_words(self) -> list[str]:
        """The query's words as typed (lower case), without repeats, bounded."""
        return list(dict.fromkeys(words(self.q)))[:MAX_QUERY_WORDS]

    @property
    def has_marks(self) -> bool:
        """Did the person type diacritics (or đ)? Then exact forms rank first."""
        return any(w != fold(w) for w in self.text_words)


def make_query(
    q: str | None,
    *,
    site: str | None = None,
    type: str | None = None,
    category: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    page: str | int | None = None,
    size: str | int | None = None,
) -> Query:
    """A Query from what a person or a program sent; BadQuery says what to fix."""
    text = unicodedata.normalize("NFC", (q or "").replace("\x00", " "))
    # Control characters (tabs, new lines, NUL) separate words; they are never kept.
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(f"Từ khóa quá dài: tối đa {MAX_QUERY_CHARS} ký tự.")
    if type is not None and type != "" and type not in TYPES:
        raise BadQuery("Loại nội dung không hợp lệ.")
    parsed_from = _date(date_from, "Từ ngày")
    parsed_to = _date(date_to, "Đến ngày")
    if parsed_from and parsed_to and parsed_from > parsed_to:
        raise BadQuery("Khoảng thời gian không hợp lệ: “từ ngày” sau “đến ngày”.")
    return Query(
        q=text,
        site=_slug(site, "Trang"),
        type=type or None,
        category=_slug(category, "Chuyên mục"),
        date_from=parsed_from,
        date_to=parsed_to,
        page=_number(page, "Trang kết quả", 1, MAX_PAGE, default=1),
        size=_number(size, "Số kết quả mỗi trang", 1, MAX_PAGE_SIZE, default=10),
    )


_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _slug(value: str | None, label: str) -> str | None:
    if value is None or value == "":
        return None
    if not _SLUG.match(value):
        raise BadQuery(f"{label} không hợp lệ.")
    return value


def _date(value: str | None, label: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"{label} không hợp lệ: dùng dạng YYYY-MM-DD.") from None


def _number(value: str | int | None, label: str, low: int, high: int, *, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadQuery(f"{label} phải là số.") from None
    if not low <= number <= high:
        raise BadQuery(f"{label} phải từ {low} đến {high}.")
    return number


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    path: str
    type: str
    site: str
    snippet: str  # HTML: escaped text with <mark> around matched words
    published_at: datetime
    score: float
    category: str = ""


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True)
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    #: "Did you mean": the query respelled, when it finds little and a respelling more.
    suggestion: str | None = None


def recency_weight(published_at: datetime, now: datetime, *, half_life_days: float = 365) -> float:
    """A small multiplier for new documents: 1.25 today, 1.125 after a half-life, -> 1.

    Ranking is exact phrase, then title, then recency: recency only breaks near-ties,
    so its weight stays small next to the phrase and title boosts.
    """
    age_days = max((now - published_at).total_seconds() / 86400, 0.0)
    return 1.0 + 0.25 * 0.5 ** (age_days / half_life_days)


def highlight(text: str, query_words: list[str], *, max_chars: int = 240) -> str:
    """An escaped fragment of `text` around the first matches, matches in <mark>.

    Matching is on folded words, so "dang ky" marks "Đăng ký". Engines that
    highlight themselves (OpenSearch) need not use this.
    """
    wanted = {fold(w) for w in query_words if w}
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text) if fold(m.group()) in wanted]
    start = 0
    if spans:
        start = max(0, spans[0][0] - max_chars // 4)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + max_chars)
    while end < len(text) and not text[end - 1].isspace():
        end += 1
        if end - start > max_chars + 30:
            break
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out).strip()
