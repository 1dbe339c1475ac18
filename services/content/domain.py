"""Articles: states, transitions, slugs and sanitising, with no I/O.

The working copy of an article moves draft → submitted → (rejected → submitted …)
→ published; editing a published article starts a new draft while the approved
revision stays live; withdrawal takes it off the site. Nothing becomes public
without the editorial board's approval (Quy chế 004, Điều 14–15).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class State(StrEnum):
    draft = "draft"
    submitted = "submitted"
    rejected = "rejected"
    published = "published"
    withdrawn = "withdrawn"


class Action(StrEnum):
    edit = "edit"
    submit = "submit"
    approve = "approve"
    reject = "reject"
    withdraw = "withdraw"


STATE_LABELS_VI = {
    State.draft: "bản nháp",
    State.submitted: "đang chờ duyệt",
    State.rejected: "bị trả lại",
    State.published: "đã xuất bản",
    State.withdrawn: "đã gỡ",
}

_NEXT: dict[tuple[State, Action], State] = {
    (State.draft, Action.edit): State.draft,
    (State.rejected, Action.edit): State.draft,
    (State.published, Action.edit): State.draft,
    (State.withdrawn, Action.edit): State.draft,
    (State.draft, Action.submit): State.submitted,
    (State.rejected, Action.submit): State.submitted,
    (State.submitted, Action.approve): State.published,
    (State.submitted, Action.reject): State.rejected,
}


class TransitionError(ValueError):
    """The action is not allowed in the article's current state."""


def next_state(state: State, action: Action, *, live: bool = False) -> State:
    """The state after `action`; TransitionError (message in Vietnamese) if not allowed.

    `live` says whether an approved revision is on the site: only then can it be
    withdrawn, whatever the working copy is doing.
    """
    if action is Action.withdraw:
        if live:
            return State.withdrawn
        raise TransitionError("Bài viết chưa được xuất bản nên không thể gỡ.")
    try:
        return _NEXT[(state, action)]
    except KeyError:
        raise TransitionError(
            f"Không thể {ACTION_LABELS_VI[action]} bài viết {STATE_LABELS_VI[state]}."
        ) from None


ACTION_LABELS_VI = {
    Action.edit: "sửa",
    Action.submit: "gửi duyệt",
    Action.approve: "duyệt",
    Action.reject: "trả lại",
    Action.withdraw: "gỡ",
}

# Categories every site starts with, until issue #3 brings per-tenant trees.
CATEGORIES = {
    "tin-tuc": "Tin tức",
    "chi-dao-dieu-hanh": "Chỉ đạo điều hành",
    "thong-bao": "Thông báo",
}


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
