"""editorial's use cases: the board approves, schedules or rejects a submitted
revision, and reviews forced publications afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Row

from contracts import RevisionApproved, RevisionRejected
from runtime.auth import Principal, Role
from runtime.messaging import UnitOfWork
from services.editorial import store
from services.editorial.domain import (
    DecisionError,
    Status,
    check_not_own,
    check_proposal_schedule,
    check_schedule,
    decide,
)
from services.editorial.royalties import RoyaltyError, validate_coefficient


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Decision:
    approve: bool
    #: Rejection: a ground of Điều 14.3 and a note for the editor.
    ground: str | None = None
    note: str = ""
    #: Approval: when to publish (None or past: at once) and the royalty coefficient.
    publish_at: datetime | None = None
    royalty_coefficient: str | None = None


def snapshot(review: Row) -> dict[str, Any]:
    return {
        "status": review.status,
        "revision_number": review.revision_number,
        "title": review.title,
        "decided_by": review.decided_by,
        "ground": review.ground,
        "note": review.note,
        "reason": review.reason,
        "publish_at": review.publish_at,
        "royalty_coefficient": str(review.royalty_coefficient)
        if review.royalty_coefficient is not None
        else None,
        "needs_post_review": review.needs_post_review,
        "lapse_reason": review.lapse_reason,
    }


async def decide_revision(uow: UnitOfWork, by: Principal, revision_id: str, d: Decision) -> Row:
    """Record the board's decision and announce it. Raises NotFound or DecisionError."""
    review = await store.get_review(uow.session, revision_id, for_update=True)
    if review is None:
        raise NotFound(f"Không có bản gửi duyệt {revision_id}.")
    by.require(review.tenant, Role.board_member)
    note = " ".join(d.note.split())
    if d.approve:
        check_not_own(review.submitted_by, by.username)
    status = decide(Status(review.status), approve=d.approve, ground=d.ground, note=note)
    now = datetime.now(UTC)
    coefficient: Decimal | None = None
    if d.approve and d.royalty_coefficient not in (None, ""):
        try:
            coefficient = validate_coefficient(d.royalty_coefficient)  # type: ignore[arg-type]
        except RoyaltyError as exc:
            raise DecisionError(str(exc)) from exc
    if d.approve:
        check_proposal_schedule(review.origin, d.publish_at)
    publish_at = check_schedule(d.publish_at, now) if d.approve else None
    await uow.session.execute(
        update(store.reviews)
        .where(store.reviews.c.revision_id == revision_id)
        .values(
            status=status,
            decided_by=by.username,
            decided_at=now,
            reason=None if d.approve else note,
            ground=None if d.approve else d.ground,
            note=note or None,
            publish_at=publish_at,
            royalty_coefficient=coefficient,
        )
    )
    common = {
        "tenant": review.tenant,
        "article_id": review.article_id,
        "revision_id": revision_id,
        "decided_by": by.username,
        "decided_at": now,
    }
    if d.approve:
        uow.emit(RevisionApproved(**common, note=note, publish_at=publish_at,
                                  royalty_coefficient=coefficient))  # fmt: skip
    else:
        uow.emit(RevisionRejected(**common, reason=note, ground=d.ground))  # type: ignore[arg-type]
    after = await store.get_review(uow.session, revision_id)
    assert after is not None
    uow.audit(
        actor=by.username,
        action="review.approve" if d.approve else "review.reject",
        subject=f"article:{review.article_id}",
        tenant=review.tenant,
        before=snapshot(review),
        after={**snapshot(after), "revision_id": revision_id},
    )
    return after


async def post_review(uow: UnitOfWork, by: Principal, revision_id: str, note: str) -> Row:
    """The board has looked at a forced publication after the fact."""
    review = await store.get_review(uow.session, revision_id, for_update=True)
    if review is None:
        raise NotFound(f"Không có bản gửi duyệt {revision_id}.")
    by.require(review.tenant, Role.board_member)
    if not review.needs_post_review:
        raise DecisionError("Bài này không cần hậu kiểm.")
    check_not_own(review.submitted_by, by.username, post_review=True)
    note = " ".join(note.split())
    if len(note) < 5:
        raise DecisionError("Hậu kiểm phải ghi nhận xét.")
    await uow.session.execute(
        update(store.reviews)
        .where(store.reviews.c.revision_id == revision_id)
        .values(
            needs_post_review=False,
            post_reviewed_by=by.username,
            post_reviewed_at=datetime.now(UTC),
            post_review_note=note,
        )
    )
    after = await store.get_review(uow.session, revision_id)
    assert after is not None
    uow.audit(
        actor=by.username,
        action="review.post_review",
        subject=f"article:{review.article_id}",
        tenant=review.tenant,
        before=snapshot(review),
        after={**snapshot(after), "note": note},
    )
    return after


__all__ = ["Decision", "DecisionError", "NotFound", "decide_revision", "post_review"]
