"""Paging maths for list pages (pure): `?trang=N`, 20 a page."""

from __future__ import annotations

import re
from dataclasses import dataclass

PER_PAGE = 20
#: Past this page number a request is nonsense, whatever the site holds.
MAX_PAGE = 100_000

_DIGITS = re.compile(r"[0-9]{1,20}")
_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


class BadPageNumber(ValueError):
    """`trang` is not a number at all (400)."""


class PageOutOfRange(LookupError):
    """`trang` is a number, but the list has no such page (404)."""


def page_number(value: str | None) -> int:
    """1 when absent. BadPageNumber unless ASCII digits; PageOutOfRange for a number
    no list has (0, 007, past MAX_PAGE)."""
    if value is None or value == "":
        return 1
    if not _DIGITS.fullmatch(value):
        raise BadPageNumber(value[:20])
    if not _NUMBER.fullmatch(value) or int(value) > MAX_PAGE:
        raise PageOutOfRange(value)
    return int(value)


@dataclass(frozen=True)
class Paging:
    page: int
    total: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        """How many pages; an empty list still has its first page."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def prev(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    @property
    def first_item(self) -> int:
        """1-based number of the first item shown (0 when none)."""
        return self.offset + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        return min(self.total, self.offset + self.per_page)


def paging(page: int, total: int, per_page: int = PER_PAGE) -> Paging:
    """The page, or PageOutOfRange when it lies past the end."""
    result = Paging(page=page, total=total, per_page=per_page)
    if page < 1 or page > result.pages:
        raise PageOutOfRange(page)
    return result
