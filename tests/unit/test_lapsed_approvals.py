"""Pure rules for approvals that will not be published: what content makes of an
approval arriving for an article that changed, which changes make a scheduled approval
lapse, and what editorial shows the editors then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from contracts.events import SupersessionReason
from services.content.domain import (
    ALREADY_DECIDED,
    Action,
    Lapse,
    State,
    approval_fate,
    schedule_lapse,
)
from services.editorial.domain import (
    LAPSE_MESSAGES_VI,
    Status,
    lapse,
    lapse_message,
    receipt,
)


def fate(state: State, current: str = "r1", decided: str = "pending", revision: str = "r1"):
    return approval_fate(
        state=state, current_revision_id=current, revision_id=revision, revision_decision=decided
    )


def test_an_approval_of_the_revision_the_article_waits_for_applies() -> None:
    assert fate(State.submitted) is Action.approve


def test_an_approval_of_an_older_revision_lapses_and_never_publishes_the_newer_one() -> None:
    # A forced publication (the board head) made r2 while r1 waited: approving r1
    # publishes neither r1 (no longer current) nor r2 (nobody approved that one).
    assert fate(State.submitted, current="r2") is Lapse.newer_revision
    assert fate(State.published, current="r2") is Lapse.newer_revision
    assert fate(State.draft, current="r2") is Lapse.newer_revision


def test_an_approval_after_a_withdrawal_during_review_lapses() -> None:
    assert fate(State.withdrawn) is Lapse.withdrawn


def test_an_approval_after_the_text_was_edited_during_review_lapses() -> None:
    # Withdrawn while in review, then edited: the working copy is not the revision.
    assert fate(State.draft) is Lapse.edited


@pytest.mark.parametrize("decided", ["approved", "rejected", "superseded"])
def test_an_approval_of_a_revision_decided_before_is_not_applied_nor_announced(
    decided: str,
) -> None:
    for state in State:
        assert fate(state, decided=decided) == ALREADY_DECIDED
        assert fate(state, current="r2", decided=decided) == ALREADY_DECIDED


def test_an_approval_applies_only_to_a_submitted_article() -> None:
    applies = [s for s in State if fate(s) is Action.approve]
    assert applies == [State.submitted]


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (Action.edit, Lapse.edited),
        (Action.cancel_schedule, Lapse.schedule_cancelled),
        (Action.withdraw, Lapse.withdrawn),
    ],
)
def test_changing_a_scheduled_article_makes_its_approval_lapse(
    action: Action, reason: Lapse
) -> None:
    assert schedule_lapse(State.scheduled, action, has_schedule=True) is reason


def test_nothing_lapses_without_a_schedule() -> None:
    for state in State:
        for action in Action:
            if state is not State.scheduled:
                assert schedule_lapse(state, action, has_schedule=True) is None
            assert schedule_lapse(state, action, has_schedule=False) is None
    # Publication at the time is what the approval asked for.
    assert schedule_lapse(State.scheduled, Action.publish_due, has_schedule=True) is None


def test_every_reason_content_gives_is_a_reason_of_the_contract_with_a_message() -> None:
    assert {r.value for r in Lapse} == set(get_args(SupersessionReason))
    assert set(LAPSE_MESSAGES_VI) == {r.value for r in Lapse}


def test_editors_read_why_in_vietnamese() -> None:
    assert lapse_message(None) is None
    assert lapse_message("edited") == (
        "Bài đã được sửa trong khi duyệt; bản được duyệt không còn là bản hiện tại — cần duyệt lại."
    )
    assert "gỡ" in (lapse_message("withdrawn") or "")
    assert "huỷ" in (lapse_message("schedule_cancelled") or "")
    assert "bản mới hơn" in (lapse_message("newer_revision") or "")
    # A reason added to the contract later still says something true.
    assert "cần duyệt lại" in (lapse_message("something_new") or "")


def test_a_review_whose_approval_lapsed_is_superseded_once() -> None:
    assert lapse(Status.approved) is Status.superseded
    assert lapse(Status.pending) is Status.superseded
    assert lapse(Status.superseded) is None  # delivered again: nothing more
    assert lapse(Status.rejected) is None  # no approval to take back


def test_a_lapsed_receipt_ends_with_nothing_waiting_or_late() -> None:
    decided = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    lapsed = decided + timedelta(minutes=3)
    steps = receipt(
        decided_at=decided,
        publish_at=decided + timedelta(minutes=10),
        published_at=None,
        confirmations={},
        consumer_steps=("site", "search"),
        now=decided + timedelta(days=2),  # long after every budget
        lapsed_at=lapsed,
    )
    assert [(s.step, s.status) for s in steps] == [("approved", "done"), ("lapsed", "stopped")]
    assert steps[1].at == lapsed and steps[1].after_ms == 180_000
    assert steps[1].label == "Bản được duyệt không còn hiệu lực"
