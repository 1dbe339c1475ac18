"""The legal clock of a citizen's question (pure: no I/O).

Quy chế 004 Điều 13.1.e: the editorial board receives, classifies and forwards a
question to the units concerned within 2 working days of receipt; a question outside
the agency's remit is answered so "at once, within the working day"; at the latest 15
working days after receipt the agency answers, or reports progress with the date it
will answer by. Periods are counted as Bộ luật Dân sự 2015 Điều 147–148 say: the day
of receipt is not counted, and a period ends when its last day ends.

A request for clarification stops the answer clock: the days after the request up to
and including the day of the citizen's reply are not counted (the reply, like the
receipt, is an event whose day is not counted). A progress notice with a stated date
moves the answer deadline to the end of that date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.feedback.calendar import WorkCalendar, end_of_day, local_day, start_of_day

CLASSIFICATION_WORKING_DAYS = 2
ANSWER_WORKING_DAYS = 15


class Clock(StrEnum):
    """The deadlines a watcher keeps (the out-of-scope notice is part of classifying)."""

    CLASSIFICATION = "classification"
    ANSWER = "answer"


@dataclass(frozen=True, slots=True)
class Pause:
    """The answer clock stopped from `start` (request for clarification) to `end` (the
    citizen's reply; None while still waiting)."""

    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True, slots=True)
class Deadlines:
    out_of_scope_notice_due: datetime
    classification_due: datetime
    #: None while the clock is paused, waiting for the citizen.
    answer_due: datetime | None

    def as_json(self) -> dict[str, str | None]:
        return {
            "out_of_scope_notice_due": self.out_of_scope_notice_due.isoformat(),
            "classification_due": self.classification_due.isoformat(),
            "answer_due": self.answer_due.isoformat() if self.answer_due else None,
        }


def paused_days(pauses: Iterable[Pause]) -> set[date] | None:
    """Days not counted on the answer clock; None if a pause is still open."""
    days: set[date] = set()
    for pause in pauses:
        if pause.end is None:
            return None
        first, last = local_day(pause.start), local_day(pause.end)
        days.update(first + timedelta(days=n) for n in range(1, (last - first).days + 1))
    return days


def compute(
    calendar: WorkCalendar,
    received_at: datetime,
    pauses: Iterable[Pause] = (),
    answer_by: date | None = None,
) -> Deadlines:
    """Every deadline of a question received at `received_at` (an aware datetime)."""
    received = local_day(received_at)
    skipped = paused_days(pauses)
    if answer_by is not None:
        answer_due: datetime | None = end_of_day(answer_by)
    elif skipped is None:
        answer_due = None
    else:
        answer_due = end_of_day(calendar.add_working_days(received, ANSWER_WORKING_DAYS, skipped))
    return Deadlines(
        out_of_scope_notice_due=end_of_day(calendar.same_working_day(received)),
        classification_due=end_of_day(
            calendar.add_working_days(received, CLASSIFICATION_WORKING_DAYS)
        ),
        answer_due=answer_due,
    )


def warning_at(calendar: WorkCalendar, due: datetime) -> datetime:
    """When to warn that a deadline is near: as the last working day before the due
    day begins, so the people concerned have that day and the due day to act."""
    return start_of_day(calendar.previous_working_day(local_day(due)))


def check_answer_by(
    calendar: WorkCalendar, current_due: datetime | None, day: date, now: datetime
) -> str | None:
    """Why a progress notice's stated date cannot be accepted, or None if it can. The
    date must lie ahead, on a working day, and not before the deadline it replaces."""
    if day < local_day(now):
        return "Ngày hẹn trả lời đã qua."
    if not calendar.is_working_day(day):
        return "Ngày hẹn trả lời phải là ngày làm việc."
    if current_due is not None and end_of_day(day) < current_due:
        return "Ngày hẹn trả lời không được sớm hơn thời hạn hiện tại."
    return None


def is_overdue(due: datetime | None, now: datetime) -> bool:
    return due is not None and now > due
