"""The official working-day calendar (pure: no I/O).

A day is a working day unless it is a Saturday or Sunday or a public holiday, with
two kinds of exception decided each year by the Government and entered by operators:
extra days off (ngày nghỉ bù, ngày nghỉ thêm) and make-up working days (ngày làm bù,
usually a Saturday). Public holidays come from the `holidays` package, country VN:
Tết Dương lịch, the lunar Tết days, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh (2/9 and
the day next to it), Ngày Văn hóa Việt Nam (24/11, from 2026), the days it records as
observed or substituted, and its make-up working Saturdays.

Operators' entries win over the package: a day the package does not know as a holiday
can be made a day off, and any day (even one the package lists) can be made a working
day, which is how a cancelled swap is undone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Far enough for any deadline we count (15 working days, plus pauses), bounded so a
#: bad date cannot make a loop run for ever.
MAX_SPAN_DAYS = 3660


class DayKind(StrEnum):
    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"


DAY_KIND_VI = {DayKind.DAY_OFF: "Ngày nghỉ thêm", DayKind.WORKING_DAY: "Ngày làm việc bù"}


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An operator's entry for one day of one year."""

    day: date
    kind: DayKind
    reason: str


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(holidays, make-up working days) the package knows for one year."""
    vn = holidays.country_holidays("VN", years=year)
    days_off = frozenset(day for day in vn if day.year == year)
    working = frozenset(day for day in vn.weekend_workdays if day.year == year)
    return days_off, working


def public_holidays(year: int) -> dict[date, str]:
    """The package's holidays of `year` with their Vietnamese names, for the admin UI."""
    vn = holidays.country_holidays("VN", years=year, language="vi")
    return {day: name for day, name in sorted(vn.items()) if day.year == year}


class WorkCalendar:
    """Working days in Vietnam, with the operators' adjustments."""

    def __init__(self, adjustments: Iterable[Adjustment] = ()) -> None:
        self._extra_off: set[date] = set()
        self._extra_work: set[date] = set()
        for adjustment in adjustments:
            if adjustment.kind is DayKind.DAY_OFF:
                self._extra_off.add(adjustment.day)
                self._extra_work.discard(adjustment.day)
            else:
                self._extra_work.add(adjustment.day)
                self._extra_off.discard(adjustment.day)

    def is_working_day(self, day: date) -> bool:
        if day in self._extra_off:
            return False
        if day in self._extra_work:
            return True
        package_off, package_work = _package_year(day.year)
        if day in package_off:
            return False
        if day in package_work:
            return True
        return day.weekday() < 5

    def same_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the next working day."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: date) -> date:
        """The last working day before `day`."""
        for offset in range(1, MAX_SPAN_DAYS):
            candidate = day - timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_SPAN_DAYS} days before {day}")

    def add_working_days(self, day: date, count: int, skip: Iterable[date] = ()) -> date:
        """The `count`-th working day after `day` (Bộ luật Dân sự Điều 147: the day of
        the event is not counted), not counting the days in `skip` (a paused clock)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        skipped = set(skip)
        seen = 0
        for offset in range(1, MAX_SPAN_DAYS):
            candidate = day + timedelta(days=offset)
            if candidate not in skipped and self.is_working_day(candidate):
                seen += 1
                if seen == count:
                    return candidate
        raise ValueError(f"{count} working days after {day} lie beyond the calendar")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`."""
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )


class Now:
    """The service's clock: the system's, unless a test or a drill sets it."""

    def __init__(self) -> None:
        self.fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(TZ)

    def set(self, moment: datetime | None) -> None:
        if moment is not None and moment.tzinfo is None:
            raise ValueError("a moment without a UTC offset is ambiguous")
        self.fixed = moment


def local_day(moment: datetime) -> date:
    """The calendar day in Hanoi of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("a moment without a UTC offset is ambiguous")
    return moment.astimezone(TZ).date()


def end_of_day(day: date) -> datetime:
    """Bộ luật Dân sự Điều 148: a period counted in days ends when its last day ends
    (24:00, written as 23:59:59 of that day, Hanoi time)."""
    return datetime.combine(day, time(23, 59, 59), TZ)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), TZ)
