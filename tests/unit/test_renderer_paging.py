"""renderer's paging maths and strict query strings (no I/O)."""

from __future__ import annotations

import pytest

from services.renderer.paging import (
    MAX_PAGE,
    PER_PAGE,
    BadPageNumber,
    PageOutOfRange,
    Paging,
    page_number,
    paging,
)
from services.renderer.query import MAX_QUERY_BYTES, BadQuery, parse_query, text_value


@pytest.mark.parametrize(("raw", "number"), [(None, 1), ("", 1), ("1", 1), ("27", 27)])
def test_page_numbers(raw: str | None, number: int) -> None:
    assert page_number(raw) == number


@pytest.mark.parametrize("raw", ["-1", "1.5", "abc", "1e3", " 2", "２", "9" * 40])
def test_page_numbers_that_are_not_numbers(raw: str) -> None:
    with pytest.raises(BadPageNumber):
        page_number(raw)


@pytest.mark.parametrize("raw", ["0", "01", "000", str(MAX_PAGE + 1), "9" * 20])
def test_page_numbers_no_list_has(raw: str) -> None:
    with pytest.raises(PageOutOfRange):
        page_number(raw)


def test_paging_maths() -> None:
    assert PER_PAGE == 20
    p = paging(1, 45)
    assert (p.pages, p.offset, p.prev, p.next) == (3, 0, None, 2)
    assert (p.first_item, p.last_item) == (1, 20)
    p = paging(3, 45)
    assert (p.offset, p.prev, p.next, p.first_item, p.last_item) == (40, 2, None, 41, 45)
    p = paging(2, 40)
    assert (p.pages, p.next) == (2, None)
    # An empty list still has its first page, and nothing more.
    empty = paging(1, 0)
    assert (empty.pages, empty.first_item, empty.last_item, empty.next) == (1, 0, 0, None)
    for page, total in [(2, 0), (3, 40), (4, 45)]:
        with pytest.raises(PageOutOfRange):
            paging(page, total)
    assert Paging(page=1, total=21).pages == 2


def test_query_strings_are_read_strictly() -> None:
    assert parse_query(b"") == {}
    assert parse_query(b"q=H%C3%A0+N%E1%BB%99i&trang=2") == {"q": "Hà Nội", "trang": "2"}
    assert parse_query(b"q=a&q=b") == {"q": "a"}  # the first wins
    assert parse_query(b"flag&x=") == {"flag": "", "x": ""}
    for raw in [
        b"q=%FF%FE",  # not UTF-8
        b"q=%C3",  # cut in the middle of a character
        b"q=%00",
        b"q=a%0Ab",
        b"q=%C2%85",  # C1 control
        b"x=" + b"a" * MAX_QUERY_BYTES,
        b"&".join([b"a=1"] * 30),
    ]:
        with pytest.raises(BadQuery):
            parse_query(raw)


def test_text_values() -> None:
    query = {"q": "  Hà   Nội  ", "blank": "   ", "long": "x" * 201}
    assert text_value(query, "q") == "Hà Nội"
    assert text_value(query, "blank") is None
    assert text_value(query, "missing") is None
    assert text_value(query, "long", limit=201) == "x" * 201
    with pytest.raises(BadQuery, match="200"):
        text_value(query, "long", limit=200)
    decomposed = {"q": "Ha\u0300 Nô\u0323i"}
    assert text_value(decomposed, "q") == "Hà Nội"
