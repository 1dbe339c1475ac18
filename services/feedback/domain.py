"""A question's life and tracking codes (pure: no I/O); personal data: personal_data.py.

unconfirmed ─confirm─▶ received ─classify─▶ classified ─draft─▶ drafted ─approve─▶ published
                          │                  │  ▲                │
                          │                  │  └────return──────┘
                          │                  └─clarify─▶ waiting_citizen ─reply─▶ classified
                          └─out of scope─▶ out_of_scope
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from enum import StrEnum
from typing import Literal


class Status(StrEnum):
    UNCONFIRMED = "unconfirmed"
    RECEIVED = "received"
    CLASSIFIED = "classified"
    WAITING_CITIZEN = "waiting_citizen"
    DRAFTED = "drafted"
    PUBLISHED = "published"
    OUT_OF_SCOPE = "out_of_scope"


STATUS_VI = {
    Status.UNCONFIRMED: "Chờ người gửi xác nhận qua email",
    Status.RECEIVED: "Đã tiếp nhận, chờ phân loại",
    Status.CLASSIFIED: "Đã chuyển đơn vị trả lời",
    Status.WAITING_CITIZEN: "Chờ người gửi bổ sung thông tin",
    Status.DRAFTED: "Đang duyệt câu trả lời",
    Status.PUBLISHED: "Đã trả lời",
    Status.OUT_OF_SCOPE: "Không thuộc phạm vi, đã hướng dẫn nơi gửi",
}

KIND_VI = {"question": "Hỏi đáp", "feedback": "Phản ánh, kiến nghị"}

#: What each entry of a question's history says happened (`action` of the log).
ACTION_VI = {
    "submit": "Người dân gửi",
    "confirm": "Người gửi xác nhận qua email (bắt đầu tính hạn)",
    "classify": "Phân loại, chuyển đơn vị trả lời",
    "out_of_scope": "Trả lời không thuộc phạm vi",
    "clarify": "Đề nghị người gửi bổ sung (tạm dừng hạn)",
    "citizen_reply": "Người gửi đã bổ sung (tính hạn tiếp)",
    "extend": "Thông báo tiến độ, hẹn ngày trả lời",
    "draft": "Soạn câu trả lời",
    "return": "Ban Biên tập trả lại để sửa",
    "publish": "Ban Biên tập duyệt, đăng câu trả lời",
}

#: The fields (lĩnh vực) a citizen chooses from on the form.
FIELDS = (
    "Đất đai", "Xây dựng", "Quy hoạch", "Môi trường", "Giao thông", "Trật tự đô thị", "Y tế",
    "Giáo dục", "Lao động, việc làm", "Thuế, tài chính", "Hộ tịch, cư trú", "Văn hóa, du lịch",
    "Đầu tư, doanh nghiệp", "Khác",
)  # fmt: skip
#: A stable code for each field, for machines (Open311 service codes are made of it):
#: it never changes once published, even if the field's label is reworded.
FIELD_CODES = {
    "Đất đai": "dat-dai", "Xây dựng": "xay-dung", "Quy hoạch": "quy-hoach",
    "Môi trường": "moi-truong", "Giao thông": "giao-thong", "Trật tự đô thị": "trat-tu-do-thi",
    "Y tế": "y-te", "Giáo dục": "giao-duc", "Lao động, việc làm": "lao-dong-viec-lam",
    "Thuế, tài chính": "thue-tai-chinh", "Hộ tịch, cư trú": "ho-tich-cu-tru",
    "Văn hóa, du lịch": "van-hoa-du-lich", "Đầu tư, doanh nghiệp": "dau-tu-doanh-nghiep",
    "Khác": "khac",
}  # fmt: skip
OTHER_FIELD = "Khác"
_FIELD_BY_KEY = {unicodedata.normalize("NFC", label).casefold(): label for label in FIELDS}


def canonical_field(text: str) -> str:
    """A field as typed, written as the list writes it when it is one of the list's
    (any case, spacing or Unicode form); other text stays as typed, on one line."""
    one_line = " ".join(unicodedata.normalize("NFC", text).split())
    return _FIELD_BY_KEY.get(one_line.casefold(), one_line)


def field_code(label: str) -> str:
    """The code of a field stored as `label`; that of "Khác" for a field not on the list."""
    return FIELD_CODES.get(label, FIELD_CODES[OTHER_FIELD])


#: Which action may happen in which status.
ALLOWED: dict[str, frozenset[Status]] = {
    "confirm": frozenset({Status.UNCONFIRMED}),
    "classify": frozenset({Status.RECEIVED}),
    "out_of_scope": frozenset({Status.RECEIVED}),
    "clarify": frozenset({Status.CLASSIFIED}),
    "citizen_reply": frozenset({Status.WAITING_CITIZEN}),
    "extend": frozenset({Status.CLASSIFIED, Status.DRAFTED}),
    "draft": frozenset({Status.CLASSIFIED, Status.DRAFTED}),
    "return": frozenset({Status.DRAFTED}),
    "approve": frozenset({Status.DRAFTED}),
}


class NotAllowed(ValueError):
    """The action does not fit the question's status."""


class Invalid(ValueError):
    """The request is well-formed but its values cannot be accepted."""


def require(action: str, status: str) -> None:
    if Status(status) not in ALLOWED[action]:
        raise NotAllowed(
            f"Không thể thực hiện thao tác này khi câu hỏi đang ở trạng thái "
            f"“{STATUS_VI[Status(status)]}”."
        )


#: Who does each of the staff's actions: the board of the question's site, or the unit
#: it was forwarded to (whose editors draft; the board may always act for the unit).
#: In the order the editors' screens offer them.
ACTORS: dict[str, Literal["board", "unit"]] = {
    "classify": "board",
    "out_of_scope": "board",
    "clarify": "unit",
    "draft": "unit",
    "extend": "board",
    "return": "board",
    "approve": "board",
}


def may_act(actor: Literal["board", "unit"], *, board: bool, unit: bool) -> bool:
    """Whether a caller who is (or is not) on the site's board and on the answering
    unit acts as `actor`."""
    return board or (actor == "unit" and unit)


def allowed_actions(status: str, *, board: bool, unit: bool) -> list[str]:
    """The staff's actions that fit the question's status and the caller's standing:
    `board` for a board member of the question's site (operators too), `unit` for an
    editor of the unit it was forwarded to."""
    current = Status(status)
    return [
        action
        for action, actor in ACTORS.items()
        if current in ALLOWED[action] and may_act(actor, board=board, unit=unit)
    ]


#: The deadline that runs in each status, as (its label, the question's field holding it).
_RUNNING = {
    Status.RECEIVED: ("Hạn phân loại", "classification_due"),
    Status.CLASSIFIED: ("Hạn trả lời", "answer_due"),
    Status.DRAFTED: ("Hạn trả lời", "answer_due"),
    Status.WAITING_CITIZEN: ("Tạm dừng, chờ người gửi bổ sung", None),
}


def running_deadline(status: str) -> tuple[str, str | None]:
    """The deadline that matters now, as (its label, the name of the question's field
    with its moment, None while paused); ("", None) once nothing runs."""
    return _RUNNING.get(Status(status), ("", None))


def is_overdue(classification_overdue: bool | None, answer_overdue: bool | None) -> bool:
    """A question is overdue when the deadline of either step has passed unmet."""
    return bool(classification_overdue or answer_overdue)


def is_open(status: str) -> bool:
    return Status(status) not in (Status.PUBLISHED, Status.OUT_OF_SCOPE, Status.UNCONFIRMED)


# --- tracking codes ---------------------------------------------------------------

#: Crockford's base 32: no I, L, O, U, so a code read aloud or retyped stays right.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def _check_char(body: str) -> str:
    total = sum((i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_code() -> str:
    """12 characters (55 random bits and a check character), as `XXXX-XXXX-XXXX`."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(11))
    raw = body + _check_char(body)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(text: str) -> str | None:
    """The canonical code for what a citizen typed (any case, spaces, O for 0, I/L for
    1), or None if it cannot be a code we issued (wrong shape or check character)."""
    raw = re.sub(r"[\s-]", "", text.upper()).translate(str.maketrans("OIL", "011"))
    if len(raw) != 12 or any(ch not in ALPHABET for ch in raw):
        return None
    if _check_char(raw[:11]) != raw[11]:
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


# --- contact details -------------------------------------------------------------


def valid_phone(text: str) -> str | None:
    """A Vietnamese phone number in its plain form (0xxxxxxxxx), or None."""
    digits = re.sub(r"[\s.()-]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"0\d{9,10}", digits) else None
