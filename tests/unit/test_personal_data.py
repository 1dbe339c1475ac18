"""Personal data taken out of what is published: citizens' texts and staff answers."""

from __future__ import annotations

import time

import pytest

from services.feedback.personal_data import (
    REDACTED,
    Person,
    fold,
    house_numbers,
    redact,
    redact_answer,
)

BICH = Person("Trần Thị Bích", "bich.tran@example.vn", "0912 345 678")
QUESTION = (
    "Tôi là Trần Thị Bích, ở số 5 Hàng Bài, điện thoại 0912.345.678 hoặc +84 912 345 679, "
    "email bich.tran@example.vn, CCCD 001190012345. Bích xin hỏi về giấy phép xây dựng."
)


def test_a_citizens_text_loses_names_contacts_ids_and_house_number() -> None:
    out = redact(QUESTION, BICH)
    for secret in ("Trần Thị Bích", "0912.345.678", "+84 912 345 679", "bich.tran@example.vn",
                   "001190012345", "Bích", "số 5 "):  # fmt: skip
        assert secret not in out
    assert out.count(REDACTED) == 7
    assert "Hàng Bài" in out and "giấy phép xây dựng" in out  # the street alone says little


def test_years_amounts_and_document_numbers_stay() -> None:
    kept = "Theo Nghị định 175/2024/NĐ-CP, số 13/2023/NĐ-CP, năm 2026, phí 500000 đồng, 3 lần."
    assert redact(kept, Person("Nguyễn Văn An")) == kept


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        # A given name of two letters, alone, as a name.
        ("Tôi tên An, xin hỏi.", "Nguyễn Văn An", f"Tôi tên {REDACTED}, xin hỏi."),
        ("Hà xin hỏi.", "Lê Thu Hà", f"{REDACTED} xin hỏi."),
        # Written in lower case after a word of address, or without diacritics.
        ("chị hà có hỏi", "Lê Thu Hà", f"chị {REDACTED} có hỏi"),
        ("Nguyen Van An gui", "Nguyễn Văn An", f"{REDACTED} gui"),
        ("Văn An đây", "Nguyễn Văn An", f"{REDACTED} đây"),
        ("ÔNG NGUYỄN VĂN AN", "Nguyễn Văn An", f"ÔNG {REDACTED}"),
        # Not the word in other uses, nor part of another proper noun.
        ("an toàn giao thông", "Nguyễn Văn An", "an toàn giao thông"),
        ("ở Hà Nội và Hà Đông", "Lê Thu Hà", "ở Hà Nội và Hà Đông"),
        ("phường Vĩnh Hưng", "Trần Hưng", "phường Vĩnh Hưng"),
        ("ở Long Biên", "Phạm Long", "ở Long Biên"),
    ],
)
def test_names_are_found_as_names(text: str, name: str, expected: str) -> None:
    assert redact(text, Person(name)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Địa chỉ: 12 Hàng Bạc", f"Địa chỉ: {REDACTED} Hàng Bạc"),
        ("nhà số 12A ngõ 34 phố Huế", f"nhà số {REDACTED} ngõ 34 phố Huế"),
        ("số nhà 7/3", f"số nhà {REDACTED}"),
        ("tôi ở 12 phố Huế", f"tôi ở {REDACTED} phố Huế"),
        (
            "nhà tôi ở số 5 ngách 12/34 ngõ 120 Trần Duy Hưng",
            f"nhà tôi ở số {REDACTED} ngách 12/34 ngõ 120 Trần Duy Hưng",
        ),
        ("phòng 302 tòa CT2, căn hộ 1203", f"phòng {REDACTED} tòa CT2, căn hộ {REDACTED}"),
        ("trú tại 45B Lý Thường Kiệt", f"trú tại {REDACTED} Lý Thường Kiệt"),
        ("Tôi là Bích, ở số 5 Hàng Bài", f"Tôi là Bích, ở số {REDACTED} Hàng Bài"),
        # Where the problem is, or an office, is what a report or an answer is about.
        ("Ổ gà lớn trước số 12 phố Hàng Bài", "Ổ gà lớn trước số 12 phố Hàng Bài"),
        ("Ổ gà ở số 12 phố Huế. Tôi đi qua", "Ổ gà ở số 12 phố Huế. Tôi đi qua"),
        ("họp tại số 1 Lý Thường Kiệt", "họp tại số 1 Lý Thường Kiệt"),
        # The lane's and the street's own numbers, and other counts, stay.
        ("ngõ 165 Cầu Giấy ngập", "ngõ 165 Cầu Giấy ngập"),
        ("chờ 3 tháng, nộp 2 lần", "chờ 3 tháng, nộp 2 lần"),
    ],
)
def test_house_numbers_are_found(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_emails_of_every_form_and_long_runs() -> None:
    text = "Liên hệ nguyen.van-a+1@ha-noi.gov.vn, hoặc b@x.vn."
    assert redact(text) == f"Liên hệ {REDACTED}, hoặc {REDACTED}."
    assert redact("a" * 300 + "@example.vn") == REDACTED
    assert redact("a" * 20_000 + "@") == "a" * 20_000 + "@"


def test_hostile_input_takes_linear_time() -> None:
    """Long runs that backtracking regexes choke on: letters without "@", digits,
    dots, words that each could start a name."""
    person = Person("Nguyễn Văn An Bình Minh Châu", "a@b.vn", "0912345678")
    started = time.perf_counter()
    for hostile in ("a" * 100_000, "1" * 100_000, "1." * 50_000, "An " * 30_000,
                    "Nguyễn Văn " * 10_000, "số " * 30_000 + "1", "@" * 100_000):  # fmt: skip
        redact(hostile, person)
        redact_answer(hostile, person, hostile)
    # Generous: the old quadratic email pattern took minutes on the first one alone.
    assert time.perf_counter() - started < 20


def test_a_staff_answer_loses_the_askers_data_only() -> None:
    answer = (
        '<p>Kính gửi bà Trần Thị Bích (<a href="mailto:bich.tran@example.vn">thư</a>, '
        "0912.345.678), nhà ở số 5 Hàng Bài.</p><p>Mời bà Bích liên hệ đường dây nóng "
        "0243.825.3536, vanthu@hanoi.gov.vn, trụ sở số 1 Lý Thường Kiệt.</p>"
    )
    out = redact_answer(answer, BICH, QUESTION)
    for secret in ("Bích", "bich.tran@example.vn", "0912.345.678", "số 5 "):
        assert secret not in out, secret
    # The office's own contacts and address are the point of an answer.
    for kept in ("0243.825.3536", "vanthu@hanoi.gov.vn", "số 1 Lý Thường Kiệt", "Hàng Bài"):
        assert kept in out, kept
    assert out.startswith("<p>Kính gửi bà ") and out.endswith("</p>")
    assert '<a href="mailto:">thư</a>' in out  # markup intact, only the address gone


def test_a_staff_answer_without_the_askers_data_is_unchanged() -> None:
    answer = "<p>Theo <strong>Điều 5</strong> Nghị định 13/2023/NĐ-CP, hồ sơ gồm 3 bản.</p>"
    assert redact_answer(answer, BICH, QUESTION) == answer


def test_fold_keeps_one_character_for_each() -> None:
    text = "Đường Nguyễn Trãi, ỨNG HÒA"
    assert fold(text) == "duong nguyen trai, ung hoa"
    assert len(fold(text)) == len(text)
    assert house_numbers("") == []
