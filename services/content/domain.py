"""Articles: states, transitions, slugs and sanitising, with no I/O.

The working copy of an article moves draft → submitted → approved | rejected;
an approval publishes at once or at a chosen time (scheduled → published, or
updated when an earlier revision was live). Editing a live article starts a new
draft while the approved revision stays live; withdrawal takes it off the site
with a notice, a redirect or a 410. Nothing becomes public without the editorial
board's approval (Quy chế 004, Điều 14–15); the board head may force a
publication, which is then reviewed afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum

from runtime.auth import Role


class State(StrEnum):
    draft = "draft"
    submitted = "submitted"
    rejected = "rejected"
    #: Approved, waiting for its publication time.
    scheduled = "scheduled"
    #: Live, first publication.
    published = "published"
    #: Live, a later revision replaced the first one.
    updated = "updated"
    withdrawn = "withdrawn"


class Action(StrEnum):
    edit = "edit"
    submit = "submit"
    #: The board approved for publication now.
    approve = "approve"
    #: The board approved for publication at a later time.
    schedule = "schedule"
    reject = "reject"
    #: A scheduled publication's time came.
    publish_due = "publish_due"
    cancel_schedule = "cancel_schedule"
    #: The board head publishes without review (flagged for review afterwards).
    force_publish = "force_publish"
    withdraw = "withdraw"


#: A state in the words editors read, on every screen and in every message.
STATE_LABELS_VI = {
    State.draft: "Bản nháp",
    State.submitted: "Chờ duyệt",
    State.rejected: "Bị trả lại",
    State.scheduled: "Đã duyệt, chờ giờ đăng",
    State.published: "Đã đăng",
    State.updated: "Đã cập nhật",
    State.withdrawn: "Đã gỡ",
}

ACTION_LABELS_VI = {
    Action.edit: "sửa",
    Action.submit: "gửi duyệt",
    Action.approve: "duyệt",
    Action.schedule: "duyệt và hẹn giờ",
    Action.reject: "trả lại",
    Action.publish_due: "đăng theo lịch",
    Action.cancel_schedule: "huỷ hẹn giờ",
    Action.force_publish: "đăng ngay không qua duyệt",
    Action.withdraw: "gỡ",
}

LIVE = "live"  # placeholder target: published on first publication, updated after

_NEXT: dict[tuple[State, Action], State | str] = {
    # Editing starts a new working copy; what is live stays live until the
    # board approves the new one. Editing a scheduled article cancels the
    # schedule: the approved text is no longer the text to publish.
    **{(s, Action.edit): State.draft for s in (
        State.draft, State.rejected, State.scheduled, State.published, State.updated,
        State.withdrawn,
    )},
    (State.draft, Action.submit): State.submitted,
    (State.rejected, Action.submit): State.submitted,
    (State.submitted, Action.approve): LIVE,
    (State.submitted, Action.schedule): State.scheduled,
    (State.submitted, Action.reject): State.rejected,
    (State.scheduled, Action.publish_due): LIVE,
    (State.scheduled, Action.cancel_schedule): State.draft,
    **{(s, Action.force_publish): State.submitted for s in (
        State.draft, State.rejected, State.submitted,
    )},
}  # fmt: skip


def publishes_without_review(role: Role | None) -> bool:
    """Who may put an article live without the board's approval beforehand (an
    emergency, or articles migrated from the old portal): the site's board head alone,
    not its administrator nor an operator (Quy chế 004; the board reviews it after)."""
    return role is Role.board_head


class TransitionError(ValueError):
    """The action is not allowed in the article's current state."""


def next_state(
    state: State, action: Action, *, live: bool = False, ever_published: bool = False
) -> State:
    """The state after `action`; TransitionError (message in Vietnamese) if not allowed.

    `live` says whether an approved revision is on the site: only then can it be
    withdrawn, whatever the working copy is doing. `ever_published` tells a first
    publication (published) from a later one (updated).
    """
    if action is Action.withdraw:
        if live:
            return State.withdrawn
        raise TransitionError("Bài viết chưa được xuất bản nên không thể gỡ.")
    try:
        target = _NEXT[(state, action)]
    except KeyError:
        raise TransitionError(
            f"Không thể {ACTION_LABELS_VI[action]} bài viết đang ở trạng thái "
            f"“{STATE_LABELS_VI[state]}”."
        ) from None
    if target == LIVE:
        return State.updated if ever_published else State.published
    return State(target)


def approval_action(publish_at: datetime | None, now: datetime) -> Action:
    """Approve now, or schedule: no minimum lead time, and a past time means now."""
    return Action.schedule if publish_at is not None and publish_at > now else Action.approve


class Lapse(StrEnum):
    """Why an approval will not be published (ApprovalSuperseded.reason)."""

    #: A newer revision was made since (the board head forced one, say).
    newer_revision = "newer_revision"
    #: The working copy changed after the approved revision was frozen.
    edited = "edited"
    #: The article was taken off the site.
    withdrawn = "withdrawn"
    #: The board cancelled the scheduled publication.
    schedule_cancelled = "schedule_cancelled"


#: The board's decision arrived for a revision content had already decided on (the same
#: approval delivered again): nothing to do and nothing to tell.
ALREADY_DECIDED = "already_decided"


def approval_fate(
    *, state: State, current_revision_id: str | None, revision_id: str, revision_decision: str
) -> Action | Lapse | str:
    """What an approval of `revision_id` does to the article as it is now.

    Action.approve (publish it; schedule it if it carries a future time) when the
    article still waits for exactly this decision; ALREADY_DECIDED when this revision
    was decided before; otherwise why it lapsed, which content announces
    (ApprovalSuperseded) rather than ignore: editorial would say approved forever
    while nothing is published. A lapsed approval never publishes anything: neither
    the old text, which someone has since changed or taken down, nor the new one,
    which nobody reviewed.
    """
    if revision_decision != "pending":
        return ALREADY_DECIDED
    if current_revision_id != revision_id:
        return Lapse.newer_revision
    if state is State.submitted:
        return Action.approve
    if state is State.withdrawn:
        return Lapse.withdrawn
    # Withdrawn during its review and edited since (the only other way out of
    # submitted without a decision): the working copy is no longer the revision.
    return Lapse.edited


#: What a change to a scheduled article does to the approval waiting for its time.
_LAPSES_SCHEDULE = {
    Action.edit: Lapse.edited,
    Action.cancel_schedule: Lapse.schedule_cancelled,
    Action.withdraw: Lapse.withdrawn,
}


def schedule_lapse(state: State, action: Action, *, has_schedule: bool) -> Lapse | None:
    """Why `action` on an article makes its scheduled approval lapse, or None if it does
    not (there is none, or the action leaves it alone)."""
    if not has_schedule or state is not State.scheduled:
        return None
    return _LAPSES_SCHEDULE.get(action)


WITHDRAWAL_KINDS_VI = {
    "notice": "gỡ và hiện thông báo công khai",
    "redirect": "gỡ và chuyển người đọc sang trang khác",
    "gone": "gỡ hẳn (trang báo đã gỡ, mã 410)",
}


def check_withdrawal(kind: str, reason: str, notice: str, redirect_to: str | None) -> None:
    """TransitionError unless the withdrawal says why and what readers will see."""
    if kind not in WITHDRAWAL_KINDS_VI:
        raise TransitionError("Cách gỡ bài phải là: notice, redirect hoặc gone.")
    if not reason.strip():
        raise TransitionError("Cần ghi rõ lý do gỡ bài.")
    if kind == "notice" and not notice.strip():
        raise TransitionError("Gỡ bài kèm thông báo thì phải có nội dung thông báo.")
    bad_redirect = (
        not redirect_to
        or redirect_to.startswith("//")
        or not re.fullmatch(r"/[A-Za-z0-9/_.~%-]*", redirect_to)
    )
    if kind == "redirect" and bad_redirect:
        raise TransitionError(
            "Địa chỉ chuyển hướng phải là đường dẫn trên cùng trang, ví dụ /tin-tuc/bai-moi."
        )


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug of Vietnamese text: "Đường Điện Biên Phủ" → "duong-dien-bien-phu".

    đ/Đ are letters of their own, not d plus a mark, so NFD leaves them alone.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "bai-viet"


def unique_slug(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def clean_text(text: str) -> str:
    """One line of plain text, NFC (TCVN 6909), without control characters."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C" or c in "\t")
    return " ".join(text.split())
