"""Royalties (nhuận bút) for published works: the rules, the half-year report and its exports.

Pure code, no I/O: the caller loads the works and serves the bytes.

Legal sources:

- Quy chế 004 (Quy chế quản lý, vận hành và cung cấp thông tin đối với Cổng TTĐT của cơ quan
  nhà nước thành phố Hà Nội), Điều 8 khoản 12 and Điều 26 khoản 1: the operator pays royalties
  to whoever provides information to the portal, following the State's rules.
- Nghị định 18/2014/NĐ-CP (14/3/2014, in force 01/6/2014) "quy định về chế độ nhuận bút trong
  lĩnh vực báo chí, xuất bản", Điều 7: nhuận bút = mức hệ số nhuận bút × giá trị một đơn vị hệ
  số; one unit = 10 % of the base salary (mức lương cơ sở); khoản 1 sets the frame for print
  and electronic press works, whose highest coefficient is 50 (nhóm 8 "Trực tuyến, Media";
  10 for news/pictures, 30 for commentary, reportage, interviews, literature, research).
- Base salary (mức lương cơ sở): 2,340,000 đồng/month from 01/7/2024, Nghị định 73/2024/NĐ-CP
  Điều 3 khoản 2; 2,530,000 đồng/month from 01/7/2026, Nghị định 161/2026/NĐ-CP (15/5/2026)
  Điều 3 khoản 2, as quoted by secondary sources; check it against the official gazette.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from contracts.content import KIND_LABELS_VI

__all__ = [
    "BASE_SALARY_SCHEDULE",
    "BASE_SALARY_VND",
    "CSV_HEADER",
    "HANOI",
    "KIND_LABELS_VI",
    "MAX_COEFFICIENT",
    "UNIT_SHARE",
    "Author",
    "Line",
    "Report",
    "RoyaltyError",
    "Work",
    "base_salary_on",
    "build_report",
    "escape_formula",
    "half_of",
    "half_year",
    "report_title",
    "to_csv",
    "to_xlsx",
    "unit_value",
    "validate_authors",
    "validate_coefficient",
]

#: Mức lương cơ sở from 01/7/2024, Nghị định 73/2024/NĐ-CP Điều 3 khoản 2. Kept as the default
#: on purpose; from 01/7/2026 pass `base_salary_on(...)` (2,530,000, Nghị định 161/2026/NĐ-CP).
BASE_SALARY_VND = 2_340_000

#: Base salary by the day it took effect, newest last (sources as in the module docstring).
BASE_SALARY_SCHEDULE: tuple[tuple[date, int, str], ...] = (
    (date(2024, 7, 1), 2_340_000, "Nghị định 73/2024/NĐ-CP"),
    (date(2026, 7, 1), 2_530_000, "Nghị định 161/2026/NĐ-CP"),
)

#: One coefficient unit is 10 % of the base salary (Nghị định 18/2014/NĐ-CP, Điều 7).
UNIT_SHARE = Decimal("0.10")

#: Highest coefficient in the frame for print and electronic press works (Nghị định
#: 18/2014/NĐ-CP, Điều 7 khoản 1, nhóm 8 "Trực tuyến, Media"). The decree has no 300.
MAX_COEFFICIENT = Decimal("50")

#: Reports run on Hanoi's calendar: a half-year starts at midnight Hanoi time.
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

CSV_HEADER: tuple[str, ...] = (
    "STT",
    "Ngày đăng",
    "Tiêu đề",
    "Loại tin",
    "Tác giả",
    "Tỷ lệ",
    "Hệ số",
    "Thành tiền (đồng)",
)

MAX_NAME_LENGTH = 200
#: Shares are typed by people (1/3 becomes 0.3333), so a small gap is forgiven and closed.
SHARE_TOLERANCE = Decimal("0.0001")
_ONE = Decimal(1)
_TENTH = Decimal("0.1")
_HALF_NAMES = {1: "6 THÁNG ĐẦU NĂM", 2: "6 THÁNG CUỐI NĂM"}
# OWASP "CSV Injection": a cell starting with one of these is run as a formula by spreadsheets.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class RoyaltyError(ValueError):
    """A royalty input or report request that cannot be accepted; the message is for people."""


# --- values -------------------------------------------------------------------------------


def _clean_name(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise RoyaltyError(f"{what} phải là chuỗi ký tự.")
    # NFC so that the same Vietnamese name typed on different keyboards compares equal.
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        raise RoyaltyError(f"{what} không được để trống.")
    if len(text) > MAX_NAME_LENGTH:
        raise RoyaltyError(f"{what} dài quá {MAX_NAME_LENGTH} ký tự.")
    return text


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool):
        raise RoyaltyError(f"{what} phải là một số.")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        # Through str() so that 1.5 stays 1.5 and not its binary approximation.
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # Vietnamese decimal comma: "1,5"
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise RoyaltyError(f"{what} “{value}” không phải là một số.") from None
    else:
        raise RoyaltyError(f"{what} phải là một số.")
    if not number.is_finite():
        raise RoyaltyError(f"{what} phải là một số hữu hạn.")
    return number


@dataclass(frozen=True)
class Author:
    """One author of a work and the fraction of the work that is theirs."""

    name: str
    share: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _clean_name(self.name, "Tên tác giả"))
        share = _decimal(self.share, f"Tỷ lệ của tác giả {self.name}")
        if not 0 < share <= _ONE:
            raise RoyaltyError(
                f"Tỷ lệ của tác giả {self.name} phải lớn hơn 0 và không quá 1 (100%)."
            )
        object.__setattr__(self, "share", share)


def validate_authors(authors: Sequence[Author]) -> tuple[Author, ...]:
    """The authors if they can share a royalty: at least one, distinct, shares summing to 1.

    A sum within SHARE_TOLERANCE of 1 is accepted and the last author's share is set so
    that the sum is exactly 1; the money split then never loses or invents a đồng.
    """
    authors = tuple(authors)
    if not authors:
        raise RoyaltyError("Tin bài phải có ít nhất một tác giả.")
    seen: set[str] = set()
    for author in authors:
        if not isinstance(author, Author):
            raise RoyaltyError("Danh sách tác giả không hợp lệ.")
        key = _name_key(author.name)
        if key in seen:
            raise RoyaltyError(f"Tác giả {author.name} bị trùng trong danh sách.")
        seen.add(key)
    total = sum((a.share for a in authors), Decimal(0))
    if abs(total - _ONE) > SHARE_TOLERANCE:
        raise RoyaltyError(
            f"Tổng tỷ lệ của các tác giả phải bằng 1 (100%), hiện là {_percent_vi(total)}."
        )
    if total == _ONE:
        return authors
    last = authors[-1]
    rest = total - last.share
    return (*authors[:-1], Author(last.name, _ONE - rest))


def validate_coefficient(value: Decimal | str | float) -> Decimal:
    """The coefficient as a Decimal with one decimal place, if the frame allows it.

    Accepts "1,5" (Vietnamese decimal comma) as well as "1.5", 1.5 and Decimal("1.5").
    """
    number = _decimal(value, "Hệ số nhuận bút")
    if number <= 0:
        raise RoyaltyError("Hệ số nhuận bút phải lớn hơn 0.")
    if number > MAX_COEFFICIENT:
        raise RoyaltyError(
            f"Hệ số nhuận bút không được vượt quá {_decimal_vi(MAX_COEFFICIENT)} "
            "(khung nhuận bút theo Nghị định 18/2014/NĐ-CP)."
        )
    if number != number.quantize(_TENTH):
        raise RoyaltyError("Hệ số nhuận bút chỉ được có tối đa một chữ số thập phân.")
    return number.quantize(_TENTH)


@dataclass(frozen=True)
class Work:
    """A published work as the royalty report sees it. Validated and normalised on creation."""

    article_id: str
    tenant: str
    title: str
    kind: str
    published_at: datetime
    authors: tuple[Author, ...]
    coefficient: Decimal

    def __post_init__(self) -> None:
        for field, what in (("article_id", "Mã tin bài"), ("tenant", "Mã trang")):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise RoyaltyError(f"{what} không được để trống.")
        if not isinstance(self.title, str) or not self.title.strip():
            raise RoyaltyError(f"Tin bài {self.article_id} chưa có tiêu đề.")
        object.__setattr__(self, "title", unicodedata.normalize("NFC", self.title.strip()))
        if not isinstance(self.kind, str) or self.kind not in KIND_LABELS_VI:
            raise RoyaltyError(f"Loại tin “{self.kind}” không được hỗ trợ.")
        _require_aware(self.published_at, f"Thời điểm đăng tin bài {self.article_id}")
        object.__setattr__(self, "authors", validate_authors(self.authors))
        object.__setattr__(self, "coefficient", validate_coefficient(self.coefficient))


def _require_aware(moment: object, what: str) -> datetime:
    if not isinstance(moment, datetime):
        raise RoyaltyError(f"{what} phải là ngày giờ.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time could be UTC or Hanoi; seven hours decide which half it falls in.
        raise RoyaltyError(f"{what} phải có múi giờ.")
    return moment


# --- periods and money --------------------------------------------------------------------


def half_year(year: int, half: int) -> tuple[datetime, datetime]:
    """[start, end) of a half-year on Hanoi's calendar, in UTC.

    Half 1 is 1 January – 1 July, half 2 is 1 July – 1 January of the next year.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9998:
        raise RoyaltyError(f"Năm báo cáo “{year}” không hợp lệ.")
    if isinstance(half, bool) or half not in (1, 2):
        raise RoyaltyError(
            f"Kỳ báo cáo “{half}” không hợp lệ: chỉ có 6 tháng đầu (1) hoặc cuối (2)."
        )
    if half == 1:
        start, end = datetime(year, 1, 1, tzinfo=HANOI), datetime(year, 7, 1, tzinfo=HANOI)
    else:
        start, end = datetime(year, 7, 1, tzinfo=HANOI), datetime(year + 1, 1, 1, tzinfo=HANOI)
    return start.astimezone(UTC), end.astimezone(UTC)


def half_of(moment: datetime) -> tuple[int, int]:
    """(year, half) that a moment falls in, on Hanoi's calendar."""
    local = _require_aware(moment, "Thời điểm").astimezone(HANOI)
    return local.year, 1 if local.month <= 6 else 2


def base_salary_on(day: date) -> int:
    """Mức lương cơ sở in force on `day` (BASE_SALARY_SCHEDULE)."""
    if isinstance(day, datetime):
        day = _require_aware(day, "Ngày").astimezone(HANOI).date()
    in_force = [amount for since, amount, _ in BASE_SALARY_SCHEDULE if since <= day]
    if not in_force:
        first = BASE_SALARY_SCHEDULE[0][0]
        raise RoyaltyError(f"Chưa có mức lương cơ sở cho ngày trước {first:%d/%m/%Y}.")
    return in_force[-1]


def _round_vnd(amount: Decimal) -> int:
    # Half-up as accountants round; Python's round() would round half to even.
    return int(amount.quantize(_ONE, rounding=ROUND_HALF_UP))


def unit_value(base_salary_vnd: int = BASE_SALARY_VND) -> int:
    """Value of one coefficient unit in whole đồng: 10 % of the base salary."""
    if isinstance(base_salary_vnd, bool) or not isinstance(base_salary_vnd, int):
        raise RoyaltyError("Mức lương cơ sở phải là số nguyên (đồng).")
    if base_salary_vnd <= 0:
        raise RoyaltyError("Mức lương cơ sở phải lớn hơn 0.")
    # Rounded once so that every amount in the report can be checked from the printed unit.
    return _round_vnd(Decimal(base_salary_vnd) * UNIT_SHARE)


def _split(work: Work, unit_vnd: int) -> list[tuple[Author, int]]:
    """Each author's amount, summing exactly to the work's rounded total."""
    exact = work.coefficient * unit_vnd
    total = _round_vnd(exact)
    amounts = [_round_vnd(exact * a.share) for a in work.authors]
    # The first of the largest shares takes the rounding difference (positive or negative).
    biggest = max(range(len(work.authors)), key=lambda i: (work.authors[i].share, -i))
    amounts[biggest] += total - sum(amounts)
    return list(zip(work.authors, amounts, strict=True))


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row of the report: one author of one work."""

    number: int
    published_at: datetime
    title: str
    kind: str
    author: str
    share: Decimal
    coefficient: Decimal
    amount_vnd: int


@dataclass(frozen=True)
class Report:
    """Royalties of one site for one half-year."""

    tenant: str
    tenant_name: str
    year: int
    half: int
    unit_value_vnd: int
    lines: tuple[Line, ...]
    total_vnd: int
    works: int


def build_report(
    works: Iterable[Work],
    *,
    tenant: str,
    tenant_name: str,
    year: int,
    half: int,
    base_salary_vnd: int = BASE_SALARY_VND,
) -> Report:
    """The royalty report of `tenant` for a half-year: its works published in that period."""
    if not isinstance(tenant, str) or not tenant.strip():
        raise RoyaltyError("Mã trang không được để trống.")
    name = _clean_name(tenant_name, "Tên trang")
    start, end = half_year(year, half)
    unit_vnd = unit_value(base_salary_vnd)

    counted: dict[str, Work] = {}
    for work in works:
        if not isinstance(work, Work):
            raise RoyaltyError("Danh sách tin bài không hợp lệ.")
        if work.tenant != tenant or not start <= work.published_at < end:
            continue
        if work.article_id in counted:
            # Paying a work twice is worse than refusing the report.
            raise RoyaltyError(f"Tin bài {work.article_id} xuất hiện hai lần trong danh sách.")
        counted[work.article_id] = work

    rows = [
        (work, author, amount)
        for work in counted.values()
        for author, amount in _split(work, unit_vnd)
    ]
    # Case-insensitive so "an Bình" and "An Bình" sit together; article_id settles full ties.
    rows.sort(
        key=lambda r: (
            r[0].published_at,
            _name_key(r[0].title),
            _name_key(r[1].name),
            r[0].article_id,
        )
    )
    lines = tuple(
        Line(
            number=number,
            published_at=work.published_at,
            title=work.title,
            kind=work.kind,
            author=author.name,
            share=author.share,
            coefficient=work.coefficient,
            amount_vnd=amount,
        )
        for number, (work, author, amount) in enumerate(rows, start=1)
    )
    return Report(
        tenant=tenant,
        tenant_name=name,
        year=year,
        half=half,
        unit_value_vnd=unit_vnd,
        lines=lines,
        total_vnd=sum(line.amount_vnd for line in lines),
        works=len(counted),
    )


# --- exports ------------------------------------------------------------------------------


def escape_formula(text: str) -> str:
    """Text a spreadsheet will show, not run: an apostrophe before a formula trigger (OWASP)."""
    return f"'{text}" if text.startswith(_FORMULA_TRIGGERS) else text


def report_title(report: Report) -> str:
    return f"BÁO CÁO NHUẬN BÚT {_HALF_NAMES[report.half]} {report.year}"


def _vnd_vi(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")  # 234.000: Vietnamese thousands separator


def _decimal_vi(number: Decimal, places: int | None = None) -> str:
    text = f"{number:.{places}f}" if places is not None else f"{number.normalize():f}"
    return text.replace(".", ",")


def _percent_vi(share: Decimal) -> str:
    percent = (share * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{_decimal_vi(percent)}%"


def _local_date(moment: datetime) -> date:
    return moment.astimezone(HANOI).date()


def _kind_label(kind: str) -> str:
    return KIND_LABELS_VI.get(kind, kind)


def to_csv(report: Report) -> bytes:
    """The report as CSV: UTF-8 with BOM so Excel reads Vietnamese, a header and a total row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for line in report.lines:
        writer.writerow(
            (
                line.number,
                f"{_local_date(line.published_at):%d/%m/%Y}",
                escape_formula(line.title),
                _kind_label(line.kind),
                escape_formula(line.author),
                _percent_vi(line.share),
                _decimal_vi(line.coefficient, 1),
                line.amount_vnd,
            )
        )
    writer.writerow(("", "", "Tổng cộng", "", "", "", "", report.total_vnd))
    return buffer.getvalue().encode("utf-8-sig")


_XLSX_WIDTHS = (6, 12, 60, 18, 28, 9, 8, 18, 18)
_XLSX_FORMATS = {2: "dd/mm/yyyy", 6: "0%", 7: "0.0", 8: "#,##0"}
_HEADER_ROW = 6
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _xlsx_text(text: str) -> str:
    # openpyxl refuses control characters that XML cannot carry; drop them instead of failing.
    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", text))


def to_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: a title block, the table, a SUM total, frozen header."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Nhuận bút"
    last_column = get_column_letter(len(CSV_HEADER))

    start, end = half_year(report.year, report.half)
    first_day = _local_date(start)
    last_day = _local_date(end) - timedelta(days=1)
    block = (
        (report_title(report), Font(bold=True, size=14)),
        (_xlsx_text(report.tenant_name), Font(bold=True, size=12)),
        (f"Kỳ báo cáo: từ ngày {first_day:%d/%m/%Y} đến ngày {last_day:%d/%m/%Y}", Font()),
        (
            "Giá trị một đơn vị hệ số nhuận bút: "
            f"{_vnd_vi(report.unit_value_vnd)} đồng (10% mức lương cơ sở)",
            Font(italic=True),
        ),
    )
    for row, (text, font) in enumerate(block, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center")
        sheet.merge_cells(f"A{row}:{last_column}{row}")

    for column, name in enumerate(CSV_HEADER, start=1):
        cell = sheet.cell(row=_HEADER_ROW, column=column, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER

    first = _HEADER_ROW + 1
    row = first
    for line in report.lines:
        values = (
            line.number,
            _local_date(line.published_at),
            _xlsx_text(line.title),
            _kind_label(line.kind),
            _xlsx_text(line.author),
            line.share,
            line.coefficient,
            line.amount_vnd,
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = _BORDER
            if column in _XLSX_FORMATS:
                cell.number_format = _XLSX_FORMATS[column]
            if column == 3:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    if not report.lines:
        # Keeps the SUM range real (and not the total row itself) when nothing was published.
        sheet.cell(row=row, column=3, value="Không có tin bài nào trong kỳ báo cáo.")
        row += 1
    last = row - 1

    total_row = row
    label = sheet.cell(row=total_row, column=3, value=f"Tổng cộng ({report.works} tin bài)")
    label.font = Font(bold=True)
    formula = sheet.cell(row=total_row, column=8, value=f"=SUM(H{first}:H{last})")
    # The computed total beside the formula: the two must agree, whoever opens the file.
    computed = sheet.cell(row=total_row, column=9, value=report.total_vnd)
    for cell in (formula, computed):
        cell.font = Font(bold=True)
        cell.number_format = "#,##0"
        cell.border = _BORDER
    note = sheet.cell(row=total_row, column=10, value="← tổng tính sẵn, để đối chiếu")
    note.font = Font(italic=True, color="666666")

    for column, width in enumerate(_XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = f"A{first}"
    if report.lines:
        sheet.auto_filter.ref = f"A{_HEADER_ROW}:{last_column}{last}"
    sheet.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
