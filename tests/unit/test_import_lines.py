"""One line of the old portal's export: what is imported, and why a line is refused."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.content.imports import (
    AttachmentRef,
    LineRejected,
    default_legacy_id,
    item_from,
    parse_line,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
GOOD: dict[str, Any] = {
    "legacy_id": "tin-2023-0042",
    "title": "Hà Nội khánh thành cầu Vĩnh Tuy giai đoạn 2",
    "summary": "Cây cầu nối quận Hai Bà Trưng với quận Long Biên.",
    "body_html": "<p>Sáng nay, cầu Vĩnh Tuy giai đoạn 2 chính thức thông xe.</p>",
    "category": "tin-tuc",
    "published_at": "2023-08-30T08:15:00+07:00",
    "author": "Phóng viên Cổng TTĐT",
}


def line(**changes: Any) -> str:
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...}, ensure_ascii=False)


def rejected(text: str, number: int = 7) -> str:
    with pytest.raises(LineRejected) as caught:
        parse_line(text, number, now=NOW)
    assert caught.value.line == number
    return caught.value.reason


def test_a_good_line_becomes_an_item() -> None:
    item = parse_line(line(), 3, now=NOW)
    assert item.line == 3
    assert item.legacy_id == "tin-2023-0042"
    assert item.title == GOOD["title"]
    assert item.summary == GOOD["summary"]
    assert item.body_html == GOOD["body_html"]
    assert item.category == "tin-tuc"
    assert item.author == "Phóng viên Cổng TTĐT"
    assert item.attachments == ()


def test_the_original_offset_is_kept_and_means_the_same_instant() -> None:
    item = parse_line(line(), 1, now=NOW)
    assert item.published_at.utcoffset() == timedelta(hours=7)
    assert item.published_at == datetime(2023, 8, 30, 1, 15, tzinfo=UTC)
    zulu = parse_line(line(published_at="2023-08-30T01:15:00Z"), 1, now=NOW)
    assert zulu.published_at == item.published_at
    assert zulu.published_at.tzinfo is not None


def test_vietnamese_text_is_stored_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Phường Hoàn Kiếm ra quân")
    assert nfd != unicodedata.normalize("NFC", nfd)
    item = parse_line(line(title=nfd, summary=nfd, author=nfd, body_html=f"<p>{nfd}</p>"), 1,
                      now=NOW)  # fmt: skip
    for value in (item.title, item.summary, item.author, item.body_html):
        assert unicodedata.is_normalized("NFC", value)
    assert item.title == "Phường Hoàn Kiếm ra quân"


def test_titles_are_one_line_of_plain_text() -> None:
    item = parse_line(line(title="  Thông báo\n\tlịch  tiếp dân\u200b "), 1, now=NOW)
    assert item.title == "Thông báo lịch tiếp dân"


def test_unknown_fields_are_ignored() -> None:
    item = parse_line(line(views=1234, old_url="http://hanoi.gov.vn/x", tags=["a"]), 1, now=NOW)
    assert item.title == GOOD["title"]


def test_without_legacy_id_the_title_and_date_name_the_article() -> None:
    item = parse_line(line(legacy_id=...), 1, now=NOW)
    expected = hashlib.sha256(f"{GOOD['title']}\n2023-08-30T01:15:00+00:00".encode()).hexdigest()
    assert item.legacy_id == expected
    assert item.legacy_id == default_legacy_id(item.title, item.published_at)
    # The same moment written in another zone is the same article.
    same = parse_line(line(legacy_id=..., published_at="2023-08-30T01:15:00Z"), 2, now=NOW)
    assert same.legacy_id == item.legacy_id
    blank = parse_line(line(legacy_id="  "), 1, now=NOW)
    assert blank.legacy_id == expected


def test_numeric_legacy_ids_are_text() -> None:
    assert parse_line(line(legacy_id=90417), 1, now=NOW).legacy_id == "90417"


def test_attachments_are_files_or_urls() -> None:
    item = parse_line(
        line(attachments=[
            {"file": "dinhkem/baocao.pdf", "title": "Báo cáo tổng kết"},
            {"url": "https://old.hanoi.gov.vn/files/qd-123.pdf"},
        ]),
        1, now=NOW,
    )  # fmt: skip
    assert item.attachments == (
        AttachmentRef("file", "dinhkem/baocao.pdf", "Báo cáo tổng kết"),
        AttachmentRef("url", "https://old.hanoi.gov.vn/files/qd-123.pdf", ""),
    )


def test_the_api_takes_only_uploaded_attachments() -> None:
    media_id = "0b0f7a52-8a8e-4d0e-9a43-5d3c4b1f2a10"
    data = {**GOOD, "attachments": [{"media_id": media_id, "title": "Quyết định"}]}
    item = item_from(data, 4, now=NOW, uploaded=True)
    assert item.attachments == (AttachmentRef("media", media_id, "Quyết định"),)
    with pytest.raises(LineRejected, match="media_id"):
        item_from({**GOOD, "attachments": [{"url": "http://169.254.169.254/"}]}, 4,
                  now=NOW, uploaded=True)  # fmt: skip
    with pytest.raises(LineRejected, match="media_id"):
        item_from({**GOOD, "attachments": [{"media_id": "../../etc/passwd"}]}, 4,
                  now=NOW, uploaded=True)  # fmt: skip


def test_to_api_round_trips_through_the_server_checks() -> None:
    item = parse_line(line(), 9, now=NOW)
    media = [{"media_id": "0b0f7a52-8a8e-4d0e-9a43-5d3c4b1f2a10", "title": "Tệp"}]
    again = item_from(json.loads(json.dumps(item.to_api(media))), 9, now=NOW, uploaded=True)
    assert again.legacy_id == item.legacy_id
    assert again.published_at == item.published_at
    assert again.title == item.title
    assert again.attachments[0].kind == "media"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "Dòng không phải JSON hợp lệ."),
        ("", "Dòng không phải JSON hợp lệ."),
        ("[" * 100_000, "Dòng không phải JSON hợp lệ."),
        ("[1, 2]", "Mỗi dòng phải là một đối tượng JSON {…}."),
        ('"tin tức"', "Mỗi dòng phải là một đối tượng JSON {…}."),
        ("null", "Mỗi dòng phải là một đối tượng JSON {…}."),
    ],
)
def test_lines_that_are_not_objects(text: str, reason: str) -> None:
    assert rejected(text) == reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": ...}, "Thiếu trường title."),
        ({"title": "   \n "}, "Thiếu tiêu đề (title)."),
        ({"title": 42}, "Trường title phải là chuỗi ký tự."),
        ({"title": "Đ" * 501}, "Tiêu đề dài 501 ký tự, quá 500 ký tự cho phép."),
        ({"summary": "a" * 2001}, "Tóm tắt dài 2001 ký tự, quá 2000 ký tự cho phép."),
        ({"body_html": ["<p>"]}, "Trường body_html phải là chuỗi ký tự."),
        ({"body_html": "<p>" + "ệ" * 340_000 + "</p>"},
         "Nội dung (body_html) nặng 1,0 MB, quá 1 MB cho phép."),
        ({"body_html": "<p>a\x00b</p>"}, "Trường body_html chứa ký tự NUL."),
        ({"category": ...}, "Thiếu chuyên mục (category)."),
        ({"category": ""}, "Thiếu chuyên mục (category)."),
        ({"category": "c" * 61}, "Mã chuyên mục (category) dài quá 60 ký tự."),
        ({"published_at": ...}, "Thiếu ngày đăng gốc (published_at)."),
        ({"published_at": 1693357200}, "Ngày đăng (published_at) phải là chuỗi ISO 8601."),
        ({"published_at": "30/08/2023"},
         "Ngày đăng “30/08/2023” không đúng ISO 8601 (ví dụ 2023-05-17T08:30:00+07:00)."),
        ({"published_at": "2023-02-30T08:00:00+07:00"},
         "Ngày đăng “2023-02-30T08:00:00+07:00” không đúng ISO 8601 "
         "(ví dụ 2023-05-17T08:30:00+07:00)."),
        ({"published_at": "2023-08-30T08:15:00"},
         "Ngày đăng “2023-08-30T08:15:00” thiếu múi giờ; hãy ghi kèm, ví dụ +07:00 hoặc Z."),
        ({"published_at": "2023-08-30"},
         "Ngày đăng “2023-08-30” thiếu múi giờ; hãy ghi kèm, ví dụ +07:00 hoặc Z."),
        ({"published_at": "2026-05-01T12:00:01Z"},
         "Ngày đăng “2026-05-01T12:00:01Z” nằm trong tương lai."),
        ({"published_at": "2026-05-01T19:30:00+07:00"},
         "Ngày đăng “2026-05-01T19:30:00+07:00” nằm trong tương lai."),
        ({"published_at": "0001-01-01T00:00:00+07:00"},
         "Ngày đăng “0001-01-01T00:00:00+07:00” nằm ngoài khoảng thời gian hợp lệ."),
        ({"legacy_id": "x" * 201}, "Mã bài cũ (legacy_id) dài quá 200 ký tự."),
        ({"legacy_id": {"id": 1}}, "Mã bài cũ (legacy_id) phải là chuỗi hoặc số."),
        ({"legacy_id": True}, "Mã bài cũ (legacy_id) phải là chuỗi hoặc số."),
        ({"author": "Tác giả " * 30}, "Tên tác giả (author) dài quá 200 ký tự."),
        ({"author": 7}, "Trường author phải là chuỗi ký tự."),
        ({"attachments": "baocao.pdf"},
         "Tệp đính kèm (attachments) phải là danh sách các {url} hoặc {file}."),
        ({"attachments": ["baocao.pdf"]}, "Tệp đính kèm thứ 1 phải là {url} hoặc {file}."),
        ({"attachments": [{"title": "Báo cáo"}]},
         "Tệp đính kèm thứ 1 phải có đúng một trong hai: url hoặc file."),
        ({"attachments": [{"file": "a.pdf"}, {"url": "https://x.vn/a", "file": "a.pdf"}]},
         "Tệp đính kèm thứ 2 phải có đúng một trong hai: url hoặc file."),
        ({"attachments": [{"url": "javascript:alert(1)"}]},
         "Tệp đính kèm thứ 1: url phải là địa chỉ http:// hoặc https://."),
        ({"attachments": [{"url": "file:///etc/passwd"}]},
         "Tệp đính kèm thứ 1: url phải là địa chỉ http:// hoặc https://."),
        ({"attachments": [{"file": ""}]}, "Tệp đính kèm thứ 1: file phải là đường dẫn tới tệp."),
        ({"attachments": [{"file": "a.pdf"}] * 51}, "Mỗi bài có tối đa 50 tệp đính kèm."),
    ],
)  # fmt: skip
def test_each_rejection_says_why(changes: dict[str, Any], reason: str) -> None:
    assert rejected(line(**changes)) == reason


def test_a_lone_surrogate_is_refused_not_stored() -> None:
    # Valid JSON, but no UTF-8 text: a database would fail on it.
    text = line().replace(json.dumps(GOOD["title"], ensure_ascii=False)[1:-1], "Tin \\ud800")
    assert rejected(text) == "Trường title chứa ký tự Unicode không hợp lệ."


def test_published_now_is_not_the_future() -> None:
    item = parse_line(line(published_at=NOW.isoformat()), 1, now=NOW)
    assert item.published_at == NOW


def test_other_offsets_are_accepted() -> None:
    item = parse_line(line(published_at="2020-01-01T00:00:00-05:30"), 1, now=NOW)
    assert item.published_at.utcoffset() == -timedelta(hours=5, minutes=30)
    assert item.published_at.astimezone(UTC).hour == 5
