"""editorial's use cases: the board approves or rejects a submitted revision."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.engine import Row

from contracts import RevisionApproved, RevisionRejected
from runtime.auth import Principal, Role
from runtime.messaging import UnitOfWork
from services.editorial import store
from services.editorial.domain import DecisionError, Status, decide


class NotFound(LookupError):
    pass


async def decide_revision(
    uow: UnitOfWork,
    by: Principal,
    revision_id: str,
    *,
    approve: bool,
    reason: str = "",
    note: str = "",
) -> Row:
    """Record the board's decision and announce it. Raises NotFound or DecisionError."""
    review = await store.get_review(uow.session, revision_id, for_update=True)
    if review is None:
        raise NotFound(f"Không có bản gửi duyệt {revision_id}.")
    by.require(review.tenant, Role.board_member)
    status = decide(Status(review.status), approve=approve, reason=reason)
    now = datetime.now(UTC)
    await uow.session.execute(
        update(store.reviews)
        .where(store.reviews.c.revision_id == revision_id)
        .values(
            status=status,
            decided_by=by.username,
            decided_at=now,
            reason=reason or None,
            note=note or None,
        )
    )
    common = {
        "tenant": review.tenant,
        "article_id": review.article_id,
        "revision_id": revision_id,
        "decided_by": by.username,
        "decided_at": now,
    }
    if approve:
        uow.emit(RevisionApproved(**common, note=note))
    else:
        uow.emit(RevisionRejected(**common, reason=reason))
    review = await store.get_review(uow.session, revision_id)
    assert review is not None
    return review


__all__ = ["DecisionError", "NotFound", "decide_revision"]
