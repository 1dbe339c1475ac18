"""editorial's event consumers: submitted revisions join the review queue; forced
and migrated ones are approved at once; publications and consumers' confirmations
feed the publish receipt and the royalties report; approvals content will not
publish end their receipt."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from contracts import (
    ApprovalSuperseded,
    ArticlePublished,
    ArticleSyndicated,
    DeliveryConfirmed,
    Envelope,
    RevisionApproved,
    RevisionSubmitted,
    SyndicationProposed,
    TenantUpserted,
)
from runtime.messaging import UnitOfWork
from runtime.upsert import insert_once, upsert_newer
from services.editorial import store
from services.editorial.commands import snapshot
from services.editorial.domain import Status, lapse, lapse_message


async def on_revision_submitted(uow: UnitOfWork, event: RevisionSubmitted, _env: Envelope) -> None:
    # An older revision still waiting is now moot: the board decides on the newest.
    await uow.session.execute(
        update(store.reviews)
        .where(
            store.reviews.c.article_id == event.article_id,
            store.reviews.c.status == Status.pending,
            store.reviews.c.revision_number < event.revision_number,
        )
        .values(status=Status.superseded)
    )
    # content lets only the site's board head force or import (recorded as theirs); the
    # approval is theirs, made at once, and the rest of the board reviews it afterwards.
    automatic = event.origin in ("forced", "migrated")
    inserted = await insert_once(
        uow.session,
        store.reviews,
        {
            "revision_id": event.revision_id,
            "article_id": event.article_id,
            "tenant": event.tenant,
            "revision_number": event.revision_number,
            "category": event.category,
            "title": event.title,
            "summary": event.summary,
            "body_html": event.body_html,
            "author": event.author,
            "submitted_by": event.submitted_by,
            "submitted_at": event.submitted_at,
            "status": Status.approved if automatic else Status.pending,
            "kind": event.kind,
            "details": event.details.model_dump(mode="json") if event.details else None,
            "language": event.language,
            "images": [i.model_dump(mode="json") for i in event.images],
            "attachments": [a.model_dump(mode="json") for a in event.attachments],
            "authors": [a.model_dump(mode="json") for a in event.authors],
            "origin": event.origin,
            "force_reason": event.force_reason or None,
            "decided_by": event.submitted_by if automatic else None,
            "decided_at": event.submitted_at if automatic else None,
            "note": {"forced": event.force_reason, "migrated": "Chuyển từ cổng cũ"}.get(
                event.origin
            ),
            "needs_post_review": automatic,
        },
    )
    if inserted and automatic:
        uow.emit(
            RevisionApproved(
                tenant=event.tenant,
                article_id=event.article_id,
                revision_id=event.revision_id,
                decided_by=event.submitted_by,
                decided_at=event.submitted_at,
                note=event.force_reason,
                forced=event.origin == "forced",
            )
        )


async def on_article_published(uow: UnitOfWork, event: ArticlePublished, _env: Envelope) -> None:
    await insert_once(
        uow.session,
        store.publications,
        {
            "article_id": event.article_id,
            "sequence": event.sequence,
            "revision_id": event.revision_id,
            "tenant": event.tenant,
            "published_at": event.updated_at,
            "first_published_at": event.published_at,
            "title": event.title,
            "kind": event.kind,
        },
    )


async def on_approval_superseded(
    uow: UnitOfWork, event: ApprovalSuperseded, _env: Envelope
) -> None:
    """content will not publish this approval (the article changed since): the review
    says so, its receipt stops waiting, and the change is in the audit log as the
    approval was."""
    review = await store.get_review(uow.session, event.revision_id, for_update=True)
    if review is None:
        return
    status = lapse(Status(review.status))
    if status is None:
        return
    await uow.session.execute(
        update(store.reviews)
        .where(store.reviews.c.revision_id == event.revision_id)
        .values(status=status, lapse_reason=event.reason, lapsed_at=event.superseded_at)
    )
    after = await store.get_review(uow.session, event.revision_id)
    assert after is not None
    uow.audit(
        actor="system",
        action="review.approval_lapsed",
        subject=f"article:{review.article_id}",
        tenant=review.tenant,
        before=snapshot(review),
        after={
            **snapshot(after),
            "revision_id": review.revision_id,
            "current_revision_id": event.current_revision_id,
            "article_state": event.article_state,
            "superseded_by": event.superseded_by,
            "message": lapse_message(event.reason),
        },
    )


async def on_delivery_confirmed(uow: UnitOfWork, event: DeliveryConfirmed, _env: Envelope) -> None:
    await insert_once(
        uow.session,
        store.deliveries,
        {
            "article_id": event.article_id,
            "sequence": event.sequence,
            "step": event.step,
            "consumer": event.consumer,
            "action": event.action,
            "confirmed_at": event.confirmed_at,
            "detail": event.detail,
        },
    )


async def on_tenant_upserted(uow: UnitOfWork, event: TenantUpserted, _env: Envelope) -> None:
    await upsert_newer(
        uow.session,
        store.tenants,
        key={"slug": event.tenant},
        values={"name": event.name},
        sequence=event.sequence,
    )


async def on_syndication_proposed(
    uow: UnitOfWork, event: SyndicationProposed, _env: Envelope
) -> None:
    """A component site's proposal joins the city board's queue as a review of its own:
    the board approves or rejects it (with a ground of Điều 14.3) like any other, and
    syndication acts on that decision. The copy's id stands as the article id."""
    await insert_once(
        uow.session,
        store.reviews,
        {
            "revision_id": event.proposal_id,
            "article_id": event.copy_id,
            "tenant": event.tenant,
            "revision_number": 1,
            "category": event.category,
            "title": event.title,
            "summary": event.summary,
            "body_html": event.body_html,
            "author": event.author,
            "submitted_by": event.proposed_by,
            "submitted_at": event.proposed_at,
            "status": Status.pending,
            "kind": event.kind,
            "language": event.language,
            "origin": "proposed",
            "note": event.note or None,
            "source_tenant": event.origin_tenant,
            "source_url": event.origin_url,
        },
    )


async def on_article_syndicated(uow: UnitOfWork, event: ArticleSyndicated, _env: Envelope) -> None:
    """An approved proposal is live on the city portal: its receipt's publication."""
    for copy in event.copies:
        if copy.proposal_id is None or copy.status != "live":
            continue
        await insert_once(
            uow.session,
            store.publications,
            {
                "article_id": copy.copy_id,
                "sequence": copy.sequence,
                "revision_id": copy.proposal_id,
                "tenant": copy.tenant,
                "published_at": datetime.now(UTC),
                "first_published_at": event.article.published_at,
                "title": event.article.title,
                "kind": event.article.kind,
            },
        )
