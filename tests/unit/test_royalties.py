"""Royalties (nhuận bút): half-year periods, money split, validation, CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from services.editorial.royalties import (
    BASE_SALARY_VND,
    CSV_HEADER,
    HANOI,
    KIND_LABELS_VI,
    MAX_COEFFICIENT,
    Author,
    Line,
    Report,
    RoyaltyError,
    Work,
    base_salary_on,
    build_report,
    escape_formula,
    half_of,
    half_year,
    to_csv,
    to_xlsx,
    unit_value,
    validate_authors,
    validate_coefficient,
)

HEADER = [
    "STT",
    "Ngày đăng",
    "Tiêu đề",
    "Loại tin",
    "Tác giả",
    "Tỷ lệ",
    "Hệ số",
    "Thành tiền (đồng)",
]


def hanoi(*args: int) -> datetime:
    return datetime(*args, tzinfo=HANOI)


def work(
    article_id: str = "a1",
    *,
    tenant: str = "hanoi",
    title: str = "Tin bài",
    kind: str = "news",
    published_at: datetime | None = None,
    authors: tuple[tuple[str, str], ...] = (("Nguyễn Văn An", "1"),),
    coefficient: Decimal | str = "10",
) -> Work:
    return Work(
        article_id=article_id,
        tenant=tenant,
        title=title,
        kind=kind,
        published_at=published_at or hanoi(2026, 3, 10, 9, 0),
        authors=tuple(Author(name, Decimal(share)) for name, share in authors),
        coefficient=validate_coefficient(coefficient),
    )


def report_of(*works: Work, half: int = 1, base: int = BASE_SALARY_VND) -> Report:
    return build_report(
        works,
        tenant="hanoi",
        tenant_name="Cổng Thông tin điện tử thành phố Hà Nội",
        year=2026,
        half=half,
        base_salary_vnd=base,
    )


def amounts(report: Report) -> dict[str, int]:
    return {line.author: line.amount_vnd for line in report.lines}


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


# --- constants ------------------------------------------------------------------------------


def test_constants_follow_the_decrees() -> None:
    assert BASE_SALARY_VND == 2_340_000
    assert unit_value() == 234_000
    assert Decimal("50") == MAX_COEFFICIENT


def test_kind_labels_are_vietnamese() -> None:
    assert KIND_LABELS_VI == {
        "news": "Tin tức",
        "direction": "Chỉ đạo điều hành",
        "announcement": "Thông báo",
        "document": "Văn bản",
        "gallery": "Ảnh",
        "video": "Video",
        "audio": "Âm thanh",
        "infographic": "Infographic",
        "page": "Trang giới thiệu",
    }


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 7, 1), 2_340_000),
        (date(2026, 6, 30), 2_340_000),
        (date(2026, 7, 1), 2_530_000),
        (date(2027, 1, 1), 2_530_000),
        # 30/6/2026 18:00 UTC is already 1/7/2026 in Hanoi.
        (datetime(2026, 6, 30, 18, 0, tzinfo=UTC), 2_530_000),
    ],
)
def test_base_salary_on_a_day(day: date, expected: int) -> None:
    assert base_salary_on(day) == expected


def test_base_salary_before_the_schedule_is_refused() -> None:
    with pytest.raises(RoyaltyError, match="Chưa có mức lương cơ sở"):
        base_salary_on(date(2024, 6, 30))


# --- half-years -----------------------------------------------------------------------------


def test_first_half_runs_from_new_year_to_july_in_hanoi_time() -> None:
    start, end = half_year(2026, 1)
    assert start == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    assert start.tzinfo is UTC
    assert end.tzinfo is UTC


def test_second_half_runs_from_july_to_next_new_year_in_hanoi_time() -> None:
    start, end = half_year(2026, 2)
    assert start == datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert start.tzinfo is UTC
    assert end.tzinfo is UTC


@pytest.mark.parametrize(("year", "half"), [(2026, 0), (2026, 3), (2026, True), (0, 1)])
def test_half_year_refuses_other_periods(year: int, half: int) -> None:
    with pytest.raises(ValueError, match="không hợp lệ"):
        half_year(year, half)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (hanoi(2026, 1, 1, 0, 0), (2026, 1)),
        (hanoi(2026, 6, 30, 23, 30), (2026, 1)),
        (hanoi(2026, 7, 1, 0, 10), (2026, 2)),
        (hanoi(2026, 12, 31, 23, 59), (2026, 2)),
        # 31/12/2026 17:00 UTC is midnight of 1/1/2027 in Hanoi.
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), (2027, 1)),
        (datetime(2026, 6, 30, 16, 59, tzinfo=UTC), (2026, 1)),
    ],
)
def test_half_of_uses_hanoi_calendar(moment: datetime, expected: tuple[int, int]) -> None:
    assert half_of(moment) == expected


def test_half_of_refuses_a_naive_time() -> None:
    with pytest.raises(RoyaltyError, match="múi giờ"):
        half_of(datetime(2026, 6, 30, 23, 30))


def test_works_either_side_of_midnight_1_july_fall_in_their_own_half() -> None:
    late_june = work("june", published_at=hanoi(2026, 6, 30, 23, 30))
    early_july = work("july", published_at=hanoi(2026, 7, 1, 0, 10))
    first = report_of(late_june, early_july, half=1)
    second = report_of(late_june, early_july, half=2)
    assert [line.published_at for line in first.lines] == [late_june.published_at]
    assert [line.published_at for line in second.lines] == [early_july.published_at]
    assert first.works == second.works == 1


def test_start_of_a_half_is_in_it_and_its_end_is_not() -> None:
    start, end = half_year(2026, 1)
    report = report_of(work("start", published_at=start), work("end", published_at=end))
    assert report.works == 1
    assert report.lines[0].published_at == start


# --- money ----------------------------------------------------------------------------------


def test_amounts_follow_coefficient_unit_and_shares() -> None:
    report = report_of(
        work(
            authors=(("Nguyễn Văn An", "0.5"), ("Trần Thị Bình", "0.3"), ("Lê Công", "0.2")),
            coefficient="10",
        )
    )
    assert report.unit_value_vnd == 234_000
    assert amounts(report) == {
        "Nguyễn Văn An": 1_170_000,
        "Trần Thị Bình": 702_000,
        "Lê Công": 468_000,
    }
    assert report.total_vnd == 2_340_000
    assert report.works == 1


def test_unit_value_follows_the_base_salary_passed() -> None:
    report = report_of(work(coefficient="1"), base=2_530_000)
    assert report.unit_value_vnd == 253_000
    assert report.total_vnd == 253_000


def test_amounts_round_half_up() -> None:
    # 0.5 × 234,001 = 117,000.5: half-up gives 117,001 where round() would give 117,000.
    report = report_of(work(coefficient="0.5"), base=2_340_010)
    assert report.total_vnd == 117_001


def test_three_equal_shares_of_an_odd_amount_sum_exactly() -> None:
    # 234,001 đồng split 0.3333 / 0.3333 / 0.3334 rounds to 77,993 + 77,993 + 78,016 = 234,002;
    # the largest share gives the extra đồng back.
    report = report_of(
        work(authors=(("An", "0.3333"), ("Bình", "0.3333"), ("Chi", "0.3334")), coefficient="1"),
        base=2_340_010,
    )
    assert amounts(report) == {"An": 77_993, "Bình": 77_993, "Chi": 78_015}
    assert report.total_vnd == 234_001


def test_rounding_shortfall_goes_to_the_largest_share() -> None:
    # 1 đồng split 0.3334 / 0.3333 / 0.3333 rounds to 0 + 0 + 0; the largest share gets it.
    report = report_of(
        work(authors=(("An", "0.3333"), ("Bình", "0.3334"), ("Chi", "0.3333")), coefficient="0.1"),
        base=100,
    )
    assert amounts(report) == {"An": 0, "Bình": 1, "Chi": 0}
    assert report.total_vnd == 1


def test_equal_largest_shares_give_the_remainder_to_the_first_listed() -> None:
    # 234,001 split in halves rounds to 117,001 + 117,001: the first author gives one back.
    report = report_of(
        work(authors=(("Vũ", "0.5"), ("An", "0.5")), coefficient="1"), base=2_340_010
    )
    assert amounts(report) == {"Vũ": 117_000, "An": 117_001}
    assert report.total_vnd == 234_001


def test_only_that_tenant_and_that_half_are_counted() -> None:
    report = report_of(
        work("mine", coefficient="2"),
        work("other-site", tenant="soyte", coefficient="3"),
        work("last-year", published_at=hanoi(2025, 12, 31, 23, 59), coefficient="4"),
        work("next-half", published_at=hanoi(2026, 7, 1, 0, 0), coefficient="5"),
    )
    assert report.works == 1
    assert [line.coefficient for line in report.lines] == [Decimal("2")]
    assert report.total_vnd == 468_000


def test_lines_are_sorted_by_time_then_title_then_author_and_numbered() -> None:
    report = report_of(
        work("c", title="Bài sau", published_at=hanoi(2026, 2, 1, 8, 0)),
        work("b", title="Bài B", authors=(("Chi", "0.5"), ("an", "0.5"))),
        work("a", title="Bài A", authors=(("Hà", "1"),)),
    )
    assert [(line.number, line.title, line.author) for line in report.lines] == [
        (1, "Bài sau", "Nguyễn Văn An"),
        (2, "Bài A", "Hà"),
        (3, "Bài B", "an"),
        (4, "Bài B", "Chi"),
    ]


def test_the_same_work_twice_is_refused() -> None:
    with pytest.raises(RoyaltyError, match="xuất hiện hai lần"):
        report_of(work("a1"), work("a1", title="Bản khác"))


def test_an_empty_half_is_a_report_with_nothing_to_pay() -> None:
    report = report_of()
    assert (report.lines, report.total_vnd, report.works) == ((), 0, 0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"half": 3}, "Kỳ báo cáo"),
        ({"base_salary_vnd": 0}, "lớn hơn 0"),
        ({"base_salary_vnd": 2_340_000.0}, "số nguyên"),
        ({"tenant": " "}, "Mã trang"),
        ({"tenant_name": ""}, "Tên trang"),
    ],
)
def test_build_report_refuses_bad_requests(arguments: dict, message: str) -> None:
    request = {"tenant": "hanoi", "tenant_name": "Hà Nội", "year": 2026, "half": 1}
    with pytest.raises(RoyaltyError, match=message):
        build_report([], **(request | arguments))


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,5", Decimal("1.5")),
        ("1.5", Decimal("1.5")),
        (" 2 ", Decimal("2")),
        (1.5, Decimal("1.5")),
        (Decimal("10.00"), Decimal("10")),
        ("50", Decimal("50")),
    ],
)
def test_coefficient_accepted(value: Decimal | str | float, expected: Decimal) -> None:
    result = validate_coefficient(value)
    assert result == expected
    assert isinstance(result, Decimal)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "lớn hơn 0"),
        ("-1", "lớn hơn 0"),
        ("50,1", "không được vượt quá 50"),
        ("300", "không được vượt quá 50"),
        ("1,25", "một chữ số thập phân"),
        ("1.000,5", "không phải là một số"),
        ("abc", "không phải là một số"),
        ("", "không phải là một số"),
        (float("nan"), "hữu hạn"),
        (True, "phải là một số"),
    ],
)
def test_coefficient_refused(value: object, message: str) -> None:
    with pytest.raises(RoyaltyError, match=message):
        validate_coefficient(value)  # type: ignore[arg-type]


def test_authors_needs_at_least_one() -> None:
    with pytest.raises(RoyaltyError, match="ít nhất một tác giả"):
        validate_authors([])


def test_authors_shares_must_sum_to_one() -> None:
    with pytest.raises(RoyaltyError, match=r"Tổng tỷ lệ .* hiện là 90%"):
        validate_authors([Author("An", Decimal("0.6")), Author("Bình", Decimal("0.3"))])


def test_authors_shares_within_tolerance_are_closed_on_the_last() -> None:
    thirds = [Author(name, Decimal("0.3333")) for name in ("An", "Bình", "Chi")]
    result = validate_authors(thirds)
    assert [a.share for a in result] == [Decimal("0.3333"), Decimal("0.3333"), Decimal("0.3334")]
    assert sum(a.share for a in result) == 1


def test_authors_shares_beyond_tolerance_are_refused() -> None:
    with pytest.raises(RoyaltyError, match="Tổng tỷ lệ"):
        validate_authors([Author(name, Decimal("0.3332")) for name in ("An", "Bình", "Chi")])


def test_duplicate_authors_are_found_across_case_and_unicode_forms() -> None:
    composed = "Nguyễn Văn An"
    decomposed = unicodedata.normalize("NFD", "NGUYỄN VĂN AN")
    assert composed.upper() != decomposed  # the two really are typed differently
    with pytest.raises(RoyaltyError, match="bị trùng"):
        validate_authors([Author(composed, Decimal("0.5")), Author(decomposed, Decimal("0.5"))])


def test_author_name_is_stored_nfc_with_single_spaces() -> None:
    author = Author(unicodedata.normalize("NFD", "  Trần   Thị Bình "), Decimal("1"))
    assert author.name == unicodedata.normalize("NFC", "Trần Thị Bình")


@pytest.mark.parametrize(
    ("name", "share", "message"),
    [
        ("", "1", "không được để trống"),
        ("a" * 201, "1", "dài quá 200"),
        ("An", "0", "lớn hơn 0 và không quá 1"),
        ("An", "1.1", "lớn hơn 0 và không quá 1"),
    ],
)
def test_author_refused(name: str, share: str, message: str) -> None:
    with pytest.raises(RoyaltyError, match=message):
        Author(name, Decimal(share))


def test_author_name_of_200_characters_is_accepted() -> None:
    assert len(Author("a" * 200, Decimal("1")).name) == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"published_at": datetime(2026, 3, 1, 9, 0)}, "múi giờ"),
        ({"kind": "podcast"}, "Loại tin"),
        ({"title": "  "}, "chưa có tiêu đề"),
        ({"coefficient": "51"}, "vượt quá 50"),
        ({"authors": ()}, "ít nhất một tác giả"),
    ],
)
def test_work_refused(changes: dict, message: str) -> None:
    with pytest.raises(RoyaltyError, match=message):
        work(**changes)


# --- CSV ------------------------------------------------------------------------------------


def test_csv_parses_back_with_header_rows_and_total() -> None:
    report = report_of(
        work(
            "a1",
            title="Hà Nội khai trương tuyến buýt mới",
            # 31/3 18:00 UTC is already 1/4 in Hanoi: the date printed is Hanoi's.
            published_at=datetime(2026, 3, 31, 18, 0, tzinfo=UTC),
            authors=(("Nguyễn Văn An", "0.5"), ("Trần Thị Bình", "0.5")),
            coefficient="1,5",
        ),
        work("a2", title="Thông báo lịch tiếp dân", kind="announcement", coefficient="10"),
    )
    rows = csv_rows(to_csv(report))
    assert rows[0] == HEADER
    assert list(CSV_HEADER) == HEADER
    assert rows[1:] == [
        ["1", "10/03/2026", "Thông báo lịch tiếp dân", "Thông báo", "Nguyễn Văn An", "100%",
         "10,0", "2340000"],
        ["2", "01/04/2026", "Hà Nội khai trương tuyến buýt mới", "Tin tức", "Nguyễn Văn An",
         "50%", "1,5", "175500"],
        ["3", "01/04/2026", "Hà Nội khai trương tuyến buýt mới", "Tin tức", "Trần Thị Bình",
         "50%", "1,5", "175500"],
        ["", "", "Tổng cộng", "", "", "", "", "2691000"],
    ]  # fmt: skip
    assert sum(int(row[7]) for row in rows[1:-1]) == int(rows[-1][7]) == report.total_vnd


def test_csv_shows_fractional_shares_with_a_decimal_comma() -> None:
    report = report_of(work(authors=(("An", "0.3333"), ("Bình", "0.6667"))))
    shares = [row[5] for row in csv_rows(to_csv(report))[1:-1]]
    assert shares == ["33,33%", "66,67%"]


def test_csv_of_an_empty_half_has_header_and_zero_total() -> None:
    assert csv_rows(to_csv(report_of())) == [HEADER, ["", "", "Tổng cộng", "", "", "", "", "0"]]


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_reopens_with_title_block_header_values_formats_and_sum() -> None:
    report = report_of(
        work(
            "a1",
            title="Hà Nội khai trương tuyến buýt mới",
            published_at=datetime(2026, 3, 31, 18, 0, tzinfo=UTC),
            authors=(("Nguyễn Văn An", "0.5"), ("Trần Thị Bình", "0.5")),
            coefficient="1,5",
        ),
        work("a2", title="Thông báo lịch tiếp dân", kind="announcement", coefficient="10"),
    )
    sheet = sheet_of(to_xlsx(report))

    assert sheet["A1"].value == "BÁO CÁO NHUẬN BÚT 6 THÁNG ĐẦU NĂM 2026"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "Cổng Thông tin điện tử thành phố Hà Nội"
    assert sheet["A3"].value == "Kỳ báo cáo: từ ngày 01/01/2026 đến ngày 30/06/2026"
    assert "234.000 đồng" in sheet["A4"].value

    assert [cell.value for cell in sheet[6][:8]] == HEADER
    assert all(cell.font.bold for cell in sheet[6][:8])

    rows = [[cell.value for cell in sheet[row][:8]] for row in (7, 8, 9)]
    assert rows == [
        [1, datetime(2026, 3, 10), "Thông báo lịch tiếp dân", "Thông báo", "Nguyễn Văn An",
         1, 10, 2_340_000],
        [2, datetime(2026, 4, 1), "Hà Nội khai trương tuyến buýt mới", "Tin tức",
         "Nguyễn Văn An", 0.5, 1.5, 175_500],
        [3, datetime(2026, 4, 1), "Hà Nội khai trương tuyến buýt mới", "Tin tức",
         "Trần Thị Bình", 0.5, 1.5, 175_500],
    ]  # fmt: skip
    assert sheet["B7"].number_format == "dd/mm/yyyy"
    assert sheet["F7"].number_format == "0%"
    assert sheet["G7"].number_format == "0.0"
    assert sheet["H7"].number_format == "#,##0"

    assert sheet["H10"].value == "=SUM(H7:H9)"
    assert sheet["H10"].number_format == "#,##0"
    assert sheet["I10"].value == report.total_vnd == 2_691_000
    assert sum(sheet[f"H{row}"].value for row in (7, 8, 9)) == sheet["I10"].value
    assert sheet.max_row == 10

    assert sheet.freeze_panes == "A7"
    assert sheet.column_dimensions["C"].width == 60


def test_xlsx_title_names_the_second_half() -> None:
    sheet = sheet_of(to_xlsx(report_of(half=2)))
    assert sheet["A1"].value == "BÁO CÁO NHUẬN BÚT 6 THÁNG CUỐI NĂM 2026"
    assert sheet["A3"].value == "Kỳ báo cáo: từ ngày 01/07/2026 đến ngày 31/12/2026"


def test_xlsx_of_an_empty_half_still_sums_to_zero() -> None:
    sheet = sheet_of(to_xlsx(report_of()))
    assert sheet["C7"].value == "Không có tin bài nào trong kỳ báo cáo."
    assert sheet["H8"].value == "=SUM(H7:H7)"
    assert sheet["I8"].value == 0


# --- formula injection ----------------------------------------------------------------------

HOSTILE = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Hà Nội = thủ đô", "Hà Nội = thủ đô"),
        ("", ""),
    ],
)
def test_escape_formula(text: str, expected: str) -> None:
    assert escape_formula(text) == expected


def hostile_report() -> Report:
    works = [
        work(f"w{i}", title=text, authors=((text, "1"),), published_at=hanoi(2026, 3, i + 1))
        for i, text in enumerate(HOSTILE)
    ]
    return report_of(*works)


def test_csv_escapes_titles_and_authors_that_start_a_formula() -> None:
    rows = csv_rows(to_csv(hostile_report()))[1:-1]
    assert [row[2] for row in rows] == [f"'{text}" for text in HOSTILE]
    assert [row[4] for row in rows] == [f"'{text}" for text in HOSTILE]


def test_xlsx_escapes_titles_and_authors_that_start_a_formula() -> None:
    sheet = sheet_of(to_xlsx(hostile_report()))
    titles = [sheet.cell(row=row, column=3) for row in range(7, 11)]
    authors = [sheet.cell(row=row, column=5) for row in range(7, 11)]
    assert [cell.value for cell in titles] == [f"'{text}" for text in HOSTILE]
    assert [cell.value for cell in authors] == [f"'{text}" for text in HOSTILE]
    assert {cell.data_type for cell in titles + authors} == {"s"}


def test_exports_escape_tab_and_carriage_return_and_the_site_name() -> None:
    # Built by hand: Work strips leading whitespace, but the exports must not rely on it.
    moment = hanoi(2026, 3, 1, 8, 0)
    lines = (
        Line(1, moment, "\tcmd", "news", "\rAn", Decimal(1), Decimal(1), 234_000),
        Line(2, moment, "Bình thường", "news", "Chi", Decimal(1), Decimal(1), 234_000),
    )
    report = Report("hanoi", "=Trang", 2026, 1, 234_000, lines, 468_000, 2)

    rows = csv_rows(to_csv(report))
    assert [(row[2], row[4]) for row in rows[1:3]] == [("'\tcmd", "'\rAn"), ("Bình thường", "Chi")]

    sheet = sheet_of(to_xlsx(report))
    assert (sheet["C7"].value, sheet["E7"].value) == ("'\tcmd", "'\rAn")
    assert (sheet["C8"].value, sheet["E8"].value) == ("Bình thường", "Chi")
    assert sheet["A2"].value == "'=Trang"
