"""renderer's text helpers: normalisation, folding, dates (no I/O)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from runtime.text import fold
from services.renderer.text import (
    clip,
    en_datetime,
    iso_datetime,
    iso_duration,
    nfc,
    nfc_deep,
    rfc822,
    vn_date,
    vn_datetime,
    vn_duration,
)

NFD = unicodedata.normalize("NFD", "Phường Hoàn Kiếm")


def test_nfc_composes_decomposed_vietnamese() -> None:
    assert NFD != "Phường Hoàn Kiếm"
    assert nfc(NFD) == "Phường Hoàn Kiếm"
    nested = nfc_deep({"a": [NFD, {"b": NFD}], NFD: 3, "n": None, "x": 1.5})
    assert nested == {
        "a": ["Phường Hoàn Kiếm", {"b": "Phường Hoàn Kiếm"}],
        "Phường Hoàn Kiếm": 3,
        "n": None,
        "x": 1.5,
    }


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hà Nội", "ha noi"),
        ("ĐƯỜNG  Điện Biên\tPhủ", "duong dien bien phu"),
        (NFD, "phuong hoan kiem"),
        ("Ｈà Ｎội", "ha noi"),  # full-width letters
        ("Quyết định 12/QĐ-UBND", "quyet dinh 12/qd-ubnd"),
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_fold_drops_case_and_diacritics(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_dates_are_shown_in_hanoi_time() -> None:
    at = datetime(2026, 11, 24, 2, 15, 30, 123456, tzinfo=UTC)
    assert vn_datetime(at) == "24/11/2026 09:15"
    assert vn_datetime(None) == ""
    assert en_datetime(at) == "24 November 2026, 09:15"
    # Just before midnight UTC is already the next day in Hanoi.
    late = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert vn_datetime(late) == "01/01/2027 03:00"
    assert vn_date(late) == "01/01/2027"
    assert vn_date("2026-03-02") == "02/03/2026"
    assert vn_date(date(2026, 3, 2)) == "02/03/2026"
    assert vn_date(None) == vn_date("") == ""
    # Naive values are UTC (as SQLite hands them back).
    assert vn_datetime(datetime(2026, 11, 24, 2, 15)) == "24/11/2026 09:15"


def test_machine_dates() -> None:
    at = datetime(2026, 11, 24, 2, 15, 30, 123456, tzinfo=UTC)
    # HTML <time> allows at most three decimals: whole seconds, with the offset.
    assert iso_datetime(at) == "2026-11-24T09:15:30+07:00"
    assert iso_datetime(None) == ""
    assert rfc822(at) == "Tue, 24 Nov 2026 09:15:30 +0700"
    assert parsedate_to_datetime(rfc822(at)) == at.replace(microsecond=0)
    other = datetime(2026, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert iso_datetime(other) == "2026-01-01T12:00:00+07:00"


@pytest.mark.parametrize(
    ("seconds", "iso", "vietnamese"),
    [
        (185, "PT3M5S", "3 phút 5 giây"),
        (3600, "PT1H", "1 giờ"),
        (3725, "PT1H2M5S", "1 giờ 2 phút 5 giây"),
        (45, "PT45S", "45 giây"),
        (None, "", ""),
        (0, "", ""),
    ],
)
def test_durations(seconds: int | None, iso: str, vietnamese: str) -> None:
    assert iso_duration(seconds) == iso
    assert vn_duration(seconds) == vietnamese


def test_clip_cuts_at_a_word() -> None:
    assert clip("ngắn", 10) == "ngắn"
    assert clip("Thông báo lịch tiếp công dân tháng mười một", 20) == "Thông báo lịch tiếp…"
    assert len(clip("x" * 500, 110)) == 110
