"""search's pure rules: folding, queries people send, snippets, recency, respelling."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from runtime.html import plain_text
from services.search.documents import (
    BadQuery,
    fold,
    folded_words,
    highlight,
    make_query,
    recency_weight,
)
from services.search.tantivy_engine import _units, edit_distance


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký kết hôn", "dang ky ket hon"),
        ("ĐÀ NẴNG", "da nang"),
        ("Thủ tục cấp giấy phép xây dựng", "thu tuc cap giay phep xay dung"),
        ("tho\u0302\u0301i", "thoi"),  # decomposed (NFD) input
        ("Ｈà　Nội", "ha noi"),  # full-width letters and space
    ],
)
def test_fold_removes_every_mark_and_maps_d_stroke(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_plain_text_keeps_words_apart_and_decodes_entities() -> None:
    assert plain_text("<p>Một</p><p>Hai &amp; ba</p><br>bốn") == "Một Hai & ba bốn"


def test_a_query_is_cleaned_and_bounded() -> None:
    q = make_query("  đăng\x00 ký\tkết  hôn ", site="hoankiem", page="2", size="5")
    assert q.q == "đăng ký kết hôn" and q.offset == 5 and q.has_marks
    assert not make_query("dang ky").has_marks
    assert make_query(None).q == "" and make_query("").page == 1
    assert make_query("x", date_from="2026-01-01").date_from == date(2026, 1, 1)
    assert len(make_query(" ".join(f"w{i}" for i in range(40))).text_words) == 16


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"q": "x" * 201}, "Từ khóa quá dài"),
        ({"page": "0"}, "Trang kết quả phải từ 1 đến 100."),
        ({"size": "x"}, "Số kết quả mỗi trang phải là số."),
        ({"type": "exe"}, "Loại nội dung không hợp lệ."),
        ({"site": "../x"}, "Trang không hợp lệ."),
        ({"date_from": "24/11/2026"}, "dùng dạng YYYY-MM-DD"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "Khoảng thời gian không hợp lệ"),
    ],
)
def test_bad_queries_say_what_to_fix_in_vietnamese(kwargs: dict, message: str) -> None:
    q = kwargs.pop("q", "x")
    with pytest.raises(BadQuery, match=message.replace("(", r"\(")):
        make_query(q, **kwargs)


def test_highlight_marks_folded_matches_and_escapes() -> None:
    out = highlight("Hướng dẫn <đăng ký> kết hôn & ly hôn", ["dang", "ky", "hon"])
    assert out == (
        "Hướng dẫn &lt;<mark>đăng</mark> <mark>ký</mark>&gt; kết <mark>hôn</mark> &amp; ly "
        "<mark>hôn</mark>"
    )
    long = "mở đầu " * 100 + "kết hôn" + " phần sau" * 100
    snippet = highlight(long, ["ket", "hon"], max_chars=120)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>kết</mark>" in snippet


def test_recency_weight_is_small_and_decays() -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    assert recency_weight(now, now) == pytest.approx(1.25)
    assert recency_weight(now - timedelta(days=365), now) == pytest.approx(1.125)
    assert 1.0 < recency_weight(now - timedelta(days=3650), now) < 1.001
    assert recency_weight(now + timedelta(days=1), now) == pytest.approx(1.25)


def test_synonym_phrases_become_one_unit() -> None:
    units = _units(folded_words("thu tuc hanh chinh ubnd phuong"))
    assert [len(u) for u in units] == [2, 3, 1]  # tthc group, ubnd group, a word
    assert ["tthc"] in units[0] and ["uy", "ban", "nhan", "dan"] in units[1]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("hon", "hon", 0), ("hpn", "hon", 1), ("hnon", "hon", 1), ("ohn", "hon", 1),
     ("dunh", "dung", 1), ("abc", "xyz", 3), ("a", "abcdef", 3)],
)  # fmt: skip
def test_edit_distance_counts_swaps_once_and_stops_early(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b, limit=2) == min(distance, 3)
