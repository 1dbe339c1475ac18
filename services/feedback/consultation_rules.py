"""Consultation on draft documents (lấy ý kiến góp ý dự thảo, Quy chế Điều 4.2.d), its
rules (pure: no I/O): the board publishes a draft split into articles and clauses (điều,
khoản) with its opening and closing dates; citizens comment on a chosen article or on
the draft as a whole; comments close with the phase; afterwards the agency publishes
its summary of the comments (tổng hợp) and its responses, one per comment or one per
group.

    phase:    upcoming ─(opening day 00:00:00)─▶ open ─(closing day ends)─▶ closed
    comment:  unconfirmed ─confirm─▶ pending ─moderate─▶ published | rejected

Dates are Hanoi calendar days: the phase opens at 00:00:00 of the opening day and
closes when the closing day ends (Bộ luật Dân sự Điều 148), so a comment confirmed at
23:59:59.999 of the closing day is in time and one at 00:00:00 of the next day is not.

A comment counts once its sender confirms it by the mailed link, as a question does,
and the confirmation must come while the phase is open. Comments are shown publicly
only after the board's moderation (a portal of the city shows nothing unreviewed),
with the sender's name only if they agreed, and with emails, phone and ID numbers
removed from the text; the email itself is never shown (participation_rules.py).

The tables and queries are in participation_store.py, the state changes in
participation_commands.py, what anyone may see in participation_views.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from services.feedback.calendar import end_of_day, local_day, start_of_day
from services.feedback.domain import NotAllowed
from services.feedback.participation_rules import public_name, public_text


class Phase(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


PHASE_VI = {
    Phase.UPCOMING: "Sắp lấy ý kiến",
    Phase.OPEN: "Đang lấy ý kiến",
    Phase.CLOSED: "Đã hết thời gian góp ý",
}


class CommentStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


COMMENT_STATUS_VI = {
    CommentStatus.UNCONFIRMED: "Chờ người góp ý xác nhận qua email",
    CommentStatus.PENDING: "Chờ duyệt",
    CommentStatus.PUBLISHED: "Đã đăng",
    CommentStatus.REJECTED: "Không đăng",
}

#: The longest phase a consultation may run, and how far ahead it may be announced.
MAX_DAYS = 366
MAX_AHEAD_DAYS = 366


def window(opens_on: date, closes_on: date) -> tuple[datetime, datetime]:
    """(first moment, last whole second) of a phase from `opens_on` to `closes_on`."""
    return start_of_day(opens_on), end_of_day(closes_on)


def phase(opens_at: datetime, closes_at: datetime, now: datetime) -> Phase:
    """Where a consultation stands at `now`. `closes_at` is the last whole second of
    the closing day (23:59:59); the phase is open until that second has passed."""
    if now < opens_at:
        return Phase.UPCOMING
    if now < closes_at + timedelta(seconds=1):
        return Phase.OPEN
    return Phase.CLOSED


def check_dates(opens_on: date, closes_on: date, now: datetime) -> str | None:
    """What is wrong with a phase's dates, in Vietnamese, or None."""
    today = local_day(now)
    if closes_on < opens_on:
        return "Ngày kết thúc lấy ý kiến phải sau ngày bắt đầu."
    if opens_on < today:
        return "Ngày bắt đầu lấy ý kiến không được ở trong quá khứ."
    if (closes_on - opens_on).days >= MAX_DAYS:
        return f"Thời gian lấy ý kiến không quá {MAX_DAYS} ngày."
    if (opens_on - today).days > MAX_AHEAD_DAYS:
        return f"Ngày bắt đầu lấy ý kiến không quá {MAX_AHEAD_DAYS} ngày kể từ hôm nay."
    return None


def check_numbers(numbers: Sequence[str]) -> str | None:
    """What is wrong with the numbers (số hiệu) of a draft's articles, or None: each
    article has its own, whatever the case."""
    folded = [n.casefold() for n in numbers]
    if len(set(folded)) != len(folded):
        return "Mỗi điều, khoản của dự thảo phải có số hiệu riêng."
    return None


def check_article(articles: Sequence[Any], position: int | None) -> str | None:
    """What is wrong with the article a comment names (its 1-based position; None for
    the draft as a whole), or None."""
    if position is not None and not 1 <= position <= len(articles):
        return "Điều, khoản được chọn không có trong dự thảo."
    return None


def require_open(current: Phase) -> None:
    if current is Phase.UPCOMING:
        raise NotAllowed("Chưa đến thời gian góp ý cho dự thảo này.")
    if current is Phase.CLOSED:
        raise NotAllowed("Đã hết thời gian góp ý cho dự thảo này.")


def require_closed(current: Phase) -> None:
    """The summary of the comments comes once no more can come."""
    if current is not Phase.CLOSED:
        raise NotAllowed("Chỉ công bố tổng hợp ý kiến sau khi hết thời gian góp ý.")


def check_moderation(status: str, *, publish: bool, answered: bool) -> str | None:
    """Why a comment in `status` (`answered`: it has a response in the summary) cannot
    be published (`publish`) or kept off the page, or None."""
    if status == CommentStatus.UNCONFIRMED:
        return "Ý kiến chưa được người góp ý xác nhận, chưa thể duyệt."
    if answered and not publish:
        return "Ý kiến đã có phần trả lời trong bản tổng hợp, không thể gỡ."
    return None


def check_responses(comment_ids: Sequence[str]) -> str | None:
    """What is wrong with the comments the summary's responses answer, or None."""
    if len(set(comment_ids)) != len(comment_ids):
        return "Mỗi ý kiến chỉ được trả lời trong một mục."
    return None


def article_label(articles: Sequence[dict[str, Any]], position: int | None) -> str:
    if position is None:
        return "Góp ý chung cho dự thảo"
    article = articles[position - 1]
    return f"{article['number']}. {article['heading']}" if article["heading"] else article["number"]


def public_comment(row: Any, articles: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A comment as anyone may see it: no email, the name only if its sender agreed."""
    return {
        "id": row.id,
        "article": row.article,
        "article_label": article_label(articles, row.article),
        "name": public_name(row.name, row.show_name),
        "text": public_text(row.text, row.name),
        "confirmed_at": row.confirmed_at,
    }
