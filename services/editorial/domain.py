"""The board's decisions and the publish receipt, with no I/O (Quy chế 004, Điều 14–15).

A submitted revision waits for a board member. Approval may carry a publication
time (no minimum lead time) and the royalty coefficient; rejection needs one of
the grounds of Điều 14.3 and a note the editor can act on. A board head's forced
publication is approved at once and waits for the board's review afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    #: A newer revision of the same article was submitted before a decision, or the
    #: approval lapsed before publication (content's ApprovalSuperseded: `lapse` says why).
    superseded = "superseded"


class DecisionError(ValueError):
    """The decision is incomplete or not allowed as asked (the caller can fix it)."""


class AlreadyDecided(DecisionError):
    """Someone decided on this revision already (a conflict, not bad input)."""


class OwnWork(DecisionError):
    """The board member asked to approve or post-review their own work (forbidden)."""


def check_not_own(submitted_by: str, by: str, *, post_review: bool = False) -> None:
    """Four eyes: whoever submitted a revision (or forced it live) cannot be the one who
    approves it or reviews it afterwards; rejecting one's own submission is allowed."""
    if submitted_by != by:
        return
    if post_review:
        raise OwnWork(
            "Không thể tự hậu kiểm bài do chính mình đăng: cần một thành viên khác "
            "của Ban Biên tập."
        )
    raise OwnWork(
        "Không thể tự duyệt bài do chính mình gửi: cần một thành viên khác của Ban Biên tập."
    )


STATUS_LABELS_VI = {
    Status.pending: "đang chờ duyệt",
    Status.approved: "đã duyệt",
    Status.rejected: "đã trả lại",
    Status.superseded: "đã có bản mới hơn",
}
#: A superseded review whose approval lapsed (the article changed after the board said yes).
LAPSED_LABEL_VI = "bản duyệt không còn hiệu lực"


def status_label(status: str, *, lapsed: bool = False) -> str:
    """A review's status in the words editors read."""
    if lapsed and Status(status) is Status.superseded:
        return LAPSED_LABEL_VI
    return STATUS_LABELS_VI[Status(status)]


#: What the editors read when an approval lapsed, by ApprovalSuperseded.reason. What
#: a newsroom expects next: the approval is spent, nothing of it goes live, and the
#: article's current text reaches the site only after the board approves it in turn:
#: the editor sends it again (edited, withdrawn, cancelled), or the newer revision is
#: already with the board (or, forced, in its post-review queue).
LAPSE_MESSAGES_VI = {
    "edited": "Bài đã được sửa trong khi duyệt; bản được duyệt không còn là bản hiện tại "
    "— cần duyệt lại.",
    "newer_revision": "Bài đã có bản mới hơn trong khi duyệt; bản được duyệt không còn là "
    "bản hiện tại — cần duyệt bản mới.",
    "withdrawn": "Bài đã bị gỡ trong khi duyệt; bản được duyệt sẽ không được đăng — muốn "
    "đăng lại cần gửi duyệt lại.",
    "schedule_cancelled": "Lịch đăng đã bị huỷ; bản được duyệt sẽ không được đăng — muốn "
    "đăng cần gửi duyệt lại.",
}
LAPSE_FALLBACK_VI = "Bản được duyệt không còn là bản hiện tại của bài — cần duyệt lại."


def lapse_message(reason: str | None) -> str | None:
    """The editors' sentence for an approval that lapsed; None if it did not."""
    if reason is None:
        return None
    return LAPSE_MESSAGES_VI.get(reason, LAPSE_FALLBACK_VI)


def lapse(status: Status) -> Status | None:
    """The review's status once content said its approval will not be published; None:
    nothing to change (already superseded, or rejected: no approval to withdraw)."""
    if status in (Status.approved, Status.pending):
        return Status.superseded
    return None


#: Quy chế 004, Điều 14.3: information that shall be refused.
REJECTION_GROUNDS_VI = {
    "policy": "a) Không phù hợp với chủ trương, đường lối của Đảng, pháp luật của Nhà nước",
    "secret": "b) Thuộc bí mật nhà nước, hoặc chưa được phép phổ biến công khai",
    "untrue": "c) Không đúng sự thật",
    "unclear_origin": "d) Không rõ xuất xứ, không bảo đảm chất lượng",
    "unlawful": "đ) Thông tin khác mà pháp luật không cho đăng",
}
MIN_NOTE = 5


def decide(status: Status, *, approve: bool, ground: str | None = None, note: str = "") -> Status:
    """The status after the board's decision, or DecisionError saying why not."""
    if status is not Status.pending:
        raise AlreadyDecided(f"Bản này {STATUS_LABELS_VI[status]}, không thể quyết định lại.")
    if approve:
        return Status.approved
    if ground not in REJECTION_GROUNDS_VI:
        raise DecisionError(
            "Trả lại bài phải chọn một căn cứ của Điều 14.3 Quy chế: "
            + "; ".join(REJECTION_GROUNDS_VI.values())
            + "."
        )
    if len(note.strip()) < MIN_NOTE:
        raise DecisionError("Trả lại bài phải ghi rõ lý do để biên tập viên sửa.")
    return Status.rejected


def check_proposal_schedule(origin: str, publish_at: datetime | None) -> None:
    """A component site's proposal is published by syndication when approved, at once:
    there is no scheduled publication of another site's article."""
    if origin == "proposed" and publish_at is not None:
        raise DecisionError(
            "Bài đề xuất từ trang thành phần được đăng ngay khi duyệt, không hẹn giờ."
        )


def receipt_steps(origin: str, configured: tuple[str, ...]) -> tuple[str, ...]:
    """A proposal approved for the city portal becomes a copy there: the site shows it
    (renderer confirms), but search, syndication and partners follow the origin, so
    its receipt waits for the site only."""
    if origin == "proposed":
        return tuple(s for s in configured if s == "site")
    return configured


def check_schedule(publish_at: datetime | None, now: datetime) -> datetime | None:
    """A publication time: any future moment; a past one means now (None)."""
    if publish_at is None:
        return None
    if publish_at.tzinfo is None:
        raise DecisionError("Giờ đăng phải kèm múi giờ.")
    if publish_at > now + timedelta(days=366):
        raise DecisionError("Chỉ hẹn giờ đăng trong vòng một năm.")
    return publish_at if publish_at > now else None


# --- the publish receipt -----------------------------------------------------------

#: Vietnamese labels of the steps an approved article goes through.
STEP_LABELS_VI = {
    "approved": "Ban Biên tập duyệt",
    "scheduled": "Chờ đến giờ đăng",
    "published": "Xuất bản (dịch vụ nội dung)",
    "site": "Hiện trên trang",
    "search": "Có trong tìm kiếm",
    "syndication": "Đăng lại trên trang thành phần",
    "partners": "Gửi hệ thống đối tác",
    "lapsed": "Bản được duyệt không còn hiệu lực",
}


#: A receipt step's status in the editors' words.
STEP_STATUS_VI = {"done": "Xong", "waiting": "Đang chờ", "late": "Trễ", "stopped": "Dừng"}


@dataclass(frozen=True)
class Step:
    step: str
    label: str
    #: done | waiting | late | stopped (will not happen: the approval lapsed)
    status: str
    at: datetime | None
    #: Milliseconds from the previous step (from the publication time for "published").
    after_ms: int | None
    due_at: datetime | None


def receipt(
    *,
    decided_at: datetime,
    publish_at: datetime | None,
    published_at: datetime | None,
    confirmations: dict[str, datetime],
    consumer_steps: tuple[str, ...],
    now: datetime,
    budget: timedelta = timedelta(seconds=10),
    lapsed_at: datetime | None = None,
) -> list[Step]:
    """Where an approved revision is: each step done, waiting, or late (past its budget).

    Publication is due at the scheduled time (or the decision); each consumer is due
    `budget` after publication. A consumer that confirms after its budget is shown
    done, with its timing: lateness is for what has not happened yet. An approval
    that lapsed (`lapsed_at`) ends there: nothing after it will happen, so nothing
    waits or is late.
    """
    steps = [Step("approved", STEP_LABELS_VI["approved"], "done", decided_at, None, None)]
    if lapsed_at is not None:
        after = max(int((lapsed_at - decided_at).total_seconds() * 1000), 0)
        steps.append(Step("lapsed", STEP_LABELS_VI["lapsed"], "stopped", lapsed_at, after, None))
        return steps
    due = publish_at or decided_at
    if publish_at is not None:
        reached = published_at is not None or now >= publish_at
        steps.append(
            Step("scheduled", STEP_LABELS_VI["scheduled"], "done" if reached else "waiting",
                 publish_at, None, publish_at)
        )  # fmt: skip
    steps.append(_step("published", published_at, due, due + budget, now))
    for name in consumer_steps:
        at = confirmations.get(name)
        start = published_at
        steps.append(
            _step(name, at, start, (start + budget) if start else None, now)
            if start
            else Step(name, STEP_LABELS_VI.get(name, name), "waiting", None, None, None)
        )
    return steps


def _step(
    name: str, at: datetime | None, start: datetime | None, due: datetime | None, now: datetime
) -> Step:
    label = STEP_LABELS_VI.get(name, name)
    if at is not None:
        after = int((at - start).total_seconds() * 1000) if start else None
        return Step(name, label, "done", at, max(after, 0) if after is not None else None, due)
    late = due is not None and now > due
    return Step(name, label, "late" if late else "waiting", None, None, due)
