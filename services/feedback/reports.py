"""Reports on citizens' questions and feedback, per site and city-wide: the dashboards'
figures and the 6-month and yearly reports (pure: no I/O).

For a period of days in Hanoi, `from` to `to` inclusive:

- received: questions whose receipt (the sender's confirmation, which starts the legal
  clock) fell in the period;
- classified: questions the board dealt with in the period at the classification
  step, by forwarding them to a unit or by answering that they lie outside the remit
  (`out_of_scope` counts the latter); on time when done by the end of the due day:
  `classification_due` (2 working days) for a forwarded question, the same working
  day's `out_of_scope_notice_due` for an out-of-scope one (Quy chế 004 Điều 13.1.e);
- answered: answers published in the period; on time when published by `answer_due`
  as stored with the question, that is after the pauses for clarification and the
  date a progress notice stated.

As of now, whatever the period:

- open_now: received and neither answered nor closed as out of scope;
- overdue_now: open questions past the deadline of the step they are at: the
  classification deadline before the board forwards them, the answer deadline after
  (none while the clock waits for the citizen's reply).

SQL restates `on_time`, `classification_due` and `overdue_now` in views.py, to count
in the database; the integration tests hold the two to the same figures.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from services.feedback.calendar import start_of_day
from services.feedback.domain import Status, is_open

MAX_YEARS = 2
OPEN = frozenset(status for status in Status if is_open(status))
KIND_ORDER = {"city": 0, "department": 1, "ward": 2, "commune": 3, "special": 4}


class BadPeriod(ValueError):
    """The period asked for cannot be reported on; the message says why, in Vietnamese."""


# --- rules ---------------------------------------------------------------------------


def on_time(done: datetime, due: datetime | None) -> bool:
    """Done by the end of its due day; a step with no recorded due is on time."""
    return due is None or done <= due


def classification_due(
    status: str, classification_due: datetime | None, out_of_scope_notice_due: datetime | None
) -> datetime | None:
    """The deadline the classification step is held to: the same working day for an
    answer that the question lies outside the remit, 2 working days to forward it."""
    return out_of_scope_notice_due if status == Status.OUT_OF_SCOPE else classification_due


def overdue_now(
    status: str, classification_due: datetime | None, answer_due: datetime | None, now: datetime
) -> bool:
    """Past the deadline of the step the question is at now."""
    if status == Status.RECEIVED:
        return classification_due is not None and now > classification_due
    if status in (Status.CLASSIFIED, Status.DRAFTED):
        return answer_due is not None and now > answer_due
    return False


# --- the period ----------------------------------------------------------------------

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as instants: from the first day's 00:00 to the day after the
        last, Hanoi time."""
        return start_of_day(self.start), start_of_day(self.end + timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Month:
    label: str
    #: The month's part of the period, [start, end).
    start: datetime
    end: datetime


def _day(name: str, value: str) -> date:
    if len(value) > 10 or not _DAY.match(value):
        raise BadPeriod(f"Tham số {name} phải là ngày dạng YYYY-MM-DD, ví dụ 2026-01-01.")
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise BadPeriod(f"Tham số {name} không phải một ngày có thật.") from exc
    if not 2000 <= day.year <= 2100:
        raise BadPeriod(f"Tham số {name} phải nằm trong khoảng năm 2000–2100.")
    return day


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return date(day.year + years, 3, 1)


def parse_period(start: str | None, end: str | None, today: date) -> Period:
    """The period asked for; by default from 1 January to today."""
    last = _day("to", end) if end else today
    first = _day("from", start) if start else date(last.year, 1, 1)
    if first > last:
        raise BadPeriod("Ngày bắt đầu (from) phải trước hoặc trùng ngày kết thúc (to).")
    if last >= _years_later(first, MAX_YEARS):
        raise BadPeriod(f"Kỳ báo cáo dài tối đa {MAX_YEARS} năm.")
    return Period(first, last)


def months(period: Period) -> list[Month]:
    """The calendar months the period touches, each cut to the period."""
    out: list[Month] = []
    first = period.start
    while first <= period.end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(following - timedelta(days=1), period.end)
        out.append(
            Month(f"{first:%Y-%m}", start_of_day(first), start_of_day(last + timedelta(days=1)))
        )
        first = following
    return out


# --- counting ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Site:
    slug: str
    name: str
    kind: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class Cell:
    """One group counted by the database: questions of one site whose `measure`
    (received, classified, answered) fell in one month of the period."""

    tenant: str
    month: int
    measure: str
    count: int
    on_time: int = 0
    #: classified: how many of them were out of scope.
    flagged: int = 0


@dataclass(slots=True)
class Counters:
    received: int = 0
    classified: int = 0
    classified_on_time: int = 0
    answered: int = 0
    answered_on_time: int = 0
    out_of_scope: int = 0
    open_now: int = 0
    overdue_now: int = 0

    def add(self, cell: Cell) -> None:
        if cell.measure == "received":
            self.received += cell.count
        elif cell.measure == "classified":
            self.classified += cell.count
            self.classified_on_time += cell.on_time
            self.out_of_scope += cell.flagged
        elif cell.measure == "answered":
            self.answered += cell.count
            self.answered_on_time += cell.on_time

    def __iadd__(self, other: Counters) -> Counters:
        for each in fields(self):
            setattr(self, each.name, getattr(self, each.name) + getattr(other, each.name))
        return self

    def as_dict(self) -> dict[str, int]:
        return {each.name: getattr(self, each.name) for each in fields(self)}

    def any(self) -> bool:
        return any(self.as_dict().values())


@dataclass(slots=True)
class MonthCounters:
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0


def _collation(name: str) -> str:
    """Vietnamese names in alphabetical order, near enough: marks do not count first."""
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()


def assemble(
    *,
    tenant: str | None,
    period: Period,
    generated_at: datetime,
    sites: Iterable[Site],
    cells: Iterable[Cell],
    snapshot: Mapping[str, tuple[int, int]],
) -> dict[str, Any]:
    """The report: totals, one row per site (the one asked for, or every active site
    and any other with figures) and one row per month of the period."""
    month_list = months(period)
    per_site: dict[str, Counters] = {}
    per_month = [MonthCounters() for _ in month_list]
    for cell in cells:
        if tenant is not None and cell.tenant != tenant:
            continue
        per_site.setdefault(cell.tenant, Counters()).add(cell)
        month = per_month[cell.month]
        if cell.measure == "received":
            month.received += cell.count
        elif cell.measure == "answered":
            month.answered += cell.count
            month.answered_on_time += cell.on_time
    for slug, (open_count, overdue_count) in snapshot.items():
        if tenant is None or slug == tenant:
            counters = per_site.setdefault(slug, Counters())
            counters.open_now += open_count
            counters.overdue_now += overdue_count
    known = {site.slug: site for site in sites}
    if tenant is not None:
        shown = [tenant]
    else:
        shown = [s for s, site in known.items() if site.active]
        shown += [s for s, c in per_site.items() if s not in shown and c.any()]

    def order(slug: str) -> tuple[int, str, str]:
        site = known.get(slug)
        kind = KIND_ORDER.get(site.kind or "", 9) if site else 9
        return kind, _collation(site.name if site else slug), slug

    totals = Counters()
    by_site = []
    for slug in sorted(shown, key=order):
        counters = per_site.get(slug, Counters())
        totals += counters
        site = known.get(slug)
        by_site.append({"tenant": slug, "name": site.name if site else slug,
                        **counters.as_dict()})  # fmt: skip
    return {
        "tenant": tenant,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "totals": totals.as_dict(),
        "by_tenant": by_site,
        "by_month": [
            {
                "month": m.label,
                "received": c.received,
                "answered": c.answered,
                "answered_on_time": c.answered_on_time,
            }
            for m, c in zip(month_list, per_month, strict=True)
        ],
    }


# --- exports -------------------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    """A percentage to one decimal, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


COUNTER_HEADERS = [
    ("received", "Tiếp nhận"),
    ("classified", "Đã phân loại, chuyển xử lý"),
    ("classified_on_time", "Phân loại đúng hạn"),
    ("answered", "Đã trả lời"),
    ("answered_on_time", "Trả lời đúng hạn"),
    ("out_of_scope", "Không thuộc phạm vi"),
    ("open_now", "Đang xử lý (hiện tại)"),
    ("overdue_now", "Quá hạn (hiện tại)"),
]
#: The same, by key: the report's `labels`, for screens to head their tables with.
COUNTER_LABELS = dict(COUNTER_HEADERS)
SITE_HEADERS = [
    "Mã trang", "Tên trang", *(label for _, label in COUNTER_HEADERS),
    "Tỷ lệ phân loại đúng hạn (%)", "Tỷ lệ trả lời đúng hạn (%)",
]  # fmt: skip
MONTH_HEADERS = ["Tháng", "Tiếp nhận", "Đã trả lời", "Trả lời đúng hạn",
                 "Tỷ lệ trả lời đúng hạn (%)"]  # fmt: skip
TOTAL = "Tổng cộng"
RATE_COLUMNS = 2


def _site_row(slug: str, name: str, counters: Mapping[str, int]) -> list[Any]:
    return [
        slug, name, *(counters[key] for key, _ in COUNTER_HEADERS),
        rate(counters["classified_on_time"], counters["classified"]),
        rate(counters["answered_on_time"], counters["answered"]),
    ]  # fmt: skip


def site_table(report: Mapping[str, Any]) -> list[list[Any]]:
    """Header, one row per site, and the total."""
    rows = [SITE_HEADERS]
    rows += [_site_row(r["tenant"], r["name"], r) for r in report["by_tenant"]]
    rows.append(_site_row("", TOTAL, report["totals"]))
    return rows


def month_table(report: Mapping[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [MONTH_HEADERS]
    sums = {"received": 0, "answered": 0, "answered_on_time": 0}
    for m in report["by_month"]:
        year, month = m["month"].split("-")
        rows.append([f"{month}/{year}", m["received"], m["answered"], m["answered_on_time"],
                     rate(m["answered_on_time"], m["answered"])])  # fmt: skip
        for key in sums:
            sums[key] += m[key]
    rows.append([TOTAL, sums["received"], sums["answered"], sums["answered_on_time"],
                 rate(sums["answered_on_time"], sums["answered"])])  # fmt: skip
    return rows


def _safe(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(report: Mapping[str, Any], table: str = "sites") -> bytes:
    """RFC 4180 CSV (commas, CRLF, quotes where needed), UTF-8 with a byte order mark
    so that Excel reads Vietnamese right."""
    rows = month_table(report) if table == "months" else site_table(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return "\ufeff".encode() + buffer.getvalue().encode()


def _sheet(ws: Any, rows: Sequence[Sequence[Any]], rates: int, widths: Sequence[int]) -> None:
    for row in rows:
        ws.append([_safe(v) for v in row])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[ws.max_row]:
        cell.font = bold
    for column in range(len(rows[0]) - rates + 1, len(rows[0]) + 1):
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0.0"
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def to_xlsx(report: Mapping[str, Any], scope: str) -> bytes:
    """A workbook: the sites, the months, and what the report covers."""
    book = Workbook()
    sites = book.active
    sites.title = "Theo trang"
    _sheet(sites, site_table(report), RATE_COLUMNS, [16, 48, *[14] * 10])
    _sheet(book.create_sheet("Theo tháng"), month_table(report), 1, [12, 14, 14, 16, 16])
    about = book.create_sheet("Thông tin")
    start, end = date.fromisoformat(report["from"]), date.fromisoformat(report["to"])
    for row in [
        ["Báo cáo", "Tiếp nhận và trả lời hỏi đáp, phản ánh, kiến nghị"],
        ["Phạm vi", scope],
        ["Từ ngày", f"{start:%d/%m/%Y}"],
        ["Đến ngày", f"{end:%d/%m/%Y}"],
        ["Lập lúc", report["generated_at"]],
        ["Ghi chú", "Đúng hạn: xong trước khi hết ngày đến hạn theo Quy chế 004 Điều 13.1.e "
                    "(phân loại 2 ngày làm việc, trả lời 15 ngày làm việc). Các cột “hiện tại” "
                    "tính tại thời điểm lập báo cáo."],
    ]:  # fmt: skip
        about.append(row)
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 90
    book.properties.title = "Báo cáo hỏi đáp, phản ánh, kiến nghị"
    book.properties.creator = "Cổng Thông tin điện tử thành phố Hà Nội"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(report: Mapping[str, Any], extension: str, table: str = "sites") -> str:
    scope = report["tenant"] or "toan-thanh-pho"
    part = "_theo-thang" if table == "months" else ""
    return f"bao-cao-hoi-dap_{scope}_{report['from']}_{report['to']}{part}.{extension}"
