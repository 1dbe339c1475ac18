"""Readable differences between two revisions of an article, with no I/O.

Editors and the board read words, not markup: bodies are compared as text,
word by word (difflib), and each other field as a before/after pair. The admin
UI shows deletions struck through and insertions underlined.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from typing import Any

_BLOCK = re.compile(r"</?(p|div|h[1-6]|li|tr|br|figure|figcaption|blockquote|table)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_WORDS = re.compile(r"\s+|[^\s]+")

#: Fields compared as wholes, with their Vietnamese labels.
FIELDS: dict[str, str] = {
    "title": "Tiêu đề",
    "summary": "Tóm tắt",
    "category": "Chuyên mục",
    "kind": "Loại bài",
    "author": "Tác giả",
    "language": "Ngôn ngữ",
    "details": "Trường riêng",
    "images": "Ảnh",
    "attachments": "Tệp đính kèm",
    "authors": "Tác giả và tỷ lệ nhuận bút",
}


def html_to_text(body_html: str) -> str:
    """The words of sanitised HTML, one paragraph per line."""
    text = _BLOCK.sub("\n", body_html)
    text = html.unescape(_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class Segment:
    op: str  # "equal" | "insert" | "delete"
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class RevisionDiff:
    fields: list[FieldChange]
    body: list[Segment]

    @property
    def changed(self) -> bool:
        return bool(self.fields) or any(s.op != "equal" for s in self.body)


def word_diff(before: str, after: str) -> list[Segment]:
    """Word-level difference; neighbouring pieces of the same kind are merged."""
    a = _WORDS.findall(before)
    b = _WORDS.findall(after)
    segments: list[Segment] = []

    def add(op: str, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return segments


def diff_revisions(before: dict[str, Any] | None, after: dict[str, Any]) -> RevisionDiff:
    """What changed from `before` (None: nothing was there) to `after`."""
    old = before or {}
    fields = [
        FieldChange(name, label, old.get(name), after.get(name))
        for name, label in FIELDS.items()
        if old.get(name) != after.get(name)
    ]
    body = word_diff(
        html_to_text(old.get("body_html") or ""), html_to_text(after.get("body_html") or "")
    )
    return RevisionDiff(fields=fields, body=body)
