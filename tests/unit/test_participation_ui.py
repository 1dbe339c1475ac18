"""services.admin.ui.participation: the presentation rules of the participation screens
(a draft typed as "Điều N." blocks, Hanoi-time fields, the ratings' averages)."""

from __future__ import annotations

from services.admin.ui.backends import BackendError
from services.admin.ui.participation import (
    average_label,
    local_moment,
    local_value,
    message,
    parse_articles,
)


def test_articles_are_blocks_that_start_with_dieu_n() -> None:
    text = (
        "\n  Điều 1. Phạm vi điều chỉnh\r\nQuy định này áp dụng trên địa bàn phường.\r\n\r\n"
        "điều  2: Thời gian\nTừ 6 giờ đến 22 giờ.\nNgoài giờ phải dọn dẹp.\n"
        "Điều 3\nCó hiệu lực từ ngày ký.\n"
    )
    articles, problem = parse_articles(text)
    assert problem is None
    assert articles == [
        {"number": "Điều 1", "heading": "Phạm vi điều chỉnh",
         "text": "Quy định này áp dụng trên địa bàn phường."},
        {"number": "Điều 2", "heading": "Thời gian",
         "text": "Từ 6 giờ đến 22 giờ.\nNgoài giờ phải dọn dẹp."},
        {"number": "Điều 3", "heading": "", "text": "Có hiệu lực từ ngày ký."},
    ]  # fmt: skip


def test_a_line_mentioning_an_article_inside_the_text_is_text() -> None:
    articles, problem = parse_articles("Điều 1. Chung\nTheo quy định tại Điều 5 Luật Đất đai.")
    assert problem is None and len(articles) == 1
    assert articles[0]["text"] == "Theo quy định tại Điều 5 Luật Đất đai."


def test_bad_drafts_are_explained_in_vietnamese() -> None:
    for text, said in [
        ("", "mỗi điều bắt đầu bằng dòng"),
        ("   \n\n", "mỗi điều bắt đầu bằng dòng"),
        ("Lời nói đầu\nĐiều 1. A\nB", "phải bắt đầu bằng dòng"),
        ("Điều 1. A\n\nĐiều 2. B\nNội dung", "Điều 1: chưa có nội dung"),
        ("Điều 1. A\nx\nĐiều 1. B\ny", "số hiệu riêng"),
    ]:
        articles, problem = parse_articles(text)
        assert articles == [] and problem and said in problem, (text, problem)


def test_hanoi_time_fields() -> None:
    assert local_moment("2026-11-26T09:00") == "2026-11-26T09:00:00+07:00"
    assert local_moment(" 2026-11-26T09:00:30 ") == "2026-11-26T09:00:30+07:00"
    for bad in ("", "26/11/2026 09:00", "2026-13-01T09:00", "2026-11-26T25:00", "x" * 50):
        assert local_moment(bad) is None
    assert local_value("2026-11-26T02:00:00+00:00") == "2026-11-26T09:00"
    assert local_value(None) == ""


def test_averages_and_hidden_ones() -> None:
    assert average_label({"average": 4.2}) == "4,2/5"
    assert average_label({"average": 5.0}) == "5,0/5"
    assert average_label({"average": None}) == "—"


def test_refused_fields_are_named_in_vietnamese() -> None:
    exc = BackendError(400, "Dữ liệu gửi lên không hợp lệ.", {"errors": [
        {"key": "topic", "message": "quá ngắn, cần ít nhất 5 ký tự"},
        {"key": "starts_at", "message": "thiếu mục này"},
    ]})  # fmt: skip
    said = message(exc)
    assert "Chủ đề: quá ngắn" in said and "Bắt đầu: thiếu mục này" in said
    assert message(BackendError(409, "Chỉ kết thúc được buổi đối thoại đang diễn ra.")) == (
        "Chỉ kết thúc được buổi đối thoại đang diễn ra."
    )
