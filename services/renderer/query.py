"""Query strings of public pages, read strictly (pure).

Anything odd (bytes that are not UTF-8, control characters, too long, too many
fields) is a BadQuery the page answers with 400 and a Vietnamese message, never
a server error. Unknown fields are ignored; of a repeated field the first wins.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl

MAX_QUERY_BYTES = 2048
MAX_FIELDS = 20
MAX_VALUE = 300


class BadQuery(ValueError):
    """The message is what the citizen reads."""


def parse_query(raw: bytes) -> dict[str, str]:
    if len(raw) > MAX_QUERY_BYTES:
        raise BadQuery("Địa chỉ trang quá dài.")
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeError, ValueError) as exc:
        raise BadQuery("Địa chỉ trang có ký tự không hợp lệ.") from exc
    values: dict[str, str] = {}
    for name, value in pairs:
        if _has_control(name) or _has_control(value):
            raise BadQuery("Địa chỉ trang có ký tự không hợp lệ.")
        values.setdefault(name, value)
    return values


def text_value(query: dict[str, str], name: str, *, limit: int = MAX_VALUE) -> str | None:
    """A free-text field, NFC, trimmed; None when absent or blank; BadQuery when too long."""
    value = " ".join(unicodedata.normalize("NFC", query.get(name, "")).split())
    if len(value) > limit:
        raise BadQuery(f"Giá trị của «{name}» dài quá {limit} ký tự.")
    return value or None


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\ufffe\uffff" for c in text)
