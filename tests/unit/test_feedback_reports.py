"""The reports, the pure parts: what is on time, the period, the assembly of counted
groups into the report, and the CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from services.feedback.calendar import TZ, end_of_day
from services.feedback.reports import (
    BadPeriod,
    Cell,
    Period,
    Site,
    assemble,
    classification_due,
    filename,
    months,
    on_time,
    overdue_now,
    parse_period,
    rate,
    to_csv,
    to_xlsx,
)

DUE = end_of_day(date(2026, 11, 26))


def test_done_on_the_last_second_of_the_due_day_is_on_time() -> None:
    assert on_time(DUE, DUE)
    assert not on_time(DUE + timedelta(seconds=1), DUE)
    assert on_time(DUE + timedelta(days=30), None)


def test_an_out_of_scope_answer_is_held_to_the_same_working_day() -> None:
    same_day = end_of_day(date(2026, 11, 23))
    assert classification_due("out_of_scope", DUE, same_day) == same_day
    assert classification_due("classified", DUE, same_day) == DUE
    assert classification_due("published", DUE, same_day) == DUE


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        ("received", DUE, False),
        ("received", DUE + timedelta(seconds=1), True),
        ("classified", DUE + timedelta(days=3), False),  # the answer is not due yet
        ("classified", end_of_day(date(2026, 12, 15)) + timedelta(seconds=1), True),
        ("drafted", end_of_day(date(2026, 12, 15)) + timedelta(seconds=1), True),
        ("waiting_citizen", datetime(2027, 6, 1, tzinfo=TZ), False),  # the clock waits
        ("published", datetime(2027, 6, 1, tzinfo=TZ), False),
        ("out_of_scope", datetime(2027, 6, 1, tzinfo=TZ), False),
    ],
)
def test_overdue_now_looks_at_the_step_the_question_is_at(
    status: str, now: datetime, expected: bool
) -> None:
    answer_due = None if status == "waiting_citizen" else end_of_day(date(2026, 12, 15))
    assert overdue_now(status, DUE, answer_due, now) is expected


TODAY = date(2026, 11, 23)


def test_the_period_defaults_to_the_year_so_far() -> None:
    assert parse_period(None, None, TODAY) == Period(date(2026, 1, 1), TODAY)
    assert parse_period("2026-01-01", "2026-06-30", TODAY) == Period(
        date(2026, 1, 1), date(2026, 6, 30)
    )
    assert parse_period(None, "2025-03-31", TODAY) == Period(date(2025, 1, 1), date(2025, 3, 31))
    assert parse_period("2025-01-01", "2026-12-31", TODAY).end == date(2026, 12, 31)
    assert parse_period("2024-02-29", "2026-02-28", TODAY).start == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2026-13-01", None, "không phải một ngày có thật"),
        ("2026/01/01", None, "YYYY-MM-DD"),
        ("01-01-2026", None, "YYYY-MM-DD"),
        ("<script>", None, "YYYY-MM-DD"),
        ("2026-01-01\x00", None, "YYYY-MM-DD"),
        ("x" * 5000, None, "YYYY-MM-DD"),
        ("1999-12-31", "2000-01-01", "2000–2100"),
        ("2026-06-01", "2026-05-31", "phải trước"),
        ("2025-01-01", "2027-01-01", "tối đa 2 năm"),
        ("2024-02-29", "2026-03-01", "tối đa 2 năm"),
    ],
)
def test_bad_periods_are_refused_in_vietnamese(start: str, end: str | None, words: str) -> None:
    with pytest.raises(BadPeriod, match=words):
        parse_period(start, end, TODAY)


def test_months_are_cut_to_the_period_in_hanoi_time() -> None:
    parts = months(Period(date(2026, 11, 15), date(2027, 1, 10)))
    assert [m.label for m in parts] == ["2026-11", "2026-12", "2027-01"]
    assert parts[0].start == datetime(2026, 11, 15, tzinfo=TZ)
    assert parts[0].end == parts[1].start == datetime(2026, 12, 1, tzinfo=TZ)
    assert parts[-1].end == datetime(2027, 1, 11, tzinfo=TZ)
    assert Period(date(2026, 11, 15), date(2027, 1, 10)).bounds() == (
        parts[0].start,
        parts[-1].end,
    )


SITES = [
    Site("hoankiem", "Phường Hoàn Kiếm", "ward", True),
    Site("hanoi", "Cổng Thông tin điện tử thành phố Hà Nội", "city", True),
    Site("badinh", "Phường Ba Đình", "ward", True),
    Site("sotuphap", "Sở Tư pháp", "department", True),
    Site("cu", "Trang cũ", "ward", False),
]
PERIOD = Period(date(2026, 11, 1), date(2026, 12, 31))
NOW = datetime(2026, 12, 31, 10, 0, tzinfo=TZ)
CELLS = [
    Cell("hoankiem", 0, "received", 3),
    Cell("hoankiem", 1, "received", 1),
    Cell("hoankiem", 0, "classified", 2, on_time=1, flagged=1),
    Cell("hoankiem", 1, "answered", 1, on_time=1),
    Cell("badinh", 1, "received", 2),
    Cell("badinh", 1, "answered", 2, on_time=0),
    Cell("cu", 0, "received", 1),
]
SNAPSHOT = {"hoankiem": (2, 1), "badinh": (1, 0)}


def _report(tenant: str | None = None) -> dict:
    return assemble(
        tenant=tenant, period=PERIOD, generated_at=NOW, sites=SITES, cells=CELLS,
        snapshot=SNAPSHOT,
    )  # fmt: skip


def test_the_city_wide_report_adds_up_sites_and_months() -> None:
    report = _report()
    assert report["tenant"] is None
    assert (report["from"], report["to"]) == ("2026-11-01", "2026-12-31")
    assert report["generated_at"] == "2026-12-31T10:00:00+07:00"
    assert report["totals"] == {
        "received": 7, "classified": 2, "classified_on_time": 1, "answered": 3,
        "answered_on_time": 1, "out_of_scope": 1, "open_now": 3, "overdue_now": 1,
    }  # fmt: skip
    # The city first, then departments, then wards by name; an inactive site only
    # when it has figures.
    assert [r["tenant"] for r in report["by_tenant"]] == [
        "hanoi", "sotuphap", "badinh", "hoankiem", "cu",
    ]  # fmt: skip
    hoankiem = report["by_tenant"][3]
    assert hoankiem == {
        "tenant": "hoankiem", "name": "Phường Hoàn Kiếm", "received": 4, "classified": 2,
        "classified_on_time": 1, "answered": 1, "answered_on_time": 1, "out_of_scope": 1,
        "open_now": 2, "overdue_now": 1,
    }  # fmt: skip
    assert report["by_month"] == [
        {"month": "2026-11", "received": 4, "answered": 0, "answered_on_time": 0},
        {"month": "2026-12", "received": 3, "answered": 3, "answered_on_time": 1},
    ]


def test_a_sites_report_counts_that_site_only() -> None:
    report = _report("badinh")
    assert [r["tenant"] for r in report["by_tenant"]] == ["badinh"]
    assert report["totals"]["received"] == 2
    assert report["totals"]["open_now"] == 1
    assert report["by_month"][1] == {"month": "2026-12", "received": 2, "answered": 2,
                                     "answered_on_time": 0}  # fmt: skip
    quiet = _report("sotuphap")
    assert quiet["by_tenant"][0]["received"] == 0
    assert all(v == 0 for v in quiet["totals"].values())


def test_rates_need_something_to_divide() -> None:
    assert rate(1, 3) == 33.3
    assert rate(0, 0) is None


def test_the_csv_opens_in_excel_with_vietnamese_and_safe_cells() -> None:
    report = _report()
    report["by_tenant"][0]["name"] = 'Cổng "Hà Nội", thủ đô'
    report["by_tenant"][1]["name"] = "=HYPERLINK(1)"
    data = to_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã trang", "Tên trang", "Tiếp nhận"]
    assert rows[1][1] == 'Cổng "Hà Nội", thủ đô'
    assert rows[2][1] == "'=HYPERLINK(1)"
    assert rows[-1][:3] == ["", "Tổng cộng", "7"]
    assert rows[-1][-2:] == ["50.0", "33.3"]
    assert rows[1][-1] == ""  # nothing answered: no rate
    months_csv = list(csv.reader(io.StringIO(to_csv(report, "months").decode("utf-8-sig"))))
    assert months_csv == [
        ["Tháng", "Tiếp nhận", "Đã trả lời", "Trả lời đúng hạn", "Tỷ lệ trả lời đúng hạn (%)"],
        ["11/2026", "4", "0", "0", ""],
        ["12/2026", "3", "3", "1", "33.3"],
        ["Tổng cộng", "7", "3", "1", "33.3"],
    ]


def test_the_workbook_has_sites_months_and_what_it_covers() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(_report(), "Toàn thành phố")))
    assert book.sheetnames == ["Theo trang", "Theo tháng", "Thông tin"]
    sites = book["Theo trang"]
    assert sites["A1"].value == "Mã trang"
    assert sites["C1"].value == "Tiếp nhận"
    assert sites["A2"].value == "hanoi"
    assert sites.max_row == 1 + 5 + 1
    assert sites.cell(row=7, column=2).value == "Tổng cộng"
    assert sites.cell(row=7, column=3).value == 7
    assert sites.cell(row=7, column=12).value == 33.3
    assert sites["A1"].font.bold
    by_month = book["Theo tháng"]
    assert [c.value for c in by_month[3]] == ["12/2026", 3, 3, 1, 33.3]
    about = book["Thông tin"]
    assert about["B2"].value == "Toàn thành phố"
    assert about["B3"].value == "01/11/2026"


def test_export_file_names_say_what_they_hold() -> None:
    assert (
        filename(_report(), "xlsx") == "bao-cao-hoi-dap_toan-thanh-pho_2026-11-01_2026-12-31.xlsx"
    )
    assert filename(_report("badinh"), "csv") == "bao-cao-hoi-dap_badinh_2026-11-01_2026-12-31.csv"
    assert filename(_report("badinh"), "csv", "months").endswith("_2026-12-31_theo-thang.csv")
