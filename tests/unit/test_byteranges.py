"""Range headers: one satisfiable range is served, nonsense is ignored, never an error."""

from __future__ import annotations

import pytest

from services.content.byteranges import UNSATISFIABLE, content_range, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 100)),
        ("bytes=100-", (100, SIZE)),
        ("bytes=-100", (SIZE - 100, SIZE)),
        ("bytes=-5000", (0, SIZE)),  # a suffix longer than the file is the whole file
        ("bytes=990-5000", (990, SIZE)),  # the end is clamped
        ("bytes=999-999", (999, SIZE)),
        ("Bytes= 0-0", (0, 1)),  # the unit is case-insensitive
        ("bytes=0-" + "9" * 5000, (0, SIZE)),  # thousands of digits, no int() of them
        ("bytes=" + "0" * 40 + "7-0009", (7, 10)),  # leading zeros are still small numbers
    ],
)
def test_one_range(header: str, expected: tuple[int, int]) -> None:
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    ["bytes=1000-", "bytes=999999999-", "bytes=1000-2000", "bytes=-0", "bytes=" + "9" * 5000 + "-"],
)
def test_unsatisfiable(header: str) -> None:
    assert parse_range(header, SIZE) == UNSATISFIABLE


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=abc",
        "bytes=",
        "bytes=-",
        "bytes=5-1",  # last before first: invalid, ignored
        "bytes=0-1,5-9",  # several ranges: the whole file
        "bytes=0-1, 1-2, 2-3",
        "items=0-1",
        "bytes 0-1",
        "bytes=+1-2",
        "bytes=0x10-",
        "bytes=1-2-3",
        "bytes=" + "1" * 300,
        "bytes=١-٢",  # non-ASCII digits are not digits here
    ],
)
def test_ignored(header: str | None) -> None:
    assert parse_range(header, SIZE) is None


def test_an_empty_file_has_no_range() -> None:
    assert parse_range("bytes=0-", 0) == UNSATISFIABLE
    assert parse_range("bytes=-1", 0) == UNSATISFIABLE


def test_content_range() -> None:
    assert content_range(0, 100, SIZE) == "bytes 0-99/1000"
