"""The legal clock over real 2026–2027 dates (Quy chế 004 Điều 13.1.e, Bộ luật Dân sự
Điều 147–148, the official calendar of the `holidays` package plus operators' days)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.feedback.calendar import (
    TZ,
    Adjustment,
    DayKind,
    WorkCalendar,
    end_of_day,
    local_day,
)
from services.feedback.deadlines import Pause, check_answer_by, compute, is_overdue, warning_at

CAL = WorkCalendar()


def at(text: str) -> datetime:
    """A moment in Hanoi time, `YYYY-MM-DD HH:MM`."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def due(day: str) -> datetime:
    return end_of_day(date.fromisoformat(day))


@pytest.mark.parametrize(
    ("received", "notice", "classify", "answer"),
    [
        # Tết Bính Ngọ: 16–20/2/2026 off, with the weekends around it 14–22/2.
        ("2026-02-13 10:00", "2026-02-13", "2026-02-24", "2026-03-13"),
        # Received on a Saturday inside Tết: the notice is due on the next working day.
        ("2026-02-14 09:00", "2026-02-23", "2026-02-24", "2026-03-13"),
        ("2026-02-17 08:00", "2026-02-23", "2026-02-24", "2026-03-13"),
        # 30/4 (Thursday) and 1/5 (Friday), then the weekend.
        ("2026-04-29 16:30", "2026-04-29", "2026-05-05", "2026-05-22"),
        # Giỗ Tổ on Sunday 26/4/2026, observed on Monday 27/4.
        ("2026-04-24 11:00", "2026-04-24", "2026-04-29", "2026-05-20"),
        # 2/9: 31/8–2/9 off; Saturday 22/8 is the make-up working day for 31/8.
        ("2026-08-21 15:00", "2026-08-21", "2026-08-24", "2026-09-15"),
        ("2026-08-22 09:00", "2026-08-22", "2026-08-25", "2026-09-16"),
        ("2026-08-28 10:00", "2026-08-28", "2026-09-04", "2026-09-23"),
        # Ngày Văn hóa Việt Nam, 24/11, a day off from 2026.
        ("2026-11-23 10:00", "2026-11-23", "2026-11-26", "2026-12-15"),
        ("2026-11-24 10:00", "2026-11-25", "2026-11-26", "2026-12-15"),
        # Year end: 1/1/2027 is a Friday.
        ("2026-12-31 14:00", "2026-12-31", "2027-01-05", "2027-01-22"),
        # Tết Đinh Mùi: 4–10/2/2027.
        ("2027-02-03 09:00", "2027-02-03", "2027-02-12", "2027-03-03"),
        # 1/5/2027 is a Saturday, observed on Monday 3/5.
        ("2027-04-29 09:00", "2027-04-29", "2027-05-05", "2027-05-24"),
        # 2/9/2027 (Thursday) and 3/9 (Friday).
        ("2027-09-01 09:00", "2027-09-01", "2027-09-07", "2027-09-24"),
        # An ordinary Sunday: counting starts on Monday, which is day 1.
        ("2026-03-08 20:00", "2026-03-09", "2026-03-10", "2026-03-27"),
    ],
)
def test_deadlines_on_real_dates(received: str, notice: str, classify: str, answer: str) -> None:
    deadlines = compute(CAL, at(received))
    assert deadlines.out_of_scope_notice_due == due(notice)
    assert deadlines.classification_due == due(classify)
    assert deadlines.answer_due == due(answer)


def test_the_day_of_receipt_is_not_counted_and_a_period_ends_when_its_last_day_ends() -> None:
    # Received one minute before midnight on Monday: Tuesday is day 1, Wednesday day 2.
    late = compute(CAL, at("2026-03-02 23:59"))
    early = compute(CAL, at("2026-03-02 00:00"))
    assert late.classification_due == early.classification_due == due("2026-03-04")
    assert late.classification_due.isoformat() == "2026-03-04T23:59:59+07:00"


def test_receipt_is_placed_on_the_hanoi_calendar_not_utc() -> None:
    # 17:30 UTC on 29/4 is 00:30 on 30/4 in Hanoi: a holiday, so the notice waits.
    received = datetime(2026, 4, 29, 17, 30, tzinfo=UTC)
    assert local_day(received) == date(2026, 4, 30)
    assert compute(CAL, received).out_of_scope_notice_due == due("2026-05-04")
    with pytest.raises(ValueError, match="offset"):
        compute(CAL, datetime(2026, 4, 29, 9, 0))


def test_the_package_knows_the_calendar_we_rely_on() -> None:
    for day in ("2026-02-16", "2026-02-20", "2026-04-27", "2026-04-30", "2026-05-01",
                "2026-08-31", "2026-09-01", "2026-09-02", "2026-11-24", "2027-01-01",
                "2027-02-10", "2027-05-03", "2027-09-03"):  # fmt: skip
        assert not CAL.is_working_day(date.fromisoformat(day)), day
    assert CAL.is_working_day(date(2026, 8, 22))  # a Saturday, worked for 31/8
    assert CAL.is_working_day(date(2026, 2, 13))
    assert not CAL.is_working_day(date(2026, 8, 29))  # an ordinary Saturday


def test_operators_add_days_off_and_make_up_working_days() -> None:
    calendar = WorkCalendar(
        [
            Adjustment(date(2026, 1, 2), DayKind.DAY_OFF, "Nghỉ bù Tết Dương lịch"),
            Adjustment(date(2026, 1, 10), DayKind.WORKING_DAY, "Làm bù cho 2/1"),
        ]
    )
    assert compute(CAL, at("2025-12-31 09:00")).classification_due == due("2026-01-05")
    assert compute(calendar, at("2025-12-31 09:00")).classification_due == due("2026-01-06")
    assert compute(CAL, at("2026-01-09 09:00")).classification_due == due("2026-01-13")
    assert compute(calendar, at("2026-01-09 09:00")).classification_due == due("2026-01-12")
    # A received-on-Saturday question on a make-up day is noticed the same day.
    assert compute(calendar, at("2026-01-10 09:00")).out_of_scope_notice_due == due("2026-01-10")


def test_operators_can_cancel_a_swap_the_package_knows() -> None:
    calendar = WorkCalendar(
        [
            Adjustment(date(2026, 8, 31), DayKind.WORKING_DAY, "Không hoán đổi"),
            Adjustment(date(2026, 8, 22), DayKind.DAY_OFF, "Không làm bù"),
        ]
    )
    assert compute(calendar, at("2026-08-28 10:00")).classification_due == due("2026-09-03")
    assert compute(calendar, at("2026-08-21 10:00")).classification_due == due("2026-08-25")
    # The later entry for a day wins.
    flip = WorkCalendar(
        [
            Adjustment(date(2026, 3, 6), DayKind.DAY_OFF, "a"),
            Adjustment(date(2026, 3, 6), DayKind.WORKING_DAY, "b"),
        ]
    )
    assert flip.is_working_day(date(2026, 3, 6))


def test_a_request_for_clarification_pauses_the_answer_clock() -> None:
    received = at("2026-03-02 09:00")
    assert compute(CAL, received).answer_due == due("2026-03-23")
    # Asked on Wednesday 4/3, the citizen replied on Monday 9/3: 5/3, 6/3 and 9/3 are
    # not counted (the weekend was not counted anyway).
    pause = Pause(at("2026-03-04 10:00"), at("2026-03-09 15:00"), "Đề nghị bổ sung địa chỉ")
    paused = compute(CAL, received, [pause])
    assert paused.answer_due == due("2026-03-26")
    # The classification deadline does not move.
    assert paused.classification_due == compute(CAL, received).classification_due
    # Still waiting for the citizen: no answer deadline runs.
    assert compute(CAL, received, [Pause(at("2026-03-04 10:00"), None, "x")]).answer_due is None
    # A reply on the day of the request costs nothing.
    same_day = Pause(at("2026-03-04 10:00"), at("2026-03-04 16:00"), "x")
    assert compute(CAL, received, [same_day]).answer_due == due("2026-03-23")
    # Two pauses add up; a pause across Tết only skips the working days in it.
    second = Pause(at("2026-03-11 08:00"), at("2026-03-12 08:00"), "x")
    assert compute(CAL, received, [pause, second]).answer_due == due("2026-03-27")
    tet = Pause(at("2026-02-13 09:00"), at("2026-02-23 09:00"), "x")
    assert compute(CAL, at("2026-02-12 09:00"), [tet]).answer_due == due("2026-03-13")


def test_a_progress_notice_moves_the_answer_deadline_to_its_stated_date() -> None:
    received = at("2026-03-02 09:00")
    extended = compute(CAL, received, answer_by=date(2026, 4, 10))
    assert extended.answer_due == due("2026-04-10")
    now = at("2026-03-20 10:00")
    current = compute(CAL, received).answer_due
    assert check_answer_by(CAL, current, date(2026, 4, 10), now) is None
    assert check_answer_by(CAL, current, date(2026, 3, 19), now) == "Ngày hẹn trả lời đã qua."
    assert check_answer_by(CAL, current, date(2026, 4, 30), now) is not None  # a holiday
    assert check_answer_by(CAL, current, date(2026, 3, 20), now) is not None  # earlier


def test_a_warning_comes_as_the_working_day_before_the_due_day_begins() -> None:
    assert warning_at(CAL, due("2026-02-24")) == at("2026-02-23 00:00")
    assert warning_at(CAL, due("2026-05-05")) == at("2026-05-04 00:00")
    assert warning_at(CAL, due("2026-09-04")) == at("2026-09-03 00:00")
    # Monday 24/8/2026 follows Saturday 22/8, a make-up working day.
    assert warning_at(CAL, due("2026-08-24")) == at("2026-08-22 00:00")
    assert warning_at(CAL, due("2026-11-25")) == at("2026-11-23 00:00")


def test_overdue_is_strictly_after_the_end_of_the_last_day() -> None:
    deadline = due("2026-03-04")
    assert not is_overdue(deadline, at("2026-03-04 23:59"))
    assert not is_overdue(deadline, deadline)
    assert is_overdue(deadline, at("2026-03-05 00:00"))
    assert not is_overdue(None, at("2030-01-01 00:00"))


def test_counting_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CAL.add_working_days(date(2026, 3, 2), 0)
    everything_off = WorkCalendar(
        Adjustment(date(2026, 1, 1) + timedelta(days=n), DayKind.DAY_OFF, "x") for n in range(4000)
    )
    with pytest.raises(ValueError, match="beyond"):
        everything_off.add_working_days(date(2026, 1, 1), 2)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2
