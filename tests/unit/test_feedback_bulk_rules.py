"""Who may draft or approve which questions in bulk (pure rules, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.auth import Principal, Role
from services.feedback.answer_templates import Refusal, bulk_refusals, refused_summary


@dataclass(frozen=True)
class Q:
    tenant: str
    unit: str | None
    code: str


BOARD = Principal("bbt.hoankiem", "BBT", {"hoankiem": Role.board_member})
EDITOR = Principal("bientap.hoankiem", "BT", {"hoankiem": Role.editor})
UNIT = Principal("bientap.badinh", "BT Ba Đình", {"badinh": Role.editor})
OUTSIDER = Principal("bbt.caugiay", "BBT Cầu Giấy", {"caugiay": Role.board_head})
OPERATOR = Principal("vanhanh", "Vận hành", {}, operator=True)

FORWARDED = Q("hoankiem", "badinh", "AAAA-BBBB-CCCC")
UNSORTED = Q("hoankiem", None, "DDDD-EEEE-FFFF")


def test_the_board_may_draft_and_approve_its_site_s_questions() -> None:
    questions = {"1": FORWARDED, "2": UNSORTED}
    assert bulk_refusals("draft", "hoankiem", BOARD, questions) == []
    assert bulk_refusals("approve", "hoankiem", BOARD, questions) == []
    assert bulk_refusals("approve", "hoankiem", OPERATOR, questions) == []


def test_the_unit_drafts_what_was_forwarded_to_it_but_never_approves() -> None:
    assert bulk_refusals("draft", "badinh", UNIT, {"1": FORWARDED}) == []
    # Working on its own site, the unit cannot approve another site's question: not
    # its site, so it is as if absent.
    assert [r.status for r in bulk_refusals("approve", "badinh", UNIT, {"1": FORWARDED})] == [404]
    # A question not forwarded to it does not exist for it.
    refused = bulk_refusals("draft", "badinh", UNIT, {"2": UNSORTED})
    assert [(r.id, r.status, r.code) for r in refused] == [("2", 404, None)]


def test_a_site_editor_sees_but_may_not_draft_for_the_unit_nor_approve() -> None:
    refused = bulk_refusals("draft", "hoankiem", EDITOR, {"1": FORWARDED})
    assert [(r.status, r.code) for r in refused] == [(403, "AAAA-BBBB-CCCC")]
    assert "bientap.hoankiem" in refused[0].reason
    assert [r.status for r in bulk_refusals("approve", "hoankiem", EDITOR, {"2": UNSORTED})] == [
        403
    ]


def test_unknown_ids_and_other_sites_questions_are_not_found_without_details() -> None:
    refused = bulk_refusals("draft", "caugiay", OUTSIDER, {"1": FORWARDED, "9": None})
    assert [(r.id, r.status, r.code) for r in refused] == [("1", 404, None), ("9", 404, None)]
    # Naming another site as the working site does not help.
    refused = bulk_refusals("approve", "hoankiem", OUTSIDER, {"1": FORWARDED})
    assert [r.status for r in refused] == [404]


def test_a_question_of_the_site_listed_under_another_site_is_not_found() -> None:
    # Even the operator must name the question's own site (or its unit, to draft).
    assert [r.status for r in bulk_refusals("draft", "caugiay", OPERATOR, {"1": FORWARDED})] == [
        404
    ]
    assert bulk_refusals("draft", "badinh", OPERATOR, {"1": FORWARDED}) == []


def test_the_gravest_reason_decides_the_status_and_the_message_counts() -> None:
    refusals = [
        Refusal("1", "A", 422, "trống"),
        Refusal("2", "B", 409, "sai trạng thái"),
    ]
    status, message = refused_summary(refusals, 5)
    assert status == 409
    assert "2 trong 5" in message and "chưa câu hỏi nào được thay đổi" in message
    assert refused_summary([*refusals, Refusal("3", None, 404, "không có")], 5)[0] == 404
    assert refused_summary([Refusal("1", "A", 403, "x"), *refusals], 5)[0] == 403
