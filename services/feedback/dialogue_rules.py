"""Online dialogues (đối thoại trực tuyến, Quy chế Điều 4.2.e and the operators' duty
to hold them), their rules (pure: no I/O): the board schedules a session with a leader;
citizens send questions ahead of it (and while it runs); during the session the board
publishes the leader's answers; afterwards it publishes the transcript, the answered
questions in the order they were answered.

    scheduled ─(starts_at)─▶ live ─(ends_at, or ended early)─▶ ended ─publish─▶ published

The state follows from the clock and two facts (`state`): the session's times and
whether the transcript was published. Which action fits which state is `ALLOWED`.

A question counts once its sender confirms it by the mailed link (email required, as
for questions and comments: it is the only guard against robots besides the rate limits
and the honeypot), and the confirmation must come while questions are taken. Questions
are never shown until answered: answering is the moderation. With an answer the
question is shown with the sender's name only if they agreed, and with emails, phone
and ID numbers removed; the email is never shown (participation_rules.py).

The tables and queries are in participation_store.py, the state changes in
participation_commands.py, what anyone may see in participation_views.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from services.feedback.domain import NotAllowed
from services.feedback.participation_rules import public_name, public_text


class State(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    PUBLISHED = "published"


STATE_VI = {
    State.SCHEDULED: "Sắp diễn ra",
    State.LIVE: "Đang diễn ra",
    State.ENDED: "Đã kết thúc, đang hoàn thiện biên bản",
    State.PUBLISHED: "Đã kết thúc, đã đăng biên bản",
}

ALLOWED: dict[str, frozenset[State]] = {
    "ask": frozenset({State.SCHEDULED, State.LIVE}),
    "answer": frozenset({State.LIVE}),
    "end": frozenset({State.LIVE}),
    "publish": frozenset({State.ENDED}),
}

REFUSALS_VI = {
    "ask": "Buổi đối thoại đã kết thúc, không nhận thêm câu hỏi.",
    "answer": "Chỉ trả lời câu hỏi trong thời gian diễn ra buổi đối thoại.",
    "end": "Chỉ kết thúc được buổi đối thoại đang diễn ra.",
    "publish": "Chỉ đăng biên bản sau khi buổi đối thoại kết thúc, và chỉ đăng một lần.",
}


class QuestionStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"
    RECEIVED = "received"
    ANSWERED = "answered"


MAX_HOURS = 12
MAX_AHEAD_DAYS = 366


def state(
    starts_at: datetime, ends_at: datetime, published_at: datetime | None, now: datetime
) -> State:
    """Where a session stands at `now`: it is live from `starts_at` (included) to
    `ends_at` (excluded); once the transcript is published it stays published."""
    if published_at is not None:
        return State.PUBLISHED
    if now < starts_at:
        return State.SCHEDULED
    if now < ends_at:
        return State.LIVE
    return State.ENDED


def allowed(action: str, current: State) -> bool:
    return current in ALLOWED[action]


def require(action: str, current: State) -> None:
    if not allowed(action, current):
        raise NotAllowed(REFUSALS_VI[action])


def check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> str | None:
    """What is wrong with a session's times, in Vietnamese, or None."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        return "Thời gian phải ghi múi giờ, ví dụ 2026-12-01T09:00:00+07:00."
    if ends_at <= starts_at:
        return "Giờ kết thúc phải sau giờ bắt đầu."
    if starts_at <= now:
        return "Giờ bắt đầu phải ở trong tương lai."
    if ends_at - starts_at > timedelta(hours=MAX_HOURS):
        return f"Một buổi đối thoại không kéo dài quá {MAX_HOURS} giờ."
    if starts_at - now > timedelta(days=MAX_AHEAD_DAYS):
        return f"Chỉ lên lịch trước tối đa {MAX_AHEAD_DAYS} ngày."
    return None


def current_state(row: Any, now: datetime) -> State:
    """The state of a session (a row of `dialogues`) at `now`."""
    return state(row.starts_at, row.ends_at, row.transcript_published_at, now)


def check_answerable(status: str) -> str | None:
    """Why a question in `status` cannot be answered, or None."""
    if status == QuestionStatus.UNCONFIRMED:
        return "Câu hỏi chưa được người hỏi xác nhận."
    if status == QuestionStatus.ANSWERED:
        return "Câu hỏi đã được trả lời."
    return None


def public_answer(row: Any) -> dict[str, Any]:
    """An answered question as anyone may see it: no email, the name only if its sender
    agreed."""
    return {"number": row.sequence, "name": public_name(row.name, row.show_name),
            "question": public_text(row.text, row.name), "answer_html": row.answer_html,
            "answered_at": row.answered_at}  # fmt: skip
