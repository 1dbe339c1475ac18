"""Who may do what to a question, and which deadline runs: feedback's rules (domain.py),
which its API applies to each request and gives the editors' UI as `allowed_actions`
and `deadline_label` (the UI once kept a copy of this table; the expectations below
are those of its old test, unchanged)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from runtime.auth import Principal, Role
from services.feedback.api import _standing
from services.feedback.domain import ACTORS, ALLOWED, allowed_actions, running_deadline

BOARD = Principal("board", "Ban Biên tập", {"hoankiem": Role.board_member})
EDITOR = Principal("editor", "Biên tập viên", {"hoankiem": Role.editor})
UNIT = Principal("unit", "Đơn vị", {"badinh": Role.editor})
OPERATOR = Principal("ops", "Vận hành", {}, operator=True)


def q(status: str, unit: str | None = "badinh", **more: Any) -> Any:
    return SimpleNamespace(tenant="hoankiem", unit=unit, status=status, **more)


def actions_for(question: Any, user: Principal) -> list[str]:
    return allowed_actions(question.status, **_standing(question, user))


@pytest.mark.parametrize(
    ("status", "user", "expected"),
    [
        ("received", BOARD, ["classify", "out_of_scope"]),
        ("received", UNIT, []),
        ("received", EDITOR, []),
        ("classified", BOARD, ["clarify", "draft", "extend"]),
        ("classified", UNIT, ["clarify", "draft"]),
        ("classified", EDITOR, []),
        ("drafted", BOARD, ["draft", "extend", "return", "approve"]),
        ("drafted", UNIT, ["draft"]),
        ("drafted", OPERATOR, ["draft", "extend", "return", "approve"]),
        ("waiting_citizen", BOARD, []),
        ("published", BOARD, []),
        ("out_of_scope", OPERATOR, []),
    ],
)
def test_the_forms_follow_status_and_role(
    status: str, user: Principal, expected: list[str]
) -> None:
    assert actions_for(q(status), user) == expected


def test_a_question_not_forwarded_gives_the_unit_nothing() -> None:
    assert actions_for(q("classified", unit=None), UNIT) == []
    assert Role.board_member > Role.editor  # the board drafts too


def test_every_staff_action_has_its_states_and_its_actor() -> None:
    assert set(ACTORS) <= set(ALLOWED)
    assert set(ACTORS.values()) == {"board", "unit"}


def test_the_deadline_that_matters_now() -> None:
    assert running_deadline("received") == ("Hạn phân loại", "classification_due")
    assert running_deadline("classified") == ("Hạn trả lời", "answer_due")
    assert running_deadline("drafted") == ("Hạn trả lời", "answer_due")
    assert running_deadline("waiting_citizen")[1] is None
    assert running_deadline("published") == ("", None)
    assert running_deadline("out_of_scope") == ("", None)
