"""Review decisions, with no I/O (Quy chế 004, Điều 14–15)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    #: A newer revision of the same article was submitted before a decision.
    superseded = "superseded"


class DecisionError(ValueError):
    pass


STATUS_LABELS_VI = {
    Status.pending: "đang chờ duyệt",
    Status.approved: "đã duyệt",
    Status.rejected: "đã trả lại",
    Status.superseded: "đã có bản gửi mới hơn",
}


def decide(status: Status, *, approve: bool, reason: str = "") -> Status:
    """The status after the board's decision, or DecisionError saying why not."""
    if status is not Status.pending:
        raise DecisionError(f"Bản này {STATUS_LABELS_VI[status]}, không thể quyết định lại.")
    if approve:
        return Status.approved
    if not reason.strip():
        raise DecisionError("Trả lại bài phải ghi rõ lý do để biên tập viên sửa.")
    return Status.rejected
